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
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from cron_adapter.adapters.aws import FIRE_PATH_CONFIG
from cron_adapter.adapters.dynamo_expr import all_of, error_code, expr, plain, update
from cron_adapter.adapters.dynamo_expr import av as _av
from cron_adapter.errors import ClaimConflict, ClaimError
from cron_adapter.fire.ports import DROPPED_ERROR, Claim, Finish, JobState, RunKey, RunStatus
from cron_adapter.tablekeys import EXHAUSTED_PK, STATE_SK, run_sk

_CONFLICT_RETRIES = 3  # TransactionConflict: another transaction touched the item; brief retry


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def _state(item: dict[str, Any] | None) -> JobState:
    p = plain(item)
    return JobState(
        p.get("running"), p.get("running_holder"), p.get("running_lease"), p.get("queued"), int(p.get("runs", 0))
    )


def _conflict(key: RunKey, item: dict[str, Any] | None) -> ClaimConflict:
    p = plain(item)
    return ClaimConflict(key.job_id, key.scheduled_time, p.get("holder"), p.get("status"), p.get("lease_until"))


def _unreachable(job_id: str, exc: BotoCoreError) -> ClaimError:
    # A timeout or reset that outlived botocore's retries is a store failure like a 5xx: the
    # delivery fails (and is redelivered) and the "failed claims" alarm counts it.
    return ClaimError(f"claim store unreachable for job {job_id!r}: {type(exc).__name__}")


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

    # --- port methods ------------------------------------------------------------------

    def claim(self, claim: Claim) -> JobState | None:
        """One transaction: the run row, and the job's slot / run counter."""
        items = [("run", self._claim_run(claim))]
        if claim.previous_holder is None or claim.overlap != "allow":
            items.append(("state", self._claim_state(claim)))
        return self._transact(claim.key, items)

    def enqueue(self, claim: Claim) -> JobState | None:
        """Write the run ``queued`` and point the job's state at it (only while a run is live)."""
        k, v = claim.key, self._run_values(claim, "queued")
        run = self._op(k.pk, k.sk, v, update(self._run_sets()), "attribute_not_exists(#pk)")
        state = self._op(
            k.pk,
            STATE_SK,
            v,
            update({"queued": "st"}),
            "attribute_exists(#running) AND #running_lease >= :now AND attribute_not_exists(#queued)",
        )
        return self._transact(k, [("run", run), ("state", state)])

    def finish(self, finish: Finish) -> JobState | None:
        """Record the outcome, release/hand over the slot, and maybe mark the job exhausted."""
        f, k = finish, finish.key
        v: dict[str, Any] = {
            "st": k.scheduled_time,
            "status": f.status,
            "claimed": "claimed",
            "holder": f.holder,
            "attempts": f.attempts,
            "duration_ms": f.duration_ms,
            "finished_at": _iso(f.now),
            "http_status": f.http_status,
            "error": f.error,
            "max": f.max_runs,
            "one": 1,
        }
        sets = {"status": "status", "attempts": "attempts", "duration_ms": "duration_ms", "finished_at": "finished_at"}
        sets.update({a: a for a in ("http_status", "error") if v[a] is not None})
        items = [("run", self._op(k.pk, k.sk, v, update(sets), "#holder = :holder AND #status = :claimed"))]
        items.append(("state", self._finish_state(f, v)))
        if f.promote is not None:
            items.append(
                (
                    "queued",
                    self._op(
                        k.pk,
                        f.promote.key.sk,
                        self._run_values(f.promote, "claimed"),
                        update(self._run_sets(), {"deliveries": "one"}),
                        "#status = :queued",
                    ),
                )
            )
        elif f.drop_queued is not None:
            dv = {
                "skipped": "skipped",
                "queued": "queued",
                "error": DROPPED_ERROR,
                "finished_at": _iso(f.now),
            }
            items.append(
                (
                    "queued",
                    self._op(
                        k.pk,
                        run_sk(f.drop_queued),
                        dv,
                        update({"status": "skipped", "error": "error", "finished_at": "finished_at"}),
                        "#status = :queued",
                    ),
                )
            )
        if f.exhausted:
            items.append(("marker", {"Put": self._marker(k.job_id, f.spec_hash, f.exhausted, f.now)}))
        return self._transact(k, items)

    def record(self, key: RunKey, status: RunStatus, error: str, now: float, ttl: int, spec_hash: str) -> None:
        """Write a run that never claimed (e.g. ``skipped``); ClaimConflict if the run exists."""
        item = {
            "pk": key.pk,
            "sk": key.sk,
            "job_id": key.job_id,
            "scheduled_time": key.scheduled_time,
            "status": status,
            "error": error,
            "finished_at": _iso(now),
            "ttl": ttl,
            "spec_hash": spec_hash,
        }
        params = expr({}, ConditionExpression="attribute_not_exists(#pk)")
        self._single(key, "put_item", Item={a: _av(x) for a, x in item.items()}, **params)

    def close_stale(self, key: RunKey, previous_holder: str, now: float, status: RunStatus, error: str) -> None:
        """Close an expired claim (lost/skipped); then free the slot if that claim still holds it."""
        v = {
            "status": status,
            "error": error,
            "finished_at": _iso(now),
            "claimed": "claimed",
            "prev": previous_holder,
            "now": now,
        }
        self._single(
            key,
            "update_item",
            **self._key(key.pk, key.sk),
            **expr(
                v,
                UpdateExpression=update({"status": "status", "error": "error", "finished_at": "finished_at"}),
                ConditionExpression="#status = :claimed AND #holder = :prev AND #lease_until < :now",
            ),
        )
        self._free_slot(key, v, "#running_holder = :prev")

    def _free_slot(self, key: RunKey, values: dict[str, Any], condition: str) -> None:
        """Remove the job's running slot if ``condition`` still holds (else another run has it: fine)."""
        try:
            self.client.update_item(
                TableName=self.table,
                **self._key(key.pk, STATE_SK),
                **expr(
                    values,
                    UpdateExpression=update({}, removes=["running", "running_holder", "running_lease"]),
                    ConditionExpression=condition,
                ),
            )
        except BotoCoreError as exc:
            raise _unreachable(key.job_id, exc) from exc
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise ClaimError(f"cannot free the slot of job {key.job_id!r}: {error_code(exc)}") from exc

    def release(self, key: RunKey, holder: str) -> None:
        """Give back a run claimed by ``holder`` untried: delete it, uncount it, then free its slot."""
        v = {"holder": holder, "claimed": "claimed", "minus": -1, "st": key.scheduled_time}
        cond = "#holder = :holder AND #status = :claimed"
        run = {"Delete": {"TableName": self.table, **self._key(key.pk, key.sk), **expr(v, ConditionExpression=cond)}}
        run["Delete"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        state = self._op(key.pk, STATE_SK, v, update({}, {"runs": "minus"}), None)  # a claimed run was counted once
        self._transact(key, [("run", run), ("count", state)])
        self._free_slot(key, v, "#running_holder = :holder AND #running = :st")

    def mark_exhausted(self, job_id: str, spec_hash: str, reason: str, now: float) -> None:
        """Write pk=EXHAUSTED, sk=<job id>; reconcile reads this partition."""
        try:
            self.client.put_item(**self._marker(job_id, spec_hash, reason, now))
        except BotoCoreError as exc:
            raise _unreachable(job_id, exc) from exc
        except ClientError as exc:
            raise ClaimError(f"cannot mark job {job_id!r} exhausted: {error_code(exc)}") from exc

    # --- request pieces ------------------------------------------------------------------

    def _key(self, pk: str, sk: str) -> dict[str, Any]:
        return {"Key": {"pk": {"S": pk}, "sk": {"S": sk}}}

    def _op(
        self, pk: str, sk: str, values: dict[str, Any], update_expression: str, condition: str | None
    ) -> dict[str, Any]:
        body = {"TableName": self.table, **self._key(pk, sk), "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
        return {"Update": {**body, **expr(values, UpdateExpression=update_expression, ConditionExpression=condition)}}

    def _marker(self, job_id: str, spec_hash: str, reason: str, now: float) -> dict[str, Any]:
        item = {"pk": EXHAUSTED_PK, "sk": job_id, "spec_hash": spec_hash, "reason": reason, "at": _iso(now)}
        return {"TableName": self.table, "Item": {a: _av(x) for a, x in item.items()}}

    @staticmethod
    def _run_sets() -> dict[str, str]:
        names = (
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
        return {n: n for n in names}

    @staticmethod
    def _run_values(c: Claim, status: str) -> dict[str, Any]:
        return {
            "status": status,
            "holder": c.holder,
            "lease_until": c.lease_until,
            "claimed_at": _iso(c.now),
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
        }

    def _claim_run(self, c: Claim) -> dict[str, Any]:
        cond = (
            "attribute_not_exists(#pk)"
            if c.previous_holder is None
            else "#status = :claimed AND #holder = :prev AND #lease_until < :now"
        )
        return self._op(
            c.key.pk, c.key.sk, self._run_values(c, "claimed"), update(self._run_sets(), {"deliveries": "one"}), cond
        )

    def _claim_state(self, c: Claim) -> dict[str, Any]:
        sets = {"last_claimed": "st"}
        slot = None
        if c.overlap != "allow":
            sets.update({"running": "st", "running_holder": "holder", "running_lease": "lease_until"})
            slot = "attribute_not_exists(#running) OR #running_lease < :now"
            slot += " OR #running_holder = :prev" if c.previous_holder else ""
        takeover = c.previous_holder is not None
        limit = "attribute_not_exists(#runs) OR #runs < :max" if c.max_runs is not None and not takeover else None
        adds = None if takeover else {"runs": "one"}
        return self._op(c.key.pk, STATE_SK, self._run_values(c, "claimed"), update(sets, adds), all_of(slot, limit))

    def _finish_state(self, f: Finish, v: dict[str, Any]) -> dict[str, Any]:
        sets, removes, adds, conds = (
            {"last_run": "st", "last_status": "status", "last_finished_at": "finished_at"},
            [],
            {},
            [],
        )
        if f.release and f.overlap != "allow":
            conds.append("#running_holder = :holder")
            if f.promote is None:
                removes += ["running", "running_holder", "running_lease"]
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
        return self._op(f.key.pk, STATE_SK, v, update(sets, adds, removes), all_of(*conds))

    # --- calls and error translation ------------------------------------------------------

    def _transact(self, key: RunKey, items: list[tuple[str, dict[str, Any]]]) -> JobState | None:
        for attempt in range(_CONFLICT_RETRIES + 1):
            try:
                self.client.transact_write_items(TransactItems=[op for _, op in items])
                return None
            except BotoCoreError as exc:
                raise _unreachable(key.job_id, exc) from exc
            except ClientError as exc:
                if error_code(exc) != "TransactionCanceledException":
                    raise ClaimError(f"claim store failed for job {key.job_id!r}: {error_code(exc)}") from exc
                reasons = exc.response.get("CancellationReasons") or []
                failed = {
                    role: r
                    for (role, _), r in zip(items, reasons, strict=False)
                    if r.get("Code") == "ConditionalCheckFailed"
                }
                if "run" in failed:
                    raise _conflict(key, failed["run"].get("Item")) from exc
                if "state" in failed:
                    return _state(failed["state"].get("Item"))
                codes = {r.get("Code") for r in reasons}
                if (
                    codes <= {"None", "TransactionConflict"}
                    and "TransactionConflict" in codes
                    and attempt < _CONFLICT_RETRIES
                ):
                    time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
                    continue
                raise ClaimError(
                    f"claim transaction for job {key.job_id!r} cancelled: {sorted(map(str, codes))}"
                ) from exc
        raise ClaimError(f"claim transaction for job {key.job_id!r} kept conflicting")

    def _single(self, key: RunKey, method: str, **params: Any) -> None:
        try:
            getattr(self.client, method)(TableName=self.table, ReturnValuesOnConditionCheckFailure="ALL_OLD", **params)
        except BotoCoreError as exc:
            raise _unreachable(key.job_id, exc) from exc
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise _conflict(key, exc.response.get("Item")) from exc
            raise ClaimError(f"claim store failed for job {key.job_id!r}: {error_code(exc)}") from exc
