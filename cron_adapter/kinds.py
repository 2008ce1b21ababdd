"""Value kinds shared by the job model and the fire path.

Kept apart from ``model.py`` so the cold-started fire Lambda does not build the jobs-file
input models (several ms of pydantic schema building) that it never uses.
"""

from __future__ import annotations

from typing import Literal

from cron_adapter import signing

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
Overlap = Literal["skip", "allow", "queue"]
Delivery = Literal["at-least-once", "at-most-once"]
CatchUp = Literal["none", "latest", "all", "spread"]
Source = Literal["native", "hermes", "sidecar"]
# How a fire proves itself: the shared secret as a bearer token, or a fresh ES256 JWT per attempt.
Auth = Literal["secret", "jwt"]

# --- A job's runtime shape: the target and retry fields, their defaults and bounds -------
# One definition for the jobs-file model (jobs/model.py) and the fire input (fire/input.py).
DEFAULT_METHOD: Method = "POST"
DEFAULT_TIMEOUT_SECONDS = 30.0
# The fire Lambda runs at most 15 minutes; a target call is cut before the Lambda is.
MAX_TARGET_TIMEOUT_SECONDS = 840.0
# Shorter than this, no connection can be opened at all: every attempt would fail untried.
MIN_TARGET_TIMEOUT_SECONDS = 0.1
DEFAULT_ATTEMPTS = 3
MAX_ATTEMPTS = 10
DEFAULT_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 60.0
DEFAULT_MAX_BACKOFF_SECONDS = 30.0
MAX_MAX_BACKOFF_SECONDS = 300.0
DEFAULT_OVERLAP: Overlap = "skip"
DEFAULT_DELIVERY: Delivery = "at-least-once"
MAX_RUNS_LIMIT = 1_000_000_000
MAX_JOB_ID_CHARS = 512
# The largest flexible window (jitter) a job may have, in minutes: EventBridge's own maximum.
MAX_JITTER_MINUTES = 1440
# EventBridge Scheduler's Target.Input limit (characters).
MAX_INPUT_CHARS = 8192
# Headers a job may not set (compared lower-case): the fire path sets the adapter's own and
# drops a job's copy of any of these, and the HTTP client frames the request itself (Host
# from the URL, Content-Length from the body; a hop-by-hop header such as Transfer-Encoding
# would announce a framing or connection the request does not have). Validation refuses
# them all, so nothing a job sets is silently lost at fire time.
RESERVED_HEADERS = frozenset(
    h.lower()
    for h in (
        "Authorization",
        "Idempotency-Key",
        "X-Cron-Job-Id",
        "X-Cron-Scheduled-Time",
        "X-Cron-Attempt",
        signing.TIMESTAMP_HEADER,
        signing.SIGNATURE_HEADER,
        "Host",
        "Content-Length",
        "Transfer-Encoding",
        "Connection",
        "Keep-Alive",
        "Proxy-Connection",
        "TE",
        "Trailer",
        "Upgrade",
    )
)
# Scheduled times and end_at outside these years are refused (no schedule fires there).
MIN_YEAR, MAX_YEAR = 2000, 2199


def backoff_ceiling(backoff: float, max_backoff: float, failed_attempts: int) -> float:
    """The wait before retry ``failed_attempts + 1``: ``backoff`` doubling per failure, capped."""
    return min(max_backoff, backoff * 2 ** min(failed_attempts - 1, 30))


def jittered(ceiling: float, rand: float) -> float:
    """Equal jitter: half the ceiling plus a random share of the other half (``rand`` in [0, 1))."""
    return ceiling / 2 + rand * ceiling / 2
