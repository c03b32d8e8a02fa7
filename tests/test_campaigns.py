"""Campaign files: every seed imports, broken files are explained, rules guard submission."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
import yaml
from sqlalchemy import select

from tests.factories import CAMPAIGNS, demo_definition
from tests.web_client import WebClient
from workflow import campaigns, checks, nominating
from workflow.errors import InvalidInput, NotEligible
from workflow.models import AwardType, Campaign, Nomination

CATALOGUE = CAMPAIGNS / "catalogue.yaml"
SEEDS = sorted(p for p in CAMPAIGNS.glob("*.yaml") if p.name != "catalogue.yaml")
GOOD_FACTS = {
    "ratings": {"2024": "HTXSNV", "2025": "HTXSNV"},
    "initiatives": [
        {"title": "A", "year": 2024, "scope": "co_so", "benefit_vnd": 1, "recognized_by": "HĐ"},
        {"title": "B", "year": 2025, "scope": "co_so", "benefit_vnd": 1, "recognized_by": "HĐ"},
    ],
    "discipline": [],
    "achievement_ref": "TT-1",
}


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_every_campaign_file_imports_and_reimports_to_the_same_thing(session, path):
    data = campaigns.load_file(path, CATALOGUE)
    first = campaigns.import_campaign(session, data)
    session.commit()
    version, awards = first.rule_set_version, sorted(a.code for a in first.award_types)
    again = campaigns.import_campaign(session, campaigns.load_file(path, CATALOGUE))
    session.commit()
    assert (again.id, again.rule_set_version) == (first.id, version)
    assert sorted(a.code for a in again.award_types) == awards
    assert len(session.scalars(select(Campaign)).all()) == 1


def test_the_daklak_plan_keeps_its_ten_targets_and_two_periods():
    data = campaigns.load_file(CAMPAIGNS / "2017-cdvc-daklak.yaml", CATALOGUE)
    assert data["issuer"]["level"] == "cd_cap_tren"
    assert len(data["periods"]) == 2
    assert len(data["targets"]) >= 10
    assert "10/KH-LĐLĐ" in data["parent_document"]


def test_export_then_import_gives_the_same_definition(session, tmp_path):
    campaigns.import_campaign(session, demo_definition())
    exported = campaigns.export_campaign(session, "TDYN-2025-DLK")
    path = tmp_path / "round.yaml"
    path.write_text(yaml.safe_dump(exported, allow_unicode=True), encoding="utf-8")
    reloaded = campaigns.load_file(path, None)
    assert campaigns.rule_set_version(
        campaigns.import_campaign(session, reloaded).definition
    ) == campaigns.rule_set_version(exported)


def broken(mutate) -> dict:
    raw = yaml.safe_load((CAMPAIGNS / "demo-2025-daklak.yaml").read_text(encoding="utf-8"))
    raw = copy.deepcopy(raw)
    mutate(raw)
    return raw


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda r: r.pop("code"), "code"),
        (lambda r: r.update(year="năm nay"), "year"),
        (lambda r: r["periods"][0].update(start="31/02/2025"), "periods.0.start"),
        (lambda r: r["targets"][0].update(comparison="≈"), "targets.0.comparison"),
        (lambda r: r["awards"][0].update(vote={"ratio": "3/2"}), "awards.0.vote.ratio"),
        (lambda r: r["awards"][1].update(rules=[{"rule": "R-NOPE"}]), "awards.1.rules.0.rule"),
        (lambda r: r.update(colour="đỏ"), "colour"),
        (lambda r: r["awards"][2].update(catalogue="KHONG_CO"), "awards.2.catalogue"),
        # What the database's columns cannot hold, or what would fail later (a 500 each):
        (lambda r: r["awards"][0].update(vote={"ratio": "1/2147483648"}), "awards.0.vote.ratio"),
        (
            lambda r: r["awards"][0].update(deadlines={"days_per_tier": 2**31 - 1}),
            "awards.0.deadlines.days_per_tier",
        ),
        (lambda r: r["awards"][0].update(quota={"per_unit": 10**20}), "awards.0.quota.per_unit"),
        (lambda r: r["awards"][0].update(title="x" * 301), "awards.0.title"),
        (lambda r: r["awards"][0].update(decider={"unit": "U" * 41}), "awards.0.decider.unit"),
        (lambda r: r.update(parent="P" * 61), "parent"),
        (lambda r: r["awards"][0].update(bonus_coefficient="1e15"), "awards.0.bonus_coefficient"),
        (
            lambda r: r["awards"][0].update(bonus_coefficient="0." + "1" * 100),
            "awards.0.bonus_coefficient",
        ),
        (lambda r: r["awards"][0].update(bonus_coefficient="NaN"), "awards.0.bonus_coefficient"),
        (
            lambda r: r["awards"][0].update(deadlines={"submit_by": "0001-01-01"}),
            "awards.0.deadlines.submit_by",
        ),
    ],
    ids=[
        "missing",
        "type",
        "date",
        "choice",
        "ratio",
        "rule",
        "unknown-key",
        "catalogue",
        "ratio-beyond-integers",
        "days-per-tier",
        "quota",
        "title-length",
        "unit-code-length",
        "parent-length",
        "coefficient-size",
        "coefficient-places",
        "coefficient-nan",
        "date-of-year-1",
    ],
)
def test_a_broken_definition_names_the_field(mutate, path):
    catalogue = campaigns.load_catalogue(campaigns.read_yaml(CATALOGUE), "catalogue")
    with pytest.raises(InvalidInput) as err:
        campaigns.validate(broken(mutate), "broken.yaml", catalogue)
    assert err.value.details["source"] == "broken.yaml"
    assert any(line.startswith(f"{path}:") for line in err.value.details["errors"])
    assert "broken.yaml" in err.value.message_vi


def test_cli_import_of_a_broken_file_exits_with_the_file_and_field(app, tmp_path):
    bad = tmp_path / "hong.yaml"
    bad.write_text(yaml.safe_dump(broken(lambda r: r["awards"][0].update(notice_days=-1))))
    result = app.test_cli_runner().invoke(args=["campaign", "import", str(bad)])
    assert result.exit_code == 2
    assert "hong.yaml" in result.output
    assert "awards.0.notice_days" in result.output


def test_cli_import_and_export(app, tmp_path):
    runner = app.test_cli_runner()
    imported = runner.invoke(args=["campaign", "import", str(CAMPAIGNS / "2020-ldld-backan.yaml")])
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "bk.yaml"
    assert (
        runner.invoke(
            args=["campaign", "export", "TD-2020-LDLD-BKN", "--output", str(out)]
        ).exit_code
        == 0
    )
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["issuer"]["level"] == "ldld_tinh"
    missing = runner.invoke(args=["campaign", "export", "KHONG-CO"])
    assert missing.exit_code == 2


def nominate(world, facts, award="BK_LDLD", name="Lê Thị Hồng"):
    return nominating.create_nomination(
        world.session,
        world.user("officer1"),
        campaign="TDYN-2025-DLK",
        award_type=award,
        nominee_kind="individual",
        nominee_name=name,
        facts=facts,
        now=world.tick(),
    ).id


def test_submit_is_refused_listing_every_failing_rule(ruled):
    facts = {
        **GOOD_FACTS,
        "ratings": {"2024": "HTNV", "2025": "HTXSNV"},
        "discipline": [{"year": 2025, "level": "khien_trach"}],
    }
    nid = nominate(ruled, facts)
    with pytest.raises(NotEligible) as err:
        ruled.fire(nid, "submit", "officer1")
    assert {d["rule"] for d in err.value.details} == {"R-DISCIPLINE", "R-BK-74"}
    assert "bị khiển trách" in err.value.message_vi
    assert "khien_trach" not in err.value.message_vi  # words, not codes
    assert ".;" not in err.value.message_vi + err.value.message_en  # one stop, at the end
    assert ruled.session.get(Nomination, nid).state == "draft"


def test_a_title_held_is_asked_by_name_and_counts_for_the_confederations_bang_khen(ruled, app):
    """R-BK-TLD needs the provincial Bằng khen of the year before: the form asks for titles held
    (suggesting them by name), the name typed is kept as its code for the rules, and the page
    names it again."""
    from tests.web_client import WebClient

    ruled.session.rollback()
    officer = WebClient(app, "officer1")
    form = officer.text("/nominations/new?award=TDYN-2025-DLK/BK_TLD")
    assert 'name="facts.prior_titles.0.award_type" list="known-titles"' in form
    provincial = "Bằng khen của Ban Chấp hành Liên đoàn Lao động tỉnh"
    assert f'<option value="{provincial}">' in form  # picked, the name fills the field
    assert '<option value="BK_LDLD"' not in form
    made = officer.post(
        "/nominations/new",
        {
            "award": "TDYN-2025-DLK/BK_TLD",
            "nominee_name": "Trần Thị Khen",
            "facts.ratings.present": "1",
            "facts.ratings.2024": "HTXSNV",
            "facts.ratings.2025": "HTXSNV",
            "facts.initiatives.present": "1",
            "facts.prior_titles.present": "1",
            "facts.prior_titles.0.award_type": provincial.upper(),
            "facts.prior_titles.0.year": "2024",
        },
    )
    assert made.status_code == 302, made.get_data(as_text=True)[:500]
    nid = int(made.headers["Location"].rsplit("/", 1)[1])
    n = ruled.session.get(Nomination, nid)
    assert n.facts["prior_titles"] == [{"award_type": "BK_LDLD", "year": 2024}]
    report = checks.report(ruled.session, n, ruled.now.date())
    verdict = next(r for r in report.results if r.rule == "R-BK-TLD")
    assert verdict.values["provincial_bang_khen"] is True
    ruled.session.rollback()
    page = officer.text(f"/nominations/{nid}")
    assert f"Danh hiệu: {provincial}; Năm: 2024" in page
    assert "BK_LDLD" not in page
    edit = officer.text(f"/nominations/{nid}/edit")
    assert (
        f'name="facts.prior_titles.0.award_type" list="known-titles" value="{provincial}"' in edit
    )


def test_the_check_before_saving_reads_a_title_held_by_name_as_saving_does(ruled):
    """The form's "Kiểm tra điều kiện (chưa lưu)" said a title typed by its name was not held,
    while the same facts saved passed: both now code it the same way."""
    award = ruled.session.scalar(
        select(AwardType).where(AwardType.code == "BK_TLD", AwardType.campaign_version == 1)
    )
    facts = {
        "ratings": {"2024": "HTXSNV", "2025": "HTXSNV"},
        "initiatives": [],
        "prior_titles": [
            {"award_type": "Bằng khen của Ban Chấp hành Liên đoàn Lao động tỉnh", "year": 2024}
        ],
    }
    unit = ruled.user("officer1").assignments[0].unit_id
    results = checks.preview(ruled.session, award, unit, facts, ruled.now.date())
    verdict = next(r for r in results if r.rule == "R-BK-TLD")
    assert verdict.values["provincial_bang_khen"] is True


def test_missing_facts_block_sending_and_are_never_shown_as_eligible(ruled, app):
    """Issue 14: a nomination with no facts used to look "đủ điều kiện" and go up with every
    rule "Thiếu thông tin"; now sending it lists what to fill in."""
    nid = nominate(ruled, {})
    n = ruled.session.get(Nomination, nid)
    report = checks.report(ruled.session, n, ruled.now.date())
    assert report.eligible  # nothing fails ...
    assert {"R-BK-74", "R-DISCIPLINE"} <= set(report.to_review)  # ... but nothing answered
    with pytest.raises(NotEligible) as err:
        ruled.fire(nid, "submit", "officer1")
    assert {"R-BK-74", "R-DISCIPLINE"} <= {d["rule"] for d in err.value.details}
    assert "thiếu thông tin (xếp loại đánh giá, sáng kiến)" in err.value.message_vi
    assert ruled.session.get(Nomination, nid).state == "draft"
    ruled.session.rollback()
    page = WebClient(app, "officer1").text(f"/nominations/{nid}")
    assert "Thiếu thông tin" in page
    assert "(đủ điều kiện)" not in page


def test_a_rule_with_no_clause_for_the_date_asks_the_reviewer(ruled, app, monkeypatch):
    """The 15 % CSTĐ cơ sở cap ended with Decree 91/2017; for 2025 no clause is known, so the
    page says a person must judge it, and the report "cần xem xét thêm", never "đủ điều kiện"."""
    monkeypatch.setenv("KHENTHUONG_NOW", "2025-11-05")
    facts = {**GOOD_FACTS, "registered": True, "absent_days": 0, "months_employed": 12}
    nid = nominate(ruled, facts, award="CSTDCS")
    ruled.session.rollback()
    page = WebClient(app, "officer1").text(f"/nominations/{nid}")
    assert "Cần xem xét thủ công" in page
    assert "chưa có căn cứ áp dụng cho ngày 31/12/2025" in page
    assert "(cần xem xét thêm)" in page
    assert "(đủ điều kiện)" not in page


def test_the_reviewer_reads_the_position_and_the_declared_facts_in_words(ruled, app):
    """Issue 18: the detail page showed neither; codes are shown as words."""
    facts = {**GOOD_FACTS, "discipline": [{"year": 2023, "level": "khien_trach"}]}
    nid = nominating.create_nomination(
        ruled.session, ruled.user("officer1"), campaign="TDYN-2025-DLK", award_type="BK_LDLD",
        nominee_kind="individual", nominee_name="Lê Thị Hồng", nominee={"position": "Kế toán"},
        facts=facts, now=ruled.tick(),
    ).id  # fmt: skip
    ruled.fire(nid, "submit", "officer1")
    ruled.session.rollback()
    page = WebClient(app, "rev_br1").text(f"/nominations/{nid}")
    assert "<dt>Chức vụ</dt><dd>Kế toán</dd>" in page
    assert "Thông tin kê khai" in page
    assert "2024: Hoàn thành xuất sắc nhiệm vụ" in page
    assert "Phạm vi: Cấp cơ sở" in page
    assert "Hình thức kỷ luật: Khiển trách" in page
    assert "khien_trach" not in page


def test_an_eligible_nomination_keeps_what_it_was_checked_against(ruled):
    nid = nominate(ruled, GOOD_FACTS)
    assert ruled.fire(nid, "submit", "officer1").state == "in_review"
    n = ruled.session.get(Nomination, nid)
    ruled.session.refresh(n)  # as stored, not as the event left the object
    assert n.rule_set_version == n.campaign.rule_set_version
    assert {r["rule"]: r["status"] for r in n.checks_at_submit}["R-BK-74"] == "pass"
    report = checks.report(ruled.session, n, ruled.now.date())
    assert report.eligible
    assert report.changed_since_submit == []


def test_an_achievement_rewarded_meanwhile_blocks_the_next_tier(ruled):
    first, second = nominate(ruled, GOOD_FACTS, name="A"), nominate(ruled, GOOD_FACTS, name="B")
    ruled.fire(second, "submit", "officer1")
    ruled.to_notice(first)
    ruled.sign([first], days_later=6)
    with pytest.raises(NotEligible) as err:
        ruled.fire(second, "approve", "rev_br1")
    assert [d["rule"] for d in err.value.details] == ["R-ONE-ACHIEVEMENT"]
    report = checks.report(ruled.session, ruled.session.get(Nomination, second), ruled.now.date())
    assert report.changed_since_submit == ["R-ONE-ACHIEVEMENT"]


def test_the_deadline_is_checked_at_submit(ruled):
    nid = nominate(ruled, GOOD_FACTS)
    ruled.now = ruled.now.replace(month=11, day=21)
    with pytest.raises(NotEligible) as err:
        ruled.fire(nid, "submit", "officer1")
    assert [d["rule"] for d in err.value.details] == ["R-DEADLINE"]


def test_rules_check_cli_reports_and_stores(app, ruled, tmp_path, monkeypatch):
    monkeypatch.setenv("KHENTHUONG_NOW", "2025-11-21")  # the day after the filing deadline
    nominate(ruled, GOOD_FACTS)
    nominate(ruled, {**GOOD_FACTS, "discipline": [{"year": 2025, "level": "canh_cao"}]}, name="X")
    ruled.session.rollback()
    report = tmp_path / "r.json"
    result = app.test_cli_runner().invoke(
        args=[
            "rules",
            "check",
            "--campaign",
            "TDYN-2025-DLK",
            "--output",
            str(report),
            "--format",
            "json",
        ]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(report.read_text(encoding="utf-8"))
    assert [r["eligible"] for r in rows] == [False, False]  # both drafts are past 20/11
    stored = ruled.session.scalars(select(Nomination.checks_latest)).all()
    ruled.session.rollback()  # SQLite: a reading transaction holds the write lock too
    assert all(s["results"] for s in stored)
    csv_path = tmp_path / "r.csv"
    app.test_cli_runner().invoke(
        args=["rules", "check", "--campaign", "TDYN-2025-DLK", "--output", str(csv_path)]
    )
    assert "R-DISCIPLINE" in csv_path.read_text(encoding="utf-8-sig")


def test_the_form_checks_the_facts_before_saving(app, ruled):
    from tests.web_client import WebClient

    ruled.session.rollback()
    officer = WebClient(app, "officer1")
    response = officer.post(
        "/nominations/new",
        {
            "award": "TDYN-2025-DLK/BK_LDLD",
            "nominee_name": "Chưa lưu",
            "preview": "1",
            "facts.ratings.present": "1",
            "facts.ratings.2024": "HTNV",
            "facts.ratings.2025": "HTXSNV",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kết quả kiểm tra với thông tin vừa nhập" in page
    # Each rule's verdict first, then its name (not its code) and why.
    assert "<strong>Thiếu thông tin</strong> — Bằng khen cấp bộ, ngành, tỉnh (cá nhân):" in page
    assert "(cá nhân): Bằng khen cấp bộ" not in page  # its name once, not again in its message
    assert "R-BK-74" not in page
    assert ruled.session.scalars(select(Nomination)).all() == []  # nothing saved
    ruled.session.rollback()
    saved = officer.post(
        "/nominations/new",
        {
            "award": "TDYN-2025-DLK/BK_LDLD",
            "nominee_name": "Đã lưu",
            "facts.ratings.present": "1",
            "facts.ratings.2024": "HTNV",
            "facts.ratings.2025": "HTXSNV",
            "facts.targets.present": "1",
            "facts.registered.present": "1",
            "facts.registered": "on",
        },
    )
    assert saved.status_code == 302
    facts = ruled.session.scalars(select(Nomination.facts)).one()
    ruled.session.rollback()
    assert facts["ratings"] == {"2024": "HTNV", "2025": "HTXSNV"}
    assert facts["targets"] == {}


def test_an_award_is_offered_to_the_last_day_of_its_filing_deadline(app, ruled, monkeypatch):
    """A nomination made after the deadline could never be sent: the form no longer offers it."""
    from tests.web_client import WebClient

    def offered(day: date) -> set[str]:
        return {
            a.code for c, a in campaigns.offered_awards(ruled.session, day, [ruled.unit("CS1")])
        }

    assert "BK_LDLD" in offered(date(2025, 11, 20))
    assert "BK_LDLD" not in offered(date(2025, 11, 21))
    ruled.session.rollback()
    monkeypatch.setenv("KHENTHUONG_NOW", "2025-11-20")
    officer = WebClient(app, "officer1")
    assert 'value="TDYN-2025-DLK/BK_LDLD"' in officer.text("/nominations/new")
    monkeypatch.setenv("KHENTHUONG_NOW", "2025-11-21")
    assert 'value="TDYN-2025-DLK/BK_LDLD"' not in officer.text("/nominations/new")


def test_awards_are_listed_in_reading_order_everywhere(ruled):
    """ "Bằng khen …" before "Bằng Lao động sáng tạo" in the form and the filters alike (the
    database put capitals first, and the filter sorted by code)."""
    from workflow.folding import fold

    offered = [
        a.title
        for c, a in campaigns.offered_awards(ruled.session, date(2025, 11, 3), [ruled.unit("CS1")])
    ]
    assert offered == sorted(offered, key=fold)
    titles = [title for _, title in campaigns.known_titles(ruled.session)]
    assert titles == sorted(titles, key=fold)
