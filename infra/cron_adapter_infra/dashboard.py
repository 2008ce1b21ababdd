"""The CloudWatch dashboard: fires, targets, reconcile actions, Lambdas, and every alarm's state.

The alarm-status widget is filled at synth time (an aspect), so alarms added to the
construct after it was built, through :meth:`CronAdapter.add_alarm`, show up too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import jsii
from aws_cdk import Aspects, Duration, IAspect
from aws_cdk import aws_cloudwatch as cw
from constructs import IConstruct

from cron_adapter import constants as c

if TYPE_CHECKING:
    from cron_adapter_infra.construct import CronAdapter


def make_dashboard(adapter: CronAdapter) -> cw.Dashboard:
    """Four graphs of the deployment's metrics; the alarm row is added at synth."""
    dashboard = cw.Dashboard(adapter, "Dashboard", default_interval=Duration.days(1))
    dashboard.add_widgets(*_fire_row(adapter))
    dashboard.add_widgets(*_reconcile_row(adapter))
    Aspects.of(dashboard).add(_AlarmRow(adapter, dashboard))
    return dashboard


def _fire_row(adapter: CronAdapter) -> tuple[cw.GraphWidget, cw.GraphWidget]:
    m = adapter.metric
    return (
        cw.GraphWidget(
            title="Fires",
            left=[m(c.METRIC_CLAIMED), m(c.METRIC_DUPLICATE), m(c.METRIC_CLAIM_ERROR)],
            right=[m(c.METRIC_SKIPPED_OVERLAP), m(c.METRIC_LOST), m(c.METRIC_MISSED_RUN)],
            width=12,
        ),
        cw.GraphWidget(
            title="Targets",
            left=[m(c.METRIC_TARGET_SUCCEEDED), m(c.METRIC_TARGET_FAILED), m(c.METRIC_GONE)],
            right=[m(c.METRIC_TARGET_LATENCY, "p50"), m(c.METRIC_TARGET_LATENCY, "p99")],
            width=12,
        ),
    )


def _reconcile_row(adapter: CronAdapter) -> tuple[cw.GraphWidget, cw.GraphWidget]:
    m = adapter.metric
    fire, reconcile, dlq = adapter.fire_function, adapter.reconcile_function, adapter.dlq
    return (
        cw.GraphWidget(
            title="Reconcile actions",
            left=[
                m(c.METRIC_RECONCILE_CREATED),
                m(c.METRIC_RECONCILE_UPDATED),
                m(c.METRIC_RECONCILE_DELETED),
                m(c.METRIC_DRIFT_REPAIRED),
            ],
            right=[m(c.METRIC_RECONCILE_REJECTED), m(c.METRIC_RECONCILE_FAILED), m(c.METRIC_RECONCILE_CONTENDED)],
            width=12,
        ),
        cw.GraphWidget(
            title="Lambdas and dead letters",
            left=[
                fire.metric_errors(),
                fire.metric_throttles(),
                reconcile.metric_errors(),
                reconcile.metric_throttles(),
            ],
            right=[dlq.metric_approximate_number_of_messages_visible(statistic="Maximum")],
            width=12,
        ),
    )


@jsii.implements(IAspect)
class _AlarmRow:
    """Adds one alarm-status widget listing every alarm of the adapter, once, at synth."""

    def __init__(self, adapter: CronAdapter, dashboard: cw.Dashboard) -> None:
        self._adapter, self._dashboard, self._done = adapter, dashboard, False

    def visit(self, node: IConstruct) -> None:
        if self._done or node.node.path != self._dashboard.node.path:
            return
        self._done = True
        alarms = list(self._adapter.alarms.values())
        self._dashboard.add_widgets(cw.AlarmStatusWidget(title="Alarms", alarms=alarms, width=24))
