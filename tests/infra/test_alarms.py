"""Every alarm of the stack can fire and reaches the topic.

An alarm is only worth having if three things hold: its metric is one something publishes
(an adapter metric named by runtime code, or an AWS metric of a resource in this stack),
its dimensions match what is published (the deployment's ``service``), and its actions
land on a topic CloudWatch may publish to. Each function the construct builds has an
Errors alarm, so a broken Lambda (the auditor included) never fails silently.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from cron_adapter import constants as c

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
METRIC_CONSTANTS = {v: k for k, v in vars(c).items() if k.startswith("METRIC_") and isinstance(v, str)}


def _alarms(synth) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in synth.resources("AWS::CloudWatch::Alarm").items()}


def _runtime_source() -> str:
    files = [*(ROOT / "cron_adapter").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]
    return "\n".join(f.read_text() for f in files if f.name != "constants.py")


def _our_functions(synth) -> dict[str, dict[str, Any]]:
    """The functions the construct builds (they carry the deployment's metric scope)."""
    return {
        k: v
        for k, v in synth.resources("AWS::Lambda::Function").items()
        if c.ENV_POWERTOOLS_SERVICE in v["Properties"].get("Environment", {}).get("Variables", {})
    }


def test_every_alarm_watches_a_metric_that_is_published_where_it_looks(synth) -> None:
    source = _runtime_source()
    functions = _our_functions(synth)
    services = {f["Properties"]["Environment"]["Variables"][c.ENV_POWERTOOLS_SERVICE] for f in functions.values()}
    queues = set(synth.resources("AWS::SQS::Queue"))
    for logical_id, alarm in _alarms(synth).items():
        namespace, dims = alarm["Namespace"], alarm["Dimensions"]
        if namespace == c.METRICS_NAMESPACE:
            constant = METRIC_CONSTANTS[alarm["MetricName"]]
            assert re.search(rf"\b{constant}\b", source), f"{logical_id}: nothing publishes {constant}"
            assert dims == [{"Name": "service", "Value": s} for s in services], logical_id
        elif namespace == "AWS/Lambda":
            [dim] = dims
            assert dim["Name"] == "FunctionName" and dim["Value"]["Ref"] in functions, logical_id
        elif namespace == "AWS/SQS":
            [dim] = dims
            assert dim["Value"]["Fn::GetAtt"][0] in queues, logical_id
        else:
            pytest.fail(f"{logical_id}: unexpected namespace {namespace}")
        assert alarm["Threshold"] >= 1 and alarm["EvaluationPeriods"] >= 1, logical_id
        # Five-minute periods, except the dead-letter backlog reminder (hourly, over a day).
        assert alarm["Period"] == (3600 if alarm["MetricName"] == "ApproximateNumberOfMessagesVisible" else 300)


def test_every_alarm_on_an_event_counts_it_so_each_new_event_notifies(synth) -> None:
    """CloudWatch notifies on a change of state only: an alarm on a level (queue depth) stays in
    ALARM while the level lasts, and every event after the first is silent. Only the backlog
    reminder watches a level, on purpose; the dead-letter alarm counts messages sent."""
    levels = {
        logical_id: alarm["MetricName"] for logical_id, alarm in _alarms(synth).items() if alarm["Statistic"] != "Sum"
    }
    assert sorted(levels.values()) == ["ApproximateNumberOfMessagesVisible"], levels
    assert any(a["MetricName"] == "NumberOfMessagesSent" for a in _alarms(synth).values())


def test_every_alarm_notifies_a_topic_cloudwatch_may_publish_to(synth) -> None:
    topic_id, _ = synth.one("AWS::SNS::Topic")
    [(_, policy)] = synth.resources("AWS::SNS::TopicPolicy").items()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    allow = [
        s
        for s in statements
        if s["Effect"] == "Allow" and s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert allow and all(s["Action"] == "sns:Publish" for s in allow)
    assert policy["Properties"]["Topics"] == [{"Ref": topic_id}]
    for logical_id, alarm in _alarms(synth).items():
        assert alarm["AlarmActions"] == [{"Ref": topic_id}], logical_id
        assert alarm["OKActions"] == [{"Ref": topic_id}], logical_id
        assert alarm.get("ActionsEnabled", True) is True, logical_id


def test_every_function_of_the_construct_has_an_errors_alarm(synth) -> None:
    functions = _our_functions(synth)
    assert {f["Properties"]["Handler"] for f in functions.values()} == {
        c.FIRE_HANDLER, c.RECONCILE_HANDLER, c.AUDIT_HANDLER,
    }  # fmt: skip
    watched = {
        a["Dimensions"][0]["Value"]["Ref"]
        for a in _alarms(synth).values()
        if a["Namespace"] == "AWS/Lambda" and a["MetricName"] == "Errors"
    }
    assert watched == set(functions)


def test_the_audit_errors_alarm_says_what_stops_working(synth) -> None:
    audit_id, _ = synth.one("AWS::Lambda::Function", "Audit")
    [alarm] = [
        a for a in _alarms(synth).values()
        if a["MetricName"] == "Errors" and a["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": audit_id}}]
    ]  # fmt: skip
    assert "missed runs are not being detected" in alarm["AlarmDescription"]
    assert alarm["Statistic"] == "Sum" and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_every_alarm_is_named_in_the_deploy_docs_and_has_a_runbook_row(synth) -> None:
    from cron_adapter_infra.alarms import ADAPTER_METRIC_ALARMS

    source = (ROOT / "infra" / "cron_adapter_infra" / "alarms.py").read_text()
    labels = [label for label, _ in ADAPTER_METRIC_ALARMS.values()] + re.findall(r'add_alarm\(\s*"(\w+)"', source)
    alarms = _alarms(synth)
    assert len(labels) == len(set(labels)) == len(alarms)  # every alarm of the stack is one of these
    deploy, runbook = (ROOT / "docs" / "deploy.md").read_text(), (ROOT / "docs" / "operations.md").read_text()
    rows = [line for line in runbook.splitlines() if line.startswith("| `")]
    for label in labels:
        assert any(label in logical_id for logical_id in synth.resources("AWS::CloudWatch::Alarm")), label
        assert f"`{label}`" in deploy, f"docs/deploy.md does not name the {label} alarm"
        assert any(f"`{label}`" in row.split("|")[1] for row in rows), f"no runbook row for {label}"


def test_an_audit_that_leaves_jobs_unaudited_sets_off_the_audit_incomplete_alarm(synth) -> None:
    """The audit publishes AuditIncomplete (jobs left) whenever it does not get through every job
    (tests/unit/ops/test_audit_incomplete.py); one such audit is enough to notify, and the alarm's
    actions reach the topic."""
    topic_id, _ = synth.one("AWS::SNS::Topic")
    [(logical_id, alarm)] = [
        (k, a) for k, a in _alarms(synth).items() if a["MetricName"] == c.METRIC_AUDIT_INCOMPLETE
    ]  # fmt: skip
    assert "AuditIncomplete" in logical_id
    assert alarm["Namespace"] == c.METRICS_NAMESPACE and alarm["Statistic"] == "Sum"
    assert (alarm["Threshold"], alarm["EvaluationPeriods"], alarm["Period"]) == (1, 1, 300)
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["AlarmActions"] == alarm["OKActions"] == [{"Ref": topic_id}]
    assert "missed runs of the jobs it left are not detected" in alarm["AlarmDescription"]
