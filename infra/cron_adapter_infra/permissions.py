"""Least privilege: explicit actions, each scoped to the one resource it needs.

Every action listed here is one a handler calls (see the adapters named beside each), so
a new AWS call in the runtime needs a line here, and ``tests/infra`` pins the exact sets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from cron_adapter_infra.nag import justified_statement

if TYPE_CHECKING:
    from cron_adapter_infra.construct import CronAdapter

# adapters/claims.py: put_item / update_item, and transact_write_items made of Put + Update
# + ConditionCheck (claim_late.py: a late delivery over "missed" and a catch-up each check the
# other's row; a ConditionCheck needs its own action); adapters/claim_steps.py: delete_item of
# its own run row when the overlap slot refuses a claim.
FIRE_TABLE_ACTIONS = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem")
# adapters/ledger.py, ratelimit.py: key lookups, writes, batch writes and Query on one
# partition. No Scan: every access pattern is a key lookup or a Query.
RECONCILE_TABLE_ACTIONS = (
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
# adapters/schedule_control.py: a finished job's schedule is deleted, nothing else.
FIRE_SCHEDULE_ACTIONS = ("scheduler:DeleteSchedule",)
# adapters/scheduler.py.
RECONCILE_SCHEDULE_ACTIONS = (
    "scheduler:CreateSchedule",
    "scheduler:UpdateSchedule",
    "scheduler:DeleteSchedule",
    "scheduler:GetSchedule",
)
# Reconcile checks its group exists before writing and recreates it after an out-of-band deletion.
GROUP_ACTIONS = ("scheduler:GetScheduleGroup", "scheduler:CreateScheduleGroup")


def grant_scheduler_role(adapter: CronAdapter) -> None:
    """The role schedules run as: invoke the fire function, dead-letter to the DLQ."""
    role = adapter.scheduler_role
    role.add_to_policy(
        iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[adapter.fire_function.function_arn])
    )
    role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[adapter.dlq.queue_arn]))


def grant_fire(adapter: CronAdapter) -> None:
    """Fire: write its claim and run, read the target secret and the input key, delete a finished job's schedule."""
    fire = adapter.fire_function
    fire.add_to_role_policy(iam.PolicyStatement(actions=list(FIRE_TABLE_ACTIONS), resources=[adapter.table.table_arn]))
    fire.add_to_role_policy(
        iam.PolicyStatement(
            actions=["secretsmanager:GetSecretValue"],
            resources=[adapter.secret.secret_arn, adapter.token_key.secret_arn, adapter.input_key.secret_arn],
        )
    )
    _schedules_statement(adapter, "Fire", fire, FIRE_SCHEDULE_ACTIONS)


def grant_reconcile(adapter: CronAdapter) -> None:
    """Reconcile: the ledger, the group and its schedules, pass the scheduler role, read jobs.json and the input key."""
    reconcile = adapter.reconcile_function
    reconcile.add_to_role_policy(
        iam.PolicyStatement(actions=list(RECONCILE_TABLE_ACTIONS), resources=[adapter.table.table_arn])
    )
    reconcile.add_to_role_policy(  # it signs every schedule's input
        iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[adapter.input_key.secret_arn])
    )
    grant_pass_scheduler_role(adapter, reconcile)
    _schedules_statement(adapter, "Reconcile", reconcile, RECONCILE_SCHEDULE_ACTIONS)
    reconcile.add_to_role_policy(iam.PolicyStatement(actions=list(GROUP_ACTIONS), resources=[adapter.group_arn]))
    grant_list_schedules(adapter, "Reconcile", reconcile)
    grant_jobs_read(adapter, reconcile, ("s3:GetObject", "s3:GetObjectVersion"))


def grant_pass_scheduler_role(adapter: CronAdapter, function: lambda_.Function) -> None:
    """Create/UpdateSchedule carry the scheduler role's ARN, which needs PassRole (to the scheduler only)."""
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=["iam:PassRole"],
            resources=[adapter.scheduler_role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
        )
    )


def grant_list_schedules(adapter: CronAdapter, label: str, function: lambda_.Function) -> None:
    """ListSchedules has no resource-level permissions: its own acknowledged policy."""
    assert function.role is not None
    justified_statement(
        adapter,
        f"{label}ListSchedulesPolicy",
        function.role,
        iam.PolicyStatement(actions=["scheduler:ListSchedules"], resources=["*"]),
        finding="IAM5[Resource::*]",
        reason="list-schedules",
    )


def grant_jobs_read(adapter: CronAdapter, function: lambda_.Function, object_actions: tuple[str, ...]) -> None:
    """Read the jobs object (``object_actions``), and list only its key (see below)."""
    key = adapter.props.jobs_key
    function.add_to_role_policy(
        iam.PolicyStatement(actions=list(object_actions), resources=[adapter.bucket.arn_for_objects(key)])
    )
    # Without ListBucket, S3 answers a missing key with 403 instead of 404 NoSuchKey; the
    # condition lets the function list only the jobs key's own prefix, nothing else.
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=["s3:ListBucket"],
            resources=[adapter.bucket.bucket_arn],
            conditions={"StringEquals": {"s3:prefix": key}},
        )
    )


def _schedules_statement(
    adapter: CronAdapter, label: str, function: lambda_.Function, actions: tuple[str, ...]
) -> None:
    """Schedule actions on schedule/<group>/* (the one justified resource wildcard per role)."""
    role = function.role
    assert role is not None
    justified_statement(
        adapter,
        f"{label}SchedulesPolicy",
        role,
        iam.PolicyStatement(actions=list(actions), resources=[adapter.schedules_arn]),
        finding=f"IAM5[Resource::{schedules_finding(adapter.group_name)}]",
        reason="schedules",
    )


def schedules_finding(group_name: str) -> str:
    """How cdk-nag spells the schedules ARN in its IAM5 finding id."""
    return f"arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/{group_name}/*"
