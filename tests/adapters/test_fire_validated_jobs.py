"""Property: every jobs file that validates fires through the real fire handler without an exception.

Generated native files reach the edges of what validation allows: non-ASCII, emoji and
very long ids; odd header names and Latin-1 values; IRI paths and queries; every method;
JSON, string and empty bodies; retry, timeout, overlap, delivery, max_runs and end_at at
their bounds; jwt and secret auth. Each accepted file is translated into its schedules, and
each schedule's input is delivered (as EventBridge would, placeholders substituted) to
``handlers.fire.handler`` on moto, calling a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

import handlers.fire as fire_handler
from cron_adapter import constants as c
from cron_adapter import kinds as k
from cron_adapter.bootstrap.fire import FireFactory
from cron_adapter.errors import InvalidJobsFile
from cron_adapter.fire.inputsig import InputKey
from cron_adapter.fire.policy import DEADLINE_SAFETY_SECONDS
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.local.clock import render_input
from cron_adapter.reconcile.translate import Wiring, translate_all
from tests.adapters.fire_support import (
    INPUT_KEY,
    INPUT_KEY_NAME,
    TABLE,
    Reply,
    TargetServer,
    create_input_key,
    fake_aws_env,
    lock_moto_writes,
)
from tests.faults.jobgen import GOOD_SCHEDULES

SECRET = "property-secret-" + "p" * 40
STATUSES = {"succeeded", "accepted", "failed", "gone", "skipped", "queued", "duplicate", "lost"}
FIRST_FIRE = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def mostly(valid: st.SearchStrategy[Any], edge: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Nine times in ten a value validation should accept, else one at or past its edge."""
    return st.sampled_from([valid] * 9 + [edge]).flatmap(lambda chosen: chosen)


printable = st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp"))
ids = mostly(
    st.one_of(
        st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
        st.sampled_from(["日本語のジョブ", "😀-emoji", "ümlaut-jöb", "a/b?c#d", "100%", "quote\"'", "x" * 512]),
        st.text(printable, min_size=1, max_size=24),
    ),
    st.sampled_from(["cr\rlf\n", "tab\there", "\u202eright-to-left", "", " ", "x" * 513, "a" * 200 + "é" * 300]),
)
header_names = mostly(
    st.sampled_from(["X-Team", "x-lower", "X_Under", "X.Dot", "!#$%&'*+-.^_`|~", "Content-Type", "User-Agent"]),
    st.sampled_from(["Authorization", "X-Cron-Job-Id", "Host", "Content-Length", "", "X:Colon", "X Space", "Ünï"]),
)
header_values = mostly(
    st.one_of(
        st.sampled_from(["", " ", "plain", "tab\tinside", "latin-1 é ñ ÿ", "x" * 4000]),
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_categories=("Cc",)), max_size=12),
    ),
    st.sampled_from(["\x7f", "日本", "a\r\nb", "nul\x00"]),
)
paths = mostly(
    st.one_of(
        st.sampled_from(["/hook", "/", "hook", "/a/b/c?x=1&y=2", "/日本語/ü?q=é", "/%E6%97%A5", "/😀", "/..;/x"]),
        st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), max_size=16).map(lambda s: "/" + s),
    ),
    st.sampled_from(["", "/a b", "/tab\t", "/back\\slash", "/x#frag", "?only=query", "/" + "p" * 2000]),
)
methods = mostly(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]), st.sampled_from(["get", "HEAD", "TRACE"]))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)
bodies = st.one_of(st.none(), json_values, st.sampled_from(["", "plain text", "日本語 😀", "x" * 9000, {}, []]))
timeouts = mostly(st.floats(1, 840), st.sampled_from([0, 1e-9, 0.001, 0.0999, 0.1, 840.5, 841, 10**9, -1]))
retries = st.fixed_dictionaries(
    {},
    optional={
        "attempts": mostly(st.integers(1, k.MAX_ATTEMPTS), st.sampled_from([0, k.MAX_ATTEMPTS + 1, 2**63])),
        "backoff": mostly(st.floats(0, k.MAX_BACKOFF_SECONDS), st.sampled_from([-1, 61, 10**9])),
        "max_backoff": mostly(st.floats(0, k.MAX_MAX_BACKOFF_SECONDS), st.sampled_from([-1, 301])),
    },
)
ends = st.sampled_from(["2026-11-23T02:00:00", "2026-11-23T03:30:00+00:00", "2199-12-31T23:59:59", "2030-01-01T00:00"])
# What the target answers: success, asynchronous, gone, or a final 4xx (no retry waits on a real clock).
replies = st.sampled_from([Reply(), Reply(202, b""), Reply(200, b'{"status":"gone"}'), Reply(404), Reply(200, b"")])


