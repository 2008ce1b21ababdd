"""DynamoDB ledger, lease lock, job markers (exhausted, paused) and reconcile status (one table).

Items (keys from ``cron_adapter.tablekeys``)::

    pk=LEDGER#<group>     sk=<schedule name>      v = "~<name>|<spec_hash>|<last_modified>|<state>|<job_id>"
    pk=LOCK               sk=reconcile#<group>    holder, expires_at, generation
    pk=EXHAUSTED          sk=<job id>             spec_hash, reason  (fire: finished; audit: paused_after_failures)
    pk=STATUS#<group>     sk=version#<id>|<ETag>|latest status, counts, problems, finished_at, ttl
    pk=UNSCHEDULED        sk=<group>              ids (string set; no item when none)

The lock is a lease: a conditional update that succeeds when nobody holds it or the
holder's lease has expired, and, when the caller planned without the lock, when no other
reconcile has applied since (``generation`` unchanged)::

    A: peek g=4 ... plan ... acquire(g=4) ok ... apply ... release g=5
    B:        peek g=4 ... plan ........... acquire(g=4) -> LockHeld (A holds it)
    C:                                              peek g=5 -> plans on fresh state

Like the claim store, it speaks the low-level client through ``dynamo_expr`` (no boto3
resource layer, which costs import time and turns numbers into Decimals).
"""

from __future__ import annotations

import time
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

from cron_adapter import tablekeys as keys
from cron_adapter.adapters.dynamo_expr import error_code, expr, item, plain
from cron_adapter.constants import STATUS_TTL_SECONDS
from cron_adapter.errors import LockHeld, LockMoved, ReconcileError
from cron_adapter.ops.records import PAUSE_REASON
from cron_adapter.reconcile.model import JobMarkers, LedgerEntry
from cron_adapter.reconcile.ports import LockState

BATCH_SIZE = 25  # BatchWriteItem maximum
BATCH_ATTEMPTS = 6  # UnprocessedItems are re-sent with a growing pause
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 8})
_ACQUIRE_IF = (
    "(attribute_not_exists(#holder) OR #expires_at < :now OR #holder = :h) "
    "AND (attribute_not_exists(#generation) OR #generation = :g)"
)
_RELEASE = "REMOVE #holder, #expires_at SET #generation = if_not_exists(#generation, :z) + :inc"


def _encode(entry: LedgerEntry) -> str:
    """One compact attribute ``~name|spec_hash|last_modified|state|job_id``.

    Every reconcile reads the whole ledger; one projected attribute per schedule keeps that
    read small (fewer Query pages and read units). Names and states never hold ``|``; the
    job id, which may, comes last. The leading ``~`` (never in a schedule name) marks this
    form; entries written before the state was recorded (``name|spec|last_modified|job_id``)
    still decode, with an unknown state.
    """
    return f"~{entry.name}|{entry.spec_hash}|{entry.last_modified or ''}|{entry.state or ''}|{entry.job_id}"


def _decode(value: str) -> LedgerEntry:
    if not value.startswith("~"):
        name, spec_hash, last_modified, job_id = value.split("|", 3)
        return LedgerEntry(name, job_id, spec_hash, last_modified or None)
    name, spec_hash, last_modified, state, job_id = value[1:].split("|", 4)
    return LedgerEntry(name, job_id, spec_hash, last_modified or None, state or None)


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


