"""Parse a jobs file's bytes into plain JSON values, refusing what later steps cannot carry.

Everything here runs before the format readers, so no reader, model or translation ever
sees a value it would crash on:

- a file over ``MAX_FILE_BYTES``, or with over ``MAX_JOBS`` jobs: the reconcile Lambda (512 MB)
  would run out of memory on it rather than refuse it; 100,000 jobs is the scale measured;
- bytes that are not UTF-8/16/32 (a UTF-8 BOM is fine), ``NaN`` and ``Infinity`` (not JSON),
  integers of more than 4300 digits, and nesting deeper than Python's parser goes;
- lone UTF-16 surrogates such as ``"\\ud800"``: valid JSON escapes, but no valid Unicode,
  so they cannot be encoded into an EventBridge request. Each is reported with the job
  and the field that holds it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cron_adapter.errors import InvalidJobsFile, Problem

# An escaped high or low surrogate; only files that contain one are walked for lone ones.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
MAX_REPORTED = 20
# A target body deeper than this is refused: the JSON serializer stops at 255 levels, and
# no real webhook payload comes close.
MAX_BODY_DEPTH = 32
MAX_FILE_BYTES = 32 * 1024 * 1024  # 100,000 typical jobs are about 17 MB
MAX_JOBS = 100_000
_SPLIT = "split the jobs across several cron-adapter stacks (each has its own schedule group)"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (use a number or null)")


def parse_json(data: bytes, source: str) -> Any:
    """``json.loads`` that raises only InvalidJobsFile, with a one-line reason."""
    if len(data) > MAX_FILE_BYTES:
        raise too_large(len(data), source)
    try:
        text = data.decode(json.detect_encoding(data))
    except UnicodeDecodeError as exc:
        raise _bad_json(f"not valid UTF-8 at byte {exc.start}", "save the file as UTF-8", source) from None
    try:
        raw = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise _bad_json(f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc}", "", source) from None
    except RecursionError:
        raise _bad_json("nested too deeply to read", "flatten the structure", source) from None
    except ValueError as exc:  # NaN/Infinity, or an integer past Python's 4300-digit limit
        raise _bad_json(str(exc).split(";")[0], "", source) from None
    if _SURROGATE_ESCAPE.search(text):
        found = lone_surrogates(raw)
        if found:
            why = "contains a lone surrogate (not valid Unicode)"
            raise InvalidJobsFile([Problem(job, field, why, _SURROGATE_FIX) for job, field in found], source)
    return raw


def too_large(size: int, source: str) -> InvalidJobsFile:
    """The refusal of a file of ``size`` bytes, over ``MAX_FILE_BYTES`` (read or not)."""
    why = f"the file is {size / 2**20:,.1f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB a jobs file may have"
    return InvalidJobsFile([Problem(None, "(file)", why, _SPLIT)], source)


def check_job_count(count: int, source: str) -> None:
    """Refuse a file with more jobs than one stack is measured to carry."""
    if count > MAX_JOBS:
        why = f"the file has {count:,} jobs, over the {MAX_JOBS:,} one stack carries"
        raise InvalidJobsFile([Problem(None, "jobs", why, _SPLIT)], source)


_SURROGATE_FIX = r"remove the \ud800-\udfff escape, or write the complete surrogate pair"


def _bad_json(message: str, fix: str, source: str) -> InvalidJobsFile:
    return InvalidJobsFile([Problem(None, "(json)", message, fix or "fix the JSON syntax")], source)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def lone_surrogates(raw: Any) -> list[tuple[str | None, str]]:
    """(job, field) of every key or string value holding a lone surrogate, at most MAX_REPORTED."""
    found: list[tuple[str | None, str]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(raw, ())]
    while stack and len(found) < MAX_REPORTED:
        value, path = stack.pop()
        if isinstance(value, str):
            if not _encodable(value):
                found.append(_locate(raw, path))
        elif isinstance(value, dict):
            for key, item in value.items():
                if not _encodable(key):
                    found.append(_locate(raw, (*path, "(key)")))
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, i)) for i, item in enumerate(value))
    return found


def _locate(raw: Any, path: tuple[Any, ...]) -> tuple[str | None, str]:
    """Name the job (its id or name, else #index) and the dotted field under it."""
    jobs = raw.get("jobs") if isinstance(raw, dict) else raw
    if path and path[0] == "jobs" and isinstance(raw, dict):
        path = path[1:]
    elif not isinstance(raw, list):
        return None, _dotted(path)
    if not path or not isinstance(path[0], int) or not isinstance(jobs, list):
        return None, _dotted(path)
    item = jobs[path[0]]
    name = next((item.get(k) for k in ("id", "name") if isinstance(item, dict) and isinstance(item.get(k), str)), None)
    job = name if name is not None and _encodable(name) else f"#{path[0]}"
    return job, _dotted(path[1:])


def _dotted(path: tuple[Any, ...]) -> str:
    parts = [p[:40] if isinstance(p, str) and _encodable(p) else ("?" if isinstance(p, str) else str(p)) for p in path]
    if len(parts) > 8:  # deep inside a body: the start and the end say enough
        parts = [*parts[:4], "...", *parts[-3:]]
    return ".".join(parts) or "(root)"


def depth(value: Any, limit: int = MAX_BODY_DEPTH) -> int:
    """How deeply lists and objects nest in ``value``, counting up to ``limit + 1`` at most."""
    if not isinstance(value, dict | list):
        return 0
    for child in value.values() if isinstance(value, dict) else value:
        if isinstance(child, dict | list):
            break
    else:
        return 1  # the common body: one flat object of scalars, no walk needed (a loop: no generator)
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            level += 1
            deepest = max(deepest, level)
            if level > limit:
                return deepest
            stack.extend((child, level) for child in (item.values() if isinstance(item, dict) else item))
    return deepest
