"""cdk-nag (AwsSolutions) acknowledgements, each with the reason it is acceptable here.

cdk-nag 3 reports through CDK's policy-validation plugins, so a finding that is not
acknowledged fails ``cdk synth``/``cdk deploy`` (and the infra tests). Each
acknowledgement below names one finding (``AwsSolutions-IAM5[Resource::...]``), never a
whole rule, so a new wildcard still fails the gate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Acknowledgment, Stack, Validations
from constructs import IConstruct

if TYPE_CHECKING:
    from cron_adapter_infra.construct import CronAdapter

PACK = "AwsSolutions::AwsSolutions"
BASIC_EXECUTION = "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]"

# rule id (after the pack prefix) -> reason; applied per resource below.
REASONS: dict[str, str] = {
    "S1": (
        "The bucket holds one small config object (jobs.json); every change is versioned and "
        "each upload is recorded by the reconcile's own logs. A separate access-log bucket would "
        "add a resource and cost without adding an audit trail CloudTrail cannot give."
    ),
    "SMG4": (
        "The secret is shared with external targets, which must learn a new value before the "
        "old one stops working; the fire path accepts current + previous for exactly that, "
        "but rotation is an operator-driven procedure (see README), not a blind schedule."
    ),
    "SQS3": "This queue IS the dead-letter queue of the scheduler, the Lambdas and the drift rule.",
    BASIC_EXECUTION: (
        "AWSLambdaBasicExecutionRole only grants CloudWatch Logs writes (CreateLogGroup, "
        "CreateLogStream, PutLogEvents); it is the AWS-maintained minimum for any Lambda."
    ),
    "IAM5[Resource::*]": (
        "Only for actions without resource-level permissions: xray:PutTraceSegments/"
        "PutTelemetryRecords (active tracing) and scheduler:ListSchedules "
        "(https://docs.aws.amazon.com/service-authorization/latest/reference/"
        "list_amazoneventbridgescheduler.html). No data-plane action is granted on '*'."
    ),
    "IAM5[schedules]": (
        "Scoped to the schedules of the one group the adapter owns (schedule/<group>/*); "
        "schedule names are derived from job ids at runtime, so they cannot be listed here."
    ),
    "L1": (
        "The runtime is pinned (CronAdapterProps.python_version, default 3.12) because the "
        "bundled wheels (pydantic-core, wrapt) are compiled for exactly that CPython ABI and the "
        "test suite runs on 3.11+; upgrading is a deliberate, tested prop change."
    ),
}


def _ack(scope: IConstruct, finding: str, reason_key: str | None = None) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=f"{PACK}-{finding}", reason=REASONS[reason_key or finding]))


def suppress_findings(adapter: CronAdapter) -> None:
    """Acknowledge the justified findings on the adapter's resources (and the S3 notifier)."""
    schedules = "IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:" + (
        f"schedule/{adapter.props.group_name}/*]"
    )
    _ack(adapter.bucket, "S1")
    _ack(adapter.secret, "SMG4")
    _ack(adapter.dlq, "SQS3")
    for function in (adapter.fire_function, adapter.reconcile_function):
        _ack(function, BASIC_EXECUTION)
        _ack(function, "IAM5[Resource::*]")
        _ack(function, schedules, "IAM5[schedules]")
        _ack(function, "L1")
    # CDK's singleton that applies the bucket's NotificationConfiguration (a custom resource).
    stack = Stack.of(adapter)
    for child in stack.node.children:
        if child.node.id.startswith("BucketNotificationsHandler"):
            Validations.of(child).acknowledge(
                Acknowledgment(
                    id=f"{PACK}-{BASIC_EXECUTION}",
                    reason="CDK's own S3 notification custom resource; it only needs to write its logs. "
                    + REASONS[BASIC_EXECUTION],
                )
            )
