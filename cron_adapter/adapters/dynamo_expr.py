"""Small helpers for low-level DynamoDB requests: attribute values, expressions, errors.

Expressions are written with ``#name`` and ``:value`` tokens; :func:`expr` aliases every
``#name`` to the attribute of the same name (so reserved words such as ``status`` and ``ttl``
are safe) and keeps only the values an expression uses (DynamoDB refuses unused ones).
"""

from __future__ import annotations

import re
from typing import Any

_NAME = re.compile(r"#(\w+)")
_VALUE = re.compile(r":(\w+)")


def av(value: Any) -> dict[str, Any]:
    """A DynamoDB attribute value for str / int / float / bool / None, and lists and dicts of them."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float):
        return {"N": repr(round(value, 3)) if isinstance(value, float) else str(value)}
    if isinstance(value, dict):
        return {"M": {str(k): av(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [av(v) for v in value]}
    return {"S": str(value)}


def item(values: dict[str, Any]) -> dict[str, Any]:
    """A plain dict as a DynamoDB item (the inverse of :func:`plain`)."""
    return {name: av(value) for name, value in values.items()}


def _value(kind: str, raw: Any) -> Any:
    if kind == "N":
        number = float(raw)
        return int(number) if number.is_integer() else number
    if kind == "NULL":
        return None
    if kind == "M":
        return plain(raw)
    if kind == "L":
        return [_value(*next(iter(v.items()))) for v in raw]
    return raw


def plain(attrs: dict[str, Any] | None) -> dict[str, Any]:
    """A DynamoDB item as plain Python values (numbers as float, or int when whole)."""
    return {name: _value(*next(iter(value.items()))) for name, value in (attrs or {}).items()}


def expr(values: dict[str, Any], **expressions: str | None) -> dict[str, Any]:
    """Request parameters for the given expressions (``UpdateExpression=..., ConditionExpression=...``)."""
    params: dict[str, Any] = {k: v for k, v in expressions.items() if v}
    text = " ".join(params.values())
    names = {f"#{n}": n for n in _NAME.findall(text)}
    used = {f":{v}": av(values[v]) for v in _VALUE.findall(text)}
    if names:
        params["ExpressionAttributeNames"] = names
    if used:
        params["ExpressionAttributeValues"] = used
    return params


def update(sets: dict[str, str], adds: dict[str, str] | None = None, removes: list[str] | None = None) -> str:
    """``SET #a = :x ... ADD #n :one REMOVE #r`` from attribute -> value-token maps."""
    parts = []
    if sets:
        parts.append("SET " + ", ".join(f"#{a} = :{v}" for a, v in sets.items()))
    if adds:
        parts.append("ADD " + ", ".join(f"#{a} :{v}" for a, v in adds.items()))
    if removes:
        parts.append("REMOVE " + ", ".join(f"#{a}" for a in removes))
    return " ".join(parts)


def all_of(*conditions: str | None) -> str | None:
    """AND together the non-empty conditions, each parenthesised."""
    kept = [f"({c})" for c in conditions if c]
    return " AND ".join(kept) or None


def error_code(exc: Exception) -> str:
    """The AWS error code of a botocore ClientError ('' for anything else)."""
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))
