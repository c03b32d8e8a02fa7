"""A nomination's API answer is built in the form its schema dumps, and not dumped again: what a
client receives must still be exactly what ``NominationSchema`` would have given it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.api_client import ApiClient
from web.api.nominations import nomination_json
from web.api.schemas import NominationSchema
from workflow.vocabulary import State

text = st.text(max_size=20)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
# hypothesis bounds are naive by its rule; the instants it draws are UTC
instants = st.datetimes(
    min_value=datetime(1970, 1, 1),  # noqa: DTZ001
    max_value=datetime(2199, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
codes = st.builds(SimpleNamespace, code=st.text(min_size=1, max_size=12))


@st.composite
def nominations(draw: st.DrawFn) -> SimpleNamespace:
    return SimpleNamespace(
        id=draw(st.integers(1, 2**31)),
        state=draw(st.sampled_from([s.value for s in State])),
        version=draw(st.integers(1, 10_000)),
        campaign=draw(codes),
        award_type=draw(codes),
        nominee_kind=draw(st.sampled_from(["individual", "collective"])),
        nominee_name=draw(st.text(min_size=1, max_size=40)),
        nominee=draw(st.none() | st.dictionaries(st.sampled_from(["key", "position"]), text)),
        facts=draw(st.none() | st.dictionaries(text, json_values, max_size=4)),
        achievements=draw(st.none() | text),
        origin_unit=draw(codes),
        current_unit=draw(codes),
        route_codes=draw(st.none() | st.lists(st.text(min_size=1, max_size=8), max_size=5)),
        vote=draw(st.none() | st.dictionaries(text, json_values, max_size=3)),
        notice_ends_on=draw(st.none() | st.dates(date(1900, 1, 1), date(2199, 12, 31))),
        decision_id=draw(st.none() | st.integers(1, 2**31)),
        rule_set_version=draw(st.none() | text),
        created_at=draw(instants),
        updated_at=draw(instants),
    )


def as_sent(payload: Any) -> Any:
    return json.loads(json.dumps(payload))


@given(nominations())
def test_the_answer_is_what_the_schema_dumps(n: SimpleNamespace) -> None:
    built = nomination_json(n)
    with_python_values = {
        **built,
        "notice_ends_on": n.notice_ends_on,
        "created_at": n.created_at,
        "updated_at": n.updated_at,
    }
    assert as_sent(built) == as_sent(NominationSchema().dump(with_python_values))
    assert set(built) == set(NominationSchema().fields)


def test_a_nomination_read_through_the_api_has_every_documented_field(client, world) -> None:
    officer = ApiClient(client, "officer1")
    nid = world.nominate(name="Lê Văn Tám")
    answer = officer.get(f"/nominations/{nid}")
    assert answer.status_code == 200
    assert set(answer.json) == set(NominationSchema().fields)
    assert answer.json["nominee"]["name"] == "Lê Văn Tám"
    assert datetime.fromisoformat(answer.json["created_at"]).tzinfo is not None
    listed = officer.get("/nominations").json["items"]
    assert [item["id"] for item in listed] == [nid]
    assert listed[0] == answer.json
