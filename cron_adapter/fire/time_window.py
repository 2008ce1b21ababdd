"""The scheduled times a delivered fire input may name: a window around now.

The input's signature (``inputsig.py``) leaves ``scheduled_time`` unsigned, since EventBridge
substitutes it on every delivery, so whoever can invoke the fire Lambda with a captured
input could name any time. A time ahead of now is the harmful one: it claims that future
run's key at once, and the real delivery of that run is then skipped as already claimed.
A time long past is never a real delivery either. The handler refuses both; the audit's
catch-ups, ``trigger`` and ``backfill`` call the fire service directly and are not bounded.

- Ahead: EventBridge never delivers before the scheduled time (a flexible window only
  delays), so only clock skew is allowed, ``MAX_LEAD_SECONDS``.
- Behind: the latest a real delivery can arrive, ``MAX_LAG_SECONDS``: the largest flexible
  window, then EventBridge's retry window, then Lambda's queue of asynchronous events
  (the fire function's maximum event age), plus slack.

Pure: no AWS, no clock read; ``now`` is a parameter.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cron_adapter import constants as c
from cron_adapter import kinds as k
from cron_adapter.errors import FireInputRefused
from cron_adapter.fire.input import iso_utc

REASON = "out-of-window"
# Clock skew between EventBridge and the fire Lambda; a delivery is never early by design.
MAX_LEAD_SECONDS = 60
# A Lambda invocation's start latency and the clocks' skew, on top of the documented bounds.
LAG_SLACK_SECONDS = 900
MAX_LAG_SECONDS = (
    k.MAX_JITTER_MINUTES * 60  # the flexible window: 1440 min
    + c.DELIVERY_MAX_EVENT_AGE_SECONDS  # EventBridge's retries: 1 h
    + c.FIRE_MAX_EVENT_AGE_SECONDS  # Lambda's asynchronous queue (throttled): 1 h
    + LAG_SLACK_SECONDS
)


def check_window(job_id: str, scheduled_time: datetime, now: float) -> None:
    """Refuse a ``scheduled_time`` (naive = UTC) that no real delivery at ``now`` (epoch seconds) can name."""
    moment = scheduled_time if scheduled_time.tzinfo else scheduled_time.replace(tzinfo=UTC)
    offset = moment.timestamp() - now
    if offset > MAX_LEAD_SECONDS:
        why = f"{offset:.0f} s ahead of now; a delivery is never more than {MAX_LEAD_SECONDS} s early"
    elif -offset > MAX_LAG_SECONDS:
        why = f"{-offset:.0f} s before now; a delivery is never more than {MAX_LAG_SECONDS} s late"
    else:
        return
    raise FireInputRefused(REASON, f"fire input of job {job_id!r} names scheduled_time {iso_utc(moment)}: {why}")
