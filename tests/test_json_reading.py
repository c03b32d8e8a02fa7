"""Every JSON column and every link body is read by ``parse_json``: the values it gives must be
exactly the standard parser's, whatever orjson makes of them."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.canonical import NonFinite, parse_json

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
