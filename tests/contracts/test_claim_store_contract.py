"""The claim-store contract: the same scenarios against the in-memory fake and DynamoDB on moto.

The fire unit tests run on ``tests.unit.fire.fakes.FakeStore``; these scenarios keep it
honest against ``adapters.claims.DynamoClaimStore``: claims and duplicates, finishes, lease
expiry and takeover, the overlap slot, the queue, ``max_runs`` counting, never-claimed
records and exhausted markers, a late delivery over the audit's ``missed`` row, catch-ups
against it, and releases. Each scenario reads the rows back through the same three
views (run row, job state, marker), so a drift in either implementation fails here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from msgspec.structs import replace

from cron_adapter.errors import ClaimConflict
from cron_adapter.fire.ports import DROPPED_ERROR, Claim, ClaimStore, Finish, JobState, RunKey
from cron_adapter.kinds import Overlap
from cron_adapter.tablekeys import EXHAUSTED_PK, STATE_SK, job_pk, run_sk
from tests.adapters.fire_support import TABLE, get_item, moto_table
from tests.unit.fire.fakes import MISSED_ERROR as FAKE_MISSED_ERROR
from tests.unit.fire.fakes import FakeStore

JOB = "contract-job"
T1, T2, T3 = "2026-11-23T03:00:00Z", "2026-11-23T03:05:00Z", "2026-11-23T03:10:00Z"
NOW = 1_000_000.0
LEASE = 300.0


@dataclass
class Backend:
    """A claim store, read-only views of the rows it wrote (plain values), and the audit's ``missed`` write."""

    store: ClaimStore
    row: Callable[[str, str], dict[str, Any] | None]
    missed: Callable[..., None]  # (when, catch_up_at=None): the row the audit writes for a run never delivered

    def run(self, when: str) -> dict[str, Any] | None:
        return self.row(job_pk(JOB), run_sk(when))

    def state(self) -> dict[str, Any]:
        return self.row(job_pk(JOB), STATE_SK) or {}

    def marker(self) -> dict[str, Any] | None:
        return self.row(EXHAUSTED_PK, JOB)


AUDITED = NOW - 60  # when the audit recorded a run missed
TTL = 9_999_999


def _fake() -> Iterator[Backend]:
    fake = FakeStore()

    def missed(when: str, catch_up_at: float | None = None) -> None:
        """The row ``adapters.runs.DynamoRunStore.record_missed`` writes, as plain values."""
        row = {"job_id": JOB, "scheduled_time": when, "status": "missed", "error": FAKE_MISSED_ERROR}
        row.update(finished_at=datetime.fromtimestamp(AUDITED, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), ttl=TTL)
        fake.rows[(job_pk(JOB), run_sk(when))] = row | ({"catch_up_at": catch_up_at} if catch_up_at else {})

    yield Backend(fake, lambda pk, sk: fake.rows.get((pk, sk)), missed)


def _dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    from cron_adapter.adapters.claims import DynamoClaimStore
    from cron_adapter.adapters.runs import DynamoRunStore

    for client in moto_table(monkeypatch):
        runs = DynamoRunStore(TABLE, client=client)

        def missed(when: str, catch_up_at: float | None = None, runs: DynamoRunStore = runs) -> None:
            assert runs.record_missed(JOB, when, AUDITED, TTL, catch_up_at)

        store = DynamoClaimStore(TABLE, client=client)
        yield Backend(store, lambda pk, sk, c=client: get_item(c, pk, sk), missed)


