"""plan, apply and push under each broken AWS environment: one line, no traceback, the documented code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from cron_adapter import constants as c
from cron_adapter.cli import main
from cron_adapter.cli.exitcodes import EXIT_AWS
from tests.adapters.reconcile_support import BUCKET, TABLE, WIRING, jobs_bytes, jobs_doc

COMMANDS = {
    "plan": ["plan"],
    "apply": ["apply", "--yes"],
    "push": ["push", "--bucket", BUCKET],
    "push --wait": ["push", "--bucket", BUCKET, "--wait", "--timeout", "1"],
}


@pytest.fixture
def jobs_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A valid jobs file, the live wiring in the environment, and no AWS configuration at all."""
    path = tmp_path / "jobs.json"
    path.write_bytes(jobs_bytes(jobs_doc(2)))
    empty = tmp_path / "empty-aws-config"
    empty.write_text("")
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # an earlier test's session caches its credentials
    for key, value in {
        c.ENV_TABLE: TABLE,
        c.ENV_FIRE_ARN: WIRING.fire_arn,
        c.ENV_SCHEDULER_ROLE_ARN: WIRING.role_arn,
        c.ENV_INPUT_KEY_ID: "cron-adapter/input-signing-key",
    }.items():
        monkeypatch.setenv(key, value)
    return str(path)


def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def _region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, float]:
    started = time.monotonic()
    code = main(argv)
    err = capsys.readouterr().err
    return code, err, time.monotonic() - started


def assert_one_line(err: str, *needles: str) -> None:
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.parametrize("command", list(COMMANDS))
def test_no_region_is_one_line_with_exit_6(command: str, jobs_file: str, monkeypatch, capsys):
    _credentials(monkeypatch)
    code, err, _ = run([*COMMANDS[command], jobs_file], capsys)
    assert code == EXIT_AWS
    assert_one_line(err, "no AWS region", "AWS_REGION")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_no_credentials_is_one_line_with_exit_6(command: str, jobs_file: str, monkeypatch, capsys):
    _region(monkeypatch)
    code, err, _ = run([*COMMANDS[command], jobs_file], capsys)
    assert code == EXIT_AWS
    assert_one_line(err, "credentials", "aws configure")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_stopped_endpoint_fails_fast_with_exit_6(command: str, jobs_file: str, monkeypatch, capsys):
    _region(monkeypatch)
    _credentials(monkeypatch)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # the discard port: nothing listens
    code, err, seconds = run([*COMMANDS[command], jobs_file], capsys)
    assert code == EXIT_AWS
    assert_one_line(err, "cannot reach http://127.0.0.1:9", "AWS_ENDPOINT_URL")
    assert seconds < 5.0  # botocore's defaults took 10.8 s


@pytest.mark.parametrize("command", ["plan", "apply", "push --wait"])
def test_a_missing_table_names_the_table_with_exit_6(command: str, jobs_file: str, monkeypatch, capsys):
    _region(monkeypatch)
    _credentials(monkeypatch)
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        code, err, _ = run([*COMMANDS[command], jobs_file], capsys)
        if command == "push --wait":
            assert boto3.client("s3").list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0  # nothing uploaded
    assert code == EXIT_AWS
    assert_one_line(err, f"table {TABLE!r} does not exist", "--table")


def test_a_missing_bucket_names_the_bucket_with_exit_6(jobs_file: str, monkeypatch, capsys):
    _region(monkeypatch)
    _credentials(monkeypatch)
    with mock_aws():
        code, err, _ = run([*COMMANDS["push"], jobs_file], capsys)
    assert code == EXIT_AWS
    assert_one_line(err, f"bucket {BUCKET!r} does not exist", "--bucket")


class _Denied(BaseHTTPRequestHandler):
    """Answers every AWS call as IAM would for an identity without the permission."""

    def _deny(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("X-Amz-Target"):  # DynamoDB's JSON protocol
            body = json.dumps({"__type": "com.amazon.coral.service#AccessDeniedException", "message": "not authorized"})
            self.send_response(400)
        else:  # S3's and Scheduler's REST protocols
            body = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
            self.send_response(403)
        data = body.encode()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = _deny

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Quiet."""


@pytest.fixture
def denying_endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Denied)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("command", list(COMMANDS))
def test_access_denied_is_one_line_with_exit_6(
    command: str, jobs_file: str, denying_endpoint: str, monkeypatch, capsys
):
    _region(monkeypatch)
    _credentials(monkeypatch)
    monkeypatch.setenv("AWS_ENDPOINT_URL", denying_endpoint)
    code, err, _ = run([*COMMANDS[command], jobs_file], capsys)
    assert code == EXIT_AWS
    assert_one_line(err, "AWS denied", "AccessDenied")


def test_the_installed_command_prints_no_traceback(jobs_file: str, monkeypatch):
    _credentials(monkeypatch)
    done = subprocess.run(
        [sys.executable, "-m", "cron_adapter", "plan", jobs_file], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == EXIT_AWS
    assert done.stderr.startswith("error: no AWS region") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_a_malformed_setting_is_a_clean_error_not_a_traceback(jobs_file: str, monkeypatch, capsys):
    _region(monkeypatch)
    _credentials(monkeypatch)
    monkeypatch.setenv(c.ENV_MAX_DELETE_SHARE, "half")
    code, err, _ = run(["plan", jobs_file], capsys)
    assert code == 2
    assert_one_line(err, c.ENV_MAX_DELETE_SHARE, "'half' is not a number")


def test_an_empty_setting_is_an_error_not_a_default(jobs_file: str, monkeypatch, capsys):
    _region(monkeypatch)
    _credentials(monkeypatch)
    monkeypatch.setenv(c.ENV_TABLE, "")
    code, err, _ = run(["plan", jobs_file], capsys)
    assert code == 2
    assert_one_line(err, c.ENV_TABLE, "is empty", "--table")
