"""The local target of `cron-adapter dev`: verifies the secret with the receiver helper, records calls."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from cron_adapter.local.target import LocalTarget
from tests.adapters.fire_support import raw_status

SECRET = "local-Target-5e1d" + "s" * 24


@pytest.fixture
def target() -> Iterator[LocalTarget]:
    t = LocalTarget(SECRET, port=0).start()
    yield t
    t.stop()


def call(target: LocalTarget, path: str, token: str = SECRET) -> int:
    body = json.dumps({"job_id": "nightly", "fire_at": "2027-01-01T03:00:00Z"}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{target.port}{path}",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": "nightly:2027-01-01T03:00:00Z",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback test server
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_call_with_the_secret_is_verified_and_recorded(target: LocalTarget) -> None:
    assert call(target, "/api/ok") == 200
    [recorded] = target.log.snapshot()
    assert recorded.verified and recorded.job_id == "nightly" and recorded.scheduled_time == "2027-01-01T03:00:00Z"
    assert recorded.idempotency_key == "nightly:2027-01-01T03:00:00Z"


def test_a_wrong_secret_is_refused(target: LocalTarget) -> None:
    assert call(target, "/api/ok", token="x" * 40) == 401
    assert target.log.snapshot()[0].reason == "bearer token does not match"


def test_paths_containing_fail_answer_500(target: LocalTarget) -> None:
    assert call(target, "/api/export/fail") == 500
    assert target.log.snapshot()[0].verified


def test_a_busy_port_gives_a_clear_error(target: LocalTarget) -> None:
    with pytest.raises(OSError, match="--port"):
        LocalTarget(SECRET, port=target.port)


@pytest.mark.parametrize(
    ("length", "token", "status"),
    [("-1", SECRET, 400), ("-1", "x" * 40, 401), (str(10**9), SECRET, 413), (str(10**9), "x" * 40, 401)],
)
def test_a_length_that_would_read_unbounded_data_is_refused_unread(
    target: LocalTarget, length: str, token: str, status: int
) -> None:
    head = f"POST /api/ok HTTP/1.1\nHost: x\nAuthorization: Bearer {token}\nContent-Length: {length}\n"
    assert raw_status(target.port, head) == status
    [recorded] = target.log.snapshot()
    assert recorded.status == status and not recorded.verified
