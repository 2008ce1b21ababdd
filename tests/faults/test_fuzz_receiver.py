"""Fuzz the receiver (``cron_adapter.receiver``), the helper a target app calls on every request.

Headers come from the network, so anything may arrive: random or malformed ``Authorization``,
``X-Cron-Signature`` and ``X-Cron-Timestamp`` values (unicode, lone surrogates, control
characters, huge values, several spellings of one name), and small edits of a genuinely
signed request. ``verify`` must never raise, must refuse with a short reason that holds no
secret, and may accept only the genuine bearer token with a genuine signature, once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cron_adapter import signing
from cron_adapter.receiver import MemoryReplayCache, Receiver, Verification
from tests.faults import tally

SECRET = "recv-Fuzz-3b7c1e9a" + "Q2w8" * 6
PREVIOUS = "recv-Prev-0d4f8a2b" + "Z7x1" * 6
NOW = 1_795_402_800
BODY = b'{"job_id":"nightly-report","fire_at":"2026-11-23T03:00:00Z"}'
FUZZ = settings(
    max_examples=tally.examples(300, 2000),
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
    database=None,
)
NAMES = ("Authorization", signing.TIMESTAMP_HEADER, signing.SIGNATURE_HEADER)

# Header text as a hostile client could send it, and as a framework could hand it over.
hostile_text = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=()), max_size=40),
    st.text(alphabet="v1=0123456789abcdefABCDEF ,\t", max_size=140),
    st.sampled_from(["\ud800", "\udfff", "v1=\ud800", "Bearer \ud800", "\x00", "\r\n", "١٢٣٤٥", "+1795402800"]),
    st.integers(-(10**30), 10**30).map(str),
    st.just("x" * 20_000),
)


def genuine(timestamp: int = NOW, secret: str = SECRET) -> dict[str, str]:
    """The headers of a real cron-adapter call (bearer token and v1 signature)."""
    return {"Authorization": f"Bearer {secret}", **signing.signature_headers(secret, timestamp, BODY)}


def receiver() -> Receiver:
    return Receiver(
        [SECRET, PREVIOUS], require_signature=True, now=lambda: NOW, seen=MemoryReplayCache(now=lambda: NOW)
    )


def checked(r: Receiver, headers: dict[str, Any], body: bytes = BODY) -> Verification:
    """One verify: it returns (never raises) and a refusal's reason is one short line without a secret."""
    result = r.verify(headers, body)
    assert isinstance(result, Verification)
    if not result.ok:
        assert result.reason and "\n" not in result.reason and len(result.reason) < 200, result.reason
        assert SECRET not in result.reason and PREVIOUS not in result.reason
    tally.add("fuzz.receiver", tried=1, **{"accepted" if result.ok else "refused": 1})
    return result


def _is_genuine(headers: dict[str, str]) -> bool:
    """True only for the genuine token with a signature over (NOW, BODY) by a configured secret."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if any([k.lower() for k in headers].count(name.lower()) > 1 for name in NAMES):
        return False  # two spellings of a checked name: the receiver refuses the ambiguity
    scheme, _, token = lowered.get("authorization", "").partition(" ")
    stamp = lowered.get(signing.TIMESTAMP_HEADER.lower(), "")
    sig = lowered.get(signing.SIGNATURE_HEADER.lower(), "")
    return (
        scheme.lower() == "bearer"
        and token.strip() in (SECRET, PREVIOUS)
        and stamp == str(NOW)
        and signing.matching_digest([SECRET, PREVIOUS], NOW, BODY, sig) is not None
    )


@FUZZ
@given(st.dictionaries(st.one_of(st.sampled_from(NAMES), st.text(max_size=20)), hostile_text, max_size=6))
def test_random_headers_are_refused_without_raising(headers: dict[str, str]) -> None:
    result = checked(receiver(), headers)
    assert not result.ok or _is_genuine(headers)


@FUZZ
@given(
    st.sampled_from(NAMES),
    st.sampled_from(["replace", "append", "prepend", "upper", "lower", "strip", "drop", "duplicate"]),
    hostile_text,
)
def test_edits_of_a_genuine_request_are_refused_unless_still_genuine(name: str, edit: str, text: str) -> None:
    headers = genuine()
    value = headers[name]
    edited = {
        "replace": text,
        "append": value + text,
        "prepend": text + value,
        "upper": value.upper(),
        "lower": value.lower(),
        "strip": value[:-1],
    }
    if edit == "drop":
        del headers[name]
    elif edit == "duplicate":
        headers[name.lower()] = text  # a second spelling of the same header name
    else:
        headers[name] = edited[edit]
    r = receiver()
    result = checked(r, headers)
    assert not result.ok or _is_genuine(headers), (name, edit)
    if result.ok:
        assert not checked(r, headers).ok, "the same signed request twice is a replay"


@FUZZ
@given(st.binary(max_size=2000), st.integers(-(10**12), 10**13))
def test_any_body_and_timestamp_verify_only_when_signed_and_in_the_window(body: bytes, timestamp: int) -> None:
    headers = {"Authorization": f"Bearer {SECRET}", **signing.signature_headers(SECRET, timestamp, body)}
    result = checked(receiver(), headers, body)
    in_window = abs(NOW - timestamp) <= 300 and len(str(timestamp)) <= 12 and timestamp >= 0
    assert result.ok == in_window, (timestamp, result.reason)
    assert checked(receiver(), headers, body + b" ").ok is False  # any other body fails the signature


def test_two_spellings_of_a_checked_header_are_refused_whichever_comes_first() -> None:
    for name in NAMES:
        for forged_first in (True, False):
            headers = genuine()
            value = headers.pop(name)
            pair = [(name.lower(), "forged"), (name, value)]
            headers.update(pair if forged_first else pair[::-1])
            result = checked(receiver(), headers)
            assert not result.ok and result.reason == f"more than one {name.lower()} header"
