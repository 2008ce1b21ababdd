"""The wiring test: the real handlers, with exactly the environment the template gives them.

moto's CloudFormation cannot create this stack (no schedule group, secret or alarms), so
the template's resources are created one by one in the embedded emulator under physical
names, every ``Ref``/``Fn::GetAtt`` in the functions' environments is resolved to them,
and the handlers run with nothing else set. A wrong variable name, a token pointing at the
wrong resource, or a value the settings cannot parse fails here, not on the first deploy.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cron_adapter import constants as c
from cron_adapter.errors import FireInputRefused
from cron_adapter.fire.input import iso_utc
from tests.adapters.fire_support import TargetServer

pytestmark = [pytest.mark.infra, pytest.mark.e2e]

ACCOUNT, REGION = "123456789012", "us-east-1"
EVENTS = Path(__file__).resolve().parents[2] / "events"
# The one variable the template does not give: the test's target listens on 127.0.0.1.
TEST_ONLY = {c.ENV_ALLOW_HTTP_LOOPBACK: "true"}


class _Context:
    memory_limit_in_mb = 256

    def __init__(self, name: str) -> None:
        self.function_name = name
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 600_000


def _token_key() -> str:
    """A fresh P-256 private key in PEM, as the stack's FireTokenKey holds one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem.decode()


def _provision(synth, endpoint: str) -> dict[str, dict[str, str]]:
    """Create the template's resources in the emulator; logical id -> {"Ref": ..., "Arn": ...}."""
    from cron_adapter.local.provision import client

    physical: dict[str, dict[str, str]] = {}
    bucket_id, _ = synth.one("AWS::S3::Bucket")
    name = bucket_id.lower()[:63]
    client("s3", endpoint).create_bucket(Bucket=name)
    physical[bucket_id] = {"Ref": name, "Arn": f"arn:aws:s3:::{name}"}
    table_id, table = synth.one("AWS::DynamoDB::Table")
    spec = {k: table["Properties"][k] for k in ("KeySchema", "AttributeDefinitions", "BillingMode")}
    client("dynamodb", endpoint).create_table(TableName=table_id, **spec)
    physical[table_id] = {"Ref": table_id}
    secret_id, _ = synth.one("AWS::SecretsManager::Secret", "TargetSecret")
    secret = "wiring-" + "s" * 48
    arn = client("secretsmanager", endpoint).create_secret(Name=secret_id, SecretString=secret)["ARN"]
    physical[secret_id] = {"Ref": arn, "value": secret}
    key_id, _ = synth.one("AWS::SecretsManager::Secret", "FireTokenKey")  # read only for auth: jwt jobs
    key_arn = client("secretsmanager", endpoint).create_secret(Name=key_id, SecretString=_token_key())["ARN"]
    physical[key_id] = {"Ref": key_arn}
    input_key_id, _ = synth.one("AWS::SecretsManager::Secret", "InputSigningKey")
    input_key = "wiring-input-key-" + "i" * 48
    input_arn = client("secretsmanager", endpoint).create_secret(Name=input_key_id, SecretString=input_key)["ARN"]
    physical[input_key_id] = {"Ref": input_arn}
    queue_id, _ = synth.one("AWS::SQS::Queue")
    sqs = client("sqs", endpoint)
    url = sqs.create_queue(QueueName=queue_id)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    physical[queue_id] = {"Ref": url, "Arn": queue_arn}
    _, group = synth.one("AWS::Scheduler::ScheduleGroup")
    client("scheduler", endpoint).create_schedule_group(Name=group["Properties"]["Name"])
    for function_id in synth.resources("AWS::Lambda::Function"):
        physical[function_id] = {
            "Ref": function_id,
            "Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_id}",
        }
    for role_id in synth.resources("AWS::IAM::Role"):
        physical[role_id] = {"Arn": f"arn:aws:iam::{ACCOUNT}:role/{role_id}"}
    return physical


def _resolve(value: Any, physical: dict[str, dict[str, str]]) -> str:
    """A template value as CloudFormation would resolve it; an unknown token fails the test."""
    if isinstance(value, str):
        return value
    if set(value) == {"Ref"}:
        return physical[value["Ref"]]["Ref"]
    if set(value) == {"Fn::GetAtt"} and value["Fn::GetAtt"][1] == "Arn":
        return physical[value["Fn::GetAtt"][0]]["Arn"]
    raise AssertionError(f"the wiring test cannot resolve {value!r}")


