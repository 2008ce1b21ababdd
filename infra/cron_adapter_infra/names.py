"""Per-deployment names: every deployment (stack x construct path) gets its own.

A fixed schedule group name or metric scope makes two deployments in one account collide:
the second stack fails on the group, or worse, both share a metric scope and each sets off
the other's alarms. The deployment name is derived from the stack name and the construct's
path inside the stack, so it is stable across synths and unique per account and region.
"""

from __future__ import annotations

import hashlib
import re

from aws_cdk import Stack, Token
from constructs import Construct

# Scheduler group names: [0-9A-Za-z_.-]{1,64}. The metric dimension accepts the same.
MAX_LENGTH = 64
_INVALID = re.compile(r"[^0-9A-Za-z_.-]+")


def sanitize(raw: str, max_length: int = MAX_LENGTH) -> str:
    """``raw`` made valid as a group name; a too-long name keeps a hash of the whole."""
    name = _INVALID.sub("-", raw).strip("-") or "cron"
    if len(name) <= max_length:
        return name
    digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
    return f"{name[: max_length - 9]}-{digest}"


def deployment_name(scope: Construct) -> str:
    """``<stack name>-<path of scope inside its stack>``, e.g. ``Platform-Cron``."""
    stack = Stack.of(scope)
    if Token.is_unresolved(stack.stack_name):
        raise ValueError("CronAdapter needs a literal stack name to derive its names; set CronAdapterProps.name")
    inside = scope.node.path.removeprefix(stack.node.path).strip("/")
    return sanitize(f"{stack.stack_name}-{inside}" if inside else stack.stack_name)
