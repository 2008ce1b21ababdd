"""The target call: headers, body, HMAC, retries with backoff, Retry-After, deadline, redaction."""

from __future__ import annotations

import json

import pytest

from cron_adapter.errors import FireInputRefused, TargetHTTPError, TargetRefused, TargetTimeout, TargetUnreachable
from cron_adapter.fire.policy import DEADLINE_SAFETY_SECONDS
from cron_adapter.fire.ports import TargetResponse
from cron_adapter.receiver import Receiver
from tests.unit.fire.conftest import World, make_input
from tests.unit.fire.fakes import PREVIOUS, SECRET, FakeCaller


def test_request_carries_secret_idempotency_key_and_default_body(world: World) -> None:
    world.fire(make_input(target={"url": "https://x.example/h", "headers": {"Authorization": "evil", "X-A": "1"}}))
    request, timeout = world.caller.requests[0]
    h = request.headers
    assert h["Authorization"] == f"Bearer {SECRET}"
    assert h["Idempotency-Key"] == "nightly-report:2026-11-23T03:00:00Z"
    assert (h["X-Cron-Job-Id"], h["X-Cron-Scheduled-Time"], h["X-Cron-Attempt"]) == (
        "nightly-report",
        "2026-11-23T03:00:00Z",
        "1",
    )
    assert h["X-A"] == "1" and h["Content-Type"] == "application/json"
    assert json.loads(request.body) == {"job_id": "nightly-report", "fire_at": "2026-11-23T03:00:00Z"}
    assert request.method == "POST" and timeout == 30.0
    assert SECRET not in repr(request)


def test_hmac_signature_verifies_at_the_receiver() -> None:
    world = World(hmac=True)
    world.fire(make_input())
    request, _ = world.caller.requests[0]
    receiver = Receiver([SECRET, PREVIOUS], require_signature=True, now=world.clock.now)
    assert receiver.verify(request.headers, request.body).ok


def test_5xx_and_timeouts_retry_with_exponential_backoff() -> None:
    world = World(FakeCaller(TargetHTTPError(503), TargetTimeout("slow"), TargetResponse(200)))
    outcome = world.fire(make_input(retry={"attempts": 3, "backoff": 2.0}))
    assert outcome.status == "succeeded" and outcome.attempts == 3
    assert world.clock.sleeps == [1.5, 3.0]  # equal jitter with rand=0.5: 2 -> [1, 2], 4 -> [2, 4]
    assert [r.headers["X-Cron-Attempt"] for r, _ in world.caller.requests] == ["1", "2", "3"]


def test_connection_failures_retry_then_fail(world: World) -> None:
    world.caller.script += [TargetUnreachable("refused")] * 3
    outcome = world.fire(make_input())
    assert outcome.status == "failed" and outcome.attempts == 3 and "TargetUnreachable" in outcome.error
    assert world.store.run("nightly-report", "2026-11-23T03:00:00Z")["status"] == "failed"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_other_4xx_fail_at_once(world: World, status: int) -> None:
    world.caller.script.append(TargetHTTPError(status))
    outcome = world.fire(make_input())
    assert outcome.status == "failed" and outcome.attempts == 1 and outcome.http_status == status


def test_refused_url_is_not_retried(world: World) -> None:
    world.caller.script.append(TargetRefused("link-local"))
    assert world.fire(make_input()).attempts == 1


def test_retry_after_longer_than_backoff_is_honoured() -> None:
    world = World(FakeCaller(TargetHTTPError(429, retry_after=20.0), TargetResponse(200)))
    assert world.fire(make_input()).status == "succeeded"
    assert world.clock.sleeps == [20.0]


def test_no_retry_past_the_lambda_deadline() -> None:
    world = World(FakeCaller(TargetHTTPError(503, retry_after=120.0)))
    outcome = world.fire(make_input(), remaining=60.0)
    assert outcome.status == "failed" and outcome.attempts == 1 and "passes the deadline" in outcome.error
    assert world.clock.sleeps == []


