"""The clock's picture of the emulated schedule group, read through the Scheduler API.

ListSchedules returns no expression, so a schedule is fetched with GetSchedule when it is
new or its LastModificationDate changed; everything else costs one paginated list call per
tick. Due times come from the shared engine (``cron_adapter.schedule.engine``), the one that
``next``, ``plan`` and the auditor use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cron_adapter.errors import CronAdapterError
from cron_adapter.local.journal import Journal
from cron_adapter.local.simclock import SimClock
from cron_adapter.schedule import engine
from cron_adapter.schedule.grammar import Schedule, parse_schedule


@dataclass
class Tracked:
    """One schedule as the clock tracks it (times are simulated, UTC)."""

    name: str
    job_id: str
    expression: str
    timezone: str
    state: str
    input: str
    target_arn: str
    window_minutes: int
    start: datetime | None
    end: datetime | None
    delete_after: bool
    modified: datetime
    anchor: datetime
    cursor: datetime
    schedule: Schedule | None
    _next: datetime | None = None  # the next fire strictly after `cursor`, once computed
    _known: bool = False

    def fires_here(self, fire_arn: str) -> bool:
        """Enabled, parseable and aimed at the fire function."""
        return self.state == "ENABLED" and self.schedule is not None and self.target_arn == fire_arn

    def next_after(self, after: datetime, n: int) -> list[datetime]:
        """The next ``n`` fire times after ``after`` (UTC)."""
        if self.schedule is None:
            return []
        fires = engine.next_fires(
            self.schedule, self.timezone, after, n, anchor=self.anchor, start=self.start, end=self.end
        )
        return [_utc(f) for f in fires]

    def peek(self) -> datetime | None:
        """The next fire after the cursor (computed once per fire, not per tick)."""
        if not self._known:
            found = self.next_after(self.cursor, 1)
            self._next, self._known = (found[0] if found else None), True
        return self._next

    def take_due(self, until: datetime, limit: int) -> list[datetime]:
        """Fire times in (cursor, until], at most ``limit``; the cursor moves to ``until``."""
        due: list[datetime] = []
        while len(due) < limit:
            upcoming = self.peek()
            if upcoming is None or upcoming > until:
                break
            due.append(upcoming)
            self.cursor, self._known = upcoming, False
        self.cursor = max(self.cursor, until)  # the cached next fire (> until) stays valid
        return due

    def skip_to(self, now: datetime) -> None:
        """Paused: move the cursor without firing (EventBridge does not backfill on resume)."""
        if now > self.cursor:
            self.cursor, self._known = now, False

    def completed_after(self, fired: datetime) -> bool:
        """True when EventBridge would delete the schedule after the fire at ``fired``."""
        if not self.delete_after or self.schedule is None:
            return False
        if self.schedule.one_shot:
            return True
        return self.end is not None and not self.next_after(fired, 1)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _list(scheduler: Any, group: str) -> dict[str, dict[str, Any]]:
    items: dict[str, dict[str, Any]] = {}
    for page in scheduler.get_paginator("list_schedules").paginate(GroupName=group):
        for item in page.get("Schedules", []):
            items[item["Name"]] = item
    return items


def _job_id(target_input: str, fallback: str) -> str:
    try:
        return str(json.loads(target_input).get("job_id") or fallback)
    except (ValueError, AttributeError):
        return fallback


def _track(detail: dict[str, Any], clock: SimClock, previous: Tracked | None, journal: Journal) -> Tracked:
    target = detail.get("Target", {})
    timezone = detail.get("ScheduleExpressionTimezone") or "UTC"
    window = detail.get("FlexibleTimeWindow", {})
    start = _utc(detail["StartDate"]) if detail.get("StartDate") else None
    created = clock.from_real(_utc(detail["CreationDate"]))
    schedule = None
    try:
        schedule = parse_schedule(detail["ScheduleExpression"], timezone=timezone)
    except CronAdapterError as exc:
        journal.note(clock.now(), "error", f"{detail['Name']}: cannot evaluate {detail['ScheduleExpression']!r}: {exc}")
    return Tracked(
        name=detail["Name"],
        job_id=_job_id(target.get("Input") or "{}", detail["Name"]),
        expression=detail["ScheduleExpression"],
        timezone=timezone,
        state=detail.get("State") or "ENABLED",
        input=target.get("Input") or "{}",
        target_arn=target.get("Arn", ""),
        window_minutes=int(window.get("MaximumWindowInMinutes") or 0) if window.get("Mode") == "FLEXIBLE" else 0,
        start=start,
        end=_utc(detail["EndDate"]) if detail.get("EndDate") else None,
        delete_after=detail.get("ActionAfterCompletion") == "DELETE",
        modified=detail["LastModificationDate"],
        # Rate schedules count from StartDate, else from creation (mapped onto simulated time).
        anchor=start or (previous.anchor if previous else created),
        cursor=previous.cursor if previous else created,
        schedule=schedule,
    )


def read_group(
    scheduler: Any, group: str, known: dict[str, Tracked], clock: SimClock, journal: Journal
) -> dict[str, Tracked]:
    """Return the group's schedules, fetching only new or modified ones; note each change."""
    listed = _list(scheduler, group)
    out: dict[str, Tracked] = {}
    for name, item in listed.items():
        previous = known.get(name)
        if previous is not None and previous.modified == item["LastModificationDate"]:
            out[name] = previous
            continue
        try:
            detail = scheduler.get_schedule(Name=name, GroupName=group)
        except scheduler.exceptions.ResourceNotFoundException:
            continue  # deleted between the list and the get
        out[name] = _track(detail, clock, previous, journal)
        verb = "updated" if previous else "created"
        journal.note(
            clock.now(), "schedule", f"{verb} {name}: {out[name].expression} ({out[name].timezone}, {out[name].state})"
        )
    for name in known.keys() - listed.keys():
        journal.note(clock.now(), "schedule", f"deleted {name}")
    return out
