"""The reliability suite: fault injection, fuzzing, security scans, a loopback load test."""

from __future__ import annotations

from typing import Any

import pytest

from tests.faults import tally


def pytest_sessionfinish(session, exitstatus) -> None:  # noqa: ANN001 - pytest hook signature
    tally.write()


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The embedded emulator (moto's server on 127.0.0.1) with a fresh fire handler factory."""
    import handlers.fire as fire_handler
    from cron_adapter import constants as c
    from cron_adapter.bootstrap.fire import FireFactory
    from cron_adapter.local.emulator import Emulator

    emu = Emulator()
    resources = emu.start()
    monkeypatch.setattr(fire_handler, "factory", FireFactory())
    monkeypatch.setenv(c.ENV_ALLOW_HTTP_LOOPBACK, "true")
    yield resources
    emu.stop()