@st.composite
def jobs_file(draw: st.DrawFn) -> dict[str, Any]:
    """A native jobs file near and at the edges of validation."""
    jobs = []
    for job_id in draw(st.lists(ids, min_size=1, max_size=2, unique=True)):
        target: dict[str, Any] = {"path": draw(paths)}
        for key, strategy in (
            ("method", methods),
            ("headers", st.dictionaries(header_names, header_values, max_size=3)),
            ("body", bodies),
            ("timeout", timeouts),
            ("auth", st.sampled_from(["secret", "jwt"])),
        ):
            if draw(st.booleans()):
                target[key] = draw(strategy)
        job: dict[str, Any] = {"id": job_id, "schedule": draw(st.sampled_from(GOOD_SCHEDULES)), "target": target}
        for key, strategy in (
            ("retry", retries),
            ("overlap", st.sampled_from(["skip", "allow", "queue"])),
            ("delivery", st.sampled_from(["at-least-once", "at-most-once"])),
            ("max_runs", st.sampled_from([1, 2, k.MAX_RUNS_LIMIT])),
            ("end_at", ends),
            ("timezone", st.sampled_from(["UTC", "Asia/Kolkata", "Pacific/Kiritimati"])),
        ):
            if draw(st.integers(0, 2)) == 0:
                job[key] = draw(strategy)
        jobs.append(job)
    return {"version": 1, "jobs": jobs}


class Context:
    """The Lambda context the handler reads."""

    function_name = "cron-adapter-fire"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:cron-adapter-fire"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        # short, so a fire that keeps failing stops at the deadline, not after minutes of backoff
        return int((DEADLINE_SAFETY_SECONDS + 5) * 1000)


def _token_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem.decode()


class DeliveryClock:
    """The moment each delivery arrives, for the handler's scheduled-time window (leases stay on real time)."""

    at = FIRST_FIRE.timestamp()

    def now(self) -> float:
        return self.at


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch):
    """The fire handler as deployed (table, target secret, token key, group) on moto."""
    fake_aws_env(monkeypatch)
    lock_moto_writes(monkeypatch)
    env = {
        c.ENV_TABLE: TABLE,
        c.ENV_SECRET_ID: "cron-adapter/target-secret",
        c.ENV_JWT_SECRET_ID: "cron-adapter/token-key",
        c.ENV_JWT_AUDIENCE: "https://app.example.com",
        c.ENV_GROUP: "cron-adapter",
        c.ENV_ALLOW_HTTP_LOOPBACK: "true",
        c.ENV_HMAC: "true",
        c.ENV_INPUT_KEY_ID: INPUT_KEY_NAME,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    delivered = DeliveryClock()
    monkeypatch.setattr(fire_handler, "factory", FireFactory(schedule_clock=delivered.now))
    with mock_aws():
        boto3.client("dynamodb").create_table(TableName=TABLE, **c.TABLE_DEFINITION)
        secrets = boto3.client("secretsmanager")
        secrets.create_secret(Name="cron-adapter/target-secret", SecretString=SECRET)
        secrets.create_secret(Name="cron-adapter/token-key", SecretString=_token_key())
        create_input_key(secrets)
        boto3.client("scheduler").create_schedule_group(Name="cron-adapter")
        yield delivered


def test_every_validated_jobs_file_fires_through_the_real_handler(deployed: DeliveryClock) -> None:
    tally = {"files": 0, "accepted": 0, "fires": 0}
    times = itertools.count()  # each fire its own scheduled time: no example sees another's run
    with TargetServer() as server:
        origin = server.url.rsplit("/", 1)[0]

        @settings(
            max_examples=100,
            deadline=None,
            derandomize=True,  # the same cases every run: a failure here is reproducible
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(jobs_file(), replies)
        def fires_cleanly(doc: dict[str, Any], reply: Reply) -> None:
            tally["files"] += 1
            try:
                jobs = load_bytes(json.dumps(doc).encode(), base_url=origin)
                requests = translate_all(jobs, replace(Wiring.offline(), key=InputKey(INPUT_KEY)))  # as reconcile signs
            except InvalidJobsFile:
                return  # refused whole, with its problems: nothing to fire
            tally["accepted"] += 1
            for request in requests:
                scheduled = FIRST_FIRE + timedelta(minutes=next(times))
                event = render_input(request.request["Target"]["Input"], scheduled, attempt=1)
                deployed.at = scheduled.timestamp()  # delivered on time
                server.script[:] = [reply]
                seen = len(server.seen)
                outcome = fire_handler.handler(event, Context())
                tally["fires"] += 1
                assert outcome["status"] in STATUSES, outcome
                assert SECRET not in json.dumps(outcome)
                if outcome["attempts"]:  # every attempt reached the target (or waited its whole timeout)
                    assert len(server.seen) > seen or "TargetTimeout" in (outcome["error"] or ""), outcome
                if outcome["http_status"] is not None:
                    call = server.seen[seen]
                    assert unquote(call.headers["X-Cron-Job-Id"]) == request.job_id and call.path.isascii()

        fires_cleanly()
    assert tally["accepted"] >= 20 and tally["fires"] >= 20, tally  # the property is not vacuous
