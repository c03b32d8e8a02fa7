"""The registry through the web: who sees and who changes a member's record (the visibility
matrix of tests/test_ui.py, extended to the registry and its exports), forms that keep what
was typed, and exports of personal data recorded in the trail."""

from __future__ import annotations

import html
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.test_documents import pdf_text
from tests.test_emulation_year import plan
from tests.test_ui import USERS_BY_PLACE
from tests.web_client import WebClient
from workflow import campaigns, members
from workflow.clock import utcnow, vn_date
from workflow.models import AuditEvent, AwardType, Registration

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

# A member of CS1 (under BR1, under PROV): seen from CS1 and every unit above it.
SEES_MEMBER = {"officer1", "rev_br1", "rev_prov", "council_prov", "decider_prov",
               "auditor_br1", "auditor_prov", "rev_tld", "admin"}  # fmt: skip
WRITES_MEMBER = {"officer1", "admin"}
TUYET = members.NewMember("DV-0001", "Nguyễn Thị Ánh Tuyết", gender="female")


@pytest.fixture
def member(world) -> int:
    added = members.add_member(
        world.session, world.user("officer1"), "CS1", TUYET, date(2020, 1, 1)
    ).id
    world.session.rollback()
    return added


ACTIONS = {
    "view": lambda c, m: c.get(f"/members/{m}"),
    "list": lambda c, m: c.get("/members?q=anh tuyet"),
    "export": lambda c, m: c.get("/members.xlsx"),
    "initiative": lambda c, m: c.post(
        f"/members/{m}/initiatives",
        {"year": "2026", "title": "Số hóa sổ đoàn viên", "scope": "co_so"},
    ),
    "move": lambda c, m: c.post(f"/members/{m}/move", {"to_unit": "CS2", "on": "2026-06-01"}),
}


def shows(action: str, response) -> bool:
    if action == "list":
        return "Nguyễn Thị Ánh Tuyết" in response.get_data(as_text=True)
    if action == "export":
        sheet = load_workbook(io.BytesIO(response.get_data())).active
        return any(c.value == "DV-0001" for row in sheet.iter_rows() for c in row)
    return response.status_code == 200


@pytest.mark.parametrize("user", USERS_BY_PLACE)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_registry_visibility_matrix(app, world, member, action, user):
    response = ACTIONS[action](WebClient(app, user), member)
    if action in ("view", "list", "export"):
        assert shows(action, response) == (user in SEES_MEMBER), (action, user)
        return
    if user in WRITES_MEMBER:
        assert response.status_code == 302, (action, user, response.status_code)
    else:  # refused: told why (403) if they may see the member, not told it exists (404)
        assert response.status_code == (403 if user in SEES_MEMBER else 404), (action, user)
        world.session.expire_all()
        held = members.visible(world.session, world.user("officer1"), member, date(2026, 6, 2))
        assert [ms.unit.code for ms in held.memberships] == ["CS1"], (action, user)
        assert members.years_of(world.session, world.user("officer1"), held, date(2026, 6, 2)) == []


def test_an_export_of_personal_data_is_a_link_in_the_trail(app, world, member):
    WebClient(app, "auditor_prov").get("/members.xlsx?q=tuyet")
    bodies = world.session.scalars(select(AuditEvent.body)).all()
    assert any('"personal_data_export"' in b and '"auditor_prov"' in b for b in bodies)


def test_a_new_member_form_keeps_what_was_typed_when_refused(app, world, member):
    officer = WebClient(app, "officer1")
    typed = {"code": "DV-0001", "full_name": "Trần Văn Mới", "position": "Tổ trưởng",
             "joined_on": "2026-01-01"}  # fmt: skip
    refused = officer.post("/members/new", typed)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "đã có trong sổ" in page
    assert 'value="Trần Văn Mới"' in page
    assert 'value="Tổ trưởng"' in page


def test_a_member_cannot_join_before_being_born(app, world, member):
    typed = {"code": "DV-0777", "full_name": "Lê Văn Sớm", "birth_date": "2000-01-01",
             "joined_on": "1990-01-01"}  # fmt: skip
    refused = WebClient(app, "officer1").post("/members/new", typed)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "«Sinh hoạt tại đơn vị từ ngày» phải sau ngày sinh (01/01/2000)." in page
    assert 'value="Lê Văn Sớm"' in page


