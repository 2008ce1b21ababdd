"""Two audits overlapping on one job, interleaved deterministically on moto.

An audit that loses a finding's conditional write to another audit stops there for that
job: it neither records the rest nor catches any of them up, so the two audits never run
the job's catch-ups side by side (where its overlap policy would skip one of them).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from cron_adapter.adapters.runs import DynamoRunStore
from cron_adapter.fire.input import iso_utc
from tests.adapters import ops_support
from tests.adapters.ops_support import GROUP, TABLE, OpsWorld, job, jobs_doc, minute
from tests.adapters.test_ops_audit import ten_minute_marks

ops = ops_support.ops  # the shared pytest fixture

CREATED = datetime(2026, 6, 1, 12, 3, tzinfo=UTC)


class RacedStore(DynamoRunStore):
    """A run store on which another audit records the first finding just before this one does."""

    def __init__(self, table: str, client: Any) -> None:
        super().__init__(table, client)
        self.raced: list[str] = []

    def record_missed(self, job_id: str, run: str, now: float, ttl: int, catch_up_at: float | None) -> bool:
        if not self.raced:
            self.raced.append(run)
            assert super().record_missed(job_id, run, now, ttl, catch_up_at)  # the other audit's write
        return super().record_missed(job_id, run, now, ttl, catch_up_at)


def test_an_audit_that_loses_a_finding_to_another_stops_and_the_next_audit_catches_up_each_once(
    ops: OpsWorld,
) -> None:
    ops.at = CREATED
    ops.apply(jobs_doc(job("j", catch_up="all", catch_up_window=90)))
    ops.scheduler.delete_schedule(Name="j", GroupName=GROUP)
    now = minute(ops.created) + timedelta(hours=2)
    due = [iso_utc(t) for t in ten_minute_marks(now - timedelta(minutes=91), now - timedelta(minutes=10))]
    service = ops.audit_service()
    service.store = store = RacedStore(TABLE, ops.ddb)
    ops.clock.t = now.timestamp()

    loser = service.audit(ops.jobs, now)

    assert store.raced == [due[0]]
    assert loser.missed == [] and loser.caught_up == [] and ops.caller.requests == []
    assert ops.run_item("j", due[1]) is None  # left for the next audit, not recorded behind the other's back
    after = ops.audit(now + timedelta(minutes=1))
    assert [t for _, t in after.missed] == due[1:]
    assert Counter(r.headers["Idempotency-Key"] for r, _ in ops.caller.requests) == Counter(
        {f"j:{t}~catch-up": 1 for t in due}
    )
