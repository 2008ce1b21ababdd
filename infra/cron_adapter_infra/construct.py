"""The reusable ``CronAdapter`` construct: everything cron-adapter needs, in one scope.

Embed it in any CDK app::

    CronAdapter(self, "Cron", props=CronAdapterProps(hmac=True))

The parts live in one module each: :mod:`.storage` (bucket, table, secret, DLQ),
:mod:`.functions` (the shared asset and the Lambda factory), :mod:`.permissions`,
:mod:`.alarms`, :mod:`.dashboard` and :mod:`.nag`. Names shared with the Lambdas
(environment variables, key attributes, metric names) come from
:mod:`cron_adapter.constants`, the only runtime module ``infra/`` imports.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, AssetHashType, CfnOutput, Duration, RemovalPolicy, Stack, Tags
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from cron_adapter import constants as c
from cron_adapter_infra import alarms, auditor, dashboard, grants, nag, outputs, permissions, storage
from cron_adapter_infra.bundling import LambdaBundle
from cron_adapter_infra.functions import FunctionSpec, make_function
from cron_adapter_infra.names import deployment_name
from cron_adapter_infra.props import CronAdapterProps

# The exact payload the reconcile handler recognises as a periodic drift repair.
DRIFT_REPAIR_INPUT = {"cron-adapter": "drift-repair"}
FIRE_TIMEOUT = Duration.seconds(900)  # target timeouts are capped at 840 s inside
RECONCILE_TIMEOUT = Duration.minutes(15)


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
        self._schedule_group()
        self.code = self._code_asset()
        self.fire_function = self.add_function(self._fire_spec())
        self.reconcile_function = self.add_function(self._reconcile_spec())

        permissions.grant_scheduler_role(self)
        permissions.grant_fire(self)
        permissions.grant_reconcile(self)
        self._wire_triggers()
        self.alarm_topic = alarms.alarm_topic(self, props.existing_topic_obj)
        if props.alarm_email:
            self.alarm_topic.add_subscription(subscriptions.EmailSubscription(props.alarm_email))
        self.audit_function = auditor.add_auditor(
            self, dict(self._reconcile_spec().environment), dict(self._fire_spec().environment)
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
    def _schedule_group(self) -> None:
        stack = Stack.of(self)
        self.schedule_group = scheduler.ScheduleGroup(
            self, "ScheduleGroup", schedule_group_name=self.group_name, removal_policy=RemovalPolicy.DESTROY
        )
        self.group_arn = stack.format_arn(
            service="scheduler",
            resource="schedule-group",
            resource_name=self.group_name,
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        self.schedules_arn = stack.format_arn(
            service="scheduler",
            resource="schedule",
            resource_name=f"{self.group_name}/*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        self.scheduler_role = iam.Role(
            self,
            "SchedulerRole",
            description="Assumed by EventBridge Scheduler: invoke the fire function, dead-letter to the DLQ",
            # Confused-deputy guard: only this account's schedules in our group.
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": stack.account, "aws:SourceArn": self.group_arn}},
            ),
        )

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

    def _fire_spec(self) -> FunctionSpec:
        props = self.props
        return FunctionSpec(
            label="Fire",
            description="cron-adapter: claim a scheduled fire once, call its target, record the run",
            handler=c.FIRE_HANDLER,
            memory_mb=props.fire_memory_mb,
            timeout=FIRE_TIMEOUT,
            reserved=props.fire_reserved_concurrency,
            environment={
                c.ENV_SECRET_ID: self.secret.secret_arn,
                c.ENV_INPUT_KEY_ID: self.input_key.secret_arn,
                c.ENV_GROUP: self.group_name,
                c.ENV_RUN_RETENTION_DAYS: str(props.run_retention_days),
                c.ENV_HMAC: "true" if props.hmac else "false",
                c.ENV_JWT_SECRET_ID: self.token_key.secret_arn,
                **({c.ENV_JWT_AUDIENCE: props.jwt_audience} if props.jwt_audience else {}),
                **({c.ENV_JWT_ISSUER: props.jwt_issuer} if props.jwt_issuer is not None else {}),
                **({c.ENV_ALLOWED_CIDRS: ",".join(props.allowed_cidrs)} if props.allowed_cidrs else {}),
            },
        )

    def _reconcile_spec(self) -> FunctionSpec:
        props = self.props
        environment = {
            c.ENV_BUCKET: self.bucket.bucket_name,
            c.ENV_JOBS_KEY: props.jobs_key,
            c.ENV_GROUP: self.group_name,
            c.ENV_FIRE_ARN: self.fire_function.function_arn,
            c.ENV_SCHEDULER_ROLE_ARN: self.scheduler_role.role_arn,
            c.ENV_DLQ_ARN: self.dlq.queue_arn,
            c.ENV_MAX_DELETE_SHARE: str(props.max_delete_share),
            c.ENV_SCHEDULER_TPS: str(props.scheduler_tps),
            c.ENV_INPUT_KEY_ID: self.input_key.secret_arn,
        }
        optional = {
            c.ENV_STORE_FORMAT: props.store_format,
            c.ENV_STORE_TIMEZONE: props.store_timezone,
            c.ENV_BASE_URL: props.base_url,
        }
        environment.update({name: value for name, value in optional.items() if value is not None})
        return FunctionSpec(
            label="Reconcile",
            description="cron-adapter: converge the schedule group onto jobs.json",
            handler=c.RECONCILE_HANDLER,
            memory_mb=props.reconcile_memory_mb,
            timeout=RECONCILE_TIMEOUT,
            reserved=1,  # one reconcile at a time
            environment=environment,
        )

    def _wire_triggers(self) -> None:
        """jobs.json upload -> reconcile; a periodic rule -> drift-repair reconcile."""
        key = self.props.jobs_key
        self.bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.LambdaDestination(self.reconcile_function),
            s3.NotificationKeyFilter(prefix=key, suffix=key),
        )
        # An EventBridge rule, not a schedule: a schedule in our group would be deleted by
        # the reconcile as a stranger, and scheduled rules cost nothing.
        self.drift_rule = events.Rule(
            self,
            "DriftRepairRule",
            description="cron-adapter: periodic drift-repair reconcile",
            schedule=events.Schedule.rate(Duration.minutes(self.props.drift_repair_minutes)),
            targets=[
                events_targets.LambdaFunction(
                    self.reconcile_function,
                    event=events.RuleTargetInput.from_object(DRIFT_REPAIR_INPUT),
                    dead_letter_queue=self.dlq,
                    retry_attempts=2,
                    max_event_age=Duration.hours(1),
                )
            ],
        )

    def _acknowledge_findings(self) -> None:
        if self.props.existing_bucket_obj is None:
            nag.acknowledge(self.bucket, "S1", "S1")
        nag.acknowledge(self.secret, "SMG4", "SMG4")
        nag.acknowledge(self.token_key, "SMG4", "SMG4")
        nag.acknowledge(self.input_key, "SMG4", "SMG4-input-key")
        nag.acknowledge(self.dlq, "SQS3", "SQS3")
        nag.acknowledge_cdk_singletons(self)
