"""Small modules and short functions: the limits the code is written to, checked.

A module stays under about 250 lines and a function under about 40 (docs/architecture.md).
The one module allowed past it is errors.py, the single home of every exception
(docs/decisions/one-errors-module.md).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for d in ("cron_adapter", "handlers", "infra/cron_adapter_infra") for p in (ROOT / d).rglob("*.py"))
MODULE_LINES, FUNCTION_LINES = 250, 40
LONGER_MODULES = {"cron_adapter/errors.py"}


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_no_module_is_long(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MODULE_LINES or _name(path) in LONGER_MODULES, f"{_name(path)} has {lines} lines"


def test_no_function_is_long() -> None:
    long = [
        f"{_name(path)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in SOURCES
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (node.end_lineno or node.lineno) - node.lineno + 1 > FUNCTION_LINES
    ]
    assert not long, long
