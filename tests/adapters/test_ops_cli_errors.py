"""The operations and ``jobs`` commands report AWS problems as every command does: one line, exit 6."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from cron_adapter.cli.exitcodes import EXIT_AWS, EXIT_INVALID, EXIT_UNKNOWN_JOB
from tests.adapters import test_cli_broken_env as broken
from tests.adapters.reconcile_support import TABLE
from tests.adapters.test_cli_broken_env import _credentials, _region, assert_one_line, run

jobs_file = broken.jobs_file  # the shared fixture: a valid file, the wiring set, no AWS configuration

READS = {
    "runs": lambda f: ["runs", "j0"],
    "status": lambda f: ["status", f],
    "resume": lambda f: ["resume", "j0", f],
    "drift": lambda f: ["drift", f],
    "backfill": lambda f: ["backfill", "j0", f, "--from", "2h", "--to", "1h", "--yes"],
}


@pytest.mark.parametrize("command", list(READS))
def test_no_region_is_one_line_with_exit_6(command: str, jobs_file: str, monkeypatch, capsys) -> None:
    _credentials(monkeypatch)
    code, err, _ = run(READS[command](jobs_file), capsys)
    assert code == EXIT_AWS
    assert_one_line(err, "no AWS region is configured", "AWS_REGION")


def test_jobs_on_a_missing_bucket_is_one_line_naming_it_with_exit_6(jobs_file: str, monkeypatch, capsys) -> None:
    _region(monkeypatch)
    _credentials(monkeypatch)
    with mock_aws():
        code, err, _ = run(["jobs", "list", "--bucket", "no-such-bucket"], capsys)
    assert code == EXIT_AWS
    assert_one_line(err, "S3 bucket 'no-such-bucket' does not exist", "--bucket")


@pytest.mark.parametrize("command", list(READS))
def test_a_missing_table_names_the_table_with_exit_6(command: str, jobs_file: str, monkeypatch, capsys) -> None:
    _region(monkeypatch)
    _credentials(monkeypatch)
    with mock_aws():
        code, err, _ = run(READS[command](jobs_file), capsys)
    assert code == EXIT_AWS
    assert_one_line(err, f"table {TABLE!r} does not exist", "--table")


def test_bad_arguments_and_unknown_jobs_keep_their_codes(jobs_file: str, monkeypatch, capsys) -> None:
    _region(monkeypatch)
    _credentials(monkeypatch)
    with mock_aws():
        code, err, _ = run(["trigger", "no-such-job", jobs_file], capsys)
        assert code == EXIT_INVALID
        assert_one_line(err, "job 'no-such-job' is not in", "(its jobs: j0, j1)")
        code, err, _ = run(["backfill", "no-such-job", jobs_file, "--from", "2h", "--to", "1h", "--yes"], capsys)
        assert code == EXIT_INVALID
        assert_one_line(err, "job 'no-such-job' is not in", "(its jobs: j0, j1)")  # not "validate lists them"
        code, err, _ = run(["runs", "j0", "--since", "soon"], capsys)
        assert code == EXIT_INVALID
        assert_one_line(err, "--since 'soon' is not a time")
        boto3.client("s3").create_bucket(Bucket="ops-store")
        boto3.client("s3").put_object(Bucket="ops-store", Key="jobs.json", Body=Path(jobs_file).read_bytes())
        code, err, _ = run(["jobs", "show", "nope", "--bucket", "ops-store"], capsys)
        assert code == EXIT_UNKNOWN_JOB
        assert_one_line(err, "job 'nope': no such job")
