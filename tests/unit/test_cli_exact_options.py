"""Options are taken only as spelled in full, and the docs spell every one of them."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from cron_adapter.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]


def _options(parser: argparse.ArgumentParser) -> set[str]:
    found: set[str] = set()
    for action in parser._actions:
        found.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                assert not sub.allow_abbrev, sub.prog
                found |= _options(sub)
    return found


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["dev", "--for", "1"], "--for"),  # once read as --format 1
        (["next", "--schedule", "every 5m", "--out", "json"], "--out"),
        (["jobs", "list", "--out", "json"], "--out"),  # a nested command too
    ],
)
def test_an_abbreviated_option_is_refused(argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert f"unrecognized arguments: {flag}" in capsys.readouterr().err


def test_every_option_the_docs_name_is_one_in_full():
    known = _options(build_parser())
    unknown = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for number, line in enumerate(doc.read_text().splitlines(), 1):
            if "cron-adapter " not in line or "aws " in line:  # the AWS CLI's own options are not ours
                continue
            flags = re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", line)
            unknown += [f"{doc.relative_to(ROOT)}:{number}: {f}" for f in flags if f not in known]
    assert len(known) > 40 and not unknown
