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


def test_cdk_json_runs_the_app_through_the_launcher():
    import json

    assert json.loads((APP.parent / "cdk.json").read_text())["app"] == "sh cdk-app.sh app.py"


def _launch(env: dict[str, str]) -> str:
    import subprocess

    code = "import sys, aws_cdk; print(sys.executable)"
    result = subprocess.run(
        ["sh", "cdk-app.sh", "-c", code], cwd=APP.parent, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_launcher_uses_the_venv_python_even_when_path_starts_with_usr_bin():
    import sys

    # What `npx aws-cdk@2` does: /usr/bin first, the venv's bin nowhere on PATH.
    venv = str(Path(sys.prefix))
    assert _launch({"PATH": "/usr/bin:/bin", "VIRTUAL_ENV": venv}) == str(Path(venv) / "bin" / "python")
    assert _launch({"PATH": "/usr/bin:/bin", "CRON_ADAPTER_PYTHON": sys.executable}) == sys.executable


def test_cdk_json_sets_every_recommended_feature_flag():
    import json
    import tarfile

    import aws_cdk

    [bundle] = (Path(aws_cdk.__file__).parent / "_jsii").glob("aws-cdk-lib@*.jsii.tgz")
    with tarfile.open(bundle) as tar:
        member = tar.extractfile("package/recommended-feature-flags.json")
        assert member is not None
        recommended = json.load(member)
    context = json.loads((APP.parent / "cdk.json").read_text())["context"]
    assert {k: context.get(k) for k in recommended} == recommended
