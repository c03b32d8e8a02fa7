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
codes = st.text(min_size=1, max_size=12)


@st.composite
def nominations(draw: st.DrawFn) -> SimpleNamespace:
    return SimpleNamespace(
        id=draw(st.integers(1, 2**31)),
        state=draw(st.sampled_from([s.value for s in State])),
        version=draw(st.integers(1, 10_000)),
        campaign_code=draw(codes),
        award_type_code=draw(codes),
        nominee_kind=draw(st.sampled_from(["individual", "collective"])),
        nominee_name=draw(st.text(min_size=1, max_size=40)),
        nominee=draw(st.none() | st.dictionaries(st.sampled_from(["key", "position"]), text)),
        facts=draw(st.none() | st.dictionaries(text, json_values, max_size=4)),
        achievements=draw(st.none() | text),
        origin_unit_code=draw(codes),
        current_unit_code=draw(codes),
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


def test_lists_answer_each_nomination_as_reading_it_does(client, world) -> None:
    """Lists read plain rows and a nomination's page reads its object: the same answer."""
    officer, reviewer = ApiClient(client, "officer1"), ApiClient(client, "rev_br1")
    nid = world.nominate(name="Lê Văn Tám", facts={"targets": {"doan_vien_moi": 12}})
    world.fire(nid, "submit", "officer1")
    answer = reviewer.get(f"/nominations/{nid}")
    assert answer.status_code == 200
    assert set(answer.json) == set(NominationSchema().fields)
    assert answer.json["nominee"]["name"] == "Lê Văn Tám"
    assert (answer.json["route"], answer.json["current_unit"]) == (["BR1", "PROV"], "BR1")
    assert datetime.fromisoformat(answer.json["created_at"]).tzinfo is not None
    assert reviewer.get("/inbox").json["items"] == [answer.json]
    assert reviewer.get("/nominations").json["items"] == [answer.json]
    assert officer.get("/nominations").json["items"] == [officer.get(f"/nominations/{nid}").json]


def test_a_fact_orjson_cannot_write_is_answered_all_the_same(client, world) -> None:
    nid = world.nominate(facts={"targets": {"doan_vien_moi": 2**70}})
    answer = ApiClient(client, "officer1").get(f"/nominations/{nid}")
    assert answer.status_code == 200
    assert json.loads(answer.data)["facts"]["targets"] == {"doan_vien_moi": 2**70}


def test_a_cursor_beyond_every_key_lists_from_the_newest(client, world) -> None:
    """PostgreSQL refuses to compare its integer keys with a larger number: not a 500."""
    reviewer = ApiClient(client, "rev_br1")
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    for path in ("/nominations", "/inbox"):
        newest = reviewer.get(path).json
        assert [i["id"] for i in newest["items"]] == [nid]
        assert reviewer.get(f"{path}?cursor=2147483648").json == newest
        assert reviewer.get(f"{path}?cursor=999999999999").json == newest
        assert reviewer.get(f"{path}?cursor=2147483647").json == newest
        assert reviewer.get(f"{path}?cursor={nid}").json["items"] == []