def test_a_new_member_form_names_every_problem_at_once(app, world, member):
    typed = {"code": "DV 0778 " + "x" * 40, "full_name": "Lê Văn Sớm", "position": "p" * 201,
             "cccd": "12", "birth_date": "2000-01-01", "joined_on": "1990-01-01"}  # fmt: skip
    officer = WebClient(app, "officer1")
    refused = officer.post("/members/new", typed)
    assert refused.status_code == 422
    page = html.unescape(refused.get_data(as_text=True))
    for problem in ("Mã đoàn viên / tập thể: tối đa 40 ký tự.", "Chức vụ: tối đa 200 ký tự.",
                    "CCCD", "«Sinh hoạt tại đơn vị từ ngày» phải sau ngày sinh (01/01/2000)."):  # fmt: skip
        assert problem in page
    assert 'value="Lê Văn Sớm"' in page
    # What is missing is said together with what is wrong, not in a round of its own.
    blank = {"code": "", "full_name": "", "gender": "x", "cccd": "12", "birth_date": "2030-01-01"}
    page = html.unescape(officer.post("/members/new", blank).get_data(as_text=True))
    for problem in ("Cần nhập mã đoàn viên / tập thể.", "Cần nhập họ và tên.",
                    "Giới tính: Nam hoặc Nữ.", "CCCD", "Cần nhập «Sinh hoạt tại đơn vị từ ngày».",
                    "Ngày sinh phải từ 01/01/1900 đến hôm nay"):  # fmt: skip
        assert problem in page
    assert 'name="joined_on" type="date" required value=""' in page  # left blank, not today


def test_a_wrong_evaluation_saves_nothing_and_keeps_the_table(app, world, member):
    year = vn_date(utcnow()).year
    campaigns.import_campaign(world.session, plan(year), actor=world.user("admin"))
    world.session.rollback()
    officer = WebClient(app, "officer1")
    refused = officer.post(
        f"/emulation/TD-{year}/evaluation",
        {f"rating-{member}": "HTXSNV", f"absent_days-{member}": "3",
         f"months_employed-{member}": "13"},
    )  # fmt: skip
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Tuyết: Đánh giá năm chưa hợp lệ: Số tháng công tác (từ 0 đến 12)." in page
    assert 'value="13"' in page
    # The row is marked where it is, and the section says so (the top is far on a phone).
    assert "1 dòng chưa hợp lệ, được đánh dấu bên dưới" in page
    assert '<tr class="invalid"><td><strong>⚠ Nguyễn Thị Ánh Tuyết</strong>' in page
    officer.post("/lang", {"lang": "en"})
    english = officer.post(
        f"/emulation/TD-{year}/evaluation", {f"months_employed-{member}": "13"}
    ).get_data(as_text=True)
    assert "The year&#39;s evaluation is invalid: months worked (0 to 12)." in english
    officer.post("/lang", {"lang": "vi"})
    assert '<option value="HTXSNV" selected>' in page
    words = officer.post(f"/emulation/TD-{year}/evaluation", {f"absent_days-{member}": "abc"})
    assert "(từ 0 đến 12) phải là số nguyên (Nguyễn Thị Ánh Tuyết)" in words.get_data(as_text=True)
    assert '<tr class="invalid">' in words.get_data(as_text=True)
    world.session.rollback()
    second = members.add_member(
        world.session, world.user("officer1"), "CS1",
        members.NewMember("DV-0002", "Phạm Đức Thắng", birth_date=date(1980, 2, 3)),
        date(2020, 1, 1),
    ).id  # fmt: skip
    world.session.rollback()
    both = officer.post(
        f"/emulation/TD-{year}/evaluation",
        {f"months_employed-{member}": "13", f"months_employed-{second}": "14"},
    )
    page = html.unescape(both.get_data(as_text=True))
    assert (
        "Nguyễn Thị Ánh Tuyết: Đánh giá năm chưa hợp lệ" in page
    )  # every wrong row, not the first
    assert "Phạm Đức Thắng: Đánh giá năm chưa hợp lệ" in page
    world.session.expire_all()
    held = members.visible(world.session, world.user("officer1"), member, vn_date(utcnow()))
    assert members.years_of(world.session, world.user("officer1"), held, vn_date(utcnow())) == []


