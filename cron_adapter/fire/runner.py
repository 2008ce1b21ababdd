"""Running a won claim: call the target, commit the outcome, then each queued run that finish starts.

The fire service hands over a won claim; this is pure orchestration against the same ports::

    call target (retries) ─ finish ─┬─ committed ─ stop the job if exhausted; run the promoted queued run, if any
                                    ├─ refused by the job's state ─ adjust (promote, drop, exhaust), finish again
                                    └─ taken over meanwhile ─ outcome not recorded

A won claim with no time left for one attempt is released untried (``ClaimReleased``), the
run left as the claim found it; a promoted queued run has no delivery of its own to retry,
so it is recorded ``skipped``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NamedTuple

from msgspec.structs import replace

from cron_adapter import constants as c
from cron_adapter.errors import ClaimConflict, ClaimError, ClaimReleased
from cron_adapter.fire import decide
from cron_adapter.fire.call import CallResult, call_with_retries
from cron_adapter.fire.effects import Effects
from cron_adapter.fire.input import FireInput, replace_input, split_run_id
from cron_adapter.fire.outcome import FireConfig, FireOutcome, outcome
from cron_adapter.fire.policy import call_until
from cron_adapter.fire.ports import Claim, ClaimStore, Clock, Finish, Secret, TargetCaller

_MAX_FINISH_ROUNDS = 4


class Runner(NamedTuple):
    """Calls and records the runs one delivery won: its own, then each queued run it starts.

    A NamedTuple, not a frozen dataclass: cheaper to create at the cold-started fire path's
    import, and to build for each won claim.
    """

    store: ClaimStore
    caller: TargetCaller
    clock: Clock
    effects: Effects
    config: FireConfig
    log: logging.Logger | logging.LoggerAdapter
    rand: Callable[[], float]

    def run_all(self, fire: FireInput, claim: Claim, deadline: float, secret: Secret) -> FireOutcome:
        """Run the won claim and the queued runs it hands over to (each promotion needs one attempt's time)."""
        outcomes: list[FireOutcome] = []
        current: Claim | None = claim
        while current is not None:  # bounded by the deadline: see adjust_finish
            done, current = self._run(fire, current, deadline, secret, promoted=bool(outcomes))
            outcomes.append(done)
            if current is not None:
                when, label = split_run_id(current.key.scheduled_time)
                fire = replace_input(fire, scheduled_time=when, run=label, attempt=1)
                self.effects.count(c.METRIC_CLAIMED)
        result = outcomes.pop()
        for earlier in reversed(outcomes):
            result = replace(earlier, next=result)
        return result

    def _run(
        self, fire: FireInput, claim: Claim, deadline: float, secret: Secret, promoted: bool
    ) -> tuple[FireOutcome, Claim | None]:
        """Call the target for one claimed run and commit its outcome; returns the run it promoted."""
        result = self._call(fire, claim, deadline, secret)
        if result.attempts == 0:
            if not promoted:
                self._release(claim)  # raises: the delivery fails and is redelivered
            # A promoted queued run has no delivery of its own to retry: dropped, as a finish drops one.
            result = replace(result, status="skipped", error="queued run dropped: no time left for one attempt")
        else:
            self.effects.count_call(result)
        fin = self._commit(fire, decide.called_finish(fire, claim, result, self.clock.now()), deadline)
        if fin.exhausted:
            self.effects.stop(fire, fin.exhausted)
        done = outcome(
            claim.key,
            result.status,
            attempts=result.attempts,
            http_status=result.http_status,
            duration_ms=result.duration_ms,
            error=result.error,
            exhausted=fin.exhausted,
        )
        return done, fin.promote

    def _call(self, fire: FireInput, claim: Claim, deadline: float, secret: Secret) -> CallResult:
        """The target calls of one claimed run, within its lease and the Lambda's deadline."""
        # Never call past our own lease (a Retry-After could ask for more): a takeover may follow it.
        return call_with_retries(
            fire,
            self.caller,
            secret,
            self.clock,
            call_until(claim.lease_until, deadline),
            hmac_on=self.config.hmac,
            rand=self.rand,
            log=self.log,
            tokens=self.config.tokens,
        )

    def _release(self, claim: Claim) -> None:
        """Give a won claim back untried and fail the delivery, so EventBridge/Lambda redeliver it.

        The run is left as the claim found it: no row (a fresh claim), the earlier holder's
        expired claim (a takeover: the redelivery or the audit takes it over again, not a
        ``missed``), or the audit's ``missed`` row (a late delivery: the redelivery takes it again).
        """
        self.store.release(claim)
        self.effects.count(c.METRIC_CLAIM_RELEASED)
        self.log.warning("no time for an attempt; claim released for redelivery", extra={"job_id": claim.key.job_id})
        raise ClaimReleased(
            f"run {claim.key.scheduled_time} of job {claim.key.job_id!r} released untried: no time left"
        )

    def _commit(self, fire: FireInput, fin: Finish, deadline: float) -> Finish:
        """Finish, adjusting to the job state the store reports until it commits."""
        for _ in range(_MAX_FINISH_ROUNDS):
            try:
                state = self.store.finish(fin)
            except ClaimConflict as exc:
                self.effects.count(c.METRIC_CLAIM_ERROR)
                self.log.warning(
                    "claim was taken over while running; outcome not recorded",
                    extra={"job_id": fin.key.job_id, "holder": exc.holder},
                )
                return replace(fin, exhausted=None, promote=None)
            if state is None:
                return fin
            fin = decide.adjust_finish(fire, fin, state, self.clock.now(), deadline, self.config.retention_days)
        raise ClaimError(f"finish of job {fin.key.job_id!r} did not converge")
