"""The scorecard's verdicts: a lost or duplicated run, a crash, or a slow heavy run is MISSED."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "scorecard.py"
SPEC = importlib.util.spec_from_file_location("scorecard", SCRIPT)
assert SPEC is not None and SPEC.loader is not None
scorecard: Any = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(scorecard)

GOOD = {
    "fault.fire.dynamodb": {"scenarios": 4, "survived": 4, "injected": 9},
    "fault.reconcile": {"scenarios": 2, "survived": 2, "injected": 5},
    "fuzz.native": {"tried": 6000, "refused": 5000, "accepted": 1000},
    "fuzz.fire_event": {"tried": 3000, "refused": 2900, "accepted": 100},
    "fuzz.receiver": {"tried": 2000, "refused": 1990, "accepted": 10},
    "load.fire": {"due": 10, "target_calls": 10, "fires_per_s_x100": 9000},
    "security": {"scanned": 5, "leaks": 0},
}


def missed(tallies: dict[str, dict[str, int]], code: int = 0, seconds: float = 60.0) -> list[str]:
    return [figure for figure, _, _, met in scorecard.rows(tallies, code, False, seconds) if not met]


def test_a_clean_heavy_run_meets_every_goal() -> None:
    assert missed(GOOD) == []


def test_a_lost_run_a_failed_fire_fault_a_failed_test_or_a_slow_run_is_missed() -> None:
    lost = {**GOOD, "fault.fire.dynamodb": {"scenarios": 4, "survived": 3, "injected": 9, "lost": 1}}
    assert set(missed(lost)) == {"fault scenarios survived", "... on the fire path", "lost runs"}
    assert missed(GOOD, code=1) == ["suite tests"]
    assert missed(GOOD, seconds=scorecard.TIME_GOAL_SECONDS + 1) == ["run time"]
