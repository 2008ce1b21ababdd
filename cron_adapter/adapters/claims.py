"""The claim store on DynamoDB: run records and per-job state in the one table.

Rows (``pk`` / ``sk``)::

    JOB#<id> / RUN#<2026-11-23T03:00:00Z>   one run; "did (job, time) run?" = one GetItem
    JOB#<id> / STATE                        running / running_holder / running_lease / queued / runs
    EXHAUSTED / <id>                        spec_hash, reason, at: reconcile must not recreate it

A claim is one TransactWriteItems (run + state); a finish is another. Condition failures
come back as cancellation reasons carrying the old item (ReturnValuesOnConditionCheckFailure),
so the service learns *why* without a read. The race, as DynamoDB serialises it::

    delivery A: claim(RUN#t: attribute_not_exists(pk)) ──> committed
    delivery B: claim(RUN#t: attribute_not_exists(pk)) ──> cancelled, Item={status: claimed, holder: A}
                                                           -> ClaimConflict, nothing called

The requests are built in :mod:`.claim_requests`; the calls and their error translation
are in :mod:`.claim_calls`.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from cron_adapter.adapters import claim_requests as rq
from cron_adapter.adapters.aws import FIRE_PATH_CONFIG
from cron_adapter.adapters.claim_calls import single, transact, unreachable
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
        """One transaction: the run row, and the job's slot / run counter."""
        items = [("run", rq.claim_run(self.table, claim))]
        if claim.previous_holder is None or claim.overlap != "allow":
            items.append(("state", rq.claim_state(self.table, claim)))
        return transact(self.client, claim.key, items, rq.mine(claim, "claimed"))

    def enqueue(self, claim: Claim) -> JobState | None:
        """Write the run ``queued`` and point the job's state at it (only while a run is live)."""
        return transact(self.client, claim.key, rq.enqueue_items(self.table, claim), rq.mine(claim, "queued"))

    def finish(self, finish: Finish) -> JobState | None:
        """Record the outcome, release/hand over the slot, and maybe mark the job exhausted."""
        return transact(self.client, finish.key, rq.finish_items(self.table, finish), rq.finished(finish))

    def record(self, key: RunKey, status: RunStatus, error: str, now: float, ttl: int, spec_hash: str) -> None:
        """Write a run that never claimed (e.g. ``skipped``); ClaimConflict if the run exists."""
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
        single(self.client, self.table, key, "put_item", Item=item(row), **params)

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
        single(self.client, self.table, key, "update_item", **rq.key(key.pk, key.sk), **params)
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

    def release(self, key: RunKey, holder: str) -> None:
        """Give back a run claimed by ``holder`` untried: delete it, uncount it, then free its slot."""
        v = {"holder": holder, "claimed": "claimed", "minus": -1, "st": key.scheduled_time}
        cond = "#holder = :holder AND #status = :claimed"
        run = {"Delete": {"TableName": self.table, **rq.key(key.pk, key.sk), **expr(v, ConditionExpression=cond)}}
        run["Delete"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        state = rq.op(self.table, key.pk, STATE_SK, v, update({}, {"runs": "minus"}), None)  # counted once
        transact(self.client, key, [("run", run), ("count", state)])
        self._free_slot(key, v, "#running_holder = :holder AND #running = :st")

    def mark_exhausted(self, job_id: str, spec_hash: str, reason: str, now: float) -> None:
        """Write pk=EXHAUSTED, sk=<job id>; reconcile reads this partition."""
        try:
            self.client.put_item(**rq.marker(self.table, job_id, spec_hash, reason, now))
        except BotoCoreError as exc:
            raise unreachable(job_id, exc) from exc
        except ClientError as exc:
            raise ClaimError(f"cannot mark job {job_id!r} exhausted: {error_code(exc)}") from exc
