"""Pure decisions of the fire's claim rounds and of its finish: what the store's answer means.

The fire service makes one store call per round and asks :func:`next_step` what to do with
the answer; :func:`adjust_finish` does the same for a finish the store refused. Nothing here
reads a clock or calls a store: ``now`` and the Lambda ``deadline`` are parameters.
"""

from __future__ import annotations

import msgspec
from msgspec.structs import replace

from cron_adapter import constants as c
from cron_adapter.errors import ClaimConflict, ClaimError
from cron_adapter.fire.call import CallResult
from cron_adapter.fire.input import CATCH_UP_LABEL, FireInput
from cron_adapter.fire.policy import DEADLINE_SAFETY_SECONDS, lease_until, target_timeout
from cron_adapter.fire.ports import Claim, Finish, JobState, RunKey

CLAIM_TRIES = 2  # claim rounds after a refusal by the job's state (its slot freed meanwhile)
# One full attempt must fit before the deadline (plus recording time) to start the queued run.
PROMOTE_SLACK_SECONDS = DEADLINE_SAFETY_SECONDS + 5


class Answer(msgspec.Struct, frozen=True):
    """The store's answer to one round's write: won (neither set), a conflict, or the refusing job state."""

    conflict: ClaimConflict | None = None
    state: JobState | None = None


class ClaimAgain(msgspec.Struct, frozen=True):
    """Claim (again): the slot was freed meanwhile, or take over ``previous_holder``'s expired lease.

    ``over_missed``: take over the ``missed`` row the audit wrote (a late delivery).
    """

    tries: int
    previous_holder: str | None = None
    over_missed: bool = False


class Enqueue(msgspec.Struct, frozen=True):
    """Queue behind the running run ``behind`` (``overlap: queue``)."""

    tries: int
    behind: str | None


class Run(msgspec.Struct, frozen=True):
    """The claim is won: call the target."""


class Queued(msgspec.Struct, frozen=True):
    """The run waits behind ``behind``; the running run starts it when it finishes."""

    behind: str | None


class Duplicate(msgspec.Struct, frozen=True):
    """Another delivery has, or had, this run: nothing is called."""

    error: str


class MarkLost(msgspec.Struct, frozen=True):
    """At-most-once: ``holder`` died holding the claim; close the run ``lost``, do not call."""

    holder: str


class Skip(msgspec.Struct, frozen=True):
    """Record the run ``skipped`` without calling; ``exhaust`` also stops the job."""

    error: str
    exhaust: str | None = None
    metric: str | None = None


class Busy(msgspec.Struct, frozen=True):
    """A catch-up found the job's slot held: give it back untried, recorded nowhere.

    Skipped, it would be recorded under its run key and so never caught up again; the next
    audit fires it once the slot is free.
    """

    error: str


Step = ClaimAgain | Enqueue | Run | Queued | Duplicate | MarkLost | Skip | Busy


def next_step(fire: FireInput, claim: Claim, done: ClaimAgain | Enqueue, answer: Answer) -> Step:
    """What to do after the store gave ``answer`` to the write ``done`` (a claim or an enqueue) of ``claim``."""
    if answer.conflict is not None:
        return _on_conflict(fire, claim, answer.conflict)
    if answer.state is None:
        return Run() if isinstance(done, ClaimAgain) else Queued(behind=done.behind)
    return _on_busy(fire, claim, answer.state, done.tries)


