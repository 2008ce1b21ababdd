"""A native jobs file's schema errors as Problems, and the part of the file that passed the schema."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from cron_adapter.errors import Problem
from cron_adapter.jobs.model import DefaultsIn, JobIn, JobsFile, RetryIn, TargetIn
from cron_adapter.jobs.suggest import closest

_URL_PARTS = {"url", "base_url", "path"}
_NESTED: dict[str, type[BaseModel]] = {"target": TargetIn, "retry": RetryIn, "defaults": DefaultsIn}


def pydantic_problems(exc: ValidationError, raw: Any) -> list[Problem]:
    """One Problem per pydantic error, naming the job (by id, else #index) and the field."""
    problems = []
    for err in exc.errors():
        loc = list(err["loc"])
        job_id = None
        if len(loc) >= 2 and loc[0] == "jobs" and isinstance(loc[1], int):
            item = raw["jobs"][loc[1]] if isinstance(raw, dict) and isinstance(raw.get("jobs"), list) else None
            job_id = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else f"#{loc[1]}"
            loc = loc[2:]
        field = ".".join(str(p) for p in loc) or "(root)"
        fix = _extra_fix(loc, job_id is not None) if err["type"] == "extra_forbidden" else type_fix(err)
        message = _MESSAGES.get(err["type"], err["msg"])
        problems.append(Problem(job_id, field, message, fix))
    return problems


# Examples for the fix of a missing or mistyped field, by the field's own name.
_EXAMPLES = {
    "id": '"nightly-sync"',
    "schedule": '"every 15m"',
    "version": "1",
    "jobs": '[{"id": ..., "schedule": ...}]',
    "target": '{"url": "https://app.example.com/run"}',
    "url": '"https://app.example.com/run"',
    "base_url": '"https://app.example.com"',
    "path": '"/api/run"',
    "timezone": '"Europe/Berlin"',
    "timeout": "30",
    "jitter": "5",
    "max_runs": "100",
    "attempts": "3",
    "backoff": "1",
    "max_backoff": "30",
}
_MESSAGES = {"missing": "is required but missing", "model_type": "Input should be a JSON object"}
_BOUNDS = {"ge": "at least", "gt": "above", "le": "at most", "lt": "below"}
_NUMBER = {"float_type", "float_parsing", "int_type", "int_parsing", "int_from_float", "decimal_type"}


def type_fix(err: Mapping[str, Any]) -> str:
    """A concrete fix for one pydantic error, by its type; else a pointer to the schema."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    name = str(err["loc"][-1]) if err["loc"] else ""
    example = _EXAMPLES.get(name)
    if kind == "missing":
        return f'add "{name}", e.g. {example}' if example else f'add "{name}"'
    if kind in _NUMBER:
        whole = kind.startswith("int")
        shown = example or ("3" if whole else "30")
        if isinstance(value, str):
            return f"use a JSON number such as {shown}, not a string"
        return f"use a whole number such as {shown}" if whole else f"use a JSON number such as {shown}"
    bound = next((k for k in _BOUNDS if k in ctx), None)
    if bound is not None:
        return f"use a value of {_BOUNDS[bound]} {ctx[bound]}"
    if kind == "literal_error":
        return "use one of: " + ", ".join(
            v.strip(" '") for v in str(ctx.get("expected", "")).replace(" or ", ", ").split(",")
        )
    fix = _SHAPE_FIX.get(kind.split("_")[0], "see `cron-adapter schema`")
    return fix.format(example=example) if example else fix.replace(", e.g. {example}", "")


_SHAPE_FIX = {
    "bool": "use true or false (a JSON boolean, not a string)",
    "string": "use a JSON string, e.g. {example}",
    "datetime": 'use an ISO time such as "2027-01-01T09:00:00" (without an offset: the job\'s timezone)',
    "date": 'use an ISO time such as "2027-01-01T09:00:00"',
    "model": "use a JSON object, e.g. {example}",
    "dict": "use a JSON object, e.g. {example}",
    "list": "use a JSON array, e.g. {example}",
}


def _extra_fix(loc: list[Any], in_job: bool) -> str:
    """The fix for an unknown field: the field it was probably meant to be, else remove it."""
    parent = _NESTED.get(str(loc[-2])) if len(loc) >= 2 else (JobIn if in_job else JobsFile)
    known = [f.alias or name for name, f in parent.model_fields.items()] if parent else []
    match = closest(str(loc[-1]), known)
    return f"did you mean {match!r}?" if match else "remove it (see `cron-adapter schema`)"


def schema_valid_part(raw: Any, exc: ValidationError) -> tuple[DefaultsIn, list[tuple[JobIn, bool]]] | None:
    """The file's defaults and its jobs for the rule checks, or None when the top level itself is bad.

    A job with schema errors is checked too, without the fields that failed (a bad ``start_at``
    must not hide an unknown ``timezone``); a job that does not validate even then (a missing
    or mistyped ``id`` or ``schedule``) is left to its schema problems.
    """
    bad: dict[int, list[tuple[Any, ...]]] = {}
    for err in exc.errors():
        loc = err["loc"]
        if not (len(loc) >= 2 and loc[0] == "jobs" and isinstance(loc[1], int)):
            return None
        bad.setdefault(loc[1], []).append(tuple(loc[2:]))
    head = JobsFile.model_validate({**raw, "jobs": []})
    items = []
    for i, item in enumerate(raw["jobs"]):
        job = JobIn.model_validate(item) if i not in bad else _without(item, bad[i])
        if job is not None:
            items.append((job, False))
    return head.defaults, items


def _without(item: Any, paths: list[tuple[Any, ...]]) -> JobIn | None:
    """The job without the fields at ``paths``, or None if it still does not validate."""
    if not isinstance(item, dict) or any(not p or p[0] == "target" and set(p[1:]) <= _URL_PARTS for p in paths):
        return None  # without its URL a job would get a second, dependent problem ("no target URL")
    kept = copy.deepcopy(item)
    for path in paths:
        parent: Any = kept
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or path[-1] not in parent:
            return None  # a list item or a union branch: no field to leave out
        del parent[path[-1]]
    try:
        return JobIn.model_validate(kept)
    except ValidationError:
        return None
