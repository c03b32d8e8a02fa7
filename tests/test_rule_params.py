"""A campaign may override only the parameters a rule declares, with values of their kind.

The rules declare them (``@rule(..., params=...)``, kinds from ``rules/params.py``); the
campaign schema checks every override against that declaration, so the API, the admin page,
the CLI and the catalogue all refuse a misspelt name instead of ignoring it.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from rules import RULES
from rules.params import PARAMS, UNDATED
from tests.api_client import ApiClient
from tests.factories import CAMPAIGNS
from tests.web_client import WebClient
from workflow import campaigns, checks
from workflow.errors import InvalidInput
from workflow.models import AwardType, Campaign, Unit

CODE = "TD-THAM-SO"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "campaigns.md"


def definition(params: dict[str, Any]) -> dict[str, Any]:
    """A campaign of the admin's own unit (TLD) whose one award overrides R-ABSENCE."""
    return {
        "code": CODE,
        "title": "Thi đua có tham số",
        "issuer": {"code": "TLD", "name": "Tổng Liên đoàn Lao động Việt Nam", "level": "tong_ldld"},
        "year": 2025,
        "awards": [
            {
                "code": "BK_LDLD",
                "rules": [{"rule": "R-DISCIPLINE"}, {"rule": "R-ABSENCE", "params": params}],
                "vote": {"ratio": "2/3"},
            }
        ],
    }


def stored_campaigns(world: Any) -> list[str]:
    codes = list(world.session.scalars(select(Campaign.code)))
    world.session.rollback()  # SQLite: a reading transaction holds the write lock too
    return codes


def test_an_undeclared_parameter_is_a_422_naming_it(client, world):
    admin = ApiClient(client, "admin")
    answer = admin.post("/campaigns", json=definition({"exclusion.absent_dayz": 3}))
    assert answer.status_code == 422, answer.json
    error = answer.json["error"]
    assert "exclusion.absent_dayz" in error["message"]
    assert "R-ABSENCE" in error["message"]
    (problem,) = error["details"]["errors"]
    assert problem.startswith("awards.0.rules.1.params: ")
    assert "'exclusion.absent_dayz'" in problem
    assert "exclusion.absent_days" in problem  # what it may set instead
    assert CODE not in stored_campaigns(world)


@pytest.mark.parametrize(
    ("value", "kind"),
    [("3 ngày", "số nguyên không âm"), (-1, "số nguyên không âm"), (True, "số nguyên không âm")],
    ids=["text", "negative", "boolean"],
)
def test_a_wrongly_typed_parameter_is_a_422_naming_it(client, world, value, kind):
    admin = ApiClient(client, "admin")
    answer = admin.post("/campaigns", json=definition({"exclusion.absent_days": value}))
    assert answer.status_code == 422, answer.json
    (problem,) = answer.json["error"]["details"]["errors"]
    assert "'exclusion.absent_days'" in problem
    assert "R-ABSENCE" in problem
    assert kind in problem
    assert CODE not in stored_campaigns(world)


def test_a_declared_parameter_is_stored_and_applied(client, world):
    admin = ApiClient(client, "admin")
    answer = admin.post("/campaigns", json=definition({"exclusion.absent_days": 30}))
    assert answer.status_code == 201, answer.json
    award = world.session.scalar(
        select(AwardType).join(Campaign).where(Campaign.code == CODE, AwardType.code == "BK_LDLD")
    )
    assert award is not None
    unit = world.session.scalar(select(Unit.id).where(Unit.code == "CS1"))
    assert unit is not None
    results = checks.preview(world.session, award, unit, {"absent_days": 35}, date(2025, 6, 1))
    world.session.rollback()
    absence = next(r for r in results if r.rule == "R-ABSENCE")
    assert (absence.status.value, absence.values["limit"]) == ("fail", 30)


def test_the_admin_page_and_the_cli_say_which_parameter(app, world, tmp_path):
    text = yaml.safe_dump(definition({"exclusion.absent_dayz": 3}), allow_unicode=True)
    page = WebClient(app, "admin").post(
        "/admin/campaigns", {"definition": (io.BytesIO(text.encode()), "tham-so.yaml")}
    )
    assert page.status_code == 422
    assert "exclusion.absent_dayz" in page.get_data(as_text=True)
    path = tmp_path / "tham-so.yaml"
    path.write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["campaign", "import", str(path)])
    assert result.exit_code == 2
    assert "awards.0.rules.1.params" in result.output
    assert "exclusion.absent_dayz" in result.output
    assert CODE not in stored_campaigns(world)


def test_the_catalogue_is_held_to_the_same_declarations():
    raw = yaml.safe_load((CAMPAIGNS / "catalogue.yaml").read_text(encoding="utf-8"))
    awards = raw["awards"] if isinstance(raw, dict) else raw
    ttldxs = next(a for a in awards if a["code"] == "TTLDXS")
    grade = next(r for r in ttldxs["rules"] if r["rule"] == "R-CDCS-GRADE")
    grade["params"] = {"min_grade": "xuat_sac"}
    with pytest.raises(InvalidInput) as err:
        campaigns.load_catalogue(raw, "catalogue.yaml")
    (problem,) = err.value.details["errors"]
    assert "'min_grade'" in problem
    assert "hoan_thanh_xuat_sac" in problem  # the choices are listed


# --- docs/campaigns.md lists what each rule accepts ------------------------------------------
def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple):
        return ", ".join(f"`{v}`" for v in value)
    return f"`{value}`"


def _dates(valid_from: date | None, valid_to: date | None) -> str:
    if valid_from and valid_to:
        return f" ({valid_from:%d/%m/%Y}–{valid_to:%d/%m/%Y})"
    if valid_from:
        return f" (from {valid_from:%d/%m/%Y})"
    return f" (until {valid_to:%d/%m/%Y})" if valid_to else ""


def _default(name: str) -> str:
    if name in UNDATED:
        return _shown(UNDATED[name].default)
    dated = [p for p in PARAMS if p.name == name]
    return "; ".join(_shown(p.value) + _dates(p.valid_from, p.valid_to) for p in dated)


def parameter_table() -> str:
    """The table docs/campaigns.md must hold, built from the registry and rules/params.py."""
    lines = [
        "| rule | parameter | kind | when the campaign sets none |",
        "|---|---|---|---|",
    ]
    for rule_id in sorted(RULES):
        for name, kind in RULES[rule_id].params.items():
            lines.append(f"| `{rule_id}` | `{name}` | {kind.en} | {_default(name)} |")
    bare = ", ".join(f"`{r}`" for r in sorted(RULES) if not RULES[r].params)
    lines += ["", f"These rules take no parameters: {bare}."]
    return "\n".join(lines)


def test_the_docs_list_each_rules_parameters():
    expected = parameter_table()
    assert expected in DOCS.read_text(encoding="utf-8"), (
        "docs/campaigns.md: replace the rule parameter table with\n\n" + expected
    )
