"""What text and structure the system accepts from outside, shared by every entry point.

Control characters never belong in names, codes or parameters, and PostgreSQL cannot store
NUL at all (psycopg refuses it; JSONB refuses ``\\u0000``), so one definition here is used by
the web layer's guard (every form, query, path and JSON body) and by campaign import (YAML
from the admin page, the API and the CLI). Nesting is bounded because parsers and schemas
recurse: a 100k-deep document must be a clear refusal, not a ``RecursionError``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from itertools import accumulate
from typing import Any, TypeVar

from workflow.errors import InvalidInput

T = TypeVar("T")

MAX_DEPTH = 32
"""Deepest nesting of objects and arrays accepted (a campaign definition needs about 6)."""

MULTILINE_FIELDS = frozenset({"achievements", "comment", "definition", "notes", "reason"})
"""Free-text fields where people may write several lines: TAB, LF and CR are kept there."""

# U+0000-U+001F and U+007F; lone surrogates too (only JSON's "\ud800" escapes can make them,
# and no database encoding can store them).
_SINGLE_LINE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def is_multiline(field: str) -> bool:
    """``comment``, ``nominee.achievements``, ``awards.0.notes`` … (the last named part)."""
    names = [part for part in field.split(".") if not part.isdigit()]
    return bool(names) and names[-1] in MULTILINE_FIELDS


def refused_character(value: str, multiline: bool = False) -> str | None:
    """The first character refused in ``value``, as ``U+0000``; None when it is acceptable."""
    match = (_MULTI_LINE if multiline else _SINGLE_LINE).search(value)
    return None if match is None else f"U+{ord(match.group()):04X}"


def one_line(text: str) -> str:
    """A line as it is stored and compared: NFC, single spaces, and without the invisible
    format characters text pasted from Word or the web carries (a zero-width space, a soft
    hyphen, a byte-order mark), which made "Lê<ZWSP>Văn Ba" another person than "Lê Văn Ba"."""
    spaced = text.replace("\u200b", " ")  # a zero-width space parts words, as a space does
    visible = "".join(ch for ch in spaced if unicodedata.category(ch) != "Cf")
    return " ".join(unicodedata.normalize("NFC", visible).split())


def clean_line(
    value: str | None, field: str, label: tuple[str, str], limit: int, *, required: bool = False
) -> str:
    """One line of text a person typed (a name, a place, a position) as it is stored: NFC,
    single spaces; refused, naming the field by its ``label`` (vi, en), when it is missing,
    too long or holds a control character."""
    text = one_line(value or "")
    vi, en = label
    if required and not text:
        raise InvalidInput(f"Cần nhập {vi.lower()}.", f"{en} is required.", {field: "required"})
    if len(text) > limit:
        raise InvalidInput(
            f"{vi}: tối đa {limit} ký tự.",
            f"{en}: {limit} characters at most.",
            {field: "too_long"},
        )
    if refused_character(text):
        raise InvalidInput(
            f"{vi} chứa ký tự không hợp lệ.", f"{en} holds a refused character.", {field: "invalid"}
        )
    return text


class Problems:
    """Every field's problem at once: a form refused one problem at a time is sent again for
    each, and its user learns of the next only after fixing the last."""

    def __init__(self) -> None:
        self._found: list[InvalidInput] = []

    def check(self, work: Callable[[], T]) -> T | None:
        """What ``work`` returns, or None once its refusal is noted."""
        try:
            return work()
        except InvalidInput as err:
            self._found.append(err)
            return None

    def note(self, message_vi: str, message_en: str, details: dict[str, Any]) -> None:
        self._found.append(InvalidInput(message_vi, message_en, details))

    def raise_any(self) -> None:
        """One refusal saying everything noted (each field's details side by side)."""
        if len(self._found) == 1:
            raise self._found[0]
        if self._found:
            details: dict[str, Any] = {}
            for err in self._found:  # a field refused twice keeps both of its details
                for name, said in (err.details if isinstance(err.details, dict) else {}).items():
                    details[name] = (
                        _listed(details[name]) + _listed(said) if name in details else said
                    )
            raise InvalidInput(
                " ".join(err.message_vi for err in self._found),
                " ".join(err.message_en for err in self._found),
                details,
            )


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def shown(text: str) -> str:
    """``text`` with every refused character written as an escape (``\\u0000``), so that an
    error message can name a bad field name without carrying the bad character itself."""
    return _SINGLE_LINE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def first_refused(data: Any, prefix: str = "") -> tuple[str, str] | None:
    """(field path, character) of the first bad key or string in a parsed document, or None.

    Paths read like ``nominee.name`` or ``awards.2.title``; keys are always single-line,
    string values are multi-line only in the free-text fields. Iterative, so it never
    recurses however deep ``data`` is.
    """
    for path, key, value in _leaves(data, prefix):
        if key is not None and (char := refused_character(key)):
            return path, char
        if isinstance(value, str) and (char := refused_character(value, is_multiline(path))):
            return path, char
    return None


def _leaves(data: Any, prefix: str) -> Iterator[tuple[str, str | None, Any]]:
    """Every (path, key or None, value) of a document, depth first, without recursion."""
    stack: list[tuple[str, str | None, Any]] = [(prefix, None, data)]
    while stack:
        path, key, value = stack.pop()
        yield path, key, value
        if isinstance(value, dict):
            stack.extend(
                (f"{path}.{k}" if path else str(k), str(k), v) for k, v in reversed(value.items())
            )
        elif isinstance(value, list):
            stack.extend(
                (f"{path}.{i}" if path else str(i), None, v)
                for i, v in reversed(list(enumerate(value)))
            )


def depth(data: Any) -> int:
    """How deeply objects and arrays nest in a parsed document (a scalar is 0)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, level + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, level + 1) for v in value)
        else:
            continue
        deepest = max(deepest, level + 1)
    return deepest


def json_depth(text: str) -> int:
    """How deeply a JSON text nests, found without parsing it (so before a parser recurses).

    Strings are removed first (a bracket inside quotes does not count); what remains is
    scanned for brackets in C-speed steps, so even a megabyte of ``[`` is quick.
    """
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)
