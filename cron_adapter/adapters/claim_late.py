"""The claim store's requests for late deliveries, catch-ups and releases (plain dicts, no calls).

A late delivery of a run the audit recorded ``missed`` and a catch-up of that time are
claimed under two keys (``<time>`` and ``<time>~catch-up``); each checks the other's row in
the transaction of its claim (:func:`guard`), so at most one of the two calls the target. A
release puts back the row a claim took over (:func:`give_back`). See docs/reliability.md.
"""

from __future__ import annotations

from typing import Any

from cron_adapter.adapters.claim_requests import NEW, OVER_MISSED, copying, iso, key, op, run_values
from cron_adapter.adapters.dynamo_expr import expr, update
from cron_adapter.fire.ports import Claim, RunKey

# A catch-up runs only while its time's own row is still missed or lost (or was never written).
CATCH_UP_BASE = "attribute_not_exists(#pk) OR #status IN (:missed, :lost)"
# What a claim adds to a row that a release must take away again to restore the row it found.
CLAIM_ONLY_FIELDS = ["holder", "lease_until", "claimed_at", "delivery_attempt", "spec_hash", "deliveries"]


def guard(table: str, c: Claim) -> dict[str, Any] | None:
    """The ``ConditionCheck`` that keeps a late delivery and a catch-up of one time from both running.

    Over ``missed``: no catch-up row may exist. A new catch-up (or queued catch-up): the
    time's own row must still be ``missed`` or ``lost``, or absent. The two checks and the
    writes they sit beside are one transaction each, so of the two only one can commit.
    """
    if c.over_missed:
        target, condition = c.key.catch_up, NEW
    elif c.previous_holder is None and c.key.caught_up is not None:
        target, condition = c.key.caught_up, CATCH_UP_BASE
    else:
        return None
    params = expr(run_values(c, "claimed"), ConditionExpression=condition)
    body = {"TableName": table, **key(target.pk, target.sk), "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    return {"ConditionCheck": {**body, **params}}


def record_over_missed(
    table: str, k: RunKey, status: str, error: str, now: float, ttl: int, spec_hash: str
) -> list[tuple[str, dict[str, Any]]]:
    """A never-claimed run's terminal row written over the audit's ``missed`` row (and its guard)."""
    v = {"status": status, "error": error, "finished_at": iso(now), "ttl": ttl, "spec_hash": spec_hash}
    v.update(job_id=k.job_id, scheduled_time=k.scheduled_time, missed="missed")
    expression = copying(
        update({n: n for n in v if n != "missed"}), {"missed_at": "if_not_exists(#finished_at, :finished_at)"}
    )
    body = {"TableName": table, **key(k.catch_up.pk, k.catch_up.sk), "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    return [
        ("run", op(table, k.pk, k.sk, v, expression, OVER_MISSED)),
        ("guard", {"ConditionCheck": {**body, **expr({}, ConditionExpression=NEW)}}),
    ]


def give_back(table: str, c: Claim) -> dict[str, Any]:
    """The release of a won, untried claim that found a row: put that row back as it was.

    A takeover hands the run back to the earlier holder with its expired lease (kept as
    ``previous_lease``), so the next delivery or the audit takes it over again; a claim over
    ``missed`` puts the audit's ``missed`` row back, for the next delivery to take again.
    Only this holder's live claim is given back.
    """
    from cron_adapter.adapters.runs import MISSED_ERROR  # the release is rare: off the cold start

    v: dict[str, Any] = {"holder": c.holder, "claimed": "claimed", "prev": c.previous_holder or "", "minus": -1}
    cond = "#holder = :holder AND #status = :claimed"
    if c.previous_holder is not None:
        expression = update({"holder": "prev"}, {"deliveries": "minus"}, ["previous_lease"])
        expression = copying(expression, {"lease_until": "#previous_lease"})
        return op(table, c.key.pk, c.key.sk, v, expression, f"{cond} AND attribute_exists(#previous_lease)")
    v.update(missed="missed", error=MISSED_ERROR, released_at=iso(c.now))
    expression = update({"status": "missed", "error": "error"}, None, [*CLAIM_ONLY_FIELDS, "missed_at"])
    expression = copying(expression, {"finished_at": "if_not_exists(#missed_at, :released_at)"})
    return op(table, c.key.pk, c.key.sk, v, expression, cond)
