"""The registry through the API: the same rules as the pages."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.api_client import ApiClient
from tests.test_emulation_year import plan
from workflow import campaigns
from workflow.clock import utcnow, vn_date
from workflow.models import AuditEvent

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def api(app, world):
    year = vn_date(utcnow()).year  # registering today is late unless it is January
    plan_ = plan(year, late_accepted=True)
    campaigns.import_campaign(world.session, plan_, actor=world.user("admin"))
    world.session.rollback()
    return lambda who: ApiClient(app.test_client(), who), year


def test_an_officer_registers_rates_and_proposes_through_the_api(api, world):
    client, year = api
    officer = client("officer1")
    made = officer.post("/members", json={
        "code": "DV-0001", "full_name": "Nguyễn Thị Ánh Tuyết", "gender": "female",
        "cccd": "066185001234", "unit": "CS1", "joined_on": f"{year - 3}-01-01",
    })  # fmt: skip
    assert made.status_code == 201, made.json
    member = made.json["id"]
    assert made.json["cccd"] == "066185001234"
    registered = officer.post(
        f"/campaigns/TD-{year}/registrations", json={"award": "CSTDCS", "member_ids": [member]}
    )
    assert registered.status_code == 201
    assert registered.json[0]["late"] is True
    waiting = officer.get(f"/campaigns/TD-{year}/awaiting-evaluation?unit=CS1")
    assert waiting.json == [{"member_id": member, "member": "Nguyễn Thị Ánh Tuyết"}]
    assert officer.get(f"/campaigns/TD-{year}/offers?unit=CS1").json == []
    rated = officer.put(
        f"/members/{member}/years/{year}",
        json={"rating": "HTXSNV", "absent_days": 0, "months_employed": 12},
    )
    assert rated.status_code == 200, rated.json
    offers = officer.get(f"/campaigns/TD-{year}/offers?unit=CS1")
    assert [o["award"] for o in offers.json] == ["CSTDCS"]
    assert officer.get(f"/campaigns/TD-{year}/awaiting-evaluation?unit=CS1").json == []
    assert (
        client("officer2").get(f"/campaigns/TD-{year}/awaiting-evaluation?unit=CS1").status_code
        == 403
    )
    proposed = officer.post(
        f"/campaigns/TD-{year}/proposals",
        json={"unit": "CS1", "picks": [{"member_id": member, "award": "CSTDCS"}]},
    )
    assert proposed.status_code == 201
    assert proposed.json[0]["state"] == "draft"
    reviewer = client("rev_br1")
    record = reviewer.get(f"/members/{member}")
    assert record.json["cccd"] == "••••••••1234"
    assert record.json["years"][0]["rating"] == "HTXSNV"
    assert client("officer2").get(f"/members/{member}").status_code == 404
    listed = reviewer.get("/members?q=tuyet")
    assert [m["code"] for m in listed.json] == ["DV-0001"]
    assert reviewer.get("/members?q=nobody-by-this-name").json == []  # nothing left: no link
    registrations = reviewer.get(f"/campaigns/TD-{year}/registrations")
    assert [r["member_id"] for r in registrations.json] == [member]
    bodies = world.session.scalars(select(AuditEvent.body).order_by(AuditEvent.seq)).all()
    world.session.rollback()  # SQLite: let the next writer in
    # Each hand-out of personal data is a link: the record, the list, the registrations
    # (the refused read by officer2 handed out nothing).
    exports = [json.loads(b) for b in bodies if '"personal_data_export"' in b]
    assert [(e["actor"], e["what"], e["count"]) for e in exports] == [
        ("rev_br1", "member:DV-0001", 1),
        ("rev_br1", "members", 1),
        ("rev_br1", f"registrations:TD-{year}", 1),
    ]
    assert client("officer2").put(f"/members/{member}/years/{year}", json={}).status_code == 404
    assert reviewer.put(f"/members/{member}/years/{year}", json={}).status_code == 403
    assert officer.put(f"/members/{member}/years/99999", json={}).status_code == 422
    assert (
        officer.put(f"/members/{member}/years/{year}", json={"months_employed": 13}).status_code
        == 422
    )
