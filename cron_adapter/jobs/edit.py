"""Change exactly one job of a job store, given its bytes; return the new bytes.

Pure. The edit is spliced into the text (``jobs.jsonedit``), so every other job keeps its
bytes, keys keep their order and the file keeps its indent; the result is parsed again
and must equal the intended document (else the whole document is re-rendered in the
file's indent). The new store then passes the same validation as ``push``: the loader
and the translation to EventBridge requests. Anything refused raises before any write.

Formats:
- native: add, remove, pause (``"enabled": false``) and resume (removes that key, so a
  pause then a resume gives back the original bytes).
- sidecar list: add and remove (the job keys ``name``, ``schedule``, ``endpoint``,
  ``method``, ``timeout``); no pause, since the format has nowhere to record it.
- hermes store: read-only here; hermes owns its jobs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cron_adapter.errors import DuplicateJob, InvalidJobsFile, Problem, StoreNotEditable, UnknownJob
from cron_adapter.jobs import jsonedit as je
from cron_adapter.jobs.formats import detect
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.jobs.model import Job, JobSet
from cron_adapter.jobs.sidecar import SIDECAR_KEYS
from cron_adapter.reconcile.translate import Wiring, translate_all

# Hermes and sidecar stores do not hold their base URL (the reconcile Lambda's settings
# do); validation without one uses this reserved host (RFC 2606), which is never called.
PLACEHOLDER_BASE_URL = "https://base-url.invalid"
HERMES_REFUSAL = "is managed by hermes: use `hermes cron ...` to change its jobs"
_SIDECAR_TARGET = {"path": "endpoint", "method": "method", "timeout": "timeout"}


@dataclass(frozen=True)
class StoreOptions:
    """How to read the store: what the reconcile Lambda is configured with."""

    format: str | None = None
    timezone: str | None = None
    base_url: str | None = None
    source: str = "the job store"

    def load(self, data: bytes) -> JobSet:
        """Validate ``data`` as a push would: load every job, translate every schedule."""
        base = self.base_url or PLACEHOLDER_BASE_URL
        jobset = load_bytes(data, format=self.format, timezone=self.timezone, base_url=base, source=self.source)
        translate_all(jobset, Wiring.offline())
        return jobset


@dataclass(frozen=True)
class Edited:
    """The store after one edit: its bytes, whether they changed, and the validated jobs."""

    data: bytes
    changed: bool
    jobset: JobSet
    job_id: str

    @property
    def job(self) -> Job | None:
        """The edited job as resolved (None after a remove)."""
        return next((j for j in self.jobset.jobs if j.id == self.job_id), None)


@dataclass(frozen=True)
class _Store:
    text: str
    format: str
    doc: Any
    jobs_start: int  # where the job array's "[" is
    spans: list[je.Span]

    @property
    def entries(self) -> list[Any]:
        return self.doc if self.format == "sidecar" else self.doc["jobs"]

    def index(self, job_id: str, source: str) -> int:
        key = "name" if self.format == "sidecar" else "id"
        for i, entry in enumerate(self.entries):
            if isinstance(entry, dict) and entry.get(key) == job_id:
                return i
        raise UnknownJob(job_id, source)


def _problem(options: StoreOptions, field: str, message: str, fix: str) -> InvalidJobsFile:
    return InvalidJobsFile([Problem(None, field, message, fix)], options.source)


def _parse(data: bytes, options: StoreOptions, job_id: str) -> _Store:
    try:
        text = data.decode("utf-8")
        doc = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _problem(options, "(json)", f"not valid UTF-8 JSON: {exc}", "fix the store with `push`") from exc
    fmt = options.format or detect(doc)
    if fmt == "hermes":
        raise StoreNotEditable(f"job {job_id!r}: {options.source} {HERMES_REFUSAL}")
    start = je.root(text)
    if fmt == "sidecar" and isinstance(doc, list):
        return _Store(text, fmt, doc, start, je.items(text, start))
    if fmt == "native" and isinstance(doc, dict) and isinstance(doc.get("jobs"), list):
        jobs = [m for m in je.members(text, start) if m.key == "jobs"][-1]  # json.loads keeps the last
        return _Store(text, fmt, doc, jobs.value_start, je.items(text, jobs.value_start))
    raise _problem(options, "jobs", "not a native jobs file or a sidecar job list", 'write {"version": 1, "jobs": []}')


def _finish(store: _Store, text: str, expected: Any, options: StoreOptions, job_id: str) -> Edited:
    """Check the splice, then validate the new store as a push would."""
    if json.loads(text) != expected:  # a splice that changed more than meant: render whole
        indent = je.document_indent(store.text)
        text = json.dumps(expected, indent=indent, ensure_ascii=False) + ("\n" if store.text.endswith("\n") else "")
    data = text.encode("utf-8")
    return Edited(data, text != store.text, options.load(data), job_id)


def empty_store(options: StoreOptions) -> bytes:
    """What ``add`` starts from when the store's key does not exist yet."""
    return b"[]\n" if options.format == "sidecar" else b'{\n  "version": 1,\n  "jobs": []\n}\n'


