"""Stops an exhausted job: deletes its schedules from the group (EventBridge Scheduler).

Deleting rather than disabling: UpdateSchedule replaces every field (a disable would need a
GetSchedule and a full copy), and reconcile reads the EXHAUSTED marker, so it will not
recreate them. A schedule that is already gone is fine.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from cron_adapter.adapters.aws import FIRE_PATH_CONFIG
from cron_adapter.adapters.dynamo_expr import error_code
from cron_adapter.errors import CronAdapterError


class SchedulerControl:
    """:class:`~cron_adapter.fire.ports.ScheduleControl` with a lazily created scheduler client."""

    def __init__(self, group: str, client: Any | None = None) -> None:
        self.group = group
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("scheduler", config=FIRE_PATH_CONFIG)
        return self._client

    def stop(self, job_id: str, schedules: tuple[str, ...]) -> None:
        """Delete each schedule of the job; ResourceNotFound means it is already gone."""
        for name in schedules:
            try:
                self.client.delete_schedule(Name=name, GroupName=self.group)
            except BotoCoreError as exc:  # a timeout or reset after botocore's retries
                raise CronAdapterError(
                    f"cannot delete schedule {name!r} of job {job_id!r}: {type(exc).__name__}"
                ) from exc
            except ClientError as exc:
                if error_code(exc) != "ResourceNotFoundException":
                    raise CronAdapterError(
                        f"cannot delete schedule {name!r} of job {job_id!r}: {error_code(exc)}"
                    ) from exc
