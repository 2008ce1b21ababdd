"""The receiver helper: bearer and HMAC checks, rotation, timestamp window, replay cache."""

from __future__ import annotations

import pytest

from cron_adapter import signing
from cron_adapter.errors import SecretError, SettingsError
from cron_adapter.receiver import MAX_BODY_BYTES, MemoryReplayCache, Receiver, body_length

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


class Clock:
    def __init__(self, t: float = NOW) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.mark.parametrize("window", [300, 3600])
@pytest.mark.parametrize("first_seen", [-1.0, 0.0, 1.0])  # first seen as early, on time, or as late as it can be
def test_a_replay_is_refused_for_as_long_as_the_window_accepts_its_timestamp(window: int, first_seen: float) -> None:
    clock = Clock(NOW + first_seen * window)
    r = Receiver([CURRENT], require_signature=True, window=window, now=clock, seen=MemoryReplayCache(now=clock))
    h = headers()
    assert r.verify(h, BODY).ok
    later = [t for t in (NOW - window + 1, NOW + 601, NOW + window - 0.5, NOW + window) if clock.t <= t <= NOW + window]
    for t in [clock.t, *later]:
        clock.t = t
        assert r.verify(h, BODY).reason == "signature already used (replay)", t - NOW
    clock.t = NOW + window + 0.5
    assert "window" in r.verify(h, BODY).reason


def test_the_replay_cache_forgets_a_key_once_its_window_has_passed() -> None:
    clock = Clock()
    cache = MemoryReplayCache(now=clock)
    r = Receiver([CURRENT], require_signature=True, window=3600, now=clock, seen=cache)
    for second in range(5):
        assert r.verify(headers(ts=NOW + second), BODY).ok
    assert len(cache) == 5
    clock.t = NOW + 3600 + 5
    assert not cache("another key", 1) and len(cache) == 1  # bounded: the five have left the window


@pytest.mark.parametrize("window", [0, -1, float("nan"), float("inf")])
def test_a_window_that_is_not_a_positive_finite_number_is_refused(window: float) -> None:
    with pytest.raises(SettingsError):
        Receiver([CURRENT], window=window)


def test_precheck_refuses_a_bad_bearer_or_stale_timestamp_without_the_body() -> None:
    r = receiver(require_signature=True)
    assert r.precheck(headers()).ok
    assert r.precheck(headers("w" * 40)).reason == "bearer token does not match"
    assert "window" in r.precheck(headers(ts=NOW - 301)).reason
    assert r.precheck({"Authorization": f"Bearer {CURRENT}"}).reason == "missing signature headers"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, (0, 0)),  # a bodiless GET
        ({"Content-Length": "12"}, (12, 0)),
        ({"content-length": "0" * 5000 + "7"}, (7, 0)),
        ({"Transfer-Encoding": "chunked"}, (0, 411)),
        ({"Content-Length": "-1"}, (0, 400)),
        ({"Content-Length": "+5"}, (0, 400)),
        ({"Content-Length": "1e3"}, (0, 400)),
        ({"Content-Length": "\u0661"}, (0, 400)),
        ({"Content-Length": "5", "content-length": "6"}, (0, 400)),
        ({"Content-Length": str(MAX_BODY_BYTES + 1)}, (0, 413)),
        ({"Content-Length": "9" * 5000}, (0, 413)),
        ({"Content-Length": "5", "Transfer-Encoding": "chunked"}, (0, 400)),  # smuggling: refused
    ],
)
def test_body_length_refuses_what_would_make_the_app_read_unbounded_data(given: dict, expected: tuple) -> None:
    assert body_length(given) == expected


def v2_headers(secret: str = CURRENT, ts: float = NOW) -> dict[str, str]:
    h = {k: v for k, v in headers(secret, ts).items() if not k.startswith("X-Cron-Si")}
    identity = signing.Identity(*(h[name] for name in signing.IDENTITY_HEADERS))
    return {**h, **signing.signature_headers(secret, int(ts), BODY, identity)}


@pytest.mark.parametrize("name", ["X-Cron-Job-Id", "X-Cron-Scheduled-Time", "Idempotency-Key"])
def test_a_v2_signature_covers_the_identity_headers(name: str) -> None:
    r = receiver(require_signature=True, accept_v1=False)
    assert r.verify(v2_headers(), BODY).ok
    assert r.verify(v2_headers(PREVIOUS), BODY).ok
    assert r.verify({**v2_headers(), name: "other"}, BODY).reason == "signature does not match"
    assert r.verify({k: v for k, v in v2_headers().items() if k != name}, BODY).reason == "signature does not match"
    assert r.verify({**v2_headers(), name.lower(): "other"}, BODY).reason == f"more than one {name.lower()} header"


def test_a_v1_signature_leaves_the_identity_open_and_can_be_refused() -> None:
    relabelled = {**headers(), "X-Cron-Job-Id": "another-job"}
    assert receiver(require_signature=True).verify(relabelled, BODY).job_id == "another-job"  # v1: not covered
    assert "v1 is refused" in receiver(require_signature=True, accept_v1=False).verify(headers(), BODY).reason


def test_a_v2_entry_decides_so_a_v1_entry_beside_it_cannot_stand_in() -> None:
    v1 = headers()[signing.SIGNATURE_HEADER]
    h = {**headers(), signing.SIGNATURE_HEADER: f"{v1},v2={'0' * 64}"}
    assert receiver(require_signature=True).verify(h, BODY).reason == "signature does not match"


def test_a_v2_request_cut_down_to_its_v1_entry_is_still_a_replay() -> None:
    """v1 does not cover the identity headers: stripped to v1 and re-addressed, a captured
    request would otherwise pass as new (and pass the app's Idempotency-Key dedupe)."""
    r = receiver(seen=MemoryReplayCache(now=lambda: NOW), require_signature=True)
    identity = signing.Identity("j", "2026-11-23T03:00:00Z", "j:2026-11-23T03:00:00Z")
    h = {**headers(), **signing.sender_headers(CURRENT, int(NOW), BODY, identity)}
    assert r.verify(h, BODY).ok
    v1_only = signing.signature_header(CURRENT, int(NOW), BODY)
    forged = {**h, signing.SIGNATURE_HEADER: v1_only, "X-Cron-Job-Id": "other", "Idempotency-Key": "other:x"}
    assert r.verify(forged, BODY).reason == "signature already used (replay)"
    other = signing.Identity("k", "2026-11-23T03:00:00Z", "k:2026-11-23T03:00:00Z")  # another job, same second
    k = {**headers(), "X-Cron-Job-Id": "k", "Idempotency-Key": "k:2026-11-23T03:00:00Z"}
    assert r.verify({**k, **signing.sender_headers(CURRENT, int(NOW), BODY, other)}, BODY).ok
