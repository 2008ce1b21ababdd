"""CDK infrastructure for cron-adapter: the reusable construct, its props and a stack."""

from __future__ import annotations

from cron_adapter_infra.construct import CronAdapter
from cron_adapter_infra.functions import FunctionSpec
from cron_adapter_infra.props import CronAdapterProps
from cron_adapter_infra.stack import CronAdapterStack
from cron_adapter_infra.triggers import DRIFT_REPAIR_INPUT

__all__ = ["DRIFT_REPAIR_INPUT", "CronAdapter", "CronAdapterProps", "CronAdapterStack", "FunctionSpec"]
