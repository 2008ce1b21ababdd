"""The dev dashboard fits a real terminal: at 80x24 every pane shows, each row on one line."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from cron_adapter.local.clock import _outcome
from cron_adapter.local.dashboard import LiveView
from cron_adapter.local.journal import DeliveryRecord, Journal
from cron_adapter.local.view import Sources, line_for

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
HEADER = (
    "cron-adapter dev · examples/jobs.json · emulator http://127.0.0.1:40123 · target http://127.0.0.1:8787 · "
    "secret .cron-adapter/dev.secret · speed 1x · now 2027-01-04 09:00:00Z · Ctrl-C stops"
)


@dataclass
class FakeTracked:
    job_id: str
    expression: str
    timezone: str = "UTC"
    state: str = "ENABLED"


def sources(*, problems: bool = True) -> Sources:
    journal = Journal()
    for i in range(30):
        outcome = "failed" if i % 3 == 0 else "succeeded"
        journal.delivery(
            DeliveryRecord(
                f"job-{i}", f"job-{i}", "2027-01-04T08:59:00Z", 1, "fire", NOW, outcome, "HTTP 500" if i % 3 else ""
            )
        )
        journal.note(NOW, "reconcile", f"applied: {i} created")
    if problems:
        journal.note(NOW, "error", "not pushed: jobs.json is invalid")
    upcoming = [(NOW + timedelta(minutes=i + 1), FakeTracked(f"job-{i}", "rate(1 minute)")) for i in range(12)]
    written = {f"job-{i}": "every 1m" for i in range(12)} | {"legacy-cleanup": "0 4 * * 0"}
    return Sources(
        journal,
        lambda: upcoming,
        lambda: [],
        lambda: HEADER,
        lambda: NOW,
        paused=lambda: [FakeTracked("legacy-cleanup", "cron(0 4 ? * 1 *)", state="DISABLED")],
        schedule_text=written.get,
    )


def render(width: int, height: int, **kw: bool) -> list[str]:
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system=None)
    console.print(LiveView(sources(**kw), console=console).render())
    return console.file.getvalue().rstrip("\n").split("\n")  # type: ignore[attr-defined]


@pytest.mark.parametrize(("width", "height"), [(80, 24), (120, 40), (200, 60)])
def test_every_pane_shows_within_the_terminal(width: int, height: int):
    lines = render(width, height)
    text = "\n".join(lines)
    assert len(lines) < height, text  # below: the line the cursor rests on
    assert all(len(line) <= width for line in lines)
    for pane in ("Next fires", "Recent deliveries", "fires 30", "reconcile, schedules, file", "problems"):
        assert pane in text, (pane, text)
    assert "job-29" in text  # the newest delivery
    assert "applied: 29 created" in text  # the newest activity line
    assert "not pushed" in text  # the pinned problem


def test_a_paused_job_shows_marked_paused_even_at_80x24():
    text = "\n".join(render(80, 24, problems=False))
    row = next(line for line in text.splitlines() if "legacy-cleanup" in line)
    assert "paused" in row and "0 4 * * 0" in row


def test_the_schedule_column_shows_what_the_user_wrote():
    text = "\n".join(render(120, 40))
    assert "every 1m" in text and "rate(1 minute)" not in text


def test_attempt_is_explained_where_it_shows():
    assert "try = EventBridge's delivery attempt" in "\n".join(render(120, 40))
    record = DeliveryRecord("s", "j", "2027-01-04T08:59:00Z", 2, "retry", NOW, "succeeded")
    assert "eventbridge-attempt 2" in line_for(record)


def test_a_failure_shows_its_reason():
    status, detail = _outcome({"status": "failed", "http_status": 500, "attempts": 2, "error": None})
    assert (status, detail) == ("failed", "HTTP 500 (after 2 HTTP tries)")
    _, detail = _outcome({"status": "failed", "error": "connection refused", "attempts": 1})
    assert detail == "connection refused"