def _template_env(synth, part: str, physical: dict[str, dict[str, str]]) -> dict[str, str]:
    _, function = synth.one("AWS::Lambda::Function", part)
    variables = function["Properties"]["Environment"]["Variables"]
    return {name: _resolve(value, physical) for name, value in variables.items()}


def _only(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    """The process environment holds exactly ``env`` among cron-adapter's and Powertools' names."""
    for name in list(os.environ):
        if name.startswith(("CRON_ADAPTER_", "POWERTOOLS_")):
            monkeypatch.delenv(name)
    for name, value in {**env, **TEST_ONLY}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def emulator(monkeypatch):
    from cron_adapter.local.emulator import Emulator

    emulator = Emulator()
    resources = emulator.start()
    try:
        yield resources.endpoint
    finally:
        emulator.stop()


def _upload_event(bucket: str, key: str) -> dict[str, Any]:
    event = json.loads((EVENTS / "s3-put-jobs.json").read_text())
    s3 = event["Records"][0]["s3"]
    s3["bucket"].update(name=bucket, arn=f"arn:aws:s3:::{bucket}")
    s3["object"]["key"] = key
    return event


def test_reconcile_then_fire_with_the_template_environment(synth, emulator, monkeypatch):
    from cron_adapter.bootstrap.fire import FireFactory
    from cron_adapter.local.provision import client
    from handlers import fire, reconcile

    physical = _provision(synth, emulator)
    reconcile_env = _template_env(synth, "Reconcile", physical)
    fire_env = _template_env(synth, "Fire", physical)
    with TargetServer() as server:
        jobs = {"version": 1, "jobs": [{"id": "wired", "schedule": "every 5m", "target": {"url": server.url}}]}
        bucket, key = reconcile_env[c.ENV_BUCKET], reconcile_env[c.ENV_JOBS_KEY]
        client("s3", emulator).put_object(Bucket=bucket, Key=key, Body=json.dumps(jobs).encode())

        _only(monkeypatch, reconcile_env)
        reconcile.app.cache_clear()
        try:
            result = reconcile.handler(_upload_event(bucket, key), _Context("reconcile"))
        finally:
            reconcile.app.cache_clear()
        assert result["counts"]["created"] == 1, result

        scheduler = client("scheduler", emulator)
        group = reconcile_env[c.ENV_GROUP]
        [listed] = scheduler.list_schedules(GroupName=group)["Schedules"]
        schedule = scheduler.get_schedule(Name=listed["Name"], GroupName=group)
        fire_id, _ = synth.one("AWS::Lambda::Function", "Fire")
        role_id, _ = synth.one("AWS::IAM::Role", "SchedulerRole")
        queue_id, _ = synth.one("AWS::SQS::Queue")
        assert schedule["Target"]["Arn"] == physical[fire_id]["Arn"]
        assert schedule["Target"]["RoleArn"] == physical[role_id]["Arn"]
        assert schedule["Target"]["DeadLetterConfig"]["Arn"] == physical[queue_id]["Arn"]

        # EventBridge Scheduler substitutes the context attributes, then invokes fire.
        when = iso_utc(datetime.now(UTC).replace(second=0))  # a delivery now: the handler refuses times far off
        payload = schedule["Target"]["Input"].replace("<aws.scheduler.scheduled-time>", when)
        payload = payload.replace("<aws.scheduler.attempt-number>", "1")
        _only(monkeypatch, fire_env)
        monkeypatch.setattr(fire, "factory", FireFactory())
        forged = json.loads(payload)
        forged["job"]["target"]["url"] = server.url + "/elsewhere"  # what an invoker of the Lambda could send
        with pytest.raises(FireInputRefused):
            fire.handler(forged, _Context("fire"))
        assert server.seen == []
        outcome = fire.handler(json.loads(payload), _Context("fire"))  # reconcile's own input, signed

    assert outcome["status"] == "succeeded", outcome
    [call] = server.seen
    assert (
        call.headers["Authorization"]
        == f"Bearer {physical[synth.one('AWS::SecretsManager::Secret', 'TargetSecret')[0]]['value']}"
    )
    table = fire_env[c.ENV_TABLE]
    item = client("dynamodb", emulator).get_item(
        TableName=table, Key={"pk": {"S": "JOB#wired"}, "sk": {"S": f"RUN#{when}"}}
    )["Item"]
    assert item["status"]["S"] == "succeeded"
