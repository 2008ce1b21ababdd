"""Numeric flags out of range are refused by name, with exit code 2, before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from cron_adapter.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "jobs.json"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "--offline", str(EXAMPLE), "--collision-threshold", "-3"], "must be between 0 and 1,000,000"),
        (["next", "--schedule", "every 5m", "--collision-threshold", "0"], "must be between 1 and 1,000,000"),
        (["dev", str(EXAMPLE), "--port", "99999"], "must be between 1 and 65,535"),
        (["simulate", str(EXAMPLE), "--from", "2027-01-01", "--to", "2027-01-02", "--memory", "x"], "'x' is not a"),
    ],
)
def test_out_of_range_numbers_are_refused_by_name(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # `dev --port 99999` once ended in "unexpected OverflowError" from bind().
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
