"""HMAC-SHA256 signatures over ``"{timestamp}.{body}"``, shared by the caller and the receiver.

The fire Lambda signs every HTTP attempt with the current secret; the receiver recomputes the
signature with the current and the previous secret (rotation) and compares in constant time.
The timestamp is inside the signed string, so a captured request cannot be re-sent with a
fresh timestamp, and the receiver refuses timestamps outside a window (replay)::

    X-Cron-Timestamp: 1795489200
    X-Cron-Signature: v1=<hex hmac_sha256(secret, b"1795489200." + body)>

Pure: standard library only.
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Cron-Timestamp"
SIGNATURE_HEADER = "X-Cron-Signature"
SCHEME = "v1"
DIGEST_CHARS = 64
_HEX = frozenset("0123456789abcdef")
# A secret with fewer distinct characters than this is a placeholder, not a secret.
MIN_DISTINCT_CHARACTERS = 5


def signed_payload(timestamp: int, body: bytes) -> bytes:
    """The exact bytes that are signed: ``b"<timestamp>." + body``."""
    return str(int(timestamp)).encode("ascii") + b"." + body


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the hex HMAC-SHA256 of :func:`signed_payload` under ``secret``."""
    return hmac.new(secret.encode("utf-8"), signed_payload(timestamp, body), hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """Return the ``X-Cron-Signature`` value, e.g. ``v1=5f0c...``."""
    return f"{SCHEME}={sign(secret, timestamp, body)}"


def signature_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Return both signature headers for one request."""
    return {TIMESTAMP_HEADER: str(int(timestamp)), SIGNATURE_HEADER: signature_header(secret, timestamp, body)}


def parse_signature_header(value: str) -> list[str]:
    """Return the ``v1`` hex digests in a header (``v1=a,v1=b`` is allowed during rotation).

    Only well-formed digests (64 hex digits) are returned, so what is compared is plain ASCII.
    """
    digests = []
    for part in value.split(","):
        scheme, _, digest = part.strip().partition("=")
        digest = digest.strip().lower()
        if scheme == SCHEME and len(digest) == DIGEST_CHARS and digest.isascii() and _HEX.issuperset(digest):
            digests.append(digest)
    return digests


def verify(secrets: list[str], timestamp: int, body: bytes, header_value: str) -> bool:
    """True when any digest in ``header_value`` matches any secret (constant-time compares)."""
    return matching_digest(secrets, timestamp, body, header_value) is not None


def matching_digest(secrets: list[str], timestamp: int, body: bytes, header_value: str) -> str | None:
    """The expected digest of the first secret that a digest in the header matches, else None.

    It is the canonical form of the signature (however the header spelled it), so a replay
    cache keyed by it cannot be passed by re-encoding the header.
    """
    digests = parse_signature_header(header_value)
    found = None
    for secret in secrets:
        expected = sign(secret, timestamp, body)
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
