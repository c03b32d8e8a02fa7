"""One JSON spelling per value, so the same content always hashes the same."""

from __future__ import annotations

import json
from contextlib import suppress
from typing import Any

import orjson


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text, integers only (floats do not round-trip)."""
    if _holds_float(value):
        raise TypeError("floats are not allowed in audit bodies")
    return _float_free_json(value).decode()


# What orjson would spell where ``json.dumps`` refuses (a date, a dataclass) goes to
# ``default``, which has none: refused as before.
_SORTED = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def sorted_json(value: Any) -> bytes:
    """The bytes of ``json.dumps(value, sort_keys=True, ensure_ascii=False,
    separators=(",", ":"))``, UTF-8 encoded: the spelling every link and record digest is
    taken over. orjson writes the same bytes several times faster (every event spells two
    bodies, issue 19) for everything but floats, whose exponents it writes differently
    ("1e-7" against "1e-07"), integers beyond 64 bits and keys that are not text, which
    it refuses: those take the standard encoder (tests/test_canonical.py)."""
    if _holds_float(value):
        return _standard_json(value)
    return _float_free_json(value)


def _float_free_json(value: Any) -> bytes:
    """:func:`sorted_json` of a value already known to hold no float (walked once)."""
    with suppress(orjson.JSONEncodeError):
        return orjson.dumps(value, option=_SORTED)
    return _standard_json(value)


def _standard_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


_PLAIN = frozenset((str, int, bool, type(None)))  # most of a body: nothing to look into


def _holds_float(value: Any) -> bool:
    """Whether a float is anywhere in ``value``: walked without recursion, as cheaply as
    orjson spells the body (this runs twice in every event)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if type(item) in _PLAIN:
            continue
        if isinstance(item, float):
            return True
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


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
