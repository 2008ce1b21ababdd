"""`cron-adapter jobs add`: the job's fields as flags or a JSON snippet.

Flags and JSON combine: ``--json``/``--json-file`` give a native jobs.json job object, and
each flag then sets (or overrides) one field of it. Nothing is checked here beyond JSON
syntax: the whole store is validated after the edit, so an invalid field is reported
with the job's id and the field's name, like ``validate`` does.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, get_args

from cron_adapter.errors import InvalidJobsFile, Problem, UsageError
from cron_adapter.kinds import CatchUp, Delivery, Method, Overlap

# flag dest -> (field path in the job object, metavar, help)
_FIELDS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "schedule": (("schedule",), "SCHEDULE", "e.g. 'every 15m', 'daily 03:00', '0 9 * * 1-5', 'at 2026-12-24T09:00'"),
    "url": (("target", "url"), "URL", "absolute https target URL"),
    "path": (("target", "path"), "PATH", "path appended to defaults.target.base_url (sidecar: the endpoint)"),
    "method": (("target", "method"), "METHOD", f"HTTP method: {', '.join(get_args(Method))} (default POST)"),
    "target_timeout": (("target", "timeout"), "SECONDS", "seconds to wait for the target (default 30)"),
    "timezone": (("timezone",), "TZ", "IANA timezone of the schedule, e.g. Europe/Berlin"),
    "description": (("description",), "TEXT", "human-readable name"),
    "start_at": (("start_at",), "TIME", "no fire before this ISO time"),
    "end_at": (("end_at",), "TIME", "no fire after this ISO time"),
    "max_runs": (("max_runs",), "N", "stop after N runs"),
    "jitter": (("jitter",), "MINUTES", "flexible window in minutes (0 = exact)"),
    "overlap": (("overlap",), "POLICY", f"{' | '.join(get_args(Overlap))} (default skip)"),
    "delivery": (("delivery",), "MODE", f"{' | '.join(get_args(Delivery))} (default at-least-once)"),
    "catch_up": (("catch_up",), "MODE", f"{' | '.join(get_args(CatchUp))} (default none)"),
}
_TYPES: dict[str, Any] = {"target_timeout": float, "max_runs": int, "jitter": int}


def add_field_args(parser: argparse.ArgumentParser) -> None:
    """Add ID, --json, --json-file and one flag per job field."""
    parser.add_argument("id", metavar="ID", nargs="?", help="the job's id (or give it in --json)")
    snippet = parser.add_mutually_exclusive_group()
    snippet.add_argument("--json", metavar="JSON", help="the job as a jobs.json job object")
    snippet.add_argument("--json-file", metavar="FILE", help="read the job object from FILE ('-' for stdin)")
    fields = parser.add_argument_group("job fields (each sets one field; flags beat --json)")
    for dest, (_, metavar, text) in _FIELDS.items():
        flag = "--" + dest.replace("_", "-")
        fields.add_argument(flag, dest=dest, metavar=metavar, type=_TYPES.get(dest, str), help=text)
    fields.add_argument("--header", action="append", metavar="NAME=VALUE", help="a non-secret header (repeatable)")
    fields.add_argument("--body", metavar="JSON", help="the JSON body sent to the target")
    fields.add_argument("--paused", action="store_true", help='add the job paused ("enabled": false)')


def _bad(job_id: str | None, field: str, message: str, fix: str) -> InvalidJobsFile:
    return InvalidJobsFile([Problem(job_id, field, message, fix)], "the new job")


def _json(text: str, job_id: str | None, field: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad(job_id, field, f"not valid JSON: {exc}", "quote the JSON in single quotes for the shell") from exc


def _read(name: str) -> str:
    """The text of --json-file (``-``: stdin); a file that cannot be read is a usage error naming it."""
    try:
        return Path("/dev/stdin" if name == "-" else name).read_text()
    except OSError as exc:  # missing, a directory, no permission
        raise UsageError(
            f"--json-file {name}: cannot read it: {exc.strerror}; fix: name a file holding one job object, "
            "or pass the object with --json"
        ) from None
    except UnicodeDecodeError:
        raise UsageError(f"--json-file {name}: not UTF-8 text; fix: name a JSON file") from None


def _snippet(args: argparse.Namespace) -> dict[str, Any]:
    if args.json_file:
        doc = _json(_read(args.json_file), args.id, "--json-file")
    else:
        doc = _json(args.json, args.id, "--json") if args.json else {}
    if not isinstance(doc, dict):
        raise _bad(args.id, "--json", "the job must be a JSON object", 'write {"id": "...", "schedule": "..."}')
    return doc


def job_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The new job object from --json/--json-file and the field flags."""
    job = _snippet(args)
    if args.id and job.get("id") not in (None, args.id):
        raise _bad(args.id, "id", f"ID {args.id!r} and the JSON's id {job['id']!r} differ", "give the id once")
    job_id = args.id or job.get("id")
    if not job_id:
        raise _bad(None, "id", "the new job has no id", "pass ID, or an id in --json")
    job = {"id": job_id, **{k: v for k, v in job.items() if k != "id"}}
    for dest, (path, _, _) in _FIELDS.items():
        value = getattr(args, dest)
        if value is not None:
            _set(job, path, value.upper() if dest == "method" else value)
    if args.header:
        headers = dict(_header(job_id, h) for h in args.header)
        _set(job, ("target", "headers"), {**(job.get("target") or {}).get("headers", {}), **headers})
    if args.body is not None:
        _set(job, ("target", "body"), _json(args.body, job_id, "target.body"))
    if args.paused:
        job["enabled"] = False
    return job


def _header(job_id: str, text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise _bad(job_id, "target.headers", f"--header {text!r} is not NAME=VALUE", "write --header X-Team=data")
    return name.strip(), value


def _set(job: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = job
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[path[-1]] = value


def added_warnings(jobs: Any, change: Any, at: datetime) -> list[str]:
    """The warnings `validate` shows for the added job (``change`` from ``JobsClient.add``).

    The new store is cut down to that one job (the defaults kept) and checked as `validate`
    checks a file, so the other jobs' warnings stay out and every one of this job's is in.
    """
    from cron_adapter.cli.validate import checked

    edited = change.committed.edited
    job = edited.job
    if job is None:
        return []
    doc = json.loads(edited.data)
    key = "name" if edited.jobset.format == "sidecar" else "id"
    entries = doc if isinstance(doc, list) else doc["jobs"]
    mine = [e for e in entries if isinstance(e, dict) and e.get(key) == change.job_id]
    alone = mine if isinstance(doc, list) else {**doc, "jobs": mine}
    options = replace(jobs.options, timezone=job.timezone)  # the zone the store gave it (uploaded or flag)
    return checked(options.load(json.dumps(alone).encode()), at)[1]
