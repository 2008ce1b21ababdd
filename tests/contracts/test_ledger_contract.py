"""The ledger contract: the same scenarios against the in-memory fake and DynamoDB on moto.

The reconcile unit tests run on ``tests.fakes.reconcile.FakeLedger``; these scenarios keep
it honest against ``adapters.ledger.Ledger`` (entries, finish and pause markers, the lease lock
and its generation, status items).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cron_adapter import constants as c
from cron_adapter.errors import LockHeld, LockMoved
from cron_adapter.reconcile.model import JobMarkers, LedgerEntry
from cron_adapter.reconcile.ports import LedgerPort, LockState
from tests.adapters import reconcile_support as support
from tests.fakes.reconcile import FakeLedger

TABLE = "contract-table"
aws_env = support.aws_env  # the shared pytest fixture


@dataclass
class Backend:
    """A ledger factory per group, and the writers of the job markers: the fire path and the audit."""

    ledger: Callable[[str], LedgerPort]
    mark_exhausted: Callable[[str, str], None]
    pause: Callable[[str, str], bool]  # the audit's paused_after_failures marker
    resume: Callable[[str], bool]


def _fake() -> Iterator[Backend]:
    finished: dict[str, str] = {}
    paused: dict[str, str] = {}
    ledgers: dict[str, FakeLedger] = {}

    def ledger(group: str) -> FakeLedger:
        return ledgers.setdefault(group, FakeLedger(finished, paused))

    writer = FakeLedger(finished, paused)  # the fire path and the audit write the same partition
    yield Backend(ledger, writer.finish, writer.pause, writer.resume)


def _dynamodb() -> Iterator[Backend]:
    from cron_adapter.adapters.claims import DynamoClaimStore
    from cron_adapter.adapters.ledger import Ledger
    from cron_adapter.adapters.runs import DynamoRunStore

    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(TableName=TABLE, **c.TABLE_DEFINITION)
        store, runs = DynamoClaimStore(TABLE, client=client), DynamoRunStore(TABLE, client)
        yield Backend(
            lambda group: Ledger(TABLE, group, client),
            lambda job, spec: store.mark_exhausted(job, spec, "max_runs reached", 1000.0),
            lambda job, spec: runs.pause(job, spec, "", 1000.0),
            runs.resume,
        )


@pytest.fixture(params=["fake", "dynamodb"])
def backend(request: pytest.FixtureRequest, aws_env: None) -> Iterator[Backend]:
    yield from (_fake() if request.param == "fake" else _dynamodb())


@pytest.fixture
def ledger(backend: Backend) -> LedgerPort:
    return backend.ledger("g")


def entry(name: str, spec: str = "h1", stamp: str | None = None, job: str | None = None) -> LedgerEntry:
    return LedgerEntry(name, job or f"job-{name}", spec, stamp)


# --- entries -------------------------------------------------------------------------------


def test_a_new_ledger_is_empty(ledger: LedgerPort):
    assert ledger.entries() == {} and ledger.markers() == JobMarkers({}, {})


def test_record_stores_and_replaces_an_entry(ledger: LedgerPort):
    ledger.record(entry("a"))
    ledger.record(entry("b", stamp="2026-01-01T00:00:00+00:00", job="tenant|7:b"))
    ledger.record(entry("a", spec="h2", stamp="2026-01-02T00:00:00+00:00"))
    assert ledger.entries() == {
        "a": entry("a", spec="h2", stamp="2026-01-02T00:00:00+00:00"),
        "b": entry("b", stamp="2026-01-01T00:00:00+00:00", job="tenant|7:b"),
    }


def test_an_entry_keeps_the_state_it_was_written_in_and_an_intent_stays_unconfirmed(ledger: LedgerPort):
    paused = LedgerEntry("p", "tenant|1:p", "h1", "2026-01-01T00:00:00+00:00", "DISABLED")
    intent = LedgerEntry("q", "job-q", "h2", None, "ENABLED")
    pending_delete = LedgerEntry("r", "job-r", "", None)
    ledger.record_many([paused, intent, pending_delete])
    assert ledger.entries() == {"p": paused, "q": intent, "r": pending_delete}


def test_record_many_stores_more_than_one_batch(ledger: LedgerPort):
    many = [entry(f"s{i:03d}", stamp=f"t{i}") for i in range(60)]  # three BatchWriteItem requests
    ledger.record(entry("s000"))  # unconfirmed, then confirmed by the batch
    ledger.record_many(many)
    ledger.record_many([])
    assert ledger.entries() == {e.name: e for e in many}


def test_forget_drops_one_entry_and_a_missing_one_is_fine(ledger: LedgerPort):
    ledger.record_many([entry("a"), entry("b")])
    ledger.forget("a")
    ledger.forget("never-there")
    assert set(ledger.entries()) == {"b"}


def test_groups_keep_their_own_entries_but_share_exhausted_markers(backend: Backend):
    one, two = backend.ledger("one"), backend.ledger("two")
    one.record(entry("a"))
    backend.mark_exhausted("job-z", "hz")
    assert set(one.entries()) == {"a"} and two.entries() == {}
    assert one.markers() == two.markers() == JobMarkers({"job-z": "hz"}, {})


# --- exhausted markers ---------------------------------------------------------------------


def test_exhausted_markers_map_job_to_spec_hash_and_a_new_marker_replaces(backend: Backend, ledger: LedgerPort):
    backend.mark_exhausted("job-a", "h1")
    backend.mark_exhausted("job-b", "h2")
    backend.mark_exhausted("job-a", "h3")
    assert ledger.markers().finished == {"job-a": "h3", "job-b": "h2"}


# --- pause markers (the audit's paused_after_failures) --------------------------------------


def test_a_pause_is_its_own_marker_not_a_finish(backend: Backend, ledger: LedgerPort):
    backend.mark_exhausted("job-done", "h1")
    assert backend.pause("job-flaky", "h2")
    assert ledger.markers() == JobMarkers({"job-done": "h1"}, {"job-flaky": "h2"})


def test_a_pause_never_replaces_a_marker_but_a_finish_replaces_a_pause(backend: Backend, ledger: LedgerPort):
    backend.mark_exhausted("job-done", "h1")
    assert not backend.pause("job-done", "h9")  # a finished job is not paused
    assert backend.pause("job-flaky", "h2") and not backend.pause("job-flaky", "h3")
    backend.mark_exhausted("job-flaky", "h4")  # the fire path finished it while paused
    assert ledger.markers() == JobMarkers({"job-done": "h1", "job-flaky": "h4"}, {})


def test_resume_lifts_only_a_pause(backend: Backend, ledger: LedgerPort):
    backend.mark_exhausted("job-done", "h1")
    backend.pause("job-flaky", "h2")
    assert not backend.resume("job-done") and backend.resume("job-flaky") and not backend.resume("job-flaky")
    assert ledger.markers() == JobMarkers({"job-done": "h1"}, {})


def test_groups_share_pause_markers(backend: Backend):
    backend.pause("job-flaky", "h2")
    assert backend.ledger("one").markers().paused == backend.ledger("two").markers().paused == {"job-flaky": "h2"}


# --- the lease lock ------------------------------------------------------------------------


def test_a_fresh_lock_is_free_at_generation_zero(ledger: LedgerPort):
    assert ledger.peek_lock() == LockState(None, 0.0, 0)


def test_acquire_holds_the_lease_until_it_expires(ledger: LedgerPort):
    ledger.acquire("A", now=1000.0, lease_seconds=60.5, generation=0)
    assert ledger.peek_lock() == LockState("A", 1060.5, 0)
    with pytest.raises(LockHeld) as info:
        ledger.acquire("B", now=1010.0, lease_seconds=60, generation=0)
    assert info.value.holder == "A"
    ledger.acquire("A", now=1020.0, lease_seconds=60, generation=0)  # the holder renews
    assert ledger.peek_lock().expires_at == 1080.0
    ledger.acquire("B", now=1081.0, lease_seconds=60, generation=0)  # A's lease expired
    assert ledger.peek_lock().holder == "B"


def test_release_bumps_the_generation_only_when_the_run_applied(ledger: LedgerPort):
    ledger.acquire("A", now=1000.0, lease_seconds=60, generation=0)
    ledger.release("A", applied=False)
    assert ledger.peek_lock() == LockState(None, 0.0, 0)
    ledger.acquire("A", now=1001.0, lease_seconds=60, generation=0)
    ledger.release("A", applied=True)
    assert ledger.peek_lock() == LockState(None, 0.0, 1)


def test_a_stale_generation_is_lock_moved(ledger: LedgerPort):
    ledger.acquire("A", now=1000.0, lease_seconds=60, generation=0)
    ledger.release("A", applied=True)
    with pytest.raises(LockMoved):  # B planned at generation 0; A applied since
        ledger.acquire("B", now=1010.0, lease_seconds=60, generation=0)
    assert ledger.peek_lock().holder is None
    ledger.acquire("B", now=1010.0, lease_seconds=60, generation=1)
    assert ledger.peek_lock() == LockState("B", 1070.0, 1)


def test_release_by_a_holder_whose_lease_was_taken_is_a_no_op(ledger: LedgerPort):
    ledger.acquire("A", now=1000.0, lease_seconds=60, generation=0)
    ledger.acquire("B", now=1100.0, lease_seconds=60, generation=0)
    ledger.release("A", applied=True)
    assert ledger.peek_lock() == LockState("B", 1160.0, 0)
    ledger.release("nobody", applied=True)
    assert ledger.peek_lock().holder == "B"


# --- status items --------------------------------------------------------------------------

STATUS: dict[str, Any] = {
    "status": "applied",
    "trigger": "upload",
    "etag": "e1",
    "counts": {"created": 2, "updated": 0},
    "problems": [],
    "warnings": ["job 'x': one-shot time has passed"],
    "detail": "",
    "skipped": None,
}


def test_status_is_kept_under_its_key_and_as_latest_with_plain_values(ledger: LedgerPort):
    ledger.put_status("e1", STATUS, now=1000.25)
    want = {**STATUS, "key": "e1", "finished_at": 1000.25, "ttl": 1000 + c.STATUS_TTL_SECONDS}
    assert ledger.get_status("e1") == want and ledger.get_status("latest") == want
    assert type(ledger.get_status("e1")["counts"]["created"]) is int  # not a Decimal
    ledger.put_status("e2", {**STATUS, "status": "rejected"}, now=1001.0)
    assert ledger.get_status("e1")["status"] == "applied" and ledger.get_status("latest")["key"] == "e2"


def test_an_unknown_status_key_is_none(ledger: LedgerPort):
    assert ledger.get_status("nope") is None


# --- the jobs last left unscheduled ---------------------------------------------------------


def test_the_unscheduled_list_is_remembered_per_group_and_none_forgets_it(backend: Backend):
    a, b = backend.ledger("a"), backend.ledger("b")
    assert a.unscheduled() == frozenset()
    a.put_unscheduled(frozenset({"j2", "j1"}))
    assert a.unscheduled() == {"j1", "j2"} and b.unscheduled() == frozenset()
    a.put_unscheduled(frozenset({"j3"}))
    assert a.unscheduled() == {"j3"}
    a.put_unscheduled(frozenset())
    assert a.unscheduled() == frozenset()
    a.put_unscheduled(frozenset())  # forgetting twice is fine


def test_the_unscheduled_list_is_not_a_status(ledger: LedgerPort):
    ledger.put_unscheduled(frozenset({"j1"}))
    ledger.put_status("e1", STATUS, now=1000.0)
    assert ledger.unscheduled() == {"j1"} and ledger.get_status("unscheduled") is None
