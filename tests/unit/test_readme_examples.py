"""Every `cron-adapter` example in README.md and docs/cli.md that needs no AWS runs as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from cron_adapter.cli import main

ROOT = Path(__file__).resolve().parents[1].parent
# Commands that need an AWS account (or a running emulator), or run until stopped.
LIVE = ("push", "apply", "dev")


def examples(doc: Path) -> list[str]:
    """The `cron-adapter ...` lines of the doc's ```bash blocks (continuation lines joined)."""
    found = []
    for block in re.findall(r"```bash\n(.*?)```", doc.read_text(), re.S):
        for line in block.replace("\\\n", " ").splitlines():
            command = line.split(" #", 1)[0].strip()
            if command.startswith("cron-adapter "):
                found.append(command)
    return found


def offline(command: str) -> bool:
    argv = shlex.split(command)[1:]
    if not argv or argv[0] in LIVE or ">" in argv or "|" in argv:
        return False
    return argv[0] != "plan" or "--offline" in argv


CASES = [(doc, cmd) for doc in ("README.md", "docs/cli.md") for cmd in examples(ROOT / doc) if offline(cmd)]


def test_the_docs_have_offline_examples():
    assert len(CASES) >= 8


@pytest.mark.parametrize(("doc", "command"), CASES, ids=[f"{d}: {c}" for d, c in CASES])
def test_the_example_runs_as_written(
    doc: str, command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("API_URL", raising=False)
    code = main(shlex.split(command)[1:])
    assert code == 0, capsys.readouterr().err
