"""The schedule group and what starts a reconcile: a jobs.json upload, and the periodic drift repair."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_scheduler as scheduler

if TYPE_CHECKING:
    from cron_adapter_infra.construct import CronAdapter

# The exact payload the reconcile handler recognises as a periodic drift repair.
DRIFT_REPAIR_INPUT = {"cron-adapter": "drift-repair"}


def schedule_group(adapter: CronAdapter) -> None:
    """The schedule group, its ARNs and the role EventBridge Scheduler assumes to invoke the fire Lambda."""
    stack = Stack.of(adapter)
    adapter.schedule_group = scheduler.ScheduleGroup(
        adapter, "ScheduleGroup", schedule_group_name=adapter.group_name, removal_policy=RemovalPolicy.DESTROY
    )
    adapter.group_arn = stack.format_arn(
        service="scheduler",
        resource="schedule-group",
        resource_name=adapter.group_name,
        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
    )
    adapter.schedules_arn = stack.format_arn(
        service="scheduler",
        resource="schedule",
        resource_name=f"{adapter.group_name}/*",
        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
    )
    adapter.scheduler_role = iam.Role(
        adapter,
        "SchedulerRole",
        description="Assumed by EventBridge Scheduler: invoke the fire function, dead-letter to the DLQ",
        # Confused-deputy guard: only this account's schedules in our group.
        assumed_by=iam.ServicePrincipal(
            "scheduler.amazonaws.com",
            conditions={"StringEquals": {"aws:SourceAccount": stack.account, "aws:SourceArn": adapter.group_arn}},
        ),
    )


def wire_triggers(adapter: CronAdapter) -> None:
    """jobs.json upload -> reconcile; a periodic rule -> drift-repair reconcile."""
    key = adapter.props.jobs_key
    adapter.bucket.add_event_notification(
        s3.EventType.OBJECT_CREATED,
        s3n.LambdaDestination(adapter.reconcile_function),
        s3.NotificationKeyFilter(prefix=key, suffix=key),
    )
    # An EventBridge rule, not a schedule: a schedule in our group would be deleted by
    # the reconcile as a stranger, and scheduled rules cost nothing.
    adapter.drift_rule = events.Rule(
        adapter,
        "DriftRepairRule",
        description="cron-adapter: periodic drift-repair reconcile",
        schedule=events.Schedule.rate(Duration.minutes(adapter.props.drift_repair_minutes)),
        targets=[
            events_targets.LambdaFunction(
                adapter.reconcile_function,
                event=events.RuleTargetInput.from_object(DRIFT_REPAIR_INPUT),
                dead_letter_queue=adapter.dlq,
                retry_attempts=2,
                max_event_age=Duration.hours(1),
            )
        ],
    )
