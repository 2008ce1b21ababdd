"""The HTTP caller against a real http.server on 127.0.0.1: retries, backoff, Retry-After, policy."""

from __future__ import annotations

import email.utils
import json
import logging
import time

import pytest

from cron_adapter.adapters.target import HttpTargetCaller, parse_retry_after
from cron_adapter.errors import TargetHTTPError, TargetRefused, TargetTimeout, TargetUnreachable
from cron_adapter.fire.ports import TargetRequest
from cron_adapter.fire.service import FireConfig, FireService
from cron_adapter.receiver import Receiver
from tests.adapters.fire_support import Reply, TargetServer, assert_no_secret_logged
from tests.unit.fire.conftest import make_input
from tests.unit.fire.fakes import PREVIOUS, SECRET, FakeClock, FakeMetrics, FakeSchedules, FakeSecrets, FakeStore


@pytest.fixture(autouse=True)
def _no_secret_in_logs(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    yield
    assert_no_secret_logged(caplog, SECRET, PREVIOUS)


class RealClock(FakeClock):
    """Really sleeps, so the server sees the backoff."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        time.sleep(seconds)


def service(clock=None, hmac: bool = False) -> tuple[FireService, FakeStore, FakeClock]:
    store, clock = FakeStore(), clock or FakeClock()
    svc = FireService(
        store,
        HttpTargetCaller(allow_http_loopback=True),
        FakeSecrets(),
        clock,
        FakeSchedules(),
        FakeMetrics(),
        FireConfig(hmac=hmac),
        rand=lambda: 0.5,
    )
    return svc, store, clock


def fire_at(url: str, **job):
    return make_input(target={"url": url, **job.pop("target", {})}, **job)


def test_call_reaches_the_server_with_all_headers_and_the_receiver_accepts_it() -> None:
    with TargetServer() as server:
        svc, _, clock = service(RealClock(), hmac=True)
        outcome = svc.fire(fire_at(server.url), "req-1", time.time() + 60)
    assert outcome.status == "succeeded"
    seen = server.seen[0]
    assert seen.method == "POST" and seen.path == "/hook"
    assert json.loads(seen.body) == {"job_id": "nightly-report", "fire_at": "2026-11-23T03:00:00Z"}
    assert seen.headers["Idempotency-Key"] == "nightly-report:2026-11-23T03:00:00Z"
    assert Receiver([SECRET, PREVIOUS], require_signature=True).verify(seen.headers, seen.body).ok


def test_503_then_200_retries_with_real_backoff_between_requests() -> None:
    with TargetServer(Reply(503), Reply(502), Reply(200)) as server:
        svc, store, clock = service(RealClock())
        outcome = svc.fire(fire_at(server.url, retry={"attempts": 3, "backoff": 0.1}), "req-1", time.time() + 60)
    assert outcome.status == "succeeded" and outcome.attempts == 3
    gaps = [b.at - a.at for a, b in zip(server.seen, server.seen[1:], strict=False)]
    assert gaps[0] >= 0.075 and gaps[1] >= 0.15  # 0.1 -> [0.05, 0.1] jittered 0.075; 0.2 -> 0.15
    assert [s.headers["X-Cron-Attempt"] for s in server.seen] == ["1", "2", "3"]


def test_retry_after_seconds_is_honoured() -> None:
    with TargetServer(Reply(429, headers={"Retry-After": "7"}), Reply(200)) as server:
        svc, _, clock = service()
        outcome = svc.fire(fire_at(server.url), "req-1", clock.now() + 600)
    assert outcome.status == "succeeded" and clock.sleeps == [7.0]


def test_retry_after_http_date_is_honoured() -> None:
    clock = FakeClock()
    stamp = email.utils.formatdate(clock.now() + 30, usegmt=True)
    assert parse_retry_after(stamp, clock.now()) == pytest.approx(30, abs=1)
    with TargetServer(Reply(503, headers={"Retry-After": stamp}), Reply(200)) as server:
        store = FakeStore()
        caller = HttpTargetCaller(allow_http_loopback=True, now=clock.now)
        svc = FireService(store, caller, FakeSecrets(), clock, FakeSchedules(), FakeMetrics(), rand=lambda: 0.5)
        assert svc.fire(fire_at(server.url), "req-1", clock.now() + 600).status == "succeeded"
    assert clock.sleeps[0] == pytest.approx(30, abs=1)


def test_retry_after_past_the_deadline_stops_retrying() -> None:
    with TargetServer(Reply(503, headers={"Retry-After": "600"})) as server:
        svc, _, clock = service()
        outcome = svc.fire(fire_at(server.url), "req-1", clock.now() + 120)
    assert outcome.status == "failed" and outcome.attempts == 1 and len(server.seen) == 1


def test_404_fails_at_once() -> None:
    with TargetServer(Reply(404, b"no such job")) as server:
        svc, _, clock = service()
        outcome = svc.fire(fire_at(server.url), "req-1", clock.now() + 600)
    assert (outcome.status, outcome.attempts, outcome.http_status) == ("failed", 1, 404)
    assert "no such job" in outcome.error


def test_slow_target_times_out_and_is_retried() -> None:
    # The retry's answer must come within the same timeout on a loaded machine: 1 s, not 0.2 s.
    with TargetServer(Reply(200, delay=3.0), Reply(200)) as server:
        svc, _, clock = service()
        outcome = svc.fire(fire_at(server.url, target={"timeout": 1.0}), "req-1", clock.now() + 600)
    assert outcome.status == "succeeded" and outcome.attempts == 2


def test_gone_answer_is_recognised() -> None:
    with TargetServer(Reply(200, b'{"status":"gone"}', {"Content-Type": "application/json"})) as server:
        svc, store, clock = service()
        assert svc.fire(fire_at(server.url), "req-1", clock.now() + 600).status == "gone"


def request(url: str) -> TargetRequest:
    return TargetRequest("POST", url, {"Authorization": f"Bearer {SECRET}"}, b"{}")


def test_timeout_and_unreachable_are_mapped() -> None:
    with TargetServer(Reply(200, delay=1.0)) as server:
        with pytest.raises(TargetTimeout):
            HttpTargetCaller(True).call(request(server.url), 0.2)
        port = server.httpd.server_address[1]
    with pytest.raises(TargetUnreachable):
        HttpTargetCaller(True).call(request(f"http://127.0.0.1:{port}/gone"), 1.0)


def test_http_error_carries_status_and_retry_after() -> None:
    with TargetServer(Reply(503, headers={"Retry-After": "3"})) as server, pytest.raises(TargetHTTPError) as err:
        HttpTargetCaller(True).call(request(server.url), 2.0)
    assert (err.value.status, err.value.retry_after) == (503, 3.0)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/latest/meta-data/",
        "https://[fe80::1]/x",
        "https://169.254.10.10/x",
        "ftp://example.com/x",
    ],
)
def test_link_local_and_metadata_targets_are_refused(url: str) -> None:
    with pytest.raises(TargetRefused):
        HttpTargetCaller(True).call(request(url), 1.0)


def test_names_resolving_to_metadata_are_refused() -> None:
    caller = HttpTargetCaller(resolver=lambda host, port: ["93.184.216.34", "169.254.169.254"])
    with pytest.raises(TargetRefused, match="metadata"):
        caller.call(request("https://innocent.example.com/x"), 1.0)


def test_plain_http_needs_the_dev_flag_and_loopback() -> None:
    with pytest.raises(TargetRefused, match="loopback"):
        HttpTargetCaller(False).call(request("http://127.0.0.1:9/x"), 1.0)
    with pytest.raises(TargetRefused, match="https"):
        HttpTargetCaller(True, resolver=lambda h, p: ["93.184.216.34"]).call(request("http://example.com/x"), 1.0)


def test_injected_transport_sees_the_vetted_address() -> None:
    from cron_adapter.adapters.target import TransportResponse

    seen = []
    caller = HttpTargetCaller(
        transport=lambda req, t: seen.append(req) or TransportResponse(204, {}, b""),
        resolver=lambda h, p: ["93.184.215.14"],
    )
    assert caller.call(request("https://api.example.com/x"), 5.0).status == 204
    assert seen[0].address == "93.184.215.14" and SECRET not in repr(seen[0])
