"""An audit that does not get through every job says so (AuditIncomplete), and successive audits cover them all.

The audit shell runs against in-memory fakes of its ports: a run store that keeps what the
audit records, a schedule view where every job is deployed, a notifier and a metric sink.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cron_adapter import constants as c
from cron_adapter.errors import ClaimError
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.jobs.model import JobSet
from cron_adapter.ops import runs as ops_runs
from cron_adapter.ops import service as ops_service
from cron_adapter.ops.audit import AuditConfig
from cron_adapter.ops.order import audit_order
from cron_adapter.ops.ports import Listed
from cron_adapter.ops.records import JobState, Marker, RunRecord
from cron_adapter.ops.service import MAX_FINDINGS_PER_JOB, AuditService
from cron_adapter.reconcile.translate import Wiring, translate
from tests.unit.fire.fakes import FakeMetrics

WIRING = Wiring("cron-adapter", "arn:aws:lambda:us-east-1:123456789012:function:fire", "arn:aws:iam::123:role/s")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CONFIG = AuditConfig(lookback=timedelta(minutes=90), grace=timedelta(minutes=10))


def jobs_doc(n: int, schedule: str = "*/10 * * * *", **extra: Any) -> JobSet:
    jobs = [{"id": f"job-{i:02d}", "schedule": schedule, "target": {"path": f"/run/{i}"}, **extra} for i in range(n)]
    doc = {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": jobs}
    return load_bytes(json.dumps(doc).encode())


@dataclass
class FakeRunStore:
    """Keeps the records the audit writes; ``fail`` maps a job id to what reading its records raises."""

    rows: dict[tuple[str, str], RunRecord] = field(default_factory=dict)
    read: list[str] = field(default_factory=list)  # job ids, in the order their records were read
    fail: dict[str, Exception] = field(default_factory=dict)
    recent_failures: int = 0

    def markers(self) -> dict[str, Marker]:
        return {}

    def records(self, job_id: str, since: str, until: str) -> list[RunRecord]:
        self.read.append(job_id)
        if job_id in self.fail:
            raise self.fail[job_id]
        return sorted(
            (r for (j, t), r in self.rows.items() if j == job_id and since <= t <= until), key=lambda r: r.run
        )

    def recent(self, job_id: str, n: int) -> list[RunRecord]:
        return [RunRecord(job_id, f"2026-12-01T11:{50 - i}:00Z", "failed") for i in range(self.recent_failures)][:n]

    def state(self, job_id: str) -> JobState:
        return JobState()

    def record_missed(self, job_id: str, run: str, now: float, ttl: int, catch_up_at: float | None) -> bool:
        if (job_id, run) in self.rows:
            return False
        self.rows[job_id, run] = RunRecord(job_id, run, "missed", catch_up_at=catch_up_at)
        return True

    def close_lost(self, record: RunRecord, now: float, catch_up_at: float | None) -> bool:
        return True

    def pause(self, job_id: str, spec_hash: str, streak_from: str, now: float) -> bool:
        return True

    def resume(self, job_id: str) -> bool:
        return False


@dataclass
class FakeView:
    """Every job's schedules listed, created a day before ``NOW``."""

    jobs: JobSet
    switched: list[tuple[tuple[str, ...], str]] = field(default_factory=list)

    def listed(self) -> dict[str, Listed]:
        names = [r.name for job in self.jobs.jobs for r in translate(job, WIRING)]
        return {n: Listed(n, "ENABLED", NOW - timedelta(days=1), "") for n in names}

    def deployed(self) -> set[str]:
        return set()

    def set_state(self, names: tuple[str, ...], state: str) -> list[str]:
        self.switched.append((names, state))
        return list(names)


@dataclass
class FakeNotifier:
    sent: list[tuple[str, str]] = field(default_factory=list)

    def notify(self, subject: str, message: str) -> None:
        self.sent.append((subject, message))


def service(jobs: JobSet, store: FakeRunStore, metrics: FakeMetrics, config: AuditConfig = CONFIG) -> AuditService:
    return AuditService(store, FakeView(jobs), FakeNotifier(), metrics, WIRING, lambda fi: "succeeded", config)


def incomplete(metrics: FakeMetrics) -> list[float]:
    return [v for n, _, v in metrics.points if n == c.METRIC_AUDIT_INCOMPLETE]


def deadline_after(jobs: int):
    """A ``remaining()`` with time for ``jobs`` jobs, then the deadline near."""
    calls = [0]

    def remaining() -> float:
        calls[0] += 1
        return 600.0 if calls[0] <= jobs else 10.0

    return remaining


def test_an_audit_that_gets_through_every_job_publishes_no_audit_incomplete() -> None:
    jobs, store, metrics = jobs_doc(5), FakeRunStore(), FakeMetrics()
    report = service(jobs, store, metrics).audit(jobs, NOW)
    assert sorted(store.read) == [j.id for j in jobs.jobs]
    assert report.unaudited == 0 and incomplete(metrics) == [] and report.as_dict()["unaudited"] == 0


