"""`cron-adapter validate` warns when a jwt job names its own fire-token audience or issuer.

The CLI cannot know the deployed allow-list, so the warning says what the deployment must allow.
"""

from __future__ import annotations

import json

from cron_adapter.cli import main
from cron_adapter.jobs.loader import load_bytes

URL = "https://agent.example.com/api/cron/fire"


def jobs(target: dict, defaults: dict | None = None) -> bytes:
    doc: dict = {"version": 1, "jobs": [{"id": "n", "schedule": "every 5m", "target": {"url": URL, **target}}]}
    if defaults:
        doc["defaults"] = {"target": defaults}
    return json.dumps(doc).encode()


def test_a_jwt_job_s_own_audience_and_issuer_are_each_a_warning_naming_the_setting() -> None:
    jobset = load_bytes(jobs({"auth": "jwt", "audience": "agent:other", "issuer": "https://i.example"}))
    audience, issuer = jobset.warnings
    assert audience.startswith("job 'n': ") and issuer.startswith("job 'n': ")
    assert "target.audience 'agent:other'" in audience and "jwt_allowed_audiences" in audience
    assert "target.issuer 'https://i.example'" in issuer and "jwt_allowed_issuers" in issuer


def test_an_audience_from_the_defaults_warns_too_but_an_empty_issuer_does_not() -> None:
    jobset = load_bytes(jobs({"issuer": ""}, defaults={"auth": "jwt", "audience": "agent:prod", "issuer": "x"}))
    assert len(jobset.warnings) == 1 and "defaults.target.audience 'agent:prod'" in jobset.warnings[0]


def test_a_default_audience_is_one_warning_for_the_file_not_a_list_of_jobs() -> None:
    many = [{"id": f"j{i}", "schedule": "every 5m", "target": {"url": URL}} for i in range(5)]
    doc = {"version": 1, "defaults": {"target": {"auth": "jwt", "audience": "agent:prod"}}, "jobs": many}
    (warning,) = load_bytes(json.dumps(doc).encode()).warnings
    assert warning.startswith("defaults.target.audience 'agent:prod': ") and "'j0'" not in warning
    assert "the jobs that use it" in warning and "jwt_allowed_audiences" in warning


def test_no_warning_for_the_stack_s_defaults_or_a_secret_target() -> None:
    assert load_bytes(jobs({"auth": "jwt"})).warnings == ()
    assert load_bytes(jobs({"audience": "agent:other"})).warnings == ()


def test_validate_prints_the_warning(tmp_path, capsys) -> None:
    path = tmp_path / "jobs.json"
    path.write_bytes(jobs({"auth": "jwt", "audience": "agent:other"}))
    assert main(["validate", str(path)]) == 0
    assert "jwt_allowed_audiences" in capsys.readouterr().out
