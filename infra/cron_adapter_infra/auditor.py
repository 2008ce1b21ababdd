"""The missed-run auditor: its Lambda, its periodic rule, its permissions and dashboard widgets.

The audit Lambda (``handlers/audit.py``) loads the jobs file as reconcile does, reads the
run records, writes ``missed``/``lost`` records and the pause marker, pauses a job's
schedules after a failure streak, publishes to the alarm topic, and fires catch-ups through
the fire service (so it needs the fire path's permissions too). Every action below is one
an adapter it uses calls; ``tests/infra`` pins the set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam

from cron_adapter import constants as c
from cron_adapter_infra.functions import FunctionSpec
from cron_adapter_infra.permissions import (
    _schedules_statement,
    grant_jobs_read,
    grant_list_schedules,
    grant_pass_scheduler_role,
)

if TYPE_CHECKING:
    from aws_cdk import aws_lambda as lambda_

    from cron_adapter_infra.construct import CronAdapter

# adapters/runs.py (Query, GetItem, conditional Put/Update/Delete), adapters/ledger.py
# (Query of the ledger), adapters/claims.py for catch-ups (Put/Update/Delete, and transactions
# whose ConditionCheck guards a catch-up against a late delivery of its time).
AUDIT_TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:Query",
)
# adapters/scheduleview.py: read a schedule and write it back with State changed;
# adapters/schedule_control.py: a catch-up that exhausts a job deletes its schedules.
AUDIT_SCHEDULE_ACTIONS = ("scheduler:GetSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule")
AUDIT_TIMEOUT = Duration.seconds(c.AUDIT_TIMEOUT_SECONDS)


def add_auditor(adapter: CronAdapter, reconcile_env: dict[str, str], fire_env: dict[str, str]) -> lambda_.Function:
    """The audit Lambda with the reconcile's and the fire path's settings, run every few minutes."""
    environment = {**reconcile_env, **fire_env, c.ENV_ALARM_TOPIC_ARN: adapter.alarm_topic.topic_arn}
    function = adapter.add_function(
        FunctionSpec(
            label="Audit",
            description="cron-adapter: find expected fires with no run, notify, catch up, pause failing jobs",
            handler=c.AUDIT_HANDLER,
            memory_mb=512,
            timeout=AUDIT_TIMEOUT,
            reserved=1,  # one audit at a time; the next one's window overlaps
            environment=environment,
            retry_attempts=0,  # the next audit, minutes later, covers the same window
        )
    )
    _grant(adapter, function)
    adapter.audit_rule = events.Rule(
        adapter,
        "AuditRule",
        description="cron-adapter: periodic missed-run audit",
        schedule=events.Schedule.rate(Duration.minutes(c.AUDIT_INTERVAL_MINUTES)),
        targets=[
            events_targets.LambdaFunction(
                function, dead_letter_queue=adapter.dlq, retry_attempts=0, max_event_age=Duration.minutes(15)
            )
        ],
    )
    return function


def _grant(adapter: CronAdapter, function: lambda_.Function) -> None:
    function.add_to_role_policy(
        iam.PolicyStatement(actions=list(AUDIT_TABLE_ACTIONS), resources=[adapter.table.table_arn])
    )
    # Catch-ups fire as the fire Lambda does: the target secret (Bearer/HMAC) and, for
    # ``auth: jwt`` targets, the fire-token key. Not the input key: a catch-up's input is
    # built here, never verified, and only reconcile and fire may sign or check inputs.
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=["secretsmanager:GetSecretValue"],
            resources=[adapter.secret.secret_arn, adapter.token_key.secret_arn],
        )
    )
    function.add_to_role_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=[adapter.alarm_topic.topic_arn]))
    grant_pass_scheduler_role(adapter, function)  # UpdateSchedule carries the scheduler role's ARN
    _schedules_statement(adapter, "Audit", function, AUDIT_SCHEDULE_ACTIONS)
    grant_list_schedules(adapter, "Audit", function)
    grant_jobs_read(adapter, function, ("s3:GetObject",))


def add_audit_widgets(adapter: CronAdapter, function: lambda_.Function) -> None:
    """One dashboard row: what the audits found, and how the audit Lambda itself is doing."""
    if adapter.dashboard is None:
        return
    m = adapter.metric
    adapter.dashboard.add_widgets(
        cw.GraphWidget(
            title="Audit: missed runs and pauses", left=[m(c.METRIC_MISSED_RUN), m(c.METRIC_JOB_PAUSED)], width=12
        ),
        cw.GraphWidget(
            title="Audit Lambda",
            left=[function.metric_errors(), function.metric_throttles()],
            right=[function.metric_duration()],
            width=12,
        ),
    )