def test_an_audit_stopped_by_the_deadline_publishes_how_many_jobs_it_left() -> None:
    jobs, store, metrics = jobs_doc(10), FakeRunStore(), FakeMetrics()
    report = service(jobs, store, metrics).audit(jobs, NOW, deadline_after(4))
    assert len(store.read) == 4
    assert incomplete(metrics) == [6] and report.unaudited == 6
    assert report.errors == ["stopped early: Lambda deadline near, 6 jobs not audited"]
    assert c.METRIC_MISSED_RUN in {n for n, _, _ in metrics.points}  # what it did audit still counts


def test_an_aws_error_that_ends_the_audit_publishes_the_jobs_it_left() -> None:
    jobs, store, metrics = jobs_doc(10), FakeRunStore(), FakeMetrics()
    failing = audit_order(jobs.jobs, NOW)[3].id  # the fourth job this audit reaches
    store.fail[failing] = RuntimeError("ProvisionedThroughputExceededException")  # untranslated: ends the audit
    with pytest.raises(RuntimeError):
        service(jobs, store, metrics).audit(jobs, NOW)
    assert incomplete(metrics) == [7]  # the failing job and the six after it


def test_an_audit_that_cannot_read_the_markers_publishes_every_job_as_unaudited() -> None:
    jobs, store, metrics = jobs_doc(6), FakeRunStore(), FakeMetrics()

    def unreadable() -> dict[str, Marker]:
        raise RuntimeError("AccessDeniedException")

    store.markers = unreadable  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        service(jobs, store, metrics).audit(jobs, NOW)
    assert store.read == [] and incomplete(metrics) == [6]


def test_a_job_whose_audit_fails_counts_as_unaudited_and_the_others_go_on() -> None:
    jobs, store, metrics = jobs_doc(4), FakeRunStore(), FakeMetrics()
    store.fail["job-02"] = ClaimError("DynamoDB throttled the query")
    report = service(jobs, store, metrics).audit(jobs, NOW)
    assert sorted(store.read) == [j.id for j in jobs.jobs]
    assert incomplete(metrics) == [1] and report.errors == ["job 'job-02': DynamoDB throttled the query"]


def test_audits_that_stop_early_cover_every_job_over_successive_audits() -> None:
    """Each audit has time for 3 of 20 jobs: the walk starts elsewhere each time, so no tail is
    left unaudited for good (starting at the first job every time, 17 jobs would never be seen)."""
    jobs, store, metrics = jobs_doc(20), FakeRunStore(), FakeMetrics()
    seen: set[str] = set()
    for k in range(24):  # six hours of audits, 15 minutes apart; ideally 7 would do
        store.read.clear()
        service(jobs, store, metrics).audit(jobs, NOW + timedelta(minutes=15 * k), deadline_after(3))
        assert len(store.read) == 3
        seen.update(store.read)
    assert seen == {j.id for j in jobs.jobs}
    assert incomplete(metrics) == [17] * 24


def test_the_audit_order_is_a_rotation_that_depends_only_on_the_minute() -> None:
    items = list(range(10))
    order = audit_order(items, NOW)
    assert sorted(order) == items and order == [*items[order[0] :], *items[: order[0]]]
    assert audit_order(items, NOW + timedelta(seconds=59)) == order
    assert audit_order([], NOW) == []


def test_a_job_with_more_findings_than_its_share_records_the_oldest_and_counts_as_unaudited() -> None:
    jobs, store, metrics = jobs_doc(1, schedule="* * * * *"), FakeRunStore(), FakeMetrics()
    config = AuditConfig(lookback=timedelta(hours=6), grace=timedelta(minutes=10))  # ~350 one-minute fires
    first = service(jobs, store, metrics, config).audit(jobs, NOW)
    assert len(first.missed) == MAX_FINDINGS_PER_JOB
    assert [t for _, t in first.missed] == sorted(t for _, t in first.missed)
    assert first.unaudited == 1 and incomplete(metrics) == [1]
    second = service(jobs, store, metrics, config).audit(jobs, NOW + timedelta(minutes=15))
    assert min(t for _, t in second.missed) > max(t for _, t in first.missed)  # the next audit goes on
    assert second.unaudited == 0 and incomplete(metrics) == [1]


def test_each_job_is_translated_once_per_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Catch-up, take-over and pause reuse the requests the audit translated first."""
    jobs, store, metrics = jobs_doc(3, catch_up="all", pause_after_failures=1), FakeRunStore(), FakeMetrics()
    store.recent_failures = 1
    calls: list[str] = []

    def counted(job: Any, wiring: Wiring) -> Any:
        calls.append(job.id)
        return translate(job, wiring)

    monkeypatch.setattr(ops_service, "translate", counted)
    monkeypatch.setattr(ops_runs, "translate", counted)
    audit = service(jobs, store, metrics)
    report = audit.audit(jobs, NOW)
    assert report.caught_up and report.paused == [j.id for j in audit_order(jobs.jobs, NOW)]
    assert sorted(calls) == [j.id for j in jobs.jobs]
