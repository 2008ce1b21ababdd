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


# --- every cut of the 4096-byte excerpt across an echoed secret --------------------------------

LONG = "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ"  # 64 alphanumerics, no repeated 4-gram
LONG_PREVIOUS = "Qw7Zr2Lk9Hs4Vn1Bx6Jd3Mf8Tg5Pc0Ye"
HEADER = "Authorization: Bearer "


def _forms(*values: str) -> list[str]:
    """The secret and every encoded form of it the redactor knows of (base64 runs, URL-encoded)."""
    from cron_adapter.fire.policy import secret_forms

    return sorted({v for value in values for v in (value, *secret_forms(value))})


def _cases() -> list[tuple[str, bytes]]:
    """(name, body): each pattern at every offset where the 4096-byte cut can fall inside the secret."""
    import base64

    from cron_adapter.fire.policy import ERROR_EXCERPT_BYTES as CUT

    cases = []
    for kept in range(len(LONG) + 1):  # the cut keeps ``kept`` characters of the echo's secret
        for pad in (" ", "x", "\n", "\x1b"):
            body = pad * (CUT - len(HEADER) - kept) + HEADER + LONG + "\n" + pad * 100
            cases.append((f"pad {pad!r}, {kept} kept", body.encode()))
    for prefix in range(len(LONG) + 1):  # whole copies blank to ***, the copy across the cut must too
        cases.append((f"x*{prefix} + secret*70", ("x" * prefix + LONG * 70).encode()))
        cases.append((f"x*{prefix} + (secret,previous)*40", ("x" * prefix + (LONG + LONG_PREVIOUS) * 40).encode()))
    echo = base64.b64encode(f"{HEADER}{LONG}".encode()).decode()
    for kept in range(len(echo) + 1):
        cases.append((f"base64, {kept} kept", ("=" * (CUT - kept) + echo + "\n" * 50).encode()))
    cases.append(("multi-byte across the cut", ("é" * 2040 + HEADER + LONG).encode()))
    return cases


def _leaks(texts: list[str], error: str, forms: list[str]) -> list[str]:
    """Each run of 8 of a secret form in any text, and each start (4 or more) of one that ends the error."""
    found = [f[i : i + 8] for f in forms for i in range(len(f) - 7) if any(f[i : i + 8] in t for t in texts)]
    for end in {error, error.removesuffix("...")}:
        found += [f[:k] for f in forms for k in range(4, len(f) + 1) if end.endswith(f[:k])]
    return found


def test_no_run_of_the_secret_survives_any_cut_of_the_excerpt(caplog: pytest.LogCaptureFixture) -> None:
    """Padding the cut into the secret, whole copies shrinking the text, partial copies under 16 characters."""
    caplog.set_level(logging.DEBUG)
    forms, leaked = _forms(LONG, LONG_PREVIOUS), {}
    for name, body in _cases():
        caplog.clear()
        store = FakeStore()
        caller = HttpTargetCaller(
            transport=lambda request, timeout, body=body: TransportResponse(500, {}, body),
            resolver=lambda host, port: ["93.184.215.14"],
        )
        secrets = FakeSecrets(secret=Secret(LONG, LONG_PREVIOUS))
        svc = FireService(store, caller, secrets, FakeClock(), FakeSchedules(), FakeMetrics(), rand=lambda: 0.5)
        fire = make_input(target={"url": "https://api.example.com/hook"}, retry={"attempts": 2})
        outcome = svc.fire(fire, "req-1", FakeClock().now() + 600)
        assert outcome.status == "failed" and outcome.http_status == 500, name
        error = outcome.error or ""
        texts = [error, repr(store.rows), *(r.getMessage() + " " + repr(r.__dict__) for r in caplog.records)]
        if found := _leaks(texts, error, forms):
            leaked[name] = found
    assert not leaked, leaked


def test_a_real_server_echoing_the_secret_across_the_cut_leaks_none_of_it() -> None:
    from tests.adapters.fire_support import RawTarget, raw_answer

    body = (" " * (4096 - len(HEADER) - 25) + HEADER + LONG + "\n").encode()
    with RawTarget(raw_answer("500 Internal Server Error", body)) as server:
        store = FakeStore()
        caller = HttpTargetCaller(True, resolver=server.resolver)
        secrets = FakeSecrets(secret=Secret(LONG, LONG_PREVIOUS))
        svc = FireService(store, caller, secrets, FakeClock(), FakeSchedules(), FakeMetrics(), rand=lambda: 0.5)
        outcome = svc.fire(make_input(target={"url": server.url}), "req-1", FakeClock().now() + 600)
    error = outcome.error or ""
    assert outcome.status == "failed" and error.endswith("Bearer ***")
    assert not _leaks([error, repr(store.rows)], error, _forms(LONG, LONG_PREVIOUS))
