"""Read a sidecar job list (``[{"name", "schedule", "endpoint", "method", "timeout"}]``) into native ``JobIn`` values.

``timeout`` is in seconds; the URL is the base URL plus ``endpoint``. Unknown keys are
ignored with a warning.
"""

from __future__ import annotations

from typing import Any

from cron_adapter.errors import Problem
from cron_adapter.jobs.formats import Read, base_root, job_in
from cron_adapter.jobs.model import JobIn
from cron_adapter.jobs.target_rules import path_problem

SIDECAR_KEYS = {"name", "schedule", "endpoint", "method", "timeout"}
_SIDECAR_NAMES = {"id": "name", "target.method": "method", "target.timeout": "timeout", "target.url": "endpoint"}


def read_sidecar(raw: list[Any], base_url: str | None) -> Read:
    """Convert a sidecar job list; ``timeout`` is in seconds, URL = base URL + endpoint."""
    jobs: list[tuple[JobIn, bool]] = []
    problems: list[Problem] = []
    warnings: list[tuple[str | None, str]] = []
    root = base_root(base_url, "a sidecar job list needs the app's base URL", "https://app.example.com", problems)
    for index, item in enumerate(raw):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name:
            problems.append(
                Problem(f"#{index}", "name", "every sidecar job needs a string name", 'add "name": "data-refresh"')
            )
            continue
        _check_item(name, item, problems, warnings)
        if any(p.job_id == name for p in problems):
            continue
        job, problem = job_in(name, _fields(name, item, root), _SIDECAR_NAMES)
        if job is None:
            problems.append(problem)  # type: ignore[arg-type]
            continue
        jobs.append((job, False))
    return Read(jobs, problems, warnings, [])


def _check_item(
    name: str, item: dict[str, Any], problems: list[Problem], warnings: list[tuple[str | None, str]]
) -> None:
    """The required string keys, and a warning for the keys a sidecar list does not have."""
    for key in ("schedule", "endpoint"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            problems.append(Problem(name, key, f"{key} is required and must be a string", f'add "{key}"'))
    endpoint = item.get("endpoint")
    why = path_problem(endpoint) if isinstance(endpoint, str) else None
    if why:
        problems.append(Problem(name, "endpoint", why[0], "write a path on the base URL, such as /api/run"))
    extra = sorted(set(item) - SIDECAR_KEYS)
    if extra:
        warnings.append((name, f"ignored unknown sidecar keys {extra}"))


def _fields(name: str, item: dict[str, Any], root: str) -> dict[str, Any]:
    """The native fields of one checked sidecar job; its URL is ``root`` plus its endpoint."""
    endpoint = item["endpoint"] if item["endpoint"].startswith("/") else "/" + item["endpoint"]
    target: dict[str, Any] = {"url": root + endpoint}
    if item.get("method") is not None:
        target["method"] = str(item["method"]).upper()
    if item.get("timeout") is not None:
        target["timeout"] = item["timeout"]
    return {"id": name, "schedule": item["schedule"], "target": target}
