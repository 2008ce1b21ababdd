"""The in-memory job store used by unit tests behaves like S3's conditional writes on moto."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cron_adapter.adapters.jobs_object import S3JobsObject
from cron_adapter.errors import NoJobsFile, StoreChanged
from tests.adapters import reconcile_support as support
from tests.adapters.jobs_support import KEY, make_bucket
from tests.adapters.reconcile_support import BUCKET
from tests.unit.jobs_fakes import FakeJobsObject

aws_env = support.aws_env  # the shared pytest fixture


@pytest.fixture(params=["fake", "s3"])
def store(request: pytest.FixtureRequest, aws_env: None) -> Iterator[Any]:
    if request.param == "fake":
        yield FakeJobsObject()
        return
    with mock_aws():
        make_bucket()
        yield S3JobsObject(BUCKET, KEY, boto3.client("s3"))


def test_a_missing_object_is_no_jobs_file(store: Any):
    with pytest.raises(NoJobsFile):
        store.fetch()
    with pytest.raises(StoreChanged):
        store.put_if_match(b"{}", "0" * 32)


def test_put_if_absent_creates_once(store: Any):
    etag, _ = store.put_if_absent(b'{"version": 1, "jobs": []}')
    assert store.fetch()[:2] == (b'{"version": 1, "jobs": []}', etag)
    with pytest.raises(StoreChanged):
        store.put_if_absent(b"{}")


def test_put_if_match_needs_the_current_etag(store: Any):
    first, _ = store.put_if_absent(b"one")
    second, _ = store.put_if_match(b"two", first)
    assert second != first and store.fetch()[:2] == (b"two", second)
    with pytest.raises(StoreChanged):
        store.put_if_match(b"three", first)  # a stale ETag: someone wrote since
    assert store.fetch().data == b"two"
    assert store.put_if_match(b"three", f'"{second}"')[0]  # S3 quotes ETags; either form works


def test_a_conditional_write_keeps_the_store_timezone(store: Any):
    first, _ = store.put_if_absent(b"one", "Europe/Berlin")
    assert store.fetch().timezone == "Europe/Berlin"
    store.put_if_match(b"two", first, "Europe/Berlin")
    assert store.fetch().timezone == "Europe/Berlin"
