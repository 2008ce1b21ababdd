"""Render a Plan for people (like ``terraform plan``) and for programs (JSON).

The JSON form is exactly::

    {"actions": [{"action": "create"|"update"|"delete", "job_id": ID, "name": NAME,
                  "reason": WHY, "request": {<the exact Create/Update/DeleteSchedule kwargs>}}],
     "warnings": [...]}

Pure: no I/O; the caller prints the returned string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cron_adapter.reconcile.model import Action, Delete, Plan, Update

_SYMBOL = {"create": "+", "update": "~", "delete": "-"}
_VERB = {"create": "create", "update": "update in-place", "delete": "destroy"}


@dataclass(frozen=True)
class FireTimes:
    """Next fire times of a changed schedule before and after the change (ISO strings)."""

    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    before_disabled: bool = False  # a DISABLED schedule fires nothing: no times, and the text says why
    after_disabled: bool = False


def action_dict(action: Action) -> dict[str, Any]:
    """One action as the JSON form lists it."""
    return {
        "action": action.action,
        "job_id": action.job_id,
        "name": action.name,
        "reason": action.reason,
        "request": dict(action.request),
    }


def to_json(plan: Plan, fire_times: Mapping[str, FireTimes] | None = None) -> str:
    """The JSON form of ``plan`` (with ``next_fires`` per changed schedule when known)."""
    actions = []
    for action in plan.actions:
        item = action_dict(action)
        times = (fire_times or {}).get(action.name)
        if times is not None:
            item["next_fires"] = {"before": list(times.before), "after": list(times.after)}
            item["next_fires"].update(
                {f"{k}_disabled": True for k in ("before", "after") if getattr(times, f"{k}_disabled")}
            )
        actions.append(item)
    return json.dumps({"actions": actions, "warnings": list(plan.warnings)}, indent=2, default=str)


def _fields(request: Mapping[str, Any]) -> list[tuple[str, str]]:
    window = request.get("FlexibleTimeWindow") or {}
    rows = [("description", str(request["Description"]))] if request.get("Description") else []
    rows += [
        ("expression", f"{request.get('ScheduleExpression')}  ({request.get('ScheduleExpressionTimezone')})"),
        ("state", str(request.get("State"))),
        ("window", "OFF" if window.get("Mode") != "FLEXIBLE" else f"{window.get('MaximumWindowInMinutes')} min"),
        ("after run", str(request.get("ActionAfterCompletion"))),
    ]
    rows += [(key.lower(), str(request[key])) for key in ("StartDate", "EndDate") if key in request]
    rows.append(("target", str((request.get("Target") or {}).get("Arn"))))
    call = _call(request)
    if call:
        rows.append(("calls", call))
    return rows


def _call(request: Mapping[str, Any]) -> str:
    """``METHOD URL`` the fire Lambda calls, read back from the schedule's Input (empty if unreadable)."""
    raw = (request.get("Target") or {}).get("Input")
    try:
        data = json.loads(raw) if isinstance(raw, str) else {}
        target = (data.get("job") or {}).get("target") or data.get("target") or {}
    except (ValueError, AttributeError):
        return ""
    url = target.get("url") if isinstance(target, dict) else None
    return f"{target.get('method') or 'POST'} {url}" if url else ""


def _times(label: str, values: Sequence[str], disabled: bool = False) -> str:
    if disabled:
        return f"      {label:<11} none: the schedule is DISABLED (enabled: false)"
    return f"      {label:<11} {', '.join(values) if values else '(none)'}"


def _block(action: Action, times: FireTimes | None) -> list[str]:
    job = f" (job {action.job_id})" if action.job_id is not None and action.job_id != action.name else ""
    head = f"  {_SYMBOL[action.action]} {_VERB[action.action]} {action.name!r}{job}: {action.reason}"
    if isinstance(action, Delete):
        lines = [head]
    else:
        lines = [head] + [f"      {key:<11} {value}" for key, value in _fields(action.request)]
    if times is not None:
        if isinstance(action, Update | Delete):
            lines.append(_times("fires now", times.before, times.before_disabled))
        if not isinstance(action, Delete):
            lines.append(_times("fires after", times.after, times.after_disabled))
    return lines


def to_text(plan: Plan, group: str, fire_times: Mapping[str, FireTimes] | None = None) -> str:
    """The human form of ``plan``, ending with the summary line."""
    if not plan.actions:
        lines = [f"No changes. Schedule group {group!r} matches the jobs file."]
    else:
        lines = [f"cron-adapter will perform the following actions in schedule group {group!r}:", ""]
        for action in plan.actions:
            lines += _block(action, (fire_times or {}).get(action.name))
            lines.append("")
    if plan.warnings:
        lines += ["Warnings:"] + [f"  ! {w}" for w in plan.warnings] + [""]
    lines.append(plan.summary())
    return "\n".join(lines)
