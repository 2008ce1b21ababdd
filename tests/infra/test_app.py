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


def _props(**context):
    import aws_cdk as cdk

    return _app_module().props_from_context(cdk.App(context=context))


def _context_error(**context) -> str:
    import aws_cdk as cdk

    module = _app_module()
    with pytest.raises(module.ContextError) as caught:
        module.props_from_context(cdk.App(context=context))
    return str(caught.value)


def test_every_new_key_maps_onto_its_prop():
    props = _props(
        baseUrl="https://agent.example.com",
        storeFormat="hermes",
        storeTimezone="Europe/Berlin",
        jwtAudience="agent:prod",
        jwtIssuer="https://cron.example.com",
        jwtAllowedAudiences="agent:staging, agent:dev",
        jwtAllowedIssuers='["https://cron.example.com"]',
        allowedCidrs="10.1.0.0/16,fd12:3456::/48",
        runRetentionDays="90",
        schedulerTps="20.5",
        maxDeleteShare="0.25",
        fireMemoryMb="512",
        fireReservedConcurrency="20",
        pythonVersion="3.12",
        jobsKey="config/jobs.json",
    )
    assert (props.base_url, props.store_format, props.store_timezone) == (
        "https://agent.example.com",
        "hermes",
        "Europe/Berlin",
    )
    assert (props.jwt_audience, props.jwt_issuer) == ("agent:prod", "https://cron.example.com")
    assert props.jwt_allowed_audiences == ("agent:staging", "agent:dev")
    assert props.jwt_allowed_issuers == ("https://cron.example.com",)
    assert props.allowed_cidrs == ("10.1.0.0/16", "fd12:3456::/48")
    assert (props.run_retention_days, props.scheduler_tps, props.max_delete_share) == (90, 20.5, 0.25)
    assert (props.fire_memory_mb, props.fire_reserved_concurrency, props.python_version) == (512, 20, "3.12")
    assert props.jobs_key == "config/jobs.json"


def test_cdk_json_values_keep_their_json_types():
    props = _props(
        hmac=True,
        dashboard=False,
        driftRepairMinutes=15,
        schedulerTps=5,
        jwtAudience="agent:prod",
        jwtAllowedAudiences=["agent:staging"],
        allowedCidrs=[],
    )
    assert (props.hmac, props.dashboard, props.drift_repair_minutes, props.scheduler_tps) == (True, False, 15, 5.0)
    assert (props.jwt_allowed_audiences, props.allowed_cidrs) == (("agent:staging",), ())


@pytest.mark.parametrize("empty", ["", "[]", []])
def test_an_empty_list_means_only_the_stacks_own(empty):
    props = _props(jwtAudience="agent:prod", jwtAllowedAudiences=empty, jwtIssuer="iss", jwtAllowedIssuers=empty)
    assert (props.jwt_allowed_audiences, props.jwt_allowed_issuers) == ((), ())


def test_an_empty_issuer_means_no_iss_and_other_empty_values_keep_the_defaults():
    from cron_adapter_infra import CronAdapterProps

    props = _props(jwtIssuer="", baseUrl="", storeFormat="", groupName="", driftRepairMinutes="", hmac="")
    assert props.jwt_issuer == ""
    assert props == CronAdapterProps(jwt_issuer="")
    assert _props(jwtAudience="a").jwt_allowed_audiences is None  # absent: any (props' None)
    assert _props(storeFormat="auto").store_format is None


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        (
            "driftRepairMinutes",
            "abc",
            "driftRepairMinutes='abc' must be a whole number of minutes, e.g. -c driftRepairMinutes=15",
        ),
        ("driftRepairMinutes", "1.5", "must be a whole number of minutes"),
        ("runRetentionDays", True, "runRetentionDays=True must be a whole number of days"),
        ("fireMemoryMb", "64", "fireMemoryMb='64' must be within 128..10240, e.g. -c fireMemoryMb=512"),
        ("fireReservedConcurrency", "lots", "must be a whole number of concurrent fires"),
        ("schedulerTps", "fast", "schedulerTps='fast' must be a number of calls per second"),
        ("schedulerTps", "nan", "must be a number of calls per second"),
        ("schedulerTps", "0", "must be within 0.1..10000"),
        ("maxDeleteShare", "half", "maxDeleteShare='half' must be a number"),
        ("hmac", "yes", "context hmac='yes' must be true or false, e.g. -c hmac=true"),
        ("dashboard", 1, "context dashboard=1 must be true or false"),
        ("removalPolicy", "keep", "removalPolicy='keep' must be one of retain, destroy, e.g. -c removalPolicy=destroy"),
        ("architecture", "amd64", "architecture='amd64' must be one of arm64, x86_64"),
        ("pythonVersion", "3.11", "pythonVersion='3.11' must be one of 3.12, 3.13, 3.14"),
        ("storeFormat", "yaml", "storeFormat='yaml' must be one of auto, native, hermes, sidecar"),
        ("storeTimezone", "Mars/Olympus", "storeTimezone='Mars/Olympus' must be an IANA time zone name"),
        ("storeTimezone", "a" * 300, "must be an IANA time zone name"),
        ("baseUrl", "http://agent.example.com", "baseUrl='http://agent.example.com' must be an https:// URL"),
        ("baseUrl", "agent.example.com", "must be an https:// URL"),
        ("baseUrl", "https://agent.example.com/?x=1", "must have no ?query or #fragment"),
        ("baseUrl", "https://[::1", "must be an https:// URL"),
        ("jwtAudience", ["a"], "jwtAudience=['a'] must be a string, e.g. -c jwtAudience=agent:prod"),
        ("jwtAllowedAudiences", "[1, 2]", "jwtAllowedAudiences='[1, 2]' must be a comma-separated list or a JSON list"),
        ("jwtAllowedIssuers", '["a"', "must be a comma-separated list or a JSON list of strings"),
        ("allowedCidrs", {"a": 1}, "must be a comma-separated list or a JSON list of strings"),
        ("stackName", "1st_stack", "stackName='1st_stack' must start with a letter"),
    ],
)
def test_a_bad_value_names_the_key_the_value_and_the_fix(key, value, expected):
    message = _context_error(**{key: value})
    assert message.startswith(f"context {key}=")
    assert expected in message
    assert "e.g. -c " in message


