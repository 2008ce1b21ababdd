"""The jobs file as an S3 object: read its current version, upload a new one.

Reconcile reads through :meth:`S3JobsObject.fetch` (the ``JobsSource`` port); ``push``
uploads through :meth:`S3JobsObject.put`; ``cron-adapter jobs`` writes through
:meth:`S3JobsObject.put_if_match` / :meth:`S3JobsObject.put_if_absent`, S3's conditional
writes, so two editors never overwrite each other. The client is created on first use, so
the standard AWS environment (``AWS_ENDPOINT_URL``, region, credentials) applies.

A missing key is answered with 404 NoSuchKey only when the caller may list the bucket;
otherwise S3 says 403 AccessDenied, so that a caller cannot probe which keys exist
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "Permissions").
The stack grants ``s3:ListBucket`` limited to the jobs key; on a 403 the adapter still
asks the listing whether the key exists, so a deployment that lacks that grant reports
"no jobs file" only when the object truly is missing, and a real denial stays an error.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from cron_adapter.constants import JOBS_TIMEZONE_METADATA
from cron_adapter.errors import NoJobsFile, StoreChanged
from cron_adapter.jobs.rawjson import MAX_FILE_BYTES, too_large
from cron_adapter.reconcile.ports import Fetched

# S3 answers a failed If-Match / If-None-Match with 412 PreconditionFailed, and a conditional
# write racing another one on the same key with 409 ConditionalRequestConflict; both mean
# "the object moved: read it again". A missing key under If-Match is 404 NoSuchKey.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
_LOST_RACE = {"PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey"}


class S3JobsObject:
    """One jobs object (bucket + key)."""

    def __init__(self, bucket: str, key: str, client: Any = None) -> None:
        self.bucket, self.key, self._client = bucket, key, client

    @property
    def client(self) -> Any:
        """The S3 client, created on first use."""
        if self._client is None:
            import boto3

            self._client = boto3.client("s3")
        return self._client

    def fetch(self) -> Fetched:
        """Content, ETag and store timezone (object metadata) of the current version; NoJobsFile if absent."""
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self.key)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == "NoSuchKey" or (code == "AccessDenied" and self._listed_as_missing()):
                raise NoJobsFile(f"s3://{self.bucket}/{self.key} does not exist") from exc
            raise
        size = int(got.get("ContentLength") or 0)
        if size > MAX_FILE_BYTES:  # refused unread: reading it would use the memory the limit guards
            got["Body"].close()
            raise too_large(size, f"s3://{self.bucket}/{self.key}")
        zone = (got.get("Metadata") or {}).get(JOBS_TIMEZONE_METADATA) or None
        return Fetched(got["Body"].read(), str(got.get("ETag", "")).strip('"'), zone, got.get("VersionId"))

    def _listed_as_missing(self) -> bool:
        """True if a listing of the key's prefix shows no such key (False if it may not list)."""
        try:
            listed = self.client.list_objects_v2(Bucket=self.bucket, Prefix=self.key, MaxKeys=1)
        except ClientError:
            return False  # no listing right either: the 403 stands, as a real denial
        return not any(item.get("Key") == self.key for item in listed.get("Contents", []))

    def put(self, body: bytes, timezone: str | None = None) -> tuple[str, str | None]:
        """Upload a new version (with the store timezone as metadata); (ETag, VersionId or None)."""
        extra = {"Metadata": {JOBS_TIMEZONE_METADATA: timezone}} if timezone else {}
        put = self.client.put_object(
            Bucket=self.bucket, Key=self.key, Body=body, ContentType="application/json", **extra
        )
        return str(put["ETag"]).strip('"'), put.get("VersionId")

    def put_if_match(self, body: bytes, etag: str, timezone: str | None = None) -> tuple[str, str | None]:
        """Upload only if the current version's ETag is ``etag``; StoreChanged otherwise."""
        return self._put_conditionally(body, timezone, IfMatch='"' + etag.strip('"') + '"')

    def put_if_absent(self, body: bytes, timezone: str | None = None) -> tuple[str, str | None]:
        """Upload only if the key does not exist yet; StoreChanged otherwise."""
        return self._put_conditionally(body, timezone, IfNoneMatch="*")

    def _put_conditionally(self, body: bytes, timezone: str | None, **condition: Any) -> tuple[str, str | None]:
        if timezone:  # a new version carries no metadata of the old one: send the store timezone again
            condition["Metadata"] = {JOBS_TIMEZONE_METADATA: timezone}
        try:
            put = self.client.put_object(
                Bucket=self.bucket, Key=self.key, Body=body, ContentType="application/json", **condition
            )
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code", "")) in _LOST_RACE:
                raise StoreChanged(f"s3://{self.bucket}/{self.key} changed since it was read") from exc
            raise
        return str(put["ETag"]).strip('"'), put.get("VersionId")
