"""What one fire delivery returns (:class:`FireOutcome`) and the plain settings it runs with."""

from __future__ import annotations

from typing import Any

import msgspec

from cron_adapter import constants as c
from cron_adapter.fire.ports import RunKey
from cron_adapter.fire.tokens import TokenDefaults


class FireOutcome(msgspec.Struct, frozen=True):
    """What one delivery did. ``status`` is a run status, or ``duplicate``."""

    job_id: str
    scheduled_time: str
    status: str
    attempts: int = 0
    http_status: int | None = None
    duration_ms: int = 0
    error: str | None = None
    exhausted: str | None = None
    next: FireOutcome | None = None  # the queued run this invocation started afterwards

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the Lambda's return value)."""
        return msgspec.to_builtins(self)  # type: ignore[no-any-return]


class FireConfig(msgspec.Struct, frozen=True):
    """Plain settings the service needs (from ``FireSettings`` at the edge)."""

    retention_days: int = c.DEFAULT_RUN_RETENTION_DAYS
    hmac: bool = False
    tokens: TokenDefaults = TokenDefaults()  # aud/iss of fire tokens when a jwt target sets none


def outcome(key: RunKey, status: str, **fields: Any) -> FireOutcome:
    """The outcome of run ``key`` (keyword fields only: a positional one once slid into the wrong field)."""
    return FireOutcome(job_id=key.job_id, scheduled_time=key.scheduled_time, status=status, **fields)