def test_attempt_timeout_is_capped_by_remaining_time_and_840_s(world: World) -> None:
    world.fire(make_input(target={"url": "https://x.example/h", "timeout": 840}), remaining=400.0)
    assert world.caller.requests[0][1] == pytest.approx(400.0 - DEADLINE_SAFETY_SECONDS)
    other = World()
    other.fire(make_input(target={"url": "https://x.example/h", "timeout": 840}), remaining=900.0)
    assert other.caller.requests[0][1] == 840.0
    with pytest.raises(FireInputRefused, match=r"job\.target\.timeout: Expected `float` <= 840"):
        make_input(target={"url": "https://x.example/h", "timeout": 3000})  # over the bound: refused as input


def test_at_most_once_does_not_resend_after_a_timeout_or_5xx() -> None:
    for error in (TargetTimeout("slow"), TargetHTTPError(502)):
        world = World(FakeCaller(error))
        outcome = world.fire(make_input(delivery="at-most-once"))
        assert outcome.status == "failed" and outcome.attempts == 1


def test_at_most_once_retries_429() -> None:
    world = World(FakeCaller(TargetHTTPError(429), TargetResponse(200)))
    assert world.fire(make_input(delivery="at-most-once")).attempts == 2


def test_target_echoing_the_secret_is_redacted_from_the_record() -> None:
    world = World(FakeCaller(TargetHTTPError(400, detail=f"bad header Bearer {SECRET}")))
    outcome = world.fire(make_input())
    assert SECRET not in outcome.error and "***" in outcome.error
    assert SECRET not in str(world.store.rows)


def test_no_retry_past_the_runs_own_lease() -> None:
    # budget: 2 attempts x 5 s + 1 s wait (+ 4 s slack); a 100 s Retry-After would outlive the claim.
    world = World(FakeCaller(TargetHTTPError(503, retry_after=100.0), TargetResponse(200)))
    job = {"target": {"url": "https://x.example/h", "timeout": 5}, "retry": {"attempts": 2, "backoff": 1.0}}
    outcome = world.fire(make_input(**job), remaining=900.0)
    assert outcome.status == "failed" and outcome.attempts == 1 and world.clock.sleeps == []


def test_retry_log_of_an_echoing_target_is_redacted(caplog) -> None:
    world = World(FakeCaller(TargetHTTPError(503, detail=f"echo: Bearer {SECRET}"), TargetResponse(200)))
    assert world.fire(make_input()).status == "succeeded"
    assert any("retrying" in r.getMessage() and "***" in r.error for r in caplog.records)


def test_get_sends_no_default_body_and_string_bodies_go_as_is(world: World) -> None:
    world.fire(make_input(target={"url": "https://x.example/h", "method": "GET"}))
    request, _ = world.caller.requests[0]
    assert request.method == "GET" and request.body == b"" and "Content-Type" not in request.headers
    other = World()
    other.fire(
        make_input(target={"url": "https://x.example/h", "body": "run=1", "headers": {"content-type": "text/plain"}})
    )
    assert other.caller.requests[0][0].body == b"run=1"
    assert other.caller.requests[0][0].headers["content-type"] == "text/plain"


def test_the_redactor_blanks_every_encoding_of_the_secret() -> None:
    import base64
    from urllib.parse import quote

    from cron_adapter.fire.policy import redactor, secret_forms
    from cron_adapter.fire.ports import Secret

    redact = redactor(Secret(SECRET, PREVIOUS))
    for value in (SECRET, PREVIOUS):
        for prefix in ("", "a", "ab", "Authorization: Bearer "):  # every base64 alignment
            for encode in (base64.b64encode, base64.urlsafe_b64encode):
                text = encode((prefix + value).encode()).decode()
                assert not any(form in redact(text) for form in secret_forms(value)), (prefix, encode)
                assert len(redact(text)) < len(text) - 20
        assert redact(quote(value, safe="")) == "***"
        assert value[:16] not in redact("cut: " + value[:20])


def test_202_is_recorded_as_accepted_not_succeeded() -> None:
    from cron_adapter import constants as c
    from cron_adapter.fire.ports import TargetResponse

    world = World(FakeCaller(TargetResponse(202, b"")))
    outcome = world.fire(make_input())
    assert outcome.status == "accepted" and outcome.http_status == 202
    assert world.store.run("nightly-report", "2026-11-23T03:00:00Z")["status"] == "accepted"
    assert world.metrics.count(c.METRIC_TARGET_ACCEPTED) == 1 and world.metrics.count(c.METRIC_TARGET_SUCCEEDED) == 0
