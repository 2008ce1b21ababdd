"""Splice one value into JSON text, leaving every other byte of the text as it was.

``json.loads`` forgets where values were; this module finds the spans of an object's
members and an array's items (with ``JSONDecoder.raw_decode``, which reports where a
value ends), so an edit replaces, inserts or cuts exactly one span. A new value is
rendered like its siblings: the same indent, the same separators. Callers parse the
result again and compare it with the intended document (see ``jobs.edit``), so a splice
can never change a document's meaning unnoticed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]  # public, but not in typeshed


@dataclass(frozen=True)
class Span:
    """One member of an object (``key`` set) or one item of an array (``key`` None)."""

    start: int  # the key's opening quote, or the item's first character
    value_start: int
    end: int  # one past the value's last character
    key: str | None = None
    colon: str = ":"  # the text between key and value, e.g. ": "


def _skip(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def root(text: str) -> int:
    """Where the document's top-level value starts."""
    return _skip(text, 0)


def members(text: str, start: int) -> list[Span]:
    """The members of the object whose ``{`` is at ``start`` (the text is valid JSON)."""
    out: list[Span] = []
    pos = _skip(text, start + 1)
    while text[pos] != "}":
        key, after_key = _scanstring(text, pos + 1)
        value_start = _skip(text, _skip(text, after_key) + 1)
        _, end = _DECODER.raw_decode(text, value_start)
        out.append(Span(pos, value_start, end, key, text[after_key:value_start]))
        pos = _skip(text, end)
        pos = _skip(text, pos + 1) if text[pos] == "," else pos
    return out


def items(text: str, start: int) -> list[Span]:
    """The items of the array whose ``[`` is at ``start``."""
    out: list[Span] = []
    pos = _skip(text, start + 1)
    while text[pos] != "]":
        _, end = _DECODER.raw_decode(text, pos)
        out.append(Span(pos, pos, end))
        pos = _skip(text, end)
        pos = _skip(text, pos + 1) if text[pos] == "," else pos
    return out


def closing(text: str, start: int) -> int:
    """One past the end of the object or array that starts at ``start``."""
    return _DECODER.raw_decode(text, start)[1]


def replace(text: str, span: Span, value_text: str) -> str:
    """The text with the value of ``span`` replaced."""
    return text[: span.value_start] + value_text + text[span.end :]


def cut(text: str, spans: list[Span], index: int, container_start: int) -> str:
    """The text without ``spans[index]`` and its separator."""
    if index > 0:
        return text[: spans[index - 1].end] + text[spans[index].end :]
    if len(spans) > 1:
        return text[: spans[0].start] + text[spans[1].start :]
    return text[: container_start + 1] + text[closing(text, container_start) - 1 :]


def append(text: str, spans: list[Span], container_start: int, entry_text: str, indent: str) -> str:
    """The text with ``entry_text`` (a rendered item, or ``"key": value``) after the last span.

    The separator is copied from the last two siblings, or from the whitespace after the
    opening bracket; an empty container gets one line per entry at ``indent``.
    """
    if len(spans) >= 2:
        separator = text[spans[-2].end : spans[-1].start]
    elif spans:
        separator = "," + text[container_start + 1 : spans[0].start]
    else:
        end = closing(text, container_start) - 1
        if not indent:
            return text[: container_start + 1] + entry_text + text[end:]
        outer = line_indent(text, container_start)
        return f"{text[: container_start + 1]}\n{outer}{indent}{entry_text}\n{outer}{text[end:]}"
    return text[: spans[-1].end] + separator + entry_text + text[spans[-1].end :]


def line_indent(text: str, pos: int) -> str:
    """The whitespace that starts the line ``pos`` is on."""
    line_start = text.rfind("\n", 0, pos) + 1
    return _WS.match(text, line_start).group().split("\n")[0]  # type: ignore[union-attr]


@dataclass(frozen=True)
class Style:
    """How a new value is rendered so it looks like its siblings."""

    indent: str | None  # None: on one line
    base: str = ""  # the indent of the line the value starts on
    item_separator: str = ", "
    colon: str = ": "
    ensure_ascii: bool = False

    def render(self, value: Any) -> str:
        """``value`` as JSON text in this style."""
        if self.indent is None:
            return json.dumps(value, separators=(self.item_separator, self.colon), ensure_ascii=self.ensure_ascii)
        text = json.dumps(value, indent=self.indent, separators=(",", self.colon), ensure_ascii=self.ensure_ascii)
        return text.replace("\n", "\n" + self.base)


def style_of(text: str, sibling: Span | None, fallback: Style) -> Style:
    """The style of an object ``sibling`` (an array item), or ``fallback`` when there is none."""
    ascii_only = "\\u" in text and text.isascii()
    if sibling is None or text[sibling.value_start] != "{":
        return Style(fallback.indent, fallback.base, fallback.item_separator, fallback.colon, ascii_only)
    inner = members(text, sibling.value_start)
    colon = inner[0].colon if inner else fallback.colon
    base = line_indent(text, sibling.start)
    body = text[sibling.value_start : sibling.end]
    if "\n" not in body:
        separator = text[inner[0].end : inner[1].start] if len(inner) > 1 else ", "
        return Style(None, base, separator, colon, ascii_only)
    member_indent = line_indent(text, inner[0].start) if inner else base + "  "
    unit = member_indent[len(base) :] if member_indent.startswith(base) and member_indent != base else "  "
    return Style(unit, base, ",", colon, ascii_only)


def document_indent(text: str) -> str | None:
    """The indent unit of a document whose root is an object or array (None: one line)."""
    start = root(text)
    inner = members(text, start) if text[start] == "{" else items(text, start)
    if not inner or "\n" not in text[start : inner[0].start]:
        return None
    return line_indent(text, inner[0].start) or None
