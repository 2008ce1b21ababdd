"""The example receiving app verifies a real signed call, refuses a bad one, dedupes a retry."""

from __future__ import annotations

import importlib.util
import threading
import time
from pathlib import Path

import pytest

from cron_adapter.adapters.target import HttpTargetCaller
from cron_adapter.errors import TargetHTTPError
from cron_adapter.fire.policy import body_bytes, build_request
from cron_adapter.fire.ports import Secret
from cron_adapter.receiver import MemoryReplayCache, Receiver
from tests.adapters.fire_support import raw_status
from tests.unit.fire.conftest import make_input

SECRET, OLD = "receiver-App-9c3f" + "r" * 24, "old-Receiver-2a7b" + "q" * 24
APP = Path(__file__).resolve().parents[2] / "examples" / "receiver_app.py"


@pytest.fixture
def app():
    spec = importlib.util.spec_from_file_location("receiver_app", APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = module.make_server(Receiver([SECRET, OLD], require_signature=True, seen=MemoryReplayCache()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def signed(url: str, secret: str, attempt: int = 1):
    fire = make_input(target={"url": url})
    return build_request(fire, Secret(secret), attempt, body_bytes(fire), time.time(), hmac_on=True)


def test_example_app_accepts_dedupes_and_refuses(app) -> None:
    url = f"http://127.0.0.1:{app.server_address[1]}/fire"
    caller = HttpTargetCaller(allow_http_loopback=True)
    assert caller.call(signed(url, SECRET), 5).body == b'{"status": "ok"}'
    assert caller.call(signed(url, OLD, attempt=2), 5).body == b'{"status": "duplicate"}'  # rotation + dedupe
    with pytest.raises(TargetHTTPError) as err:
        caller.call(signed(url, "w" * 40), 5)
    assert err.value.status == 401
    assert app.runs == [("nightly-report", "2026-11-23T03:00:00Z")]


def unsigned_get(url: str, secret: str):
    fire = make_input(target={"url": url, "method": "GET"})
    return build_request(fire, Secret(secret), 1, body_bytes(fire), time.time(), hmac_on=False)


def test_example_app_takes_every_method_the_example_jobs_send() -> None:
    """examples/jobs.json sends GET (heartbeat) and POST; the example app must accept both."""
    import json

    spec = importlib.util.spec_from_file_location("receiver_app", APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = module.make_server(Receiver([SECRET], seen=MemoryReplayCache()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        caller = HttpTargetCaller(allow_http_loopback=True)
        jobs = json.loads((APP.parent / "jobs.json").read_text())["jobs"]
        methods = {(j.get("target") or {}).get("method", "POST") for j in jobs}
        assert "GET" in methods
        for method in sorted(methods):
            fire = make_input(target={"url": f"{base}/api/{method.lower()}", "method": method})
            request = build_request(fire, Secret(SECRET), 1, body_bytes(fire), time.time(), hmac_on=False)
            assert caller.call(request, 5).status == 200
        with pytest.raises(TargetHTTPError) as err:
            caller.call(unsigned_get(f"{base}/api/export/fail", SECRET), 5)
        assert err.value.status == 500  # as the dev target answers the example's failing job
    finally:
        server.shutdown()
        server.server_close()


def test_example_app_reads_the_secret_from_a_file(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("receiver_app", APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = tmp_path / "dev.secret"
    path.write_text(SECRET + "\n")
    assert module.current_secret({"CRON_SECRET_FILE": str(path)}) == SECRET
    assert module.current_secret({"CRON_SECRET": OLD}) == OLD
    with pytest.raises(SystemExit):
        module.current_secret({})


@pytest.mark.parametrize(
    ("length", "token", "status"),
    [
        ("-1", "w" * 40, 401),  # before the fix: read until close, unauthenticated
        (str(10**9), "w" * 40, 401),  # before the fix: buffers whatever arrives
        ("-1", SECRET, 400),
        ("abc", SECRET, 400),
        (str(10**9), SECRET, 413),
        (None, SECRET, 411),  # chunked: no length to bound the read by
    ],
)
def test_example_app_reads_no_body_it_has_not_bounded(app, length: str | None, token: str, status: int) -> None:
    framing = f"Content-Length: {length}" if length else "Transfer-Encoding: chunked"
    signature = f"X-Cron-Timestamp: {int(time.time())}\nX-Cron-Signature: v1={'0' * 64}"  # checked with the body
    head = f"POST /fire HTTP/1.1\nHost: x\nAuthorization: Bearer {token}\n{signature}\n{framing}\n"
    assert raw_status(app.server_address[1], head) == status
    assert app.runs == []


def test_the_fire_path_signs_v2_over_its_identity_and_v1_for_older_receivers() -> None:
    """A receiver that refuses v1 accepts a fire request; a changed job id is refused; v1 still verifies."""
    from cron_adapter import signing

    spec = importlib.util.spec_from_file_location("receiver_app", APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = module.make_server(Receiver([SECRET], require_signature=True, accept_v1=False, seen=MemoryReplayCache()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/fire"
        caller = HttpTargetCaller(allow_http_loopback=True)
        request = signed(url, SECRET)
        value = request.headers[signing.SIGNATURE_HEADER]
        assert value.startswith("v2=") and ",v1=" in value
        stamp = int(request.headers[signing.TIMESTAMP_HEADER])
        assert signing.verify([SECRET], stamp, request.body, value)  # what a receiver older than v2 checks
        assert caller.call(request, 5).status == 200
        forged = signed(url, SECRET)
        forged.headers["X-Cron-Job-Id"] = "delete-everything"  # the identity is signed: refused
        with pytest.raises(TargetHTTPError) as err:
            caller.call(forged, 5)
        assert err.value.status == 401
    finally:
        server.shutdown()
        server.server_close()
