"""Fixtures of the fire unit tests: fakes wired into a FireService, and a log scan for the secret."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from cron_adapter.fire.input import FireInput, parse_input
from cron_adapter.fire.service import FireConfig, FireService
from cron_adapter.fire.tokens import TokenDefaults
from tests.unit.fire.fakes import (
    PREVIOUS,
    SECRET,
    FakeCaller,
    FakeClock,
    FakeMetrics,
    FakeSchedules,
    FakeSecrets,
    FakeStore,
)

EVENTS = Path(__file__).resolve().parents[3] / "events"


def load_event(name: str) -> dict[str, Any]:
    """A sample EventBridge Scheduler payload from ``events/``."""
    return json.loads((EVENTS / name).read_text())


def make_input(name: str = "fire.json", **job: Any) -> FireInput:
    """An event from ``events/``, with ``job`` fields overridden."""
    event = load_event(name)
    event["job"].update(job)
    return parse_input(event)


class World:
    """One service and its fakes."""

    def __init__(
        self, caller: FakeCaller | None = None, hmac: bool = False, tokens: TokenDefaults | None = None
    ) -> None:
        self.store, self.clock, self.secrets = FakeStore(), FakeClock(), FakeSecrets()
        self.schedules, self.metrics = FakeSchedules(), FakeMetrics()
        self.caller = caller or FakeCaller()
        self.service = FireService(
            self.store,
            self.caller,
            self.secrets,
            self.clock,
            self.schedules,
            self.metrics,
            FireConfig(retention_days=30, hmac=hmac, tokens=tokens or TokenDefaults()),
            rand=lambda: 0.5,
        )

    def fire(self, fire: FireInput, holder: str = "req-1", remaining: float = 900.0):
        return self.service.fire(fire, holder=holder, deadline=self.clock.now() + remaining)


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture(autouse=True)
def _no_secret_in_logs(caplog: pytest.LogCaptureFixture):
    """Every log record of every fire test, message and extra fields, must be free of the secret."""
    caplog.set_level(logging.DEBUG)
    yield
    for record in caplog.get_records("setup") + caplog.get_records("call"):  # .records is teardown-only here
        text = record.getMessage() + " " + repr(record.__dict__)
        assert SECRET not in text and PREVIOUS not in text, f"secret leaked in log: {record.getMessage()}"
