"""Which reconcile triggers an incoming Lambda event carries (pure).

Accepted, for the configured bucket and jobs key only (anything else is ignored):

* S3 ``ObjectCreated:*`` direct notifications (``Records[].eventSource == "aws:s3"``);
* S3 via EventBridge (``source == "aws.s3"``, ``detail-type == "Object Created"``);
* SQS messages whose body is an S3 notification (the local ``dev`` loop: moto cannot
  invoke Lambda from S3);
* the periodic drift repair ``{"cron-adapter": "drift-repair"}``.

The event's object version is deliberately ignored: reconcile always reads the current
object, so a stale or out-of-order event is harmless.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

DRIFT_REPAIR = {"cron-adapter": "drift-repair"}


@dataclass(frozen=True)
class Trigger:
    """Why this reconcile runs: ``upload`` (S3) or ``drift-repair``; ``ignored`` explains a skip."""

    kind: str
    detail: str = ""


def _s3_records(event: Any) -> Iterator[tuple[str, str, str]]:
    """(bucket, key, event name) of every S3 record, unwrapping SQS bodies."""
    for record in event.get("Records") or []:
        source = record.get("eventSource") or record.get("EventSource")
        if source == "aws:sqs":
            try:
                body = json.loads(record.get("body") or "{}")
            except json.JSONDecodeError:
                continue
            yield from _s3_records(body if isinstance(body, dict) else {})
        elif source == "aws:s3":
            s3 = record.get("s3") or {}
            yield (
                s3.get("bucket", {}).get("name", ""),
                unquote_plus(s3.get("object", {}).get("key", "")),
                str(record.get("eventName", "")),
            )


def parse_trigger(event: Any, bucket: str, key: str) -> Trigger:
    """The trigger in ``event`` for ``bucket``/``key``, or ``Trigger("ignored", why)``."""
    if not isinstance(event, dict):
        return Trigger("ignored", "event is not an object")
    if event.get("cron-adapter") == DRIFT_REPAIR["cron-adapter"]:
        return Trigger("drift-repair")
    if event.get("source") == "aws.s3" and event.get("detail-type") == "Object Created":
        detail = event.get("detail") or {}
        seen = [(detail.get("bucket", {}).get("name", ""), detail.get("object", {}).get("key", ""), "Object Created")]
    else:
        seen = list(_s3_records(event))
    for got_bucket, got_key, name in seen:
        if got_bucket == bucket and got_key == key and name.startswith(("ObjectCreated", "Object Created")):
            return Trigger("upload", f"s3://{bucket}/{key}")
    if seen:
        return Trigger("ignored", "other objects: " + ", ".join(f"s3://{b}/{k} ({n})" for b, k, n in seen))
    return Trigger("ignored", "not an S3, SQS or drift-repair event")
