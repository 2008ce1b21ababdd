"""The schedule group as operations see it: listed schedules, what the adapter deployed, on/off.

``set_state`` pauses or resumes a job's schedules through :mod:`cron_adapter.adapters.schedule_state`
(GetSchedule, then UpdateSchedule with the full copy and only ``State`` changed).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from cron_adapter.adapters.dynamo_expr import error_code
from cron_adapter.adapters.ledger import Ledger
from cron_adapter.adapters.schedule_state import set_state
from cron_adapter.adapters.scheduler import SchedulerAdapter
from cron_adapter.ops.ports import Listed


def _utc(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)) if value else None


class SchedulerView:
    """:class:`~cron_adapter.ops.ports.ScheduleView` over the scheduler client and the ledger."""

    def __init__(self, scheduler: SchedulerAdapter, ledger: Ledger) -> None:
        self.scheduler, self.ledger = scheduler, ledger

    def listed(self) -> dict[str, Listed]:
        """Every schedule of the group (ListSchedules pages of 100), with its creation date."""
        out: dict[str, Listed] = {}
        paginator = self.scheduler.client.get_paginator("list_schedules")
        try:
            for page in paginator.paginate(GroupName=self.scheduler.group, PaginationConfig={"PageSize": 100}):
                for s in page.get("Schedules", []):
                    modified = s.get("LastModificationDate")
                    out[s["Name"]] = Listed(
                        s["Name"],
                        s.get("State"),
                        _utc(s.get("CreationDate")),
                        modified.isoformat() if isinstance(modified, datetime) else str(modified),
                    )
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
        return out

    def deployed(self) -> set[str]:
        """Schedule names in the reconcile ledger."""
        return set(self.ledger.entries())

    def set_state(self, names: tuple[str, ...], state: str) -> list[str]:
        """Write each schedule back with ``State`` changed; missing schedules are skipped."""
        return [s.name for s in set_state(self.scheduler, names, state) if s.changed]
