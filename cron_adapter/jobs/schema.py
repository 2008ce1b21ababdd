"""The published JSON Schema of the native jobs.json, generated from the pydantic models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cron_adapter.jobs.model import JobsFile

SCHEMA_ID = "https://github.com/cron-adapter/cron-adapter/schema/jobs.schema.json"
# The stable, committed copy; tests/unit/test_schema.py fails when it drifts from the models.
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schema" / "jobs.schema.json"


def jobs_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the native jobs.json."""
    schema = JobsFile.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def schema_text() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(jobs_schema(), indent=2, sort_keys=True) + "\n"
