"""Catch-up policies: which missed times the auditor fires again, and when.

Decided once, when the auditor records the misses: each chosen time gets a ``catch_up_at``
(epoch seconds) on its ``missed`` record. Every audit then fires the records whose moment
has come, through the fire path, under the run key ``<time>~catch-up``; two audits that
overlap claim that same key, so each time is caught up at most once::

    none    nothing
    latest  the most recent missed time, now
    all     every missed time inside catch_up_window, now (oldest first)
    spread  the same times, one every catch_up_window / n seconds, starting now
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from cron_adapter.fire.input import CATCH_UP_LABEL
from cron_adapter.jobs.model import Job
from cron_adapter.ops.records import RunRecord

__all__ = ["CATCH_UP_LABEL", "catch_up_key", "due_catch_ups", "plan_catch_up"]
MAX_CATCH_UP = 100  # per job and decision: "all" over a long outage stays bounded
CATCH_UP_STATUSES = frozenset({"missed", "lost"})


def catch_up_key(run: str) -> str:
    """The run key a catch-up of ``run`` (a scheduled time) is claimed under."""
    return f"{run}~{CATCH_UP_LABEL}"


def plan_catch_up(job: Job, missed: Sequence[datetime], now: datetime) -> dict[datetime, float]:
    """When to fire each chosen missed time (epoch seconds), per the job's policy."""
    horizon = now - timedelta(minutes=job.catch_up_window)
    recent = sorted(t for t in missed if t >= horizon)[-MAX_CATCH_UP:]
    start = now.timestamp()
    if job.catch_up == "none" or not recent:
        return {}
    if job.catch_up == "latest":
        return {recent[-1]: start}
    if job.catch_up == "all":
        return {t: start for t in recent}
    gap = job.catch_up_window * 60 / len(recent)  # spread
    return {t: start + i * gap for i, t in enumerate(recent)}


def due_catch_ups(records: Iterable[RunRecord], now: float) -> list[RunRecord]:
    """Missed/lost records whose catch-up moment has come and that no catch-up run claimed yet.

    None while one of the job's catch-ups is in flight (claimed, lease not over): whoever runs
    it goes on oldest first, and a second catch-up started beside it would be skipped by the
    job's overlap policy and so never run.
    """
    records = list(records)
    if any(r.label == CATCH_UP_LABEL and r.status == "claimed" and (r.lease_until or 0) > now for r in records):
        return []
    done = {r.run for r in records if r.label == CATCH_UP_LABEL}
    due = [
        r
        for r in records
        if r.label is None
        and r.status in CATCH_UP_STATUSES
        and r.catch_up_at is not None
        and r.catch_up_at <= now
        and catch_up_key(r.run) not in done
    ]
    return sorted(due, key=lambda r: (r.catch_up_at or 0, r.run))
