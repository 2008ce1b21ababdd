"""A new user's review: bad input is one clear line and exit 2, before anything starts or is sent.

Each case once ended in "unexpected ..." (exit 1), a wrong exit code, or a message that
named the wrong thing (an environment variable for a flag, a command that lists nothing).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from cron_adapter.cli import build_parser, main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "jobs.json"


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if "error:" in line]


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any AWS call would fail at once (nothing listens on the discard port) and change nothing."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["dev", "--speed", "1e12", "--duration", "5"], "--speed"),  # OverflowError once
        (["dev", "--speed", "0"], "--speed"),
        (["dev", "--grace", "-5"], "--grace"),  # named CRON_ADAPTER_CREATE_GRACE_SECONDS, after starting
        (["dev", "--duration", "nan"], "--duration"),
        (["jobs", "pause", "x", "--attempts", "-1", "--bucket", "b"], "--attempts"),  # "conflict", exit 9 once
        (["jobs", "pause", "x", "--attempts", "0", "--bucket", "b"], "--attempts"),
        (["jobs", "pause", "x", "--attempts", "1000000", "--bucket", "b"], "--attempts"),
        (["jobs", "remove", "x", "--wait", "--timeout", "-1", "--bucket", "b"], "--timeout"),
        (["push", str(EXAMPLE), "--bucket", "b", "--wait", "--timeout", "0.001"], "--timeout"),
        (["plan", "--offline", "--tps", "0", str(EXAMPLE)], "--tps"),  # said "setting CRON_ADAPTER_..." once
    ],
)
def test_a_bad_number_is_refused_by_its_flag(
    argv: list[str], flag: str, no_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    [line] = _errors(capsys.readouterr().err)
    assert f"argument {flag}: must be" in line and "CRON_ADAPTER" not in line


@pytest.mark.parametrize("argv", [["dev", "--help"], ["jobs", "pause", "--help"], ["push", "--help"]])
def test_help_shows_the_bounds_and_defaults(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(argv)
    out = " ".join(capsys.readouterr().out.split())
    wanted = {"dev": "0.01..10,000 (default 1", "jobs": "1..100 (default 8)", "push": "1..3,600 (default 180)"}
    assert wanted[argv[0]] in out


def test_dev_refuses_a_directory_before_starting_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["dev", str(tmp_path), "--duration", "5"]) == 2  # IsADirectoryError once, after the emulator began
    [line] = _errors(capsys.readouterr().err)
    assert f"JOBS_FILE {tmp_path} cannot be read" in line and "fix:" in line
    assert not (tmp_path / ".cron-adapter").exists()  # no dev.env, no secret: nothing started


@pytest.mark.parametrize("name", ["missing.json", "."])
def test_jobs_add_refuses_a_json_file_it_cannot_read(
    name: str, no_aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["jobs", "add", "x", "--json-file", name, "--bucket", "b"]) == 2
    [line] = _errors(capsys.readouterr().err)
    assert f"--json-file {name}: cannot read it" in line and "fix:" in line and "unexpected" not in line


@pytest.mark.parametrize("name", ["missing.pem", "."])
def test_keys_refuses_a_key_file_it_cannot_read(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["keys", "public", "--key-file", name]) == 2  # exit 1 once
    [line] = _errors(capsys.readouterr().err)
    assert f"--key-file {name}: cannot read it" in line and "fix:" in line


def test_keys_with_no_key_named_is_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CRON_ADAPTER_JWT_SECRET_ID", raising=False)
    assert main(["keys", "public"]) == 2
    [line] = _errors(capsys.readouterr().err)
    assert "--secret-id" in line and "--key-file" in line


@pytest.mark.parametrize("command", ["trigger", "resume"])
def test_an_unknown_job_lists_the_files_ids(command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # It once pointed at `validate FILE`, which prints only a count.
    path = tmp_path / "jobs.json"
    jobs = [f'{{"id": "job-{i:02d}", "schedule": "every 5m", "target": {{"url": "https://a.example.com/"}}}}'
            for i in range(13)]  # fmt: skip
    path.write_text('{"version": 1, "jobs": [' + ", ".join(jobs) + "]}")
    assert main([command, "job-1", str(path)]) == 2
    [line] = _errors(capsys.readouterr().err)
    assert "validate" not in line
    assert "job 'job-1' is not in" in line and "job-00, job-01" in line and "job-09 and 3 more" in line


def _parsers(parser: argparse.ArgumentParser, name: str = "cron-adapter") -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(name, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                found += _parsers(sub, f"{name} {sub_name}")
    return found


def test_every_help_example_reads_as_one_command() -> None:
    # A `\` at a line's end inside a normal string joined `validate --help`'s example into
    # "--base-url https://agent.example.com       --timezone ...".
    for name, parser in _parsers(build_parser()):
        for line in parser.format_help().splitlines():
            if "cron-adapter " in line:
                assert not re.search(r"\S {3,}--", line), f"{name} --help: {line}"


@pytest.mark.parametrize("command", ["hermes", "keys"])
def test_integration_commands_have_a_description_and_examples(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    description = out.split("\n\n")[1]
    assert not description.startswith("positional arguments")
    assert "examples:" in out and f"  cron-adapter {command} " in out
