"""Fires that EventBridge did not deliver: a manual trigger, a catch-up, a backfilled time.

Each is the job's own schedule input (``Target.Input`` as reconcile writes it, from
:func:`~cron_adapter.reconcile.translate.translate`) with the time substituted as
EventBridge would, so it goes through the same claim and target call as a scheduled fire.
A ``run`` label makes the claim key ``<time>~<label>``, which no scheduled time can equal.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from cron_adapter.errors import CronAdapterError
from cron_adapter.fire.input import ATTEMPT_PLACEHOLDER, SCHEDULED_TIME_PLACEHOLDER, FireInput, iso_utc, parse_input
from cron_adapter.jobs.model import Job
from cron_adapter.reconcile.translate import ScheduleRequest, Wiring, translate

TRIGGER_PREFIX = "trigger-"
MAX_BACKFILL = 500


def fire_input(
    job: Job,
    wiring: Wiring,
    scheduled: datetime,
    run: str | None = None,
    requests: Sequence[ScheduleRequest] | None = None,
) -> FireInput:
    """The FireInput EventBridge would send for ``job`` at ``scheduled`` (labelled ``run``).

    ``requests`` is ``translate(job, wiring)`` when the caller has it already.
    """
    requests = translate(job, wiring) if requests is None else requests
    if not requests:
        raise CronAdapterError(f"job {job.id!r} is done (hermes completed): it has no schedule to fire")
    text = requests[0].request["Target"]["Input"]
    text = text.replace(SCHEDULED_TIME_PLACEHOLDER, iso_utc(scheduled)).replace(f'"{ATTEMPT_PLACEHOLDER}"', "1")
    payload = json.loads(text)
    if run:
        payload["run"] = run
    return parse_input(payload)


def trigger_label(token: str) -> str:
    """The label of a manual run; ``token`` (e.g. 8 hex digits) makes each trigger its own run."""
    return f"{TRIGGER_PREFIX}{token}"
