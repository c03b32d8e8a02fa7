"""One JSON spelling per value, so the same content always hashes the same."""

from __future__ import annotations

import json
from typing import Any

import orjson


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text, integers only (floats do not round-trip)."""
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("floats are not allowed in audit bodies")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


class NonFinite(float):
    """NaN or ±Infinity read from stored JSON. No form writes them; kept apart from plain
    floats because orjson would spell them ``null``, and a record's quick digest must never
    match one that recorded ``null`` (workflow/records.py)."""


# Every digit as "9", everything else as a space: 19 nines in a row mark a number that may be
# an integer beyond 64 bits, which orjson would read as a float.
_DIGITS_AS_NINES = bytes(ord("9") if chr(i) in "0123456789" else ord(" ") for i in range(256))
_LONG_NUMBER = b"9" * 19


def parse_json(text: str | bytes | memoryview) -> Any:
    """JSON text to exactly the values ``json.loads`` gives (NaN and ±Infinity as
    :class:`NonFinite`). orjson reads almost everything, several times faster: lists, pages
    and verification read JSON in every row. The standard parser reads what orjson refuses
    (NaN) or gets wrong (an integer beyond 64 bits, which it makes a float).

    Anything but text is refused with ``TypeError``, as ``json.loads`` refuses it: SQLite
    keeps a JSON column's bare number as a number, and SQLAlchemy reads it back as one on
    that error (``bytes(n)`` would have been n zero bytes)."""
    if isinstance(text, str):
        data = text.encode()
    elif isinstance(text, bytes | memoryview):
        data = bytes(text)
    else:
        raise TypeError(f"JSON text expected, not {type(text).__name__}")
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data, parse_constant=NonFinite)
    if _LONG_NUMBER in data.translate(_DIGITS_AS_NINES) and _holds_huge_float(value):
        return json.loads(data, parse_constant=NonFinite)
    return value


def _holds_huge_float(value: Any) -> bool:
    """Whether a float beyond 64-bit integers is in ``value``: what orjson makes of such an
    integer (looked for only where a run of 19 digits was seen)."""
    if isinstance(value, float):
        return abs(value) >= 2**63
    if isinstance(value, dict):
        return any(_holds_huge_float(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_huge_float(item) for item in value)
    return False
