"""Receiver-side verification of a cron-adapter call; framework-agnostic (headers + body bytes).

A target app checks the bearer token, and optionally the HMAC signature, before it runs a job::

    from cron_adapter.receiver import Receiver

    receiver = Receiver(secrets=[current, previous], require_signature=True)
    if not receiver.precheck(request_headers).ok:   # before reading the body: bearer, timestamp
        return 401
    result = receiver.verify(request_headers, request_body_bytes)
    if not result.ok:
        return 401, result.reason          # reason never contains a secret

Every comparison is constant-time and runs against every configured secret (current and
previous during rotation), so timing reveals neither the token nor which secret matched.
The signature (see :mod:`cron_adapter.signing`) is keyed with the same secret as the bearer
token: it stops a party without the secret from changing the body or, in its v2 form, the
identity headers; it does not stop anyone who holds the secret. Replay: the signed timestamp
must be within ``window`` seconds of now, and an optional ``seen(key, ttl) -> bool`` hook
(:class:`MemoryReplayCache`, or Redis ``SET key 1 NX EX ttl``) refuses a signature already
used; the Receiver gives the ttl, so the hook remembers a key until its timestamp has left
the window::

    timestamp T     accepted while now in [T - window, T + window]
    first seen      at any now in that range; remembered for ttl = floor(T + window - now) + 1 s
"""

from __future__ import annotations

import heapq
import hmac
import math
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote

from cron_adapter import signing
from cron_adapter.constants import MIN_SECRET_LENGTH
from cron_adapter.errors import SecretError, SettingsError

DEFAULT_WINDOW_SECONDS = 300
MAX_BODY_BYTES = 1 << 20


class Headers(Protocol):
    """A request's headers: a dict, or anything with ``items()`` such as ``http.server``'s message."""

    def items(self) -> Iterable[tuple[str, str]]:
        """Every (name, value) pair, repeated names included."""
        ...


@dataclass(frozen=True)
class Verification:
    """The result of verifying one request."""

    ok: bool
    reason: str = ""
    job_id: str | None = None
    scheduled_time: str | None = None
    idempotency_key: str | None = None


class MemoryReplayCache:
    """An in-process ``seen`` hook (one process only): remembers each key for the ttl the Receiver gives.

    Expired keys are dropped on every call, so it holds at most the keys of the last
    ``2 * window`` seconds (only requests that passed the bearer and signature checks).
    """

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._expiry: dict[str, float] = {}
        self._queue: list[tuple[float, str]] = []  # a min-heap of (expiry, key): dropping is cheap
        self._lock = threading.Lock()

    def __call__(self, key: str, ttl: float) -> bool:
        """Record ``key`` for ``ttl`` seconds; True when it was already recorded (a replay)."""
        now = self._now()
        with self._lock:
            while self._queue and self._queue[0][0] <= now:
                del self._expiry[heapq.heappop(self._queue)[1]]
            if key in self._expiry:
                return True
            self._expiry[key] = now + ttl
            heapq.heappush(self._queue, (now + ttl, key))
            return False

    def __len__(self) -> int:
        """How many keys it holds now (expired ones included until the next call)."""
        return len(self._expiry)


