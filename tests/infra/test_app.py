"""infra/app.py: context values map onto typed props (no synth needed)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.infra

APP = Path(__file__).resolve().parents[2] / "infra" / "app.py"


def _app_module():
    spec = importlib.util.spec_from_file_location("cron_adapter_cdk_app", APP)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_context_overrides_become_props():
    import aws_cdk as cdk

    module = _app_module()
    app = cdk.App(
        context={
            "groupName": "team-a",
            "architecture": "x86_64",
            "hmac": "true",
            "tracing": "true",
            "dashboard": "false",
            "driftRepairMinutes": "15",
            "removalPolicy": "destroy",
        }
    )
    props = module.props_from_context(app)
    assert (props.group_name, props.architecture, props.hmac, props.tracing, props.dashboard) == (
        "team-a",
        "x86_64",
        True,
        True,
        False,
    )
    assert props.drift_repair_minutes == 15
    assert props.removal_policy == cdk.RemovalPolicy.DESTROY


def test_no_context_keeps_the_defaults():
    import aws_cdk as cdk
    from cron_adapter_infra import CronAdapterProps

    assert _app_module().props_from_context(cdk.App()) == CronAdapterProps()


def test_cdk_json_runs_the_app():
    import json

    assert json.loads((APP.parent / "cdk.json").read_text())["app"] == "python3 app.py"
