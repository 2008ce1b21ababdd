"""The reusable ``CronAdapter`` construct: everything cron-adapter needs, in one scope.

Embed it in any CDK app::

    CronAdapter(self, "Cron", props=CronAdapterProps(group_name="my-cron", hmac=True))

Names shared with the Lambdas (environment variables, key attributes, metric names) come
from :mod:`cron_adapter.constants`, the only runtime module ``infra/`` imports.
"""

from __future__ import annotations

from typing import Any, cast

from aws_cdk import ArnFormat, AssetHashType, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cron_adapter import constants as c
from cron_adapter_infra.bundling import LambdaBundle
from cron_adapter_infra.nag import suppress_findings
from cron_adapter_infra.props import CronAdapterProps

# The exact payload the reconcile handler recognises as a periodic drift repair.
DRIFT_REPAIR_INPUT = {"cron-adapter": "drift-repair"}
FIRE_TIMEOUT = Duration.seconds(900)  # target timeouts are capped at 840 s inside
RECONCILE_TIMEOUT = Duration.minutes(15)
_ARCHITECTURES = {"arm64": lambda_.Architecture.ARM_64, "x86_64": lambda_.Architecture.X86_64}
_RUNTIMES = {
    "3.11": lambda_.Runtime.PYTHON_3_11,
    "3.12": lambda_.Runtime.PYTHON_3_12,
    "3.13": lambda_.Runtime.PYTHON_3_13,
}
_KEY_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
# Explicit item-level actions instead of grant helpers, so no wildcard action reaches IAM.
# No Scan: every access pattern is a key lookup or a Query on one partition.
TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)


def _table_key(kind: str) -> dynamodb.Attribute:
    """The key attribute of ``kind`` (HASH/RANGE) in constants.TABLE_DEFINITION."""
    definition = cast("dict[str, Any]", c.TABLE_DEFINITION)
    name = next(k["AttributeName"] for k in definition["KeySchema"] if k["KeyType"] == kind)
    type_ = next(a["AttributeType"] for a in definition["AttributeDefinitions"] if a["AttributeName"] == name)
    return dynamodb.Attribute(name=name, type=_KEY_TYPES[type_])


