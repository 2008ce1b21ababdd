"""Schedule names derived from job ids: stable, collision-free, ``[0-9A-Za-z-_.]{1,64}``.

A job id that already fits is used verbatim, so names stay readable (``data-refresh``).
Any other id (odd characters such as ``session-processor:verification``, or too long) is
sanitized, cut, and given 8 hex digits of the SHA-256 of the exact id, so two ids that
sanitize alike still get different names. A split schedule appends ``--<suffix>``.
``cron_adapter.reconcile.translate`` refuses a file in which two names still collide.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

MAX_NAME = 64
_ALLOWED = re.compile(r"[0-9A-Za-z\-_.]+")
_DISALLOWED = re.compile(r"[^0-9A-Za-z\-_.]+")
SUFFIX_SEPARATOR = "--"


@lru_cache(maxsize=4)
def id_digest(job_id: str) -> bytes:
    """The SHA-256 of ``job_id``, which names and the rate phase both use.

    Translation asks for it two or three times in a row per job (a name per part, then
    the phase offset), so the last few are kept. Loaded ids are valid Unicode (lone
    surrogates are refused when the file is parsed); ``surrogatepass`` keeps any other
    caller from raising.
    """
    return hashlib.sha256(job_id.encode("utf-8", "surrogatepass")).digest()


def schedule_name(job_id: str, suffix: str = "") -> str:
    """The schedule name for ``job_id`` (and a part ``suffix`` of a split schedule)."""
    tail = f"{SUFFIX_SEPARATOR}{suffix}" if suffix else ""
    budget = MAX_NAME - len(tail)
    if _ALLOWED.fullmatch(job_id) and len(job_id) <= budget and SUFFIX_SEPARATOR not in job_id:
        return job_id + tail
    cleaned = _DISALLOWED.sub("-", job_id).strip("-") or "job"
    cleaned = cleaned.replace(SUFFIX_SEPARATOR, "-")
    digest = id_digest(job_id)[:4].hex()
    return f"{cleaned[: budget - len(digest) - 1]}-{digest}{tail}"
