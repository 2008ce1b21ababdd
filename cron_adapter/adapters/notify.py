"""Notifications to the alarm topic (Amazon SNS); the client is created on first use."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from cron_adapter.adapters.dynamo_expr import error_code
from cron_adapter.errors import CronAdapterError


class SnsNotifier:
    """:class:`~cron_adapter.ops.ports.Notifier` publishing to one topic."""

    def __init__(self, topic_arn: str, client: Any | None = None) -> None:
        self.topic_arn = topic_arn
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("sns")
        return self._client

    def notify(self, subject: str, message: str) -> None:
        """Publish one message (SNS: subject under 100 ASCII characters)."""
        try:
            self.client.publish(TopicArn=self.topic_arn, Subject=subject, Message=message)
        except ClientError as exc:
            raise CronAdapterError(f"cannot publish to {self.topic_arn}: {error_code(exc)}") from exc


class NoNotifier:
    """Used when no topic is configured (``cron-adapter dev`` prints to its journal instead)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def notify(self, subject: str, message: str) -> None:
        """Keep the message."""
        self.sent.append((subject, message))
