"""The DynamoDB requests of the claim store, built as plain dicts (no calls are made here).

Each builder returns one ``TransactItems`` entry (``{"Update": ...}`` or ``{"Put": ...}``);
every conditional update asks for ``ALL_OLD`` on a failed condition, so the caller learns
*why* a write was refused without a read. The rows are described in
:mod:`cron_adapter.adapters.claims`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cron_adapter.adapters.dynamo_expr import all_of, expr, item, update
from cron_adapter.fire.ports import DROPPED_ERROR, Claim, Finish
from cron_adapter.tablekeys import EXHAUSTED_PK, STATE_SK, run_sk

RUN_FIELDS = (
    "status",
    "holder",
    "lease_until",
    "claimed_at",
    "delivery_attempt",
    "ttl",
    "spec_hash",
    "job_id",
    "scheduled_time",
)
SLOT_FIELDS = ["running", "running_holder", "running_lease"]
TAKEOVER = "#status = :claimed AND #holder = :prev AND #lease_until < :now"
# A late delivery takes the audit's "missed" row over only while no catch-up is planned for it
# (no catch_up_at); a planned catch-up owns the time (docs/reliability.md).
OVER_MISSED = "#status = :missed AND attribute_not_exists(#catch_up_at)"
NEW = "attribute_not_exists(#pk)"


def iso(epoch: float) -> str:
    """Epoch seconds as UTC ISO with centiseconds (``2026-11-23T03:00:05.12Z``)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def key(pk: str, sk: str) -> dict[str, Any]:
    """The ``Key`` parameter of one item."""
    return {"Key": {"pk": {"S": pk}, "sk": {"S": sk}}}


