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


def parse_json(text: str | bytes | memoryview) -> Any:
    """JSON text to the values ``json.loads`` gives. orjson first: several times faster, and
    lists, pages and verification read JSON in every row; the standard parser for what
    orjson refuses (integers beyond 64 bits, NaN), so no stored value becomes unreadable."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text if isinstance(text, str | bytes) else bytes(text))
