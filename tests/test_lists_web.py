"""Excel through the pages: an officer imports a list in two steps; every list view exports."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.factories import CAMPAIGN, PASS_VOTE
from tests.web_client import WebClient
from workflow.models import Nomination
from workflow.spreadsheets import XLSX

LIST = (Path(__file__).parent / "fixtures" / "list-mixed.xlsx").read_bytes()


def upload(web: WebClient, content: bytes, name: str = "danh-sach.xlsx"):
    return web.client.post(
        "/imports",
        data={"csrf_token": web.token, "campaign": CAMPAIGN, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def cells(response) -> list[str]:
    assert response.status_code == 200
    assert response.mimetype == XLSX
    # A real server sends headers as Latin-1 only (gunicorn answers 500 otherwise).
    response.headers["Content-Disposition"].encode("latin-1")
    wb = load_workbook(io.BytesIO(response.data))
    return [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]


def count(session) -> int:
    """Read, then end the read: on SQLite an open transaction would lock the pages out."""
    session.rollback()
    total = session.scalar(select(func.count()).select_from(Nomination))
    session.rollback()
    return total


def test_an_officer_checks_a_list_then_confirms_it_once(app, world):
    world.session.rollback()
    web = WebClient(app, "officer1")
    assert "Nhập danh sách đề nghị từ Excel" in web.text("/imports")
    template = web.get(f"/imports/template.xlsx?campaign={CAMPAIGN}")
    assert "Họ và tên / Tên tập thể (*)" in cells(template)

    response = upload(web, LIST)
    assert response.status_code == 302
    page = web.text(response.location)
    assert "3 dòng hợp lệ, 4 dòng có lỗi, 1 dòng trùng (bỏ qua)" in page
    assert "Ngày không hợp lệ" in page
    assert "BK<br><small>Khen thưởng BK</small>" in page  # the code typed, and its award
    assert count(world.session) == 0
    report = cells(web.get(response.location + "/report.xlsx"))
    assert "Có lỗi" in report

    done = web.post(response.location + "/confirm")
    assert done.status_code == 302
    assert "đã tạo 3 hồ sơ" in web.text(done.location)
    assert count(world.session) == 3
    again = web.post(response.location + "/confirm")
    assert "đã được nhập rồi" in web.text(again.location)
    assert count(world.session) == 3

    second = upload(web, LIST)
    assert "Tệp này đã được nhập" in web.text(second.location)


def test_a_bad_file_gets_a_clear_error_and_others_cannot_see_a_batch(app, world):
    world.session.rollback()
    web = WebClient(app, "officer1")
    refused = upload(web, b"not a workbook", "ds.xlsx")
    assert refused.status_code == 422
    assert "hãy gửi tệp Excel (.xlsx)" in refused.get_data(as_text=True)
    reviewer = upload(WebClient(app, "rev_br1"), LIST)
    assert reviewer.status_code == 403
    batch = upload(web, LIST).location
    assert WebClient(app, "officer2").get(batch).status_code == 404


def test_every_list_view_exports_to_excel(app, world):
    mine = world.nominate(name="Hoàng Thị Mai")
    world.to_notice(mine)
    decision = world.sign([mine])
    decision_id, number = decision.id, decision.number
    other = world.nominate(name="Vũ Văn Nam")
    world.fire(other, "submit", "officer1")
    world.session.rollback()

    officer = WebClient(app, "officer1")
    listed = cells(officer.get("/nominations.xlsx"))
    assert {"Hoàng Thị Mai", "Vũ Văn Nam", "Đã khen thưởng"} <= set(listed)
    assert "Vũ Văn Nam" not in cells(officer.get("/nominations.xlsx?state=awarded"))
    assert "Vũ Văn Nam" in cells(WebClient(app, "rev_br1").get("/inbox.xlsx"))
    assert "Hoàng Thị Mai" in cells(officer.get(f"/decisions/{decision_id}/list.xlsx"))
    results = cells(WebClient(app, "auditor_prov").get(f"/campaigns/{CAMPAIGN}/results.xlsx"))
    assert {"Hoàng Thị Mai", number} <= set(results)
    trail = cells(officer.get(f"/nominations/{mine}/trail.xlsx"))
    assert "Quyết định khen thưởng" in trail
    assert {"Cán bộ công đoàn cơ sở", "Mã băm liền trước"} <= set(trail)  # words, not codes
    assert "officer" not in trail
    assert WebClient(app, "officer3").get(f"/nominations/{mine}/trail.xlsx").status_code == 404
    assert officer.get("/campaigns/NOPE/results.xlsx").status_code == 404


def test_an_english_reader_downloads_files_named_in_english(app, world):
    """The workbooks follow the reader's language; their names did not."""
    mine = world.nominate(name="Hoàng Thị Mai")
    world.session.commit()
    officer = WebClient(app, "officer1")
    officer.post("/lang", {"lang": "en"})
    named = {
        f"/nominations/{mine}/trail.xlsx": "Trail%20of%20nomination%20" + str(mine),
        "/decisions.xlsx": "Award%20decisions",
        f"/campaigns/{CAMPAIGN}/results.xlsx": f"Results%20of%20campaign%20{CAMPAIGN}",
    }
    for path, name in named.items():
        disposition = officer.get(path).headers["Content-Disposition"]
        assert f"filename*=UTF-8''{name}." in disposition, (path, disposition)