class CronAdapter(Construct):
    """S3 store, reconcile + fire Lambdas, schedule group, ledger table, secret, alarms."""

    def __init__(self, scope: Construct, construct_id: str, *, props: CronAdapterProps | None = None) -> None:
        super().__init__(scope, construct_id)
        self.props = props = props or CronAdapterProps()
        stack = Stack.of(self)
        data_removal = props.removal_policy

        # --- Storage -----------------------------------------------------------------
        self.bucket = s3.Bucket(
            self,
            "JobsBucket",
            versioned=c.BUCKET_VERSIONED,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            removal_policy=data_removal,
            # Old jobs.json versions are history, not state: keep them 90 days, then go.
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=Duration.days(90))],
        )
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=_table_key("HASH"),
            sort_key=_table_key("RANGE"),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute=c.TABLE_TTL_ATTRIBUTE,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            # Encrypted at rest with the AWS-owned key: no KMS key fee, no KMS request charges.
            encryption=dynamodb.TableEncryption.DEFAULT,
            removal_policy=data_removal,
        )
        self.secret = secretsmanager.Secret(
            self,
            "TargetSecret",
            secret_name=props.secret_name,
            description="cron-adapter shared secret sent to targets as a bearer token",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=props.secret_length, exclude_punctuation=True, include_space=False
            ),
            removal_policy=data_removal,
        )
        # Dead letters of all three delivery paths: scheduler -> fire, Lambda async
        # invocations (fire + reconcile), and the drift-repair rule.
        self.dlq = sqs.Queue(
            self,
            "DeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.seconds(c.DLQ_RETENTION_SECONDS),
        )

        # --- Schedule group and the role the schedules run as -------------------------
        self.schedule_group = scheduler.ScheduleGroup(
            self, "ScheduleGroup", schedule_group_name=props.group_name, removal_policy=RemovalPolicy.DESTROY
        )
        self.group_arn = group_arn = stack.format_arn(
            service="scheduler",
            resource="schedule-group",
            resource_name=props.group_name,
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        self.schedules_arn = stack.format_arn(
            service="scheduler",
            resource="schedule",
            resource_name=f"{props.group_name}/*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        self.scheduler_role = iam.Role(
            self,
            "SchedulerRole",
            description="Assumed by EventBridge Scheduler: invoke the fire function, dead-letter to the DLQ",
            # Confused-deputy guard: only this account's schedules in our group.
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": stack.account, "aws:SourceArn": group_arn}},
            ),
        )

        # --- Lambdas ------------------------------------------------------------------
        bundle = LambdaBundle(
            architecture=props.architecture,
            python_version=props.python_version,
            source_root=props.source_root,
            requirements=props.source_root / "infra" / "lambda-requirements.txt",
        )
        self.bundle = bundle
        self.code = lambda_.Code.from_asset(
            str(props.source_root),
            asset_hash_type=AssetHashType.CUSTOM,
            asset_hash=bundle.asset_hash(),
            bundling=bundle.bundling_options(),
        )
        powertools_env = {
            c.ENV_POWERTOOLS_SERVICE: c.SERVICE_NAME,
            c.ENV_POWERTOOLS_NAMESPACE: c.METRICS_NAMESPACE,
        }
        self.fire_function = self._function(
            "Fire",
            description="cron-adapter: claim a scheduled fire once, call its target, record the run",
            handler=c.FIRE_HANDLER,
            memory_mb=props.fire_memory_mb,
            timeout=FIRE_TIMEOUT,
            reserved=props.fire_reserved_concurrency,
            environment={
                **powertools_env,
                c.ENV_TABLE: self.table.table_name,
                c.ENV_SECRET_ID: self.secret.secret_arn,
                c.ENV_GROUP: props.group_name,
                c.ENV_RUN_RETENTION_DAYS: str(props.run_retention_days),
                c.ENV_HMAC: "true" if props.hmac else "false",
            },
        )
        reconcile_env = {
            **powertools_env,
            c.ENV_TABLE: self.table.table_name,
            c.ENV_BUCKET: self.bucket.bucket_name,
            c.ENV_JOBS_KEY: props.jobs_key,
            c.ENV_GROUP: props.group_name,
            c.ENV_FIRE_ARN: self.fire_function.function_arn,
            c.ENV_SCHEDULER_ROLE_ARN: self.scheduler_role.role_arn,
            c.ENV_DLQ_ARN: self.dlq.queue_arn,
            c.ENV_MAX_DELETE_SHARE: str(props.max_delete_share),
            c.ENV_SCHEDULER_TPS: str(props.scheduler_tps),
        }
        optional = {
            c.ENV_STORE_FORMAT: props.store_format,
            c.ENV_STORE_TIMEZONE: props.store_timezone,
            c.ENV_BASE_URL: props.base_url,
        }
        reconcile_env.update({name: value for name, value in optional.items() if value is not None})
        self.reconcile_function = self._function(
            "Reconcile",
            description="cron-adapter: converge the schedule group onto jobs.json",
            handler=c.RECONCILE_HANDLER,
            memory_mb=props.reconcile_memory_mb,
            timeout=RECONCILE_TIMEOUT,
            reserved=1,  # one reconcile at a time
            environment=reconcile_env,
        )

        self._grant_permissions()
        self._wire_triggers()
        self.alarm_topic = sns.Topic(self, "AlarmTopic", display_name="cron-adapter alarms", enforce_ssl=True)
        if props.alarm_email:
            self.alarm_topic.add_subscription(subscriptions.EmailSubscription(props.alarm_email))
        self.alarms = self._alarms()
        self.dashboard = self._dashboard() if props.dashboard else None
        suppress_findings(self)

    # ------------------------------------------------------------------------------
    def _function(
        self,
        label: str,
        *,
        description: str,
        handler: str,
        memory_mb: int,
        timeout: Duration,
        reserved: int | None,
        environment: dict[str, str],
    ) -> lambda_.Function:
        """One of the two Lambdas: shared asset, arch, runtime, tracing, logs, dead letters."""
        props = self.props
        log_group = logs.LogGroup(
            self, f"{label}Logs", retention=props.log_retention, removal_policy=props.removal_policy
        )
        return lambda_.Function(
            self,
            f"{label}Function",
            description=description,
            runtime=_RUNTIMES[props.python_version],
            architecture=_ARCHITECTURES[props.architecture],
            code=self.code,
            handler=handler,
            memory_size=memory_mb,
            timeout=timeout,
            reserved_concurrent_executions=reserved,
            environment=environment,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE if props.tracing else lambda_.Tracing.DISABLED,
            # Async invocations (scheduler, S3, the drift rule) that still fail after
            # Lambda's own retries land in the DLQ with their request payload.
            on_failure=destinations.SqsDestination(self.dlq),
            retry_attempts=2,
        )

    def _grant_permissions(self) -> None:
        """Least privilege: explicit actions, each scoped to the one resource it needs."""
        fire, reconcile = self.fire_function, self.reconcile_function
        # The scheduler role can invoke the fire function and nothing else (+ dead-letter).
        self.scheduler_role.add_to_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[fire.function_arn])
        )
        self.scheduler_role.add_to_policy(
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.dlq.queue_arn])
        )
        table_arn = self.table.table_arn
        pass_role = iam.PolicyStatement(
            actions=["iam:PassRole"],
            resources=[self.scheduler_role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
        )
        for function in (fire, reconcile):
            function.add_to_role_policy(iam.PolicyStatement(actions=list(TABLE_ACTIONS), resources=[table_arn]))
            # Fire disables exhausted jobs with UpdateSchedule, which re-sends the RoleArn.
            function.add_to_role_policy(pass_role)
        fire.add_to_role_policy(
            iam.PolicyStatement(
                actions=["scheduler:GetSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"],
                resources=[self.schedules_arn],
            )
        )
        fire.add_to_role_policy(
            iam.PolicyStatement(
                actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                resources=[self.secret.secret_arn],
            )
        )
        reconcile.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "scheduler:CreateSchedule",
                    "scheduler:UpdateSchedule",
                    "scheduler:DeleteSchedule",
                    "scheduler:GetSchedule",
                ],
                resources=[self.schedules_arn],
            )
        )
        # Reconcile checks its group exists before writing (GetScheduleGroup) and recreates
        # it after an out-of-band deletion; scoped to this one group.
        reconcile.add_to_role_policy(
            iam.PolicyStatement(
                actions=["scheduler:GetScheduleGroup", "scheduler:CreateScheduleGroup"], resources=[self.group_arn]
            )
        )
        # ListSchedules supports no resource-level permissions (Service Authorization Reference).
        reconcile.add_to_role_policy(iam.PolicyStatement(actions=["scheduler:ListSchedules"], resources=["*"]))
        reconcile.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:GetObjectVersion"],
                resources=[self.bucket.arn_for_objects(self.props.jobs_key)],
            )
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

    # --- Observability --------------------------------------------------------------
    def metric(self, name: str, statistic: str = "Sum", period: Duration | None = None) -> cw.Metric:
        """A cron-adapter EMF metric as Powertools publishes it (namespace + service)."""
        return cw.Metric(
            namespace=c.METRICS_NAMESPACE,
            metric_name=name,
            # Powertools adds the service dimension; the handlers use constants.SERVICE_NAME.
            dimensions_map={"service": c.SERVICE_NAME},
            statistic=statistic,
            period=period or Duration.minutes(5),
        )

    def _alarm(
        self, construct_id: str, metric: cw.IMetric, description: str, threshold: float = 1, periods: int = 1
    ) -> cw.Alarm:
        alarm = cw.Alarm(
            self,
            construct_id,
            metric=metric,
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=periods,
            datapoints_to_alarm=periods,  # every evaluated period must breach
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.alarm_topic))
        alarm.add_ok_action(cw_actions.SnsAction(self.alarm_topic))
        return alarm

    def _alarms(self) -> dict[str, cw.Alarm]:
        five = Duration.minutes(5)
        alarms = {
            "ClaimError": self._alarm(
                "ClaimErrorAlarm",
                self.metric(c.METRIC_CLAIM_ERROR),
                "A fire could not claim its run (DynamoDB error)",
            ),
            "TargetFailed": self._alarm(
                "TargetFailedAlarm",
                self.metric(c.METRIC_TARGET_FAILED),
                "A job's target failed after retries",
            ),
            "MissedRun": self._alarm(
                "MissedRunAlarm",
                self.metric(c.METRIC_MISSED_RUN),
                "An expected fire has no run record",
            ),
            "RunLost": self._alarm(
                "RunLostAlarm",
                self.metric(c.METRIC_LOST),
                "An at-most-once run was lost: its claimer crashed and it was not retried",
            ),
            "ReconcileRejected": self._alarm(
                "ReconcileRejectedAlarm",
                self.metric(c.METRIC_RECONCILE_REJECTED),
                "An uploaded jobs.json was refused; nothing was applied",
            ),
            "ReconcileFailed": self._alarm(
                "ReconcileFailedAlarm",
                self.metric(c.METRIC_RECONCILE_FAILED),
                "A reconcile failed while applying its plan",
            ),
            "DeadLetters": self._alarm(
                "DeadLetterAlarm",
                self.dlq.metric_approximate_number_of_messages_visible(statistic="Maximum", period=five),
                "Failed deliveries are waiting in the dead-letter queue",
            ),
        }  # fmt: skip
        for label, function in (("Fire", self.fire_function), ("Reconcile", self.reconcile_function)):
            alarms[f"{label}Errors"] = self._alarm(
                f"{label}ErrorsAlarm", function.metric_errors(period=five), f"The {label.lower()} Lambda raised"
            )
        alarms["FireThrottles"] = self._alarm(
            "FireThrottlesAlarm", self.fire_function.metric_throttles(period=five), "The fire Lambda was throttled"
        )
        # Reserved concurrency 1 throttles an upload that races a drift repair; Lambda
        # retries those, so only sustained throttling (3 of 3 periods) is worth a page.
        alarms["ReconcileThrottles"] = self._alarm(
            "ReconcileThrottlesAlarm",
            self.reconcile_function.metric_throttles(period=five),
            "The reconcile Lambda is persistently throttled",
            periods=3,
        )
        return alarms

    def _dashboard(self) -> cw.Dashboard:
        m = self.metric
        dashboard = cw.Dashboard(self, "Dashboard", default_interval=Duration.days(1))
        dashboard.add_widgets(
            cw.GraphWidget(
                title="Fires",
                left=[m(c.METRIC_CLAIMED), m(c.METRIC_DUPLICATE), m(c.METRIC_CLAIM_ERROR)],
                right=[m(c.METRIC_SKIPPED_OVERLAP), m(c.METRIC_LOST), m(c.METRIC_MISSED_RUN)],
                width=12,
            ),
            cw.GraphWidget(
                title="Targets",
                left=[m(c.METRIC_TARGET_SUCCEEDED), m(c.METRIC_TARGET_FAILED), m(c.METRIC_GONE)],
                right=[m(c.METRIC_TARGET_LATENCY, "p50"), m(c.METRIC_TARGET_LATENCY, "p99")],
                width=12,
            ),
        )
        dashboard.add_widgets(
            cw.GraphWidget(
                title="Reconcile actions",
                left=[
                    m(c.METRIC_RECONCILE_CREATED),
                    m(c.METRIC_RECONCILE_UPDATED),
                    m(c.METRIC_RECONCILE_DELETED),
                    m(c.METRIC_DRIFT_REPAIRED),
                ],
                right=[m(c.METRIC_RECONCILE_REJECTED), m(c.METRIC_RECONCILE_FAILED), m(c.METRIC_RECONCILE_CONTENDED)],
                width=12,
            ),
            cw.GraphWidget(
                title="Lambdas and dead letters",
                left=[
                    self.fire_function.metric_errors(),
                    self.fire_function.metric_throttles(),
                    self.reconcile_function.metric_errors(),
                    self.reconcile_function.metric_throttles(),
                ],
                right=[self.dlq.metric_approximate_number_of_messages_visible(statistic="Maximum")],
                width=12,
            ),
        )
        dashboard.add_widgets(cw.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms.values()), width=24))
        return dashboard
