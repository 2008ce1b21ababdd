"""Receiver-side verification of a cron-adapter call; framework-agnostic (headers + body bytes).

A target app checks the bearer token, and optionally the HMAC signature, before it runs a job::

    from cron_adapter.receiver import Receiver

    receiver = Receiver(secrets=[current, previous], require_signature=True)
    result = receiver.verify(request_headers, request_body_bytes)
    if not result.ok:
        return 401, result.reason          # reason never contains a secret

Every comparison is constant-time and runs against every configured secret (current and
previous during rotation), so timing reveals neither the token nor which secret matched.
Replay: the signed timestamp must be within ``window`` seconds of now; an optional
``seen(digest) -> bool`` hook (e.g. :class:`MemoryReplayCache`, or Redis SET NX) refuses a
signature that was already used inside the window.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from cron_adapter import signing
from cron_adapter.constants import MIN_SECRET_LENGTH
from cron_adapter.errors import SecretError

DEFAULT_WINDOW_SECONDS = 300


@dataclass(frozen=True)
class Verification:
    """The result of verifying one request."""

    ok: bool
    reason: str = ""
    job_id: str | None = None
    scheduled_time: str | None = None
    idempotency_key: str | None = None


class MemoryReplayCache:
    """An in-process ``seen`` hook: remembers signatures for ``ttl`` seconds (one process only)."""

    def __init__(self, ttl: float = DEFAULT_WINDOW_SECONDS * 2, now: Callable[[], float] = time.time) -> None:
        self._ttl = ttl
        self._now = now
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, digest: str) -> bool:
        """Record ``digest``; True when it was already seen (a replay)."""
        now = self._now()
        with self._lock:
            self._seen = {k: t for k, t in self._seen.items() if t > now}
            if digest in self._seen:
                return True
            self._seen[digest] = now + self._ttl
            return False


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


_CHECKED = ("authorization", signing.TIMESTAMP_HEADER.lower(), signing.SIGNATURE_HEADER.lower())


def _ambiguous(headers: Mapping[str, str]) -> str:
    """A refusal when a checked header comes in two spellings: which one counts would be a guess."""
    names = [key.lower() for key in headers if isinstance(key, str)]
    twice = next((name for name in _CHECKED if names.count(name) > 1), None)
    return f"more than one {twice} header" if twice else ""


class Receiver:
    """Verifies ``Authorization: Bearer`` and ``X-Cron-Signature`` against current + previous secrets."""

    def __init__(
        self,
        secrets: Sequence[str],
        *,
        require_signature: bool = False,
        window: float = DEFAULT_WINDOW_SECONDS,
        now: Callable[[], float] = time.time,
        seen: Callable[[str], bool] | None = None,
    ) -> None:
        usable = [s for s in secrets if s]
        if not usable:
            raise SecretError("receiver needs at least one secret")
        if any(len(s) < MIN_SECRET_LENGTH for s in usable):
            raise SecretError(f"receiver secrets must be at least {MIN_SECRET_LENGTH} characters")
        weak = next((w for w in map(signing.secret_weakness, usable) if w), "")
        if weak:
            raise SecretError(
                f"a receiver secret {weak}; generate one: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        self._secrets = usable
        self._require_signature = require_signature
        self._window = window
        self._now = now
        self._seen = seen

    def verify(self, headers: Mapping[str, str], body: bytes) -> Verification:
        """Verify one request; ``ok`` is False with a reason (never a secret) when refused."""
        reason = _ambiguous(headers) or self._check_bearer(headers) or self._check_signature(headers, body)
        if reason:
            return Verification(False, reason)
        return Verification(
            True,
            job_id=_job_id(_header(headers, "X-Cron-Job-Id")),
            scheduled_time=_header(headers, "X-Cron-Scheduled-Time"),
            idempotency_key=_header(headers, "Idempotency-Key"),
        )

    def _check_bearer(self, headers: Mapping[str, str]) -> str:
        scheme, _, token = (_header(headers, "Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return "missing bearer token"
        ok = False
        for secret in self._secrets:
            ok |= hmac.compare_digest(secret.encode("utf-8"), token.strip().encode("utf-8", "surrogatepass"))
        return "" if ok else "bearer token does not match"

    def _check_signature(self, headers: Mapping[str, str], body: bytes) -> str:
        stamp = _header(headers, signing.TIMESTAMP_HEADER)
        value = _header(headers, signing.SIGNATURE_HEADER)
        if stamp is None and value is None and not self._require_signature:
            return ""
        if stamp is None or value is None:
            return "missing signature headers"
        # Plain ASCII digits only: int() also reads " 17", "+17", "0017" and other scripts' digits,
        # each a new spelling of one timestamp.
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12 and stamp == str(int(stamp))):
            return "malformed timestamp"
        timestamp = int(stamp)
        if abs(self._now() - timestamp) > self._window:
            return "timestamp outside the allowed window (replay or clock skew)"
        digest = signing.matching_digest(self._secrets, timestamp, body, value)
        if digest is None:
            return "signature does not match"
        # The replay key is the canonical signature, not the header's spelling of it: upper-case
        # hex, spaces or an extra v1= entry make a new header for the same signed request.
        if self._seen is not None and self._seen(f"{timestamp}:{digest}"):
            return "signature already used (replay)"
        return ""


def _job_id(value: str | None) -> str | None:
    """The job id from ``X-Cron-Job-Id``, which carries it percent-encoded (UTF-8)."""
    return unquote(value) if value is not None else None
