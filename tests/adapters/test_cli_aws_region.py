"""AWS_REGION names the CLI's region (as on Lambda and in the AWS CLI v2), on moto.

The installed botocore reads only AWS_DEFAULT_REGION and the profile's region; `push` with
just AWS_REGION once said "no AWS region is configured" (exit 6).
"""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from cron_adapter import constants as c
from cron_adapter.cli import main
from cron_adapter.cli.common import aws_region_honoured
from tests.adapters.reconcile_support import BUCKET, jobs_bytes, jobs_doc

REGION = "eu-west-1"


@pytest.fixture
def aws_region_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Credentials and AWS_REGION, but no AWS_DEFAULT_REGION and no config file region."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    empty = tmp_path / "empty-aws-config"
    empty.write_text("")
    for name, value in {
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # an earlier test's session caches its settings
    path = tmp_path / "jobs.json"
    path.write_bytes(jobs_bytes(jobs_doc(2)))
    return path


def _bucket() -> object:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return s3


def test_push_and_jobs_list_honour_aws_region_alone(aws_region_only: Path, capsys: pytest.CaptureFixture[str]):
    with mock_aws():
        s3 = _bucket()
        assert main(["push", str(aws_region_only), "--bucket", BUCKET]) == 0, capsys.readouterr().err
        assert s3.get_object(Bucket=BUCKET, Key=c.DEFAULT_JOBS_KEY)["Body"].read() == aws_region_only.read_bytes()
        capsys.readouterr()
        # jobs builds its clients lazily inside the adapters: the region reaches them too
        assert main(["jobs", "list", "--bucket", BUCKET, "--output", "json"]) == 0, capsys.readouterr().err
        assert '"id": "j1"' in capsys.readouterr().out
    assert "AWS_DEFAULT_REGION" not in os.environ  # filled only while the command ran


def test_aws_default_region_beats_aws_region(aws_region_only: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-2")
    with aws_region_honoured():
        assert boto3.session.Session().region_name == "us-east-2"
    assert os.environ["AWS_DEFAULT_REGION"] == "us-east-2"


def test_aws_region_beats_the_profile_region(aws_region_only: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    config = tmp_path / "config"
    config.write_text("[default]\nregion = ap-south-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    assert boto3.session.Session().region_name == "ap-south-1"  # botocore alone ignores AWS_REGION
    with aws_region_honoured():
        assert boto3.session.Session().region_name == REGION
    monkeypatch.delenv("AWS_REGION")
    with aws_region_honoured():
        assert boto3.session.Session().region_name == "ap-south-1"


def test_an_empty_aws_default_region_is_filled_then_restored(aws_region_only: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "")
    with aws_region_honoured():
        assert os.environ["AWS_DEFAULT_REGION"] == REGION
    assert os.environ["AWS_DEFAULT_REGION"] == ""
