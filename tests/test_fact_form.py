"""The nomination form's facts come from the facts schema (workflow/facts.py FACT_FIELDS):
how each is read back (web/forms.py), drawn and labelled (nomination_form.html).

Adding a fact is one edit: a schema field with its label. These tests pin the form's field
names and what each becomes, and that a refused form keeps what was typed.
"""

from __future__ import annotations

import html
import re
from types import SimpleNamespace
from typing import Any

import pytest
from marshmallow import fields
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from rules import RULES
from rules.registry import FACT_LABELS
from tests.api_client import ApiClient
from tests.factories import demo_definition
from tests.web_client import WebClient
from web import forms
from workflow import campaigns
from workflow.facts import (
    FACT_FIELDS,
    FactField,
    FactsSchema,
    describe,
    fact_path_label,
    label,
    needed_facts,
    shown_facts,
)
from workflow.models import AwardType, Nomination

KINDS = set(forms.READERS)
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def read(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return forms.facts_from_form(MultiDict(pairs))


@pytest.mark.parametrize(
    ("pairs", "facts"),
    [
        pytest.param([], {}, id="nothing"),
        pytest.param([("facts.absent_days", " 7 "), ("facts.score", "0")],
                     {"absent_days": 7, "score": 0}, id="numbers"),
        pytest.param([("facts.absent_days", "-3"), ("facts.months_employed", "mười")],
                     {"absent_days": -3, "months_employed": "mười"}, id="not-a-number-stays-text"),
        pytest.param([("facts.initiatives.present", "1"), ("facts.initiatives.0.title", "A"),
                      ("facts.initiatives.0.benefit_vnd", "80.000.000"),
                      ("facts.initiatives.1.title", "B"),
                      ("facts.initiatives.1.benefit_vnd", "1 200 000")],
                     {"initiatives": [{"title": "A", "benefit_vnd": 80_000_000},
                                      {"title": "B", "benefit_vnd": 1_200_000}]},
                     id="vietnamese-thousands"),
        pytest.param([("facts.absent_days", "8.5"), ("facts.score", "1.00")],
                     {"absent_days": "8.5", "score": "1.00"}, id="not-thousands-stays-text"),
        pytest.param([("facts.absent_days", "--5"), ("facts.score", "²")],
                     {"absent_days": "--5", "score": "²"}, id="digits-int-refuses"),
        pytest.param([("facts.absent_days", "  "), ("facts.achievement_ref", "")], {},
                     id="blank-is-absent"),
        pytest.param([("facts.achievement_ref", " BC-12 "), ("facts.gender", "female")],
                     {"achievement_ref": "BC-12", "gender": "female"}, id="text-and-choice"),
        pytest.param([("facts.registered.present", "1"), ("facts.registered", "on"),
                      ("facts.is_leader.present", "1"), ("facts.reorganized", "on")],
                     {"registered": True, "is_leader": False}, id="checkboxes"),
        pytest.param([("facts.ratings.present", "1"), ("facts.ratings.2024", "HTXSNV"),
                      ("facts.ratings.2025", ""), ("facts.grades.2025", "hoan_thanh")],
                     {"ratings": {"2024": "HTXSNV"}, "grades": {"2025": "hoan_thanh"}},
                     id="by-year"),
        pytest.param([("facts.ratings.present", "1")], {"ratings": {}}, id="by-year-emptied"),
        pytest.param([("facts.targets.present", "1"), ("facts.targets.dv_moi", "25"),
                      ("facts.targets.kpcd", ""), ("facts.targets.x.y", "a")],
                     {"targets": {"dv_moi": 25, "x.y": "a"}}, id="by-target"),
        pytest.param([("facts.initiatives.present", "1"),
                      ("facts.initiatives.0.title", " Số hóa "), ("facts.initiatives.0.year", "2024"),
                      ("facts.initiatives.0.benefit_vnd", ""), ("facts.initiatives.1.title", ""),
                      ("facts.initiatives.4.scope", "tinh")],
                     {"initiatives": [{"title": "Số hóa", "year": 2024}, {"scope": "tinh"}]},
                     id="rows-beyond-those-offered"),
        pytest.param([("facts.discipline.present", "1"), ("facts.discipline.0.year", ""),
                      ("facts.discipline.0.level", "")], {"discipline": []}, id="rows-emptied"),
        pytest.param([("facts.prior_titles.0.award_type", "CSTDCS")], {}, id="rows-not-on-form"),
        pytest.param([("facts.initiatives.present", "1"), ("facts.initiatives.1000.title", "A"),
                      ("facts.initiatives.2.title", "B")],
                     {"initiatives": [{"title": "B"}, {"title": "A"}]}, id="rows-numbered-high"),
    ],
)  # fmt: skip
def test_each_kind_of_fact_is_read_back(pairs: list[tuple[str, str]], facts: dict[str, Any]):
    assert read(pairs) == facts


def test_every_fact_has_a_kind_the_form_knows_and_labels_in_both_languages():
    assert FACT_FIELDS.keys() == FactsSchema().declared_fields.keys()
    for fact in FACT_FIELDS.values():
        assert fact.kind in KINDS, fact.name
        for part in (fact, *fact.columns):
            vi, en = part.label("vi", year=2025, number=1), part.label("en", year=2025, number=1)
            assert vi, part.name
            assert en not in ("", vi), part.name
        assert (fact.kind == "rows") == bool(fact.columns) == (fact.rows > 0), fact.name
        assert (fact.kind in ("choice", "by_year")) == bool(fact.choices), fact.name


def test_every_fact_a_rule_needs_is_in_the_schema_with_a_label_for_its_message():
    needs = {name for r in RULES.values() for name in r.reads}
    assert needs <= FACT_FIELDS.keys()
    assert needs <= FACT_LABELS.keys()


@SQLITE_ONLY
def test_a_new_fact_is_read_and_drawn_from_its_schema_field_alone(app, monkeypatch):
    """The one edit a new fact needs: a FactsSchema field with its label."""
    from flask import render_template

    overtime = describe(
        "overtime_hours",
        fields.Integer(strict=True, metadata=label("Số giờ làm thêm", "Overtime hours")),
    )
    monkeypatch.setitem(FACT_FIELDS, "overtime_hours", overtime)
    assert read([("facts.overtime_hours", "12")]) == {"overtime_hours": 12}
    award = SimpleNamespace(title="Thử", nominee_kind="individual")
    with app.test_request_context("/nominations/new"):
        page = render_template(
            "nomination_form.html",
            awards=[],
            chosen="C/A",
            match=(SimpleNamespace(title="Đợt thử"), award),
            needs=[overtime, FACT_FIELDS["gender"]],
            targets=[],
            years=[2025],
            nomination=None,
            facts={"gender": "female"},
            preview=None,
            form=MultiDict(),
        )
    assert '<label for="f-overtime_hours">Số giờ làm thêm</label>' in page
    assert 'name="facts.overtime_hours" inputmode="numeric" value=""' in page
    assert '<option value="female" selected>Nữ</option>' in page


def test_choice_labels_follow_the_language():
    gender = FACT_FIELDS["gender"]
    assert [gender.choice_label(c, "en") for c in gender.choices] == ["Female", "Male"]
    assert FACT_FIELDS["education"].choice_label("college", "vi") == "Cao đẳng"
    assert FACT_FIELDS["education"].choice_label("unheard_of", "vi") == "unheard_of"
    assert isinstance(hash(gender), int)  # usable as a key, though its labels are a dict


def test_no_code_of_a_choice_reaches_the_vietnamese_form_unlabelled():
    """Issue 18: "khien_trach", "co_so", "postgraduate" read as words, in both languages."""
    for fact in FACT_FIELDS.values():
        for field in (fact, *fact.columns):
            for choice in field.choices:
                for lang in ("vi", "en"):
                    assert field.choice_label(choice, lang) != choice, (field.name, choice)


@pytest.fixture
def demo(world, monkeypatch):
    campaigns.import_campaign(world.session, demo_definition())
    world.session.commit()
    # The pages on the world's day: the campaign's awards take dossiers until 20/11/2025.
    monkeypatch.setenv("KHENTHUONG_NOW", f"{world.now.date().isoformat()}T03:00:00+00:00")
    return world


def shown(page: str) -> dict[str, str]:
    """Each fact field on the page with what it shows (a select: its selected option)."""
    found = {
        m[1]: html.unescape(m[2])
        for m in re.finditer(r'name="(facts\.[^"]+)"[^>]*value="([^"]*)"', page)
    }
    for name, options in re.findall(
        r'<select id="[^"]+" name="(facts\.[^"]+)">(.*?)</select>', page
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        found[name] = chosen[1] if chosen else ""
    return found


@SQLITE_ONLY
def test_a_refused_form_keeps_what_was_typed(app, demo):
    typed = {
        "award": "TDYN-2025-DLK/BK_LDLD",
        "nominee_name": "Chưa lưu",
        "facts.discipline.present": "1",
        "facts.discipline.0.year": "năm ngoái",
        "facts.discipline.0.level": "canh_cao",
        "facts.ratings.present": "1",
        "facts.ratings.2025": "HTXSNV",
        "facts.initiatives.present": "1",
        "facts.initiatives.1.title": "Sổ đoàn viên số",
        "facts.achievement_ref": "BC-7",
    }
    officer = WebClient(app, "officer1")
    for extra in ({}, {"preview": "1"}):
        refused = officer.post("/nominations/new", typed | extra)
        assert refused.status_code == 422
        on_page = shown(refused.get_data(as_text=True))
        assert {
            k: on_page.get(k)
            for k in typed
            if k.startswith("facts.") and not k.endswith(".present")
        } == {
            k: v for k, v in typed.items() if k.startswith("facts.") and not k.endswith(".present")
        }


@SQLITE_ONLY
def test_choosing_another_award_keeps_what_was_typed_and_creates_nothing(app, demo):
    """The award list is one of the form's fields: picking another, with "Chọn hình thức" or
    straight to "Tạo hồ sơ", draws the form again for it with everything typed, and a draft
    is made only for the award the list shows, once its own fields were on the page."""
    typed = {
        "award": "TDYN-2025-DLK/LDTT",
        "drawn_for": "TDYN-2025-DLK/BK_LDLD",
        "nominee_name": "Chưa lưu",
        "position": "Tổ trưởng công đoàn",
        "achievements": "Hoàn thành xuất sắc nhiệm vụ",
        "facts.absent_days": "3",
    }
    officer = WebClient(app, "officer1")
    drafts = demo.session.scalar(select(func.count()).select_from(Nomination))
    demo.session.rollback()
    for extra in ({"choose": "1"}, {}):
        page = officer.post("/nominations/new", typed | extra)
        assert page.status_code == 200
        text = html.unescape(page.get_data(as_text=True))
        assert '<option value="TDYN-2025-DLK/LDTT" selected>' in text
        assert 'name="drawn_for" value="TDYN-2025-DLK/LDTT"' in text
        for value in ("Chưa lưu", "Tổ trưởng công đoàn", "Hoàn thành xuất sắc nhiệm vụ"):
            assert value in text
        assert shown(text)["facts.absent_days"] == "3"
    assert "Đã đổi hình thức khen thưởng" in text  # the second, unasked, says why
    assert demo.session.scalar(select(func.count()).select_from(Nomination)) == drafts
    demo.session.rollback()
    made = officer.post("/nominations/new", typed | {"drawn_for": typed["award"]})
    assert made.status_code == 302
    nid = int(made.headers["Location"].rsplit("/", 1)[1])
    assert demo.session.get(Nomination, nid).award_type.code == "LDTT"


def drafted(client: Any, name: str, facts: dict[str, Any]) -> int:
    """A Bằng khen LĐLĐ draft of officer1 with ``facts``, made through the API."""
    made = ApiClient(client, "officer1").post(
        "/nominations",
        json={
            "campaign": "TDYN-2025-DLK",
            "award_type": "BK_LDLD",
            "nominee": {"kind": "individual", "name": name},
            "facts": facts,
        },
    )
    assert made.status_code == 201, made.json
    return int(made.json["id"])


@SQLITE_ONLY
def test_editing_keeps_every_row_the_discipline_and_the_facts_it_does_not_show(app, client, demo):
    facts = {
        "ratings": {"2024": "HTXSNV", "2025": "HTXSNV"},
        "initiatives": [
            {"title": f"Sáng kiến {i}", "year": 2025, "scope": "co_so", "benefit_vnd": i,
             "recognized_by": "Hội đồng"} for i in range(forms.ROWS + 1)
        ],
        "discipline": [{"year": 2025, "level": "khien_trach"}],
        "achievement_ref": "BC-9",
        "gender": "female",  # from the member register; no field of this form shows it
    }  # fmt: skip
    nid = drafted(client, "Lê Thị Sửa", facts)
    officer = WebClient(app, "officer1")
    page = officer.text(f"/nominations/{nid}/edit")
    on_page = {k: v for k, v in shown(page).items() if v != ""}
    present = dict.fromkeys(re.findall(r'name="(facts\.[^"]+\.present)"', page), "1")
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    kept = {"version": version[1], "achievements": "", "nominee_name": "Lê Thị Sửa"}
    saved = officer.post(
        f"/nominations/{nid}/edit",
        on_page | present | kept | {"award": "TDYN-2025-DLK/BK_LDLD"},
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:1000]
    # The form also asks for titles held (R-BK-74 looks for CSTĐ cơ sở): none declared is [].
    stored = ApiClient(client, "officer1").get(f"/nominations/{nid}").json["facts"]
    assert stored == facts | {"prior_titles": []}


def test_fact_fields_describe_list_columns_in_schema_order():
    columns = [c.name for c in FACT_FIELDS["initiatives"].columns]
    assert columns == ["title", "year", "scope", "benefit_vnd", "recognized_by"]
    assert [c.kind for c in FACT_FIELDS["discipline"].columns] == ["number", "choice"]
    assert isinstance(FACT_FIELDS["ratings"], FactField)


def test_declared_facts_read_as_words_in_either_language():
    facts = {
        "ratings": {"2025": "HTTNV"},
        "initiatives": [
            {"title": "Số hóa", "year": 2025, "scope": "tinh", "benefit_vnd": 80_000_000}
        ],
        "registered": False,
        "education": "postgraduate",
    }
    vi = dict(shown_facts(facts, "vi"))
    assert vi["Xếp loại năm"] == ["2025: Hoàn thành tốt nhiệm vụ"]
    assert vi["Sáng kiến"] == [
        "Tên: Số hóa; Năm: 2025; Phạm vi: Cấp tỉnh, bộ, ngành; Giá trị làm lợi (đồng): 80.000.000"
    ]
    assert vi["Đã đăng ký thi đua"] == ["Không"]
    assert vi["Trình độ đào tạo"] == ["Sau đại học"]
    en = dict(shown_facts(facts, "en"))
    assert en["Education level"] == ["Postgraduate"]
    assert en["Registered for the emulation movement"] == ["No"]
    assert shown_facts({}, "vi") == []


@pytest.mark.parametrize(
    ("typed", "read"),
    [("3", 3), ("", 0), ("80.000", 80000), ("٣", None), ("²", None), ("1_0", None)],
)
def test_a_count_is_read_from_ascii_digits_only(typed, read):
    """ "٣" (Arabic-Indic three) was read as 3 on a tally sheet: no form means it."""
    assert forms.parse_count(typed) == read


def test_a_refused_fact_names_its_field_and_year_in_plain_words():
    from workflow.errors import InvalidInput
    from workflow.facts import validate_facts

    with pytest.raises(InvalidInput) as err:
        validate_facts({"ratings": {"2026": 5, "abc": "HTXSNV"}, "initiatives": [5]})
    assert err.value.message_vi == (
        "Thông tin kê khai chưa đúng: Xếp loại năm «abc»: không đúng dạng; Xếp loại năm 2026: "
        "không phải chữ; Sáng kiến, dòng 1: sai kiểu dữ liệu."
    )
    assert ".;" not in err.value.message_en
    assert "Rating for 'abc'" in err.value.message_en


@pytest.mark.parametrize(
    ("path", "vi", "en"),
    [
        ("facts.initiatives.0.title", "Sáng kiến 1: tên", "Initiative 1: title"),
        ("facts.initiatives.1.year", "Sáng kiến, dòng 2: Năm", "Initiative, row 2: Year"),
        ("facts.prior_titles.2.award_type", "Danh hiệu 3", "Title 3"),
    ],
)
def test_a_list_fact_is_named_as_the_form_labels_its_row(path, vi, en):
    """A column the form numbers ("Sáng kiến 1: tên") is named so, not "Sáng kiến : tên"."""
    assert (fact_path_label(path, "vi"), fact_path_label(path, "en")) == (vi, en)


def test_a_list_fact_holds_at_most_two_hundred_rows():
    from workflow.errors import InvalidInput
    from workflow.facts import MAX_LIST_ROWS, validate_facts

    row = {"title": "Cải tiến quy trình", "year": 2024, "scope": "co_so"}
    assert len(validate_facts({"initiatives": [row] * MAX_LIST_ROWS})["initiatives"]) == 200
    with pytest.raises(InvalidInput) as err:
        validate_facts({"initiatives": [row] * (MAX_LIST_ROWS + 1)})
    assert err.value.message_vi == "Thông tin kê khai chưa đúng: Sáng kiến: tối đa 200 dòng."


@SQLITE_ONLY
def test_a_form_keeps_what_it_did_not_carry_and_drops_what_was_emptied(app, client, demo):
    """A field emptied on the form clears its fact; a fact the form did not carry (a form
    opened before the rules asked for it, a client of its own) is kept as stored."""
    nid = drafted(client, "Lê Thị Giữ", {"achievement_ref": "BC-9", "absent_days": 3})
    officer = WebClient(app, "officer1")
    page = officer.text(f"/nominations/{nid}/edit")
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    saved = officer.post(
        f"/nominations/{nid}/edit",
        {"award": "TDYN-2025-DLK/BK_LDLD", "version": version[1], "nominee_name": "Lê Thị Giữ",
         "facts.achievement_ref": ""},
    )  # fmt: skip
    assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    assert ApiClient(client, "officer1").get(f"/nominations/{nid}").json["facts"] == {
        "absent_days": 3
    }


@SQLITE_ONLY
def test_switching_awards_back_and_forth_loses_nothing_typed(app, demo):
    """A fact only the first award asks for is carried, hidden, while another award's
    fields are drawn, shown again when the first is chosen back, and never saved under an
    award that does not ask for it."""
    awards = {
        a.code: {fact.name for fact in needed_facts(a)}
        for a in demo.session.scalars(
            select(AwardType).where(AwardType.code.in_(("BK_LDLD", "LDTT")))
        )
    }
    demo.session.rollback()
    only_first = sorted(awards["BK_LDLD"] - awards["LDTT"])
    assert "achievement_ref" in only_first
    typed = {
        "award": "TDYN-2025-DLK/LDTT",
        "drawn_for": "TDYN-2025-DLK/BK_LDLD",
        "nominee_name": "Chưa lưu",
        "facts.achievement_ref": "BC-17/2025",
        "facts.absent_days": "3",
        "choose": "1",
    }
    officer = WebClient(app, "officer1")
    other = html.unescape(officer.post("/nominations/new", typed).get_data(as_text=True))
    assert "facts.achievement_ref" not in shown(other)
    kept = dict(re.findall(r'name="(kept\.[^"]+)" value="([^"]*)"', other))
    assert kept["kept.facts.achievement_ref"] == "BC-17/2025"

    back = {**shown(other), **kept, "award": "TDYN-2025-DLK/BK_LDLD"}
    back |= {"drawn_for": "TDYN-2025-DLK/LDTT", "nominee_name": "Chưa lưu", "choose": "1"}
    again = html.unescape(officer.post("/nominations/new", back).get_data(as_text=True))
    assert shown(again)["facts.achievement_ref"] == "BC-17/2025"
    assert "facts.absent_days" not in shown(again)  # LĐTT's, now kept in its turn
    assert 'name="kept.facts.absent_days" value="3"' in again

    made = officer.post(
        "/nominations/new",
        {
            **shown(other),
            **kept,
            "award": "TDYN-2025-DLK/LDTT",
            "drawn_for": "TDYN-2025-DLK/LDTT",
            "nominee_name": "Chưa lưu",
        },
    )
    assert made.status_code == 302
    nid = int(made.headers["Location"].rsplit("/", 1)[1])
    assert "achievement_ref" not in demo.session.get(Nomination, nid).facts


@SQLITE_ONLY
def test_a_year_the_new_form_does_not_draw_is_kept_and_an_unticked_box_stays_unticked(app, demo):
    """A plan of another year draws other years of the ratings: the year it does not draw
    is kept; a box the officer unticked is not ticked again by what was kept of it."""
    officer = WebClient(app, "officer1")
    typed = {
        "award": "TDYN-2025-DLK/LDTT",
        "drawn_for": "TDYN-2026-DLK/LDTT",  # as if sent from next year's plan
        "nominee_name": "Chưa lưu",
        "facts.ratings.present": "1",
        "facts.ratings.2025": "HTTNV",
        "facts.ratings.2026": "HTNV",
        "kept.facts.registered": "on",  # ticked once, then unticked on the page sent
        "facts.registered.present": "1",
        "choose": "1",
    }
    page = html.unescape(officer.post("/nominations/new", typed).get_data(as_text=True))
    assert shown(page)["facts.ratings.2025"] == "HTTNV"
    assert "facts.ratings.2026" not in shown(page)
    assert 'name="kept.facts.ratings.2026" value="HTNV"' in page
    assert 'name="facts.registered" checked' not in page


def test_what_a_form_keeps_is_bounded_whatever_is_sent():
    """Only known facts, values no fact could hold left out, and a bounded number of fields:
    a crafted form of 100,000 fields or a megabyte value is not echoed back."""
    form = MultiDict(
        [("kept.facts.achievement_ref", "x" * (forms.KEPT_MAX + 1)), ("kept.facts.nope", "1")]
        + [(f"kept.facts.initiatives.{i}.title", "t") for i in range(5000)]
    )
    _, kept = forms.carried(form)
    assert len(kept) == forms.KEPT_MOST
    assert all(name.startswith("kept.facts.initiatives.") for name, _ in kept)
