"""Scope a handler's Powertools ``Metrics`` to its deployment when it runs, not when imported.

Powertools reads ``POWERTOOLS_SERVICE_NAME`` (the ``service`` dimension) and
``POWERTOOLS_METRICS_NAMESPACE`` once, in ``Metrics()``. A handler module imported before
its environment is set (a test, ``cron-adapter dev``, a warm container whose environment a
harness fills later) would otherwise publish with no dimension at all, and no alarm
would ever see those metrics. The stack sets the service to the deployment's name, so
each deployment's alarms see only its own metrics.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from aws_lambda_powertools import Metrics

from cron_adapter.constants import ENV_POWERTOOLS_NAMESPACE, ENV_POWERTOOLS_SERVICE, METRICS_NAMESPACE, SERVICE_NAME


def scope_metrics(metrics: Metrics, env: Mapping[str, str] | None = None) -> None:
    """Set the namespace and ``service`` dimension from the environment as it is now."""
    env = os.environ if env is None else env
    metrics.provider.namespace = env.get(ENV_POWERTOOLS_NAMESPACE) or METRICS_NAMESPACE
    metrics.provider.service = env.get(ENV_POWERTOOLS_SERVICE) or SERVICE_NAME