def op(table: str, pk: str, sk: str, values: dict[str, Any], update_expression: str, condition: str | None) -> dict:
    """One conditional ``Update`` of a transaction (or, unwrapped, of an UpdateItem call)."""
    body = {"TableName": table, **key(pk, sk), "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    return {"Update": {**body, **expr(values, UpdateExpression=update_expression, ConditionExpression=condition)}}


def marker(table: str, job_id: str, spec_hash: str, reason: str, now: float) -> dict[str, Any]:
    """The PutItem parameters of the EXHAUSTED marker (unconditional: writing it twice is harmless)."""
    values = {"pk": EXHAUSTED_PK, "sk": job_id, "spec_hash": spec_hash, "reason": reason, "at": iso(now)}
    return {"TableName": table, "Item": item(values)}


def run_values(c: Claim, status: str) -> dict[str, Any]:
    """The values a claim (or an enqueue) writes, plus the tokens its conditions use."""
    return {
        "status": status,
        "holder": c.holder,
        "lease_until": c.lease_until,
        "claimed_at": iso(c.now),
        "delivery_attempt": c.delivery_attempt,
        "ttl": c.ttl,
        "spec_hash": c.spec_hash,
        "job_id": c.key.job_id,
        "scheduled_time": c.key.scheduled_time,
        "st": c.key.scheduled_time,
        "one": 1,
        "now": c.now,
        "claimed": "claimed",
        "queued": "queued",
        "prev": c.previous_holder or "",
        "max": c.max_runs or 0,
        "missed": "missed",
        "lost": "lost",
    }


def mine(c: Claim, status: str) -> dict[str, Any]:
    """What only this claim (or enqueue) leaves on its run row: a retry finding it knows it was applied."""
    return {"status": status, "holder": c.holder, "lease_until": c.lease_until}


def finished(f: Finish) -> dict[str, Any]:
    """What only this finish leaves on its run row."""
    return {"status": f.status, "holder": f.holder, "finished_at": iso(f.now)}


def run_sets() -> dict[str, str]:
    """``SET`` of every run field to the value token of the same name."""
    return {n: n for n in RUN_FIELDS}


def copying(expression: str, copies: dict[str, str]) -> str:
    """``expression`` (``SET ...``) with ``#target = <operand>`` copies of the item's old attributes first.

    DynamoDB reads every operand from the item as it was before the update (moto does too),
    so ``SET #missed_at = #finished_at ... REMOVE #finished_at`` renames an attribute.
    """
    if not copies:
        return expression
    head = ", ".join(f"#{target} = {operand}" for target, operand in copies.items())
    return (
        f"SET {head}, {expression.removeprefix('SET ')}"
        if expression.startswith("SET ")
        else f"SET {head} {expression}"
    )


def _run_write(table: str, c: Claim, status: str, adds: dict[str, str] | None) -> dict[str, Any]:
    """The run row written by a claim or an enqueue: new, taken over from an expired holder, or over ``missed``."""
    values = run_values(c, status)
    if c.previous_holder is not None:  # the lease it took over, for a release to give back
        expression = copying(update(run_sets(), adds), {"previous_lease": "#lease_until"})
        return op(table, c.key.pk, c.key.sk, values, expression, TAKEOVER)
    if c.over_missed:  # the audit's record of the miss stays as missed_at; its error goes
        expression = update(run_sets(), adds, ["error", "finished_at"])
        expression = copying(expression, {"missed_at": "if_not_exists(#finished_at, :claimed_at)"})
        return op(table, c.key.pk, c.key.sk, values, expression, OVER_MISSED)
    return op(table, c.key.pk, c.key.sk, values, update(run_sets(), adds), NEW)


def claim_run(table: str, c: Claim) -> dict[str, Any]:
    """The run row of a claim: new, taken over from an expired holder, or over the audit's ``missed`` row."""
    return _run_write(table, c, "claimed", {"deliveries": "one"})


def keeps_state(c: Claim) -> bool:
    """True when the claim writes the job state: the slot (unless ``allow``), or a new run's count or limit."""
    return c.overlap != "allow" or (c.max_runs is not None and c.previous_holder is None)


def claim_state(table: str, c: Claim) -> dict[str, Any]:
    """The job state of a claim: the overlap slot (unless ``allow``) and the run counter / limit."""
    sets = {"last_claimed": "st"}
    slot = None
    if c.overlap != "allow":
        sets.update({"running": "st", "running_holder": "holder", "running_lease": "lease_until"})
        slot = "attribute_not_exists(#running) OR #running_lease < :now"
        slot += " OR #running_holder = :prev" if c.previous_holder else ""
    takeover = c.previous_holder is not None  # a run over "missed" is new: it was never counted
    limit = "attribute_not_exists(#runs) OR #runs < :max" if c.max_runs is not None and not takeover else None
    counted = not takeover and (c.overlap == "queue" or c.max_runs is not None)  # the count's only readers
    adds = {"runs": "one"} if counted else None
    return op(table, c.key.pk, STATE_SK, run_values(c, "claimed"), update(sets, adds), all_of(slot, limit))


def enqueue_items(table: str, c: Claim) -> list[tuple[str, dict[str, Any]]]:
    """The run row ``queued`` (new, or over ``missed``), and the job state pointing at it while a live run runs.

    A late or catch-up enqueue also needs its guard (:func:`.claim_late.guard`): the caller adds it.
    """
    k, v = c.key, run_values(c, "queued")
    live = "attribute_exists(#running) AND #running_lease >= :now AND attribute_not_exists(#queued)"
    return [
        ("run", _run_write(table, c, "queued", None)),
        ("state", op(table, k.pk, STATE_SK, v, update({"queued": "st"}), live)),
    ]


def finish_values(f: Finish) -> dict[str, Any]:
    """The values a finish writes, plus the tokens its conditions use."""
    return {
        "st": f.key.scheduled_time,
        "status": f.status,
        "claimed": "claimed",
        "holder": f.holder,
        "attempts": f.attempts,
        "duration_ms": f.duration_ms,
        "finished_at": iso(f.now),
        "http_status": f.http_status,
        "error": f.error,
        "max": f.max_runs,
        "one": 1,
    }


def finish_run(table: str, f: Finish, v: dict[str, Any]) -> dict[str, Any]:
    """The run row's outcome, written only while this holder's claim stands."""
    sets = {n: n for n in ("status", "attempts", "duration_ms", "finished_at")}
    sets.update({a: a for a in ("http_status", "error") if v[a] is not None})
    return op(table, f.key.pk, f.key.sk, v, update(sets), "#holder = :holder AND #status = :claimed")


def finish_queued(table: str, f: Finish) -> dict[str, Any] | None:
    """The queued run's row: started by this holder (``promote``), or closed as skipped (``drop_queued``)."""
    pk = f.key.pk
    if f.promote is not None:
        values = run_values(f.promote, "claimed")
        return op(table, pk, f.promote.key.sk, values, update(run_sets(), {"deliveries": "one"}), "#status = :queued")
    if f.drop_queued is not None:
        dv = {"skipped": "skipped", "queued": "queued", "error": DROPPED_ERROR, "finished_at": iso(f.now)}
        sets = update({"status": "skipped", "error": "error", "finished_at": "finished_at"})
        return op(table, pk, run_sk(f.drop_queued), dv, sets, "#status = :queued")
    return None


def finish_state(table: str, f: Finish, v: dict[str, Any]) -> dict[str, Any]:
    """The job state of a finish: release or hand over the slot, clear the queue, check the limit."""
    sets = {"last_run": "st", "last_status": "status", "last_finished_at": "finished_at"}
    removes: list[str] = []
    adds: dict[str, str] = {}
    conds: list[str] = []
    if f.release and f.overlap != "allow":
        conds.append("#running_holder = :holder")
        if f.promote is None:
            removes += SLOT_FIELDS
    if f.promote is not None:
        v.update(next=f.promote.key.scheduled_time, next_lease=f.promote.lease_until)
        sets.update({"running": "next", "running_lease": "next_lease"})
        adds["runs"] = "one"
    queued = f.promote.key.scheduled_time if f.promote else f.drop_queued
    if queued is not None:
        v["q"] = queued
        removes.append("queued")
        conds.append("#queued = :q")
    elif f.release and f.overlap == "queue":
        conds.append("attribute_not_exists(#queued)")
    if f.max_runs is not None and f.exhausted is None:
        conds.append("#runs < :max")  # fails on the job's last run: the service then marks it exhausted
    return op(table, f.key.pk, STATE_SK, v, update(sets, adds, removes), all_of(*conds))


def finish_items(table: str, f: Finish) -> list[tuple[str, dict[str, Any]]]:
    """Every item of a finish transaction, each with its role (run, state, queued, marker)."""
    v = finish_values(f)
    items = [("run", finish_run(table, f, v))]
    if f.overlap != "allow" or f.max_runs is not None:  # else the job keeps no state
        items.append(("state", finish_state(table, f, v)))
    queued = finish_queued(table, f)
    if queued is not None:
        items.append(("queued", queued))
    if f.exhausted:
        items.append(("marker", {"Put": marker(table, f.key.job_id, f.spec_hash, f.exhausted, f.now)}))
    return items
