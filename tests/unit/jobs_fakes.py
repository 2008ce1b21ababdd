"""An in-memory job store with S3's conditional-write semantics (checked against S3 on moto)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable

from cron_adapter.errors import NoJobsFile, StoreChanged
from cron_adapter.reconcile.ports import Fetched


class FakeJobsObject:
    """One object: fetch / put_if_match / put_if_absent, atomic under threads.

    The ETag is the MD5 of the content, as S3's is for a plain PutObject; every write is
    kept in ``versions`` (with its store timezone, S3's object metadata) so a test can
    check that no write was lost. ``before_put`` runs at the start of each conditional put,
    so a test can slip in a rival write.
    """

    def __init__(self, body: bytes | None = None, timezone: str | None = None) -> None:
        self.versions: list[tuple[bytes, str | None]] = [] if body is None else [(body, timezone)]
        self.lock = threading.Lock()
        self.before_put: Callable[[], None] | None = None

    @staticmethod
    def etag_of(body: bytes) -> str:
        return hashlib.md5(body).hexdigest()  # noqa: S324 - S3's ETag, not security

    @property
    def body(self) -> bytes | None:
        return self.versions[-1][0] if self.versions else None

    def fetch(self) -> Fetched:
        with self.lock:
            if not self.versions:
                raise NoJobsFile("s3://fake/jobs.json does not exist")
            body, zone = self.versions[-1]
            return Fetched(body, self.etag_of(body), zone)

    def put(self, body: bytes, timezone: str | None = None) -> tuple[str, str | None]:
        with self.lock:
            return self._write(body, timezone)

    def put_if_match(self, body: bytes, etag: str, timezone: str | None = None) -> tuple[str, str | None]:
        self._rival()
        with self.lock:
            if self.body is None or self.etag_of(self.body) != etag.strip('"'):
                raise StoreChanged("s3://fake/jobs.json changed since it was read")
            return self._write(body, timezone)

    def put_if_absent(self, body: bytes, timezone: str | None = None) -> tuple[str, str | None]:
        self._rival()
        with self.lock:
            if self.body is not None:
                raise StoreChanged("s3://fake/jobs.json changed since it was read")
            return self._write(body, timezone)

    def _write(self, body: bytes, timezone: str | None) -> tuple[str, str | None]:
        self.versions.append((body, timezone))
        return self.etag_of(body), str(len(self.versions))

    def _rival(self) -> None:
        if self.before_put:
            self.before_put()
