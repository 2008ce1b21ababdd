"""A job's HTTP target, resolved from the job and the file's defaults, with the rules it must meet.

The URL (explicit, or base URL plus path), the headers (none the adapter sets itself, all
sendable), the timeout (cut to what the fire Lambda can wait) and the body's depth. Each
refusal is a :class:`Problem` naming the job, the field and the fix; nothing raises.
"""

from __future__ import annotations

import re

from cron_adapter.errors import Problem
from cron_adapter.jobs.model import MAX_TARGET_TIMEOUT_SECONDS, DefaultsIn, JobIn, Target, TargetIn
from cron_adapter.jobs.rawjson import MAX_BODY_DEPTH, depth
from cron_adapter.jobs.urls import ascii_url, check_target_url, header_problem
from cron_adapter.kinds import DEFAULT_TIMEOUT_SECONDS, RESERVED_HEADERS

Warnings = list[tuple[str | None, str]]
NO_TARGET = TargetIn()  # a job, or the defaults, without a target block
# Of the reserved headers, those the fire path sends itself with X-Cron-* (the rest frame the request).
_SET_BY_ADAPTER = ("authorization", "idempotency-key")
# "https:", "mailto:" ...: a first segment with a colon reads as a scheme (RFC 3986 4.2).
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_NO_HEADERS: dict[str, str] = Target._field_defaults["headers"]  # shared, never mutated
_new_target = tuple.__new__
# The CLI cannot know the deployed allow-list (CRON_ADAPTER_JWT_AUDIENCES / _ISSUERS), so it says what must hold.
_OWN_CLAIM = (
    "{where} {value!r}: unless it is the stack's own jwt_{field}, a deployment that sets jwt_allowed_{field}s "
    "must list it, else every fire of {whom} fails"
)


def resolve_target(job: JobIn, defaults: DefaultsIn, problems: list[Problem], warnings: Warnings) -> Target | None:
    """The job's target, or None with the reason appended to ``problems``."""
    mine, base = job.target or NO_TARGET, defaults.target or NO_TARGET
    url = _url(job.id, mine, base, problems, warnings)
    if url is None:
        return None
    # A merged copy only when both set headers; otherwise the one that did, or the shared empty one.
    if base.headers and mine.headers:
        headers = {**base.headers, **mine.headers}
    else:
        headers = mine.headers or base.headers or _NO_HEADERS
    body = mine.body if mine.body is not None else base.body
    problem = _headers_problem(job.id, headers) if headers else None
    if problem is None and body is not None and depth(body) > MAX_BODY_DEPTH:
        problem = Problem(job.id, "target.body", f"nested more than {MAX_BODY_DEPTH} levels deep", "flatten the body")
    if problem is not None:
        problems.append(problem)
        return None
    # Positional, in ``Target._fields`` order (once per job; tests/unit/test_resolved_fields.py checks it).
    return _new_target(
        Target,
        (
            ascii_url(url),
            mine.method or base.method or "POST",
            headers,
            body,
            _timeout(job.id, mine.timeout or base.timeout or DEFAULT_TIMEOUT_SECONDS, warnings),
            _auth(job.id, mine, base, warnings),
            mine.audience or base.audience,
            mine.issuer if mine.issuer is not None else base.issuer,
        ),
    )


def _auth(job_id: str, mine: TargetIn, base: TargetIn, warnings: Warnings) -> str:
    """The target's auth; a warning when a jwt target names an aud or iss the deployment may not allow."""
    auth = mine.auth or base.auth or "secret"
    if auth == "jwt":
        for field, own, default in (("audience", mine.audience, base.audience), ("issuer", mine.issuer, base.issuer)):
            if own is None and default:  # the file's default: one warning for all the jobs it reaches
                warnings.append((None, _claim(f"defaults.target.{field}", default, "the jobs that use it")))
            elif own:  # an empty issuer (no iss) is always allowed
                warnings.append((job_id, _claim(f"target.{field}", own, "this job")))
    return auth


def _claim(where: str, value: str, whom: str) -> str:
    field = where.rpartition(".")[2]
    return _OWN_CLAIM.format(where=where, field=field, value=value[:200], whom=whom)


