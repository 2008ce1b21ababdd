"""Shared CDK synths for the infra suite: one full synth (bundling + cdk-nag) per session.

The whole directory is skipped when the ``infra`` extra (aws-cdk-lib, cdk-nag, cfn-lint)
is not installed, so the fast suite runs anywhere.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"

if importlib.util.find_spec("aws_cdk") is None or importlib.util.find_spec("cdk_nag") is None:
    collect_ignore_glob = ["test_*.py"]
else:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    for path in (str(ROOT), str(INFRA)):  # appended: infra/app.py must not shadow anything
        if path not in sys.path:
            sys.path.append(path)


@dataclass(frozen=True)
class Synth:
    """One synthesized stack: its template (dict + assertions object) and cloud assembly dir."""

    template: Any  # aws_cdk.assertions.Template
    data: dict[str, Any]
    outdir: Path
    stack: Any

    def resources(self, type_: str) -> dict[str, dict[str, Any]]:
        """Logical id -> resource, for one CloudFormation type."""
        return {k: v for k, v in self.data["Resources"].items() if v["Type"] == type_}

    def one(self, type_: str, id_part: str = "") -> tuple[str, dict[str, Any]]:
        """The single resource of ``type_`` whose logical id contains ``id_part``."""
        found = [(k, v) for k, v in self.resources(type_).items() if id_part in k]
        assert len(found) == 1, f"expected one {type_} matching {id_part!r}, got {[k for k, _ in found]}"
        return found[0]


def _cdk_context() -> dict[str, Any]:
    """The feature flags of infra/cdk.json, so tests synthesize what `cdk deploy` does."""
    return json.loads((INFRA / "cdk.json").read_text())["context"]


def synthesize(props: Any = None, *, bundle: bool = True, nag: bool = True, build: Any = None) -> Synth:
    """Synthesize ``CronAdapterStack`` like app.py does (cdk-nag as a validation plugin).

    ``build(app)`` replaces the stack with one of the caller's (it returns the stack).
    """
    import aws_cdk as cdk
    from aws_cdk.assertions import Template
    from cdk_nag import AwsSolutionsChecks
    from cron_adapter_infra import CronAdapterStack

    context = _cdk_context()
    if not bundle:
        context["aws:cdk:bundling-stacks"] = []  # same asset hash, no pip
    app = cdk.App(context=context)
    stack = build(app) if build else CronAdapterStack(app, "CronAdapterTest", props=props)
    if nag:
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True))
    template = Template.from_stack(stack)  # raises ValidationFailed on any unacknowledged finding
    return Synth(template=template, data=template.to_json(), outdir=Path(app.outdir), stack=stack)


@pytest.fixture(scope="session")
def synth() -> Synth:
    """The default stack, bundled for real and gated by cdk-nag AwsSolutions."""
    return synthesize()


@pytest.fixture(scope="session")
def custom_synth() -> Synth:
    """Non-default props (x86_64, hmac, optional store settings); bundling skipped."""
    from aws_cdk import RemovalPolicy
    from cron_adapter_infra import CronAdapterProps

    props = CronAdapterProps(
        group_name="team-a.cron",
        jobs_key="config/jobs.json",
        architecture="x86_64",
        hmac=True,
        tracing=True,
        fire_reserved_concurrency=20,
        fire_memory_mb=512,
        drift_repair_minutes=15,
        store_format="hermes",
        store_timezone="Europe/Berlin",
        base_url="https://app.example.com",
        secret_name="team-a/cron-secret",
        alarm_email="oncall@example.com",
        removal_policy=RemovalPolicy.DESTROY,
        allowed_cidrs=("10.1.0.0/16", "fd12:3456::/48"),
    )
    return synthesize(props, bundle=False)


def two_adapters(app: Any) -> Any:
    """A user's stack holding two CronAdapter constructs with default props."""
    import aws_cdk as cdk
    from cron_adapter_infra import CronAdapter

    stack = cdk.Stack(app, "Platform")
    CronAdapter(stack, "Billing")
    CronAdapter(stack, "Reports")
    return stack


@pytest.fixture(scope="session")
def two_synth() -> Synth:
    """Two constructs in one stack (cdk-nag on, bundling skipped)."""
    return synthesize(bundle=False, build=two_adapters)


def embedded_app(app: Any) -> Any:
    """A user's stack embedding the construct with their own bucket, topic, tags and roles."""
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_sns as sns
    from cron_adapter_infra import CronAdapter, CronAdapterProps

    stack = cdk.Stack(app, "Platform")
    bucket = s3.Bucket.from_bucket_name(stack, "TheirBucket", "platform-config")
    topic = sns.Topic.from_topic_arn(stack, "TheirTopic", "arn:aws:sns:us-east-1:123456789012:oncall")
    cron = CronAdapter(
        stack,
        "Cron",
        props=CronAdapterProps(
            existing_bucket_obj=bucket,
            existing_topic_obj=topic,
            tags={"team": "platform"},
            lambda_function_props={"memory_size": 1024},
            jobs_key="cron/jobs.json",
        ),
    )
    deployer = iam.Role(stack, "Deployer", assumed_by=iam.AccountRootPrincipal())
    cron.grant_push_jobs(deployer)
    cron.grant_read_runs(deployer)
    app_role = iam.Role(stack, "AppRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    cron.grant_read_secret(app_role)
    cron.add_outputs()
    return stack


@pytest.fixture(scope="session")
def embedded_synth() -> Synth:
    """The construct embedded with bring-your-own resources (cdk-nag on, bundling skipped)."""
    return synthesize(bundle=False, build=embedded_app)
