"""S3JobsObject: a missing jobs key is NoJobsFile whether S3 says 404 or (without ListBucket) 403.

moto answers NoSuchKey whatever the IAM, so the 403 paths use botocore's Stubber with the
exact error codes S3 returns.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from cron_adapter.adapters.jobs_object import S3JobsObject
from cron_adapter.errors import NoJobsFile
from tests.adapters.fire_support import fake_aws_env

GET = {"Bucket": "b", "Key": "jobs.json"}
LIST = {"Bucket": "b", "Prefix": "jobs.json", "MaxKeys": 1}


@pytest.fixture
def stubbed(monkeypatch):
    fake_aws_env(monkeypatch)
    client = boto3.client("s3")
    with Stubber(client) as stub:
        yield S3JobsObject("b", "jobs.json", client=client), stub
        stub.assert_no_pending_responses()


def test_missing_key_on_moto_is_no_jobs_file(monkeypatch):
    fake_aws_env(monkeypatch)
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket="jobs-bucket")
        source = S3JobsObject("jobs-bucket", "jobs.json", client=client)
        with pytest.raises(NoJobsFile, match="s3://jobs-bucket/jobs.json does not exist"):
            source.fetch()
        source.put(b"{}")
        assert source.fetch()[0] == b"{}"


def test_access_denied_on_a_missing_key_is_no_jobs_file(stubbed):
    source, stub = stubbed
    stub.add_client_error("get_object", "AccessDenied", "Access Denied", 403, expected_params=GET)
    # The prefix lists only a neighbour (jobs.json.bak), not the key itself.
    stub.add_response("list_objects_v2", {"Contents": [{"Key": "jobs.json.bak"}], "KeyCount": 1}, LIST)
    with pytest.raises(NoJobsFile):
        source.fetch()


def test_access_denied_on_an_existing_key_stays_a_denial(stubbed):
    source, stub = stubbed
    stub.add_client_error("get_object", "AccessDenied", "Access Denied", 403, expected_params=GET)
    stub.add_response("list_objects_v2", {"Contents": [{"Key": "jobs.json"}], "KeyCount": 1}, LIST)
    with pytest.raises(ClientError) as err:
        source.fetch()
    assert not isinstance(err.value, NoJobsFile)
    assert err.value.response["Error"]["Code"] == "AccessDenied"


def test_access_denied_without_a_listing_right_stays_a_denial(stubbed):
    source, stub = stubbed
    stub.add_client_error("get_object", "AccessDenied", "Access Denied", 403, expected_params=GET)
    stub.add_client_error("list_objects_v2", "AccessDenied", "Access Denied", 403, expected_params=LIST)
    with pytest.raises(ClientError, match="GetObject"):
        source.fetch()


def test_no_such_key_needs_no_listing(stubbed):
    source, stub = stubbed
    stub.add_client_error("get_object", "NoSuchKey", "The specified key does not exist.", 404, expected_params=GET)
    with pytest.raises(NoJobsFile):
        source.fetch()


def test_an_object_over_the_size_limit_is_refused_unread(monkeypatch):
    """The reconcile Lambda would run out of memory on it; it is refused as an invalid file."""
    from cron_adapter.adapters import jobs_object
    from cron_adapter.errors import InvalidJobsFile

    fake_aws_env(monkeypatch)
    monkeypatch.setattr(jobs_object, "MAX_FILE_BYTES", 1000)
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket="jobs-bucket")
        source = S3JobsObject("jobs-bucket", "jobs.json", client=client)
        source.put(b'{"version": 1, "jobs": []}' + b" " * 2000)
        with pytest.raises(InvalidJobsFile) as exc:
            source.fetch()
    (problem,) = exc.value.problems
    assert problem.field == "(file)" and "0.0 MiB, over the 32 MiB" in problem.message
    assert "split the jobs" in problem.fix and "s3://jobs-bucket/jobs.json" in str(exc.value)
