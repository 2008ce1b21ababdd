"""DynamoDB ledger, lease lock, exhausted markers and reconcile status (one table).

Items (key attributes from ``constants``)::

    pk=LEDGER#<group>     sk=<schedule name>      v = "<name>|<spec_hash>|<last_modified>|<job_id>"
    pk=LOCK               sk=reconcile#<group>    holder, expires_at, generation
    pk=EXHAUSTED          sk=<job id>             spec_hash          (written by fire)
    pk=STATUS#<group>     sk=version#<id>|<ETag>|latest status, counts, problems, finished_at, ttl

The lock is a lease: a conditional update that succeeds when nobody holds it or the
holder's lease has expired, and, when the caller planned without the lock, when no other
reconcile has applied since (``generation`` unchanged)::

    A: peek g=4 ... plan ... acquire(g=4) ok ... apply ... release g=5
    B:        peek g=4 ... plan ........... acquire(g=4) -> LockHeld (A holds it)
    C:                                              peek g=5 -> plans on fresh state
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cron_adapter import constants as c
from cron_adapter.errors import LockHeld, LockMoved
from cron_adapter.reconcile.planner import LedgerEntry
from cron_adapter.reconcile.ports import LockState

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

PK, SK = c.TABLE_PARTITION_KEY, c.TABLE_SORT_KEY
STATUS_TTL_SECONDS = 7 * 86400


def _encode(entry: LedgerEntry) -> str:
    """One compact attribute ``name|spec_hash|last_modified|job_id`` (names never hold ``|``).

    A no-op reconcile reads the whole ledger; one projected attribute per schedule keeps
    that read small (fewer Query pages and read units).
    """
    return f"{entry.name}|{entry.spec_hash}|{entry.last_modified or ''}|{entry.job_id}"


def _decode(value: str) -> LedgerEntry:
    name, spec_hash, last_modified, job_id = value.split("|", 3)
    return LedgerEntry(name, job_id, spec_hash, last_modified or None)


class Ledger:
    """The reconcile's DynamoDB items for one schedule group."""

    def __init__(self, table_name: str, group: str, table: Table | None = None) -> None:
        self.table_name = table_name
        self.group = group
        self._table = table
        self.lock_key = {PK: "LOCK", SK: f"reconcile#{group}"}

    @property
    def table(self) -> Table:
        """The boto3 Table, created on first use (honours AWS_ENDPOINT_URL)."""
        if self._table is None:
            import boto3

            self._table = boto3.resource("dynamodb").Table(self.table_name)
        return self._table

    def _query(self, pk: str, projection: str | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PK},
            "ExpressionAttributeValues": {":pk": pk},
            "ConsistentRead": True,
        }
        if projection:
            kwargs["ProjectionExpression"] = projection
        while True:
            page = self.table.query(**kwargs)
            items += page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def entries(self) -> dict[str, LedgerEntry]:
        """Every ledger entry of the group, by schedule name (only ``v`` is read)."""
        entries = (_decode(str(i["v"])) for i in self._query(f"LEDGER#{self.group}", "v"))
        return {e.name: e for e in entries}

    def exhausted(self) -> dict[str, str]:
        """Job id -> spec hash of every job the fire path marked finished."""
        return {str(i[SK]): str(i.get("spec_hash", "")) for i in self._query(c.EXHAUSTED_PK)}

    def _item(self, entry: LedgerEntry) -> dict[str, Any]:
        return {PK: f"LEDGER#{self.group}", SK: entry.name, "v": _encode(entry)}

    def record(self, entry: LedgerEntry) -> None:
        """Store (or replace) one entry; called after each successful write."""
        self.table.put_item(Item=self._item(entry))

    def record_many(self, entries: list[LedgerEntry]) -> None:
        """Store many entries in batches of 25 (the confirm pass)."""
        with self.table.batch_writer() as batch:
            for entry in entries:
                batch.put_item(Item=self._item(entry))

    def forget(self, name: str) -> None:
        """Drop the entry of a schedule that is gone."""
        self.table.delete_item(Key={PK: f"LEDGER#{self.group}", SK: name})

    def peek_lock(self) -> LockState:
        """Read the lock item (strongly consistent)."""
        item = self.table.get_item(Key=self.lock_key, ConsistentRead=True).get("Item") or {}
        holder = item.get("holder")
        return LockState(
            str(holder) if holder else None, float(item.get("expires_at", 0)), int(item.get("generation", 0))
        )

    def acquire(self, holder: str, now: float, lease_seconds: float, generation: int) -> None:
        """Take the lease; LockHeld if another holds it, LockMoved if the generation moved."""
        try:
            self.table.update_item(
                Key=self.lock_key,
                UpdateExpression="SET holder = :h, expires_at = :e",
                ConditionExpression="(attribute_not_exists(holder) OR expires_at < :now OR holder = :h) "
                "AND (attribute_not_exists(generation) OR generation = :g)",
                ExpressionAttributeValues={
                    ":h": holder,
                    ":e": Decimal(str(round(now + lease_seconds, 3))),
                    ":now": Decimal(str(round(now, 3))),
                    ":g": generation,
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            state = self.peek_lock()
            if state.held_by_other(holder, now):
                raise LockHeld(state.holder or "?", str(state.expires_at)) from exc
            raise LockMoved(f"generation moved from {generation} to {state.generation}") from exc

    def release(self, holder: str, applied: bool) -> None:
        """Give the lease back; bump the generation when this run wrote anything."""
        try:
            self.table.update_item(
                Key=self.lock_key,
                UpdateExpression="REMOVE holder, expires_at SET generation = if_not_exists(generation, :z) + :inc",
                ConditionExpression="holder = :h",
                ExpressionAttributeValues={":h": holder, ":z": 0, ":inc": 1 if applied else 0},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise  # else: our lease expired and another run took it; nothing to give back

    def put_status(self, key: str, status: dict[str, Any], now: float) -> None:
        """Record a reconcile's outcome under ``key`` (see reconcile.app.status_key) and as ``latest``."""
        item = {**status, "finished_at": Decimal(str(round(now, 3))), "ttl": int(now) + STATUS_TTL_SECONDS}
        for sk in (key, "latest"):
            self.table.put_item(Item={PK: f"STATUS#{self.group}", SK: sk, "key": key, **item})

    def get_status(self, key: str) -> dict[str, Any] | None:
        """The outcome recorded under ``key`` (a status key or ``latest``), if any."""
        return self.table.get_item(Key={PK: f"STATUS#{self.group}", SK: key}, ConsistentRead=True).get("Item")
