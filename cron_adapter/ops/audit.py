"""The missed-run audit of one job, as a pure decision: ``audit_job(...) -> JobAudit``.

For every expected fire (:mod:`cron_adapter.ops.expected`) the audit looks for the run
record of that exact time. None means EventBridge never delivered it (schedule deleted or
disabled outside the adapter, throttling, an outage): the time is ``missed``. A record still
``claimed`` after its lease means the claimer crashed and no retry finished it. An
at-least-once run is then taken over (``redeliver``): delivered again under its own run key,
as EventBridge would, while its time is within EventBridge's own retry window (an hour).
Lambda retries a crashed invocation while the lease is still live, so that retry finds a
duplicate and ends; nothing else would call the run again. Any other stale claim is ``lost``.
Anything else (even ``failed``) means the fire path handled it. The shell then records each
finding conditionally, so two overlapping audits record and notify it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cron_adapter.fire.input import iso_utc
from cron_adapter.jobs.model import Job
from cron_adapter.ops.catchup import due_catch_ups, plan_catch_up
from cron_adapter.ops.expected import expected_fires, job_window
from cron_adapter.ops.records import JobState, Marker, RunRecord
from cron_adapter.ops.streak import failure_streak, should_pause
from cron_adapter.reconcile.request_fields import DELIVERY_MAX_EVENT_AGE_SECONDS

REDELIVER_WITHIN = timedelta(seconds=DELIVERY_MAX_EVENT_AGE_SECONDS)  # as long as EventBridge retries


@dataclass(frozen=True)
class AuditConfig:
    """How far back an audit looks, and how long a fire may be late before it counts as missed."""

    lookback: timedelta = timedelta(hours=2)
    grace: timedelta = timedelta(minutes=10)
    create_grace: timedelta = timedelta(0)  # reconcile's hold on a new schedule's first fire


@dataclass(frozen=True)
class JobFacts:
    """What the shell read for one job: its records (ascending), state, marker and schedule facts."""

    records: Sequence[RunRecord] = ()
    recent: Sequence[RunRecord] = ()  # newest first, for the failure streak
    state: JobState = field(default_factory=JobState)
    marker: Marker | None = None
    live_since: datetime | None = None
    anchor: datetime | None = None


@dataclass(frozen=True)
class JobAudit:
    """The findings and actions for one job."""

    job_id: str
    missed: tuple[str, ...] = ()  # scheduled times with no record
    lost: tuple[RunRecord, ...] = ()  # claims whose claimer crashed, not to be called again
    redeliver: tuple[RunRecord, ...] = ()  # at-least-once claims whose claimer crashed: take over
    catch_up_at: dict[str, float] = field(default_factory=dict)  # run -> when to fire it again
    catch_ups: tuple[RunRecord, ...] = ()  # recorded misses whose catch-up is due now
    streak: int = 0
    pause: bool = False

    @property
    def findings(self) -> tuple[str, ...]:
        """Every missed or lost time, ascending."""
        return tuple(sorted((*self.missed, *(r.run for r in self.lost))))


def audit_job(job: Job, facts: JobFacts, now: datetime, config: AuditConfig = AuditConfig()) -> JobAudit:
    """Compare the job's expected fires in its window with its run records."""
    window = job_window(job, now, config.lookback, config.grace)
    expected = expected_fires(
        job,
        window,
        anchor=facts.anchor,
        live_since=facts.live_since,
        marker=facts.marker,
        runs=facts.state.runs,
        records=facts.records,
    )
    seen = {r.run for r in facts.records}
    missed_times = [t for t in expected if iso_utc(t) not in seen]
    stale = [r for r in facts.records if r.label is None and r.stale(now.timestamp()) and r.scheduled < window.end]
    again = job.delivery == "at-least-once"
    redeliver = tuple(r for r in stale if again and now - r.scheduled <= REDELIVER_WITHIN)
    lost = tuple(r for r in stale if r not in redeliver)
    # At most once: a lost run may have called the target, so it is never caught up either.
    plan = plan_catch_up(job, [*missed_times, *(r.scheduled for r in lost if again)], now)
    streak = failure_streak(facts.recent, facts.state.streak_from)
    return JobAudit(
        job.id,
        tuple(iso_utc(t) for t in missed_times),
        lost,
        redeliver,
        {iso_utc(t): at for t, at in plan.items()},
        tuple(due_catch_ups(facts.records, now.timestamp())) if job.catch_up != "none" else (),
        streak,
        should_pause(job, streak, facts.marker),
    )