def _header(headers: Headers, name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


_CHECKED = tuple(
    h.lower() for h in ("Authorization", signing.TIMESTAMP_HEADER, signing.SIGNATURE_HEADER, *signing.IDENTITY_HEADERS)
)


def _ambiguous(headers: Headers) -> str:
    """A refusal when a checked header comes twice: which one counts would be a guess."""
    names = [key.lower() for key, _ in headers.items() if isinstance(key, str)]
    twice = next((name for name in _CHECKED if names.count(name) > 1), None)
    return f"more than one {twice} header" if twice else ""


def body_length(headers: Headers, limit: int = MAX_BODY_BYTES) -> tuple[int, int]:
    """``(length, 0)`` when the body may be read, else ``(0, status)``: 411, 400 or 413.

    Check it before reading: ``Content-Length: -1`` (read until close) or a huge length would
    make the app buffer whatever a caller sends. No length and no ``Transfer-Encoding`` is an
    empty body (RFC 9112 section 6.3); a chunked body is refused (411), it needs a length.
    Both headers at once is refused (400): a proxy that honours Transfer-Encoding would frame
    the body differently from this length (request smuggling, RFC 9112 section 6.1).
    """
    lengths = {value.strip() for key, value in headers.items() if key.lower() == "content-length"}
    chunked = _header(headers, "Transfer-Encoding") is not None
    if not lengths:
        return (0, 411) if chunked else (0, 0)
    if chunked:
        return 0, 400
    value = lengths.pop() if len(lengths) == 1 else ""
    if not (value.isascii() and value.isdigit()):
        return 0, 400
    digits = value.lstrip("0") or "0"
    return (int(digits), 0) if len(digits) <= len(str(limit)) and int(digits) <= limit else (0, 413)


class Receiver:
    """Verifies ``Authorization: Bearer`` and ``X-Cron-Signature`` against current + previous secrets.

    ``accept_v1=False`` refuses the legacy v1 signature, which does not cover the identity
    headers; set it once every sender signs v2.
    """

    def __init__(
        self,
        secrets: Sequence[str],
        *,
        require_signature: bool = False,
        window: float = DEFAULT_WINDOW_SECONDS,
        now: Callable[[], float] = time.time,
        seen: Callable[[str, float], bool] | None = None,
        accept_v1: bool = True,
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
        if not (math.isfinite(window) and window > 0):
            raise SettingsError("window", "must be a positive, finite number of seconds")
        self._secrets = usable
        self._require_signature = require_signature
        self._window = window
        self._now = now
        self._seen = seen
        self._accept_v1 = accept_v1

    def precheck(self, headers: Headers) -> Verification:
        """Check what the headers alone prove (bearer, signature timestamp); call it before reading the body."""
        reason = _ambiguous(headers) or self._check_bearer(headers) or self._check_timestamp(headers)[0]
        return Verification(not reason, reason)

    def verify(self, headers: Headers, body: bytes) -> Verification:
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

    def _check_bearer(self, headers: Headers) -> str:
        scheme, _, token = (_header(headers, "Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return "missing bearer token"
        ok = False
        for secret in self._secrets:
            ok |= hmac.compare_digest(secret.encode("utf-8"), token.strip().encode("utf-8", "surrogatepass"))
        return "" if ok else "bearer token does not match"

    def _check_timestamp(self, headers: Headers) -> tuple[str, int | None]:
        """``(refusal, timestamp)``; the timestamp is None when there is no signature to check."""
        stamp = _header(headers, signing.TIMESTAMP_HEADER)
        value = _header(headers, signing.SIGNATURE_HEADER)
        if stamp is None and value is None and not self._require_signature:
            return "", None
        if stamp is None or value is None:
            return "missing signature headers", None
        # Plain ASCII digits only: int() also reads " 17", "+17", "0017" and other scripts' digits,
        # each a new spelling of one timestamp.
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12 and stamp == str(int(stamp))):
            return "malformed timestamp", None
        if abs(self._now() - int(stamp)) > self._window:
            return "timestamp outside the allowed window (replay or clock skew)", None
        return "", int(stamp)

    def _check_signature(self, headers: Headers, body: bytes) -> str:
        reason, timestamp = self._check_timestamp(headers)
        if reason or timestamp is None:
            return reason
        value = _header(headers, signing.SIGNATURE_HEADER) or ""
        # A v2 entry means the sender signs v2: its v1 entries, if any, are ignored.
        v2 = bool(signing.parse_signature_header(value, signing.SCHEME_V2))
        if not v2 and not self._accept_v1:
            return "no v2 signature (v1 is refused: it does not cover the identity headers)"
        identity = signing.Identity(*(_header(headers, h) or "" for h in signing.IDENTITY_HEADERS)) if v2 else None
        digest = signing.matching_digest(self._secrets, timestamp, body, value, identity)
        if digest is None:
            return "signature does not match"
        # The replay key is the canonical signature, not the header's spelling of it: upper-case
        # hex, spaces or an extra v1= entry make a new header for the same signed request. It is
        # remembered until the timestamp leaves the window (and no longer: the cache stays small).
        ttl = max(1, math.floor(timestamp + self._window - self._now()) + 1)
        if self._seen is None:
            return ""
        if self._seen(f"{timestamp}:{digest}", ttl):
            return "signature already used (replay)"
        if identity is not None:  # the same request cut down to its v1 entry is a replay too
            for secret in self._secrets:
                self._seen(f"{timestamp}:{signing.sign(secret, timestamp, body, None)}", ttl)
        return ""


def _job_id(value: str | None) -> str | None:
    """The job id from ``X-Cron-Job-Id``, which carries it percent-encoded (UTF-8)."""
    return unquote(value) if value is not None else None
