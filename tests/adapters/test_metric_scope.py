"""Handlers publish metrics in their deployment's scope, even when imported before the env was set."""

from __future__ import annotations

import contextlib

import pytest
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from cron_adapter import constants as c
from cron_adapter.bootstrap.metric_scope import scope_metrics


class _Context:
    function_name = "fire"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:fire"
    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def _dimensions(metrics: Metrics) -> list[dict[str, str]]:
    metrics.add_metric(name=c.METRIC_CLAIMED, unit=MetricUnit.Count, value=1)
    doc = metrics.serialize_metric_set()
    metrics.clear_metrics()
    keys = doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
    return [{name: doc[name] for name in names} for names in keys]


def test_metrics_built_before_the_env_get_the_deployment_dimension(monkeypatch):
    monkeypatch.delenv(c.ENV_POWERTOOLS_SERVICE, raising=False)
    monkeypatch.delenv(c.ENV_POWERTOOLS_NAMESPACE, raising=False)
    metrics = Metrics(namespace=c.METRICS_NAMESPACE)  # as a handler does at import
    assert metrics.provider.service is None  # Powertools alone would publish no dimension
    monkeypatch.setenv(c.ENV_POWERTOOLS_SERVICE, "Team-A")
    scope_metrics(metrics)
    assert _dimensions(metrics) == [{"service": "Team-A"}]


def test_without_any_env_the_default_service_is_used():
    metrics = Metrics()
    scope_metrics(metrics, env={})
    assert metrics.provider.namespace == c.METRICS_NAMESPACE
    assert _dimensions(metrics) == [{"service": c.SERVICE_NAME}]


@pytest.mark.parametrize("module", ["handlers.fire", "handlers.reconcile"])
def test_each_handler_scopes_its_metrics_when_invoked(monkeypatch, module):
    import importlib

    handler = importlib.import_module(module)
    monkeypatch.setenv(c.ENV_POWERTOOLS_SERVICE, "Team-B")
    monkeypatch.setenv(c.ENV_POWERTOOLS_NAMESPACE, c.METRICS_NAMESPACE)
    # Any event: the scope is set first, before the handler validates or builds anything;
    # what happens next (a validation or settings error) is not what this test is about.
    with contextlib.suppress(Exception):
        handler.handler({"not": "an event"}, _Context())
    assert (handler.metrics.provider.service, handler.metrics.provider.namespace) == ("Team-B", c.METRICS_NAMESPACE)
