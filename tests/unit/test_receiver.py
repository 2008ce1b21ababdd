"""The receiver helper: bearer and HMAC checks, rotation, timestamp window, replay cache."""

from __future__ import annotations

import pytest

from cron_adapter import signing
from cron_adapter.errors import SecretError
from cron_adapter.receiver import MemoryReplayCache, Receiver

CURRENT = "c" * 40
PREVIOUS = "p" * 40
NOW = 1_795_402_800.0
BODY = b'{"job_id":"j","fire_at":"2026-11-23T03:00:00Z"}'


def headers(secret: str = CURRENT, ts: float = NOW, body: bytes = BODY, sign_with: str | None = None) -> dict[str, str]:
    h = {
        "authorization": f"Bearer {secret}",
        "X-Cron-Job-Id": "j",
        "Idempotency-Key": "j:2026-11-23T03:00:00Z",
        "X-Cron-Scheduled-Time": "2026-11-23T03:00:00Z",
    }
    h.update(signing.signature_headers(sign_with or secret, int(ts), body))
    return h


def receiver(**kw) -> Receiver:
    return Receiver([CURRENT, PREVIOUS], now=lambda: NOW, **kw)


def test_valid_request_is_accepted_with_its_identity() -> None:
    result = receiver(require_signature=True).verify(headers(), BODY)
    assert result.ok and result.job_id == "j" and result.idempotency_key == "j:2026-11-23T03:00:00Z"


def test_previous_secret_is_accepted_during_rotation() -> None:
    assert receiver().verify(headers(PREVIOUS), BODY).ok


def test_wrong_or_missing_bearer_is_refused_without_echoing_it() -> None:
    wrong = "w" * 40
    result = receiver().verify(headers(wrong), BODY)
    assert not result.ok and wrong not in result.reason and CURRENT not in result.reason
    assert not receiver().verify({}, BODY).ok


def test_bearer_only_is_fine_unless_a_signature_is_required() -> None:
    plain = {"Authorization": f"Bearer {CURRENT}"}
    assert receiver().verify(plain, BODY).ok
    assert receiver(require_signature=True).verify(plain, BODY).reason == "missing signature headers"


def test_tampered_body_is_refused() -> None:
    assert receiver().verify(headers(), BODY + b"x").reason == "signature does not match"


def test_stale_timestamp_is_refused_as_replay() -> None:
    old = headers(ts=NOW - 301)
    assert "window" in receiver().verify(old, BODY).reason
    assert receiver().verify(headers(ts=NOW - 299), BODY).ok


def test_replay_inside_the_window_is_refused_by_the_nonce_hook() -> None:
    r = receiver(seen=MemoryReplayCache(now=lambda: NOW))
    h = headers()
    assert r.verify(h, BODY).ok
    assert r.verify(h, BODY).reason == "signature already used (replay)"


def test_short_secrets_are_refused_without_showing_them() -> None:
    with pytest.raises(SecretError) as err:
        Receiver(["short-secret"])
    assert "short-secret" not in str(err.value)
