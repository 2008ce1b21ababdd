"""cdk-nag (AwsSolutions) acknowledgements, each scoped as tightly as the finding allows.

cdk-nag 3 reports through CDK's policy-validation plugins, so a finding that is not
acknowledged fails ``cdk synth``/``cdk deploy`` (and the infra tests).

An IAM5 finding names only the wildcard resource, not the statement, so an acknowledgement
on a whole role would also cover any *later* statement on the same resource (``s3:GetObject``
on ``*`` would pass). Each justified wildcard statement therefore lives in an ``iam.Policy``
of its own (:func:`justified_statement`), the acknowledgement sits on that policy only,
and a validation fails the synth if anything else is added to it. A wildcard added
anywhere else, such as a role's default policy, fails the gate.
"""

from __future__ import annotations

import jsii
from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct, IValidation

PACK = "AwsSolutions::AwsSolutions"
BASIC_EXECUTION = "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]"

# reason key -> reason.
REASONS: dict[str, str] = {
    "S1": (
        "The bucket holds one small config object (jobs.json); every change is versioned and "
        "each upload is recorded by the reconcile's own logs. A separate access-log bucket would "
        "add a resource and cost without adding an audit trail CloudTrail cannot give."
    ),
    "SMG4": (
        "The secret is shared with external targets, which must learn a new value before the "
        "old one stops working; the fire path accepts current + previous for exactly that, "
        "but rotation is an operator-driven procedure (see docs/deploy.md), not a blind schedule."
    ),
    "SMG4-input-key": (
        "Rotating the input-signing key rewrites every schedule (the next reconcile signs them "
        "anew) while the fire path still accepts current + previous; it is an operator-driven "
        "procedure (see docs/deploy.md), not a blind schedule."
    ),
    "SQS3": "This queue IS the dead-letter queue of the scheduler, the Lambdas and the drift rule.",
    "basic-execution": (
        "AWSLambdaBasicExecutionRole only grants CloudWatch Logs writes (CreateLogGroup, "
        "CreateLogStream, PutLogEvents); it is the AWS-maintained minimum for any Lambda."
    ),
    "xray": (
        "xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level "
        "permissions; this policy holds exactly that one statement (active tracing)."
    ),
    "list-schedules": (
        "scheduler:ListSchedules supports no resource-level permissions "
        "(https://docs.aws.amazon.com/service-authorization/latest/reference/"
        "list_amazoneventbridgescheduler.html); this policy holds exactly that one statement."
    ),
    "schedules": (
        "Scoped to the schedules of the one group the adapter owns (schedule/<group>/*); "
        "schedule names are derived from job ids at runtime, so they cannot be listed here."
    ),
    "L1": (
        "The runtime is pinned (CronAdapterProps.python_version) because the bundled wheels "
        "(pydantic-core) are compiled for exactly that CPython ABI; docs/deploy.md records why "
        "this version; upgrading is a deliberate, tested prop change."
    ),
    "cdk-singleton": (
        "CDK's own custom-resource provider (S3 notifications / auto-delete objects); it only "
        "needs to write its logs, which AWSLambdaBasicExecutionRole grants and nothing more."
    ),
}


def acknowledge(scope: IConstruct, finding: str, reason_key: str) -> None:
    """Acknowledge one AwsSolutions finding (``S1``, ``IAM5[Resource::*]``) on ``scope``."""
    Validations.of(scope).acknowledge(Acknowledgment(id=f"{PACK}-{finding}", reason=REASONS[reason_key]))


@jsii.implements(IValidation)
class _SingleStatement:
    """Fails the synth if a justified policy holds more than the statement it was made for."""

    def __init__(self, policy: iam.Policy) -> None:
        self._policy = policy

    def validate(self) -> list[str]:
        count = self._policy.document.statement_count
        if count == 1:
            return []
        return [f"{self._policy.node.path} must hold exactly its one justified statement, not {count}"]


def justified_statement(
    scope: Construct, construct_id: str, role: iam.IRole, statement: iam.PolicyStatement, *, finding: str, reason: str
) -> iam.Policy:
    """Attach ``statement`` to ``role`` in a policy of its own, with ``finding`` acknowledged there only."""
    policy = iam.Policy(scope, construct_id, statements=[statement])
    policy.attach_to_role(role)
    acknowledge(policy, finding, reason)
    policy.node.add_validation(_SingleStatement(policy))
    return policy


def acknowledge_cdk_singletons(scope: Construct) -> None:
    """CDK's stack-level providers: the S3 notifications handler and the auto-delete provider."""
    for child in Stack.of(scope).node.children:
        if child.node.id.startswith(("BucketNotificationsHandler", "Custom::S3AutoDeleteObjects")):
            acknowledge(child, BASIC_EXECUTION, "cdk-singleton")
