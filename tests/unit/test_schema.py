from __future__ import annotations

import json

from cron_adapter.cli import main
from cron_adapter.jobs.schema import SCHEMA_PATH, jobs_schema, schema_text


def test_committed_schema_matches_the_models():
    """Regenerate with: cron-adapter schema > schema/jobs.schema.json"""
    assert SCHEMA_PATH.read_text() == schema_text()


def test_schema_forbids_unknown_fields_and_requires_version():
    schema = jobs_schema()
    assert schema["additionalProperties"] is False
    assert "version" in schema["required"] and "jobs" in schema["required"]
    assert schema["$defs"]["JobIn"]["additionalProperties"] is False


def test_schema_command_prints_the_schema(capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == jobs_schema()
