"""Builds the fire service from typed settings, once per warm container.

Nothing is created at import: the first ``service()`` call reads ``FireSettings`` from the
environment and builds the adapters, whose boto3 clients are themselves created on first
use. Keyword overrides (transport, clients, clock) serve ``cron-adapter dev`` and the bench.
``schedule_clock`` is the "now" a delivered scheduled time is judged against (default: the
fire clock); ``cron-adapter dev`` points it at its simulated clock, which runs ahead of the
real time its leases and TTLs keep.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from cron_adapter import constants as c
from cron_adapter.adapters.aws import quiet_sdk_logs
from cron_adapter.adapters.claims import DynamoClaimStore
from cron_adapter.adapters.schedule_control import SchedulerControl
from cron_adapter.adapters.secrets import SecretsManagerSource
from cron_adapter.adapters.target import HttpTargetCaller, Transport
from cron_adapter.errors import FireInputRefused
from cron_adapter.fire.inputsig import InputKey, InputVerifier
from cron_adapter.fire.ports import Clock, MetricSink
from cron_adapter.fire.service import FireConfig, FireService
from cron_adapter.fire.tokens import TokenDefaults
from cron_adapter.settings import FireSettings


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class FireFactory:
    """A cached, thread-safe builder of :class:`FireService`."""

    def __init__(
        self,
        settings: FireSettings | None = None,
        *,
        transport: Transport | None = None,
        clock: Clock | None = None,
        clients: dict[str, Any] | None = None,
        schedule_clock: Callable[[], float] | None = None,
    ) -> None:
        self._settings = settings
        self._transport = transport
        self._clock = clock
        self._schedule_clock = schedule_clock
        self._clients = clients or {}
        self._service: FireService | None = None
        self._verifier: InputVerifier | None = None
        self._lock = threading.Lock()

    def settings(self) -> FireSettings:
        """The settings given, else read once from the environment."""
        if self._settings is None:
            self._settings = FireSettings.from_env()
        return self._settings

    def _fire_clock(self) -> Clock:
        """The clock given, else the real one (leases, TTLs, deadlines)."""
        return self._clock or SystemClock()

    def schedule_now(self) -> float:
        """Now, in epoch seconds, for judging a delivered scheduled time (the fire clock unless told otherwise)."""
        return self._schedule_clock() if self._schedule_clock else self._fire_clock().now()

    def use_schedule_clock(self, now: Callable[[], float]) -> None:
        """Judge scheduled times against ``now`` from here on (``cron-adapter dev``'s simulated clock)."""
        self._schedule_clock = now

    def verifier(self) -> InputVerifier:
        """The input-signature check, built on first use; its key is cached like the target secret."""
        if self._verifier is None:
            with self._lock:
                if self._verifier is None:
                    self._verifier = self._build_verifier()
        return self._verifier

    def _build_verifier(self) -> InputVerifier:
        quiet_sdk_logs()  # before the first AWS call: the key would otherwise reach DEBUG logs
        key_id = self.settings().input_key_id
        clock = self._fire_clock()
        if not key_id:

            def no_key(refresh: bool) -> InputKey:
                raise FireInputRefused("no-key", f"no input-signing key is configured ({c.ENV_INPUT_KEY_ID})")

            return InputVerifier(no_key, clock.now)
        source = SecretsManagerSource(key_id, client=self._clients.get("secretsmanager"))
        return InputVerifier(source.input_key, clock.now)

    def service(self, log: Any, metrics: MetricSink) -> FireService:
        """Return the service, building it on first use."""
        if self._service is None:
            with self._lock:
                if self._service is None:
                    self._service = self._build(log, metrics)
        return self._service

    def _tokens(self, s: FireSettings) -> TokenDefaults:
        """Fire-token settings; the key secret is read (and cached) only when a jwt target fires."""
        allowed = (s.jwt_audiences, s.jwt_issuers)
        if not s.jwt_secret_id:
            return TokenDefaults(None, s.jwt_audience, s.jwt_issuer, *allowed)
        source = SecretsManagerSource(s.jwt_secret_id, client=self._clients.get("secretsmanager"))
        return TokenDefaults(lambda: source.get().current, s.jwt_audience, s.jwt_issuer, *allowed)

    def _build(self, log: Any, metrics: MetricSink) -> FireService:
        quiet_sdk_logs()  # before the first AWS call: the secrets would otherwise reach DEBUG logs
        s = self.settings()
        return FireService(
            store=DynamoClaimStore(s.table, client=self._clients.get("dynamodb")),
            caller=HttpTargetCaller(
                s.allow_http_loopback,
                transport=self._transport,
                allowed_cidrs=s.allowed_cidrs,
                address_order=s.address_order,  # type: ignore[arg-type]  # checked by FireSettings
            ),
            secrets=SecretsManagerSource(s.secret_id, client=self._clients.get("secretsmanager")),
            clock=self._fire_clock(),
            schedules=SchedulerControl(s.group, client=self._clients.get("scheduler")),
            metrics=metrics,
            config=FireConfig(retention_days=s.run_retention_days, hmac=s.hmac, tokens=self._tokens(s)),
            log=log,
        )
