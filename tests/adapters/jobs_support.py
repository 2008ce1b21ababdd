"""Shared helpers for the job-management tests on moto: a bucket, atomic conditional puts."""

from __future__ import annotations

import functools
import threading
from typing import Any

import boto3
import pytest
from moto.s3.responses import S3Response

from cron_adapter.jobs.loader import load_bytes
from tests.adapters.reconcile_support import BUCKET, World

KEY = "jobs.json"


def lock_moto_s3_puts(monkeypatch: pytest.MonkeyPatch) -> None:
    """S3 checks If-Match and writes atomically; moto checks, then writes: serialise its PutObject."""
    lock = threading.RLock()
    original = S3Response.put_object

    @functools.wraps(original)
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return original(self, *args, **kwargs)

    monkeypatch.setattr(S3Response, "put_object", locked)


def make_bucket() -> Any:
    """The versioned jobs bucket (as the stack provisions it); returns the S3 client."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return s3


def body(s3: Any) -> bytes:
    return s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read()


def versions(s3: Any) -> int:
    return len(s3.list_object_versions(Bucket=BUCKET, Prefix=KEY).get("Versions", []))


def reconcile_store(world: World, s3: Any) -> Any:
    """One reconcile of the store's current version, as the Lambda would run it."""
    return world.reconciler().run(lambda: load_bytes(body(s3)))
