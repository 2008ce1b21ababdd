#!/usr/bin/env python3
"""CDK entry point: ``cdk deploy`` from this directory deploys the whole of cron-adapter.

Context (``-c key=value``) tunes the deployment without code:
``stackName``, ``groupName``, ``jobsKey``, ``architecture``, ``hmac``, ``tracing``,
``dashboard`` (true/false),
``removalPolicy`` (retain/destroy), ``driftRepairMinutes``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for _path in (str(HERE.parent), str(HERE)):  # cron_adapter.constants + cron_adapter_infra
    if _path not in sys.path:
        sys.path.insert(0, _path)

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402
from cron_adapter_infra import CronAdapterProps, CronAdapterStack  # noqa: E402


def props_from_context(app: cdk.App) -> CronAdapterProps:
    """Build props from ``-c`` context values; absent values keep the defaults."""
    get = app.node.try_get_context
    overrides: dict[str, object] = {}
    for key, field in (("groupName", "group_name"), ("jobsKey", "jobs_key"), ("architecture", "architecture")):
        if get(key):
            overrides[field] = str(get(key))
    for key, field in (("hmac", "hmac"), ("tracing", "tracing"), ("dashboard", "dashboard")):
        if get(key) is not None:
            overrides[field] = str(get(key)).lower() == "true"
    if get("driftRepairMinutes"):
        overrides["drift_repair_minutes"] = int(get("driftRepairMinutes"))
    if str(get("removalPolicy") or "retain").lower() == "destroy":
        overrides["removal_policy"] = cdk.RemovalPolicy.DESTROY
    return CronAdapterProps(**overrides)  # type: ignore[arg-type]


def main() -> None:
    """Synthesize the stack, with cdk-nag's AwsSolutions pack as a gate."""
    app = cdk.App()
    env = None
    if os.environ.get("CDK_DEFAULT_ACCOUNT"):
        env = cdk.Environment(account=os.environ["CDK_DEFAULT_ACCOUNT"], region=os.environ.get("CDK_DEFAULT_REGION"))
    CronAdapterStack(
        app,
        str(app.node.try_get_context("stackName") or "CronAdapter"),
        props=props_from_context(app),
        env=env,
        description="cron-adapter: scale-to-zero cron on Amazon EventBridge Scheduler",
    )
    # cdk-nag 3 is a CDK validation plugin: an unacknowledged finding fails the synth.
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    app.synth()


if __name__ == "__main__":
    main()
