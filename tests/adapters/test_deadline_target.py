"""One attempt's timeout bounds it all: the DNS resolve, each connect, the send and the answer.

Slow DNS is an injected resolver; the only server binds 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest

from cron_adapter.adapters.target import HttpTargetCaller, TransportRequest, TransportResponse
from cron_adapter.errors import TargetConnectFailed, TargetTimeout, TargetUnreachable
from cron_adapter.fire.ports import TargetRequest


def request(url: str = "https://target.example/hook", body: bytes = b"{}") -> TargetRequest:
    return TargetRequest("POST", url, {"Content-Type": "application/json"}, body)


def test_a_resolver_that_never_answers_fails_the_attempt_within_its_timeout() -> None:
    release, calls = threading.Event(), []

    def hung(host: str, port: int) -> list[str]:
        release.wait(10)  # getaddrinfo stuck on a silent name server
        return ["93.184.216.34"]

    def transport(req: TransportRequest, timeout: float) -> TransportResponse:
        calls.append(req)
        return TransportResponse(200, {}, b"")

    caller = HttpTargetCaller(transport=transport, resolver=hung)
    started = time.monotonic()
    try:
        with pytest.raises(TargetUnreachable, match=r"cannot resolve target\.example within 0\.3 s"):
            caller.call(request(), 0.3)
        assert time.monotonic() - started < 1.0 and calls == []
    finally:
        release.set()


def test_the_time_dns_took_comes_out_of_the_connects_budget() -> None:
    given: list[float] = []

    def slow(host: str, port: int) -> list[str]:
        time.sleep(0.3)
        return ["93.184.216.34"]

    def transport(req: TransportRequest, timeout: float) -> TransportResponse:
        given.append(timeout)
        return TransportResponse(200, {}, b"")

    HttpTargetCaller(transport=transport, resolver=slow).call(request(), 1.0)
    assert given and given[0] <= 0.71  # 1 s for the attempt, 0.3 of it spent resolving


def test_a_resolver_error_still_fails_the_attempt_as_unreachable() -> None:
    def broken(host: str, port: int) -> list[str]:
        raise TargetUnreachable("cannot resolve target.example: Name or service not known")

    with pytest.raises(TargetUnreachable, match="Name or service not known"):
        HttpTargetCaller(resolver=broken).call(request(), 1.0)


def test_no_further_address_is_tried_once_the_attempts_time_is_spent() -> None:
    tried: list[str] = []

    def silent(req: TransportRequest, timeout: float) -> TransportResponse:
        tried.append(req.address)
        time.sleep(min(timeout, 0.25))  # a connect that times out
        raise TargetConnectFailed(f"cannot connect to target.example at {req.address}")

    resolved = ["93.184.216.1", "93.184.216.2", "93.184.216.3", "93.184.216.4"]
    caller = HttpTargetCaller(transport=silent, resolver=lambda h, p: resolved)
    started = time.monotonic()
    with pytest.raises(TargetUnreachable, match="no time left to connect within 0.6 s"):
        caller.call(request(), 0.6)
    assert time.monotonic() - started < 0.9 and len(tried) == 3  # 0.25 + 0.25 + the last 0.1


class SlowReader:
    """A raw HTTP server on 127.0.0.1: reads the request body only after ``stall`` s, answers ``answer_after`` later."""

    def __init__(self, stall: float, answer_after: float) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.stall, self.answer_after = stall, answer_after
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            conn.settimeout(5)
            time.sleep(self.stall)  # the client's send blocks on full socket buffers meanwhile
            try:
                while conn.recv(1 << 20):
                    conn.settimeout(0.05)  # drained once no more comes
            except OSError:
                pass
            time.sleep(self.answer_after)
            with contextlib.suppress(OSError):  # the client gave up
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def close(self) -> None:
        self.sock.close()
        self.thread.join(5)


def test_a_slow_send_leaves_the_wait_for_the_answer_only_what_is_left() -> None:
    server = SlowReader(stall=0.6, answer_after=0.9)
    caller = HttpTargetCaller(allow_http_loopback=True)
    body = b"x" * (64 << 20)  # larger than loopback's socket buffers: the send waits for the reader
    started = time.monotonic()
    try:
        # without one budget for the whole exchange: 0.6 s sending, then a fresh 1.0 s for the answer at 1.5 s
        with pytest.raises(TargetTimeout):
            caller.call(request(f"http://127.0.0.1:{server.port}/hook", body), 1.0)
        assert time.monotonic() - started < 1.3
    finally:
        server.close()
