"""HMAC-SHA256 signatures: fixed vectors (computed with `openssl dgst -sha256 -hmac`), rotation, tampering."""

from __future__ import annotations

import hashlib
import hmac

from cron_adapter import signing

KEY = "test-secret-0123456789abcdef0123456789abcdef"
BODY = b'{"job_id":"nightly-report","fire_at":"2026-11-23T03:00:00Z"}'
TS = 1795402800
# printf '%s' '1795402800.{"job_id":...}' | openssl dgst -sha256 -hmac "$KEY"
VECTOR = "da7eefb00f18086eab08f4fbcca68eb82fe76d72dc97bc06aa32e20438c3e6ad"
VECTOR_EMPTY_BODY = "0afc641b416613f525d72cddb7a71ce86246954c1e69e0051996278000fb73cd"


def test_signature_matches_the_openssl_vector() -> None:
    assert signing.sign(KEY, TS, BODY) == VECTOR
    assert signing.sign(KEY, TS, b"") == VECTOR_EMPTY_BODY
    assert signing.signature_header(KEY, TS, BODY) == f"v1={VECTOR}"


def test_rfc4231_case_2_through_the_same_primitive() -> None:
    # RFC 4231 test case 2 checks the HMAC primitive our payload format builds on.
    digest = hmac.new(b"Jefe", b"what do ya want for nothing?", hashlib.sha256).hexdigest()
    assert digest == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_headers_carry_timestamp_and_signature() -> None:
    assert signing.signature_headers(KEY, TS, BODY) == {
        "X-Cron-Timestamp": str(TS),
        "X-Cron-Signature": f"v1={VECTOR}",
    }


def test_verify_accepts_current_or_previous_secret() -> None:
    other = "another-secret-abcdefghijklmnopqrstuvwxyz0123"
    assert signing.verify([other, KEY], TS, BODY, f"v1={VECTOR}")
    assert signing.verify([KEY], TS, BODY, f"v1=deadbeef, v1={VECTOR}")


def test_verify_refuses_tampering() -> None:
    assert not signing.verify([KEY], TS, BODY + b" ", f"v1={VECTOR}")
    assert not signing.verify([KEY], TS + 1, BODY, f"v1={VECTOR}")  # the timestamp is signed
    assert not signing.verify([KEY], TS, BODY, f"v0={VECTOR}")
    assert not signing.verify([KEY], TS, BODY, "")
