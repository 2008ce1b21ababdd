"""A native jobs file's schema errors as Problems, and the part of the file that passed the schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from cron_adapter.errors import Problem
from cron_adapter.jobs.model import DefaultsIn, JobIn, JobsFile, RetryIn, TargetIn
from cron_adapter.jobs.suggest import closest

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
        fix = _extra_fix(loc, job_id is not None) if err["type"] == "extra_forbidden" else "see `cron-adapter schema`"
        problems.append(Problem(job_id, field, err["msg"], fix))
    return problems


def _extra_fix(loc: list[Any], in_job: bool) -> str:
    """The fix for an unknown field: the field it was probably meant to be, else remove it."""
    parent = _NESTED.get(str(loc[-2])) if len(loc) >= 2 else (JobIn if in_job else JobsFile)
    known = [f.alias or name for name, f in parent.model_fields.items()] if parent else []
    match = closest(str(loc[-1]), known)
    return f"did you mean {match!r}?" if match else "remove it (see `cron-adapter schema`)"


def schema_valid_part(raw: Any, exc: ValidationError) -> tuple[DefaultsIn, list[tuple[JobIn, bool]]] | None:
    """The file's defaults and the jobs without schema errors, or None when the top level itself is bad."""
    bad_jobs = {e["loc"][1] for e in exc.errors() if len(e["loc"]) >= 2 and e["loc"][0] == "jobs"}
    if any(not (len(e["loc"]) >= 2 and e["loc"][0] == "jobs") for e in exc.errors()):
        return None
    head = JobsFile.model_validate({**raw, "jobs": []})
    items = [(JobIn.model_validate(item), False) for i, item in enumerate(raw["jobs"]) if i not in bad_jobs]
    return head.defaults, items
