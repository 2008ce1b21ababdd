"""The fire service over one claim store, fake or DynamoDB on moto, with its rows as plain values.

Shared by the contract tests that drive whole fires (release, late delivery): the same
scenario runs against both stores through :func:`each_store`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import pytest

from cron_adapter.fire.input import FireInput
from cron_adapter.fire.ports import ClaimStore
from cron_adapter.fire.service import FireConfig, FireService
from cron_adapter.tablekeys import job_pk
from tests.adapters.fire_support import TABLE, assert_no_secret_logged, get_item, moto_table
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

JOB = "nightly-report"
W = TypeVar("W", bound="FireWorld")


@dataclass
class FireWorld:
    """A fire service over ``store``; ``client`` is moto's DynamoDB client (None for the fake)."""

    START: ClassVar[float | None] = None  # the clock's start (None: FakeClock's own)
    HOLDER: ClassVar[str] = "req-1"  # the request id a fire claims with unless told

    store: ClaimStore
    client: Any = None

    def __post_init__(self) -> None:
        clock = FakeClock() if self.START is None else FakeClock(self.START)
        self.caller, self.clock, self.metrics = FakeCaller(), clock, FakeMetrics()
        self.service = FireService(
            store=self.store,
            caller=self.caller,
            secrets=FakeSecrets(),
            clock=self.clock,
            schedules=FakeSchedules(),
            metrics=self.metrics,
            config=FireConfig(retention_days=7),
            rand=lambda: 0.5,
        )

    def fire(self, fire: FireInput, holder: str | None = None, remaining: float = 900.0):
        return self.service.fire(fire, holder=holder or self.HOLDER, deadline=self.clock.now() + remaining)

    def row(self, sk: str) -> dict[str, Any] | None:
        if isinstance(self.store, FakeStore):
            return self.store.rows.get((job_pk(JOB), sk))
        return get_item(self.client, job_pk(JOB), sk)


@pytest.fixture(autouse=True)
def no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every log record of the test, message and extra fields, must be free of the secret (import it to use)."""
    caplog.set_level(logging.DEBUG)
    yield
    assert_no_secret_logged(caplog, SECRET, PREVIOUS)


def each_store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, kind: type[W]) -> Iterator[W]:
    """A ``kind`` world over the fake store, or over DynamoDB on moto (``request.param``)."""
    if request.param == "fake":
        yield kind(FakeStore())
        return
    from cron_adapter.adapters.claims import DynamoClaimStore

    for client in moto_table(monkeypatch):
        yield kind(DynamoClaimStore(TABLE, client=client), client)
