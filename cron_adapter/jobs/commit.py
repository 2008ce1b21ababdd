"""Read the job store, change one job, write it back only if nobody wrote in between.

Optimistic concurrency on the store's ETag::

    fetch -> (bytes, ETag E) -> edit -> put If-Match: E --ok--> committed
                                             \\--412--> fetch again, edit the FRESH bytes, ...

Each retry re-applies the edit to what the other writer left, so both changes are kept
(or the edit is refused against the fresh store, e.g. the id was taken meanwhile). After
``attempts`` lost races the edit gives up with ``EditConflict``: nothing of it was
written, and the caller says so. No change is ever silently lost: a write that lands
always started from the store's current bytes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from cron_adapter.errors import EditConflict, NoJobsFile, StoreChanged
from cron_adapter.jobs.edit import Edited
from cron_adapter.reconcile.ports import Fetched

DEFAULT_ATTEMPTS = 8
BACKOFF_SECONDS = 0.05  # first retry waits up to this; doubles each time (full jitter)
MAX_BACKOFF_SECONDS = 1.0


class VersionedStore(Protocol):
    """A store with conditional writes (see ``adapters.jobs_object.S3JobsObject``)."""

    def fetch(self) -> Fetched: ...  # NoJobsFile when absent
    def put_if_match(self, body: bytes, etag: str, timezone: str | None = None) -> tuple[str, str | None]: ...
    def put_if_absent(self, body: bytes, timezone: str | None = None) -> tuple[str, str | None]: ...


@dataclass(frozen=True)
class Committed:
    """The outcome of one edit: the store's ETag and version after it, and the edit itself."""

    edited: Edited
    etag: str
    version_id: str | None
    attempts: int

    @property
    def changed(self) -> bool:
        """False when the store already said so (nothing was written)."""
        return self.edited.changed


# The edit, applied to the current bytes (None: no store yet) and the store timezone uploaded with them.
Change = Callable[[bytes | None, str | None], Edited]


def commit(
    store: VersionedStore,
    change: Change,
    job_id: str,
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[float, float], float] = random.uniform,
) -> Committed:
    """Apply ``change`` to the current store and write it conditionally, retrying lost races."""
    for attempt in range(1, attempts + 1):
        try:
            got = store.fetch()
            data, etag, zone = got.data, got.etag, got.timezone
        except NoJobsFile:
            data, etag, zone = None, "", None
        edited = change(data, zone)  # refusals (unknown id, invalid field, ...) raise here: nothing written
        if not edited.changed:
            return Committed(edited, etag, None, attempt)
        try:
            if data is None:
                new_etag, version = store.put_if_absent(edited.data)
            else:
                new_etag, version = store.put_if_match(edited.data, etag, zone)
        except StoreChanged:
            if attempt < attempts:
                sleep(jitter(0.0, min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2 ** (attempt - 1))))
            continue
        return Committed(edited, new_etag, version, attempt)
    raise EditConflict(job_id, attempts)
