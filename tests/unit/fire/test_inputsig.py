"""Signed fire inputs: the signature covers everything reconcile wrote, and nothing else verifies."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cron_adapter.errors import FireInputRefused
from cron_adapter.fire.input import ATTEMPT_PLACEHOLDER, SCHEDULED_TIME_PLACEHOLDER, parse_input
from cron_adapter.fire.inputsig import (
    REFRESH_INTERVAL_SECONDS,
    SIG_FIELD,
    InputKey,
    InputVerifier,
    canonical,
    check,
    key_id,
    unseal,
)
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.reconcile.model import LedgerEntry, ListedSchedule, Update
from cron_adapter.reconcile.planner import KEY_CHANGED, plan
from cron_adapter.reconcile.translate import Wiring, translate_all

KEY = InputKey("reconcile-and-fire-only-" + "k" * 40)
OTHER = InputKey("someone-elses-key-" + "z" * 40)
WIRING = Wiring.offline()
JOBS = {
    "version": 1,
    "jobs": [
        {"id": "split", "schedule": "0 9 1 * MON", "target": {"url": "https://app.example.com/a"}},
        {
            "id": "report-ü",
            "schedule": "every 15m",
            "target": {"url": "https://app.example.com/r", "headers": {"X-Team": "ops"}, "body": {"n": 1.5}},
        },
    ],
}


def delivered(text: str, when: str = "2026-11-23T03:00:00Z", attempt: int = 1) -> dict:
    """The event the fire Lambda receives: EventBridge substitutes both placeholders, Lambda parses."""
    text = text.replace(SCHEDULED_TIME_PLACEHOLDER, when).replace(ATTEMPT_PLACEHOLDER, str(attempt))
    return json.loads(text)


def inputs(wiring: Wiring = WIRING) -> list[str]:
    requests = translate_all(load_bytes(json.dumps(JOBS).encode()), wiring)
    return [r.request["Target"]["Input"] for r in requests]


def test_every_schedule_reconcile_writes_verifies_after_eventbridge_substitutes_its_placeholders():
    texts = inputs(replace(WIRING, key=KEY))
    assert len(texts) == 3  # the split cron has two schedules, each signed on its own
    for text in texts:
        body, sig = unseal(delivered(text, attempt=7))
        check(KEY, body, sig)
        parse_input(body)  # the signature field is not part of the contract's body
        assert sig is not None and sig.startswith(f"v1.{KEY.key_id}.")


def test_without_a_key_inputs_are_unsigned_and_the_spec_hash_does_not_depend_on_the_key():
    plain = translate_all(load_bytes(json.dumps(JOBS).encode()), WIRING)
    signed = translate_all(load_bytes(json.dumps(JOBS).encode()), replace(WIRING, key=KEY))
    assert all(SIG_FIELD not in json.loads(r.request["Target"]["Input"]) for r in plain)
    assert [r.spec_hash for r in plain] == [r.spec_hash for r in signed]  # exhausted markers still match
    assert [r.written_hash for r in signed] == [f"{r.spec_hash}.{KEY.key_id}" for r in plain]


@pytest.mark.parametrize(
    "alter",
    [
        lambda e: e["job"]["target"].update(url="https://attacker.example/steal"),
        lambda e: e["job"]["target"].setdefault("headers", {}).update({"X-Forward": "attacker"}),
        lambda e: e["job"]["target"].update(method="GET"),
        lambda e: e["job"].update(overlap="allow"),
        lambda e: e.update(job_id="another-job"),
        lambda e: e.update(run="trigger-1"),
        lambda e: e.update(spec_hash="0" * 16),
    ],
    ids=["url", "headers", "method", "overlap", "job_id", "run-label", "spec_hash"],
)
def test_any_change_to_a_signed_field_is_refused_as_forged(alter):
    event = delivered(inputs(replace(WIRING, key=KEY))[2])
    alter(event)
    body, sig = unseal(event)
    with pytest.raises(FireInputRefused) as err:
        check(KEY, body, sig)
    assert err.value.reason == "forged" and "changed after signing" in str(err.value)


def test_the_substituted_fields_are_not_signed():
    text = inputs(replace(WIRING, key=KEY))[0]
    for when, attempt in (("2026-01-01T00:00:00Z", 1), ("2030-06-30T12:34:00Z", 185)):
        check(KEY, *unseal(delivered(text, when, attempt)))


@pytest.mark.parametrize(
    ("sig", "reason", "says"),
    [
        (None, "unsigned", "no signature"),
        ("", "forged", "not v1."),
        ("v2.00000000." + "0" * 64, "forged", "not v1."),
        ("v1.nothexid." + "0" * 64, "forged", "not v1."),
        (f"v1.{KEY.key_id}." + "A" * 64, "forged", "not v1."),
        ("v1.0badc0de." + "0" * 64, "forged", "not this deployment's key"),
    ],
)
def test_unsigned_and_malformed_signatures_are_refused_with_a_reason(sig, reason, says):
    body, _ = unseal(delivered(inputs(replace(WIRING, key=KEY))[0]))
    with pytest.raises(FireInputRefused, match=says) as err:
        check(KEY, body, sig)
    assert err.value.reason == reason
    assert KEY.current not in str(err.value)


def test_a_signature_made_with_another_key_is_refused():
    body, _ = unseal(delivered(inputs(replace(WIRING, key=KEY))[0]))
    with pytest.raises(FireInputRefused, match="not this deployment's key"):
        check(KEY, body, OTHER.sign(body))


def test_during_a_rotation_both_keys_verify_and_the_new_one_signs():
    rotated = InputKey(OTHER.current, previous=KEY.current)
    old = unseal(delivered(inputs(replace(WIRING, key=KEY))[0]))
    new = unseal(delivered(inputs(replace(WIRING, key=rotated))[0]))
    check(rotated, *old)
    check(rotated, *new)
    assert new[1].startswith(f"v1.{OTHER.key_id}.")


def test_the_key_never_shows_in_repr_and_its_id_reveals_nothing_of_it():
    wiring = replace(WIRING, key=KEY)
    assert KEY.current not in repr(wiring) and KEY.current not in repr(KEY)
    assert key_id(KEY.current) == KEY.key_id and len(KEY.key_id) == 8
    assert key_id(KEY.current) != key_id(KEY.current + "x")


def test_unseal_leaves_a_non_object_event_alone_and_a_non_string_sig_cannot_verify():
    assert unseal([1, 2]) == ([1, 2], None)
    body, sig = unseal({"v": 1, SIG_FIELD: 12})
    assert body == {"v": 1} and sig == ""


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(body=st.dictionaries(st.text(min_size=1), json_values, max_size=6))
def test_the_canonical_form_survives_a_json_round_trip(body):
    """What reconcile signs equals what fire recomputes from the parsed event, whatever the values."""
    parsed = json.loads(json.dumps(body))
    assert canonical(parsed) == canonical(body)
    assert canonical({**body, "scheduled_time": "x", "attempt": "9", SIG_FIELD: "s"}) == canonical(
        {k: v for k, v in body.items() if k not in {"scheduled_time", "attempt", SIG_FIELD}}
    )


class Keys:
    """A cached key source: ``stored`` is Secrets Manager's value, read only on a refresh."""

    def __init__(self, key: InputKey) -> None:
        self.stored = self.cached = key
        self.reads, self.refreshes = 0, 0

    def __call__(self, refresh: bool) -> InputKey:
        self.reads += 1
        if refresh:
            self.refreshes += 1
            self.cached = self.stored
        return self.cached


