"""Secrets Manager source (cache, rotation, length) and schedule control, on moto."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from cron_adapter.adapters.schedule_control import SchedulerControl
from cron_adapter.adapters.secrets import SecretsManagerSource, parse_secret
from cron_adapter.errors import SecretError
from tests.adapters.fire_support import Calls, fake_aws_env

GOOD = "g" * 48
OLD = "o" * 48


@pytest.fixture
def aws(monkeypatch):
    fake_aws_env(monkeypatch)
    with mock_aws():
        yield


def source(value: str) -> tuple[SecretsManagerSource, Calls]:
    client = boto3.client("secretsmanager")
    client.create_secret(Name="cron-adapter/target-secret", SecretString=value)
    calls = Calls()
    client.meta.events.register("before-call.secrets-manager", calls.hook)
    return SecretsManagerSource("cron-adapter/target-secret", client=client), calls


def test_plain_secret_is_read_once_and_cached(aws) -> None:
    src, calls = source(GOOD)
    assert src.get().current == GOOD and src.get().previous is None
    assert calls["GetSecretValue"] == 1


def test_the_cached_secret_is_read_again_after_max_age_and_never_cached_at_zero(aws) -> None:
    client = boto3.client("secretsmanager")
    client.create_secret(Name="s", SecretString=GOOD)
    calls = Calls()
    client.meta.events.register("before-call.secrets-manager", calls.hook)
    now = [100.0]
    src = SecretsManagerSource("s", client=client, max_age=300, clock=lambda: now[0])
    src.get()
    now[0] += 299
    src.get()
    assert calls["GetSecretValue"] == 1
    client.put_secret_value(SecretId="s", SecretString=OLD)
    now[0] += 2
    assert src.get().current == OLD and calls["GetSecretValue"] == 2  # a rotation is picked up after max_age
    fresh = SecretsManagerSource("s", client=client, max_age=0)
    fresh.get(), fresh.get()
    assert calls["GetSecretValue"] == 4


def test_rotation_json_gives_current_and_previous(aws) -> None:
    src, _ = source(json.dumps({"current": GOOD, "previous": OLD}))
    secret = src.get()
    assert (secret.current, secret.previous) == (GOOD, OLD)
    assert GOOD not in repr(secret)


@pytest.mark.parametrize("value", ["short-but-secret", json.dumps({"current": GOOD, "previous": "tiny-old-secret"})])
def test_short_secrets_are_refused_without_revealing_them(aws, value: str) -> None:
    src, _ = source(value)
    with pytest.raises(SecretError) as err:
        src.get()
    text = str(err.value) + repr(err.value.__cause__) + repr(err.value.__context__)
    assert "short-but-secret" not in text and "tiny-old-secret" not in text and "32" in str(err.value)


def test_missing_secret_is_a_secret_error(aws) -> None:
    with pytest.raises(SecretError, match="cannot read"):
        SecretsManagerSource("nope", client=boto3.client("secretsmanager")).get()


def test_plain_secret_starting_with_a_brace_is_kept_whole() -> None:
    assert parse_secret("{" + "z" * 40, "id").current == "{" + "z" * 40


def test_stop_deletes_the_job_schedules_and_tolerates_missing_ones(aws) -> None:
    client = boto3.client("scheduler")
    client.create_schedule_group(Name="cron-adapter")
    for name in ("sync-crm--a", "other"):
        client.create_schedule(
            Name=name,
            GroupName="cron-adapter",
            ScheduleExpression="rate(5 minutes)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={
                "Arn": "arn:aws:lambda:us-east-1:123456789012:function:fire",
                "RoleArn": "arn:aws:iam::123456789012:role/r",
            },
        )
    SchedulerControl("cron-adapter", client=client).stop("sync-crm", ("sync-crm--a", "sync-crm--b"))
    names = [s["Name"] for s in client.list_schedules(GroupName="cron-adapter")["Schedules"]]
    assert names == ["other"]
