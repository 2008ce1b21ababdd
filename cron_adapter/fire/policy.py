"""Pure decisions of the fire path: run keys, leases, backoff, retryability, the request.

Nothing here reads a clock: ``now`` and the Lambda ``deadline`` are parameters.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from urllib.parse import quote, quote_plus

from cron_adapter import signing
from cron_adapter.fire.input import FireInput, FireJob, FireRetry, iso_utc, run_id
from cron_adapter.fire.ports import Secret, TargetRequest
from cron_adapter.jobs.urls import header_id
from cron_adapter.kinds import MAX_TARGET_TIMEOUT_SECONDS, RESERVED_HEADERS, backoff_ceiling, jittered

LEASE_MARGIN_SECONDS = 10.0
# Stop calling this long before the Lambda deadline, so the outcome can still be recorded:
# the finish write's worst case, every botocore try timing out (1 s connect + 2 s read, 4
# tries) with every backoff at its ceiling, is 34 s (adapters/aws.py; a test pins the two).
# A Lambda killed before the record lands leaves a claim that a retry takes over, calling a
# target that had already answered.
DEADLINE_SAFETY_SECONDS = 35.0
MIN_ATTEMPT_SECONDS = 1.0
RETRYABLE_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600))
# At-most-once only retries answers that prove the request was not processed.
AT_MOST_ONCE_RETRYABLE = frozenset({408, 429})
USER_AGENT = "cron-adapter/1"


def target_timeout(job: FireJob) -> float:
    """The job's timeout, capped at 840 s (the fire Lambda itself stops at 900 s)."""
    return min(job.target.timeout, MAX_TARGET_TIMEOUT_SECONDS)


def backoff(retry: FireRetry, failed_attempts: int, rand: float) -> float:
    """Equal-jitter exponential backoff after ``failed_attempts`` (1-based); ``rand`` in [0, 1)."""
    return jittered(backoff_ceiling(retry.backoff, retry.max_backoff, failed_attempts), rand)


def call_budget(job: FireJob) -> float:
    """Worst-case seconds one fire spends calling the target (timeouts plus largest backoffs)."""
    r = job.retry
    waits = sum(backoff_ceiling(r.backoff, r.max_backoff, n) for n in range(1, r.attempts))
    return target_timeout(job) * job.retry.attempts + waits


def lease_until(job: FireJob, now: float, deadline: float) -> float:
    """When a claim expires: the call budget capped by the Lambda's remaining time, plus a margin."""
    budget = call_budget(job) + DEADLINE_SAFETY_SECONDS + MIN_ATTEMPT_SECONDS
    return now + min(budget, max(deadline - now, 0.0)) + LEASE_MARGIN_SECONDS


def call_until(lease_until: float, deadline: float) -> float:
    """The deadline to give the target calls: the Lambda's end, or the won lease's end.

    The calls keep ``DEADLINE_SAFETY_SECONDS`` before the deadline they are given, to record the
    outcome before the Lambda stops, and so before the lease ends too: a takeover may follow it,
    and the lease margin alone is shorter than the finish's worst case. (The lease already
    counts that time and a minimum attempt past the call budget, which absorbs a slow claim.)
    """
    return min(deadline, lease_until - max(LEASE_MARGIN_SECONDS - DEADLINE_SAFETY_SECONDS, 0.0))


def retryable(status: int, at_most_once: bool) -> bool:
    """408/429/5xx retry; at-most-once retries only 408/429 (the target did not process it)."""
    return status in (AT_MOST_ONCE_RETRYABLE if at_most_once else RETRYABLE_STATUSES)


def next_wait(retry_after: float | None, computed: float) -> float:
    """Honour ``Retry-After`` when it asks for longer than our own backoff."""
    return max(computed, retry_after) if retry_after is not None else computed


def body_bytes(fire: FireInput) -> bytes:
    """The job's body, or the default ``{"job_id", "fire_at"}`` (none for GET); dicts/lists as compact JSON."""
    body = fire.job.target.body
    if body is None and fire.job.target.method == "GET":
        return b""  # a GET carries no body; the run's identity is in the X-Cron-* headers
    if body is None:
        body = {"job_id": fire.job_id, "fire_at": iso_utc(fire.scheduled_time)}
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body, separators=(",", ":"), sort_keys=False).encode("utf-8")


def idempotency_key(fire: FireInput) -> str:
    """The run's ``Idempotency-Key`` (also a fire token's ``jti``): ``<job id>:<run id>``."""
    return f"{header_id(fire.job_id)}:{run_id(fire)}"