def _on_conflict(fire: FireInput, claim: Claim, conflict: ClaimConflict) -> Step:
    if conflict.status == "missed" and claim.previous_holder is None:
        # A late delivery (Lambda keeps throttled events for hours, EventBridge retries for an
        # hour) of a run the audit already recorded missed: the target was never called, so
        # it runs now, unless a catch-up owns the time (the store refuses the takeover then).
        if claim.over_missed:
            return Duplicate(error="run already missed, and its catch-up owns it")
        return ClaimAgain(tries=1, over_missed=True)
    expired = conflict.status == "claimed" and conflict.lease_until is not None and conflict.lease_until < claim.now
    if not expired or claim.previous_holder is not None or conflict.holder is None:
        return Duplicate(error=f"run already {conflict.status}")
    if fire.job.delivery == "at-most-once":
        return MarkLost(holder=conflict.holder)
    return ClaimAgain(tries=1, previous_holder=conflict.holder)  # at-least-once: take the expired claim over


def _on_busy(fire: FireInput, claim: Claim, state: JobState, tries: int) -> Step:
    job, takeover = fire.job, claim.previous_holder is not None
    if job.max_runs is not None and state.runs >= job.max_runs and not takeover:
        return Skip(error=f"max_runs {job.max_runs} reached", exhaust="max_runs")
    if state.slot_free(claim.now) and tries > 0:  # the running run finished in between
        return ClaimAgain(tries=tries - 1, previous_holder=claim.previous_holder, over_missed=claim.over_missed)
    if job.overlap == "queue" and state.queued is None and not takeover and tries >= 0:
        return Enqueue(tries=tries - 1, behind=state.running)
    error = f"overlap: run {state.running} still in progress"
    if fire.run == CATCH_UP_LABEL and not takeover:  # the refused claim left no row behind
        return Busy(error=error)
    return Skip(error=error, metric=c.METRIC_SKIPPED_OVERLAP)


def new_claim(fire: FireInput, key: RunKey, holder: str, now: float, deadline: float, retention_days: int) -> Claim:
    """A fresh claim of ``key`` by ``holder``: leased from ``now``, kept ``retention_days``."""
    return Claim(
        key=key,
        holder=holder,
        delivery_attempt=fire.attempt,
        now=now,
        lease_until=lease_until(fire.job, now, deadline),
        ttl=int(now + retention_days * 86400),
        overlap=fire.job.overlap,
        max_runs=fire.job.max_runs,
        spec_hash=fire.spec_hash,
    )


def adjust_finish(
    fire: FireInput, fin: Finish, state: JobState, now: float, deadline: float, retention_days: int
) -> Finish:
    """The next finish to try after the store refused ``fin`` because of the job's ``state``."""
    if fin.release and fin.overlap != "allow" and state.running_holder != fin.holder:
        return replace(fin, release=False, promote=None, drop_queued=None)
    if fin.max_runs is not None and state.runs >= fin.max_runs and fin.exhausted is None:
        return replace(fin, exhausted="max_runs", promote=None, drop_queued=state.queued if fin.release else None)
    # Only the run holding the job's slot may start or drop the queued run.
    if fin.release and state.queued and fin.promote is None and fin.drop_queued is None:
        if fin.exhausted or deadline - now < target_timeout(fire.job) + PROMOTE_SLACK_SECONDS:
            return replace(fin, drop_queued=state.queued)
        key = RunKey(job_id=fin.key.job_id, scheduled_time=state.queued)
        return replace(fin, promote=new_claim(fire, key, fin.holder, now, deadline, retention_days))
    raise ClaimError(f"finish of job {fin.key.job_id!r} refused by an unexpected job state")


def called_finish(fire: FireInput, claim: Claim, result: CallResult, now: float) -> Finish:
    """The finish of a called run; ``gone`` and a one-shot job's run exhaust the job."""
    exhausted = "gone" if result.status == "gone" else ("one_shot" if fire.job.one_shot else None)
    return Finish(
        key=claim.key,
        holder=claim.holder,
        status=result.status,
        attempts=result.attempts,
        http_status=result.http_status,
        duration_ms=result.duration_ms,
        error=result.error,
        now=now,
        overlap=fire.job.overlap,
        max_runs=fire.job.max_runs,
        spec_hash=fire.spec_hash,
        ttl=claim.ttl,
        exhausted=exhausted,
    )
