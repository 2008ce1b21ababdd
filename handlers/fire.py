"""Fire Lambda: EventBridge Scheduler delivers one FireInput; claim it once, call, record.

Tracing: no Powertools Tracer. Constructing it imports aws_xray_sdk (~0.4-0.8 s cold,
measured), more than the whole fire path; the Lambda's own X-Ray segment still records
each invocation when active tracing is on.
"""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from cron_adapter.bootstrap.fire import FireFactory
from cron_adapter.bootstrap.metric_scope import scope_metrics
from cron_adapter.constants import METRIC_INPUT_MALFORMED, METRIC_INPUT_REFUSED, METRICS_NAMESPACE, SERVICE_NAME
from cron_adapter.errors import FireInputRefused
from cron_adapter.fire.input import parse_input
from cron_adapter.fire.inputsig import unseal
from cron_adapter.fire.time_window import check_window

# Lean lines: every fire logs one, so its bytes are a line of the cost per fire. The log
# group already names the function, so the fire keeps only the request id, not Powertools'
# Lambda context (name, ARN, memory, cold start) or the code location (docs/cost.md).
logger = Logger(service=SERVICE_NAME)
metrics = Metrics(namespace=METRICS_NAMESPACE)
factory = FireFactory()  # builds nothing until the first invocation


@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Validate the input, its signature and its time window (a bad event fails here, before any call), then fire."""
    logger.clear_state()
    logger.remove_keys(["location"])  # after clear_state: the formatter (shared in dev and tests) restores it
    logger.append_keys(request_id=context.aws_request_id)
    scope_metrics(metrics)  # the deployment's dimension, even if imported before the env was set
    body, sig = unseal(event)
    try:
        fire = parse_input(body)
    except FireInputRefused as exc:
        logger.error("malformed fire input", extra={"error": str(exc)})  # one line: the field and what is wrong
        metrics.add_metric(name=METRIC_INPUT_MALFORMED, unit="Count", value=1)  # nothing else is called or recorded
        raise
    try:
        factory.verifier().check(body, sig)  # a forged input could name any URL: refuse it before the secret is read
        # scheduled_time is unsigned: a replay naming a future time would claim that run now and suppress it.
        check_window(fire.job_id, fire.scheduled_time, factory.schedule_now())
    except FireInputRefused as exc:
        logger.error("refused fire input", extra={"reason": exc.reason, "detail": str(exc), "job_id": fire.job_id})
        metrics.add_metric(name=METRIC_INPUT_REFUSED, unit="Count", value=1)  # nothing claimed, called or recorded
        raise
    deadline = time.time() + context.get_remaining_time_in_millis() / 1000
    outcome = factory.service(logger, metrics).fire(fire, holder=context.aws_request_id, deadline=deadline)
    logger.info("fire finished", extra=outcome.to_dict())
    return outcome.to_dict()
