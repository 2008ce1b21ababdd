"""In-memory fakes of the fire ports, with the same conditional semantics as the adapters.

Imported explicitly by the fire tests and the bench (``from tests.unit.fire.fakes import ...``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cron_adapter.errors import ClaimConflict, TargetError
from cron_adapter.fire.ports import (
    DROPPED_ERROR,
    Claim,
    Finish,
    JobState,
    RunKey,
    Secret,
    TargetRequest,
    TargetResponse,
)
from cron_adapter.tablekeys import EXHAUSTED_PK, STATE_SK, job_pk, run_sk

# The audit's missed row, as adapters.runs writes it (the contract tests hold the two equal),
# and what a claim adds to a row it takes over (a release takes it away again).
MISSED_ERROR = "not delivered: no run record after the grace period (found by the audit)"
CLAIM_ONLY_FIELDS = ("holder", "lease_until", "claimed_at", "delivery_attempt", "spec_hash", "deliveries")
SECRET = "s3cr3t-" + "x" * 40  # long enough, and easy to scan logs for
PREVIOUS = "old-" + "y" * 40


class FakeStore:
    """A dict of rows keyed (pk, sk); every method is atomic under one lock, like DynamoDB's conditions."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}
        self.calls = 0
        self.lock = threading.RLock()

    def run(self, job_id: str, when: str) -> dict[str, Any] | None:
        return self.rows.get((job_pk(job_id), run_sk(when)))

    def state(self, job_id: str) -> dict[str, Any]:
        return self.rows.get((job_pk(job_id), STATE_SK), {})

    def _js(self, pk: str) -> JobState:
        s = self.rows.get((pk, STATE_SK), {})
        return JobState(
            s.get("running"), s.get("running_holder"), s.get("running_lease"), s.get("queued"), s.get("runs", 0)
        )

    def _conflict(self, key: RunKey) -> ClaimConflict:
        r = self.rows.get((key.pk, key.sk), {})
        return ClaimConflict(key.job_id, key.scheduled_time, r.get("holder"), r.get("status"), r.get("lease_until"))

    def _run_fields(self, c: Claim, status: str) -> dict[str, Any]:
        return {
            "status": status,
            "holder": c.holder,
            "lease_until": c.lease_until,
            "claimed_at": c.now,
            "delivery_attempt": c.delivery_attempt,
            "ttl": c.ttl,
            "spec_hash": c.spec_hash,
        }

    def _mine(self, key: RunKey, **values: Any) -> bool:
        """The run row already holds this very write (a retried request whose answer was lost)."""
        run = self.rows.get((key.pk, key.sk)) or {}
        return all(run.get(name) == value for name, value in values.items())

    def _found(self, c: Claim, run: dict[str, Any] | None) -> bool:
        """The run row is the one the claim (or enqueue) may write: none, an expired lease, or ``missed``."""
        if c.previous_holder is not None:
            return (
                run is not None
                and run["status"] == "claimed"
                and run["holder"] == c.previous_holder
                and run["lease_until"] < c.now
            )
        if c.over_missed:  # only while no catch-up is planned for it
            return run is not None and run.get("status") == "missed" and "catch_up_at" not in run
        return run is None

    def _guard(self, key: RunKey, c: Claim | None = None) -> None:
        """A late delivery over ``missed`` needs no catch-up row; a new catch-up, its time still missed/lost."""
        if c is None or c.over_missed:
            other, refused = key.catch_up, lambda row: row is not None
        elif c.previous_holder is None and key.caught_up is not None:
            other, refused = key.caught_up, lambda row: row is not None and row.get("status") not in ("missed", "lost")
        else:
            return
        row = self.rows.get((other.pk, other.sk))
        if refused(row):
            status = f"{(row or {}).get('status') or 'written'} as {other.scheduled_time}"
            raise ClaimConflict(key.job_id, key.scheduled_time, None, status)

    def _taken(self, c: Claim, run: dict[str, Any] | None, status: str) -> dict[str, Any]:
        """The run row after a claim or enqueue wrote ``status`` on ``run`` (None: a new row)."""
        new = dict(run or {})
        if c.previous_holder is not None and run is not None:
            new["previous_lease"] = run["lease_until"]  # for a release to give back
        if c.over_missed and run is not None:
            new["missed_at"] = run.get("finished_at", c.now)
            new.pop("error", None)
            new.pop("finished_at", None)
        new.update(self._run_fields(c, status))
        return new

    def claim(self, c: Claim) -> JobState | None:
        with self.lock:
            self.calls += 1
            if self._mine(c.key, status="claimed", holder=c.holder, lease_until=c.lease_until):
                return None
            run = self.rows.get((c.key.pk, c.key.sk))
            takeover = c.previous_holder is not None
            if not self._found(c, run):
                raise self._conflict(c.key)
            self._guard(c.key, c)
            st = self.rows.get((c.key.pk, STATE_SK), {})
            slot_ok = (
                c.overlap == "allow"
                or "running" not in st
                or st["running_lease"] < c.now
                or (takeover and st.get("running_holder") == c.previous_holder)
            )
            limit_ok = takeover or c.max_runs is None or st.get("runs", 0) < c.max_runs
            if not (slot_ok and limit_ok):
                return self._js(c.key.pk)
            new = self._taken(c, run, "claimed")
            new["deliveries"] = (run or {}).get("deliveries", 0) + 1
            self.rows[(c.key.pk, c.key.sk)] = new
            if c.overlap == "allow" and c.max_runs is None:
                return None  # no job state to keep
            st = dict(st, last_claimed=c.key.scheduled_time)
            if c.overlap != "allow":
                st.update(running=c.key.scheduled_time, running_holder=c.holder, running_lease=c.lease_until)
            if not takeover and (c.overlap == "queue" or c.max_runs is not None):
                st["runs"] = st.get("runs", 0) + 1
            self.rows[(c.key.pk, STATE_SK)] = st
            return None

    def enqueue(self, c: Claim) -> JobState | None:
        with self.lock:
            self.calls += 1
            if self._mine(c.key, status="queued", holder=c.holder, lease_until=c.lease_until):
                return None
            run = self.rows.get((c.key.pk, c.key.sk))
            if not self._found(c, run):
                raise self._conflict(c.key)
            self._guard(c.key, c)
            st = self.rows.get((c.key.pk, STATE_SK), {})
            if "running" not in st or st["running_lease"] < c.now or "queued" in st:
                return self._js(c.key.pk)
            self.rows[(c.key.pk, c.key.sk)] = self._taken(c, run, "queued")
            self.rows[(c.key.pk, STATE_SK)] = dict(st, queued=c.key.scheduled_time)
            return None

    def finish(self, f: Finish) -> JobState | None:
        with self.lock:
            self.calls += 1
            k = f.key
            if self._mine(k, status=f.status, holder=f.holder, finished_at=f.now):
                return None
            run = self.rows.get((k.pk, k.sk))
            if not run or run.get("holder") != f.holder or run.get("status") != "claimed":
                raise self._conflict(k)
            st = self.rows.get((k.pk, STATE_SK), {})
            queued = f.promote.key.scheduled_time if f.promote else f.drop_queued
            conds = []
            if f.release and f.overlap != "allow":
                conds.append(st.get("running_holder") == f.holder)
            if queued is not None:
                conds.append(st.get("queued") == queued)
            elif f.release and f.overlap == "queue":
                conds.append("queued" not in st)
            if f.max_runs is not None and f.exhausted is None:
                conds.append(st.get("runs", 0) < f.max_runs)
            if not all(conds):
                return self._js(k.pk)
            run.update(status=f.status, attempts=f.attempts, duration_ms=f.duration_ms, finished_at=f.now)
            run.update({a: v for a, v in (("http_status", f.http_status), ("error", f.error)) if v is not None})
            st = dict(st, last_run=k.scheduled_time, last_status=f.status)
            if f.release and f.overlap != "allow" and f.promote is None:
                for a in ("running", "running_holder", "running_lease"):
                    st.pop(a, None)
            if f.promote is not None:
                p = f.promote
                self.rows[(k.pk, p.key.sk)].update(self._run_fields(p, "claimed"), deliveries=1)
                st.update(running=p.key.scheduled_time, running_lease=p.lease_until, runs=st.get("runs", 0) + 1)
            elif f.drop_queued is not None:
                self.rows[(k.pk, run_sk(f.drop_queued))].update(status="skipped", error=DROPPED_ERROR)
            if queued is not None:
                st.pop("queued", None)
            if f.overlap != "allow" or f.max_runs is not None:
                self.rows[(k.pk, STATE_SK)] = st
            if f.exhausted:
                self.rows[(EXHAUSTED_PK, k.job_id)] = {"spec_hash": f.spec_hash, "reason": f.exhausted}
            return None

    def record(
        self, key: RunKey, status: str, error: str, now: float, ttl: int, spec_hash: str, over_missed: bool = False
    ) -> None:
        with self.lock:
            self.calls += 1
            run = self.rows.get((key.pk, key.sk))
            if over_missed:
                if run is None or run.get("status") != "missed" or "catch_up_at" in run:
                    raise self._conflict(key)
                self._guard(key)
                kept = dict(run, missed_at=run.get("finished_at", now))
            elif run is not None:
                raise self._conflict(key)
            else:
                kept = {}
            kept.update(status=status, error=error, finished_at=now, ttl=ttl, spec_hash=spec_hash)
            self.rows[(key.pk, key.sk)] = kept

    def close_stale(self, key: RunKey, previous_holder: str, now: float, status: str, error: str) -> None:
        with self.lock:
            self.calls += 1
            run = self.rows.get((key.pk, key.sk))
            if not run or run["status"] != "claimed" or run["holder"] != previous_holder or run["lease_until"] >= now:
                raise self._conflict(key)
            run.update(status=status, error=error, finished_at=now)
            st = self.rows.get((key.pk, STATE_SK), {})
            if st.get("running_holder") == previous_holder:
                for a in ("running", "running_holder", "running_lease"):
                    st.pop(a, None)

    def release(self, c: Claim) -> None:
        with self.lock:
            self.calls += 1
            key, holder = c.key, c.holder
            run = self.rows.get((key.pk, key.sk))
            if not run or run.get("holder") != holder or run.get("status") != "claimed":
                raise self._conflict(key)
            if c.previous_holder is not None:  # back to the earlier holder, with its expired lease
                if "previous_lease" not in run:
                    raise self._conflict(key)
                lease = run.pop("previous_lease")
                run.update(holder=c.previous_holder, lease_until=lease, deliveries=run.get("deliveries", 1) - 1)
            elif c.over_missed:  # back to the audit's missed row
                for name in CLAIM_ONLY_FIELDS:
                    run.pop(name, None)
                run.update(status="missed", error=MISSED_ERROR, finished_at=run.pop("missed_at", c.now))
            else:
                del self.rows[(key.pk, key.sk)]
            st = self.rows.get((key.pk, STATE_SK))
            if st is None:
                return  # a job that keeps no state (overlap allow, no max_runs)
            if "runs" in st and c.previous_holder is None:
                st["runs"] -= 1  # a new claim was counted once (queue and max_runs jobs count); a takeover never
            if st.get("running_holder") == holder and st.get("running") == key.scheduled_time:
                for a in ("running", "running_holder", "running_lease"):
                    st.pop(a, None)

    def mark_exhausted(self, job_id: str, spec_hash: str, reason: str, now: float) -> None:
        with self.lock:
            self.calls += 1
            self.rows[(EXHAUSTED_PK, job_id)] = {"spec_hash": spec_hash, "reason": reason}


