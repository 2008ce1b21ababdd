"""The fire's effects outside the claim store: its metrics, and stopping an exhausted job's schedules."""

from __future__ import annotations

import logging

from cron_adapter import constants as c
from cron_adapter.errors import CronAdapterError
from cron_adapter.fire.call import CallResult
from cron_adapter.fire.input import FireInput
from cron_adapter.fire.ports import MetricSink, ScheduleControl


class Effects:
    """Counts what one delivery did, and stops the schedules of a job it exhausted.

    A plain class, not a frozen dataclass: on the cold-started fire path a dataclass costs
    about 0.3 ms to create at import (a NamedTuple would shadow ``tuple.count``).
    """

    __slots__ = ("log", "metrics", "schedules")

    def __init__(self, metrics: MetricSink, schedules: ScheduleControl, log: logging.Logger | logging.LoggerAdapter):
        self.metrics, self.schedules, self.log = metrics, schedules, log

    def stop(self, fire: FireInput, reason: str) -> None:
        """Stop the schedules of an exhausted job; a failure is only logged."""
        self.count(c.METRIC_EXHAUSTED)
        self.log.info("job exhausted; stopping its schedules", extra={"job_id": fire.job_id, "reason": reason})
        try:
            self.schedules.stop(fire.job_id, fire.job.schedules or (fire.schedule,))
        except CronAdapterError as exc:  # the marker is written; reconcile will not recreate the job
            self.log.warning(
                "could not stop the schedules of an exhausted job", extra={"job_id": fire.job_id, "error": str(exc)}
            )

    def count_call(self, result: CallResult) -> None:
        """Count a called run by its status, and record how long its calls took."""
        name = {
            "succeeded": c.METRIC_TARGET_SUCCEEDED,
            "accepted": c.METRIC_TARGET_ACCEPTED,
            "gone": c.METRIC_GONE,
        }.get(result.status, c.METRIC_TARGET_FAILED)
        self.count(name)
        self.metrics.add_metric(name=c.METRIC_TARGET_LATENCY, unit="Milliseconds", value=result.duration_ms)

    def count(self, name: str) -> None:
        """Add one to the count metric ``name``."""
        self.metrics.add_metric(name=name, unit="Count", value=1)
