"""Run records, job state and markers for operations, on the fire path's one table.

Reads and writes the items the claim store defines (see :mod:`cron_adapter.adapters.claims`)::

    JOB#<id> / RUN#<time>[~<label>]   runs: one Query per job and window (sk BETWEEN)
    JOB#<id> / STATE                  runs, streak_from (set when a failure streak pauses it)
    EXHAUSTED / <id>                  reason (max_runs, end_at, one_shot, gone, paused_after_failures)

Writes are conditional, so two audits that overlap record each miss once: ``missed`` only
where no record exists; ``lost`` only while the stale claim is unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

from cron_adapter.adapters.dynamo_expr import av, error_code, expr, plain, update
from cron_adapter.errors import ClaimError
from cron_adapter.ops.records import PAUSE_REASON, JobState, Marker, RunRecord
from cron_adapter.tablekeys import EXHAUSTED_PK, JOB_PREFIX, RUN_PREFIX, STATE_SK, job_pk, run_sk

MISSED_ERROR = "not delivered: no run record after the grace period (found by the audit)"
LOST_ERROR = "claimer crashed: its lease expired with no outcome and no retry (found by the audit)"


def _record(item: dict[str, Any]) -> RunRecord:
    p = plain(item)
    http = p.get("http_status")
    return RunRecord(
        job_id=str(p.get("job_id") or str(p["pk"])[len(JOB_PREFIX) :]),
        run=str(p["sk"])[len(RUN_PREFIX) :],
        status=str(p.get("status", "")),
        attempts=int(p.get("attempts") or 0),
        http_status=int(http) if http is not None else None,
        duration_ms=p.get("duration_ms"),
        error=p.get("error"),
        finished_at=p.get("finished_at"),
        holder=p.get("holder"),
        lease_until=p.get("lease_until"),
        spec_hash=p.get("spec_hash"),
        catch_up_at=p.get("catch_up_at"),
    )


class DynamoRunStore:
    """:class:`~cron_adapter.ops.ports.RunStore` on the table; the client is created on first use."""

    def __init__(self, table: str, client: Any | None = None) -> None:
        self.table = table
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("dynamodb")
        return self._client

    def _query(self, limit: int | None = None, **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            page = self.client.query(TableName=self.table, **params)
            items += page.get("Items", [])
            if "LastEvaluatedKey" not in page or (limit is not None and len(items) >= limit):
                return items[:limit] if limit is not None else items
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def markers(self) -> dict[str, Marker]:
        """Every EXHAUSTED item, by job id."""
        items = self._query(**expr({"p": EXHAUSTED_PK}, KeyConditionExpression="#pk = :p"))
        out = {}
        for item in items:
            p = plain(item)
            out[str(p["sk"])] = Marker(
                str(p["sk"]), str(p.get("reason", "")), str(p.get("at", "")), str(p.get("spec_hash", ""))
            )
        return out

    def records(self, job_id: str, since: str, until: str) -> list[RunRecord]:
        """Run records with keys in [since, until], ascending (eventually consistent: half the reads)."""
        values = {"p": job_pk(job_id), "a": run_sk(since), "b": run_sk(until)}
        return [
            _record(i) for i in self._query(**expr(values, KeyConditionExpression="#pk = :p AND #sk BETWEEN :a AND :b"))
        ]

    def recent(self, job_id: str, n: int) -> list[RunRecord]:
        """The n newest run records, newest first."""
        values = {"p": job_pk(job_id), "r": RUN_PREFIX}
        params = expr(values, KeyConditionExpression="#pk = :p AND begins_with(#sk, :r)")
        items = self._query(limit=n, ScanIndexForward=False, Limit=n, **params)
        return [_record(i) for i in items]

    def state(self, job_id: str) -> JobState:
        """The job's STATE item."""
        key = {"pk": av(job_pk(job_id)), "sk": av(STATE_SK)}
        p = plain(self.client.get_item(TableName=self.table, Key=key).get("Item"))
        return JobState(int(p.get("runs", 0)), p.get("streak_from"), p.get("last_run"), p.get("last_status"))

    def record_missed(self, job_id: str, run: str, now: float, ttl: int, catch_up_at: float | None) -> bool:
        """Put ``missed`` where no record exists."""
        item = {
            "pk": job_pk(job_id),
            "sk": run_sk(run),
            "job_id": job_id,
            "scheduled_time": run,
            "status": "missed",
            "error": MISSED_ERROR,
            "finished_at": _iso(now),
            "ttl": ttl,
        }
        if catch_up_at is not None:
            item["catch_up_at"] = catch_up_at
        return self._write(
            job_id,
            "put_item",
            Item={k: av(v) for k, v in item.items()},
            **expr({}, ConditionExpression="attribute_not_exists(#pk)"),
        )

    def close_lost(self, record: RunRecord, now: float, catch_up_at: float | None) -> bool:
        """Close a stale claim as ``lost`` while it is unchanged."""
        values: dict[str, Any] = {
            "lost": "lost",
            "e": LOST_ERROR,
            "f": _iso(now),
            "claimed": "claimed",
            "h": record.holder or "",
            "now": now,
        }
        sets = {"status": "lost", "error": "e", "finished_at": "f"}
        if catch_up_at is not None:
            values["c"] = catch_up_at
            sets["catch_up_at"] = "c"
        cond = "#status = :claimed AND #holder = :h AND #lease_until < :now"
        key = {"pk": av(job_pk(record.job_id)), "sk": av(run_sk(record.run))}
        return self._write(
            record.job_id,
            "update_item",
            Key=key,
            **expr(values, UpdateExpression=update(sets), ConditionExpression=cond),
        )

    def pause(self, job_id: str, spec_hash: str, streak_from: str, now: float) -> bool:
        """Marker ``paused_after_failures`` (if none) and the streak's reset point on STATE."""
        marker = {"pk": EXHAUSTED_PK, "sk": job_id, "spec_hash": spec_hash, "reason": PAUSE_REASON, "at": _iso(now)}
        if not self._write(
            job_id,
            "put_item",
            Item={k: av(v) for k, v in marker.items()},
            **expr({}, ConditionExpression="attribute_not_exists(#pk)"),
        ):
            return False
        key = {"pk": av(job_pk(job_id)), "sk": av(STATE_SK)}
        self.client.update_item(
            TableName=self.table, Key=key, **expr({"s": streak_from}, UpdateExpression=update({"streak_from": "s"}))
        )
        return True

    def resume(self, job_id: str) -> bool:
        """Delete the marker only if it is a pause."""
        key = {"pk": av(EXHAUSTED_PK), "sk": av(job_id)}
        return self._write(
            job_id, "delete_item", Key=key, **expr({"r": PAUSE_REASON}, ConditionExpression="#reason = :r")
        )

    def _write(self, job_id: str, method: str, **params: Any) -> bool:
        try:
            getattr(self.client, method)(TableName=self.table, **params)
            return True
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise ClaimError(f"run store failed for job {job_id!r}: {error_code(exc)}") from exc


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
