"""The formats a jobs file can be in, told apart, and what a reader of a foreign one returns.

- native: our own jobs.json (``{"version": 1, ...}``), validated by :mod:`cron_adapter.jobs.model`;
- hermes: hermes-agent's ``jobs.json`` (``{"jobs": [...]}``), read by :mod:`cron_adapter.jobs.hermes_store`;
- sidecar: a job list (``[{"name", "schedule", "endpoint", ...}]``), read by :mod:`cron_adapter.jobs.sidecar`.

Each foreign reader returns a :class:`Read` and never raises on bad input.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from pydantic import ValidationError

from cron_adapter.errors import Problem
from cron_adapter.jobs.model import JobIn
from cron_adapter.jobs.target_rules import root_problem


class Read(NamedTuple):
    """What a reader found: jobs with their done flag, problems (refuse the file), warnings, and
    jobs left unscheduled (hermes only: accepted by hermes, inexpressible in EventBridge)."""

    jobs: list[tuple[JobIn, bool]]
    problems: list[Problem]
    warnings: list[tuple[str | None, str]]
    unscheduled: list[Problem]


def detect(raw: Any) -> str | None:
    """Guess the format of parsed JSON: native, hermes, sidecar, or None."""
    if isinstance(raw, list):
        return "sidecar"
    if isinstance(raw, dict) and "version" in raw:
        return "native"
    if isinstance(raw, dict) and isinstance(raw.get("jobs"), list):
        return "hermes"
    return None


def base_root(base_url: str | None, needed_for: str, example: str, problems: list[Problem]) -> str:
    """``base_url`` without its trailing slash; without one, a problem and a placeholder root.

    A foreign format's jobs hold only paths, so the file is refused without a base URL; the
    placeholder lets every job still be read, so one run reports all of the file's problems.
    """
    if not base_url:
        problems.append(Problem(None, "base_url", needed_for, f"pass --base-url {example} or set API_URL"))
    elif why := root_problem(base_url):
        problems.append(Problem(None, "base_url", *why))
    return (base_url or "https://invalid.example").rstrip("/")


def job_in(job_id: str, fields: dict[str, Any], names: dict[str, str]) -> tuple[JobIn | None, Problem | None]:
    """Build one JobIn; a refusal names the field as the source file spells it (``names``)."""
    try:
        return JobIn(**fields), None
    except ValidationError as exc:
        first = exc.errors()[0]
        dotted = ".".join(str(p) for p in first["loc"])
        field = names.get(dotted, dotted)
        return None, Problem(job_id, field, first["msg"], "see `cron-adapter schema` for the allowed values")
