"""Reconcile Lambda: S3 upload / S3-via-EventBridge / SQS-wrapped S3 / periodic drift repair.

Thin: parse the trigger, run the app built once per warm container, emit metrics. A run
that stops near the deadline raises DeadlineReached after saving its progress, so
Lambda's asynchronous retry (and the next periodic run) continues it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from cron_adapter import constants as c
from cron_adapter.bootstrap.metric_scope import scope_metrics
from cron_adapter.bootstrap.reconcile import build_reconcile_app
from cron_adapter.errors import DeadlineReached
from cron_adapter.reconcile.app import Outcome, ReconcileApp
from cron_adapter.reconcile.triggers import parse_trigger
from cron_adapter.reconcile_settings import ReconcileSettings

logger = Logger(service=c.SERVICE_NAME)
metrics = Metrics(namespace=c.METRICS_NAMESPACE)  # scoped to the deployment per invocation

_COUNTS = {
    "created": c.METRIC_RECONCILE_CREATED,
    "updated": c.METRIC_RECONCILE_UPDATED,
    "deleted": c.METRIC_RECONCILE_DELETED,
    "drift_repaired": c.METRIC_DRIFT_REPAIRED,
}
MAX_UNSCHEDULED_LOGGED = 50  # one line per job, bounded: the outcome line carries them all
_STATUS = {
    "rejected": c.METRIC_RECONCILE_REJECTED,
    "refused": c.METRIC_RECONCILE_REJECTED,
    "contended": c.METRIC_RECONCILE_CONTENDED,
}


@lru_cache(maxsize=1)
def app() -> ReconcileApp:
    """The app, built once per warm container from the environment."""
    return build_reconcile_app(ReconcileSettings.from_env())


def _emit(outcome: Outcome) -> None:
    # Only non-zero counts: a custom metric is billed for every month it is published, so
    # an hourly drift repair that finds nothing must publish nothing.
    for key, name in _COUNTS.items():
        if outcome.counts.get(key):
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=outcome.counts[key])
    if outcome.status in _STATUS:
        metrics.add_metric(name=_STATUS[outcome.status], unit=MetricUnit.Count, value=1)
    if outcome.failed:
        metrics.add_metric(name=c.METRIC_RECONCILE_FAILED, unit=MetricUnit.Count, value=1)
    if outcome.new_unscheduled:  # each job once, not on every reconcile it stays out
        metrics.add_metric(name=c.METRIC_JOB_UNSCHEDULED, unit=MetricUnit.Count, value=outcome.new_unscheduled)
    for problem in outcome.unscheduled[:MAX_UNSCHEDULED_LOGGED]:
        logger.warning("job left unscheduled", extra={"job_id": problem.job_id, "reason": problem.message})


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Reconcile the schedule group onto the current jobs file."""
    scope_metrics(metrics)
    settings = app().settings
    trigger = parse_trigger(event, settings.bucket, settings.jobs_key)
    if trigger.kind == "ignored":
        logger.info("event ignored", extra={"reason": trigger.detail})
        return {"status": "ignored", "detail": trigger.detail}
    try:
        outcome = app().run(trigger, remaining=lambda: context.get_remaining_time_in_millis() / 1000)
    except Exception:
        metrics.add_metric(name=c.METRIC_RECONCILE_FAILED, unit=MetricUnit.Count, value=1)
        logger.exception("reconcile failed", extra={"trigger": trigger.kind})
        raise
    _emit(outcome)
    level = logger.warning if outcome.status in ("rejected", "refused", "partial", "no-jobs-file") else logger.info
    level("reconcile " + outcome.status, extra=outcome.as_dict())
    if outcome.status == "partial" and not outcome.failed:
        raise DeadlineReached(outcome.detail)
    return outcome.as_dict()
