"""Wire faults for clients of moto's server: a botocore ``before-send`` hook that fails chosen calls.

The hook sits where the HTTP request leaves botocore, so botocore's own retry (standard mode,
3 attempts on the fire path) sees each fault exactly as it would see AWS's::

    fault          what the client sees                          the request reached the server?
    throttle       400 ProvisionedThroughputExceeded/Throttling  no
    500, 503       InternalServerError / ServiceUnavailable      no
    timeout        ReadTimeoutError (no answer in time)          no
    reset          ConnectionClosedError (connection reset)      no
    lost-500       500, after the server applied the request     yes: the answer is lost
    lost-timeout   ReadTimeoutError, after the server applied it yes: the answer is lost

A :class:`Script` says, per operation, what the n-th call on the wire gets ("ok" or a fault);
calls past the script's end are "ok". It counts the faults it injected.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, defaultdict
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError
from botocore.httpsession import URLLib3Session

FAULTS = ("throttle", "500", "503", "timeout", "reset", "lost-500", "lost-timeout")
TRANSIENT = ("throttle", "500", "503", "timeout", "reset")  # the request never reached the server
_ERRORS = {
    ("dynamodb", "throttle"): (400, "ProvisionedThroughputExceededException"),
    ("secretsmanager", "throttle"): (400, "ThrottlingException"),
    ("dynamodb", "500"): (500, "InternalServerError"),
    ("secretsmanager", "500"): (500, "InternalServiceError"),
    ("dynamodb", "503"): (503, "ServiceUnavailable"),
    ("scheduler", "throttle"): (429, "ThrottlingException"),
    ("scheduler", "500"): (500, "InternalServerException"),
    ("scheduler", "503"): (503, "ServiceUnavailable"),
    ("secretsmanager", "503"): (503, "ServiceUnavailable"),
}


class RawBody:
    """A canned HTTP body botocore can stream."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


def error_response(url: str, status: int, code: str) -> AWSResponse:
    """An AWS JSON-protocol error answer (what DynamoDB and Secrets Manager send)."""
    body = json.dumps({"__type": code, "message": "injected fault"}).encode()
    headers = {"x-amzn-ErrorType": code, "Content-Type": "application/x-amz-json-1.0"}
    return AWSResponse(url, status, headers, RawBody(body))


class Script:
    """Per operation, what each successive call on the wire gets; thread-safe and counted."""

    def __init__(self, service: str, plan: dict[str, list[str]] | None = None) -> None:
        self.service = service
        self.plan = {op: list(steps) for op, steps in (plan or {}).items()}
        self.calls: Counter[str] = Counter()  # every call on the wire, retries included
        self.sequence: list[str] = []  # the operations, in the order they went out
        self.injected: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._lock = threading.Lock()
        self._http = URLLib3Session()

    def install(self, client: Any) -> Any:
        """Register on one client (first, before any other before-send hook); returns the client."""
        client.meta.events.register_first(f"before-send.{client.meta.service_model.service_id.hyphenize()}", self)
        return client

    def total(self) -> int:
        """How many faults were injected in all."""
        return sum(sum(c.values()) for c in self.injected.values())

    def _next(self, op: str) -> str:
        with self._lock:
            n = self.calls[op]
            self.calls[op] += 1
            self.sequence.append(op)
            steps = self.plan.get(op, [])
            step = steps[n] if n < len(steps) else "ok"
            if step != "ok":
                self.injected[op][step] += 1
            return step

    def __call__(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        op = event_name.rsplit(".", 1)[-1]
        step = self._next(op)
        if step == "ok":
            return None
        if step.startswith("lost-"):
            self._http.send(request)  # the server applies it; its answer never reaches the client
            step = step.removeprefix("lost-")
        if step == "timeout":
            raise ReadTimeoutError(endpoint_url=request.url, error="injected read timeout")
        if step == "reset":
            raise ConnectionClosedError(endpoint_url=request.url)
        status, code = _ERRORS[(self.service, step)]
        return error_response(request.url, status, code)
