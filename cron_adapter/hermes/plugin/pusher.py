"""Upload hermes's job store to the cron-adapter jobs object in S3, off the caller's thread.

Runs inside hermes-agent's interpreter, so it imports only the standard library and, when a
push really happens, boto3 (``cron-adapter hermes install-plugin`` installs it there). It must
never import cron_adapter: hermes's environment does not have it.

- ``request(...)`` returns at once; one worker thread per process uploads, and requests that
  arrive meanwhile fold into one more upload (hermes calls several hooks in a row).
- The worker is not a daemon thread, so a short-lived ``hermes cron create`` process still
  finishes its upload before the interpreter exits (the timeouts below bound the wait).
- An upload is skipped when the parts of the store that reconcile reads, and the timezone,
  hash the same as the last successful upload (recorded on disk: every hermes hook builds a
  new provider instance, and the CLI is a new process each time).
- The store timezone travels as S3 object metadata (``x-amz-meta-store-timezone``).
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("cron_adapter_provider")

TIMEZONE_METADATA = "store-timezone"  # = cron_adapter.constants.JOBS_TIMEZONE_METADATA
# The fields of a hermes job that cron-adapter's translation reads. Runs change others
# (last_run_at, next_run_at, fire_claim), which must not cost an upload each time.
RELEVANT_FIELDS = ("id", "name", "schedule", "repeat", "enabled", "state", "created_at")
CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 15
MAX_ROUNDS = 20  # bound on uploads per worker run; a burst of hook calls folds into one or two


@dataclass(frozen=True)
class Target:
    """Where the store goes: ``cron.<name>.bucket/key/region`` of hermes's config.yaml."""

    bucket: str
    key: str = "jobs.json"
    region: str | None = None


def target_from_config(section: Any) -> Target | None:
    """The upload target from the provider's config section, or None when it has no bucket."""
    if not isinstance(section, dict) or not str(section.get("bucket") or "").strip():
        return None
    key = str(section.get("key") or "jobs.json").strip()
    region = str(section.get("region") or "").strip() or None
    return Target(str(section["bucket"]).strip(), key, region)


def store_body(jobs: list[dict[str, Any]]) -> bytes:
    """The store as uploaded: hermes's own ``{"jobs": [...]}`` shape, every field kept."""
    return json.dumps({"jobs": jobs}, sort_keys=True, separators=(",", ":"), default=str).encode()


def fingerprint(jobs: list[dict[str, Any]], timezone: str, target: Target) -> str:
    """A hash of what reconcile would read (relevant fields, timezone, destination)."""
    relevant = [{k: job.get(k) for k in RELEVANT_FIELDS} for job in jobs if isinstance(job, dict)]
    doc = {"jobs": relevant, "timezone": timezone, "to": [target.bucket, target.key]}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


class StateFile:
    """The last successful upload, on disk (survives provider instances and processes)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, Any]:
        """The recorded state, or {} when none is readable."""
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def write(self, state: dict[str, Any]) -> None:
        """Replace the state atomically (write a sibling, then rename)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, sort_keys=True))
        os.replace(tmp, self.path)


def s3_put(target: Target, body: bytes, timezone: str) -> str:
    """PutObject with the timezone as metadata; returns the ETag. boto3 is imported only here."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=CONNECT_TIMEOUT_S, read_timeout=READ_TIMEOUT_S, retries={"mode": "standard", "max_attempts": 3}
    )
    client = boto3.client("s3", region_name=target.region, config=config)
    got = client.put_object(
        Bucket=target.bucket,
        Key=target.key,
        Body=body,
        ContentType="application/json",
        Metadata={TIMEZONE_METADATA: timezone},
    )
    return str(got.get("ETag", "")).strip('"')


Snapshot = Callable[[], tuple[list[dict[str, Any]], str]]  # -> (jobs, IANA timezone)
Put = Callable[[Target, bytes, str], str]


def push_once(target: Target, snapshot: Snapshot, state: StateFile, put: Put = s3_put) -> str:
    """Upload the store if it changed since the last success: ``pushed``, ``unchanged`` or ``failed``."""
    jobs, timezone = snapshot()
    digest = fingerprint(jobs, timezone, target)
    if state.read().get("sha256") == digest:
        return "unchanged"
    try:
        etag = put(target, store_body(jobs), timezone)
    except Exception as exc:  # any failure: log it (no secret is in it) and keep the old state
        log.error("cron-adapter: upload of the job store to s3://%s/%s failed: %s", target.bucket, target.key, exc)
        state.write({**state.read(), "error": f"{type(exc).__name__}: {exc}", "failed_at": time.time()})
        return "failed"
    state.write({"sha256": digest, "etag": etag, "timezone": timezone, "jobs": len(jobs), "pushed_at": time.time()})
    log.info("cron-adapter: pushed %d job(s) to s3://%s/%s (%s)", len(jobs), target.bucket, target.key, timezone)
    return "pushed"


class Pusher:
    """One background uploader per process; ``request`` never blocks the hermes hook."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending = False
        self._worker: threading.Thread | None = None
        self.results: list[str] = []  # outcomes of this process's rounds (tests and status read it)

    def request(self, target: Target, snapshot: Snapshot, state: StateFile, put: Put = s3_put) -> threading.Thread:
        """Ask for an upload; returns the worker thread (already running) without waiting for it."""
        with self._lock:
            self._pending = True
            if self._worker is None:
                # hermes routes its store per profile through a ContextVar: the worker keeps it.
                ctx = contextvars.copy_context()
                self._worker = threading.Thread(
                    target=ctx.run, args=(self._drain, target, snapshot, state, put), name="cron-adapter-push"
                )
                self._worker.start()
            return self._worker

    def _drain(self, target: Target, snapshot: Snapshot, state: StateFile, put: Put) -> None:
        rounds = 0
        while True:
            with self._lock:
                if not self._pending or rounds >= MAX_ROUNDS:
                    self._worker = None  # under the lock: a later request starts a new worker
                    return
                self._pending = False
            rounds += 1
            try:
                self.results.append(push_once(target, snapshot, state, put))
            except Exception:  # reading the store failed: never let it escape into hermes
                log.exception("cron-adapter: could not read the job store")
                self.results.append("failed")
