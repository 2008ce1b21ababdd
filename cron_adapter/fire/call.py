"""The target call of one fire: attempts, backoff with jitter, ``Retry-After``, the deadline.

Timeline of a fire with 3 attempts (deadline = the Lambda's end, minus a safety margin)::

    claim ─ call#1 ─ 503 ─ wait max(backoff, Retry-After) ─ call#2 ─ timeout ─ wait ─ call#3 ─ finish
                                                     never past deadline ─┘

Orchestration only: the HTTP attempt is a :class:`TargetCaller`, time is a :class:`Clock`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NamedTuple

import msgspec

from cron_adapter.errors import CronAdapterError, TargetError, TargetHTTPError, TargetRefused
from cron_adapter.fire.input import FireInput
from cron_adapter.fire.policy import (
    DEADLINE_SAFETY_SECONDS,
    MIN_ATTEMPT_SECONDS,
    backoff,
    body_bytes,
    build_request,
    is_gone,
    next_wait,
    redactor,
    retryable,
    target_timeout,
)
from cron_adapter.fire.ports import Clock, RunStatus, Secret, TargetCaller, TargetResponse
from cron_adapter.fire.tokens import TokenDefaults


class CallResult(msgspec.Struct, frozen=True):
    """What the target calls of one run came to."""

    status: RunStatus  # succeeded | accepted | failed | gone
    attempts: int
    http_status: int | None
    duration_ms: int
    error: str | None = None


class _Failure(msgspec.Struct, frozen=True):
    error: str
    http_status: int | None
    retry_after: float | None
    final: bool


def _classify(exc: TargetError, at_most_once: bool, redact: Callable[[str], str]) -> _Failure:
    """Turn one failed attempt into (error text, whether another attempt may follow)."""
    text = redact(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, TargetHTTPError):
        return _Failure(text, exc.status, exc.retry_after, not retryable(exc.status, at_most_once))
    if isinstance(exc, TargetRefused):
        return _Failure(text, None, None, True)
    # Timeouts and broken connections may have reached the target: at-most-once stops here.
    return _Failure(text, None, None, at_most_once)


class _Attempts(NamedTuple):
    """What every attempt of one run shares: the caller, the clock and the request's fixed parts.

    A NamedTuple: built once per call, and cheaper than a frozen dataclass to create and to build.
    """

    fire: FireInput
    caller: TargetCaller
    secret: Secret
    clock: Clock
    hmac_on: bool
    tokens: TokenDefaults | None
    body: bytes
    redact: Callable[[str], str]

    def send(self, attempt: int, timeout: float) -> TargetResponse | _Failure:
        """Make attempt number ``attempt`` within ``timeout`` in all; a failure comes back classified, not raised."""
        fire, started = self.fire, self.clock.now()
        try:
            # a jwt target gets a fresh token per attempt (its exp is short); its first one may read the key
            token = _token(fire, started, self.tokens) if fire.job.target.auth == "jwt" else None
            request = build_request(fire, self.secret, attempt, self.body, self.clock.now(), self.hmac_on, token)
            left = timeout - (self.clock.now() - started)  # signing's time comes out of the attempt's
            if left <= 0:
                return _Failure(f"not called: signing took the attempt's {timeout:.1f} s", None, None, False)
            return self.caller.call(request, left)
        except TargetError as exc:
            return _classify(exc, fire.job.delivery == "at-most-once", self.redact)
        except (CronAdapterError, MemoryError):
            raise  # our own errors keep their flow (the delivery fails and is redelivered); so does a lack of memory
        except Exception as exc:  # a bug or an unmapped library error: never leave the run claimed
            return _unexpected(exc, self.redact)


def _unexpected(exc: Exception, redact: Callable[[str], str]) -> _Failure:
    """An unexpected error in an attempt, as a final failure: whether it reached the target is not known."""
    try:
        detail = str(exc)
    except Exception:  # noqa: BLE001 - an exception whose text cannot be made still fails the attempt
        detail = "(no text)"
    return _Failure(redact(f"unexpected {type(exc).__name__} in the target call: {detail}"), None, None, True)


def _token(fire: FireInput, now: float, tokens: TokenDefaults | None) -> str:
    from cron_adapter.fire.jwt import fire_token  # only jwt targets pay for the signer's import

    return fire_token(fire, now, tokens)


_NOT_CALLED = _Failure("not called: no time left before the Lambda deadline", None, None, True)


def call_with_retries(
    fire: FireInput,
    caller: TargetCaller,
    secret: Secret,
    clock: Clock,
    deadline: float,
    *,
    hmac_on: bool,
    rand: Callable[[], float],
    log: logging.Logger | logging.LoggerAdapter,
    tokens: TokenDefaults | None = None,
) -> CallResult:
    """Call the target until success, a final failure, the attempt limit or the deadline."""
    job = fire.job
    attempts = _Attempts(fire, caller, secret, clock, hmac_on, tokens, body_bytes(fire), redactor(secret))
    start = clock.now()
    attempt, failure = 0, _NOT_CALLED
    while attempt < job.retry.attempts:
        remaining = deadline - clock.now() - DEADLINE_SAFETY_SECONDS
        if remaining < MIN_ATTEMPT_SECONDS:
            break
        attempt += 1
        answer = attempts.send(attempt, min(target_timeout(job), remaining))
        if not isinstance(answer, _Failure):
            return CallResult(_answered(answer), attempt, answer.status, _ms(clock.now() - start))
        failure = answer
        if failure.final or attempt >= job.retry.attempts:
            break
        wait = next_wait(failure.retry_after, backoff(job.retry, attempt, rand()))
        if clock.now() + wait + MIN_ATTEMPT_SECONDS + DEADLINE_SAFETY_SECONDS > deadline:
            failure = _past_deadline(failure, wait)
            break
        log.info(
            "target attempt failed; retrying",
            extra={"attempt": attempt, "wait_s": round(wait, 3), "error": failure.error},
        )
        clock.sleep(wait)
    return CallResult("failed", attempt, failure.http_status, _ms(clock.now() - start), failure.error)


def _answered(response: TargetResponse) -> RunStatus:
    """The status of an answered attempt."""
    # 202: an asynchronous target only accepted the work; it is not known to have succeeded.
    return "gone" if is_gone(response.body) else "accepted" if response.status == 202 else "succeeded"


def _past_deadline(failure: _Failure, wait: float) -> _Failure:
    """``failure``, made final: the wait before another attempt would pass the deadline."""
    error = f"{failure.error}; no retry: the wait ({wait:.1f} s) passes the deadline"
    return _Failure(error, failure.http_status, None, True)


def _ms(seconds: float) -> int:
    return max(0, int(round(seconds * 1000)))
