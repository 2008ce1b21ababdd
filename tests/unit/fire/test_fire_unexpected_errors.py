"""An unexpected exception inside one attempt (a bug, an unmapped library error) is a failed
attempt, recorded and counted, not a crash that leaves the run claimed; a process-level
BaseException (a crash, an interrupt) and a MemoryError still escape."""

from __future__ import annotations

import pytest

from cron_adapter import constants as c
from cron_adapter.fire.policy import is_gone
from cron_adapter.fire.ports import TargetResponse
from tests.unit.fire.conftest import World, make_input
from tests.unit.fire.fakes import PREVIOUS, SECRET, FakeCaller

RUN = ("nightly-report", "2026-11-23T03:00:00Z")


def _raising(exc: BaseException):
    def call(request, timeout):
        raise exc

    return call


@pytest.mark.parametrize(
    "exc",
    [
        OverflowError("Python int too large to convert to C long"),
        ValueError("could not convert string to float: '\xb2'"),
        RecursionError("maximum recursion depth exceeded"),
        KeyError("retry-after"),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
        RuntimeError(f"boom with the secret Bearer {SECRET} and {PREVIOUS}"),
    ],
)
def test_an_unexpected_error_in_an_attempt_fails_the_run_and_counts_it(exc: Exception) -> None:
    world = World(FakeCaller(_raising(exc), _raising(exc), _raising(exc)))
    outcome = world.fire(make_input(retry={"attempts": 3}))
    assert outcome.status == "failed" and outcome.attempts == 1  # not retried: its cause is unknown
    assert outcome.error is not None and type(exc).__name__ in outcome.error
    assert SECRET not in outcome.error and PREVIOUS not in outcome.error
    row = world.store.run(*RUN)
    assert row["status"] == "failed" and row["error"] == outcome.error
    assert world.metrics.count(c.METRIC_TARGET_FAILED) == 1
    assert "running" not in world.store.state("nightly-report")  # the job's slot is given back


def test_an_exception_whose_text_cannot_be_made_is_still_recorded() -> None:
    class Unprintable(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no text")

    world = World(FakeCaller(_raising(Unprintable())))
    outcome = world.fire(make_input(retry={"attempts": 1}))
    assert outcome.status == "failed" and "Unprintable" in (outcome.error or "")


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), SystemExit(1), MemoryError()])
def test_a_crash_still_escapes(exc: BaseException) -> None:
    world = World(FakeCaller(_raising(exc)))
    with pytest.raises(type(exc)):
        world.fire(make_input())
    assert world.store.run(*RUN)["status"] == "claimed"


def test_a_deeply_nested_2xx_body_is_a_success() -> None:
    world = World(FakeCaller(TargetResponse(200, b'{"a":' + b"[" * 5000)))
    assert world.fire(make_input()).status == "succeeded"


@pytest.mark.parametrize(
    "body",
    [b'{"a":' + b"[" * 5000, b'{"a":' * 10000, b"{" + b"\xff" * 10, b'{"status":"gone"' + b"}" * 5, b"{" * 65536],
)
def test_is_gone_never_raises(body: bytes) -> None:
    assert is_gone(body) is False
