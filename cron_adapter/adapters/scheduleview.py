"""The schedule group as operations see it: listed schedules, what the adapter deployed, on/off.

``set_state`` pauses or resumes a job's schedules. UpdateSchedule replaces every field, so
each schedule is read first (GetSchedule) and written back whole with only ``State``
changed; a StartDate that has passed is dropped, as EventBridge refuses one older than five
minutes. https://docs.aws.amazon.com/scheduler/latest/APIReference/API_UpdateSchedule.html
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from cron_adapter.adapters.dynamo_expr import error_code
from cron_adapter.adapters.ledger import Ledger
from cron_adapter.adapters.scheduler import SchedulerAdapter
from cron_adapter.errors import CronAdapterError
from cron_adapter.ops.ports import Listed

_COPIED = (
    "Name",
    "GroupName",
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "StartDate",
    "EndDate",
    "Description",
    "FlexibleTimeWindow",
    "Target",
    "ActionAfterCompletion",
    "KmsKeyArn",
)


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
        done = []
        for name in names:
            found = self.scheduler.get_schedule(name)
            if found is None or found.get("State") == state:
                continue
            request = {k: found[k] for k in _COPIED if found.get(k) is not None}
            start = _utc(request.get("StartDate"))
            if start is not None and start <= datetime.now(UTC):
                request.pop("StartDate")
            try:
                self.scheduler.client.update_schedule(**request, State=state)
            except ClientError as exc:
                raise CronAdapterError(f"cannot set schedule {name!r} {state}: {error_code(exc)}") from exc
            done.append(name)
        return done