@pytest.fixture(params=["fake", "dynamodb"])
def b(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    yield from (_fake() if request.param == "fake" else _dynamodb(monkeypatch))


def claim(
    when: str = T1,
    holder: str = "A",
    now: float = NOW,
    overlap: Overlap = "skip",
    max_runs: int | None = None,
    previous: str | None = None,
    missed: bool = False,
) -> Claim:
    return Claim(RunKey(JOB, when), holder, 1, now, now + LEASE, TTL, overlap, max_runs, "h1", previous, missed)


def finish(c: Claim, status: str = "succeeded", now: float | None = None, **kw: Any) -> Finish:
    at = c.now + 1 if now is None else now
    return Finish(c.key, c.holder, status, 1, 200, 5, None, at, c.overlap, c.max_runs, "h1", c.ttl, **kw)  # type: ignore[arg-type]


# --- claim and duplicate -----------------------------------------------------------------------


def test_a_claim_writes_the_run_and_takes_the_slot(b: Backend) -> None:
    c = claim()
    assert b.store.claim(c) is None
    run = b.run(T1)
    assert run is not None
    assert (run["status"], run["holder"], run["lease_until"], run["deliveries"]) == ("claimed", "A", NOW + LEASE, 1)
    assert (run["spec_hash"], run["ttl"], run["delivery_attempt"]) == ("h1", 9_999_999, 1)
    s = b.state()
    assert (s["running"], s["running_holder"], s["running_lease"]) == (T1, "A", NOW + LEASE)
    assert s.get("runs", 0) == 0  # counted only where a limit or the queue needs it


def test_a_duplicate_claim_is_a_conflict_naming_the_holder_and_writes_nothing(b: Backend) -> None:
    b.store.claim(claim())
    with pytest.raises(ClaimConflict) as err:
        b.store.claim(claim(holder="B"))
    assert (err.value.holder, err.value.status, err.value.lease_until) == ("A", "claimed", NOW + LEASE)
    assert b.run(T1)["holder"] == "A" and b.run(T1)["deliveries"] == 1  # type: ignore[index]


def test_a_claim_of_a_finished_run_is_a_conflict_with_its_status(b: Backend) -> None:
    c = claim()
    b.store.claim(c)
    assert b.store.finish(finish(c)) is None
    with pytest.raises(ClaimConflict) as err:
        b.store.claim(claim(holder="B", now=NOW + 10_000))
    assert err.value.status == "succeeded"


def test_a_claim_repeated_verbatim_is_applied_once(b: Backend) -> None:
    """A retried request whose first answer was lost: the store finds its own write and says won."""
    c = claim(max_runs=5)
    assert b.store.claim(c) is None
    assert b.store.claim(c) is None
    assert (b.run(T1)["deliveries"], b.state()["runs"]) == (1, 1)  # type: ignore[index]


def test_the_same_holder_with_another_lease_is_a_conflict(b: Backend) -> None:
    """Lambda retries a failed invocation under the same request id: not a lost answer, a live claim."""
    b.store.claim(claim())
    with pytest.raises(ClaimConflict) as err:
        b.store.claim(claim(now=NOW + 60))
    assert err.value.holder == "A"


def test_finish_and_enqueue_repeated_verbatim_are_applied_once(b: Backend) -> None:
    a = claim(overlap="queue")
    b.store.claim(a)
    q = claim(T2, holder="B", now=NOW + 10, overlap="queue")
    assert b.store.enqueue(q) is None and b.store.enqueue(q) is None
    f = replace(finish(a), drop_queued=T2)
    assert b.store.finish(f) is None and b.store.finish(f) is None
    assert b.run(T1)["status"] == "succeeded" and b.run(T2)["status"] == "skipped"  # type: ignore[index]


# --- the overlap slot ----------------------------------------------------------------------------


def test_skip_a_live_slot_refuses_with_the_job_state_and_writes_no_run(b: Backend) -> None:
    b.store.claim(claim())
    state = b.store.claim(claim(T2, holder="B", now=NOW + 10))
    assert state == JobState(T1, "A", NOW + LEASE, None, 0)
    assert not state.slot_free(NOW + 10) and b.run(T2) is None


def test_an_expired_slot_is_free_for_the_next_run(b: Backend) -> None:
    b.store.claim(claim())
    assert b.store.claim(claim(T2, holder="B", now=NOW + LEASE + 1)) is None
    assert (b.state()["running"], b.state()["running_holder"]) == (T2, "B")


def test_allow_never_takes_the_slot(b: Backend) -> None:
    assert b.store.claim(claim(overlap="allow")) is None
    assert b.store.claim(claim(T2, holder="B", now=NOW + 10, overlap="allow")) is None
    assert b.state() == {}  # allow without max_runs keeps no job state
    assert b.run(T1)["status"] == b.run(T2)["status"] == "claimed"  # type: ignore[index]


# --- finish ------------------------------------------------------------------------------------------


def test_finish_records_the_outcome_and_frees_the_slot(b: Backend) -> None:
    c = claim()
    b.store.claim(c)
    f = replace(finish(c, "failed"), http_status=503, error="HTTP 503", attempts=3)
    assert b.store.finish(f) is None
    run = b.run(T1)
    assert (run["status"], run["attempts"], run["http_status"], run["error"]) == ("failed", 3, 503, "HTTP 503")  # type: ignore[index]
    assert "running" not in b.state() and "running_holder" not in b.state()
    assert b.store.claim(claim(T2, holder="B", now=NOW + 10)) is None


def test_finish_by_another_holder_is_a_conflict(b: Backend) -> None:
    c = claim()
    b.store.claim(c)
    with pytest.raises(ClaimConflict) as err:
        b.store.finish(replace(finish(c), holder="B"))
    assert err.value.holder == "A" and b.run(T1)["status"] == "claimed"  # type: ignore[index]


def test_finish_when_another_run_holds_the_slot_refuses_then_commits_without_release(b: Backend) -> None:
    a = claim()
    b.store.claim(a)
    late = claim(T2, holder="B", now=NOW + LEASE + 1)  # A's lease ran out: B took the slot
    b.store.claim(late)
    state = b.store.finish(finish(a, now=NOW + LEASE + 2))
    assert state is not None and state.running_holder == "B"
    assert b.store.finish(replace(finish(a, now=NOW + LEASE + 2), release=False)) is None
    assert b.run(T1)["status"] == "succeeded" and b.state()["running_holder"] == "B"  # type: ignore[index]


# --- lease expiry: takeover and close_stale --------------------------------------------------------


@pytest.mark.parametrize("max_runs", [None, 5])
def test_takeover_of_an_expired_lease_rewrites_holder_and_counts_a_delivery(b: Backend, max_runs: int | None) -> None:
    b.store.claim(claim(max_runs=max_runs))
    later = NOW + LEASE + 1
    assert b.store.claim(claim(holder="B", now=later, previous="A", max_runs=max_runs)) is None
    run = b.run(T1)
    assert (run["holder"], run["deliveries"], run["lease_until"]) == ("B", 2, later + LEASE)  # type: ignore[index]
    s = b.state()
    assert (s["running_holder"], s.get("runs", 0)) == ("B", 1 if max_runs else 0)  # a takeover is not counted again


def test_takeover_before_the_lease_ends_or_of_the_wrong_holder_is_a_conflict(b: Backend) -> None:
    b.store.claim(claim())
    with pytest.raises(ClaimConflict):
        b.store.claim(claim(holder="B", now=NOW + 10, previous="A"))
    with pytest.raises(ClaimConflict):
        b.store.claim(claim(holder="B", now=NOW + LEASE + 1, previous="X"))
    assert b.run(T1)["holder"] == "A"  # type: ignore[index]


def test_the_old_holder_cannot_finish_after_a_takeover(b: Backend) -> None:
    a = claim()
    b.store.claim(a)
    b.store.claim(claim(holder="B", now=NOW + LEASE + 1, previous="A"))
    with pytest.raises(ClaimConflict) as err:
        b.store.finish(finish(a, now=NOW + LEASE + 2))
    assert err.value.holder == "B"


def test_close_stale_closes_an_expired_claim_and_frees_its_slot(b: Backend) -> None:
    b.store.claim(claim())
    b.store.close_stale(RunKey(JOB, T1), "A", NOW + LEASE + 1, "lost", "claimer crashed")
    run = b.run(T1)
    assert (run["status"], run["error"]) == ("lost", "claimer crashed")  # type: ignore[index]
    assert "running" not in b.state()


def test_close_stale_refuses_a_live_lease_a_wrong_holder_or_a_closed_run(b: Backend) -> None:
    key = RunKey(JOB, T1)
    b.store.claim(claim())
    with pytest.raises(ClaimConflict):
        b.store.close_stale(key, "A", NOW + 10, "lost", "x")
    with pytest.raises(ClaimConflict):
        b.store.close_stale(key, "X", NOW + LEASE + 1, "lost", "x")
    b.store.close_stale(key, "A", NOW + LEASE + 1, "lost", "x")
    with pytest.raises(ClaimConflict):
        b.store.close_stale(key, "A", NOW + LEASE + 2, "lost", "x")
    assert b.state().get("running") is None


def test_close_stale_leaves_a_slot_another_run_holds(b: Backend) -> None:
    b.store.claim(claim())
    b.store.claim(claim(T2, holder="B", now=NOW + LEASE + 1))
    b.store.close_stale(RunKey(JOB, T1), "A", NOW + LEASE + 2, "lost", "x")
    assert b.state()["running_holder"] == "B"


# --- the queue ---------------------------------------------------------------------------------------


def test_enqueue_records_one_waiting_run_behind_a_live_one(b: Backend) -> None:
    b.store.claim(claim(overlap="queue"))
    assert b.store.enqueue(claim(T2, holder="B", now=NOW + 10, overlap="queue")) is None
    assert b.run(T2)["status"] == "queued" and b.state()["queued"] == T2  # type: ignore[index]
    state = b.store.enqueue(claim(T3, holder="C", now=NOW + 20, overlap="queue"))
    assert state is not None and state.queued == T2 and b.run(T3) is None


def test_enqueue_refuses_when_nothing_runs_and_conflicts_on_an_existing_run(b: Backend) -> None:
    state = b.store.enqueue(claim(overlap="queue"))
    assert state is not None and state.running is None and b.run(T1) is None
    b.store.claim(claim(overlap="queue"))
    with pytest.raises(ClaimConflict):
        b.store.enqueue(claim(holder="B", overlap="queue"))
    b.store.enqueue(claim(T2, holder="B", now=NOW + LEASE + 1, overlap="queue"))  # A's lease is over
    assert b.run(T2) is None


def test_finish_with_a_queued_run_refuses_until_it_promotes_it(b: Backend) -> None:
    a = claim(overlap="queue")
    b.store.claim(a)
    b.store.enqueue(claim(T2, holder="B", now=NOW + 10, overlap="queue"))
    state = b.store.finish(finish(a, now=NOW + 20))
    assert state is not None and state.queued == T2
    promote = claim(T2, holder="A", now=NOW + 20, overlap="queue")
    assert b.store.finish(replace(finish(a, now=NOW + 20), promote=promote)) is None
    q = b.run(T2)
    assert (q["status"], q["holder"], q["lease_until"], q["deliveries"]) == ("claimed", "A", NOW + 20 + LEASE, 1)  # type: ignore[index]
    s = b.state()
    assert (s["running"], s["running_lease"], s["runs"], s.get("queued")) == (T2, NOW + 20 + LEASE, 2, None)
    assert b.run(T1)["status"] == "succeeded"  # type: ignore[index]


def test_finish_can_drop_the_queued_run_as_skipped(b: Backend) -> None:
    a = claim(overlap="queue")
    b.store.claim(a)
    b.store.enqueue(claim(T2, holder="B", now=NOW + 10, overlap="queue"))
    assert b.store.finish(replace(finish(a), drop_queued=T2)) is None
    q = b.run(T2)
    assert q["status"] == "skipped" and q["error"] == DROPPED_ERROR  # type: ignore[index]
    assert "queued" not in b.state() and "running" not in b.state()


# --- max_runs --------------------------------------------------------------------------------------


def test_max_runs_counts_claims_and_refuses_past_the_limit(b: Backend) -> None:
    one = claim(max_runs=2)
    b.store.claim(one)
    assert b.store.finish(finish(one)) is None
    two = claim(T2, holder="B", now=NOW + 10, max_runs=2)
    assert b.store.claim(two) is None and b.state()["runs"] == 2
    state = b.store.finish(finish(two))  # the last run: the finish asks for the exhausted marker
    assert state is not None and state.runs == 2 and b.marker() is None
    assert b.store.finish(finish(two, exhausted="max_runs")) is None
    assert b.marker()["reason"] == "max_runs" and b.marker()["spec_hash"] == "h1"  # type: ignore[index]
    refused = b.store.claim(claim(T3, holder="C", now=NOW + 20, max_runs=2))
    assert refused is not None and refused.runs == 2 and b.run(T3) is None


def test_a_finish_that_exhausts_a_job_writes_the_marker(b: Backend) -> None:
    c = claim(overlap="allow")
    b.store.claim(c)
    assert b.store.finish(finish(c, exhausted="one_shot")) is None
    assert b.marker()["reason"] == "one_shot" and b.run(T1)["status"] == "succeeded"  # type: ignore[index]


# --- never-claimed records and markers ---------------------------------------------------------------


def test_record_writes_a_terminal_row_once(b: Backend) -> None:
    key = RunKey(JOB, T1)
    b.store.record(key, "skipped", "after end_at", NOW, 9_999_999, "h1")
    run = b.run(T1)
    assert (run["status"], run["error"], run["ttl"], run["spec_hash"]) == ("skipped", "after end_at", 9_999_999, "h1")  # type: ignore[index]
    with pytest.raises(ClaimConflict) as err:
        b.store.record(key, "skipped", "again", NOW, 9_999_999, "h1")
    assert err.value.status == "skipped"
    with pytest.raises(ClaimConflict):
        b.store.claim(claim())


def test_mark_exhausted_writes_the_marker_and_may_repeat(b: Backend) -> None:
    b.store.mark_exhausted(JOB, "h1", "end_at", NOW)
    b.store.mark_exhausted(JOB, "h2", "max_runs", NOW)
    assert (b.marker()["spec_hash"], b.marker()["reason"]) == ("h2", "max_runs")  # type: ignore[index]


# --- releasing a takeover ------------------------------------------------------------------------------


@pytest.mark.parametrize(("overlap", "max_runs"), [("skip", None), ("allow", None), ("skip", 5)])
def test_a_released_takeover_hands_the_run_back_to_the_expired_holder(
    b: Backend, overlap: Overlap, max_runs: int | None
) -> None:
    """Not deleted: the next audit would record the run ``missed`` instead of taking it over."""
    b.store.claim(claim(overlap=overlap, max_runs=max_runs))
    taking = claim(holder="B", now=NOW + LEASE + 1, overlap=overlap, max_runs=max_runs, previous="A")
    assert b.store.claim(taking) is None and b.run(T1)["previous_lease"] == NOW + LEASE  # type: ignore[index]
    b.store.release(taking)
    run = b.run(T1)
    assert run is not None and "previous_lease" not in run
    assert (run["status"], run["holder"], run["lease_until"], run["deliveries"]) == ("claimed", "A", NOW + LEASE, 1)
    s = b.state()
    assert "running" not in s and s.get("runs", 0) == (1 if max_runs else 0)  # the first claim's count stays
    again = claim(holder="C", now=NOW + LEASE + 2, overlap=overlap, max_runs=max_runs, previous="A")
    assert b.store.claim(again) is None and b.run(T1)["holder"] == "C"  # type: ignore[index]


# --- a late delivery over the audit's "missed" row -----------------------------------------------------

# allow and skip claim in single-item steps (a fresh claim there meets the missed row first);
# queue and max_runs claim in one transaction.
POLICIES = [("allow", None), ("skip", None), ("queue", None), ("allow", 3), ("skip", 5)]
CATCH_UP = f"{T1}~catch-up"


def test_the_fake_writes_the_audits_missed_error() -> None:
    from cron_adapter.adapters.runs import MISSED_ERROR

    assert FAKE_MISSED_ERROR == MISSED_ERROR


@pytest.mark.parametrize(("overlap", "max_runs"), POLICIES)
def test_a_late_delivery_finds_missed_then_takes_the_row_over_and_records_the_real_outcome(
    b: Backend, overlap: Overlap, max_runs: int | None
) -> None:
    b.missed(T1)
    found = b.run(T1)
    assert found is not None
    with pytest.raises(ClaimConflict) as err:
        b.store.claim(claim(overlap=overlap, max_runs=max_runs))
    assert (err.value.status, err.value.holder) == ("missed", None)
    assert b.run(T1) == found and b.state() == {}
    late = claim(overlap=overlap, max_runs=max_runs, missed=True)
    assert b.store.claim(late) is None
    run = b.run(T1)
    assert run is not None
    assert (run["status"], run["holder"], run["lease_until"], run["deliveries"]) == ("claimed", "A", NOW + LEASE, 1)
    assert run["missed_at"] == found["finished_at"] and "error" not in run and "finished_at" not in run
    s = b.state()
    assert s.get("running_holder") == (None if overlap == "allow" else "A")
    assert s.get("runs", 0) == (1 if overlap == "queue" or max_runs else 0)  # never counted before: counted now
    assert b.store.finish(finish(late)) is None
    run = b.run(T1)
    assert run is not None and (run["status"], run["http_status"]) == ("succeeded", 200)
    assert "error" not in run and run["missed_at"] == found["finished_at"]


def test_a_late_claim_repeated_verbatim_is_applied_once(b: Backend) -> None:
    b.missed(T1)
    late = claim(max_runs=5, missed=True)
    assert b.store.claim(late) is None and b.store.claim(late) is None
    assert (b.run(T1)["deliveries"], b.state()["runs"]) == (1, 1)  # type: ignore[index]


def test_two_late_deliveries_take_the_missed_row_once(b: Backend) -> None:
    b.missed(T1)
    assert b.store.claim(claim(missed=True)) is None
    with pytest.raises(ClaimConflict) as err:
        b.store.claim(claim(holder="B", now=NOW + 1, missed=True))
    assert (err.value.status, err.value.holder) == ("claimed", "A")
    assert b.run(T1)["holder"] == "A" and b.run(T1)["deliveries"] == 1  # type: ignore[index]


@pytest.mark.parametrize(("overlap", "max_runs"), POLICIES)
def test_a_missed_row_with_a_catch_up_planned_is_never_taken(
    b: Backend, overlap: Overlap, max_runs: int | None
) -> None:
    """The catch-up (its own key, ``<time>~catch-up``) owns the time: the late delivery is a duplicate."""
    b.missed(T1, catch_up_at=NOW + 600)
    found = b.run(T1)
    with pytest.raises(ClaimConflict) as err:
        b.store.claim(claim(overlap=overlap, max_runs=max_runs, missed=True))
    assert (err.value.status, err.value.holder) == ("missed", None)
    assert b.run(T1) == found and b.state() == {}
    with pytest.raises(ClaimConflict):
        b.store.record(RunKey(JOB, T1), "skipped", "overlap", NOW, TTL, "h1", over_missed=True)
    assert b.run(T1) == found
    # ... and the catch-up itself runs.
    assert b.store.claim(claim(CATCH_UP, holder="audit", overlap=overlap, max_runs=max_runs)) is None


@pytest.mark.parametrize(("overlap", "max_runs"), POLICIES)
def test_a_missed_row_whose_catch_up_was_claimed_is_never_taken(
    b: Backend, overlap: Overlap, max_runs: int | None
) -> None:
    """A backfill catches a missed time up without ``catch_up_at``: its row alone says the time is taken."""
    b.missed(T1)
    found = b.run(T1)
    assert b.store.claim(claim(CATCH_UP, holder="backfill", overlap=overlap, max_runs=max_runs)) is None
    state = b.state()
    with pytest.raises(ClaimConflict) as err:
        b.store.claim(claim(holder="B", now=NOW + 1, overlap=overlap, max_runs=max_runs, missed=True))
    assert (err.value.status, err.value.holder) == (f"claimed as {CATCH_UP}", None)
    assert b.run(T1) == found and b.state() == state
    with pytest.raises(ClaimConflict):
        b.store.record(RunKey(JOB, T1), "skipped", "overlap", NOW, TTL, "h1", over_missed=True)
    assert b.run(T1) == found


@pytest.mark.parametrize(("overlap", "max_runs"), POLICIES)
def test_a_catch_up_of_a_time_a_late_delivery_took_is_refused(
    b: Backend, overlap: Overlap, max_runs: int | None
) -> None:
    b.missed(T1)
    assert b.store.claim(claim(overlap=overlap, max_runs=max_runs, missed=True)) is None
    state = b.state()
    with pytest.raises(ClaimConflict) as err:
        b.store.claim(claim(CATCH_UP, holder="backfill", now=NOW + 1, overlap=overlap, max_runs=max_runs))
    assert (err.value.status, err.value.holder) == (f"claimed as {T1}", None)
    assert b.run(CATCH_UP) is None and b.state() == state


@pytest.mark.parametrize("base", ["missed", "lost", None])
def test_a_catch_up_runs_while_its_time_is_missed_lost_or_unrecorded(b: Backend, base: str | None) -> None:
    if base == "missed":
        b.missed(T1, catch_up_at=NOW)
    elif base == "lost":
        b.store.claim(claim(holder="dead", now=NOW - LEASE - 10))
        b.store.close_stale(RunKey(JOB, T1), "dead", NOW, "lost", "claimer crashed")
    assert b.store.claim(claim(CATCH_UP, holder="audit", overlap="allow")) is None
    assert b.run(CATCH_UP)["status"] == "claimed"  # type: ignore[index]


def test_a_late_enqueue_takes_the_missed_row_behind_a_live_run(b: Backend) -> None:
    b.store.claim(claim(T2, holder="R", overlap="queue"))
    b.missed(T1)
    found = b.run(T1)
    late = claim(holder="B", now=NOW + 10, overlap="queue", missed=True)
    assert b.store.enqueue(late) is None
    run = b.run(T1)
    assert run is not None and (run["status"], run["holder"], run["missed_at"]) == ("queued", "B", found["finished_at"])  # type: ignore[index]
    assert "error" not in run and b.state()["queued"] == T1
    with pytest.raises(ClaimConflict):
        b.store.enqueue(claim(holder="C", now=NOW + 11, overlap="queue", missed=True))


def test_a_late_skip_is_recorded_over_the_missed_row(b: Backend) -> None:
    b.missed(T1)
    found = b.run(T1)
    key = RunKey(JOB, T1)
    with pytest.raises(ClaimConflict):
        b.store.record(key, "skipped", "overlap", NOW, TTL, "h1")  # not over a row it does not expect
    b.store.record(key, "skipped", "overlap: run t0 still in progress", NOW, TTL, "h1", over_missed=True)
    run = b.run(T1)
    assert run is not None and (run["status"], run["error"]) == ("skipped", "overlap: run t0 still in progress")
    assert run["missed_at"] == found["finished_at"]  # type: ignore[index]
    with pytest.raises(ClaimConflict):
        b.store.record(key, "skipped", "again", NOW, TTL, "h1", over_missed=True)


@pytest.mark.parametrize(("overlap", "max_runs"), POLICIES)
def test_a_released_late_claim_puts_the_missed_row_back(b: Backend, overlap: Overlap, max_runs: int | None) -> None:
    """Not deleted: the next audit would record (and notify) the miss a second time."""
    b.missed(T1)
    found = b.run(T1)
    late = claim(overlap=overlap, max_runs=max_runs, missed=True)
    b.store.claim(late)
    b.store.release(late)
    assert b.run(T1) == found
    s = b.state()
    assert "running" not in s and s.get("runs", 0) == 0
    again = claim(holder="B", now=NOW + 60, overlap=overlap, max_runs=max_runs, missed=True)
    assert b.store.claim(again) is None and b.run(T1)["holder"] == "B"  # type: ignore[index]
