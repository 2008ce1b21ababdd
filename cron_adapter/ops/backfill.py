"""Which scheduled times of a range ``backfill`` fires, and under which key (pure).

A time with no record is fired as itself (its claim dedupes with any late delivery); a time
the audit recorded ``missed`` or ``lost`` is fired as ``<time>~catch-up``, the key the
auditor's catch-up claims too, so the two never both run it; anything else already ran.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cron_adapter.errors import CronAdapterError
from cron_adapter.fire.input import iso_utc
from cron_adapter.jobs.model import Job
from cron_adapter.ops.catchup import CATCH_UP_LABEL, CATCH_UP_STATUSES, catch_up_key
from cron_adapter.ops.expected import Window, expected_fires
from cron_adapter.ops.records import RunRecord

MAX_BACKFILL = 500


@dataclass(frozen=True)
class BackfillItem:
    """One scheduled time: fire it (``label`` None = as itself) or skip it (``ran`` = its status)."""

    time: datetime
    fire: bool
    label: str | None = None
    ran: str | None = None


def plan_backfill(job: Job, start: datetime, end: datetime, records: Sequence[RunRecord]) -> list[BackfillItem]:
    """The job's scheduled times in [start, end) and what backfill does with each."""
    # A paused job still has scheduled times; backfilling them is the operator's call.
    times = expected_fires(job._replace(enabled=True), Window(start, end))
    if len(times) >= MAX_BACKFILL:
        raise CronAdapterError(
            f"job {job.id!r} has {MAX_BACKFILL} or more scheduled times in that range; narrow --from/--to"
        )
    by_run = {r.run: r for r in records}
    out = []
    for t in times:
        key = iso_utc(t)
        record = by_run.get(key)
        if record is None:
            out.append(BackfillItem(t, True))
        elif record.status in CATCH_UP_STATUSES and catch_up_key(key) not in by_run:
            out.append(BackfillItem(t, True, CATCH_UP_LABEL))
        else:
            done = by_run.get(catch_up_key(key), record)
            out.append(BackfillItem(t, False, ran=done.status))
    return out
