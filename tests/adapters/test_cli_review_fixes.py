"""A new user's review, on moto: bad input is refused before AWS is touched; AWS errors share one line.

- `push --wait --timeout -1` (or 0.001) uploaded, then reported a timeout;
- `keys public` exited 1 with "cannot read secret ..." when the endpoint was down;
- `apply` off a terminal printed two error lines.
"""

from __future__ import annotations

import io
import socket
from pathlib import Path

import boto3
import pytest

from cron_adapter import constants as c
from cron_adapter.cli import main
from cron_adapter.cli.exitcodes import EXIT_AWS, EXIT_DECLINED
from tests.adapters import reconcile_support as support
from tests.adapters.fire_support import INPUT_KEY_NAME, create_input_key
from tests.adapters.reconcile_support import BUCKET, GROUP, TABLE, WIRING, World, jobs_bytes, jobs_doc

aws_env = support.aws_env  # the shared pytest fixture
world = support.world  # the shared pytest fixture
KEY_SECRET = "cron-adapter/fire-token-key"


@pytest.fixture
def jobs_file(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for key, value in {
        c.ENV_TABLE: TABLE,
        c.ENV_GROUP: GROUP,
        c.ENV_BUCKET: BUCKET,
        c.ENV_FIRE_ARN: WIRING.fire_arn,
        c.ENV_SCHEDULER_ROLE_ARN: WIRING.role_arn,
        c.ENV_INPUT_KEY_ID: INPUT_KEY_NAME,
    }.items():
        monkeypatch.setenv(key, value)
    create_input_key(boto3.client("secretsmanager"))
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    path = tmp_path / "jobs.json"
    path.write_bytes(jobs_bytes(jobs_doc(3)))
    return str(path)


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize("timeout", ["-1", "0", "0.001", "1e9", "nan"])
def test_push_refuses_a_bad_timeout_before_uploading(jobs_file: str, timeout: str, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exit_:
        main(["push", jobs_file, "--wait", "--timeout", timeout])
    assert exit_.value.code == 2
    assert "argument --timeout" in capsys.readouterr().err
    assert boto3.client("s3").list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0


def test_apply_off_a_terminal_prints_one_error_line(
    jobs_file: str, world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setattr("sys.stdin", io.StringIO("no\n"))  # `echo no | cron-adapter apply FILE`
    assert main(["apply", jobs_file]) == EXIT_DECLINED
    [line] = _errors(capsys.readouterr().err)
    assert "without --yes" in line and "nothing was changed" in line
    assert world.calls.writes() == 0


def test_keys_public_reads_the_secret(world: World, capsys: pytest.CaptureFixture[str]):
    boto3.client("secretsmanager").create_secret(Name=KEY_SECRET, SecretString="k" * 48)
    assert main(["keys", "public", "--secret-id", KEY_SECRET]) == 0
    assert capsys.readouterr().out.startswith("-----BEGIN PUBLIC KEY-----")


def test_keys_public_without_the_secret_is_an_aws_error(world: World, capsys: pytest.CaptureFixture[str]):
    assert main(["keys", "public", "--secret-id", "no-such-secret"]) == EXIT_AWS
    [line] = _errors(capsys.readouterr().err)
    assert "GetSecretValue" in line and "ResourceNotFoundException" in line


def test_a_short_secret_is_a_bad_key(world: World, capsys: pytest.CaptureFixture[str]):
    boto3.client("secretsmanager").create_secret(Name=KEY_SECRET, SecretString="short")
    assert main(["keys", "public", "--secret-id", KEY_SECRET]) == 2
    [line] = _errors(capsys.readouterr().err)
    assert "shorter than" in line and "fix:" in line


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_keys_public_with_the_endpoint_down_says_what_every_command_says(
    aws_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    assert main(["keys", "public", "--secret-id", KEY_SECRET]) == EXIT_AWS
    [keys_line] = _errors(capsys.readouterr().err)
    path = tmp_path / "jobs.json"
    path.write_bytes(jobs_bytes(jobs_doc(1)))
    assert main(["push", str(path), "--bucket", BUCKET]) == EXIT_AWS
    [push_line] = _errors(capsys.readouterr().err)
    assert keys_line == push_line.replace(f"{BUCKET}/jobs.json", "")  # S3's URL names the object
    assert "cannot reach" in keys_line and "AWS_ENDPOINT_URL" in keys_line
