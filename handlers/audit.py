"""Audit Lambda: every few minutes, find expected fires with no run, record them, notify, catch up.

Thin: build the app once per warm container, audit the current jobs file, emit the metrics
(MissedRun and AuditIncomplete drive their alarms), log the report.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from cron_adapter import constants as c
from cron_adapter.bootstrap.audit import AuditApp
from cron_adapter.bootstrap.metric_scope import scope_metrics
from cron_adapter.reconcile_settings import AuditSettings

logger = Logger(service=c.SERVICE_NAME)
metrics = Metrics(namespace=c.METRICS_NAMESPACE)  # scoped to the deployment per invocation


@lru_cache(maxsize=1)
def app() -> AuditApp:
    """The app, built once per warm container from the environment."""
    return AuditApp(AuditSettings.from_env())


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Audit every job of the current jobs file."""
    scope_metrics(metrics)
    report = app().run(
        datetime.now(UTC),
        logger,
        metrics,
        holder=f"audit-{context.aws_request_id}",
        remaining=lambda: context.get_remaining_time_in_millis() / 1000,
    )
    level = logger.warning if report.missed or report.paused or report.errors else logger.info
    level("audit finished", extra=report.as_dict())
    return report.as_dict()