def test_the_record_prints_with_titles_and_years_and_its_taking_is_recorded(app, world, member):
    members.record_year(
        world.session, world.user("officer1"), member, 2025,
        {"rating": "HTXSNV", "absent_days": 2, "months_employed": 12,
         "initiatives": [{"title": "Số hóa hồ sơ", "scope": "co_so"}]},
    )  # fmt: skip
    world.session.rollback()
    response = WebClient(app, "rev_br1").get(f"/members/{member}/record.pdf")
    assert response.status_code == 200
    text = pdf_text(response.get_data())
    for line in ("HỒ SƠ THI ĐUA", "Nguyễn Thị Ánh Tuyết", "Mã: DV-0001", "Giới tính: Nữ",
                 "2025 Hoàn thành xuất sắc nhiệm vụ 2 12 Không Số hóa hồ sơ"):  # fmt: skip
        assert line in text, line
    bodies = world.session.scalars(select(AuditEvent.body)).all()
    assert any('"member_record:DV-0001"' in b and '"rev_br1"' in b for b in bodies)
    world.session.rollback()
    assert WebClient(app, "officer2").get(f"/members/{member}/record.pdf").status_code == 404


def test_the_officer_declares_a_title_and_merges_a_duplicate_on_the_page(app, world, member):
    other = members.add_member(
        world.session, world.user("officer1"), "CS1",
        members.NewMember("DV-0099", "Nguyen Thi Anh Tuyet", cccd="066185001234"),
        date(2024, 1, 1), namesake_ok=True,  # as an import or another officer may have
    ).id  # fmt: skip
    offered = {
        (a.code, a.title)
        for a in world.session.scalars(select(AwardType))
        if a.nominee_kind == "individual"  # the member is a person
    }
    world.session.rollback()
    officer = WebClient(app, "officer1")
    page = officer.text(f"/members/{member}")
    assert 'list="suggest-titles"' in page  # a title is picked by its name, its code stored
    suggested = re.search(r'<datalist id="suggest-titles">(.*?)</datalist>', page, re.S)
    assert suggested
    pairs = re.findall(r'<option value="([^"]+)" label="([^"]+)">', suggested[1])
    assert {(code, html.unescape(title)) for code, title in pairs} == offered
    declared = officer.post(
        f"/members/{member}/titles",
        {"award_code": "CSTDCS", "award_title": "Chiến sĩ thi đua cơ sở", "year": "2024",
         "decision": "12/QĐ-CĐVC ngày 20/12/2024"},
    )  # fmt: skip
    assert declared.status_code == 302
    assert "(tự khai)" in officer.text(f"/members/{member}")
    # The printed record marks it too, with its decision as written (it read as a recorded one).
    record = pdf_text(officer.get(f"/members/{member}/record.pdf").get_data())
    assert "Chiến sĩ thi đua cơ sở (tự khai)" in record
    assert "12/QĐ-CĐVC ngày 20/12/2024" in record
    assert "066185001234" in officer.text(f"/members/{other}")
    assert "••••••••1234" in WebClient(app, "rev_br1").text(f"/members/{other}")
    assert officer.post(f"/members/{member}/merge", {"other_code": "dv-0099"}).status_code == 302
    gone = officer.get(f"/members/{other}")  # an old link leads to the record it became
    assert (gone.status_code, gone.headers["Location"]) == (302, f"/members/{member}")
    assert "đã được gộp vào bản ghi của Nguyễn Thị Ánh Tuyết" in officer.text(f"/members/{member}")
    assert WebClient(app, "officer2").get(f"/members/{other}").status_code == 404  # not theirs
    refused = officer.post(f"/members/{member}/merge", {"other_code": "KHONG-CO"})
    assert refused.status_code == 422