def add(data: bytes, job: dict[str, Any], options: StoreOptions = StoreOptions()) -> Edited:
    """Append ``job`` (native fields) to the store; DuplicateJob if its id is taken."""
    job_id = job.get("id")
    if not isinstance(job_id, str) or not job_id:
        raise InvalidJobsFile([Problem(None, "id", "the new job has no id", "pass the job's id")], options.source)
    store = _parse(data, options, job_id)
    entry = to_sidecar(job, options) if store.format == "sidecar" else job
    try:
        store.index(job_id, options.source)
    except UnknownJob:
        pass
    else:
        raise DuplicateJob(job_id, options.source)
    sibling = store.spans[-1] if store.spans else None
    unit = je.document_indent(store.text)  # an empty job array: one level deeper than its key
    fallback = je.Style(unit, je.line_indent(store.text, store.jobs_start) + (unit or ""))
    style = je.style_of(store.text, sibling, fallback)
    text = je.append(store.text, store.spans, store.jobs_start, style.render(entry), style.indent or "")
    return _finish(store, text, _with_entries(store, [*store.entries, entry]), options, job_id)


def remove(data: bytes, job_id: str, options: StoreOptions = StoreOptions()) -> Edited:
    """Remove the job ``job_id``; UnknownJob if there is none."""
    store = _parse(data, options, job_id)
    i = store.index(job_id, options.source)
    text = je.cut(store.text, store.spans, i, store.jobs_start)
    return _finish(store, text, _with_entries(store, store.entries[:i] + store.entries[i + 1 :]), options, job_id)


def set_enabled(data: bytes, job_id: str, enabled: bool, options: StoreOptions = StoreOptions()) -> Edited:
    """Pause (``enabled=False``) or resume a native job; already so: unchanged bytes."""
    store = _parse(data, options, job_id)
    if store.format == "sidecar":
        verb = "resume" if enabled else "pause"
        raise StoreNotEditable(
            f"job {job_id!r}: a sidecar job list has no field to record a {verb} "
            "(fix: keep the jobs in a native jobs.json, or remove the job)"
        )
    i = store.index(job_id, options.source)
    span = store.spans[i]
    fields = je.members(store.text, span.value_start)
    flag = [m for m in fields if m.key == "enabled"]
    entry = dict(store.entries[i])
    text = store.text
    if enabled and flag and entry["enabled"] is False:
        del entry["enabled"]
        text = je.cut(text, fields, fields.index(flag[-1]), span.value_start)
    elif not enabled and flag and entry["enabled"] is not False:
        entry["enabled"] = False
        text = je.replace(text, flag[-1], "false")
    elif not enabled and not flag:
        entry["enabled"] = False
        colon = fields[0].colon if fields else ": "
        text = je.append(text, fields, span.value_start, f'"enabled"{colon}false', "")
    entries = [*store.entries[:i], entry, *store.entries[i + 1 :]]
    return _finish(store, text, _with_entries(store, entries), options, job_id)


def _with_entries(store: _Store, entries: list[Any]) -> Any:
    return entries if store.format == "sidecar" else {**store.doc, "jobs": entries}


def to_sidecar(job: dict[str, Any], options: StoreOptions) -> dict[str, Any]:
    """A native job as a sidecar list entry; refuses fields the sidecar format lacks."""
    if "name" in job and set(job) <= SIDECAR_KEYS | {"id"}:
        return {k: v for k, v in job.items() if k != "id"}  # already written the sidecar way
    target = job.get("target") or {}
    extra = [k for k in job if k not in ("id", "schedule", "target")]
    extra += [f"target.{k}" for k in target if k not in _SIDECAR_TARGET]
    if extra:
        raise InvalidJobsFile(
            [
                Problem(
                    job.get("id"),
                    extra[0],
                    "a sidecar job list has no such field",
                    "give only --schedule, --path, --method and --target-timeout"
                    + (" (the list's zone is --store-timezone)" if extra[0] == "timezone" else ""),
                )
            ],
            options.source,
        )
    out: dict[str, Any] = {"name": job["id"], "schedule": job.get("schedule")}
    out.update({name: target[key] for key, name in _SIDECAR_TARGET.items() if key in target})
    return out


def as_written(data: bytes, fmt: str) -> dict[str, Any]:
    """Each job of a (valid) store as its file writes it, by id: what ``jobs show`` prints."""
    doc = json.loads(data)
    entries = doc if isinstance(doc, list) else doc.get("jobs", [])
    key = "name" if fmt == "sidecar" else "id"
    return {e[key]: e for e in entries if isinstance(e, dict) and isinstance(e.get(key), str)}
