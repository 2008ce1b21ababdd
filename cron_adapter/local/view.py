"""What ``cron-adapter dev`` shows: a rich live view on a terminal, plain lines otherwise.

Live view: the next fires, the recent runs with their outcomes, the counters (fires,
duplicates deduped, target calls) and an activity log of reconcile actions, schedule
changes and file pushes. Piped or in CI, each event is one line instead.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from cron_adapter.local.journal import MAX_ENTRIES, DeliveryRecord, Journal, Note
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
            f"attempt {entry.attempt} -> {entry.outcome}{detail}"
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


class LiveView:
    """A rich Live dashboard, redrawn by ``refresh()``."""

    def __init__(self, sources: Sources, console: Any = None) -> None:
        from rich.console import Console
        from rich.live import Live

        self._sources = sources
        self._console = console or Console()
        self._live = Live(console=self._console, auto_refresh=False, transient=False)

    def start(self) -> None:
        """Start drawing."""
        self._live.start()
        self.refresh()

    def refresh(self) -> None:
        """Redraw from the sources."""
        self._live.update(self._render(), refresh=True)

    def stop(self) -> None:
        """Draw once more and stop."""
        self.refresh()
        self._live.stop()

    def _render(self) -> Any:
        from rich.console import Group
        from rich.panel import Panel
        from rich.text import Text

        runs, notes = self._sources.journal.recent(12)
        _, history = self._sources.journal.recent(MAX_ENTRIES)
        errors = [n for n in history if n.kind in ("error", "warning")][-3:]  # pinned: activity scrolls past them
        activity = Text("\n".join(line_for(n) for n in notes[-8:]) or "waiting for the first push ...")
        parts = [
            Text(self._sources.header(), style="bold"),
            self._next_table(),
            self._runs_table(runs),
            Text(counters(self._sources), style="cyan"),
            Panel(activity, title="reconcile, schedules, file", border_style="dim"),
        ]
        if errors:
            parts.append(Panel(Text("\n".join(line_for(n) for n in errors)), title="problems", border_style="red"))
        return Group(*parts)

    def _next_table(self) -> Any:
        from rich.table import Table

        table = Table(title="Next fires", title_justify="left", expand=True)
        for col in ("job", "schedule", "next (job's timezone)", "next (UTC)", "in"):
            table.add_column(col)
        now = self._sources.now()
        for when, tracked in self._sources.upcoming()[:8]:
            local = when.astimezone(ZoneInfo(tracked.timezone))
            table.add_row(
                tracked.job_id,
                tracked.expression,
                f"{local:%Y-%m-%d %H:%M} {tracked.timezone}",
                when.strftime("%Y-%m-%d %H:%M:%SZ"),
                _until(when - now),
            )
        return table

    def _runs_table(self, runs: list[DeliveryRecord]) -> Any:
        from rich.table import Table

        table = Table(title="Recent deliveries", title_justify="left", expand=True)
        for col in ("at", "job", "scheduled", "attempt", "kind", "outcome"):
            table.add_column(col, no_wrap=True)
        table.add_column("detail", no_wrap=True, overflow="ellipsis", ratio=1)
        for r in reversed(runs):
            style = STYLES.get(r.outcome, "")
            outcome = f"[{style}]{r.outcome}[/]" if style else r.outcome
            scheduled = r.scheduled_time[5:].replace("T", " ")  # 11-23 03:00:00Z
            table.add_row(_t(r.delivered_at), r.job_id, scheduled, str(r.attempt), r.kind, outcome, r.detail)
        return table


def make_view(sources: Sources, *, live: bool | None = None) -> LiveView | LineView:
    """A live view on a terminal, plain lines otherwise."""
    if live is None:
        live = sys.stdout.isatty()
    return LiveView(sources) if live else LineView(sources)
