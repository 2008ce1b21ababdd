"""simulate benchmark: a month of 100 jobs through the fake clock, in seconds.

Run: .venv/bin/python bench/bench_simulate.py [--jobs 100] [--days 31] [--mix typical|heavy] [--repeat 3]

Mixes (every job distinct, so no two share a computed fire list):
* typical: the spread a team's jobs.json has: 10% every 1-5 min, 20% every 10-30 min,
  30% hourly/every few hours (cron), 30% daily (several in DST zones), 10% weekly/monthly.
* heavy: every job is a distinct 5-field cron firing every 1-5 minutes, the engine's slowest
  path (croniter per fire), a deliberately unrealistic worst case.

It measures and prints (median of --repeat, the time includes loading and validating the
file, simulate() and the JSON report with every fire listed); the goal, printed alongside,
is "seconds" for the typical month of 100 jobs: under 5 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cron_adapter.jobs.loader import load_bytes  # noqa: E402
from cron_adapter.simulate.model import SimOptions  # noqa: E402
from cron_adapter.simulate.report import to_dict  # noqa: E402
from cron_adapter.simulate.simulator import parse_when, simulate  # noqa: E402

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London"]
GOAL_SECONDS = 5.0


def typical(i: int) -> str:
    """A schedule from the typical mix, distinct per i."""
    bucket = i % 10
    if bucket == 0:
        return f"every {1 + i % 5}m"
    if bucket in (1, 2):
        return f"every {10 + i % 21}m"
    if bucket in (3, 4, 5):
        return f"{i % 60} */{1 + i % 4} * * *"
    if bucket in (6, 7, 8):
        return f"daily {i % 24:02d}:{(7 * i) % 60:02d}"
    return f"{i % 60} {i % 24} * * {i % 7}" if i % 2 else f"{i % 60} {i % 24} {1 + i % 28} * *"


def heavy(i: int) -> str:
    """A distinct cron firing every 1-5 minutes."""
    step = 1 + i % 5
    return f"{i % step}-59/{step} * * * *"


def jobs_file(n: int, mix: str) -> bytes:
    """A native jobs file of n jobs."""
    make = typical if mix == "typical" else heavy
    jobs: list[dict[str, Any]] = [
        {
            "id": f"job-{i:03d}",
            "schedule": make(i),
            "timezone": ZONES[i % len(ZONES)],
            "jitter": 5 if i % 7 == 0 else 0,
            "target": {"path": f"/api/{'fail' if i % 13 == 0 else 'ok'}/{i}"},
        }
        for i in range(n)
    ]
    return json.dumps(
        {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": jobs}
    ).encode()


def once(data: bytes, days: int) -> tuple[float, int, int]:
    """Seconds for one full run, with the number of fires and target calls."""
    start = time.perf_counter()
    jobset = load_bytes(data)
    begin = parse_when("2027-03-01")
    sim = simulate(
        jobset, SimOptions(begin, parse_when(f"2027-03-{1 + days:02d}") if days < 31 else parse_when("2027-04-01"))
    )
    report = to_dict(sim)
    return time.perf_counter() - start, report["totals"]["fires"], report["totals"]["target_calls"]


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--days", type=int, default=31, choices=range(1, 32), metavar="1-31")
    parser.add_argument("--mix", choices=("typical", "heavy", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for mix in ("typical", "heavy") if args.mix == "both" else (args.mix,):
        data = jobs_file(args.jobs, mix)
        runs = [once(data, args.days) for _ in range(args.repeat)]
        seconds = statistics.median(r[0] for r in runs)
        _, fires, calls = runs[0]
        goal = (
            f"goal < {GOAL_SECONDS:g} s: {'met' if seconds < GOAL_SECONDS else 'MISSED'}"
            if mix == "typical"
            else "worst case, no goal"
        )
        print(
            f"simulate {args.jobs} jobs ({mix}) over {args.days} days (March 2027, DST included): "
            f"{fires:,} fires, {calls:,} target calls in {seconds:.2f} s (median of {args.repeat}); {goal}"
        )


if __name__ == "__main__":
    main()
