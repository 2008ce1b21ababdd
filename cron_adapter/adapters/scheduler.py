"""EventBridge Scheduler adapter: one schedule group, idempotent writes, rate-limited.

* The boto3 client is injected or created lazily with botocore's retry modes; no
  ``endpoint_url`` is ever passed, so ``AWS_ENDPOINT_URL`` works (moto, the emulator).
* Errors are translated here: create on an existing schedule becomes an update, update on
  a missing one becomes a create, delete on a missing one succeeds. So every write can be
  replayed after a crash.
* ``ensure_group`` never calls CreateScheduleGroup on an existing group: moto wipes the
  group's schedules when it does.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.exceptions import ClientError

from cron_adapter.adapters.ratelimit import RateLimits
from cron_adapter.reconcile.model import ListedSchedule

if TYPE_CHECKING:
    from mypy_boto3_scheduler import EventBridgeSchedulerClient

PAGE_SIZE = 100  # ListSchedules MaxResults maximum
MAX_ATTEMPTS = 8


def client_config(mode: str = "standard", max_attempts: int = MAX_ATTEMPTS) -> Config:
    """botocore Config for the scheduler client: retry mode "standard" or "adaptive"."""
    return Config(retries={"mode": mode, "max_attempts": max_attempts})  # type: ignore[typeddict-item]


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def iso(value: datetime | str | None) -> str:
    """A LastModificationDate as the ledger stores it (ISO string)."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


class SchedulerAdapter:
    """Reads and writes the schedules of one group."""

    def __init__(
        self,
        group: str,
        client: EventBridgeSchedulerClient | None = None,
        *,
        tps: float = 50.0,
        limits: RateLimits | None = None,
        retry_mode: str = "standard",
    ) -> None:
        self.group = group
        self.limits = limits or RateLimits(tps)
        self._client = client
        self._retry_mode = retry_mode
        self._client_lock = threading.Lock()

    @property
    def client(self) -> EventBridgeSchedulerClient:
        """The boto3 client, created on first use (honours the standard AWS environment)."""
        with self._client_lock:
            if self._client is None:
                import boto3

                self._client = boto3.client("scheduler", config=client_config(self._retry_mode))
            return self._client

    def _call(self, operation: str, **kwargs: Any) -> Any:
        self.limits.acquire(operation)
        return getattr(self.client, operation)(**kwargs)

    def list_schedules(self) -> list[ListedSchedule]:
        """Every schedule of the group (paginated, 100 a page); empty if the group is missing."""
        out: list[ListedSchedule] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"GroupName": self.group, "MaxResults": PAGE_SIZE}
            if token:
                kwargs["NextToken"] = token
            try:
                page = self._call("list_schedules", **kwargs)
            except ClientError as exc:
                if _code(exc) == "ResourceNotFoundException":
                    return []
                raise
            out += [
                ListedSchedule(s["Name"], s.get("State"), iso(s.get("LastModificationDate")))
                for s in page.get("Schedules", [])
            ]
            token = page.get("NextToken")
            if not token:
                return out

    def get_schedule(self, name: str) -> dict[str, Any] | None:
        """GetSchedule, or None when the schedule does not exist."""
        try:
            return dict(self._call("get_schedule", Name=name, GroupName=self.group))
        except ClientError as exc:
            if _code(exc) == "ResourceNotFoundException":
                return None
            raise

    def last_modified(self, name: str) -> str | None:
        """The schedule's LastModificationDate as ListSchedules would show it, or None."""
        found = self.get_schedule(name)
        return iso(found.get("LastModificationDate")) if found else None

    def create(self, request: Mapping[str, Any]) -> None:
        """Create the schedule; if it already exists, replace it (idempotent)."""
        try:
            self._call("create_schedule", **request)
        except ClientError as exc:
            if _code(exc) != "ConflictException":
                raise
            self._call("update_schedule", **request)

    def update(self, request: Mapping[str, Any]) -> None:
        """Replace the schedule (every field); if it is missing, create it (idempotent)."""
        try:
            self._call("update_schedule", **request)
        except ClientError as exc:
            if _code(exc) != "ResourceNotFoundException":
                raise
            self._call("create_schedule", **request)

    def delete(self, name: str) -> None:
        """Delete the schedule; a missing schedule is already deleted (idempotent)."""
        try:
            self._call("delete_schedule", Name=name, GroupName=self.group)
        except ClientError as exc:
            if _code(exc) != "ResourceNotFoundException":
                raise

    def ensure_group(self) -> None:
        """Create the group only if GetScheduleGroup says it is missing."""
        try:
            self._call("get_schedule_group", Name=self.group)
            return
        except ClientError as exc:
            if _code(exc) != "ResourceNotFoundException":
                raise
        try:
            self._call("create_schedule_group", Name=self.group)
        except ClientError as exc:
            if _code(exc) != "ConflictException":
                raise
