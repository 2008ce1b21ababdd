"""Builds the auditor from typed settings: the one place its adapters are chosen.

Catch-up runs go through the fire service built by :mod:`cron_adapter.bootstrap.fire`, so
they claim and call exactly as a scheduled fire does. Keyword overrides (clients, a
transport, a notifier) serve ``cron-adapter dev`` and the tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from cron_adapter.adapters.jobs_object import S3JobsObject
from cron_adapter.adapters.ledger import Ledger
from cron_adapter.adapters.notify import NoNotifier, SnsNotifier
from cron_adapter.adapters.runs import DynamoRunStore
from cron_adapter.adapters.scheduler import SchedulerAdapter
from cron_adapter.adapters.scheduleview import SchedulerView
from cron_adapter.adapters.target import Transport
from cron_adapter.bootstrap.fire import FireFactory
from cron_adapter.fire.input import FireInput
from cron_adapter.fire.ports import Clock, MetricSink
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.jobs.model import JobSet
from cron_adapter.ops.audit import AuditConfig
from cron_adapter.ops.ports import Notifier
from cron_adapter.ops.service import AuditReport, AuditService
from cron_adapter.reconcile.translate import Wiring
from cron_adapter.reconcile_settings import AuditSettings


class AuditApp:
    """Loads the current jobs file and audits it; built once per warm container."""

    def __init__(
        self,
        settings: AuditSettings,
        *,
        clients: dict[str, Any] | None = None,
        transport: Transport | None = None,
        clock: Clock | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        s, self._clients = settings, clients or {}
        r = s.reconcile
        self.settings = s
        self.source = S3JobsObject(r.bucket, r.jobs_key, client=self._clients.get("s3"))
        self.wiring = Wiring(r.group, r.fire_arn, r.role_arn, r.dlq_arn)
        self.fires = FireFactory(s.fire, transport=transport, clock=clock, clients=self._clients)
        topic = s.alarm_topic_arn
        self.notifier = notifier or (SnsNotifier(topic, self._clients.get("sns")) if topic else NoNotifier())
        scheduler = SchedulerAdapter(r.group, self._clients.get("scheduler"), tps=r.scheduler_tps)
        self.view = SchedulerView(scheduler, Ledger(r.table, r.group, self._clients.get("dynamodb")))
        self.store = DynamoRunStore(r.table, self._clients.get("dynamodb"))
        self.config = AuditConfig(
            timedelta(minutes=s.lookback_minutes),
            timedelta(minutes=s.grace_minutes),
            timedelta(seconds=r.create_grace_seconds),  # the same setting the reconcile reads
        )

    def jobs(self) -> JobSet:
        """The current jobs file, loaded as reconcile loads it."""
        r = self.settings.reconcile
        got = self.source.fetch()
        source = f"s3://{r.bucket}/{r.jobs_key}"
        zone = got.timezone or r.store_timezone  # the zone uploaded with the store wins, as in reconcile
        return load_bytes(got.data, format=r.store_format, timezone=zone, base_url=r.base_url, source=source)

    def service(self, log: Any, metrics: MetricSink, holder: str, deadline: Callable[[], float]) -> AuditService:
        """The audit service; catch-ups fire through the fire service as ``holder``."""
        fire_service = self.fires.service(log, metrics)

        def fire(fire_input: FireInput) -> str:
            return fire_service.fire(fire_input, holder=holder, deadline=deadline()).status

        return AuditService(
            self.store,
            self.view,
            self.notifier,
            metrics,
            self.wiring,
            fire,
            self.config,
            retention_days=self.settings.fire.run_retention_days,
            log=log,
        )

    def run(
        self, now: datetime, log: Any, metrics: MetricSink, holder: str, remaining: Callable[[], float]
    ) -> AuditReport:
        """Audit the current jobs file at ``now``."""
        service = self.service(log, metrics, holder, lambda: time.time() + remaining())
        return service.audit(self.jobs(), now, remaining)
