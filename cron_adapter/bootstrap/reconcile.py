"""Builds the reconcile app from typed settings: the one place its adapters are chosen."""

from __future__ import annotations

from typing import Any

from cron_adapter.adapters.jobs_object import S3JobsObject
from cron_adapter.adapters.ledger import Ledger
from cron_adapter.adapters.scheduler import SchedulerAdapter
from cron_adapter.adapters.secrets import SecretsManagerSource
from cron_adapter.reconcile.app import ReconcileApp
from cron_adapter.reconcile_settings import ReconcileSettings


def build_reconcile_app(settings: ReconcileSettings, **overrides: Any) -> ReconcileApp:
    """The app with lazily created boto3 clients; keyword overrides replace an adapter."""
    s = settings
    parts: dict[str, Any] = {
        "scheduler": SchedulerAdapter(s.group, tps=s.scheduler_tps),
        "ledger": Ledger(s.table, s.group),
        "source": S3JobsObject(s.bucket, s.jobs_key),
    }
    if s.input_key_id:  # every schedule's input is signed with it; the fire Lambda refuses any other
        parts["signing_key"] = SecretsManagerSource(s.input_key_id).input_key
    parts.update(overrides)
    return ReconcileApp(s, **parts)
