"""Watches the jobs file and re-pushes it on save.

Polls the file's modification time and size (no inotify dependency, works on every OS and
in containers); a change whose content hash differs is validated with the loader first, so
a half-saved or invalid file shows its problems instead of being pushed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from cron_adapter.errors import InvalidJobsFile
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.jobs.model import JobSet
from cron_adapter.jobs.urls import is_loopback


def elsewhere_on_loopback(jobset: JobSet, port: int | None) -> list[str]:
    """Warn about jobs aimed at this machine but not at the local target's port."""
    if port is None:
        return []
    elsewhere: dict[str, list[str]] = {}
    for job in jobset.jobs:
        url = urlsplit(job.target.url)
        if url.hostname and is_loopback(url.hostname) and (url.port or 80) != port:
            elsewhere.setdefault(f"{url.scheme}://{url.netloc}", []).append(job.id)
    return [
        f"{len(ids)} job(s) ({', '.join(ids[:3])}{', ...' if len(ids) > 3 else ''}) call {where}, but the local "
        f"target listens on 127.0.0.1:{port}: their calls fail unless something else listens there"
        for where, ids in elsewhere.items()
    ]


class JobsFileWatcher:
    """Calls ``push(data)`` when the file's content changes and validates."""

    def __init__(
        self,
        path: Path,
        push: Callable[[bytes], object],
        report: Callable[[str, str], None],
        *,
        format: str | None = None,
        timezone: str | None = None,
        base_url: str | None = None,
        local_port: int | None = None,
    ) -> None:
        self.path = path
        self._push = push
        self._report = report  # (kind, text)
        self._load_kwargs = {"format": format, "timezone": timezone, "base_url": base_url}
        self._local_port = local_port
        self._stamp: tuple[float, int] | None = None
        self._digest: str | None = None
        self.pushes = 0
        self.schedules: dict[str, str] = {}  # job id -> the schedule as written, from the last push

    def check(self) -> bool:
        """Push the file if it changed since the last check; True when pushed."""
        try:
            stat = self.path.stat()
        except OSError as exc:
            return self._once("missing", f"cannot read {self.path}: {exc.strerror}")
        stamp = (stat.st_mtime, stat.st_size)
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        data = self.path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest == self._digest:
            return False
        self._digest = digest
        return self._validate_and_push(data)

    def _validate_and_push(self, data: bytes) -> bool:
        try:
            jobset = load_bytes(data, source=str(self.path), **self._load_kwargs)  # type: ignore[arg-type]
        except InvalidJobsFile as exc:
            self._report("error", f"not pushed: {exc}")
            return False
        self._push(data)
        self.schedules = {job.id: job.schedule for job in jobset.jobs}
        self.pushes += 1
        verb = "pushed" if self.pushes == 1 else "re-pushed"
        self._report("watch", f"{verb} {self.path.name}: {len(jobset.jobs)} job(s)")
        for warning in jobset.warnings:
            if "CRON_ADAPTER_ALLOW_HTTP_LOOPBACK" not in warning:  # dev sets that flag
                self._report("info", warning)
        for warning in elsewhere_on_loopback(jobset, self._local_port):
            self._report("warning", warning)
        return True

    def _once(self, key: str, text: str) -> bool:
        if self._digest != key:
            self._digest = key
            self._stamp = None
            self._report("error", text)
        return False
