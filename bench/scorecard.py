"""Reliability scorecard: run the fault, fuzz, security and load suite (tests/faults) and print its totals.

Run: .venv/bin/python bench/scorecard.py [--light] [--json]

Runs ``pytest tests/faults`` with ``CRON_ADAPTER_HEAVY=1`` (the full counts: over 10,000 fuzzed
jobs files; ``--light`` keeps the default CI counts) and prints what the suite tried, beside
each goal. Any failed test, any lost or duplicated run, any crash on bad input is MISSED, and
the exit code is then 1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUZZ_GOAL = 10_000
TIME_GOAL_SECONDS = 12 * 60  # the heavy CI step is killed at 20 minutes; leave room on a loaded host


def run_suite(light: bool) -> tuple[dict[str, dict[str, int]], int, float]:
    """Run tests/faults; return (tallies, pytest exit code, seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        card = Path(tmp) / "scorecard.json"
        env = {**os.environ, "CRON_ADAPTER_SCORECARD": str(card), "CRON_ADAPTER_HEAVY": "" if light else "1"}
        started = time.monotonic()
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/faults"]
        print(f"running: {' '.join(cmd[2:])} ({'light' if light else 'heavy'} counts) ...", file=sys.stderr)
        code = subprocess.call(cmd, cwd=ROOT, env=env, stdout=sys.stderr)
        tallies = json.loads(card.read_text()) if card.exists() else {}
        return tallies, code, time.monotonic() - started


def _sum(tallies: dict[str, dict[str, int]], prefix: str, key: str) -> int:
    return sum(v.get(key, 0) for k, v in tallies.items() if k.startswith(prefix))


def rows(
    tallies: dict[str, dict[str, int]], code: int, light: bool, seconds: float = 0.0
) -> list[tuple[str, str, str, bool]]:
    """(figure, value, goal, met) for every line of the card."""
    faults, survived = _sum(tallies, "fault.", "injected"), _sum(tallies, "fault.", "survived")
    scenarios = _sum(tallies, "fault.", "scenarios")
    fire_ok, fire_all = _sum(tallies, "fault.fire", "survived"), _sum(tallies, "fault.fire", "scenarios")
    event_tried, event_refused = _sum(tallies, "fuzz.fire_event", "tried"), _sum(tallies, "fuzz.fire_event", "refused")
    headers_tried = _sum(tallies, "fuzz.receiver", "tried")
    tried, refused, accepted = (_sum(tallies, "fuzz.", k) for k in ("tried", "refused", "accepted"))
    load = tallies.get("load.fire", {})
    fires, ok_calls = load.get("due", 0), load.get("target_calls", 0)
    lost, dup = load.get("lost", 0) + _sum(tallies, "fault.", "lost"), load.get("duplicated", 0)
    dup += _sum(tallies, "fault.", "duplicated")
    per_s = load.get("fires_per_s_x100", 0) / 100
    scans = tallies.get("security", {})
    leaks, scanned = scans.get("leaks", 0), scans.get("scanned", 0)
    goal_fuzz = 1 if light else FUZZ_GOAL
    return [
        ("fault scenarios survived", f"{survived}/{scenarios}", "all", scenarios > 0 and survived == scenarios),
        ("... on the fire path", f"{fire_ok}/{fire_all}", "all", fire_all > 0 and fire_ok == fire_all),
        ("faults injected", str(faults), "> 0", faults > 0),
        ("fuzzed inputs tried", str(tried), f">= {goal_fuzz}", tried >= goal_fuzz),
        ("... validated / refused cleanly", f"{accepted} / {refused}", "sum = tried", accepted + refused == tried),
        ("... fire events (refused)", f"{event_tried} ({event_refused})", "> 0", event_tried > 0),
        ("... receiver header sets", str(headers_tried), "> 0", headers_tried > 0),
        ("load: fires due / target calls", f"{fires} / {ok_calls}", "equal", fires > 0 and fires == ok_calls),
        ("load: throughput", f"{per_s:.0f} fires/s", "> 50", per_s > 50),
        ("lost runs", str(lost), "0", lost == 0),
        ("duplicated runs", str(dup), "0", dup == 0),
        ("secret leaks in emitted text", f"{leaks} in {scanned} texts", "0", scanned > 0 and leaks == 0),
        ("suite tests", "all passed" if code == 0 else f"FAILED (pytest exit {code})", "all pass", code == 0),
        ("run time", f"{seconds:.0f} s", f"<= {TIME_GOAL_SECONDS} s", light or seconds <= TIME_GOAL_SECONDS),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the suite and print the scorecard; exit 1 if any goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--light", action="store_true", help="default CI counts (fast), not the full counts")
    parser.add_argument("--json", action="store_true", help="print the raw tallies as JSON too")
    args = parser.parse_args(argv)
    tallies, code, seconds = run_suite(args.light)
    lines = rows(tallies, code, args.light, seconds)
    print(f"cron-adapter reliability scorecard ({seconds:.0f} s, {'light' if args.light else 'heavy'} counts)")
    for figure, value, goal, met in lines:
        print(f"  {figure:<34} {value:>22}   goal {goal:<12} {'MET' if met else 'MISSED'}")
    if args.json:
        print(json.dumps(tallies, indent=2, sort_keys=True))
    return 0 if all(met for *_, met in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
