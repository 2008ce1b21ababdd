"""The floor for translating a jobs file: the same file, only the steps no translator can skip.

Parse the JSON; per job, join its URL, keep its resolved values in one tuple, serialize
its fire job with pydantic-core, build its fire input, hash it with SHA-256 and keep one
tuple per job. No validation, no checks, no split schedules, no names to sanitize: what
``bench_translate.py`` measures beyond this is the cost of the rules and the clear errors.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic_core import to_json


def floor_translate(data: bytes) -> list[tuple[Any, ...]]:
    """One (name, hash, input) tuple per job of a native jobs file."""
    doc = json.loads(data)
    base = doc["defaults"]["target"]
    root, timeout = base["base_url"].rstrip("/"), base["timeout"]
    out = []
    for job in doc["jobs"]:
        target = job["target"]
        url = root + target["path"]
        fire = {
            "target": {"url": url, "method": "POST", "timeout": timeout, "body": target.get("body")},
            "overlap": "skip",
            "retry": {"attempts": 3},
            "schedules": [job["id"]],
        }
        resolved = (job["id"], job["schedule"], job.get("timezone", "UTC"), job.get("jitter", 0), url)
        text = f'{{"job_id":"{resolved[0]}","job":{to_json(fire).decode()}}}'
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        out.append((resolved[0], digest, text))
    return out