Script = TargetResponse | TargetError | Callable[[TargetRequest, float], TargetResponse]


class FakeCaller:
    """Answers from a script (a response, an error to raise, or a function); then 200."""

    def __init__(self, *script: Script) -> None:
        self.script = list(script)
        self.requests: list[tuple[TargetRequest, float]] = []
        self.lock = threading.Lock()

    def call(self, request: TargetRequest, timeout: float) -> TargetResponse:
        with self.lock:
            self.requests.append((request, timeout))
            step = self.script.pop(0) if self.script else TargetResponse(200, b"{}")
        if isinstance(step, TargetError):
            raise step
        return step(request, timeout) if callable(step) else step


@dataclass
class FakeClock:
    """Time that moves only when told to (or when the code sleeps)."""

    t: float = 1_795_402_805.0  # 2026-11-23T03:00:05Z, five seconds after the fire
    sleeps: list[float] = field(default_factory=list)

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


@dataclass
class FakeSecrets:
    secret: Secret = field(default_factory=lambda: Secret(SECRET, PREVIOUS))
    calls: int = 0

    def get(self) -> Secret:
        self.calls += 1
        return self.secret


@dataclass
class FakeSchedules:
    stopped: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def stop(self, job_id: str, schedules: tuple[str, ...]) -> None:
        self.stopped.append((job_id, schedules))


@dataclass
class FakeMetrics:
    points: list[tuple[str, str, float]] = field(default_factory=list)

    def add_metric(self, name: str, unit: str, value: float) -> None:
        self.points.append((name, unit, value))

    def count(self, name: str) -> int:
        return sum(1 for n, _, _ in self.points if n == name)
