"""Answers a hostile or broken target sends, through the real caller and a raw socket on 127.0.0.1:
none of them may crash the fire, which would leave the run "claimed", its slot held and no
TargetFailed counted (and a redelivery would call again and crash again)."""

from __future__ import annotations

import re

import pytest

from cron_adapter import constants as c
from cron_adapter.adapters.target import HttpTargetCaller, parse_retry_after
from cron_adapter.errors import TargetHTTPError
from cron_adapter.fire.ports import TargetRequest
from tests.adapters.fire_support import RawTarget, raw_answer
from tests.unit.fire.conftest import World, make_input
from tests.unit.fire.fakes import SECRET

RUN = ("nightly-report", "2026-11-23T03:00:00Z")
HOSTILE_RETRY_AFTER = [
    b"Mon, 01 Jan 99999999999999999999 00:00:00 GMT",  # OverflowError in the date's timestamp
    b"\xb2",  # Latin-1 superscript two: str.isdigit() says yes, float() says no
    b"\xb2\xb3\xb9",
    b"99999999999999999999999999",  # far past any sane delay
    b"-1",
    b"1e9",
    b"Mon, 32 Foo 2026 99:99:99 GMT",
]
CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
TERMINAL_TRICK = b"\x1b]0;owned\x07\x1b[2K\x1b[1Gsucceeded OK\x1b[8m"
MORE_CONTROLS = "\r\n\u009b31m\x00\x7f".encode()  # CR LF, a C1 CSI (UTF-8), NUL, DEL


def _fire(server: RawTarget, attempts: int = 3) -> tuple[World, object]:
    caller = HttpTargetCaller(True, resolver=server.resolver)
    world = World(caller)  # type: ignore[arg-type]
    outcome = world.fire(make_input(target={"url": server.url}, retry={"attempts": attempts}))
    return world, outcome


@pytest.mark.parametrize("value", HOSTILE_RETRY_AFTER)
def test_a_hostile_retry_after_is_no_retry_after_to_the_caller(value: bytes) -> None:
    with RawTarget(raw_answer("503 Service Unavailable", b"busy", b"Retry-After: " + value + b"\r\n")) as server:
        caller = HttpTargetCaller(True, resolver=server.resolver)
        with pytest.raises(TargetHTTPError) as info:
            caller.call(TargetRequest("POST", server.url, {}, b"{}"), 5.0)
    assert info.value.status == 503 and info.value.retry_after is None


@pytest.mark.parametrize("value", HOSTILE_RETRY_AFTER)
def test_a_hostile_retry_after_fails_the_run_and_counts_it(value: bytes) -> None:
    with RawTarget(raw_answer("503 Service Unavailable", b"busy", b"Retry-After: " + value + b"\r\n")) as server:
        world, outcome = _fire(server)
    assert outcome.status == "failed" and outcome.http_status == 503 and outcome.attempts == 3
    assert len(server.requests) == 3
    assert world.store.run(*RUN)["status"] == "failed"
    assert world.metrics.count(c.METRIC_TARGET_FAILED) == 1


def test_retry_after_takes_only_short_ascii_digits_or_a_date() -> None:
    assert parse_retry_after("30", 0.0) == 30.0
    assert parse_retry_after(" 0120 ", 0.0) == 120.0
    for value in ("\xb2", "\u0663", "１２", "12345678901", "9" * 5000, "+5", "5.5", "", None):
        assert parse_retry_after(value, 0.0) is None, value
    assert parse_retry_after("Mon, 01 Jan 99999999999999999999 00:00:00 GMT", 0.0) is None
    assert parse_retry_after("Thu, 01 Jan 1970 00:01:40 GMT", 40.0) == pytest.approx(60.0)


@pytest.mark.parametrize("body", [b'{"a":' + b"[" * 5000, b'{"a":' * 10000, b'{"status":"gone","x":' + b"[" * 60000])
def test_a_deeply_nested_2xx_body_is_a_success_not_a_crash(body: bytes) -> None:
    with RawTarget(raw_answer("200 OK", body)) as server:
        world, outcome = _fire(server)
    assert outcome.status == "succeeded" and outcome.attempts == 1
    assert world.store.run(*RUN)["status"] == "succeeded"
    assert world.metrics.count(c.METRIC_TARGET_SUCCEEDED) == 1


def test_a_gone_body_is_still_gone() -> None:
    with RawTarget(raw_answer("200 OK", b' {"status": "gone"}')) as server:
        _, outcome = _fire(server)
    assert outcome.status == "gone"


def test_terminal_escapes_in_an_error_body_are_stored_visibly_escaped() -> None:
    with RawTarget(raw_answer("500 Internal Server Error", TERMINAL_TRICK + MORE_CONTROLS)) as server:
        world, outcome = _fire(server, attempts=1)
    stored = world.store.run(*RUN)["error"]
    for text in (stored, outcome.error):
        assert not CONTROLS.search(text), text
        assert "\\x1b]0;owned\\x07\\x1b[2K" in text and "\\x9b31m\\x00\\x7f" in text and "\\x0d\\x0a" in text
    assert SECRET not in stored