def test_exported_text_cannot_become_a_formula(app, world):
    world.nominate(name='=HYPERLINK("http://x")')
    world.session.rollback()
    exported = cells(WebClient(app, "officer1").get("/nominations.xlsx"))
    assert '\'=HYPERLINK("http://x")' in exported


def test_the_decisions_page_lists_what_one_may_see_and_exports_it(app, world):
    nid = world.nominate(name="Đinh Thị Hạnh")
    world.to_notice(nid)
    number = world.sign([nid]).number
    world.session.rollback()
    officer = WebClient(app, "officer1")
    page = officer.text("/decisions")
    assert number in page
    link = re.search(r'href="(/decisions/\d+)"', page).group(1)
    assert "Tải danh sách (Excel)" in officer.text(link)
    assert number in cells(officer.get("/decisions.xlsx"))
    assert number not in WebClient(app, "officer3").text("/decisions")


def test_a_decision_links_only_the_nominations_its_reader_may_open(app, world):
    """A province's decision lists every CĐCS's awards; an officer reads the others' names but
    is offered no link to a page that would only answer "not found"."""
    mine = world.nominate(name="Đinh Thị Hạnh")
    theirs = world.nominate("officer3", name="Phan Văn Khác")
    world.to_notice(mine)
    world.fire(theirs, "submit", "officer3")
    world.fire(theirs, "approve", "rev_br2")
    world.fire(theirs, "approve", "rev_prov")
    world.fire(theirs, "vote", "council_prov", vote=PASS_VOTE)
    decision_id = world.sign([mine, theirs]).id
    world.session.rollback()
    page = WebClient(app, "officer1").text(f"/decisions/{decision_id}")
    assert f'href="/nominations/{mine}"' in page
    assert "Phan Văn Khác" in page
    assert f'href="/nominations/{theirs}"' not in page
    assert f'href="/nominations/{theirs}"' in WebClient(app, "rev_prov").text(
        f"/decisions/{decision_id}"
    )


def test_odd_query_arguments_never_break_the_export_links(app, world):
    world.session.rollback()
    officer = WebClient(app, "officer1")
    assert officer.get("/?_method=POST&cursor=x1").status_code in (200, 422)
    assert WebClient(app, "rev_br1").get("/inbox?_method=POST").status_code == 200


def test_the_officer_sends_a_confirmed_list_up_in_one_go(app, world):
    world.session.rollback()
    web = WebClient(app, "officer1")
    batch = upload(web, LIST).location
    web.post(batch + "/confirm")
    page = web.text(batch)
    assert "Gửi đề nghị 3 bản nháp của danh sách này lên cấp trên" in page
    result = web.post(batch + "/submit")
    assert result.status_code == 200
    assert result.get_data(as_text=True).count("Đã chuyển: Đang thẩm định tại Đơn vị BR1") == 3
    assert "tại BR1" not in result.get_data(as_text=True)  # the unit by its name, not its code
    assert "bản nháp của danh sách này" not in web.text(batch)
    assert WebClient(app, "officer2").post(batch + "/submit").status_code == 404


def test_a_trail_exported_as_csv_keeps_formulas_as_text(app, world):
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    world.fire(nid, "return", "rev_br1", comment='=HYPERLINK("http://x","y")')
    world.session.rollback()
    csv_text = WebClient(app, "officer1").text(f"/nominations/{nid}/trail.csv")
    assert "'=HYPERLINK" in csv_text


def test_lists_filter_by_a_unit_picked_with_its_subtree_and_by_year(app, world):
    world.nominate("officer1", name="Người Ở CS1")
    world.nominate("officer3", name="Người Ở CS3")
    world.session.rollback()
    web = WebClient(app, "auditor_prov")
    page = web.text("/?unit=BR1")
    assert "Người Ở CS1" in page
    assert "Người Ở CS3" not in page  # BR2's
    assert '<select id="f-unit" name="unit">' in page
    assert "Đơn vị BR1</option>" in page
    assert "Người Ở CS1" in web.text("/?year=2025")
    assert "Người Ở CS1" not in web.text("/?year=2024")
    assert web.get("/?year=abc").status_code == 400
    sheet = load_workbook(io.BytesIO(web.get("/nominations.xlsx?unit=BR2").get_data())).active
    names = [c.value for row in sheet.iter_rows() for c in row]
    assert "Người Ở CS3" in names
    assert "Người Ở CS1" not in names
