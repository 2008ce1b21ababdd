"""The audit shell: read each job's records, record what was missed, notify, catch up, pause.

Orchestration against ports (:mod:`cron_adapter.ops.ports`), no boto3. Per job::

    read records (1 Query) ─ audit_job (pure) ─ take over crashed at-least-once runs
        ─ record missed/lost (conditional, once)
        ─ MissedRun metric ─ catch-up fires via the fire path ─ pause on a failure streak
        ─ one notification naming the job and its times

The jobs are walked from a start that moves with the audit's time; the ones an audit does
not get through (deadline, AWS error, findings left over) make its ``AuditIncomplete`` figure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from cron_adapter import constants as c
from cron_adapter.errors import CronAdapterError
from cron_adapter.fire.input import FireInput, iso_utc
from cron_adapter.fire.ports import MetricSink
from cron_adapter.jobs.model import Job, JobSet
from cron_adapter.ops.audit import AuditConfig, JobAudit, JobFacts, audit_job
from cron_adapter.ops.budget import FireBudget
from cron_adapter.ops.catchup import CATCH_UP_LABEL, due_catch_ups
from cron_adapter.ops.expected import first_fire_bound, job_lookback
from cron_adapter.ops.notice import job_notice
from cron_adapter.ops.order import audit_order
from cron_adapter.ops.ports import Listed, Notifier, RunStore, ScheduleView
from cron_adapter.ops.records import Marker, RunRecord, current_marker
from cron_adapter.ops.report import AuditReport
from cron_adapter.ops.runs import fire_input
from cron_adapter.reconcile.translate import ScheduleRequest, Wiring, translate

Fire = Callable[[FireInput], str]  # fires one input through the fire service; returns its status
# Findings one job may record per audit, oldest first (one conditional write each): more than a
# default window holds (110 one-minute fires), so only a long lookback reaches it. The rest are
# newer and still in the next audit's window; the job counts as unaudited meanwhile.
MAX_FINDINGS_PER_JOB = 200


class AuditService:
    """Audits every job of a jobs file against the run records."""

    def __init__(
        self,
        store: RunStore,
        schedules: ScheduleView,
        notifier: Notifier,
        metrics: MetricSink,
        wiring: Wiring,
        fire: Fire,
        config: AuditConfig | None = None,
        retention_days: int = c.DEFAULT_RUN_RETENTION_DAYS,
        log: logging.Logger | logging.LoggerAdapter | None = None,
    ) -> None:
        self.store, self.schedules, self.notifier, self.metrics = store, schedules, notifier, metrics
        self.wiring, self.fire, self.retention_days = wiring, fire, retention_days
        self.config = config or AuditConfig()
        self.log = log or logging.getLogger(__name__)

    def audit(self, jobs: JobSet, now: datetime, remaining: Callable[[], float] = lambda: 1e9) -> AuditReport:
        """Audit each job once; a failure on one job is reported and the others go on.

        The walk starts at a point that moves with ``now`` (:mod:`cron_adapter.ops.order`), so
        an audit that cannot finish leaves a different stretch unaudited each time. However it
        ends, the jobs it did not get through are counted in ``AuditIncomplete``.
        """
        report, order = AuditReport(), audit_order(jobs.jobs, now)
        left = len(order)  # jobs not yet audited through
        budget = FireBudget(remaining)
        try:
            markers, listed = self.store.markers(), self.schedules.listed()
            deployed = self.schedules.deployed()
            for job in order:
                if budget.near_deadline():  # the next audit starts elsewhere
                    report.errors.append(f"stopped early: Lambda deadline near, {left} jobs not audited")
                    break
                if self._audit_one(job, markers, listed, deployed, now, report, budget):
                    left -= 1
        finally:
            # Even when an AWS error ends the audit early: the misses it recorded are never
            # recorded again, so a count not published now would be lost to the alarm for good;
            # and the jobs it did not reach are exactly what AuditIncomplete must report.
            report.unaudited = left
            if budget.deferred:
                report.errors.append(f"fires of {budget.deferred} jobs wait for the next audit: no time for an attempt")
            if report.missed:
                self.metrics.add_metric(name=c.METRIC_MISSED_RUN, unit="Count", value=len(report.missed))
            if report.paused:
                self.metrics.add_metric(name=c.METRIC_JOB_PAUSED, unit="Count", value=len(report.paused))
            if left:
                self.metrics.add_metric(name=c.METRIC_AUDIT_INCOMPLETE, unit="Count", value=left)
        return report

    def _audit_one(
        self,
        job: Job,
        markers: dict[str, Marker],
        listed: dict[str, Listed],
        deployed: set[str],
        now: datetime,
        report: AuditReport,
        budget: FireBudget,
    ) -> bool:
        """Audit one job; False when it was not audited through (the report says why)."""
        requests = translate(job, self.wiring)
        if not any(r.name in listed or r.name in deployed for r in requests):
            return True  # never deployed yet: reconcile creates it; nothing could have fired
        report.jobs += 1
        marker = current_marker(markers.get(job.id), frozenset(r.spec_hash for r in requests))
        try:
            return self._job(job, requests, marker, listed, now, report, budget)
        except CronAdapterError as exc:
            report.errors.append(f"job {job.id!r}: {exc}")
            self.log.warning("audit of a job failed", extra={"job_id": job.id, "error": str(exc)})
            return False

    def facts(
        self,
        job: Job,
        requests: Sequence[ScheduleRequest],
        marker: Marker | None,
        listed: dict[str, Listed],
        now: datetime,
    ) -> JobFacts:
        """Read what the audit of one job needs: 1 Query, plus 1 GetItem/Query when limits apply."""
        lookback = job_lookback(job, self.config.lookback)
        reach = max(lookback, timedelta(minutes=2 * job.catch_up_window))
        since = iso_utc(now - (reach if job.catch_up != "none" else lookback))
        records = self.store.records(job.id, since, iso_utc(now) + "~~")
        state = self.store.state(job.id) if job.max_runs or job.pause_after_failures else None
        recent = self.store.recent(job.id, job.pause_after_failures) if job.pause_after_failures else []
        mine = [listed[r.name] for r in requests if r.name in listed]
        created = min((s.created for s in mine if s.created), default=None)
        first = first_fire_bound(created, job, self.config.create_grace) if created else None
        plain = [r for r in records if r.label is None]
        earliest = min((r.scheduled for r in plain), default=None)
        live_since = first if first and (earliest is None or first <= earliest) else None
        # A delivered fire lies on EventBridge's own grid (a rate counted from its StartDate).
        delivered = [r.scheduled for r in plain if r.status != "missed"]
        anchor = max(delivered) if delivered else first or max((r.scheduled for r in plain), default=None)
        return JobFacts(records, recent, state or JobFacts().state, marker, live_since, anchor)

    def _job(
        self,
        job: Job,
        requests: Sequence[ScheduleRequest],
        marker: Marker | None,
        listed: dict[str, Listed],
        now: datetime,
        report: AuditReport,
        budget: FireBudget,
    ) -> bool:
        """Audit one deployed job; False when findings or fires (no time for one) were left for the next audit."""
        deferred, facts = budget.deferred, self.facts(job, requests, marker, listed, now)
        found = audit_job(job, facts, now, self.config)
        report.taken_over += self._take_over(job, requests, found.redeliver, budget)
        new = self._record(job, found, now)
        report.missed += [(job.id, t) for t in new]
        records = [*facts.records, *(RunRecord(job.id, t, "missed", catch_up_at=found.catch_up_at.get(t)) for t in new)]
        caught: list[tuple[str, str, str]] = []
        paused = False
        try:  # misses recorded now are never recorded again: notify them even if a catch-up fails
            if job.catch_up != "none":
                caught = self._catch_up(job, requests, due_catch_ups(records, now.timestamp()), budget)
            report.caught_up += caught
            paused = found.pause and self._pause(job, requests, found, facts, now)
            if paused:
                report.paused.append(job.id)
        finally:
            notice = job_notice(job, new, caught, found.streak if paused else 0)
            if notice:
                self.notifier.notify(*notice)
                report.notified += 1
        left = len(found.findings) - MAX_FINDINGS_PER_JOB
        if left > 0:
            report.errors.append(f"job {job.id!r}: {left} findings left for the next audit")
        return left <= 0 and budget.deferred == deferred

    def _record(self, job: Job, found: JobAudit, now: datetime) -> list[str]:
        """Write each finding once, oldest first; the ones this audit was first to record.

        The first write this audit loses means another audit (or a late delivery) got there
        first: it stops there, so of two overlapping audits one records the job's findings
        and the other none, and their catch-ups never run side by side (which the job's
        overlap policy would skip). What it left is recorded by the next audit.
        """
        ts, ttl = now.timestamp(), int(now.timestamp() + self.retention_days * 86400)
        lost = {r.run: r for r in found.lost}
        new = []
        for t in found.findings[:MAX_FINDINGS_PER_JOB]:
            at = found.catch_up_at.get(t)
            if t in lost:
                won = self.store.close_lost(lost[t], ts, at)
            else:
                won = self.store.record_missed(job.id, t, ts, ttl, at)
            if not won:
                break
            new.append(t)
        return new

    def _take_over(
        self, job: Job, requests: Sequence[ScheduleRequest], stale: tuple[RunRecord, ...], budget: FireBudget
    ) -> list[tuple[str, str, str]]:
        """Deliver each crashed at-least-once run again, under its own run key, as EventBridge would.

        The fire path sees the expired lease and takes the claim over (or finds that another
        delivery already did: a duplicate). What the budget leaves is taken over next audit.
        """
        out = []
        for record in stale:
            if not budget.spend(job.target.timeout):
                break
            status = self.fire(fire_input(job, self.wiring, record.scheduled, requests=requests))
            self.log.warning(
                "crashed run delivered again", extra={"job_id": job.id, "run": record.run, "status": status}
            )
            out.append((job.id, record.run, status))
        return out

    def _catch_up(
        self, job: Job, requests: Sequence[ScheduleRequest], due: list[RunRecord], budget: FireBudget
    ) -> list[tuple[str, str, str]]:
        out = []
        for record in due:
            if not budget.spend(job.target.timeout):
                break
            status = self.fire(fire_input(job, self.wiring, record.scheduled, CATCH_UP_LABEL, requests))
            # duplicate: an overlapping audit is catching this job up, oldest first; busy: a run
            # of the job holds its slot, so this catch-up and the later ones wait for the next audit.
            if status in ("duplicate", "busy"):
                break
            out.append((job.id, record.run, status))
        return out

    def _pause(
        self, job: Job, requests: Sequence[ScheduleRequest], found: JobAudit, facts: JobFacts, now: datetime
    ) -> bool:
        latest = facts.recent[0].run if facts.recent else ""
        if not self.store.pause(job.id, requests[0].spec_hash if requests else "", latest, now.timestamp()):
            return False
        self.schedules.set_state(tuple(r.name for r in requests), "DISABLED")
        self.log.warning("job paused after failures", extra={"job_id": job.id, "streak": found.streak})
        return True
