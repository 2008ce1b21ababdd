"""The fire service: claim (job, scheduled time) once, apply the overlap policy, call, record.

Pure orchestration against ports (:mod:`cron_adapter.fire.ports`); no boto3, no HTTP library.
One delivery, in the common case (2 store calls, 0 secret reads when warm)::

    secret (cached) ─ claim ──┬─ won ──── call target (retries) ─ finish (+ exhausted marker)
                              ├─ run exists, lease live or run closed ─ "duplicate", nothing called
                              ├─ run claimed, lease expired ─ at-least-once: take over
                              │                              at-most-once: mark "lost" (alarm)
                              └─ job busy / limit ─ skip | queue (one waiting) | exhausted
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from cron_adapter import constants as c
from cron_adapter.errors import ClaimConflict, ClaimError, CronAdapterError
from cron_adapter.fire.call import CallResult, call_with_retries
from cron_adapter.fire.input import FireInput, iso_utc, run_id, split_run_id
from cron_adapter.fire.jwt import TokenDefaults
from cron_adapter.fire.policy import (
    DEADLINE_SAFETY_SECONDS,
    LEASE_MARGIN_SECONDS,
    lease_until,
    target_timeout,
)
from cron_adapter.fire.ports import (
    Claim,
    ClaimStore,
    Clock,
    Finish,
    JobState,
    MetricSink,
    RunKey,
    ScheduleControl,
    Secret,
    SecretSource,
    TargetCaller,
)

_MAX_FINISH_ROUNDS = 4


@dataclass(frozen=True)
class FireOutcome:
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
        return asdict(self)


@dataclass(frozen=True)
class FireConfig:
    """Plain settings the service needs (from ``FireSettings`` at the edge)."""

    retention_days: int = c.DEFAULT_RUN_RETENTION_DAYS
    hmac: bool = False
    tokens: TokenDefaults = TokenDefaults()  # aud/iss of fire tokens when a jwt target sets none


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
        config: FireConfig = FireConfig(),
        log: logging.Logger | logging.LoggerAdapter | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.store, self.caller, self.secrets, self.clock = store, caller, secrets, clock
        self.schedules, self.metrics, self.config = schedules, metrics, config
        self.log = log or logging.getLogger(__name__)
        self.rand = rand

    def fire(self, fire: FireInput, holder: str, deadline: float) -> FireOutcome:
        """Run one delivery; ``holder`` names it (request id), ``deadline`` is the Lambda's end (epoch s)."""
        secret = self.secrets.get()  # before the claim: a secret failure must not consume the run
        now = self.clock.now()
        claim = self._claim_for(fire, RunKey(fire.job_id, run_id(fire)), holder, now, deadline)
        end_at = fire.job.end_at
        try:
            if end_at is not None and iso_utc(fire.scheduled_time) > iso_utc(end_at):
                return self._refuse(fire, claim, f"after end_at {iso_utc(end_at)}", exhaust="end_at")
            return self._claim_and_run(fire, claim, deadline, secret, tries=2)
        except ClaimError as exc:
            if not isinstance(exc, ClaimConflict):
                self._count(c.METRIC_CLAIM_ERROR)  # the "failed claims" alarm
            raise  # the Lambda fails; EventBridge/Lambda redeliver

    # --- claiming ------------------------------------------------------------------------

    def _claim_for(self, fire: FireInput, key: RunKey, holder: str, now: float, deadline: float) -> Claim:
        ttl = int(now + self.config.retention_days * 86400)
        return Claim(
            key,
            holder,
            fire.attempt,
            now,
            lease_until(fire.job, now, deadline),
            ttl,
            fire.job.overlap,
            fire.job.max_runs,
            fire.spec_hash,
        )

    def _claim_and_run(self, fire: FireInput, claim: Claim, deadline: float, secret: Secret, tries: int) -> FireOutcome:
        # The lease (and so the call window) starts now, not when the delivery began: earlier
        # claim rounds (a conflict, then a takeover) may have taken seconds.
        now = self.clock.now()
        claim = replace(claim, now=now, lease_until=lease_until(fire.job, now, deadline))
        try:
            state = self.store.claim(claim)
        except ClaimConflict as exc:
            return self._conflict(fire, claim, exc, deadline, secret)
        if state is not None:
            return self._busy(fire, claim, state, deadline, secret, tries)
        self._count(c.METRIC_CLAIMED)
        return self._run(fire, claim, deadline, secret)

    def _conflict(
        self, fire: FireInput, claim: Claim, exc: ClaimConflict, deadline: float, secret: Secret
    ) -> FireOutcome:
        key = claim.key
        expired = exc.status == "claimed" and exc.lease_until is not None and exc.lease_until < claim.now
        if not expired or claim.previous_holder is not None or exc.holder is None:
            self._count(c.METRIC_DUPLICATE)
            self.log.info("duplicate delivery; nothing called", extra={"job_id": key.job_id, "run_status": exc.status})
            return FireOutcome(key.job_id, key.scheduled_time, "duplicate", error=f"run already {exc.status}")
        if fire.job.delivery == "at-most-once":
            try:
                self.store.close_stale(key, exc.holder, claim.now, "lost", "claimer crashed; at-most-once: not retried")
            except ClaimConflict:
                self._count(c.METRIC_DUPLICATE)
                return FireOutcome(key.job_id, key.scheduled_time, "duplicate", error="run moved on")
            self._count(c.METRIC_LOST)
            self.log.warning("run lost: claimer's lease expired (at-most-once)", extra={"job_id": key.job_id})
            return FireOutcome(key.job_id, key.scheduled_time, "lost", error="lease expired")
        self.log.warning("taking over an expired claim", extra={"job_id": key.job_id, "previous_holder": exc.holder})
        return self._claim_and_run(fire, replace(claim, previous_holder=exc.holder), deadline, secret, tries=1)

    def _busy(
        self, fire: FireInput, claim: Claim, state: JobState, deadline: float, secret: Secret, tries: int
    ) -> FireOutcome:
        job = fire.job
        if job.max_runs is not None and state.runs >= job.max_runs and claim.previous_holder is None:
            return self._refuse(fire, claim, f"max_runs {job.max_runs} reached", exhaust="max_runs")
        if state.slot_free(claim.now) and tries > 0:  # the running run finished in between
            return self._claim_and_run(fire, claim, deadline, secret, tries - 1)
        if job.overlap == "queue" and state.queued is None and claim.previous_holder is None:
            try:
                again = self.store.enqueue(claim)
            except ClaimConflict as exc:
                return self._conflict(fire, claim, exc, deadline, secret)
            if again is None:
                self._count(c.METRIC_QUEUED)
                return FireOutcome(
                    claim.key.job_id, claim.key.scheduled_time, "queued", error=f"behind {state.running}"
                )
            if tries > 0:
                return self._busy(fire, claim, again, deadline, secret, tries - 1)
        return self._refuse(
            fire, claim, f"overlap: run {state.running} still in progress", metric=c.METRIC_SKIPPED_OVERLAP
        )

    def _refuse(
        self, fire: FireInput, claim: Claim, error: str, exhaust: str | None = None, metric: str | None = None
    ) -> FireOutcome:
        """Record a run that will not call the target (skipped), and stop the job if exhausted."""
        key = claim.key
        try:
            if claim.previous_holder is not None:
                self.store.close_stale(key, claim.previous_holder, claim.now, "skipped", error)
            else:
                self.store.record(key, "skipped", error, claim.now, claim.ttl, fire.spec_hash)
        except ClaimConflict as exc:
            self._count(c.METRIC_DUPLICATE)
            return FireOutcome(key.job_id, key.scheduled_time, "duplicate", error=f"run already {exc.status}")
        if metric:
            self._count(metric)
        if exhaust:
            self.store.mark_exhausted(fire.job_id, fire.spec_hash, exhaust, claim.now)
            self._stop(fire, exhaust)
        return FireOutcome(key.job_id, key.scheduled_time, "skipped", error=error, exhausted=exhaust)

    # --- running -------------------------------------------------------------------------

    def _run(self, fire: FireInput, claim: Claim, deadline: float, secret: Secret) -> FireOutcome:
        # Never call past our own lease (a Retry-After could ask for more): a takeover may follow it.
        until = min(deadline, claim.lease_until - LEASE_MARGIN_SECONDS)
        result = call_with_retries(
            fire,
            self.caller,
            secret,
            self.clock,
            until,
            hmac_on=self.config.hmac,
            rand=self.rand,
            log=self.log,
            tokens=self.config.tokens,
        )
        self._count_call(result)
        exhausted = "gone" if result.status == "gone" else ("one_shot" if fire.job.one_shot else None)
        fin = Finish(
            claim.key,
            claim.holder,
            result.status,
            result.attempts,
            result.http_status,
            result.duration_ms,
            result.error,
            self.clock.now(),
            fire.job.overlap,
            fire.job.max_runs,
            fire.spec_hash,
            claim.ttl,
            exhausted=exhausted,
        )
        fin = self._commit(fire, fin, deadline)
        if fin.exhausted:
            self._stop(fire, fin.exhausted)
        outcome = FireOutcome(
            claim.key.job_id,
            claim.key.scheduled_time,
            result.status,
            result.attempts,
            result.http_status,
            result.duration_ms,
            result.error,
            fin.exhausted,
        )
        if fin.promote is None:
            return outcome
        when, label = split_run_id(fin.promote.key.scheduled_time)
        queued_fire = fire.model_copy(update={"scheduled_time": when, "run": label, "attempt": 1})
        self._count(c.METRIC_CLAIMED)
        return replace(outcome, next=self._run(queued_fire, fin.promote, deadline, secret))

    def _commit(self, fire: FireInput, fin: Finish, deadline: float) -> Finish:
        """Finish, adjusting to the job state the store reports until it commits."""
        for _ in range(_MAX_FINISH_ROUNDS):
            try:
                state = self.store.finish(fin)
            except ClaimConflict as exc:
                self._count(c.METRIC_CLAIM_ERROR)
                self.log.warning(
                    "claim was taken over while running; outcome not recorded",
                    extra={"job_id": fin.key.job_id, "holder": exc.holder},
                )
                return replace(fin, exhausted=None, promote=None)
            if state is None:
                return fin
            fin = self._adjust(fire, fin, state, deadline)
        raise ClaimError(f"finish of job {fin.key.job_id!r} did not converge")

    def _adjust(self, fire: FireInput, fin: Finish, state: JobState, deadline: float) -> Finish:
        """Pick the next finish after the store refused one (pure decision on ``state``)."""
        if fin.release and fin.overlap != "allow" and state.running_holder != fin.holder:
            return replace(fin, release=False, promote=None, drop_queued=None)
        if fin.max_runs is not None and state.runs >= fin.max_runs and fin.exhausted is None:
            return replace(fin, exhausted="max_runs", promote=None, drop_queued=state.queued if fin.release else None)
        # Only the run holding the job's slot may start or drop the queued run.
        if fin.release and state.queued and fin.promote is None and fin.drop_queued is None:
            now = self.clock.now()
            if (
                fin.exhausted or deadline - now < target_timeout(fire.job) + DEADLINE_SAFETY_SECONDS + 5
            ):  # one full attempt
                return replace(fin, drop_queued=state.queued)
            queued = self._claim_for(fire, RunKey(fin.key.job_id, state.queued), fin.holder, now, deadline)
            return replace(fin, promote=queued)
        raise ClaimError(f"finish of job {fin.key.job_id!r} refused by an unexpected job state")

    # --- effects -------------------------------------------------------------------------

    def _stop(self, fire: FireInput, reason: str) -> None:
        self._count(c.METRIC_EXHAUSTED)
        self.log.info("job exhausted; stopping its schedules", extra={"job_id": fire.job_id, "reason": reason})
        try:
            self.schedules.stop(fire.job_id, fire.job.schedules or (fire.schedule,))
        except CronAdapterError as exc:  # the marker is written; reconcile will not recreate the job
            self.log.warning(
                "could not stop the schedules of an exhausted job", extra={"job_id": fire.job_id, "error": str(exc)}
            )

    def _count_call(self, result: CallResult) -> None:
        name = {
            "succeeded": c.METRIC_TARGET_SUCCEEDED,
            "accepted": c.METRIC_TARGET_ACCEPTED,
            "gone": c.METRIC_GONE,
        }.get(result.status, c.METRIC_TARGET_FAILED)
        self._count(name)
        self.metrics.add_metric(name=c.METRIC_TARGET_LATENCY, unit="Milliseconds", value=result.duration_ms)

    def _count(self, name: str) -> None:
        self.metrics.add_metric(name=name, unit="Count", value=1)
