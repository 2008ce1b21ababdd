"""The real fire handler on moto refuses unsigned and altered inputs: no claim, no call, counted."""

from __future__ import annotations

import json
import time

import boto3
import pytest

import handlers.fire as fire_handler
from cron_adapter import constants as c
from cron_adapter.errors import FireInputRefused
from cron_adapter.fire.inputsig import REFRESH_INTERVAL_SECONDS, InputKey
from tests.adapters.fire_support import INPUT_KEY, INPUT_KEY_NAME, TargetServer, event_time_factory, signed
from tests.adapters.test_fire_handler import SECRET, Context, event, lam  # noqa: F401 - the shared fixture

OTHER_KEY = "not-this-deployments-key-" + "w" * 40


def refused_metrics(out: str) -> int:
    docs = [json.loads(line) for line in out.splitlines() if '"_aws"' in line]
    values = [doc[c.METRIC_INPUT_REFUSED] for doc in docs if c.METRIC_INPUT_REFUSED in doc]
    return sum(sum(v) if isinstance(v, list) else v for v in values)


def unsigned(e: dict) -> dict:
    return {k: v for k, v in e.items() if k != "sig"}


def with_url(e: dict, url: str) -> dict:
    e = json.loads(json.dumps(e))
    e["job"]["target"]["url"] = url
    return e


def with_header(e: dict) -> dict:
    e = json.loads(json.dumps(e))
    e["job"]["target"]["headers"] = {"X-Forwarded-Host": "attacker.example"}
    return e


FORGERIES = {
    "unsigned": (lambda e, url: unsigned(with_url(e, url)), "unsigned"),
    "changed-url": (lambda e, url: with_url(e, url), "forged"),
    "changed-headers": (lambda e, url: with_header(e), "forged"),
    "other-key": (lambda e, url: signed(with_url(e, url), OTHER_KEY), "forged"),
    "garbage-sig": (lambda e, url: {**with_url(e, url), "sig": "v1.deadbeef.nope"}, "forged"),
}


@pytest.mark.parametrize("name", list(FORGERIES))
def test_a_forged_input_calls_nothing_claims_nothing_and_is_counted(lam, capsys, name: str) -> None:  # noqa: F811
    calls, logs = lam
    forge, reason = FORGERIES[name]
    with TargetServer() as legit, TargetServer() as attacker:
        genuine = event(legit.url)
        with pytest.raises(FireInputRefused) as err:
            fire_handler.handler(forge(genuine, attacker.url), Context())
        assert err.value.reason == reason
        assert attacker.seen == [] and legit.seen == []  # no target was called
    # One read: the input-signing key. No claim, no run record, no read of the target secret.
    assert dict(calls) == {"GetSecretValue": 1}
    assert fire_handler.factory._service is None  # the fire service was never even built
    assert not boto3.client("dynamodb").scan(TableName="cron-adapter-test")["Items"]
    out = capsys.readouterr().out
    assert refused_metrics(out) == 1
    text = logs.getvalue()
    assert '"refused fire input"' in text and f'"reason":"{reason}"' in text.replace(" ", "")
    assert INPUT_KEY not in text and INPUT_KEY not in out and SECRET not in text


def test_a_genuine_input_fires_and_a_warm_container_reads_no_secret_again(lam) -> None:  # noqa: F811
    calls, _ = lam
    with TargetServer() as server:
        assert fire_handler.handler(event(server.url), Context())["status"] == "succeeded"
        assert calls["GetSecretValue"] == 2  # cold: the input key and the target secret
        calls.clear()
        with pytest.raises(FireInputRefused):
            fire_handler.handler(with_url(event(server.url, "2026-11-23T05:00:00Z"), "https://x.example/"), Context())
        assert dict(calls) == {}  # the forgery cost no call at all
        assert fire_handler.handler(event(server.url, "2026-11-23T04:00:00Z"), Context())["status"] == "succeeded"
    assert calls and calls["GetSecretValue"] == 0  # warm: both secrets cached, only the claim's writes
    assert len(server.seen) == 2


def test_a_rotated_key_verifies_old_and_new_signatures(lam) -> None:  # noqa: F811
    sm = boto3.client("secretsmanager")
    sm.put_secret_value(SecretId=INPUT_KEY_NAME, SecretString=json.dumps({"current": OTHER_KEY, "previous": INPUT_KEY}))
    with TargetServer() as server:
        old = event(server.url)  # signed with the previous key
        new = signed(event(server.url, "2026-11-23T04:00:00Z"), OTHER_KEY)
        assert fire_handler.handler(old, Context())["status"] == "succeeded"
        assert fire_handler.handler(new, Context())["status"] == "succeeded"
    assert len(server.seen) == 2


class LongContext(Context):
    """A delivery with room for the shifted clock's minute."""

    def get_remaining_time_in_millis(self) -> int:
        return 600_000


class ShiftedClock:
    """The real clock, moved forward by ``shift`` seconds."""

    shift = 0.0

    def now(self) -> float:
        return time.time() + self.shift

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def test_a_key_rotated_after_the_cache_was_filled_is_learned_on_its_first_signature(lam, monkeypatch) -> None:  # noqa: F811
    calls, _ = lam
    clock = ShiftedClock()
    monkeypatch.setattr(fire_handler, "factory", event_time_factory(clock=clock))
    with TargetServer() as server:
        assert fire_handler.handler(event(server.url), Context())["status"] == "succeeded"
        boto3.client("secretsmanager").put_secret_value(
            SecretId=INPUT_KEY_NAME, SecretString=json.dumps({"current": OTHER_KEY, "previous": INPUT_KEY})
        )
        clock.shift = REFRESH_INTERVAL_SECONDS  # a minute later; the cached key is still the old one
        calls.clear()
        new = signed(event(server.url, "2026-11-23T04:00:00Z"), OTHER_KEY)  # reconcile read the new key first
        assert fire_handler.handler(new, LongContext())["status"] == "succeeded"
    assert calls["GetSecretValue"] == 1  # one re-read, for the unknown key id


def test_without_an_input_key_setting_every_input_is_refused(lam, monkeypatch) -> None:  # noqa: F811
    monkeypatch.delenv(c.ENV_INPUT_KEY_ID)
    monkeypatch.setattr(fire_handler, "factory", event_time_factory())
    with TargetServer() as server, pytest.raises(FireInputRefused, match=c.ENV_INPUT_KEY_ID) as err:
        fire_handler.handler(event(server.url), Context())
    assert err.value.reason == "no-key" and server.seen == []


def test_the_sample_event_signed_with_the_test_key_matches_the_documented_form() -> None:
    sig = signed(json.loads('{"v":1,"job_id":"a"}'))["sig"]
    assert sig.startswith(f"v1.{InputKey(INPUT_KEY).key_id}.") and len(sig) == 3 + 9 + 64