def _url(job_id: str, mine: TargetIn, base: TargetIn, problems: list[Problem], warnings: Warnings) -> str | None:
    url = mine.url
    if url is not None and mine.path is not None:
        fix = "use either target.url, or base_url + target.path"
        problems.append(Problem(job_id, "target.path", "target.url is set, so target.path would be ignored", fix))
        return None
    if url is None:
        url = _joined(job_id, mine, base, problems, warnings)
        if url is None:
            return None
    problem, warning = check_target_url(url)
    if problem:
        problems.append(Problem(job_id, "target.url", problem, "use an https:// URL on a public host"))
        return None
    if warning:
        warnings.append((job_id, warning))
    return url


def _joined(job_id: str, mine: TargetIn, base: TargetIn, problems: list[Problem], warnings: Warnings) -> str | None:
    """base_url (the job's, else the defaults', else defaults.target.url) joined with target.path."""
    field, root = next(
        ((f, r) for f, r in (("target.base_url", mine.base_url), ("defaults.target.base_url", base.base_url)) if r),
        ("defaults.target.url", base.url),
    )
    if root is None:
        fix = "set target.url, or defaults.target.base_url plus target.path"
        problems.append(Problem(job_id, "target.url", "no target URL", fix))
        return None
    # defaults.target.url is a whole URL of its own, until a job appends a path to it.
    why = root_problem(root) if mine.path or field != "defaults.target.url" else None
    if why is None and mine.path:
        why, field = path_problem(mine.path), "target.path"
    if why is not None:
        problems.append(Problem(job_id, field, *why))
        return None
    if not mine.path and (mine.base_url or base.base_url):
        # Allowed (one endpoint for every job is a real pattern), but never silent.
        warnings.append((job_id, f"no target.path: calls the base URL's root {root}"))
    return root.rstrip("/") + ("/" + mine.path.lstrip("/") if mine.path else "")


def root_problem(root: str) -> tuple[str, str] | None:
    """(why, fix) when a base URL cannot take a path after it: it has a query or a fragment."""
    if "?" in root or "#" in root:
        return (
            f"base URL {root!r} has a query or fragment, which a path appended to it would land inside",
            "move the ?query to each job's path and drop the #fragment",
        )
    return None


def path_problem(path: str) -> tuple[str, str] | None:
    """(why, fix) when a path joined to a base URL is not a path: an absolute or scheme-relative URL."""
    if path.startswith("//") or _SCHEME.match(path):
        return (
            f"{path[:80]!r} is a URL, not a path on the base URL",
            "write a path such as /api/run, or set target.url to the absolute URL",
        )
    return None


def _headers_problem(job_id: str, headers: dict[str, str]) -> Problem | None:
    unsendable = next(filter(None, (header_problem(n, v) for n, v in headers.items())), None)
    if unsendable:
        return Problem(job_id, "target.headers", unsendable, "use ASCII header names and Latin-1 values")
    names = [h for h in headers if h.lower() in RESERVED_HEADERS or h.lower().startswith("x-cron-")]
    ours = [h for h in names if h.lower() in _SET_BY_ADAPTER or h.lower().startswith("x-cron-")]
    if ours:
        return Problem(
            job_id,
            "target.headers",
            f"{ours} are set by the adapter (the secret never lives in jobs.json)",
            "remove them; the fire Lambda adds Authorization from Secrets Manager",
        )
    if names:
        return Problem(
            job_id,
            "target.headers",
            f"{names} frame the request, so the HTTP client sets them (Host from the URL, Content-Length "
            "from the body) and never sends a job's own",
            "remove them",
        )
    return None


def _timeout(job_id: str, timeout: float, warnings: Warnings) -> float:
    if timeout <= MAX_TARGET_TIMEOUT_SECONDS:
        return timeout
    warnings.append(
        (
            job_id,
            f"target.timeout {timeout:g}s is longer than the fire Lambda can wait; it is cut to "
            f"{MAX_TARGET_TIMEOUT_SECONDS:g}s. Have the endpoint answer 202 and work asynchronously.",
        )
    )
    return MAX_TARGET_TIMEOUT_SECONDS
