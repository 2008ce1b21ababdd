"""The fire function drops an asynchronous event older than EventBridge's own retry window.

Lambda keeps an event it cannot run yet (throttled) for 6 hours by default. The audit records
a run ``missed`` after about 10 minutes, and a late delivery still runs it, so without a bound
a throttled fire could run its job hours after its time. The stack bounds the fire function's
event age to EventBridge Scheduler's retry window; older events go to the dead-letter queue
(and its alarm), like any other failed fire.
"""

from __future__ import annotations

from typing import Any

import pytest

from cron_adapter import constants as c
from cron_adapter.reconcile.request_fields import DELIVERY_MAX_EVENT_AGE_SECONDS


def _invoke_config(synth: Any, handler: str) -> dict[str, Any]:
    function_id = next(
        k for k, v in synth.resources("AWS::Lambda::Function").items() if v["Properties"].get("Handler") == handler
    )
    configs = [
        v["Properties"]
        for v in synth.resources("AWS::Lambda::EventInvokeConfig").values()
        if v["Properties"]["FunctionName"] == {"Ref": function_id}
    ]
    assert len(configs) == 1
    return configs[0]


@pytest.mark.parametrize("which", ["synth", "custom_synth"])
def test_the_fire_function_keeps_an_event_no_longer_than_eventbridge_retries_it(
    which: str, request: pytest.FixtureRequest
) -> None:
    synth = request.getfixturevalue(which)
    queue_id, _ = synth.one("AWS::SQS::Queue")
    config = _invoke_config(synth, c.FIRE_HANDLER)
    assert config["MaximumEventAgeInSeconds"] == DELIVERY_MAX_EVENT_AGE_SECONDS == 3600
    assert config["DestinationConfig"] == {"OnFailure": {"Destination": {"Fn::GetAtt": [queue_id, "Arn"]}}}
    assert config["MaximumRetryAttempts"] == 2  # Lambda's retries still fit inside the hour


def test_the_reconcile_function_keeps_lambdas_default_event_age(synth: Any) -> None:
    """A reconcile hours late still converges the schedules; only a fire runs a job at the wrong time."""
    assert "MaximumEventAgeInSeconds" not in _invoke_config(synth, c.RECONCILE_HANDLER)


def test_the_bound_is_the_constant_the_template_uses() -> None:
    from cron_adapter_infra.functions import FIRE_MAX_EVENT_AGE

    assert FIRE_MAX_EVENT_AGE.to_seconds() == DELIVERY_MAX_EVENT_AGE_SECONDS


def test_the_fire_paths_copy_of_the_event_age_is_the_stacks() -> None:
    """The fire handler's time window (fire/time_window.py) counts Lambda's queue by this constant."""
    from cron_adapter_infra.functions import FIRE_MAX_EVENT_AGE

    assert FIRE_MAX_EVENT_AGE.to_seconds() == c.FIRE_MAX_EVENT_AGE_SECONDS
    assert c.DELIVERY_MAX_EVENT_AGE_SECONDS == DELIVERY_MAX_EVENT_AGE_SECONDS
