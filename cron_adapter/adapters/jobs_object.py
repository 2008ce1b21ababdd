"""The jobs file as an S3 object: read its current version, upload a new one.

Reconcile reads through :meth:`S3JobsObject.fetch` (the ``JobsSource`` port); ``push``
uploads through :meth:`S3JobsObject.put`. The client is created on first use, so the
standard AWS environment (``AWS_ENDPOINT_URL``, region, credentials) applies.
"""

from __future__ import annotations

from typing import Any

from cron_adapter.errors import NoJobsFile


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

    def fetch(self) -> tuple[bytes, str]:
        """(content, ETag) of the current version; NoJobsFile if absent."""
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self.key)
        except self.client.exceptions.NoSuchKey as exc:
            raise NoJobsFile(f"s3://{self.bucket}/{self.key} does not exist") from exc
        return got["Body"].read(), str(got.get("ETag", "")).strip('"')

    def put(self, body: bytes) -> tuple[str, str | None]:
        """Upload a new version; (ETag, VersionId or None when unversioned)."""
        put = self.client.put_object(Bucket=self.bucket, Key=self.key, Body=body, ContentType="application/json")
        return str(put["ETag"]).strip('"'), put.get("VersionId")
