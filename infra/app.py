#!/usr/bin/env python3
"""CDK entry point: ``cdk deploy`` from this directory deploys the whole of cron-adapter.

Context (``-c key=value``, or ``"context"`` in cdk.json) sets :class:`CronAdapterProps` without
code; docs/deploy.md has the table of keys, defaults and meanings. ``stackName``, ``groupName``,
``jobsKey``, ``architecture``, ``pythonVersion``, ``fireMemoryMb``, ``fireReservedConcurrency``,
``hmac``, ``tracing``, ``dashboard`` (true/false), ``removalPolicy`` (retain/destroy),
``driftRepairMinutes``, ``runRetentionDays``, ``schedulerTps``, ``maxDeleteShare``, ``baseUrl``,
``storeFormat``, ``storeTimezone``, ``jwtAudience``, ``jwtIssuer`` (empty: no ``iss``), and the
lists ``jwtAllowedAudiences``, ``jwtAllowedIssuers`` (empty: only the stack's own) and
``allowedCidrs``, each comma-separated or a JSON list. An empty value keeps the default, except
for ``jwtIssuer`` and the lists. Bad values stop the app with one line each naming the key, the
value and the fix (``cron_adapter_infra/context.py``; exit status 1, no traceback). Other keys are CDK's
(feature flags), but one differing from ours only in case, ``_`` or ``-`` gets a warning.
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
from cron_adapter_infra import CronAdapterStack  # noqa: E402
from cron_adapter_infra.context import KEYS, ContextError, parse_context, props_from_context, typo_warnings  # noqa: E402

__all__ = ["KEYS", "ContextError", "main", "parse_context", "props_from_context", "typo_warnings"]


def main() -> None:
    """Synthesize the stack, with cdk-nag's AwsSolutions pack as a gate."""
    app = cdk.App()
    try:
        props = props_from_context(app)
        stack_name = str(app.node.try_get_context("stackName") or "CronAdapter")  # checked by now
    except ContextError as exc:
        raise SystemExit("\n".join(f"cron-adapter: {line}" for line in str(exc).splitlines())) from None
    env = None
    if os.environ.get("CDK_DEFAULT_ACCOUNT"):
        env = cdk.Environment(account=os.environ["CDK_DEFAULT_ACCOUNT"], region=os.environ.get("CDK_DEFAULT_REGION"))
    CronAdapterStack(
        app,
        stack_name,
        props=props,
        env=env,
        description="cron-adapter: scale-to-zero cron on Amazon EventBridge Scheduler",
    )
    # cdk-nag 3 is a CDK validation plugin: an unacknowledged finding fails the synth.
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    app.synth()


if __name__ == "__main__":
    main()
