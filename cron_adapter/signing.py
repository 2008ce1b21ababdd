"""HMAC-SHA256 request signatures, shared by the caller and the receiver.

Two forms, each keyed with the shared secret (the one the ``Authorization`` header carries)::

    X-Cron-Timestamp: 1795489200
    X-Cron-Signature: v2=<hex hmac_sha256(secret, b"cron-adapter request v2\\n1795489200\\n"
                          b"<X-Cron-Job-Id>\\n<X-Cron-Scheduled-Time>\\n<Idempotency-Key>\\n" + body)>
    X-Cron-Signature: v1=<hex hmac_sha256(secret, b"1795489200." + body)>     (legacy: no identity)

What it protects against: a party that does **not** hold the secret, e.g. a proxy or
middleware that rewrites a body (v1, v2) or the run's identity headers (v2 only), and,
with the receiver's window and replay cache, a re-sent copy of an exact request. What it
does not: anyone holding the secret, and that includes anyone who saw one request's
``Authorization`` header, can sign any body, identity and timestamp.

Pure: standard library only.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import NamedTuple

TIMESTAMP_HEADER = "X-Cron-Timestamp"
SIGNATURE_HEADER = "X-Cron-Signature"
SCHEME = "v1"
SCHEME_V2 = "v2"
V2_CONTEXT = b"cron-adapter request v2"
IDENTITY_HEADERS = ("X-Cron-Job-Id", "X-Cron-Scheduled-Time", "Idempotency-Key")
DIGEST_CHARS = 64
_HEX = frozenset("0123456789abcdef")
# A secret with fewer distinct characters than this is a placeholder, not a secret.
MIN_DISTINCT_CHARACTERS = 5


class Identity(NamedTuple):
    """The identity headers of one run, exactly as sent (the job id percent-encoded); v2 signs them."""

    job_id: str
    scheduled_time: str
    idempotency_key: str


def signed_payload(timestamp: int, body: bytes, identity: Identity | None = None) -> bytes:
    """The exact bytes that are signed: v1 ``b"<timestamp>." + body``, or v2 when ``identity`` is given."""
    if identity is None:
        return str(int(timestamp)).encode("ascii") + b"." + body
    # Newline-separated: no field may hold one (HTTP header values cannot), so the split is unique.
    fields = [str(int(timestamp)), *identity]
    return b"\n".join([V2_CONTEXT, *(f.encode("utf-8", "surrogatepass") for f in fields), body])


def sign(secret: str, timestamp: int, body: bytes, identity: Identity | None = None) -> str:
    """Return the hex HMAC-SHA256 of :func:`signed_payload` under ``secret``."""
    payload = signed_payload(timestamp, body, identity)
    return hmac.new(secret.encode("utf-8"), payload, hashlib.sha256).hexdigest()


def _scheme(identity: Identity | None) -> str:
    return SCHEME if identity is None else SCHEME_V2


def signature_header(secret: str, timestamp: int, body: bytes, identity: Identity | None = None) -> str:
    """Return the ``X-Cron-Signature`` value: ``v2=5f0c...`` with ``identity``, else ``v1=...``."""
    return f"{_scheme(identity)}={sign(secret, timestamp, body, identity)}"


def signature_headers(secret: str, timestamp: int, body: bytes, identity: Identity | None = None) -> dict[str, str]:
    """Return both signature headers for one request (one form only: never v1 next to v2)."""
    value = signature_header(secret, timestamp, body, identity)
    return {TIMESTAMP_HEADER: str(int(timestamp)), SIGNATURE_HEADER: value}


def sender_headers(secret: str, timestamp: int, body: bytes, identity: Identity) -> dict[str, str]:
    """What the fire path sends: ``v2=...,v1=...``. A receiver of this version checks the v2
    entry only (a v1 beside it cannot stand in); one that predates v2 checks the v1 entry, so
    upgrading the stack does not lock out a receiver that was not upgraded with it."""
    both = f"{signature_header(secret, timestamp, body, identity)},{signature_header(secret, timestamp, body)}"
    return {TIMESTAMP_HEADER: str(int(timestamp)), SIGNATURE_HEADER: both}


def parse_signature_header(value: str, scheme: str = SCHEME) -> list[str]:
    """Return the ``scheme`` hex digests in a header (``v1=a,v1=b`` is allowed during rotation).

    Only well-formed digests (64 hex digits) are returned, so what is compared is plain ASCII.
    """
    digests = []
    for part in value.split(","):
        name, _, digest = part.strip().partition("=")
        digest = digest.strip().lower()
        if name == scheme and len(digest) == DIGEST_CHARS and digest.isascii() and _HEX.issuperset(digest):
            digests.append(digest)
    return digests


def verify(
    secrets: list[str], timestamp: int, body: bytes, header_value: str, identity: Identity | None = None
) -> bool:
    """True when any digest in ``header_value`` matches any secret (constant-time compares)."""
    return matching_digest(secrets, timestamp, body, header_value, identity) is not None


def matching_digest(
    secrets: list[str], timestamp: int, body: bytes, header_value: str, identity: Identity | None = None
) -> str | None:
    """The expected digest of the first secret that a digest in the header matches, else None.

    With ``identity`` only ``v2=`` entries count, without it only ``v1=`` ones. The result is
    the canonical form of the signature (however the header spelled it), so a replay cache
    keyed by it cannot be passed by re-encoding the header.
    """
    if identity is not None and any(c in field for field in identity for c in "\r\n"):
        return None
    digests = parse_signature_header(header_value, _scheme(identity))
    found = None
    for secret in secrets:
        expected = sign(secret, timestamp, body, identity)
        for digest in digests:
            # No early exit: every pair is compared, so timing does not reveal which matched.
            if hmac.compare_digest(expected, digest) and found is None:
                found = expected
    return found


def secret_weakness(secret: str) -> str:
    """Why ``secret`` is unusable although long enough ("" when it is fine); never echoes it."""
    if secret != secret.strip():
        return "starts or ends with whitespace"
    if len(set(secret)) < MIN_DISTINCT_CHARACTERS:
        return f"has fewer than {MIN_DISTINCT_CHARACTERS} distinct characters (a placeholder, not a random secret)"
    return ""
