"""Routes uploads of the jobs file to the real reconcile handler.

moto cannot invoke a Lambda from S3, but it can notify SQS. The emulated bucket notifies
the upload queue (see ``emulator.provision``); this router polls it and calls
``handlers.reconcile.handler`` with the SQS event Lambda's event source mapping would send.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from cron_adapter.local.emulator import Resources, client
from cron_adapter.local.journal import Journal
from cron_adapter.local.lambda_context import LocalContext
from cron_adapter.local.simclock import SimClock

Handler = Callable[[dict[str, Any], Any], Any]
ACTION_KEYS = ("created", "updated", "deleted", "drift_repaired")


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping delivers for ``messages``."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


def _is_upload(body: str) -> bool:
    """S3 sends an ``s3:TestEvent`` when the notification is configured; skip it."""
    try:
        return "Records" in json.loads(body)
    except ValueError:
        return False


def action_counts(result: Any) -> Counter[str]:
    """Reconcile action counts from whatever shape the handler returns."""
    found: Counter[str] = Counter()
    if isinstance(result, dict):
        nested = result.get("counts")
        counts: dict[str, Any] = nested if isinstance(nested, dict) else result
        found.update({k: int(v) for k, v in counts.items() if k in ACTION_KEYS and isinstance(v, int | float)})
    return found


class UploadRouter:
    """Push the jobs file to S3 and hand each resulting notification to reconcile."""

    def __init__(self, resources: Resources, journal: Journal, clock: SimClock, handler: Handler) -> None:
        self._res = resources
        self._journal = journal
        self._clock = clock
        self._handler = handler
        self._s3 = client("s3", resources.endpoint, resources.region)
        self._sqs = client("sqs", resources.endpoint, resources.region)
        self._queue_arn = self._sqs.get_queue_attributes(
            QueueUrl=resources.upload_queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self.runs = 0

    def push(self, data: bytes) -> str:
        """Upload the jobs file like ``aws s3 cp``; returns the new object version."""
        put = self._s3.put_object(
            Bucket=self._res.bucket, Key=self._res.jobs_key, Body=data, ContentType="application/json"
        )
        return str(put.get("VersionId", ""))

    def poll(self, wait_seconds: int = 0) -> int:
        """Deliver waiting notifications to the reconcile handler; returns how many ran."""
        got = self._sqs.receive_message(
            QueueUrl=self._res.upload_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
        ).get("Messages", [])
        uploads = [m for m in got if _is_upload(m["Body"])]
        if uploads:
            self._run(uploads)
        for m in got:
            self._sqs.delete_message(QueueUrl=self._res.upload_queue_url, ReceiptHandle=m["ReceiptHandle"])
        return len(uploads)

    def _run(self, messages: list[dict[str, Any]]) -> None:
        context = LocalContext(
            "cron-adapter-reconcile", self._res.fire_arn.replace("cron-adapter-fire", "cron-adapter-reconcile")
        )
        try:
            result = self._handler(sqs_event(messages, self._queue_arn, self._res.region), context)
        except Exception as exc:  # noqa: BLE001 - a failed reconcile is shown, the loop goes on
            self._journal.note(self._clock.now(), "error", f"reconcile failed: {type(exc).__name__}: {exc}")
            return
        self.runs += 1
        counts = action_counts(result)
        self._journal.reconciled(counts)
        self._journal.note(self._clock.now(), "reconcile", _describe(result, counts))


def _describe(result: Any, counts: Counter[str]) -> str:
    status = result.get("status", "done") if isinstance(result, dict) else "done"
    parts = ", ".join(f"{v} {k}" for k, v in counts.items() if v) or "no changes"
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    return f"reconcile {status}: {parts}" + (f" ({len(failures)} failed record(s))" if failures else "")
