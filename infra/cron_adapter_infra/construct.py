"""The reusable ``CronAdapter`` construct: everything cron-adapter needs, in one scope.

Embed it in any CDK app::

    CronAdapter(self, "Cron", props=CronAdapterProps(hmac=True))

The parts live in one module each: :mod:`.storage` (bucket, table, secret, DLQ),
:mod:`.functions` (the shared asset and the Lambda factory), :mod:`.permissions`,
:mod:`.specs` (what the fire and reconcile Lambdas are), :mod:`.triggers` (the
schedule group, the upload and drift-repair triggers), :mod:`.alarms`, :mod:`.dashboard`
and :mod:`.nag`. Names shared with the Lambdas
(environment variables, key attributes, metric names) come from
:mod:`cron_adapter.constants`, the only runtime module ``infra/`` imports.
"""

from __future__ import annotations

from aws_cdk import AssetHashType, CfnOutput, Duration, Tags
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from cron_adapter import constants as c
from cron_adapter_infra import alarms, auditor, dashboard, grants, nag, outputs, permissions, specs, storage, triggers
from cron_adapter_infra.bundling import LambdaBundle
from cron_adapter_infra.functions import FunctionSpec, make_function
from cron_adapter_infra.names import deployment_name
from cron_adapter_infra.props import CronAdapterProps


class CronAdapter(Construct):
    """S3 store, reconcile + fire Lambdas, schedule group, ledger table, secret, alarms."""

    def __init__(self, scope: Construct, construct_id: str, *, props: CronAdapterProps | None = None) -> None:
        super().__init__(scope, construct_id)
        self.props = props = props or CronAdapterProps()
        self.deployment_name = props.name or deployment_name(self)
        self.group_name = props.group_name or self.deployment_name
        self.alarms: dict[str, cw.Alarm] = {}
        self.functions: dict[str, lambda_.Function] = {}

        self.bucket = props.existing_bucket_obj or storage.jobs_bucket(self, props)
        self.table = storage.ledger_table(self, props)
        self.secret = storage.target_secret(self, props)
        self.token_key = storage.fire_token_key(self, props)
        self.input_key = storage.input_signing_key(self, props)
        self.dlq = storage.dead_letter_queue(self)
        triggers.schedule_group(self)
        self.code = self._code_asset()
        self.fire_function = self.add_function(specs.fire_spec(self))
        self.reconcile_function = self.add_function(specs.reconcile_spec(self))

        permissions.grant_scheduler_role(self)
        permissions.grant_fire(self)
        permissions.grant_reconcile(self)
        triggers.wire_triggers(self)
        self.alarm_topic = alarms.alarm_topic(self, props.existing_topic_obj)
        if props.alarm_email:
            self.alarm_topic.add_subscription(subscriptions.EmailSubscription(props.alarm_email))
        self.audit_function = auditor.add_auditor(
            self, dict(specs.reconcile_spec(self).environment), dict(specs.fire_spec(self).environment)
        )
        alarms.add_builtin_alarms(self)
        self.dashboard = dashboard.make_dashboard(self) if props.dashboard else None
        auditor.add_audit_widgets(self, self.audit_function)
        for key, value in {"cron-adapter:deployment": self.deployment_name, **props.tags}.items():
            Tags.of(self).add(key, value)
        self._acknowledge_findings()

    # --- For the rest of the user's app ----------------------------------------------------
    def grant_push_jobs(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` upload jobs.json (each upload triggers a reconcile)."""
        return grants.grant_push_jobs(self, grantee)

    def grant_read_runs(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read run records and the reconcile status."""
        return grants.grant_read_runs(self, grantee)

    def grant_read_secret(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` (the target app) read the shared secret."""
        return grants.grant_read_secret(self, grantee)

    def add_outputs(self, scope: Construct | None = None) -> dict[str, CfnOutput]:
        """CloudFormation outputs (bucket, table, group, functions, log groups, ...) in ``scope``."""
        return outputs.add_outputs(self, scope or self)

    # --- Extension points: how a new Lambda or alarm joins the construct -----------------
    @property
    def base_environment(self) -> dict[str, str]:
        """What every function gets: its metric scope (Powertools) and the table."""
        return {
            c.ENV_POWERTOOLS_SERVICE: self.deployment_name,
            c.ENV_POWERTOOLS_NAMESPACE: c.METRICS_NAMESPACE,
            c.ENV_TABLE: self.table.table_name,
        }

    def add_function(self, spec: FunctionSpec) -> lambda_.Function:
        """A Lambda on the shared asset: runtime, arch, log group, DLQ, base env, nag acks."""
        function = make_function(
            self, spec, code=self.code, props=self.props, dlq=self.dlq, base_environment=self.base_environment
        )
        assert function.role is not None
        nag.acknowledge(function.role, nag.BASIC_EXECUTION, "basic-execution")
        nag.acknowledge(function, "L1", "L1")
        self.functions[spec.label] = function
        return function

    def metric(self, name: str, statistic: str = "Sum", period: Duration | None = None) -> cw.Metric:
        """A cron-adapter EMF metric of this deployment (namespace + service dimension)."""
        return alarms.scoped_metric(self.deployment_name, name, statistic, period)

    def add_alarm(
        self, label: str, metric: cw.IMetric, description: str, *, threshold: float = 1, periods: int = 1
    ) -> cw.Alarm:
        """``<label>Alarm``: metric >= threshold, to the alarm topic, listed on the dashboard."""
        if label in self.alarms:
            raise ValueError(f"an alarm labelled {label!r} already exists in {self.node.path}")
        alarm = alarms.make_alarm(
            self, f"{label}Alarm", self.alarm_topic, metric, description, threshold=threshold, periods=periods
        )
        self.alarms[label] = alarm
        return alarm

    # --- The parts -----------------------------------------------------------------------
    def _code_asset(self) -> lambda_.Code:
        props = self.props
        self.bundle = bundle = LambdaBundle(
            architecture=props.architecture,
            python_version=props.python_version,
            source_root=props.source_root,
        )
        return lambda_.Code.from_asset(
            str(bundle.stage_sources()),
            asset_hash_type=AssetHashType.CUSTOM,
            asset_hash=bundle.asset_hash(),
            bundling=bundle.bundling_options(),
        )

    def _acknowledge_findings(self) -> None:
        if self.props.existing_bucket_obj is None:
            nag.acknowledge(self.bucket, "S1", "S1")
        nag.acknowledge(self.secret, "SMG4", "SMG4")
        nag.acknowledge(self.token_key, "SMG4", "SMG4")
        nag.acknowledge(self.input_key, "SMG4", "SMG4-input-key")
        nag.acknowledge(self.dlq, "SQS3", "SQS3")
        nag.acknowledge_cdk_singletons(self)
