"""The receiver helper: bearer and HMAC checks, rotation, timestamp window, replay cache."""

from __future__ import annotations

import pytest

from cron_adapter import signing
from cron_adapter.errors import SecretError
from cron_adapter.receiver import MemoryReplayCache, Receiver

CURRENT = "current-Secret-4f9a" + "c" * 24
PREVIOUS = "previous-Secret-7b2e" + "p" * 24
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


@pytest.mark.parametrize("value", ["v1=é" + "a" * 63, "v1=\u00ff\u00fe", "v1=\ud800", "v1=" + "\u0661" * 64, "é"])
def test_a_non_ascii_signature_header_is_refused_not_raised(value: str) -> None:
    h = {**headers(), signing.SIGNATURE_HEADER: value}
    assert receiver(require_signature=True).verify(h, BODY).reason == "signature does not match"


@pytest.mark.parametrize("value", ["Bearer \ud800", "Bearer é" * 10, "\x00", "Bearer"])
def test_odd_authorization_headers_are_refused_not_raised(value: str) -> None:
    h = {k: v for k, v in headers().items() if k.lower() != "authorization"}
    assert not receiver().verify({**h, "Authorization": value}, BODY).ok


def _re_encodings(h: dict[str, str]) -> list[dict[str, str]]:
    sig, ts = h[signing.SIGNATURE_HEADER], h[signing.TIMESTAMP_HEADER]
    digest = sig.partition("=")[2]
    return [
        {**h, signing.SIGNATURE_HEADER: "v1=" + digest.upper()},
        {**h, signing.SIGNATURE_HEADER: f" v1= {digest} "},
        {**h, signing.SIGNATURE_HEADER: f"v1={'0' * 64},{sig}"},
        {**h, signing.SIGNATURE_HEADER: f"{sig},{sig}"},
        {**h, signing.TIMESTAMP_HEADER: "0" + ts},
        {**h, signing.TIMESTAMP_HEADER: "+" + ts},
        {**h, signing.TIMESTAMP_HEADER: f" {ts} "},
        {**h, signing.TIMESTAMP_HEADER: "".join(chr(0x0660 + int(d)) for d in ts)},  # Arabic-Indic digits
    ]


def test_a_re_encoded_replay_is_still_a_replay() -> None:
    r = receiver(seen=MemoryReplayCache(now=lambda: NOW), require_signature=True)
    h = headers()
    assert r.verify(h, BODY).ok
    for variant in _re_encodings(h):
        assert not r.verify(variant, BODY).ok, variant


def test_a_rotated_retry_in_the_same_second_is_not_a_replay() -> None:
    r = receiver(seen=MemoryReplayCache(now=lambda: NOW), require_signature=True)
    assert r.verify(headers(), BODY).ok
    assert r.verify(headers(PREVIOUS), BODY).ok  # signed with the other secret: a different request


@pytest.mark.parametrize(
    "secret", ["a" * 32, " " * 32, "ab" * 20, "\t" * 40, " " + "x7Kq9-mZ2pLw4" * 3, "s3cr3t" * 6 + " "]
)
def test_placeholder_secrets_are_refused_without_showing_them(secret: str) -> None:
    with pytest.raises(SecretError) as err:
        Receiver([CURRENT, secret])
    assert not secret.strip() or secret.strip() not in str(err.value)


def test_verification_uses_constant_time_compares() -> None:
    import inspect

    from cron_adapter import receiver as module

    assert "hmac.compare_digest" in inspect.getsource(module.Receiver._check_bearer)
    assert "hmac.compare_digest" in inspect.getsource(signing.matching_digest)
    assert "==" not in inspect.getsource(signing.matching_digest).split('"""')[2]
