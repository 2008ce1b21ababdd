"""A simulation's values: its options, each job's fires (``JobRun``), collisions, and the result.

Pure. :mod:`cron_adapter.simulate.simulator` fills them in; :mod:`cron_adapter.simulate.report`
and :mod:`cron_adapter.simulate.load` read them. Fire times are epoch seconds in arrays.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cron_adapter.jobs.model import Job
from cron_adapter.kinds import backoff_ceiling, jittered
from cron_adapter.schedule import engine
from cron_adapter.simulate.pricing import Lambda, MonthlyCost, Pricing


@dataclass(frozen=True)
class SimOptions:
    """The window and the assumptions of one simulation."""

    start: datetime
    end: datetime
    fail: frozenset[str] = frozenset()
    accept: frozenset[str] = frozenset()  # jobs whose target answers 202 (hermes-agent's always do)
    fn: Lambda = field(default_factory=Lambda)
    pricing: Pricing = field(default_factory=Pricing)
    collision_threshold: int = 5
    dominant_share: float = 0.25
    seed: int = 0
    phases: bool = True  # place rate schedules on their phase grid, as reconcile does

    @property
    def hours(self) -> float:
        """Length of the window in hours."""
        return (self.end - self.start).total_seconds() / 3600


@dataclass
class JobRun:
    """One job's fires in the window (epoch seconds) and what they cost."""

    job: Job
    failing: bool
    accepting: bool = False  # an asynchronous target: each run is recorded "accepted", not "succeeded"
    scheduled: array = field(default_factory=lambda: array("q"))
    offsets: array = field(default_factory=lambda: array("i"))  # jitter, seconds
    dst: list[engine.DstNote] = field(default_factory=list)
    capped: bool = False

    @property
    def fires(self) -> int:
        """Fires in the window."""
        return len(self.scheduled)

    @property
    def calls_per_fire(self) -> int:
        """Target calls per fire: 1, or every retry attempt when the target fails."""
        return self.job.retry.attempts if self.failing else 1

    def backoffs(self) -> list[float]:
        """Seconds waited before each retry: the fire Lambda's jittered backoff, at its mean."""
        r = self.job.retry
        return [jittered(backoff_ceiling(r.backoff, r.max_backoff, n), 0.5) for n in range(1, self.calls_per_fire)]

    def billed_seconds_per_fire(self, fn: Lambda) -> float:
        """Lambda time one fire bills: each call plus the backoffs waited in between."""
        return self.calls_per_fire * fn.duration_ms / 1000 + sum(self.backoffs())

    def at(self, i: int) -> int:
        """Invocation time (epoch seconds) of fire ``i``: scheduled plus jitter."""
        return self.scheduled[i] + self.offsets[i]


@dataclass(frozen=True)
class Collision:
    """A minute in which many jobs fire together."""

    minute: datetime
    count: int
    jobs: tuple[str, ...]


@dataclass(frozen=True)
class Simulation:
    """Everything ``simulate`` found; the CLI renders it as text or JSON."""

    options: SimOptions
    runs: tuple[JobRun, ...]
    per_minute: Counter[int]
    collisions: tuple[Collision, ...]
    costs: dict[str, MonthlyCost]
    total: MonthlyCost

    @property
    def peak(self) -> tuple[datetime | None, int]:
        """The busiest minute and how many fires it holds."""
        if not self.per_minute:
            return None, 0
        minute, count = max(self.per_minute.items(), key=lambda kv: (kv[1], -kv[0]))
        return datetime.fromtimestamp(minute * 60, UTC), count

    def dominant(self) -> list[str]:
        """Jobs whose share of the monthly cost is at least ``dominant_share`` (2+ jobs)."""
        if self.total.total <= 0 or sum(1 for c in self.costs.values() if c.invocations) < 2:
            return []
        return [j for j, c in self.costs.items() if c.total / self.total.total >= self.options.dominant_share]

    def fire_rows(self) -> Iterator[tuple[float, str, int, int, str]]:
        """Every target call in time order, raw: (at epoch s, job id, scheduled epoch s, attempt, outcome)."""
        import heapq

        def one(run: JobRun) -> Iterator[tuple[float, str, int, int, str]]:
            waits = [0.0, *run.backoffs()]
            offsets = [sum(waits[:attempt]) for attempt in range(1, run.calls_per_fire + 1)]
            done = "accepted" if run.accepting else "succeeded"
            outcomes = ["retry"] * (run.calls_per_fire - 1) + ["failed"] if run.failing else [done]
            for i in range(run.fires):
                at = run.at(i)
                for attempt, (offset, outcome) in enumerate(zip(offsets, outcomes, strict=True), start=1):
                    yield at + offset, run.job.id, run.scheduled[i], attempt, outcome

        return heapq.merge(*(one(r) for r in self.runs))

    def fires(self) -> Iterator[tuple[datetime, str, datetime, int, str]]:
        """Every target call in time order: (at, job id, scheduled, attempt, outcome)."""
        for at, job_id, scheduled, attempt, outcome in self.fire_rows():
            yield (datetime.fromtimestamp(at, UTC), job_id, datetime.fromtimestamp(scheduled, UTC), attempt, outcome)