def test_every_bad_value_is_reported_at_once():
    lines = _context_error(hmac="yes", driftRepairMinutes="abc").splitlines()
    assert [line.split("=")[0] for line in lines] == ["context hmac", "context driftRepairMinutes"]


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"runRetentionDays": "0"}, "run_retention_days must be within 1..3650 (from context runRetentionDays='0')"),
        ({"maxDeleteShare": "2"}, "max_delete_share must be within 0..1 (from context maxDeleteShare='2')"),
        ({"driftRepairMinutes": "0"}, "drift_repair_minutes must be >= 1"),
        ({"fireReservedConcurrency": "0"}, "fire_reserved_concurrency must be >= 1"),
        ({"groupName": "team a"}, "group_name 'team a' must match"),
        ({"jobsKey": "/jobs.json"}, "jobs_key '/jobs.json' must be a non-empty S3 key"),
        ({"allowedCidrs": "10.1.0.0/16,intranet"}, "allowed_cidrs entry 'intranet' is not a CIDR block"),
        ({"jwtAllowedAudiences": ""}, "jwt_allowed_audiences is empty and jwt_audience is unset or empty"),
        ({"jwtAllowedAudiences": '["a,b"]', "jwtAudience": "x"}, "jwt_allowed_audiences entry 'a,b'"),
    ],
)
def test_props_own_problems_come_through_naming_the_context(context, expected):
    message = _context_error(**context)
    assert message.startswith("invalid CronAdapterProps: ")
    assert expected in message


def test_a_likely_typo_of_a_key_warns_and_unknown_keys_pass(capsys):
    from cron_adapter_infra import CronAdapterProps

    props = _props(baseurl="https://x.example.com", BaseUrl="y", jwt_audience="z", **{"@aws-cdk/core:flag": True})
    assert props == CronAdapterProps()
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 3
    assert all("did you mean -c " in w for w in warnings)
    assert "context 'baseurl' is not a key of this app" in warnings[0]
    assert "-c baseUrl=" in warnings[0] and "-c jwtAudience=" in warnings[2]


def test_the_app_reports_a_bad_value_on_stderr_with_status_1(tmp_path):
    import json
    import os
    import subprocess
    import sys

    # The CDK CLI hands the app its merged context in CDK_CONTEXT_JSON.
    context = {"driftRepairMinutes": "abc", "baseurl": "https://agent.example.com"}
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps(context), "CDK_OUTDIR": str(tmp_path)}
    result = subprocess.run([sys.executable, str(APP)], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        "cron-adapter: context driftRepairMinutes='abc' must be a whole number of minutes, "
        "e.g. -c driftRepairMinutes=15" in result.stderr
    )
    assert "did you mean -c baseUrl=" in result.stderr
    assert not list(tmp_path.iterdir())  # nothing synthesized


class _FakeNode:
    def __init__(self, context: dict) -> None:
        self.context = context

    def get_all_context(self) -> dict:
        return self.context


_JUNK = [
    *["", " ", "abc", "-1", "0", "1e400", "nan", "1.5", "true", "[", '["a",""]', "a,,b", "https://[::1", "\x00"],
    *["a" * 5000, 1, 0, -5, 1.5, True, [], [1], ["a"], {"a": 1}, 10**30],
]


def test_any_context_value_is_a_context_error_or_props_never_a_traceback() -> None:
    """Random values for random keys (bounded, seeded): only ContextError ever comes out."""
    import random

    module = _app_module()
    rng, outcomes = random.Random(7), {"props": 0, "refused": 0}
    for _ in range(1500):
        keys = rng.sample(sorted(module.KEYS), rng.randint(1, 5))
        app = type("App", (), {"node": _FakeNode({k: rng.choice(_JUNK) for k in keys})})()
        try:
            module.props_from_context(app)
            outcomes["props"] += 1
        except module.ContextError as exc:
            assert str(exc).strip()  # a message, one line per problem
            outcomes["refused"] += 1
    assert outcomes["props"] > 0 and outcomes["refused"] > 0  # both paths were exercised
