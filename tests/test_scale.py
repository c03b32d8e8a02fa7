"""Reads that must hold at a province's scale (issue 19): no query sends PostgreSQL a list
longer than the 65,535 parameters it takes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from tests.web_client import WebClient
from workflow.models import AwardType, Nomination, Unit

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["postgres"], indirect=True)]
MANY = 66_000  # more than PostgreSQL's 65,535 bound parameters


def test_the_dashboard_of_an_auditor_who_sees_more_than_65535_nominations(app, world):
    session = world.session
    unit = session.scalar(select(Unit.id).where(Unit.code == "CS1"))
    award = session.scalars(select(AwardType).where(AwardType.code == "BK")).one()
    now = datetime(2025, 11, 3, tzinfo=UTC)
    rows = [
        {"campaign_id": award.campaign_id, "award_type_id": award.id, "origin_unit_id": unit,
         "current_unit_id": unit, "state": "draft", "nominee_kind": "individual",
         "nominee_name": f"Người {i}", "nominee_search": f"nguoi {i}", "nominee_key": f"k{i}",
         "nominee": {}, "facts": {}, "achievements": "", "version": 1,
         "created_by_id": world.user("officer1").id, "created_at": now, "updated_at": now}
        for i in range(MANY)
    ]  # fmt: skip
    session.execute(insert(Nomination), rows)
    session.commit()
    page = WebClient(app, "auditor_prov").get("/dashboard")
    assert page.status_code == 200
    assert f"{MANY:,}".replace(",", ".") in page.get_data(as_text=True) or str(
        MANY
    ) in page.get_data(as_text=True)
