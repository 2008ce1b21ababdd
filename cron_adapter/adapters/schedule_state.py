"""Pause or resume live schedules at once: GetSchedule, then UpdateSchedule with the full copy.

UpdateSchedule replaces every field (an omitted optional field is reset), so the request
is the schedule as GetSchedule returns it with only ``State`` changed. A schedule that
does not exist yet is left alone: the next reconcile creates it in the state the store
records. A StartDate that has passed is dropped, as the planner does, since EventBridge
refuses one more than five minutes old.
https://docs.aws.amazon.com/scheduler/latest/APIReference/API_UpdateSchedule.html
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from cron_adapter.adapters.dynamo_expr import error_code
from cron_adapter.adapters.scheduler import SchedulerAdapter
from cron_adapter.errors import CronAdapterError

# The request fields of UpdateSchedule that GetSchedule returns.
UPDATE_FIELDS = (
    "Name",
    "GroupName",
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "StartDate",
    "EndDate",
    "Description",
    "State",
    "KmsKeyArn",
    "Target",
    "FlexibleTimeWindow",
    "ActionAfterCompletion",
)


@dataclass(frozen=True)
class LiveState:
    """One schedule's state before and after (both None: not created yet)."""

    name: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        """True when this call wrote the schedule."""
        return self.before != self.after


def update_request(got: dict[str, Any], state: str, now: datetime) -> dict[str, Any]:
    """The UpdateSchedule request that changes only the State of the schedule ``got``."""
    request = {k: got[k] for k in UPDATE_FIELDS if got.get(k) is not None}
    request["State"] = state
    start = request.get("StartDate")
    if start is not None and _utc(start) <= now:
        del request["StartDate"]
    return request


def _utc(value: datetime | str) -> datetime:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def set_state(
    scheduler: SchedulerAdapter, names: tuple[str, ...], state: str, now: datetime | None = None
) -> list[LiveState]:
    """Set ``State`` (ENABLED or DISABLED) on each named schedule that exists."""
    when = now or datetime.now(UTC)
    out = []
    for name in names:
        got = scheduler.get_schedule(name)
        if got is None:
            out.append(LiveState(name, None, None))
            continue
        before = got.get("State")
        if before != state:
            # Not SchedulerAdapter.update: that creates a missing schedule, and a copy must not.
            scheduler.limits.acquire("update_schedule")
            try:
                scheduler.client.update_schedule(**update_request(got, state, when))
            except ClientError as exc:
                raise CronAdapterError(f"cannot set schedule {name!r} {state}: {error_code(exc)}") from exc
        out.append(LiveState(name, before, state))
    return out
