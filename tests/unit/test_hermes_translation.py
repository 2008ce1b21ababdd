"""hermes-agent stores translated with hermes's own time semantics (seconds-last cron, the
store timezone, repeat counts, interval anchors, overdue one-shots)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from cron_adapter.errors import InvalidJobsFile
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.reconcile.planner import plan
from cron_adapter.reconcile.translate import Wiring, translate_all

WIRING = Wiring.offline()
BASE = "https://agent.example.com"


def hermes_job(job_id: str, schedule: dict, **extra) -> dict:
    item = {"id": job_id, "name": f"n-{job_id}", "schedule": schedule, "enabled": True, "state": "scheduled"}
    item.update({"repeat": {"times": None, "completed": 0}, "created_at": "2026-12-01T21:53:38.097461+00:00"})
    return {**item, **extra}


def store(*jobs: dict) -> bytes:
    return json.dumps({"jobs": list(jobs), "updated_at": "2026-12-01T22:00:00+00:00"}).encode()


def cron(expr: str) -> dict:
    return {"kind": "cron", "expr": expr, "display": expr}


def expressions(data: bytes, timezone: str = "UTC") -> dict[str, tuple[str, str]]:
    jobset = load_bytes(data, base_url=BASE, timezone=timezone)
    return {
        r.job_id: (r.request["ScheduleExpression"], r.request["ScheduleExpressionTimezone"])
        for r in translate_all(jobset, WIRING)
    }


def test_six_field_cron_reads_seconds_last_as_hermes_does():
    # hermes (croniter): "0 9 * * * 0" is daily 09:00:00, not "minute 9 of every hour"
    got = expressions(store(hermes_job("a", cron("0 9 * * * 0"))), timezone="Europe/Berlin")
    assert got == {"a": ("cron(0 9 * * ? *)", "Europe/Berlin")}


def test_seven_field_cron_with_any_year_is_the_plain_cron():
    assert expressions(store(hermes_job("a", cron("30 6 * * 1-5 0 *")))) == {"a": ("cron(30 6 ? * 2-6 *)", "UTC")}


@pytest.mark.parametrize(
    ("expr", "why"),
    [("0 9 * * * 30", "second '30'"), ("0 9 * * * */10", "second '*/10'"), ("0 9 * * * 0 2030", "year field")],
)
def test_a_job_eventbridge_cannot_express_is_left_unscheduled_and_the_rest_still_applies(expr: str, why: str):
    data = store(hermes_job("odd", cron(expr)), hermes_job("fine", cron("0 9 * * *")))
    jobset = load_bytes(data, base_url=BASE)
    assert [j.id for j in jobset.jobs] == ["fine"]
    (skipped,) = jobset.unscheduled
    assert skipped.job_id == "odd" and why in skipped.message
    (warning,) = jobset.warnings
    assert warning.startswith("job 'odd': left unscheduled:") and "fix:" in warning
    result = plan(translate_all(jobset, WIRING), [], {}, datetime(2026, 12, 1, tzinfo=UTC))
    assert [a.job_id for a in result.actions] == ["fine"]


def test_any_schedule_error_in_a_hermes_job_leaves_only_that_job_out():
    # hermes would not write "61 * * * *"; a hand-edited store must still not stop the others
    jobset = load_bytes(
        store(hermes_job("bad", cron("61 * * * *")), hermes_job("ok", cron("0 * * * *"))), base_url=BASE
    )
    assert [j.id for j in jobset.jobs] == ["ok"] and [p.job_id for p in jobset.unscheduled] == ["bad"]


def test_native_files_stay_refused_whole_for_the_same_schedule():
    native = {"version": 1, "jobs": [{"id": "a", "schedule": "0 9 * * * 30", "target": {"url": BASE + "/x"}}]}
    with pytest.raises(InvalidJobsFile):
        load_bytes(json.dumps(native).encode())


def test_store_timezone_applies_to_every_hermes_cron():
    assert expressions(store(hermes_job("a", cron("0 9 * * *"))), timezone="Asia/Tokyo")["a"][1] == "Asia/Tokyo"


def test_repeat_completed_reaching_times_is_done_and_times_stays_the_cap():
    data = store(
        hermes_job("spent", cron("0 9 * * *"), repeat={"times": 3, "completed": 3}),
        hermes_job("going", cron("0 9 * * *"), repeat={"times": 3, "completed": 1}),
    )
    jobs = {j.id: j for j in load_bytes(data, base_url=BASE).jobs}
    assert jobs["spent"].done is True
    assert jobs["going"].done is False and jobs["going"].max_runs == 3
    assert [r.job_id for r in translate_all(load_bytes(data, base_url=BASE), WIRING)] == ["going"]


def test_repeat_progress_does_not_change_the_spec_hash():
    """A push after each run (completed += 1) must not rewrite the schedule."""
    first = translate_all(
        load_bytes(store(hermes_job("r", cron("0 9 * * *"), repeat={"times": 3, "completed": 0})), base_url=BASE),
        WIRING,
    )
    later = translate_all(
        load_bytes(store(hermes_job("r", cron("0 9 * * *"), repeat={"times": 3, "completed": 2})), base_url=BASE),
        WIRING,
    )
    assert first[0].spec_hash == later[0].spec_hash


def test_interval_first_run_is_created_at_plus_n():
    interval = {"kind": "interval", "minutes": 60, "display": "every 60m"}
    (req,) = translate_all(load_bytes(store(hermes_job("i", interval)), base_url=BASE), WIRING)
    assert req.request["ScheduleExpression"] == "rate(60 minutes)"
    assert req.request["StartDate"] == "2026-12-01T22:53:38Z"


def test_interval_anchor_in_the_past_moves_to_the_next_aligned_instant_and_the_hash_stays():
    interval = {"kind": "interval", "minutes": 60, "display": "every 60m"}
    (req,) = translate_all(load_bytes(store(hermes_job("i", interval)), base_url=BASE), WIRING)
    (create,) = plan([req], [], {}, datetime(2026, 12, 3, 10, 0, tzinfo=UTC)).actions
    assert create.request["StartDate"] == "2026-12-03T10:53:38Z"
    assert create.spec_hash == req.spec_hash


def test_overdue_one_shot_fires_however_late():
    once = {"kind": "once", "run_at": "2026-12-01T09:00:00+00:00", "display": "once"}
    (req,) = translate_all(
        load_bytes(store(hermes_job("o", once, repeat={"times": 1, "completed": 0})), base_url=BASE), WIRING
    )
    (create,) = plan([req], [], {}, datetime(2026, 12, 2, 8, 30, 5, tzinfo=UTC)).actions
    assert create.request["ScheduleExpression"] == "at(2026-12-02T08:31:05)"


def test_hermes_jobs_fire_with_a_signed_token_and_native_jobs_can_ask_for_one():
    from cron_adapter.fire.input import parse_input_json

    def fire_target(jobset):
        raw = translate_all(jobset, WIRING)[0].request["Target"]["Input"]
        raw = raw.replace("<aws.scheduler.scheduled-time>", "2026-12-01T09:00:00Z")
        return parse_input_json(raw.replace("<aws.scheduler.attempt-number>", "1")).job.target

    assert fire_target(load_bytes(store(hermes_job("a", cron("0 9 * * *"))), base_url=BASE)).auth == "jwt"
    native = {
        "version": 1,
        "defaults": {"target": {"base_url": BASE, "auth": "jwt", "audience": "agent:prod"}},
        "jobs": [{"id": "n", "schedule": "every 5m", "target": {"path": "/api/cron/fire", "issuer": ""}}],
    }
    target = fire_target(load_bytes(json.dumps(native).encode()))
    assert (target.auth, target.audience, target.issuer) == ("jwt", "agent:prod", "")
    plain = {"version": 1, "jobs": [{"id": "p", "schedule": "every 5m", "target": {"url": BASE + "/x"}}]}
    assert fire_target(load_bytes(json.dumps(plain).encode())).auth == "secret"
