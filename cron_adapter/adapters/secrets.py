"""The shared secret from AWS Secrets Manager, through Powertools Parameters (cached).

The secret value is either a plain string, or, during rotation, JSON
``{"current": "...", "previous": "..."}``: the fire Lambda sends ``current``; receivers
accept both. Values shorter than 32 characters are refused. No error message, log line or
exception chain produced here contains the value.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from cron_adapter.adapters.aws import FIRE_PATH_CONFIG
from cron_adapter.constants import MIN_SECRET_LENGTH
from cron_adapter.errors import SecretError
from cron_adapter.fire.ports import Secret

DEFAULT_MAX_AGE_SECONDS = 300


def parse_secret(raw: str | bytes | Any, secret_id: str) -> Secret:
    """Parse a plain or ``{"current", "previous"}`` value and enforce the minimum length."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if not isinstance(raw, str):
        raise SecretError(f"secret {secret_id!r} is not a string")
    current, previous = raw.strip(), None
    if current.startswith("{"):
        try:
            parsed = json.loads(current)
        except ValueError:
            parsed = None  # a plain secret that happens to start with "{"
        if isinstance(parsed, dict) and "current" in parsed:
            current, previous = str(parsed.get("current") or ""), parsed.get("previous") or None
    for label, value in (("current", current), ("previous", previous)):
        if value is not None and len(str(value)) < MIN_SECRET_LENGTH:
            raise SecretError(
                f"secret {secret_id!r} ({label} value) is shorter than {MIN_SECRET_LENGTH} characters; "
                "fix: store a longer random value (e.g. `openssl rand -hex 32`)"
            )
    return Secret(current, str(previous) if previous is not None else None)


class SecretsManagerSource:
    """:class:`~cron_adapter.fire.ports.SecretSource` on Powertools ``SecretsProvider``; lazy client."""

    def __init__(self, secret_id: str, client: Any | None = None, max_age: int = DEFAULT_MAX_AGE_SECONDS) -> None:
        self.secret_id = secret_id
        self.max_age = max_age
        self._client = client
        self._provider: SecretsProvider | None = None

    def get(self) -> Secret:
        """Return the secret; a warm call is served from the Powertools cache (no AWS call)."""
        if self._provider is None:
            client = self._client or boto3.client("secretsmanager", config=FIRE_PATH_CONFIG)
            self._provider = SecretsProvider(boto3_client=client)
        try:
            raw = self._provider.get(self.secret_id, max_age=self.max_age)
        except GetParameterError as exc:
            raise SecretError(f"cannot read secret {self.secret_id!r}: {exc}") from None
        return parse_secret(raw, self.secret_id)
