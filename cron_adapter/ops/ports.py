"""Ports of the operations code: run records, the schedule group, notifications.

Adapters: ``cron_adapter.adapters.runs`` (DynamoDB), ``.scheduleview`` (EventBridge
Scheduler), ``.notify`` (SNS). Tests use in-memory fakes run through the same contract suite.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cron_adapter.ops.records import JobState, Marker, RunRecord


@dataclass(frozen=True)
class Listed:
    """One schedule as ListSchedules shows it."""

    name: str
    state: str | None
    created: datetime | None
    modified: str


class RunStore(Protocol):
    """The run records and markers of the one table."""

    def markers(self) -> dict[str, Marker]:
        """Every EXHAUSTED item, by job id (one Query for the whole deployment)."""

    def records(self, job_id: str, since: str, until: str) -> list[RunRecord]:
        """The job's run records with keys in ``[since, until]``, ascending."""

    def recent(self, job_id: str, n: int) -> list[RunRecord]:
        """The job's ``n`` newest run records, newest first."""

    def state(self, job_id: str) -> JobState:
        """The job's STATE item (an empty state if it never ran)."""

    def record_missed(self, job_id: str, run: str, now: float, ttl: int, catch_up_at: float | None) -> bool:
        """Write ``missed`` if no record exists; False when one does (the run happened after all)."""

    def close_lost(self, record: RunRecord, now: float, catch_up_at: float | None) -> bool:
        """Close a stale claim as ``lost``; False if it moved on (finished or taken over)."""

    def pause(self, job_id: str, spec_hash: str, streak_from: str, now: float) -> bool:
        """Write the pause marker and the streak reset point; False if a marker exists."""

    def resume(self, job_id: str) -> bool:
        """Remove a pause marker; False when the job is not paused (an exhausted job stays stopped)."""


class ScheduleView(Protocol):
    """The schedule group, read and switched on/off."""

    def listed(self) -> dict[str, Listed]:
        """Every schedule of the group, by name."""

    def deployed(self) -> set[str]:
        """Names the adapter has written (the reconcile ledger), listed or not."""

    def set_state(self, names: tuple[str, ...], state: str) -> list[str]:
        """Enable or disable these schedules; the names actually switched."""


class Notifier(Protocol):
    """The alarm topic (SNS in production)."""

    def notify(self, subject: str, message: str) -> None:
        """Publish one message."""
