"""Every JSON column and every link body is read by ``parse_json``, and every link body and
record digest is spelled by ``sorted_json``: each must give exactly what the standard library
gives, whatever orjson makes of the value."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.canonical import NonFinite, canonical_json, parse_json, sorted_json

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
# What a link or a record's body may also hold: keys that are not text, tuples.
bodies = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4).map(tuple)
        | st.lists(inner, max_size=4)
        | st.dictionaries(st.text(), inner, max_size=4)
        | st.dictionaries(st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)


def standard_spelling(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def same(a: object, b: object) -> bool:
    """Equal values of equal types (1 is not 1.0, an integer is not a float)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@given(values, st.sampled_from(["str", "bytes"]))
def test_parse_json_reads_what_the_standard_parser_reads(value, kind):
    text = json.dumps(value, ensure_ascii=False)
    given_text = text if kind == "str" else text.encode()
    assert same(parse_json(given_text), json.loads(text))


def test_integers_beyond_64_bits_stay_integers():
    assert parse_json('{"n": 18446744073709551617}') == {"n": 18446744073709551617}
    assert type(parse_json(b"[-9223372036854775809]")[0]) is int


def test_nan_and_infinity_are_read_apart_from_plain_floats():
    read = parse_json('{"a": NaN, "b": Infinity, "c": -Infinity, "d": 1.5}')
    assert all(isinstance(read[k], NonFinite) for k in "abc")
    assert math.isnan(read["a"])
    assert (read["b"], read["c"]) == (math.inf, -math.inf)
    assert type(read["d"]) is float


def test_anything_but_text_is_refused_as_json_loads_refuses_it():
    # SQLite keeps a JSON column's bare number as a number; SQLAlchemy reads it on TypeError.
    for value in (0, 2**40, 1.5, None):
        with pytest.raises(TypeError):
            parse_json(value)  # type: ignore[arg-type]


@given(bodies)
def test_a_body_is_spelled_byte_for_byte_as_the_standard_encoder_spells_it(value):
    try:
        expected = standard_spelling(value)
    except UnicodeEncodeError:  # a lone surrogate: neither spells it
        with pytest.raises((UnicodeEncodeError, TypeError)):
            sorted_json(value)
        return
    assert sorted_json(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"small": 1e-7, "large": 1e16, "plain": 3.5},  # exponents orjson writes differently
        {"n": 2**64, "m": -(2**63) - 1},  # beyond what orjson writes
        {1: "một", 2: [1, (2, 3)]},  # keys orjson refuses
        {"tên": "Nguyễn Thị Ánh", "\x7f\u2028": "\n\t\x01"},
    ],
)
def test_what_orjson_would_spell_otherwise_takes_the_standard_encoder(value):
    assert sorted_json(value) == standard_spelling(value)


def test_a_link_body_refuses_floats_and_values_json_cannot_spell():
    with pytest.raises(TypeError):
        canonical_json({"ratio": [1, {"r": 0.9}]})
    for unspellable in (date(2026, 1, 1), {"at": datetime(2026, 1, 1, tzinfo=UTC)}):
        with pytest.raises(TypeError):
            canonical_json(unspellable)
