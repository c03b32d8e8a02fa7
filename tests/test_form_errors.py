"""Forms keep what was typed on every kind of error (issue 18, acceptance 3): a bad number, an
invalid vote, a missing field, an expired token — on the nomination, vote, member, account and
unit forms. Each refusal names the field as the form labels it, in the user's language."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import World
from tests.test_fact_form import demo, shown  # noqa: F401 - the fixture
from tests.web_client import WebClient
from web import forms
from workflow.vocabulary import FIELD_LABELS

SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

NOMINATION = {
    "award": "TDYN-2025-DLK/BK_LDLD",
    "nominee_name": "Đặng Thị Thu Hà",
    "position": "Kế toán viên",
    "achievements": "Hoàn thành xuất sắc nhiệm vụ",
    "facts.ratings.present": "1",
    "facts.ratings.2025": "HTXSNV",
    "facts.initiatives.present": "1",
    "facts.initiatives.0.title": "Sổ đoàn viên số",
    "facts.initiatives.0.year": "2025",
    "facts.initiatives.0.scope": "co_so",
    "facts.initiatives.0.benefit_vnd": "80.000.000",
}
VOTE = {"members": "9", "present": "7", "yes": "8", "no": "0", "abstain": "0"}


def values_on(page: str) -> dict[str, str]:
    """Every input's value, every selected option and every textarea's text on the page."""
    found = {
        m[1]: html.unescape(m[2]) for m in re.finditer(r'name="([^"]+)"[^>]*value="([^"]*)"', page)
    }
    found |= shown(page)
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        found[name] = html.unescape(text)
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        if chosen:
            found[name] = chosen[1]
    return found


def kept(page: str, typed: dict[str, str]) -> dict[str, tuple[str, str | None]]:
    """The typed values the page lost: field -> (typed, shown)."""
    on_page = values_on(page)
    return {k: (v, on_page.get(k)) for k, v in typed.items() if on_page.get(k) != v}


def at_council(world: World) -> int:
    nid = world.nominate(award="BK0")
    world.to_council(nid)
    world.session.rollback()
    return nid


# (who, path to post, what is typed, the error's field label or words expected on the page)
CASES: dict[str, Callable[[World], tuple[str, str, dict[str, str], str]]] = {
    "bad number": lambda w: (
        "officer1", "/nominations/new",
        NOMINATION | {"facts.initiatives.0.benefit_vnd": "80.000.0a0"}, "Giá trị làm lợi",
    ),
    "missing field": lambda w: (
        "officer1", "/nominations/new", {k: v for k, v in NOMINATION.items() if k != "nominee_name"},
        "Tên người/tập thể được đề nghị",
    ),
    "invalid vote": lambda w: (
        "council_prov", f"/nominations/{(nid := at_council(w))}/events",
        VOTE | {"event": "vote", "do": "vote", "version": str(w.version(nid))}, "có mặt",
    ),
    "tally in words": lambda w: (
        "council_prov", f"/nominations/{(nid := at_council(w))}/events",
        VOTE | {"yes": "bảy", "event": "vote", "do": "vote", "version": str(w.version(nid))},
        "Đồng ý (phải là số nguyên)",
    ),
    "missing member name": lambda w: (
        "officer1", "/members/new",
        {"code": "DV-9", "birth_date": "1985-04-12", "position": "Kế toán", "joined_on": "2020-01-01"},
        "Họ và tên",
    ),
    "bad account address": lambda w: (
        "admin", "/admin/users/officer1", {"full_name": "Nguyễn Văn Sửa", "email": "không@phải"},
        "Thư điện tử",
    ),
    "taken username": lambda w: (
        "admin", "/admin/users", {"username": "officer1", "full_name": "Nguyễn Văn Mới",
                                  "email": "moi@congdoan.vn", "role": "reviewer",
                                  "unit_code": "BR2", "valid_from": "2026-01-01"},
        "officer1",
    ),
    "unit without a name": lambda w: (
        "admin", "/admin/units", {"code": "CS9", "level": "cdcs", "parent_code": "BR1",
                                  "abbreviation": "CĐCS"}, "Tên",
    ),
}  # fmt: skip


@SQLITE_ONLY
@pytest.mark.parametrize("case", list(CASES))
def test_every_typed_value_survives_the_error(app, demo: World, case: str) -> None:  # noqa: F811
    who, path, typed, named = CASES[case](demo)
    demo.session.rollback()
    answer = WebClient(app, who).post(path, typed)
    page = answer.get_data(as_text=True)
    assert 400 <= answer.status_code < 500, (case, answer.status_code)
    assert named in page, case
    lost = {k: v for k, v in kept(page, typed).items() if k not in {"do", "event", "version"}}
    assert lost == {}, case


@SQLITE_ONLY
def test_vietnamese_thousands_are_read_as_one_number(app, demo: World) -> None:  # noqa: F811
    demo.session.rollback()
    officer = WebClient(app, "officer1")
    for written in ("80.000.000", "80 000 000", "80000000"):
        made = officer.post(
            "/nominations/new", NOMINATION | {"facts.initiatives.0.benefit_vnd": written}
        )
        assert made.status_code == 302, (written, made.get_data(as_text=True)[:800])
        page = officer.text(made.headers["Location"])
        assert "80.000.000" in page, written


@SQLITE_ONLY
@pytest.mark.parametrize("ended", ["signed out here", "signed out elsewhere"])
def test_an_expired_session_gives_back_every_value(app, world: World, ended: str) -> None:
    """The page says what happened and carries every value for the form's page to fill back
    in once signed in again (web/static/app.js; the browser test walks that)."""
    officer = WebClient(app, "officer1")
    page = officer.text("/nominations/new?award=C2025/BK0")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    (officer if ended == "signed out here" else WebClient(app, "officer1")).post("/logout")
    typed = {"award": "C2025/BK0", "nominee_name": "Đặng Thị Thu Hà", "position": "Kế toán viên",
             "achievements": "Đã bổ sung biên bản họp bình xét"}  # fmt: skip
    answer = officer.client.post(
        "/nominations/new", data=typed | {"csrf_token": token},
        headers={"Referer": "http://localhost/nominations/new?award=C2025/BK0"},
    )  # fmt: skip
    assert answer.status_code in (400, 401)
    page = answer.get_data(as_text=True)
    assert "Biểu mẫu đã hết hiệu lực" in page
    kept_for = re.search(r'id="typed-form" data-for="([^"]+)">(.*?)</script>', page, re.S)
    assert html.unescape(kept_for[1]) == "/nominations/new?award=C2025/BK0"
    assert dict(json.loads(kept_for[2])) == typed


def test_every_form_field_has_a_label_for_its_messages() -> None:
    import importlib
    import inspect
    import pkgutil

    import web

    missing = set()
    for module in pkgutil.iter_modules(web.__path__):
        if module.name == "api":
            continue
        for cls in vars(importlib.import_module(f"web.{module.name}")).values():
            if inspect.isclass(cls) and issubclass(cls, forms.Schema) and cls is not forms.Schema:
                missing |= {f"{cls.__name__}.{f}" for f in cls().fields if f not in FIELD_LABELS}
    assert missing == set()


@SQLITE_ONLY
def test_a_refused_field_is_named_as_the_form_labels_it(app, world: World) -> None:
    world.session.rollback()
    page = WebClient(app, "officer1").post("/nominations/new", {"award": "C2025/BK0"})
    text: Any = page.get_data(as_text=True)
    assert "Tên người/tập thể được đề nghị" in text
    assert "nominee_name" not in re.sub(r'name="nominee_name"|for="[^"]*"|id="[^"]*"', "", text)


def test_a_summary_too_long_is_refused_saying_how_long_it_may_be(app, world: World) -> None:
    """A pasted report longer than a summary may be says its limit, and the text stays typed."""
    world.session.rollback()
    pasted = "Thành tích " * 2_001  # 22,011 characters
    page = WebClient(app, "officer1").post(
        "/nominations/new",
        {"award": "C2025/BK", "nominee_name": "Trần Thị Dài", "achievements": pasted},
    )
    assert page.status_code == 422
    text = html.unescape(page.get_data(as_text=True))
    assert "Tóm tắt thành tích (tối đa 20.000 ký tự)" in text
    assert pasted.strip() in text


def test_the_vote_form_starts_with_the_councils_roster(app, world: World) -> None:
    """ "Tổng số thành viên" is the council's size on the day, which the secretary knows and
    should not have to count; with no roster on record it is left for them to type."""
    nid = at_council(world)
    voting = WebClient(app, "council_prov")
    empty = values_on(voting.text(f"/nominations/{nid}"))
    assert empty.get("members", "") == ""
    world.seat_council(size=7)
    world.session.commit()
    assert values_on(voting.text(f"/nominations/{nid}"))["members"] == "7"
