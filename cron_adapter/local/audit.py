"""The auditor in ``cron-adapter dev``: the real audit app, every 15 simulated minutes.

It runs with the environment the stack gives the audit Lambda, against the emulator, and
writes what it finds (missed runs, catch-ups, pauses) to the journal instead of SNS, so a
user can delete a schedule (``aws scheduler delete-schedule`` against the emulator) and
watch the next audit catch the missed runs. moto stamps ``CreationDate`` in real time; the
view maps it onto the simulated clock, as the dev clock does for its own schedules.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from cron_adapter import constants as c
from cron_adapter.bootstrap.audit import AuditApp
from cron_adapter.local.journal import Journal
from cron_adapter.local.simclock import SimClock
from cron_adapter.ops.ports import Listed, ScheduleView
from cron_adapter.reconcile_settings import AuditSettings


class _SimView:
    """The schedule view with creation dates on the simulated clock."""

    def __init__(self, inner: ScheduleView, clock: SimClock) -> None:
        self.inner, self.clock = inner, clock

    def listed(self) -> dict[str, Listed]:
        return {
            n: replace(s, created=self.clock.from_real(s.created) if s.created else None)
            for n, s in self.inner.listed().items()
        }

    def deployed(self) -> set[str]:
        return self.inner.deployed()

    def set_state(self, names: tuple[str, ...], state: str) -> list[str]:
        return self.inner.set_state(names, state)


class _JournalNotifier:
    """Notifications become journal lines."""

    def __init__(self, journal: Journal, clock: SimClock) -> None:
        self.journal, self.clock = journal, clock

    def notify(self, subject: str, message: str) -> None:
        self.journal.note(self.clock.now(), "audit", f"{subject}: {message.splitlines()[0]}")


class _NoMetrics:
    def add_metric(self, name: str, unit: str, value: float) -> None:
        """Local runs publish no metrics."""


def _full_audit_time() -> float:
    """Each local audit has what the audit Lambda has: its whole timeout (time for catch-up fires)."""
    return float(c.AUDIT_TIMEOUT_SECONDS)


class LocalAuditor:
    """Audits the emulated deployment on the simulated clock."""

    def __init__(self, env: dict[str, str], clock: SimClock, journal: Journal, clients: dict[str, Any]) -> None:
        self.clock, self.journal = clock, journal
        self.app = AuditApp(AuditSettings.from_env(env), clients=clients, notifier=_JournalNotifier(journal, clock))
        self.app.view = _SimView(self.app.view, clock)  # type: ignore[assignment]
        self.every = timedelta(minutes=c.AUDIT_INTERVAL_MINUTES)
        self.next: datetime = clock.now() + self.every
        self.log = logging.getLogger("cron_adapter.local.audit")

    def tick(self) -> None:
        """Audit when the simulated interval has passed."""
        now = self.clock.now()
        if now < self.next:
            return
        self.next = now + self.every
        report = self.app.run(now, self.log, _NoMetrics(), holder="dev-audit", remaining=_full_audit_time)
        found = len(report.missed)
        self.journal.note(
            now,
            "audit",
            f"audited {report.jobs} job(s): {found} missed, {len(report.caught_up)} caught up, "
            f"{len(report.paused)} paused",
        )
