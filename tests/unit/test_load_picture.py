"""Collision warnings in plan and simulate, and the load picture (terminal heatmap, --plot file)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from cron_adapter.cli import main
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.simulate.load import day_matrix, heatmap_text, hot_minutes, peak
from cron_adapter.simulate.model import SimOptions
from cron_adapter.simulate.simulator import parse_when, simulate


def herd_file(tmp_path: Path) -> str:
    """Six hourly cron jobs stacked on minute 0, and four every-15m jobs (spread by their phases)."""
    jobs = [{"id": f"cron-{i}", "schedule": "0 * * * *"} for i in range(6)]
    jobs += [{"id": f"rate-{i}", "schedule": "every 15m"} for i in range(4)]
    path = tmp_path / "herd.json"
    path.write_text(json.dumps({"version": 1, "defaults": {"target": {"base_url": "https://a.example"}}, "jobs": jobs}))
    return str(path)


def test_plan_warns_about_a_stacked_minute_naming_the_jobs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", herd_file(tmp_path), "--offline", "--output", "json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    (stacked,) = [w for w in warnings if "fire together" in w]
    assert stacked.startswith("6 jobs ('cron-0', 'cron-1', 'cron-2', 'cron-3', 'cron-4' and 1 more)")
    assert "24 minutes of the next 24 h" in stacked and "jitter" in stacked and "phase" in stacked
    assert "rate-" not in stacked  # the phased rate jobs do not pile up


def test_the_threshold_is_configurable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", herd_file(tmp_path), "--offline", "--output", "json", "--collision-threshold", "7"]) == 0
    assert not [w for w in json.loads(capsys.readouterr().out)["warnings"] if "fire together" in w]


def test_simulate_prints_the_collision_advice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", herd_file(tmp_path), "--from", "2027-03-01", "--to", "2027-03-02", "--fires", "0"]
    assert main([*argv, "--output", "json"]) == 0
    (advice,) = json.loads(capsys.readouterr().out)["collisions"]["warnings"]
    assert "6 jobs ('cron-0'" in advice and "24 minutes" in advice


def test_phases_flatten_a_herd_of_rate_jobs() -> None:
    jobset = load_bytes(
        json.dumps(
            {
                "version": 1,
                "defaults": {"target": {"base_url": "https://a.example"}},
                "jobs": [{"id": f"j{i}", "schedule": "every 15m"} for i in range(30)],
            }
        ).encode()
    )
    window = SimOptions(parse_when("2027-03-01"), parse_when("2027-03-02"))
    before = day_matrix(simulate(jobset, SimOptions(window.start, window.end, phases=False)))
    after = day_matrix(simulate(jobset, window))
    assert peak(before) == 30 and peak(after) < 10
    assert sum(map(sum, before)) == sum(map(sum, after)) == 30 * 96  # the same fires, spread out


def test_the_terminal_heatmap_marks_the_collision_minutes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", herd_file(tmp_path), "--from", "2027-03-01", "--to", "2027-03-02", "--fires", "0", "--heatmap"]
    assert main(argv) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if re.match(r"\d\dh   ", line)]
    assert len(rows) == 24 and all(row[6] == "!" for row in rows)  # minute 0 of every hour collides
    assert all("!" not in row[7:] for row in rows)


def test_the_plot_file_shows_the_counts_simulate_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    svg = tmp_path / "load.svg"
    argv = ["simulate", herd_file(tmp_path), "--from", "2027-03-01", "--to", "2027-03-03", "--fires", "0"]
    assert main([*argv, "--plot", str(svg), "--output", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    text = svg.read_text()
    sim = simulate(
        load_bytes(Path(argv[1]).read_bytes()), SimOptions(parse_when("2027-03-01"), parse_when("2027-03-03"))
    )
    assert sum(map(sum, day_matrix(sim))) == report["totals"]["fires"]
    assert f"peak {peak(day_matrix(sim))} fires/minute, {len(hot_minutes(sim))} collision minute(s)" in text
    assert "with phases" in text and "without phases" in text
    png = tmp_path / "load.png"
    assert main([*argv, "--plot", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"wrote {png}" in capsys.readouterr().out


def test_a_plot_needs_a_known_file_type_and_matplotlib(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["simulate", herd_file(tmp_path), "--from", "2027-03-01", "--to", "2027-03-02", "--fires", "0"]
    assert main([*argv, "--plot", str(tmp_path / "load.jpg")]) == 2
    assert "use a .png or .svg file name" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if the plot extra were not installed
    assert main([*argv, "--plot", str(tmp_path / "load.svg")]) == 2
    assert "pip install 'cron-adapter[plot]'" in capsys.readouterr().err


def test_heatmap_text_scales_and_marks() -> None:
    matrix = [[0] * 60 for _ in range(24)]
    matrix[3][7], matrix[3][8] = 10, 1
    text = heatmap_text(matrix, frozenset({3 * 60 + 7}), 5)
    row = text.splitlines()[1 + 3]
    assert row[6 + 7] == "!" and row[6 + 8] == "." and "'@' 10" in text


def test_a_plot_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from cron_adapter.errors import PlotUnavailable
    from cron_adapter.simulate.plot import write_plot

    taken = tmp_path / "load.png"
    taken.mkdir()  # a folder where the file should go: savefig raises IsADirectoryError
    with pytest.raises(PlotUnavailable, match=r"--plot .*load.png: cannot write it"):
        write_plot(taken, [("with phases", [[0] * 60 for _ in range(24)], frozenset())], "t")
