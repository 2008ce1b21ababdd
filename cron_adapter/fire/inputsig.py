"""Signed fire inputs: reconcile signs each schedule's input; the fire Lambda refuses any other.

Whoever may invoke the fire Lambda could otherwise name any URL and receive the shared
secret as ``Authorization: Bearer``. Reconcile adds one field to every ``Target.Input``::

    "sig": "v1.<key id>.<hex hmac_sha256(key, CONTEXT + canonical(input))>"

``canonical`` is the input as JSON with sorted keys and compact separators (UTF-8),
without the fields that are not signed: ``sig`` itself, and ``scheduled_time`` and
``attempt``, which EventBridge substitutes on every delivery (reconcile signs the
placeholders' absence, so both sides compute the same bytes). The key is the
input-signing secret, readable only by reconcile and fire. The key id (an HMAC of a fixed
label, so it reveals nothing of the key) names which key signed; the value may be
``{"current", "previous"}`` during a rotation, and both verify.

Pure: standard library and msgspec only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

import msgspec

from cron_adapter.errors import FireInputRefused
from cron_adapter.redacted import Redacted

SIG_FIELD = "sig"
UNSIGNED_FIELDS = frozenset({SIG_FIELD, "scheduled_time", "attempt"})
SCHEME = "v1"
CONTEXT = b"cron-adapter fire input v1\n"
KEY_ID_CHARS = 8
DIGEST_CHARS = 64
_KEY_ID_LABEL = b"cron-adapter input key id"
_HEX = frozenset("0123456789abcdef")
# msgspec, not json.dumps: ~15x faster, and reconcile signs every schedule of a large file.
_SORTED = msgspec.json.Encoder(order="sorted")
# An unknown key id re-reads the key (a rotation reached reconcile first) at most this often,
# so forged inputs naming random key ids cannot turn into a Secrets Manager call each.
REFRESH_INTERVAL_SECONDS = 60.0


def key_id(secret: str) -> str:
    """The public name of a key: 8 hex digits of an HMAC of a fixed label (reveals nothing)."""
    return hmac.new(secret.encode("utf-8"), _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:KEY_ID_CHARS]


def canonical(body: Mapping[str, Any]) -> bytes:
    """The signed bytes of an input: sorted, compact JSON (msgspec) without the unsigned fields."""
    signed = {name: value for name, value in body.items() if name not in UNSIGNED_FIELDS}
    try:
        return CONTEXT + _SORTED.encode(signed)
    except OverflowError:  # an integer beyond 64 bits: the standard library writes it exactly
        return CONTEXT + json.dumps(signed, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def _finite(value: Any) -> bool:
    """No NaN or infinity anywhere in ``value`` (msgspec would write them as null)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return False
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def _digest(secret: str, body: Mapping[str, Any]) -> str:
    return hmac.new(secret.encode("utf-8"), canonical(body), hashlib.sha256).hexdigest()


class InputKey(Redacted, frozen=True, dict=True):  # dict: room for the cached key id
    """The input-signing key: ``current`` signs; ``previous`` (during a rotation) still verifies."""

    HIDDEN = frozenset({"current", "previous"})
    current: str
    previous: str | None = None

    @cached_property
    def key_id(self) -> str:
        """The current key's id, part of every schedule's spec (a new key rewrites them all)."""
        return key_id(self.current)

    def sign(self, body: Mapping[str, Any]) -> str:
        """The ``sig`` value of ``body`` under the current key."""
        return f"{SCHEME}.{self.key_id}.{_digest(self.current, body)}"

    def secret_for(self, kid: str) -> str | None:
        """The key (current or previous) whose id is ``kid``, else None."""
        for secret in (self.current, self.previous):
            if secret is not None and hmac.compare_digest(key_id(secret), kid):
                return secret
        return None


def unseal(event: Any) -> tuple[Any, str | None]:
    """Split an event into its body (the FireInput) and its ``sig`` (None when absent)."""
    if not isinstance(event, dict) or SIG_FIELD not in event:
        return event, None
    sig = event[SIG_FIELD]
    body = {name: value for name, value in event.items() if name != SIG_FIELD}
    return body, sig if isinstance(sig, str) else ""


def _parts(sig: str) -> tuple[str, str] | None:
    """(key id, digest) of a well-formed ``sig``, else None (what is compared is plain ASCII)."""
    scheme, _, rest = sig.partition(".")
    kid, _, digest = rest.partition(".")
    well_formed = (
        scheme == SCHEME
        and len(kid) == KEY_ID_CHARS
        and len(digest) == DIGEST_CHARS
        and kid.isascii()
        and digest.isascii()
        and _HEX.issuperset(kid)
        and _HEX.issuperset(digest)
    )
    return (kid, digest) if well_formed else None


def check(key: InputKey, body: Mapping[str, Any], sig: str | None) -> None:
    """Return if ``sig`` signs ``body`` under ``key``; else FireInputRefused (unsigned | forged).

    The refusal's message names what is wrong, never the key or the expected digest.
    """
    if sig is None:
        raise FireInputRefused("unsigned", "the fire input carries no signature (sig)")
    parts = _parts(sig)
    if parts is None:
        raise FireInputRefused("forged", f"the signature is not {SCHEME}.<8 hex key id>.<64 hex digest>")
    kid, digest = parts
    secret = key.secret_for(kid)
    if secret is None:
        raise FireInputRefused("forged", f"the signature names key {kid}, which is not this deployment's key")
    try:
        expected = _digest(secret, body) if _finite(body) else ""
    except (TypeError, ValueError, RecursionError):
        expected = ""
    if not expected:
        raise FireInputRefused("forged", "the fire input has no canonical JSON form (a NaN or infinity?)")
    if not hmac.compare_digest(expected, digest):
        raise FireInputRefused("forged", "the signature does not match the input (changed after signing)")


class InputVerifier:
    """Checks signatures with a cached key; an unknown key id re-reads the key, rate-limited.

    ``keys(refresh)`` returns the key (from a cache unless ``refresh``); ``now`` is a clock.
    """

    def __init__(self, keys: Callable[[bool], InputKey], now: Callable[[], float]) -> None:
        self._keys, self._now = keys, now
        self._refreshed_at: float | None = None

    def check(self, body: Mapping[str, Any], sig: str | None) -> None:
        """As :func:`check`; a key id that is neither current nor previous re-reads the key once."""
        if self._refreshed_at is None:
            self._refreshed_at = self._now()  # the first read is fresh: no re-read right after it
        key = self._keys(False)
        parts = _parts(sig) if sig else None
        if parts is not None and key.secret_for(parts[0]) is None and self._may_refresh():
            key = self._keys(True)
        check(key, body, sig)

    def _may_refresh(self) -> bool:
        now = self._now()
        if self._refreshed_at is not None and now - self._refreshed_at < REFRESH_INTERVAL_SECONDS:
            return False
        self._refreshed_at = now
        return True
