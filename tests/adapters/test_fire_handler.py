"""The fire Lambda handler end to end on moto + a local target: budget, logs, malformed input."""

from __future__ import annotations

import io
import json
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

import handlers.fire as fire_handler
from cron_adapter import constants as c
from cron_adapter.errors import FireInputRefused
from cron_adapter.simulate.pricing import Pricing, fire_log_bytes
from cron_adapter.tablekeys import job_pk, run_sk
from tests.adapters.fire_support import (
    INPUT_KEY_NAME,
    TABLE,
    Calls,
    Reply,
    TargetServer,
    create_input_key,
    event_time_factory,
    fake_aws_env,
    get_item,
    lock_moto_writes,
    signed,
)

EVENTS = Path(__file__).resolve().parents[2] / "events"
SECRET = "handler-secret-" + "k" * 40


@dataclass
class Context:
    function_name: str = "cron-adapter-fire"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:cron-adapter-fire"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@pytest.fixture
def lam(monkeypatch, capsys):
    """The handler on moto with a fresh factory; yields (calls, log buffer)."""
    fake_aws_env(monkeypatch)
    lock_moto_writes(monkeypatch)
    for name, value in {
        c.ENV_TABLE: TABLE,
        c.ENV_SECRET_ID: "cron-adapter/target-secret",
        c.ENV_ALLOW_HTTP_LOOPBACK: "true",
        c.ENV_HMAC: "true",
        c.ENV_INPUT_KEY_ID: INPUT_KEY_NAME,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(fire_handler, "factory", event_time_factory())
    logs = io.StringIO()
    capture = logging.StreamHandler(logs)
    capture.setFormatter(fire_handler.logger.registered_formatter)
    fire_handler.logger.addHandler(capture)
    with mock_aws():
        boto3.client("dynamodb").create_table(TableName=TABLE, **c.TABLE_DEFINITION)
        boto3.client("secretsmanager").create_secret(Name="cron-adapter/target-secret", SecretString=SECRET)
        create_input_key(boto3.client("secretsmanager"))
        boto3.setup_default_session()
        calls = Calls()
        boto3.DEFAULT_SESSION.events.register("before-call", calls.hook)
        yield calls, logs
    fire_handler.logger.removeHandler(capture)
    out = capsys.readouterr()
    for text in (logs.getvalue(), out.out, out.err):
        assert SECRET not in text


def event(url: str, when: str = "2026-11-23T03:00:00Z") -> dict:
    """The sample fire event for ``url`` at ``when``, signed as reconcile signs it."""
    e = json.loads((EVENTS / "fire.json").read_text())
    e["job"]["target"]["url"] = url
    e["scheduled_time"] = when
    return signed(e)


def test_warm_fire_makes_four_single_item_writes_and_no_secret_read(lam, capsys) -> None:
    calls, logs = lam
    with TargetServer() as server:
        assert fire_handler.handler(event(server.url), Context())["status"] == "succeeded"
        calls.clear()
        out = fire_handler.handler(event(server.url, "2026-11-23T04:00:00Z"), Context())
    assert out["status"] == "succeeded"
    assert dict(calls) == {"UpdateItem": 4}  # overlap skip: the run row and the slot, claimed then released
    assert server.seen[1].headers["Authorization"] == f"Bearer {SECRET}"
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    names = {m["Name"] for doc in emf for d in doc["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
    assert {c.METRIC_CLAIMED, c.METRIC_TARGET_SUCCEEDED, c.METRIC_TARGET_LATENCY} <= names
    assert all(doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] == c.METRICS_NAMESPACE for doc in emf)
    assert all("nightly-report" not in json.dumps(doc["_aws"]) for doc in emf)  # no per-job dimension
    assert '"fire finished"' in logs.getvalue()


def test_a_warm_fire_logs_one_lean_line_and_one_metrics_record(lam, capsys, monkeypatch) -> None:
    # Every fire pays for its log bytes (docs/cost.md counts about 1 KB with Lambda's own lines).
    # In one process (dev, tests) the handlers' Loggers share one formatter, built by whichever
    # came first: a reconcile Logger first leaves "location" among the keys clear_state restores.
    formatter = fire_handler.logger.registered_formatter
    monkeypatch.setitem(formatter.keys_combined, "location", "%(funcName)s:%(lineno)d")
    _, logs = lam
    with TargetServer() as server:
        fire_handler.handler(event(server.url), Context())
        capsys.readouterr()
        start = logs.tell()
        ctx = Context()
        fire_handler.handler(event(server.url, "2026-11-23T04:00:00Z"), ctx)
    (line,) = logs.getvalue()[start:].splitlines()
    record = json.loads(line)
    assert record["request_id"] == ctx.aws_request_id and record["status"] == "succeeded"
    assert not {"function_arn", "function_name", "function_memory_size", "location"} & set(record)
    printed = capsys.readouterr().out
    assert printed.count('"_aws"') == 1
    # The cost model's bytes per fire stay within 15% of what a fire really logs.
    logged = fire_log_bytes(len(line) + 1 + len(printed), 2)
    assert abs(logged - Pricing().log_bytes_per_fire) <= 0.15 * logged, logged


def test_duplicate_delivery_through_the_handler(lam) -> None:
    calls, _ = lam
    with TargetServer() as server:
        fire_handler.handler(event(server.url), Context())
        dup = fire_handler.handler(event(server.url), Context())
    assert dup["status"] == "duplicate" and len(server.seen) == 1
    run = get_item(boto3.client("dynamodb"), job_pk("nightly-report"), run_sk("2026-11-23T03:00:00Z"))
    assert run["status"] == "succeeded"


@pytest.mark.parametrize(
    ("name", "field_name"), [("fire-malformed.json", "scheduled_time"), ("fire-malformed-missing-job.json", "job")]
)
def test_malformed_event_is_rejected_naming_the_field_and_calls_nothing(lam, name: str, field_name: str) -> None:
    calls, logs = lam
    bad = json.loads((EVENTS / name).read_text())
    with pytest.raises(FireInputRefused) as err:
        fire_handler.handler(bad, Context())
    assert field_name in str(err.value)
    assert sum(calls.values()) == 0 and fire_handler.factory._service is None
    assert "malformed fire input" in logs.getvalue() and field_name in logs.getvalue()


def test_at_root_debug_no_log_line_or_run_record_holds_the_secret_in_any_encoding(lam, caplog, capsys) -> None:
    import base64
    from urllib.parse import quote

    from cron_adapter.fire.policy import secret_forms

    caplog.set_level(logging.DEBUG)  # the root logger, as ApplicationLogLevel=DEBUG sets it
    for name in ("botocore", "boto3", "urllib3"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    calls, logs = lam
    echoed = b" ".join(
        [
            base64.b64encode(f"Authorization: Bearer {SECRET}".encode()),
            base64.urlsafe_b64encode(f"x{SECRET}".encode()),
            quote(SECRET, safe="").encode(),
            SECRET[:16].encode(),
        ]
    )
    with TargetServer(*[Reply(500, echoed)] * 3) as server:
        out = fire_handler.handler(event(server.url), Context())
    assert out["status"] == "failed"
    run = get_item(boto3.client("dynamodb"), "JOB#nightly-report", "RUN#2026-11-23T03:00:00Z")
    captured = capsys.readouterr()
    texts = [logs.getvalue(), captured.out, captured.err, json.dumps(run), json.dumps(out)]
    texts += [r.getMessage() + repr(r.__dict__) for r in caplog.get_records("call")]
    assert any(r.levelno == logging.DEBUG for r in caplog.get_records("call"))  # DEBUG really was on
    forms = secret_forms(SECRET) | {base64.b64encode(SECRET.encode()).decode()}
    for text in texts:
        for form in forms:
            assert form not in text, f"the secret leaked as {form[:6]}...: {text[:200]}"


@pytest.mark.parametrize(
    ("change", "field_name"),
    [
        ({"retry": {"attempts": 2**63}}, "attempts"),
        ({"retry": {"backoff": -1}}, "backoff"),
        ({"target": {"url": "https://a.example/x", "timeout": float("nan")}}, "timeout"),
        ({"target": {"url": "https://a.example/x", "headers": {"X-A": "a\r\nb"}}}, "headers"),
    ],
)
def test_unbounded_input_is_refused_records_nothing_and_is_counted(lam, capsys, change, field_name) -> None:
    calls, _ = lam
    bad = event("https://a.example/x")
    bad["job"].update(change)
    with pytest.raises(FireInputRefused, match=field_name):
        fire_handler.handler(bad, Context())
    year_one = event("https://a.example/x", when="0001-01-01T00:00:00Z")
    with pytest.raises(FireInputRefused, match="scheduled_time"):
        fire_handler.handler(year_one, Context())
    assert sum(calls.values()) == 0  # no claim, no secret read, no record
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    values = [doc[c.METRIC_INPUT_MALFORMED] for doc in emf if c.METRIC_INPUT_MALFORMED in doc]
    assert sum(sum(v) if isinstance(v, list) else v for v in values) == 2
