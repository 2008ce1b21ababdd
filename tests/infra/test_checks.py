"""Static gates on the synthesized template: cfn-lint and cdk-nag (AwsSolutions)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.infra


def test_cfn_lint_passes(synth):
    from cfnlint.api import ManualArgs, lint

    # W3005 (redundant DependsOn) is emitted by every CDK template; nothing else is waived.
    matches = lint(json.dumps(synth.data), config=ManualArgs(ignore_checks=["W3005"], regions=["us-east-1"]))
    assert [str(m) for m in matches] == []


def test_cdk_nag_aws_solutions_passes_with_reasoned_acknowledgements(synth):
    report = json.loads((synth.outdir / "validation-report.json").read_text())
    [plugin] = report["pluginReports"]
    assert (plugin["pluginName"], plugin["conclusion"], plugin["violations"]) == ("AwsSolutions", "success", [])
    # The synth itself ran the AwsSolutions plugin and would have raised ValidationFailed on
    # any unacknowledged finding; here we check every acknowledgement carries a real reason.
    acknowledged = {}
    for resource in synth.data["Resources"].values():
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []):
            acknowledged[rule["id"]] = rule["reason"]
    assert acknowledged, "cdk-nag did not run (no acknowledgement metadata in the template)"
    for rule_id, reason in acknowledged.items():
        assert len(reason) >= 40, (rule_id, reason)
    assert {rule_id.split("[")[0].removeprefix("AwsSolutions::") for rule_id in acknowledged} <= {
        "AwsSolutions-S1",
        "AwsSolutions-SMG4",
        "AwsSolutions-SQS3",
        "AwsSolutions-IAM4",
        "AwsSolutions-IAM5",
        "AwsSolutions-L1",
    }
