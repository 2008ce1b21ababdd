"""What one audit may still spend on target calls: a number of fires, and the Lambda's time.

A catch-up or take-over fire goes through the fire path, which claims the run first. Started
with too little time left, it would claim the run and record it failed without calling the
target ("not called: no time left"), and that run would never be caught up again. So a fire
starts only when one whole attempt of its job fits before the audit's own margin; what does
not fit is left for the next audit, which finds the same records still due.
"""

from __future__ import annotations

from collections.abc import Callable

from cron_adapter.fire.policy import DEADLINE_SAFETY_SECONDS, MIN_ATTEMPT_SECONDS

MAX_FIRES_PER_AUDIT = 20  # catch-up target calls per audit; the rest wait for the next one
DEADLINE_MARGIN_SECONDS = 30  # stop this long before the Lambda's deadline, to publish and log
# A job may wait up to 840 s for its target, longer than an audit runs (10 min): such an
# attempt starts once this much is left, and the fire path cuts its timeout to what remains.
MAX_ATTEMPT_WAIT_SECONDS = 300.0


class FireBudget:
    """Fires left to this audit, and whether the next one still has time for an attempt."""

    def __init__(self, remaining: Callable[[], float], fires: int = MAX_FIRES_PER_AUDIT) -> None:
        self.remaining, self.fires = remaining, fires
        self.deferred = 0  # jobs whose next fire waits for the next audit: no time for an attempt

    def near_deadline(self) -> bool:
        """True when the audit must stop and publish what it has."""
        return self.remaining() < DEADLINE_MARGIN_SECONDS

    def spend(self, timeout: float) -> bool:
        """Take one fire of a job whose target waits ``timeout`` s; False when none is left or it would not fit."""
        if self.fires <= 0:
            return False
        wait = min(timeout, MAX_ATTEMPT_WAIT_SECONDS)
        if self.remaining() < DEADLINE_MARGIN_SECONDS + DEADLINE_SAFETY_SECONDS + MIN_ATTEMPT_SECONDS + wait:
            self.deferred += 1
            return False
        self.fires -= 1
        return True
