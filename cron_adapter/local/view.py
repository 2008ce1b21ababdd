"""What ``cron-adapter dev`` shows: a rich live view on a terminal, plain lines otherwise.

Live view (``local.dashboard``): the next fires, the recent runs with their outcomes, the
counters (fires, duplicates deduped, target calls) and an activity log of reconcile
actions, schedule changes and file pushes. Piped or in CI, each event is one line instead.

"attempt" is EventBridge Scheduler's delivery attempt (``<aws.scheduler.attempt-number>``):
1 for the first delivery of a scheduled time, 2 and up for EventBridge's own retries (which
``--chaos`` injects). The HTTP retries inside one fire are separate and show in the detail.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TextIO

from cron_adapter.local.journal import DeliveryRecord, Journal, Note
from cron_adapter.local.target import TargetCall

STYLES = {
    "succeeded": "green",
    "accepted": "cyan",  # 202: the target took the work for later
    "ok": "green",
    "failed": "red",
    "error": "bold red",
    "duplicate": "yellow",
    "skipped": "magenta",
    "queued": "cyan",
    "gone": "dim",
    "lost": "red",
}


@dataclass
class Sources:
    """Where the view reads from (callables, so it never holds stale state)."""

    journal: Journal
    upcoming: Callable[[], list[tuple[datetime, Any]]]
    calls: Callable[[], list[TargetCall]]
    header: Callable[[], str]
    now: Callable[[], datetime]
    paused: Callable[[], list[Any]] = lambda: []
    # The schedule as the user wrote it ("every 1m"), by job id; None: show the EventBridge expression.
    schedule_text: Callable[[str], str | None] = lambda _job_id: None


def _until(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    text = f"{rest // 3600:d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return f"{days}d {text}" if days else text


def _t(value: datetime) -> str:
    return value.strftime("%H:%M:%SZ")


def counters(sources: Sources) -> str:
    """One line of totals."""
    counts = sources.journal.counts
    calls = sources.calls()
    ok = sum(c.status == 200 for c in calls)
    refused = sum(not c.verified for c in calls)
    dups = counts["deliveries.duplicate"] + counts["deliveries.retry"]
    deduped = counts["outcome.duplicate"]
    return (
        f"fires {counts['deliveries.fire']} · chaos deliveries {dups} · duplicates deduped {deduped} · "
        f"target calls {len(calls)} ({ok} ok, {len(calls) - ok - refused} failed, {refused} refused)"
    )


def line_for(entry: DeliveryRecord | Note | TargetCall) -> str:
    """The plain-text line for one event."""
    if isinstance(entry, DeliveryRecord):
        detail = f" ({entry.detail})" if entry.detail else ""
        return (
            f"{_t(entry.delivered_at)} {entry.kind:<9} {entry.job_id} @ {entry.scheduled_time} "
            f"eventbridge-attempt {entry.attempt} -> {entry.outcome}{detail}"
        )
    if isinstance(entry, Note):
        return f"{_t(entry.at)} {entry.kind:<9} {entry.text}"
    verdict = "verified" if entry.verified else f"REFUSED: {entry.reason}"
    return f"{'':9} target    {entry.method} {entry.path} -> {entry.status} ({verdict})"


class LineView:
    """Prints one line per event (non-TTY output)."""

    def __init__(self, sources: Sources, out: TextIO | None = None) -> None:
        self._sources = sources
        self._out = out or sys.stdout
        self._lock = threading.Lock()  # events arrive from worker threads: one whole line each
        sources.journal.listeners.append(self.emit)

    def emit(self, entry: Any) -> None:
        """Print one event."""
        with self._lock:
            print(line_for(entry), file=self._out, flush=True)

    def start(self) -> None:
        """Print the header."""
        print(self._sources.header(), file=self._out, flush=True)

    def refresh(self) -> None:
        """Nothing to redraw in line mode."""

    def stop(self) -> None:
        """Print the final counters."""
        print(counters(self._sources), file=self._out, flush=True)


def make_view(sources: Sources, *, live: bool | None = None) -> Any:
    """A live view (``local.dashboard.LiveView``) on a terminal, plain lines otherwise."""
    if live is None:
        live = sys.stdout.isatty()
    if not live:
        return LineView(sources)
    from cron_adapter.local.dashboard import LiveView

    return LiveView(sources)
