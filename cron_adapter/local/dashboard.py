"""The rich live dashboard of ``cron-adapter dev``, sized to the terminal it draws in.

Every pane always shows, down to an 80x24 terminal: each table row is one line (cells are
cut with an ellipsis, never wrapped) and the rows are shared out from the terminal's height::

    header                       1-2 lines (wraps on narrow terminals)
    Next fires                   title + header + rule + rows   (about a third of the rows)
    Recent deliveries            title + header + rule + rows   (the largest share)
    counters                     1-2 lines
    -- activity --               rule + rows                    (what is left, at least 1)
    -- problems --               rule + the last errors          (only when there are some)
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from cron_adapter.local.journal import MAX_ENTRIES, DeliveryRecord
from cron_adapter.local.view import STYLES, Sources, _t, _until, counters, line_for

TABLE_OVERHEAD = 3  # title, column header, header rule
MIN_HEIGHT = 16
ATTEMPT_TITLE = "Recent deliveries  (try = EventBridge's delivery attempt; 2+ = its retry)"


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
        self._live.update(self.render(), refresh=True)

    def stop(self) -> None:
        """Draw once more and stop."""
        self.refresh()
        self._live.stop()

    def render(self) -> Any:
        """The whole dashboard, fitted to the console's current size."""
        from rich.console import Group
        from rich.rule import Rule
        from rich.text import Text

        width, height = self._console.size.width, max(self._console.size.height, MIN_HEIGHT)
        header = Text(self._sources.header(), style="bold")
        totals = Text(counters(self._sources), style="cyan")
        _, history = self._sources.journal.recent(MAX_ENTRIES)
        errors = [n for n in history if n.kind in ("error", "warning")][-2:]  # pinned: activity scrolls past them
        fixed = self._lines(header, width) + self._lines(totals, width) + 2 * TABLE_OVERHEAD + 1
        fixed += 1 + len(errors) if errors else 0
        rows = max(3, height - fixed - 1)  # -1: the line the cursor rests on below the view
        next_rows, run_rows = max(1, rows // 3), max(1, rows * 2 // 5)
        activity_rows = max(1, rows - next_rows - run_rows)
        runs, notes = self._sources.journal.recent(run_rows)
        _, notes = self._sources.journal.recent(activity_rows)
        activity = [line_for(n) for n in notes] or ["waiting for the first push ..."]
        parts: list[Any] = [header, self._next_table(next_rows), self._runs_table(runs), totals]
        parts += [Rule("reconcile, schedules, file", style="dim"), _clipped(activity)]
        if errors:
            parts += [Rule("problems", style="red"), _clipped([line_for(n) for n in errors], "red")]
        return Group(*parts)

    def _lines(self, text: Any, width: int) -> int:
        """How many lines ``text`` takes at ``width`` columns (as rich will wrap it)."""
        return len(self._console.render_lines(text, self._console.options.update(width=width), pad=False))

    def _next_table(self, limit: int) -> Any:
        table = _table("Next fires", ("job", "schedule", "next (job's zone)", "next (UTC)", "in"))
        now, paused = self._sources.now(), self._sources.paused()
        reserved = min(len(paused), max(1, limit // 3))  # a paused job keeps a row: it must not vanish
        shown = 0
        for when, tracked in self._sources.upcoming()[: limit - reserved]:
            local = when.astimezone(ZoneInfo(tracked.timezone))
            table.add_row(
                tracked.job_id,
                self._schedule(tracked),
                f"{local:%m-%d %H:%M} {tracked.timezone}",
                when.strftime("%m-%d %H:%M:%SZ"),
                _until(when - now),
            )
            shown += 1
        for tracked in self._sources.paused()[: max(0, limit - shown)]:
            table.add_row(tracked.job_id, self._schedule(tracked), "[dim]paused[/]", "[dim]paused (DISABLED)[/]", "-")
        return table

    def _schedule(self, tracked: Any) -> str:
        return self._sources.schedule_text(tracked.job_id) or tracked.expression

    def _runs_table(self, runs: list[DeliveryRecord]) -> Any:
        table = _table(ATTEMPT_TITLE, ("at", "job", "scheduled", "try", "kind", "outcome"))
        table.add_column("detail", no_wrap=True, overflow="ellipsis", ratio=1)
        for r in reversed(runs):
            style = STYLES.get(r.outcome, "")
            outcome = f"[{style}]{r.outcome}[/]" if style else r.outcome
            scheduled = r.scheduled_time[5:].replace("T", " ")  # 11-23 03:00:00Z
            table.add_row(_t(r.delivered_at), r.job_id, scheduled, str(r.attempt), r.kind, outcome, r.detail)
        return table


def _table(title: str, columns: tuple[str, ...]) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(title=title, title_justify="left", expand=True, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for col in columns:
        table.add_column(col, no_wrap=True, overflow="ellipsis")
    return table


def _clipped(lines: list[str], style: str = "") -> Any:
    """Lines that never wrap (cut with an ellipsis), so the layout's arithmetic holds."""
    from rich.text import Text

    return Text("\n".join(lines), style=style, no_wrap=True, overflow="ellipsis")
