"""Claims and finishes as single-item writes, for jobs that need little or no job state.

A transaction costs 2 write units per item, a single-item write 1. A job with overlap
``allow`` and no ``max_runs`` needs no job state at all; one with ``skip`` needs only the
overlap slot. Their fresh claims and plain finishes are written in steps, run row first:

    claim   run row  (new, or already this very claim)         1 WRU
            slot     (skip only: free, expired, or already ours) 1 WRU
                     refused -> delete our run row again, return the job state
    finish  run row  (this holder's claim, or already this finish) 1 WRU
            slot     (skip only: release while we hold it)       1 WRU

The run row is written first so that a crash between the steps is the crash the lease
already covers: a claimed run with no slot is taken over (or marked ``lost``) after its
lease, and a finished run whose slot was not released holds the slot only until that lease
ends. Takeovers, ``queue``, ``max_runs`` and finishes that exhaust the job stay
transactions (:mod:`.claim_requests`), as do the rare claims that must check a second row:
a late delivery over the audit's ``missed`` row (here its first claim meets that row and is
refused, ``status: missed``, before the service takes it over) and a new catch-up. See
docs/decisions/claim-writes.md and docs/reliability.md.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from cron_adapter.adapters import claim_requests as rq
from cron_adapter.adapters.claim_calls import job_state, single, unreachable
from cron_adapter.adapters.dynamo_expr import error_code, expr, update
from cron_adapter.errors import ClaimError
from cron_adapter.fire.ports import Claim, Finish, JobState
from cron_adapter.kinds import Overlap
from cron_adapter.tablekeys import STATE_SK

OWN_SLOT = "#running_holder = :holder AND #running_lease = :lease_until"


def in_steps(overlap: Overlap, max_runs: int | None) -> bool:
    """True when the job's claims and finishes are single-item writes (no queue, no run limit)."""
    return overlap != "queue" and max_runs is None


def claim_in_steps(client: Any, table: str, c: Claim) -> JobState | None:
    """A fresh claim: the run row, then (skip) the slot; a refused slot undoes the run row."""
    single(client, c.key, "update_item", rq.claim_run(table, c)["Update"], mine=rq.mine(c, "claimed"))
    if c.overlap == "allow":
        return None
    sets = {"running": "st", "running_holder": "holder", "running_lease": "lease_until", "last_claimed": "st"}
    cond = f"attribute_not_exists(#running) OR #running_lease < :now OR ({OWN_SLOT})"
    state = _state_write(client, rq.op(table, c.key.pk, STATE_SK, rq.run_values(c, "claimed"), update(sets), cond))
    if state is not None:
        _undo(client, table, c)
    return state


def finish_in_steps(client: Any, table: str, f: Finish) -> JobState | None:
    """A plain finish: the run row's outcome, then (skip, releasing) the slot."""
    v = rq.finish_values(f)
    single(client, f.key, "update_item", rq.finish_run(table, f, v)["Update"], mine=rq.finished(f))
    if f.overlap == "allow" or not f.release:
        return None
    sets = {"last_run": "st", "last_status": "status", "last_finished_at": "finished_at"}
    release = update(sets, removes=rq.SLOT_FIELDS)
    # Refused: another run holds the slot. The outcome is written; the service finishes
    # again without release, which finds its own outcome and writes nothing more.
    return _state_write(client, rq.op(table, f.key.pk, STATE_SK, v, release, "#running_holder = :holder"))


def _state_write(client: Any, request: dict[str, Any]) -> JobState | None:
    """One conditional UpdateItem of the job state: None when applied, the old state when refused."""
    try:
        client.update_item(**request["Update"])
        return None
    except BotoCoreError as exc:
        raise unreachable(request["Update"]["Key"]["pk"]["S"], exc) from exc
    except ClientError as exc:
        if error_code(exc) != "ConditionalCheckFailedException":
            raise ClaimError(f"claim store failed on a job state: {error_code(exc)}") from exc
        return job_state(exc.response.get("Item"))


def _undo(client: Any, table: str, c: Claim) -> None:
    """Delete this claim's run row (the slot refused it), so the run can be recorded or claimed again."""
    cond = "#status = :claimed AND #holder = :holder AND #lease_until = :lease_until"
    params = expr(rq.run_values(c, "claimed"), ConditionExpression=cond)
    try:
        client.delete_item(TableName=table, **rq.key(c.key.pk, c.key.sk), **params)
    except BotoCoreError as exc:
        raise unreachable(c.key.job_id, exc) from exc
    except ClientError as exc:
        if error_code(exc) != "ConditionalCheckFailedException":  # refused: the row is no longer ours
            raise ClaimError(f"cannot undo the claim of job {c.key.job_id!r}: {error_code(exc)}") from exc
