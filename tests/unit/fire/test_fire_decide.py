"""The pure decisions of the claim rounds, on literal answers."""

from __future__ import annotations

from msgspec.structs import replace

from cron_adapter import constants as c
from cron_adapter.errors import ClaimConflict
from cron_adapter.fire import decide
from cron_adapter.fire.ports import Claim, JobState, RunKey
from tests.unit.fire.conftest import make_input

NOW = 1000.0
FIRE = make_input(overlap="queue", max_runs=5)
CLAIM = Claim(
    key=RunKey(job_id="nightly-report", scheduled_time="2026-11-23T03:00:00Z"),
    holder="req-1",
    delivery_attempt=1,
    now=NOW,
    lease_until=NOW + 100,
    ttl=0,
    overlap="queue",
    max_runs=5,
    spec_hash="h",
)
FIRST = decide.ClaimAgain(tries=decide.CLAIM_TRIES)


def conflict(status: str, holder: str | None = "old", lease: float | None = NOW - 1) -> decide.Answer:
    return decide.Answer(conflict=ClaimConflict("nightly-report", "t", holder, status, lease))


def test_a_won_claim_runs_and_a_won_enqueue_waits() -> None:
    assert decide.next_step(FIRE, CLAIM, FIRST, decide.Answer()) == decide.Run()
    queued = decide.next_step(FIRE, CLAIM, decide.Enqueue(tries=1, behind="t0"), decide.Answer())
    assert queued == decide.Queued(behind="t0")


def test_a_live_or_closed_run_is_a_duplicate_and_an_expired_one_is_taken_over_once() -> None:
    assert decide.next_step(FIRE, CLAIM, FIRST, conflict("succeeded")) == decide.Duplicate(
        error="run already succeeded"
    )
    live = conflict("claimed", lease=NOW + 5)
    assert decide.next_step(FIRE, CLAIM, FIRST, live) == decide.Duplicate(error="run already claimed")
    take = decide.next_step(FIRE, CLAIM, FIRST, conflict("claimed"))
    assert take == decide.ClaimAgain(tries=1, previous_holder="old")
    again = replace(CLAIM, previous_holder="old")
    assert isinstance(decide.next_step(FIRE, again, take, conflict("claimed")), decide.Duplicate)


def test_at_most_once_marks_an_expired_claim_lost() -> None:
    fire = make_input(delivery="at-most-once")
    assert decide.next_step(fire, CLAIM, FIRST, conflict("claimed")) == decide.MarkLost(holder="old")


def test_a_busy_job_skips_queues_or_claims_again() -> None:
    running = JobState(running="t0", running_holder="other", running_lease=NOW + 50, runs=1)
    assert decide.next_step(FIRE, CLAIM, FIRST, decide.Answer(state=running)) == decide.Enqueue(tries=1, behind="t0")
    full = JobState(running="t0", running_lease=NOW + 50, queued="t1", runs=1)
    skip = decide.next_step(FIRE, CLAIM, FIRST, decide.Answer(state=full))
    assert skip == decide.Skip(error="overlap: run t0 still in progress", metric=c.METRIC_SKIPPED_OVERLAP)
    freed = JobState(running="t0", running_lease=NOW - 1, runs=1)
    assert decide.next_step(FIRE, CLAIM, FIRST, decide.Answer(state=freed)) == decide.ClaimAgain(tries=1)
    spent = decide.next_step(FIRE, CLAIM, decide.Enqueue(tries=-1, behind="t0"), decide.Answer(state=running))
    assert isinstance(spent, decide.Skip) and spent.metric == c.METRIC_SKIPPED_OVERLAP


def test_the_run_limit_exhausts_the_job() -> None:
    state = decide.Answer(state=JobState(runs=5))
    assert decide.next_step(FIRE, CLAIM, FIRST, state) == decide.Skip(error="max_runs 5 reached", exhaust="max_runs")


def test_a_catch_up_that_finds_the_slot_held_is_given_back_not_skipped() -> None:
    """Skipped, it would be recorded under its run key and never caught up again."""
    fire = replace(make_input(), run="catch-up")
    running = decide.Answer(state=JobState(running="t0", running_holder="other", running_lease=NOW + 50))
    spent = decide.Enqueue(tries=-1, behind="t0")
    assert decide.next_step(fire, CLAIM, spent, running) == decide.Busy(error="overlap: run t0 still in progress")
    takeover = replace(CLAIM, previous_holder="old")  # a stale catch-up row exists: closed as skipped
    assert isinstance(decide.next_step(fire, takeover, spent, running), decide.Skip)
    assert isinstance(decide.next_step(make_input(), CLAIM, spent, running), decide.Skip)
