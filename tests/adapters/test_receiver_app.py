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
