"""The fire service: claim (job, scheduled time) once, apply the overlap policy, call, record.

Pure orchestration against ports (:mod:`cron_adapter.fire.ports`); no boto3, no HTTP library.
One delivery, in the common case (2 store calls, 0 secret reads when warm)::

    secret (cached) ─ claim ──┬─ won ──── call target (retries) ─ finish (+ exhausted marker)
                              ├─ run exists, lease live or run closed ─ "duplicate", nothing called
                              ├─ run recorded "missed" by the audit, no catch-up ─ take it over (late delivery)
                              ├─ run claimed, lease expired ─ at-least-once: take over
                              │                              at-most-once: mark "lost" (alarm)
                              └─ job busy / limit ─ skip | queue (one waiting) | exhausted

Each claim round is one store write (claim or enqueue) and one pure decision on the answer
(:func:`cron_adapter.fire.decide.next_step`); the rounds end in a final step that is acted on
once. A won claim goes to :class:`cron_adapter.fire.runner.Runner` (call, finish, queued runs);
one with no time left for one attempt is released untried (``ClaimReleased``: the delivery
fails and is redelivered), never closed ``failed`` without a call.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

from msgspec.structs import replace

from cron_adapter import constants as c
from cron_adapter.errors import ClaimConflict, ClaimError, ClaimReleased
from cron_adapter.fire import decide
from cron_adapter.fire.decide import ClaimAgain, Enqueue, Skip, Step
from cron_adapter.fire.effects import Effects
from cron_adapter.fire.input import FireInput, iso_utc, run_id
from cron_adapter.fire.outcome import FireConfig, FireOutcome, outcome
from cron_adapter.fire.policy import lease_until
from cron_adapter.fire.ports import (
    Claim,
    ClaimStore,
    Clock,
    JobState,
    MetricSink,
    RunKey,
    ScheduleControl,
    Secret,
    SecretSource,
    TargetCaller,
)
from cron_adapter.fire.runner import Runner

_MAX_CLAIM_ROUNDS = 8  # the decisions end within 6 writes (two claim retries, a takeover, an enqueue)


class FireService:
    """Handles one EventBridge Scheduler delivery of a :class:`FireInput`."""

    def __init__(
        self,
        store: ClaimStore,
        caller: TargetCaller,
        secrets: SecretSource,
        clock: Clock,
        schedules: ScheduleControl,
        metrics: MetricSink,
        config: FireConfig | None = None,
        log: logging.Logger | logging.LoggerAdapter | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.store, self.caller, self.secrets, self.clock = store, caller, secrets, clock
        self.config, self.log, self.rand = config or FireConfig(), log or logging.getLogger(__name__), rand
        self.effects = Effects(metrics, schedules, self.log)

    def fire(self, fire: FireInput, holder: str, deadline: float) -> FireOutcome:
        """Run one delivery; ``holder`` names it (request id), ``deadline`` is the Lambda's end (epoch s)."""
        secret = self.secrets.get()  # before the claim: a secret failure must not consume the run
        token_key = self.config.tokens.key
        if token_key is not None and fire.job.target.auth == "jwt":
            token_key()  # the fire-token key too (cached like the secret): each attempt signs with it
        key = RunKey(job_id=fire.job_id, scheduled_time=run_id(fire))
        claim = decide.new_claim(fire, key, holder, self.clock.now(), deadline, self.config.retention_days)
        end_at = fire.job.end_at
        try:
            if end_at is not None and iso_utc(fire.scheduled_time) > iso_utc(end_at):
                return self._skip(fire, claim, Skip(error=f"after end_at {iso_utc(end_at)}", exhaust="end_at"))
            return self._claim_rounds(fire, claim, deadline, secret)
        except ClaimError as exc:
            if not isinstance(exc, ClaimConflict | ClaimReleased):
                self.effects.count(c.METRIC_CLAIM_ERROR)  # the "failed claims" alarm
            raise  # the Lambda fails; EventBridge/Lambda redeliver

    # --- claiming: rounds of one write and one decision, then one final step ------------------

    def _claim_rounds(self, fire: FireInput, claim: Claim, deadline: float, secret: Secret) -> FireOutcome:
        step: Step = ClaimAgain(tries=decide.CLAIM_TRIES)
        for _ in range(_MAX_CLAIM_ROUNDS):
            if isinstance(step, ClaimAgain):
                # The lease (and so the call window) starts now, not when the delivery began:
                # earlier rounds (a conflict, then a takeover) may have taken seconds.
                now = self.clock.now()
                lease = lease_until(fire.job, now, deadline)
                claim = replace(
                    claim,
                    now=now,
                    lease_until=lease,
                    previous_holder=step.previous_holder,
                    over_missed=step.over_missed,
                )
                answer = self._write(self.store.claim, claim)
            elif isinstance(step, Enqueue):
                answer = self._write(self.store.enqueue, claim)
            else:
                return self._act(fire, claim, step, deadline, secret)
            step = decide.next_step(fire, claim, step, answer)
        raise ClaimError(f"claim of job {fire.job_id!r} did not settle in {_MAX_CLAIM_ROUNDS} rounds")

    @staticmethod
    def _write(write: Callable[[Claim], JobState | None], claim: Claim) -> decide.Answer:
        try:
            return decide.Answer(state=write(claim))
        except ClaimConflict as exc:
            return decide.Answer(conflict=exc)

    def _act(self, fire: FireInput, claim: Claim, step: Step, deadline: float, secret: Secret) -> FireOutcome:
        """Carry out the final step of the claim rounds."""
        key = claim.key
        match step:
            case decide.Run():
                self.effects.count(c.METRIC_CLAIMED)
                if claim.over_missed:  # the audit's MissedRun was counted: this late run now records its outcome
                    self.log.warning("late delivery of a run recorded missed; running it", extra={"job_id": key.job_id})
                return self._runner().run_all(fire, claim, deadline, secret)
            case decide.Queued(behind=behind):
                self.effects.count(c.METRIC_QUEUED)
                return outcome(key, "queued", error=f"behind {behind}")
            case decide.Duplicate(error=error):
                self.effects.count(c.METRIC_DUPLICATE)
                self.log.info("duplicate delivery; nothing called", extra={"job_id": key.job_id, "error": error})
                return outcome(key, "duplicate", error=error)
            case decide.Busy(error=error):
                self.log.info("catch-up left for the next audit", extra={"job_id": key.job_id, "error": error})
                return outcome(key, "busy", error=error)
            case decide.MarkLost(holder=previous):
                return self._mark_lost(key, previous, claim.now)
            case Skip():
                return self._skip(fire, claim, step)
        raise ClaimError(f"claim of job {fire.job_id!r} ended in an unexpected step {step!r}")

    def _runner(self) -> Runner:
        """The runner of a won claim, over this service's ports as they are now."""
        return Runner(self.store, self.caller, self.clock, self.effects, self.config, self.log, self.rand)

    def _mark_lost(self, key: RunKey, previous: str, now: float) -> FireOutcome:
        try:
            self.store.close_stale(key, previous, now, "lost", "claimer crashed; at-most-once: not retried")
        except ClaimConflict:
            self.effects.count(c.METRIC_DUPLICATE)
            return outcome(key, "duplicate", error="run moved on")
        self.effects.count(c.METRIC_LOST)
        self.log.warning("run lost: claimer's lease expired (at-most-once)", extra={"job_id": key.job_id})
        return outcome(key, "lost", error="lease expired")

    def _skip(self, fire: FireInput, claim: Claim, skip: Skip) -> FireOutcome:
        """Record a run that will not call the target (skipped), and stop the job if exhausted."""
        key = claim.key
        try:
            if claim.previous_holder is not None:
                self.store.close_stale(key, claim.previous_holder, claim.now, "skipped", skip.error)
            else:
                self.store.record(
                    key, "skipped", skip.error, claim.now, claim.ttl, fire.spec_hash, over_missed=claim.over_missed
                )
        except ClaimConflict as exc:
            self.effects.count(c.METRIC_DUPLICATE)
            return outcome(key, "duplicate", error=f"run already {exc.status}")
        if skip.metric:
            self.effects.count(skip.metric)
        if skip.exhaust:
            self.store.mark_exhausted(fire.job_id, fire.spec_hash, skip.exhaust, claim.now)
            self.effects.stop(fire, skip.exhaust)
        return outcome(key, "skipped", error=skip.error, exhausted=skip.exhaust)
