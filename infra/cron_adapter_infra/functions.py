"""The Lambdas: one shared code asset, and one factory every function goes through.

Each function gets the deployment's runtime and architecture, its own log group, the
dead-letter destination for failed async invocations, and the base environment that
scopes its metrics to this deployment. Adding a Lambda to the construct is one
:class:`FunctionSpec` passed to :meth:`CronAdapter.add_function`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cron_adapter import constants as c
from cron_adapter_infra.nag import justified_statement
from cron_adapter_infra.props import CronAdapterProps

ARCHITECTURES = {"arm64": lambda_.Architecture.ARM_64, "x86_64": lambda_.Architecture.X86_64}
RUNTIMES = {
    "3.12": lambda_.Runtime.PYTHON_3_12,
    "3.13": lambda_.Runtime.PYTHON_3_13,
    "3.14": lambda_.Runtime.PYTHON_3_14,
}
# X-Ray's write actions have no resource-level permissions, hence "*".
XRAY_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
# How long Lambda keeps an asynchronous event of the fire function it could not yet run
# (throttled: the fire's reserved concurrency, the account's limit) before it goes to the dead
# letters: EventBridge Scheduler's own retry window (a test holds the two equal), not Lambda's
# default of 6 hours. A delivery hours late would still claim its run (the audit's ``missed``
# row does not stop it: docs/reliability.md), so it is dropped to the dead-letter alarm instead
# of firing the job hours after its time. The fire handler's time window counts it too.
# The fire spec's; the other functions keep Lambda's default.
FIRE_MAX_EVENT_AGE = Duration.seconds(c.FIRE_MAX_EVENT_AGE_SECONDS)


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda of the construct; everything else comes from the props and the shared asset."""

    label: str
    """Construct-id prefix: ``<label>Function``, ``<label>Logs``."""
    handler: str
    """Entry point inside the asset, e.g. ``handlers.fire.handler`` (keep it in constants)."""
    description: str
    memory_mb: int = 256
    timeout: Duration = field(default_factory=lambda: Duration.minutes(1))
    reserved: int | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    retry_attempts: int = 2
    max_event_age: Duration | None = None
    """How long Lambda keeps an async event it cannot run yet; None: Lambda's 6 hours."""


def make_function(
    scope: Construct,
    spec: FunctionSpec,
    *,
    code: lambda_.Code,
    props: CronAdapterProps,
    dlq: sqs.IQueue,
    base_environment: Mapping[str, str],
) -> lambda_.Function:
    """A Lambda on the shared asset with logs, dead letters, tracing and the base environment."""
    function = lambda_.Function(
        scope,
        f"{spec.label}Function",
        code=code,
        handler=spec.handler,
        environment={**base_environment, **spec.environment},
        # Tracing is switched on below, not here: the L2 would add the X-Ray statement to
        # the role's default policy, where no wildcard may live (see nag.py).
        tracing=lambda_.Tracing.DISABLED,
        **_settings(scope, spec, props, dlq),
    )
    if props.tracing:
        _enable_tracing(scope, spec.label, function)
    return function


def _settings(scope: Construct, spec: FunctionSpec, props: CronAdapterProps, dlq: sqs.IQueue) -> dict[str, Any]:
    """The function's settings a user may override (``lambda_function_props``)."""
    log_group = logs.LogGroup(
        scope, f"{spec.label}Logs", retention=props.log_retention, removal_policy=props.removal_policy
    )
    settings: dict[str, Any] = {
        "description": spec.description,
        "runtime": RUNTIMES[props.python_version],
        "architecture": ARCHITECTURES[props.architecture],
        "memory_size": spec.memory_mb,
        "timeout": spec.timeout,
        "reserved_concurrent_executions": spec.reserved,
        "log_group": log_group,
        # Async invocations (scheduler, S3, EventBridge rules) that still fail after
        # Lambda's own retries land in the DLQ with their request payload.
        "on_failure": destinations.SqsDestination(dlq),
        "retry_attempts": spec.retry_attempts,
    }
    if spec.max_event_age is not None:
        settings["max_event_age"] = spec.max_event_age
    # The user's Lambda settings (VPC, memory, log format, ...) win over the defaults; the
    # wiring (code, handler, environment, tracing) is the construct's and props refuse it.
    settings.update(props.lambda_function_props)
    return settings


def _enable_tracing(scope: Construct, label: str, function: lambda_.Function) -> None:
    """Active X-Ray tracing, with its one wildcard statement in a policy of its own."""
    cfn = function.node.default_child
    assert isinstance(cfn, lambda_.CfnFunction)
    cfn.tracing_config = lambda_.CfnFunction.TracingConfigProperty(mode="Active")
    assert function.role is not None
    justified_statement(
        scope,
        f"{label}TracingPolicy",
        function.role,
        iam.PolicyStatement(actions=list(XRAY_ACTIONS), resources=["*"]),
        finding="IAM5[Resource::*]",
        reason="xray",
    )
