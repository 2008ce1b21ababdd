"""A target that echoes the request's Authorization header in its error page never gets the
secret, whole or in part, into the run record, the outcome or the logs."""

from __future__ import annotations

import logging

import pytest

from cron_adapter.adapters.target import HttpTargetCaller, TransportResponse
from cron_adapter.fire.ports import Secret
from cron_adapter.fire.service import FireService
from tests.unit.fire.conftest import make_input
from tests.unit.fire.fakes import FakeClock, FakeMetrics, FakeSchedules, FakeSecrets, FakeStore

SECRET = "u7Kq2mZ9rT4vW1yB6nC3dF8gH5jL0pQsXeAoRiUtYw"  # no repeated runs: any 8 of it are telling
PREVIOUS = "Pr3vIouS-kEy-m4Lq9Zt2Wx7Vb1Nc6Hd0Gf5Js8Ka"


def _echoing(offset: int):
    """An error page whose echo of the Authorization header starts ``offset`` bytes in."""

    def transport(request, timeout):
        echo = f"Request headers: Authorization: {request.headers['Authorization']}\nHost: x\n".encode()
        return TransportResponse(500, {}, b"x" * max(0, offset - 32) + echo)

    return transport


def _fragments(value: str, size: int = 8) -> list[str]:
    return [value[i : i + size] for i in range(len(value) - size + 1)]


@pytest.mark.parametrize("offset", [0, *range(120, 216, 3), 400, 4090])  # every cut across the secret
def test_no_part_of_the_secret_survives_an_echo_cut_anywhere(offset: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = FakeStore()
    caller = HttpTargetCaller(transport=_echoing(offset), resolver=lambda host, port: ["93.184.215.14"])
    secrets = FakeSecrets(secret=Secret(SECRET, PREVIOUS))
    svc = FireService(store, caller, secrets, FakeClock(), FakeSchedules(), FakeMetrics(), rand=lambda: 0.5)
    fire = make_input(target={"url": "https://api.example.com/hook"}, retry={"attempts": 2})
    outcome = svc.fire(fire, "req-1", FakeClock().now() + 600)
    assert outcome.status == "failed" and outcome.http_status == 500
    texts = [outcome.error or "", repr(store.rows)]
    texts += [record.getMessage() + " " + repr(record.__dict__) for record in caplog.records]
    leaked = [f for f in _fragments(SECRET) if any(f in text for text in texts)]
    assert not leaked, leaked
