"""The claim store on DynamoDB: run records and per-job state in the one table.

Rows (``pk`` / ``sk``)::

    JOB#<id> / RUN#<2026-11-23T03:00:00Z>   one run; "did (job, time) run?" = one GetItem
    JOB#<id> / STATE                        running / running_holder / running_lease / queued / runs
    EXHAUSTED / <id>                        spec_hash, reason, at: reconcile must not recreate it

A job with overlap ``allow``/``skip`` and no ``max_runs`` claims and finishes with
single-item writes (:mod:`.claim_steps`: 2 or 4 write units a fire). Otherwise, and for
takeovers (of an expired lease, or of a ``missed`` row by a late delivery) and catch-ups, a
claim is one TransactWriteItems (run + state, and a guard) and a finish another (8 units).
Condition failures carry the old item (ReturnValuesOnConditionCheckFailure), so the
service learns *why* without a read. The race, as DynamoDB serialises it::

    delivery A: claim(RUN#t: attribute_not_exists(pk)) ──> committed
    delivery B: claim(RUN#t: attribute_not_exists(pk)) ──> cancelled, Item={status: claimed, holder: A}
                                                           -> ClaimConflict, nothing called

The requests are built in :mod:`.claim_requests`; the calls and their error translation
are in :mod:`.claim_calls`. See docs/decisions/claim-writes.md.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from cron_adapter.adapters import claim_late as late
from cron_adapter.adapters import claim_requests as rq
from cron_adapter.adapters.aws import FIRE_PATH_CONFIG
from cron_adapter.adapters.claim_calls import single, transact, unreachable
from cron_adapter.adapters.claim_steps import claim_in_steps, finish_in_steps, in_steps
from cron_adapter.adapters.dynamo_expr import error_code, expr, item, update
from cron_adapter.errors import ClaimError
from cron_adapter.fire.ports import Claim, Finish, JobState, RunKey, RunStatus
from cron_adapter.tablekeys import STATE_SK


class DynamoClaimStore:
    """:class:`~cron_adapter.fire.ports.ClaimStore` on one DynamoDB table; the client is lazy."""

    def __init__(self, table: str, client: Any | None = None) -> None:
        self.table = table
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("dynamodb", config=FIRE_PATH_CONFIG)
        return self._client

    def claim(self, claim: Claim) -> JobState | None:
        """Single-item writes where the job allows (:mod:`.claim_steps`), else one transaction.

        Takeovers (of an expired lease or of a ``missed`` row) and new catch-ups are always
        transactions: a takeover checks the slot, and a late delivery over ``missed`` and a
        catch-up each check the other's row (:func:`.claim_late.guard`).
        """
        check = late.guard(self.table, claim)
        fresh = claim.previous_holder is None and not claim.over_missed and check is None
        if fresh and in_steps(claim.overlap, claim.max_runs):
            return claim_in_steps(self.client, self.table, claim)
        items = [("run", rq.claim_run(self.table, claim))]
        if check is not None:
            items.append(("guard", check))
        if rq.keeps_state(claim):
            items.append(("state", rq.claim_state(self.table, claim)))
        return transact(self.client, claim.key, items, rq.mine(claim, "claimed"))

    def enqueue(self, claim: Claim) -> JobState | None:
        """Write the run ``queued`` and point the job's state at it (only while a run is live)."""
        items, check = rq.enqueue_items(self.table, claim), late.guard(self.table, claim)
        if check is not None:
            items.insert(1, ("guard", check))
        return transact(self.client, claim.key, items, rq.mine(claim, "queued"))

    def finish(self, finish: Finish) -> JobState | None:
        """Record the outcome, release/hand over the slot, and maybe mark the job exhausted."""
        f = finish
        if in_steps(f.overlap, f.max_runs) and not (f.exhausted or f.promote or f.drop_queued):
            return finish_in_steps(self.client, self.table, f)
        return transact(self.client, finish.key, rq.finish_items(self.table, finish), rq.finished(finish))

    def record(
        self,
        key: RunKey,
        status: RunStatus,
        error: str,
        now: float,
        ttl: int,
        spec_hash: str,
        over_missed: bool = False,
    ) -> None:
        """Write a run that never claimed (e.g. ``skipped``); ClaimConflict if the run exists.

        ``over_missed``: over the audit's ``missed`` row instead, while no catch-up owns the time.
        """
        if over_missed:
            items = late.record_over_missed(self.table, key, status, error, now, ttl, spec_hash)
            if transact(self.client, key, items) is not None:  # there is no state item to refuse
                raise ClaimError(f"record of job {key.job_id!r} refused by an unexpected item")
            return
        row = {
            "pk": key.pk,
            "sk": key.sk,
            "job_id": key.job_id,
            "scheduled_time": key.scheduled_time,
            "status": status,
            "error": error,
            "finished_at": rq.iso(now),
            "ttl": ttl,
            "spec_hash": spec_hash,
        }
        params = expr({}, ConditionExpression="attribute_not_exists(#pk)")
        single(self.client, key, "put_item", {"TableName": self.table, "Item": item(row), **params})

    def close_stale(self, key: RunKey, previous_holder: str, now: float, status: RunStatus, error: str) -> None:
        """Close an expired claim (lost/skipped); then free the slot if that claim still holds it."""
        v: dict[str, Any] = {
            "status": status,
            "error": error,
            "finished_at": rq.iso(now),
            "claimed": "claimed",
            "prev": previous_holder,
        }
        v["now"] = now
        sets = update({"status": "status", "error": "error", "finished_at": "finished_at"})
        params = expr(v, UpdateExpression=sets, ConditionExpression=rq.TAKEOVER)
        single(self.client, key, "update_item", {"TableName": self.table, **rq.key(key.pk, key.sk), **params})
        self._free_slot(key, v, "#running_holder = :prev")

    def _free_slot(self, key: RunKey, values: dict[str, Any], condition: str) -> None:
        """Remove the job's running slot if ``condition`` still holds (else another run has it: fine)."""
        free = expr(values, UpdateExpression=update({}, removes=rq.SLOT_FIELDS), ConditionExpression=condition)
        try:
            self.client.update_item(TableName=self.table, **rq.key(key.pk, STATE_SK), **free)
        except BotoCoreError as exc:
            raise unreachable(key.job_id, exc) from exc
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise ClaimError(f"cannot free the slot of job {key.job_id!r}: {error_code(exc)}") from exc

    def release(self, claim: Claim) -> None:
        """Give back a won claim untried: restore or delete its run row, uncount it, then free its slot.

        A new run's row is deleted; a row the claim took over is put back as it was
        (:func:`.claim_late.give_back`): a takeover's to the earlier holder with its
        expired lease, a late delivery's to ``missed``. Only ``queue`` and ``max_runs`` jobs
        count runs, and a takeover was never counted: where the state has no count, the
        uncounting transaction is refused and the run row alone is written (a rare path).
        """
        key, holder = claim.key, claim.holder
        v = {"holder": holder, "claimed": "claimed", "minus": -1, "st": key.scheduled_time}
        cond = "#holder = :holder AND #status = :claimed"
        if claim.previous_holder is not None or claim.over_missed:
            restore = late.give_back(self.table, claim)["Update"]
            write, method = {"Update": restore}, "update_item"
        else:
            restore = {"TableName": self.table, **rq.key(key.pk, key.sk), **expr(v, ConditionExpression=cond)}
            write, method = {"Delete": {**restore, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}, "delete_item"
        count = rq.op(self.table, key.pk, STATE_SK, v, update({}, {"runs": "minus"}), "attribute_exists(#runs)")
        # A takeover was never counted; elsewhere the transaction is refused where no count is kept.
        both = claim.previous_holder is None and transact(self.client, key, [("run", write), ("state", count)]) is None
        if not both:  # the run row alone
            single(self.client, key, method, restore)
        self._free_slot(key, v, "#running_holder = :holder AND #running = :st")

    def mark_exhausted(self, job_id: str, spec_hash: str, reason: str, now: float) -> None:
        """Write pk=EXHAUSTED, sk=<job id>; reconcile reads this partition."""
        try:
            self.client.put_item(**rq.marker(self.table, job_id, spec_hash, reason, now))
        except BotoCoreError as exc:
            raise unreachable(job_id, exc) from exc
        except ClientError as exc:
            raise ClaimError(f"cannot mark job {job_id!r} exhausted: {error_code(exc)}") from exc
