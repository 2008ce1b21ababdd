"""DST notes: the gaps, overlaps and 24-hour drifts that change when a schedule fires.

A transition at UTC instant T from offset o1 to o2 opens a gap of wall times
[T+o1, T+o2) when clocks spring forward (o2 > o1): EventBridge skips fires there. It
repeats the wall times [T+o2, T+o1) when clocks fall back: EventBridge fires those once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from cron_adapter.schedule.wallclock import wall_times, zone

if TYPE_CHECKING:
    from cron_adapter.schedule.grammar import Schedule

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class DstNote:
    """A DST gap, overlap or drift that changes when a schedule fires."""

    at: datetime  # the local wall time concerned (naive: in a gap it has no offset)
    kind: Literal["gap", "overlap", "rate-days-drift"]
    message: str


@dataclass(frozen=True)
class _Transition:
    instant: datetime  # naive UTC
    before: timedelta
    after: timedelta


def transitions(tz: ZoneInfo, start: datetime, end: datetime) -> list[_Transition]:
    """Offset changes of ``tz`` in [start, end), found day by day then to the minute."""
    found: list[_Transition] = []
    start, end = (x.replace(tzinfo=tz) if x.tzinfo is None else x for x in (start, end))
    t = start.astimezone(UTC).replace(tzinfo=None, second=0, microsecond=0)
    stop = end.astimezone(UTC).replace(tzinfo=None)

    def offset(x: datetime) -> timedelta:
        return (x.replace(tzinfo=UTC).astimezone(tz).utcoffset()) or timedelta(0)

    while t < stop:
        step = min(_DAY, stop - t)
        if offset(t) != offset(t + step):
            lo, hi = t, t + step  # offset(lo) is the old one, offset(hi) the new one
            while hi - lo > timedelta(minutes=1):  # transitions fall on whole minutes
                mid = lo + timedelta(minutes=((hi - lo) // timedelta(minutes=1)) // 2)
                lo, hi = (mid, hi) if offset(mid) == offset(lo) else (lo, mid)
            found.append(_Transition(hi, offset(lo), offset(hi)))
        t += step
    return found


def _clock(times: list[datetime]) -> str:
    text = [w.strftime("%H:%M") for w in times]
    return ", ".join(text) if len(text) <= 4 else f"{text[0]} to {text[-1]} ({len(text)} times)"


def _cron_note(schedule: Schedule, tz: ZoneInfo, name: str, tr: _Transition) -> DstNote | None:
    gap = tr.after > tr.before
    lo, hi = (tr.instant + tr.before, tr.instant + tr.after) if gap else (tr.instant + tr.after, tr.instant + tr.before)
    walls = []
    for wall in wall_times(schedule.crons, lo - timedelta(seconds=1)):
        if wall >= hi:
            break
        walls.append(wall)
    if not walls:
        return None
    day, one = walls[0].date().isoformat(), len(walls) == 1
    if gap:
        fate = "that fire is skipped" if one else "those fires are skipped"
        verb = "does not exist" if one else "do not exist"
        return DstNote(walls[0], "gap", f"{_clock(walls)} {verb} on {day} in {name} (spring forward): {fate}")
    first = walls[0].replace(tzinfo=tz, fold=0).isoformat()[-6:]
    verb = "occurs" if one else "occur"
    message = (
        f"{_clock(walls)} {verb} twice on {day} in {name} (fall back): "
        f"EventBridge fires once, at the first occurrence ({first})"
    )
    return DstNote(walls[0], "overlap", message)


def _rate_note(schedule: Schedule, name: str, tr: _Transition) -> DstNote | None:
    if schedule.period is None or schedule.period % _DAY:
        return None  # minutes and hours are elapsed time: no wall-clock promise to break
    shift = tr.after - tr.before
    minutes = abs(int(shift.total_seconds())) // 60
    hours = minutes // 60
    amount = f"{minutes} minutes" if minutes % 60 else f"{hours} hour" + ("s" if hours > 1 else "")
    way = "later" if shift > timedelta(0) else "earlier"
    wall = tr.instant + tr.after
    message = (
        f"{schedule.expressions[0].expression} runs every 24 h, so after the DST change on {wall.date().isoformat()} "
        f"in {name} it fires {amount} {way} on the wall clock"
    )
    return DstNote(wall, "rate-days-drift", message)


def _at_note(schedule: Schedule, tz: ZoneInfo, name: str, tr: _Transition) -> DstNote | None:
    if schedule.at is None or tr.after > tr.before:
        return None
    if tr.instant + tr.after <= schedule.at < tr.instant + tr.before:
        first = schedule.at.replace(tzinfo=tz, fold=0).isoformat()[-6:]
        message = (
            f"{schedule.at.strftime('%H:%M')} occurs twice on {schedule.at.date().isoformat()} in {name} "
            f"(fall back): EventBridge fires once, at the first occurrence ({first})"
        )
        return DstNote(schedule.at, "overlap", message)
    return None


def dst_notes(schedule: Schedule, timezone: str, start: datetime, end: datetime) -> list[DstNote]:
    """DST gaps/overlaps in [start, end) that affect this schedule."""
    tz = zone(timezone)
    notes = []
    for tr in transitions(tz, start, end):
        if schedule.kind == "cron":
            note = _cron_note(schedule, tz, timezone, tr)
        elif schedule.kind == "rate":
            note = _rate_note(schedule, timezone, tr)
        else:
            note = _at_note(schedule, tz, timezone, tr)
        if note is not None:
            notes.append(note)
    return notes