def test_registrations_go_in_and_out_as_excel(app, world, member):
    from openpyxl import Workbook

    year = vn_date(utcnow()).year
    campaigns.import_campaign(world.session, plan(year), actor=world.user("admin"))
    world.session.rollback()
    wb = Workbook()
    wb.active.append(("Mã đoàn viên", "Danh hiệu"))
    wb.active.append(("DV-0001", "CSTDCS"))
    out = io.BytesIO()
    wb.save(out)
    officer = WebClient(app, "officer1")
    upload = officer.client.post(
        f"/emulation/TD-{year}/registrations",
        data={"csrf_token": officer.token, "file": (io.BytesIO(out.getvalue()), "dk.xlsx")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    sheet = load_workbook(
        io.BytesIO(
            WebClient(app, "rev_prov").get(f"/emulation/TD-{year}/registrations.xlsx").get_data()
        )
    ).active
    row = [c.value for c in list(sheet.iter_rows())[1]]
    assert row[:4] == ["DV-0001", "Nguyễn Thị Ánh Tuyết", "Đơn vị CS1", "Chiến sĩ thi đua cơ sở"]
    assert row[5] in ("Có", "Không")  # late or not, said either way (a blank read as unknown)
    # The export goes back in as it is (titles by name), in either language's headers.
    for lang in ("en", "vi"):
        officer.post("/lang", {"lang": lang})
        exported = officer.get(f"/emulation/TD-{year}/registrations.xlsx").get_data()
        again = officer.client.post(
            f"/emulation/TD-{year}/registrations",
            data={"csrf_token": officer.token, "file": (io.BytesIO(exported), "dk.xlsx")},
            content_type="multipart/form-data",
        )
        assert again.status_code == 302, again.get_data(as_text=True)
    assert world.session.scalar(select(func.count()).select_from(Registration)) == 1
    world.session.rollback()
    wb.active.append(("DV-9999", "CSTDCS"))
    out = io.BytesIO()
    wb.save(out)
    refused = officer.client.post(
        f"/emulation/TD-{year}/registrations",
        data={"csrf_token": officer.token, "file": (io.BytesIO(out.getvalue()), "dk.xlsx")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "dòng 3: không có mã đoàn viên &#39;DV-9999&#39; trong sổ" in refused.get_data(
        as_text=True
    )


def test_a_refused_change_of_a_record_keeps_what_was_typed(app, world, member):
    """A wrong year leaves the initiative's title and scope as typed; an unknown unit code is
    the page with its reason, not a missing page."""
    officer = WebClient(app, "officer1")
    bad = officer.post(
        f"/members/{member}/initiatives",
        {"year": "20x6", "title": "Số hóa sổ đoàn viên", "scope": "tinh", "recognized_by": "Sở"},
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    for kept in ('value="20x6"', 'value="Số hóa sổ đoàn viên"', '<option value="tinh" selected>',
                 'value="Sở"'):  # fmt: skip
        assert kept in page
    page = officer.text(f"/members/{member}")
    assert '<option value="CS2">Đơn vị CS2</option>' in page  # picked by name, not by code
    assert '<option value="CS1">' not in page  # where the member already is
    moved = officer.post(f"/members/{member}/move", {"to_unit": "KHONG-CO", "on": "2026-06-01"})
    assert moved.status_code == 404  # the unit's "not found", said on the member's page
    assert "Nguyễn Thị Ánh Tuyết" in moved.get_data(as_text=True)
    assert 'value="KHONG-CO"' in moved.get_data(as_text=True)


def test_the_register_template_filled_in_imports_cleanly(app, world):
    """The officer downloads the register's template from the import page, types members in
    it as Excel leaves them, and imports it; the units it offers are the officer's own."""
    officer = WebClient(app, "officer1")
    page = officer.text("/members/import")
    assert 'href="/members/import/template.xlsx"' in page
    assert 'href="/members/import"' in officer.text("/members")
    reader = WebClient(app, "rev_prov")  # reads the register, does not fill it
    assert 'href="/members/import"' not in reader.text("/members")
    refused = reader.get("/members/import")
    assert refused.status_code == 403
    assert "Chỉ cán bộ công đoàn cơ sở hoặc quản trị viên" in refused.get_data(as_text=True)
    wb = load_workbook(io.BytesIO(officer.get("/members/import/template.xlsx").get_data()))
    ws = wb["Sổ đoàn viên"]
    assert [c.value for c in ws[1]] == [
        "Mã đoàn viên", "Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ", "Mã đơn vị", "Loại"
    ]  # fmt: skip
    assert [row[0] for row in wb["Đơn vị"].iter_rows(min_row=2, values_only=True)] == ["CS1"]
    blank = io.BytesIO()
    wb.save(blank)
    sent_blank = officer.client.post(
        "/members/import",
        data={"csrf_token": officer.token, "joined_on": "2025-01-01",
              "file": (io.BytesIO(blank.getvalue()), "so.xlsx")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert sent_blank.status_code == 422  # not "0 added", which reads as done
    assert "Tệp chưa có dòng đoàn viên nào" in sent_blank.get_data(as_text=True)
    ws.append(["001185000001", "Đặng Thu Hà", "05/06/1985", "Nữ", "Kế toán", "CS1", "Cá nhân"])
    out = io.BytesIO()
    wb.save(out)
    imported = officer.client.post(
        "/members/import",
        data={
            "csrf_token": officer.token,
            "joined_on": "2025-01-01",
            "file": (io.BytesIO(out.getvalue()), "so.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert imported.status_code == 200
    assert "Đã thêm: 1" in imported.get_data(as_text=True)
    refused = officer.client.post(
        "/members/import",
        data={"csrf_token": officer.token, "joined_on": "2024-11-01",
              "file": (io.BytesIO(b"not a workbook"), "so.xlsx")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert refused.status_code == 422
    assert 'type="date" required value="2024-11-01"' in refused.get_data(as_text=True)  # kept
    created = members.search(world.session, world.user("officer1"), vn_date(utcnow()), "thu ha")
    assert [(m.code, m.birth_date) for m in created] == [("001185000001", date(1985, 6, 5))]


def test_the_year_page_says_when_the_filing_deadline_has_passed(app, world, monkeypatch):
    """After the campaign's deadline no proposal is offered; the page says why, on the day
    after the deadline and not on the deadline itself."""
    campaigns.import_campaign(world.session, plan(2025), actor=world.user("admin"))
    world.session.rollback()
    officer = WebClient(app, "officer1")
    for day, shown in (("2026-03-31", False), ("2026-04-01", True)):
        monkeypatch.setenv("KHENTHUONG_NOW", f"{day}T03:00:00+00:00")
        page = officer.text("/emulation/TD-2025")
        assert ("Đã qua hạn nộp hồ sơ (31/03/2026): không lập thêm" in page) is shown, day


def test_the_same_person_typed_twice_is_caught_and_a_namesake_can_still_be_added(
    app, world, member
):
    officer = WebClient(app, "officer1")
    typed = {"code": "DV-0100", "full_name": "nguyen thi anh tuyet", "joined_on": "2024-01-01"}
    refused = officer.post("/members/new", typed)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "cùng họ tên và ngày sinh" in page
    assert 'name="namesake_ok"' in page  # offered once the likely duplicate is found
    assert 'value="DV-0100"' in page
    assert officer.post("/members/new", typed | {"code": "dv-0001"}).status_code == 422  # taken
    assert officer.post("/members/new", typed | {"namesake_ok": "1"}).status_code == 302
    found = officer.text("/members?q=dv-01")  # a code found in part, in any capitals
    assert "DV-0100" in found


def test_a_registration_refused_to_a_non_officer_is_not_a_200(app, world, member):
    year = vn_date(utcnow()).year
    campaigns.import_campaign(world.session, plan(year), actor=world.user("admin"))
    world.session.commit()
    reviewer = WebClient(app, "rev_br1")
    refused = reviewer.post(f"/emulation/TD-{year}/registration", {"register-CSTDCS": str(member)})
    assert refused.status_code == 403
    assert world.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_last_years_registration_is_read_only_from_the_first_of_january(
    app, world, member, monkeypatch
):
    """On 31/12 the year's registration is open; on 01/01 the page says it is over and offers
    neither a box, the save button nor the sheet upload (each was refused)."""
    campaigns.import_campaign(world.session, plan(2026), actor=world.user("admin"))
    world.session.commit()
    officer = WebClient(app, "officer1")
    monkeypatch.setenv("KHENTHUONG_NOW", "2026-12-31T09:00:00+07:00")
    open_page = officer.text("/emulation/TD-2026")
    assert 'name="register-CSTDCS"' in open_page
    assert "Ghi đăng ký" in open_page
    monkeypatch.setenv("KHENTHUONG_NOW", "2027-01-01T09:00:00+07:00")
    closed = officer.text("/emulation/TD-2026")
    assert "Năm thi đua 2026 đã kết thúc" in closed
    for offered in ('name="register-', "Ghi đăng ký", "Nhập đăng ký", "Hạn đăng ký"):
        assert offered not in closed


def test_a_collective_has_no_gender(app, world, member):
    typed = {"code": "TT-0001", "full_name": "Tổ Công đoàn Phòng Kế toán", "kind": "collective",
             "gender": "male", "joined_on": "2020-01-01"}  # fmt: skip
    refused = WebClient(app, "officer1").post("/members/new", typed)
    assert refused.status_code == 422
    assert "Tập thể không có giới tính" in refused.get_data(as_text=True)
    made = WebClient(app, "officer1").post("/members/new", typed | {"gender": ""})
    assert made.status_code == 302