def build_request(
    fire: FireInput,
    secret: Secret,
    attempt: int,
    body: bytes,
    now: float,
    hmac_on: bool,
    authorization: str | None = None,
) -> TargetRequest:
    """The HTTP request for one attempt; our headers win over the job's own.

    ``authorization`` replaces the default ``Bearer <shared secret>`` (a fire token).
    """
    when, job_id = iso_utc(fire.scheduled_time), header_id(fire.job_id)
    headers = {k: v for k, v in fire.job.target.headers.items() if k.lower() not in RESERVED_HEADERS}
    headers.setdefault("User-Agent", USER_AGENT)
    if body and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "application/json"
    headers.update(
        {
            "Authorization": authorization or f"Bearer {secret.current}",
            "Idempotency-Key": idempotency_key(fire),
            "X-Cron-Job-Id": job_id,
            "X-Cron-Scheduled-Time": when,
            "X-Cron-Attempt": str(attempt),
        }
    )
    if hmac_on:
        identity = signing.Identity(job_id, when, headers["Idempotency-Key"])
        headers.update(signing.sender_headers(secret.current, int(now), body, identity))
    return TargetRequest(fire.job.target.method, fire.job.target.url, headers, body)


def is_gone(body: bytes) -> bool:
    """True for a JSON body ``{"status": "gone"}``: the job no longer exists at the target."""
    if not body or len(body) > 65536 or not body.lstrip().startswith(b"{"):
        return False
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: a body nested thousands deep
        return False
    return isinstance(parsed, dict) and parsed.get("status") == "gone"


def secret_forms(value: str) -> set[str]:
    """Every text a target could echo the secret as: itself, URL-encoded, base64 at any offset, its first 16.

    Base64 of a longer text holding the secret depends on where it starts (offset mod 3), so
    each of the three alignments contributes the run of characters made of secret bytes only.
    """
    raw = value.encode("utf-8")
    forms = {value, quote(value, safe=""), quote_plus(value), value[:16]}
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + raw)
        core = encoded[(4 if pad else 0) : 4 * ((pad + len(raw)) // 3)].decode("ascii")
        forms |= {core, core.replace("+", "-").replace("/", "_")}
    return {f for f in forms if len(f) >= 16}


# What a failed attempt's error text keeps of a target's answer. The excerpt the caller
# takes is far longer than the message kept, so a secret the target echoed is blanked whole
# before the cut: no cut can fall inside it and leave a part of it in plain text. The
# excerpt's own cut can: a tail of the text that starts a secret form (a head that ends one)
# is blanked too.
ERROR_EXCERPT_BYTES = 4096
MAX_ERROR_CHARS = 300
MIN_CUT_PART = 4  # a cut-off part of a secret this long or longer is blanked
# C0 and C1 controls (ESC starts a terminal sequence) are stored visibly, as \xNN.
_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}


def escape_controls(text: str) -> str:
    """``text`` with every C0/C1 control character shown as ``\\xNN``: safe to print to a terminal."""
    return text.translate(_CONTROLS)


def redactor(secret: Secret) -> Callable[[str], str]:
    """A function that escapes control characters, blanks the secret (every form :func:`secret_forms`
    lists, and a cut-off part of one at either end) out of any text, then cuts it to ``MAX_ERROR_CHARS``."""
    values = (secret.current, secret.previous)
    forms = sorted({escape_controls(f) for v in values if v for f in secret_forms(v)}, key=len, reverse=True)

    def redact(text: str) -> str:
        text = _blank(escape_controls(text), forms)
        return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 3] + "..."

    return redact


def _blank(text: str, forms: list[str]) -> str:
    """``text`` with each run of characters that belong to a copy of a form, or to a cut-off end, as ``***``.

    Marked on the original text, then blanked at once: replacing one copy after another could
    break an overlapping copy (a secret with a repeated run) into parts that no longer match.
    """
    hidden = bytearray(len(text))
    for form in forms:
        at = text.find(form)
        while at >= 0:
            hidden[at : at + len(form)] = b"\1" * len(form)
            at = text.find(form, at + 1)
    head, tail = _cut_part(text, forms, at_end=False), _cut_part(text, forms, at_end=True)
    hidden[:head] = b"\1" * head
    hidden[len(text) - tail :] = b"\1" * tail
    if not any(hidden):
        return text
    parts, start = [], 0
    for run in re.finditer(b"\1+", hidden):
        parts += [text[start : run.start()], "***"]
        start = run.end()
    return "".join([*parts, text[start:]])


def _cut_part(text: str, forms: list[str], at_end: bool) -> int:
    """How long the longest tail of ``text`` that starts a form (``at_end``), or head that ends one, is; 0 if
    shorter than ``MIN_CUT_PART``."""
    sizes = range(MIN_CUT_PART, len(text) + 1)
    if at_end:
        return max((n for f in forms for n in sizes[: len(f) - MIN_CUT_PART + 1] if text.endswith(f[:n])), default=0)
    return max((n for f in forms for n in sizes[: len(f) - MIN_CUT_PART + 1] if text.startswith(f[-n:])), default=0)
