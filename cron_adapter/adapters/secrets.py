"""The shared secret from AWS Secrets Manager, cached for ``max_age`` seconds.

One ``GetSecretValue`` and a timestamp, not Powertools Parameters: importing that utility
loads its SSM, AppConfig and DynamoDB providers too, which the cold fire path paid for on
every fire of a sparse schedule (docs/decisions/cold-start.md).

The secret value is either a plain string, or, during rotation, JSON
``{"current": "...", "previous": "..."}``: the fire Lambda sends ``current``; receivers
accept both. Values shorter than 32 characters are refused. No error message, log line or
exception chain produced here contains the value.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from cron_adapter.adapters.aws import FIRE_PATH_CONFIG
from cron_adapter.constants import MIN_SECRET_LENGTH
from cron_adapter.errors import SecretError
from cron_adapter.fire.inputsig import InputKey
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
    """:class:`~cron_adapter.fire.ports.SecretSource` on Secrets Manager; lazy client, cached value."""

    def __init__(
        self,
        secret_id: str,
        client: Any | None = None,
        max_age: int = DEFAULT_MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.secret_id = secret_id
        self.max_age = max_age
        self._client = client
        self._clock = clock
        self._cached: tuple[float, Secret] | None = None  # (expires at, value)

    def get(self, refresh: bool = False) -> Secret:
        """The secret; within ``max_age`` of the last read it comes from memory (no AWS call) unless ``refresh``."""
        now = self._clock()
        if not refresh and self._cached is not None and now < self._cached[0]:
            return self._cached[1]
        if self._client is None:
            self._client = boto3.client("secretsmanager", config=FIRE_PATH_CONFIG)
        try:
            response = self._client.get_secret_value(SecretId=self.secret_id)
        except (ClientError, BotoCoreError) as exc:  # AWS's message names the secret, never its value
            raise SecretError(f"cannot read secret {self.secret_id!r}: {exc}") from None
        secret = parse_secret(response.get("SecretString", response.get("SecretBinary")), self.secret_id)
        if self.max_age > 0:
            self._cached = (now + self.max_age, secret)
        return secret

    def input_key(self, refresh: bool = False) -> InputKey:
        """The secret as the input-signing key (reconcile signs with it, fire verifies)."""
        secret = self.get(refresh)
        return InputKey(secret.current, secret.previous)