class Ledger:
    """The reconcile's DynamoDB items for one schedule group; the client is lazy."""

    def __init__(self, table_name: str, group: str, client: Any | None = None) -> None:
        self.table_name = table_name
        self.group = group
        self._client = client
        self.lock_key = _key(keys.LOCK_PK, keys.lock_sk(group))
        self.unscheduled_key = _key(keys.UNSCHEDULED_PK, group)

    @property
    def client(self) -> Any:
        """The boto3 DynamoDB client, created on first use (honours AWS_ENDPOINT_URL)."""
        if self._client is None:
            import boto3

            self._client = boto3.client("dynamodb", config=CLIENT_CONFIG)
        return self._client

    def _query(self, pk: str, projection: str | None = None) -> list[dict[str, Any]]:
        params = expr({"pk": pk}, KeyConditionExpression="#pk = :pk", ProjectionExpression=projection)
        params.update(TableName=self.table_name, ConsistentRead=True)
        items: list[dict[str, Any]] = []
        while True:
            page = self.client.query(**params)
            items += page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return items
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def entries(self) -> dict[str, LedgerEntry]:
        """Every ledger entry of the group, by schedule name (only ``v`` is read)."""
        entries = (_decode(i["v"]["S"]) for i in self._query(keys.ledger_pk(self.group), "#v"))
        return {e.name: e for e in entries}

    def markers(self) -> JobMarkers:
        """Job id -> spec hash of every marker, finished (the fire path) or paused (the audit): one Query."""
        rows = [plain(i) for i in self._query(keys.EXHAUSTED_PK, "#sk, #spec_hash, #reason")]
        finished: dict[str, str] = {}
        paused: dict[str, str] = {}
        for row in rows:
            into = paused if row.get("reason") == PAUSE_REASON else finished
            into[str(row["sk"])] = str(row.get("spec_hash", ""))
        return JobMarkers(finished, paused)

    def _item(self, entry: LedgerEntry) -> dict[str, Any]:
        return {**_key(keys.ledger_pk(self.group), entry.name), "v": {"S": _encode(entry)}}

    def record(self, entry: LedgerEntry) -> None:
        """Store (or replace) one entry; called after each successful write."""
        self.client.put_item(TableName=self.table_name, Item=self._item(entry))

    def record_many(self, entries: list[LedgerEntry]) -> None:
        """Store many entries, 25 to a BatchWriteItem, re-sending what DynamoDB left unprocessed."""
        for start in range(0, len(entries), BATCH_SIZE):
            puts = [{"PutRequest": {"Item": self._item(e)}} for e in entries[start : start + BATCH_SIZE]]
            self._batch(puts)

    def _batch(self, requests: list[dict[str, Any]]) -> None:
        pending = {self.table_name: requests}
        for attempt in range(BATCH_ATTEMPTS):
            pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                return
            time.sleep(min(2.0, 0.05 * 2**attempt))  # throttled: back off before re-sending the rest
        left = len(pending.get(self.table_name, []))
        raise ReconcileError(f"ledger batch write left {left} item(s) unprocessed; the next run re-applies them")

    def forget(self, name: str) -> None:
        """Drop the entry of a schedule that is gone."""
        self.client.delete_item(TableName=self.table_name, Key=_key(keys.ledger_pk(self.group), name))

    def peek_lock(self) -> LockState:
        """Read the lock item (strongly consistent)."""
        found = self.client.get_item(TableName=self.table_name, Key=self.lock_key, ConsistentRead=True)
        lock = plain(found.get("Item"))
        holder = lock.get("holder")
        return LockState(
            str(holder) if holder else None, float(lock.get("expires_at", 0)), int(lock.get("generation", 0))
        )

    def acquire(self, holder: str, now: float, lease_seconds: float, generation: int) -> None:
        """Take the lease; LockHeld if another holds it, LockMoved if the generation moved."""
        values = {"h": holder, "e": float(now + lease_seconds), "now": float(now), "g": generation}
        params = expr(values, UpdateExpression="SET #holder = :h, #expires_at = :e", ConditionExpression=_ACQUIRE_IF)
        try:
            self.client.update_item(TableName=self.table_name, Key=self.lock_key, **params)
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            state = self.peek_lock()
            if state.held_by_other(holder, now):
                raise LockHeld(state.holder or "?", str(state.expires_at)) from exc
            raise LockMoved(f"generation moved from {generation} to {state.generation}") from exc

    def release(self, holder: str, applied: bool) -> None:
        """Give the lease back; bump the generation when this run wrote anything."""
        values = {"h": holder, "z": 0, "inc": 1 if applied else 0}
        params = expr(values, UpdateExpression=_RELEASE, ConditionExpression="#holder = :h")
        try:
            self.client.update_item(TableName=self.table_name, Key=self.lock_key, **params)
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise  # else: our lease expired and another run took it; nothing to give back

    def put_status(self, key: str, status: dict[str, Any], now: float) -> None:
        """Record a reconcile's outcome under ``key`` (see reconcile.app.status_key) and as ``latest``."""
        body = {**status, "key": key, "finished_at": float(now), "ttl": int(now) + STATUS_TTL_SECONDS}
        for sk in (key, keys.LATEST_SK):
            row = {**_key(keys.status_pk(self.group), sk), **item(body)}
            self.client.put_item(TableName=self.table_name, Item=row)

    def get_status(self, key: str) -> dict[str, Any] | None:
        """The outcome recorded under ``key`` (a status key or ``latest``) as plain values, if any."""
        found = self.client.get_item(
            TableName=self.table_name, Key=_key(keys.status_pk(self.group), key), ConsistentRead=True
        )
        if "Item" not in found:
            return None
        return {k: v for k, v in plain(found["Item"]).items() if k not in ("pk", "sk")}

    def unscheduled(self) -> frozenset[str]:
        """The hermes job ids the last reconcile left unscheduled (see reconcile.unscheduled)."""
        found = self.client.get_item(TableName=self.table_name, Key=self.unscheduled_key, ConsistentRead=True)
        return frozenset(found.get("Item", {}).get("ids", {}).get("SS", []))

    def put_unscheduled(self, ids: frozenset[str]) -> None:
        """Remember ``ids`` (a string set cannot be empty: none deletes the item)."""
        if ids:
            row = {**self.unscheduled_key, "ids": {"SS": sorted(ids)}}
            self.client.put_item(TableName=self.table_name, Item=row)
        else:
            self.client.delete_item(TableName=self.table_name, Key=self.unscheduled_key)
