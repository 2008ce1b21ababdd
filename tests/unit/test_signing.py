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


IDENTITY = signing.Identity("nightly-report", "2026-11-23T03:00:00Z", "nightly-report:2026-11-23T03:00:00Z")
# printf 'cron-adapter request v2\n1795402800\nnightly-report\n2026-11-23T03:00:00Z\n
#         nightly-report:2026-11-23T03:00:00Z\n{"job_id":...}' | openssl dgst -sha256 -hmac "$KEY"
VECTOR_V2 = "9c6592d5873c8c0c419c70ee2565adbb62001241b4513aebe2c883ff5c0f422c"


def test_v2_signature_matches_the_openssl_vector() -> None:
    assert signing.sign(KEY, TS, BODY, IDENTITY) == VECTOR_V2
    assert signing.signature_headers(KEY, TS, BODY, IDENTITY) == {
        "X-Cron-Timestamp": str(TS),
        "X-Cron-Signature": f"v2={VECTOR_V2}",
    }


def test_v2_covers_each_identity_header() -> None:
    header = signing.signature_header(KEY, TS, BODY, IDENTITY)
    assert signing.verify([KEY], TS, BODY, header, IDENTITY)
    for field in range(3):
        changed = signing.Identity(*(v + "x" if i == field else v for i, v in enumerate(IDENTITY)))
        assert not signing.verify([KEY], TS, BODY, header, changed), changed
    assert not signing.verify([KEY], TS, BODY, header)  # a v2 signature is not a v1 one
    assert not signing.verify([KEY], TS, BODY, f"v1={VECTOR}", IDENTITY)  # nor the other way round


def test_v2_refuses_a_field_that_could_shift_the_newline_split() -> None:
    # "a\nb" + "c" and "a" + "b\nc" would join to the same bytes: a field with a newline never verifies.
    split = signing.Identity("a\nb", "c", "k")
    assert not signing.verify([KEY], TS, BODY, signing.signature_header(KEY, TS, BODY, split), split)
