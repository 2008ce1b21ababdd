"""Security checks: the secret appears nowhere the suite can see; forbidden targets and replays are refused.

The scan covers every text a run emits: log lines (the handler's logger and stdout/stderr),
handler results, exceptions, every run record and item in the table, and every schedule
request (input and template) that reconcile writes.
"""

from __future__ import annotations

import ast
import io
import json
import logging
from pathlib import Path
from typing import Any

import boto3
import pytest

import handlers.fire as fire_handler
from cron_adapter import constants as c
from cron_adapter import receiver as receiver_module
from cron_adapter import signing
from cron_adapter.errors import InvalidJobsFile
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.local.emulator import dev_input_key
from cron_adapter.receiver import MemoryReplayCache, Receiver
from cron_adapter.reconcile.translate import Wiring, translate_all
from tests.adapters.fire_support import Reply, TargetServer, signed
from tests.faults import tally
from tests.faults.test_load import Context, fire_event

ROOT = Path(__file__).resolve().parents[2]


def scan(texts: list[str], secret: str) -> None:
    """Count the texts scanned and the leaks; fail on any leak (the secret or its bearer form)."""
    leaks = [t[:200] for t in texts if secret in t]
    tally.add("security", scanned=len(texts), leaks=len(leaks))
    assert not leaks, leaks


def test_the_secret_is_in_no_log_result_error_or_record(
    emulator: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(c.ENV_HMAC, "true")
    secret = emulator.secret
    logs = io.StringIO()
    capture = logging.StreamHandler(logs)
    fire_handler.logger.addHandler(capture)
    texts: list[str] = []
    echo = f"denied: Authorization: Bearer {secret}".encode()  # a target that echoes the token back
    replies = [Reply(500, echo), Reply(401, echo), Reply(429, echo, {"Retry-After": "0"}), Reply(200)]
    try:
        with TargetServer(*replies * 3) as target:
            for minute, _ in enumerate(replies * 3):
                event = fire_event(target.url, dev_input_key(), f"sec-{minute % 4}", fire_event_time(minute))
                event["job"]["retry"] = {"attempts": 1, "backoff": 0, "max_backoff": 0}
                event = signed(event, dev_input_key())
                try:
                    texts.append(json.dumps(fire_handler.handler(event, Context()), default=str))
                except Exception as exc:  # noqa: BLE001 - an error's text is scanned too
                    texts.append(f"{type(exc).__name__}: {exc}")
            assert len(target.seen) >= 4 and all(f"Bearer {secret}" == s.headers["Authorization"] for s in target.seen)
    finally:
        fire_handler.logger.removeHandler(capture)
    out = capsys.readouterr()
    table = boto3.client("dynamodb", endpoint_url=emulator.endpoint).scan(TableName=emulator.table)["Items"]
    texts += [logs.getvalue(), out.out, out.err, *(json.dumps(item) for item in table)]
    scan(texts, secret)


def fire_event_time(minute: int) -> Any:
    """Minutes of the last hour: times the handler's scheduled-time window lets through."""
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1) + timedelta(minutes=minute)


def test_schedule_requests_carry_no_secret() -> None:
    doc = json.loads((ROOT / "examples" / "jobs.json").read_text())
    requests = translate_all(load_bytes(json.dumps(doc).encode()), Wiring.offline())
    texts = [json.dumps(dict(r.request)) for r in requests]
    assert texts and all("Authorization" not in t for t in texts)
    scan(texts, "Bearer ")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/",
        "https://[fd00:ec2::254]/",
        "http://app.example.com/x",
        "https://user:pass@app.example.com/x",
        "file:///etc/passwd",
        "gopher://app.example.com/",
    ],
)
def test_forbidden_targets_are_refused(url: str) -> None:
    doc = {"version": 1, "jobs": [{"id": "j", "schedule": "every 5m", "target": {"url": url}}]}
    with pytest.raises(InvalidJobsFile) as info:
        load_bytes(json.dumps(doc).encode())
    assert [(p.job_id, p.field) for p in info.value.problems] == [("j", "target.url")]
    tally.add("security", refused_targets=1)


@pytest.mark.parametrize("age", [301, 3600, -301, 10**9])
def test_an_hmac_replay_outside_the_window_is_refused(age: int) -> None:
    secret, body, now = "window-Secret-8d2c" + "w" * 24, b'{"job_id":"j"}', 1_795_402_800
    headers = {"Authorization": f"Bearer {secret}", **signing.signature_headers(secret, now - age, body)}
    result = Receiver([secret], require_signature=True, now=lambda: now, seen=MemoryReplayCache()).verify(headers, body)
    assert not result.ok and "window" in result.reason
    tally.add("security", replays_refused=1)


def _compares(path: Path) -> list[str]:
    """Every ``==``/``!=`` whose operands mention a secret, digest, token or signature."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Compare) and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
            text = ast.unparse(node)
            if "len(" in text or ".strip()" in text:  # lengths and whitespace checks compare no secret value
                continue
            if any(word in text.lower() for word in ("secret", "digest", "token", "signature", "expected")):
                found.append(text)
    return found


def test_verification_compares_only_with_hmac_compare_digest() -> None:
    for module in (signing, receiver_module):
        path = Path(module.__file__ or "")
        assert "hmac.compare_digest" in path.read_text()
        assert not _compares(path), _compares(path)