def test_an_unknown_key_id_re_reads_the_key_once_a_minute_at_most():
    now = [1000.0]
    keys = Keys(KEY)
    verifier = InputVerifier(keys, lambda: now[0])
    rotated = InputKey(OTHER.current, previous=KEY.current)
    event = unseal(delivered(inputs(replace(WIRING, key=rotated))[0]))
    verifier.check(*unseal(delivered(inputs(replace(WIRING, key=KEY))[0])))  # the first read fills the cache
    keys.stored = rotated  # Secrets Manager has the new key; the verifier's cache does not know it yet
    with pytest.raises(FireInputRefused):
        verifier.check(*event)  # a re-read right after the first read would learn nothing
    now[0] += REFRESH_INTERVAL_SECONDS
    verifier.check(*event)
    assert keys.refreshes == 1
    forged = unseal({**copy.deepcopy(event[0]), SIG_FIELD: "v1.0badc0de." + "0" * 64})
    for _ in range(5):  # a flood of random key ids costs one re-read per interval, not one per input
        with pytest.raises(FireInputRefused):
            verifier.check(*forged)
    assert keys.refreshes == 1
    now[0] += REFRESH_INTERVAL_SECONDS
    with pytest.raises(FireInputRefused):
        verifier.check(*forged)
    assert keys.refreshes == 2


def test_a_known_key_id_never_refreshes():
    keys = Keys(KEY)
    verifier = InputVerifier(keys, lambda: 0.0)
    event = unseal(delivered(inputs(replace(WIRING, key=KEY))[0]))
    verifier.check(*event)
    event[0]["job"]["target"]["url"] = "https://attacker.example/"
    with pytest.raises(FireInputRefused):
        verifier.check(*event)
    assert keys.refreshes == 0 and keys.reads == 2


def test_a_new_key_rewrites_every_schedule_named_as_a_key_change_and_a_finished_job_stays_finished():
    now = datetime(2026, 11, 23, tzinfo=UTC)
    before = translate_all(load_bytes(json.dumps(JOBS).encode()), WIRING)  # an upgrade from unsigned inputs
    after = translate_all(load_bytes(json.dumps(JOBS).encode()), replace(WIRING, key=KEY))
    stamp = "2026-11-20T00:00:00Z"
    listed = [ListedSchedule(r.name, r.request["State"], stamp) for r in before]
    ledger = {r.name: LedgerEntry(r.name, r.job_id, r.written_hash, stamp) for r in before}
    result = plan(after, listed, ledger, now, exhausted={"split": before[0].spec_hash})
    updates = [a for a in result.actions if isinstance(a, Update)]
    assert {a.name for a in updates} == {r.name for r in after if r.job_id != "split"}
    assert {a.reason for a in updates} == {KEY_CHANGED}
    assert all(a.spec_hash.endswith(f".{KEY.key_id}") for a in updates)  # the ledger learns the key
    assert not any(a.job_id == "split" and a.action != "delete" for a in result.actions)  # exhausted stays off


def test_a_nan_slipped_into_a_signed_body_is_refused_not_read_as_null():
    """msgspec writes NaN as null; the check refuses non-finite numbers so the two cannot be swapped."""
    event = delivered(inputs(replace(WIRING, key=KEY))[2])
    event["job"]["target"]["body"] = {"n": None}
    body, _ = unseal(event)
    sig = KEY.sign(body)
    check(KEY, body, sig)
    body["job"]["target"]["body"] = {"n": float("nan")}
    with pytest.raises(FireInputRefused, match="canonical"):
        check(KEY, body, sig)
