"""Excel lists in: lists made in LibreOffice, every kind of bad cell explained, nothing created
before the officer confirms, and the same list twice creates nothing twice."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from marshmallow import ValidationError
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests.factories import CAMPAIGN, demo_definition
from workflow import audit, campaigns, import_sheets, imports
from workflow.accounts import assign_role
from workflow.clock import VIETNAM
from workflow.errors import InvalidInput, NotAllowed, NotEligible, NotFound, StaleVersion
from workflow.models import ImportBatch, Nomination

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def preview(world, content: bytes, who: str = "officer1"):
    return imports.preview(
        world.session, world.user(who), campaign=CAMPAIGN, content=content, filename="ds.xlsx"
    )


def by_row(batch) -> dict[int, dict]:
    return {r["row"]: r for r in batch.rows["rows"]}


def errors(row: dict) -> dict[str, str]:
    return {name: problem[0] for name, problem in row["errors"].items()}


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(Nomination))


def test_the_libreoffice_list_really_holds_nfd_text_and_date_cells():
    rows = list(load_workbook(io.BytesIO(read("list-mixed.xlsx"))).worksheets[0].values)
    name = rows[4][1]
    assert name != unicodedata.normalize("NFC", name)  # Trần Văn Bình typed in NFD
    assert rows[3][4].year == 1985  # a real date cell


def test_every_bad_cell_is_named_and_nothing_is_created_before_confirming(world):
    batch = preview(world, read("list-mixed.xlsx"))
    rows = by_row(batch)
    assert rows[4]["status"] == "valid"
    assert rows[4]["spec"]["nominee"] == {
        "position": "Kế toán trưởng",
        "key": "001185000001",
        "birth_date": "1985-03-15",
    }
    assert rows[4]["spec"]["facts"] == {"gender": "female", "ratings": {"2025": "HTXSNV"}}
    assert errors(rows[5]) == {"birth_date": "invalid_date"}  # 31/02/1980
    assert errors(rows[6]) == {"award_type": "unknown_award"}
    assert rows[7]["status"] == "valid"
    assert rows[7]["spec"]["facts"]["ratings"] == {"2025": "HTTNV"}  # written out in words
    assert errors(rows[8]) == {"nominee_name": "duplicate_in_file"}  # NFC copy of row 7
    assert rows[8]["errors"]["nominee_name"][1] == {"row": 7}
    assert errors(rows[9]) == {"nominee_name": "required"}
    assert rows[10]["spec"]["nominee_kind"] == "collective"
    assert errors(rows[11]) == {
        "birth_date": "invalid_date",
        "gender": "invalid_gender",
        "rating_2025": "invalid_rating",
    }
    assert imports.counts(batch) == imports.Counts(valid=3, invalid=4, duplicate=1, to_complete=0)
    world.session.rollback()
    assert count(world.session) == 0


def test_confirming_creates_the_valid_rows_in_nfc_and_says_where_they_came_from(world):
    batch = preview(world, read("list-mixed.xlsx"))
    outcomes = imports.confirm(world.session, world.user("officer1"), batch.id)
    assert len(outcomes) == 3
    names = world.session.scalars(select(Nomination.nominee_name).order_by(Nomination.id)).all()
    assert names == ["Nguyễn Thị Hoa", "Phạm Thị Dung", "Tổ Công đoàn Phòng Kế toán"]
    assert all(n == unicodedata.normalize("NFC", n) for n in names)
    first = audit.trail(world.session, outcomes[0].id)[0]
    assert first["event"] == "create"
    assert first["data"]["origin"] == {"import": batch.id, "row": 4}


def test_the_same_list_twice_creates_nothing_twice(world):
    officer = world.user("officer1")
    first = preview(world, read("list-mixed.xlsx"))
    imports.confirm(world.session, officer, first.id)
    with pytest.raises(StaleVersion):
        imports.confirm(world.session, officer, first.id)
    again = preview(world, read("list-mixed.xlsx"))
    assert imports.same_file_imported(world.session, again).id == first.id
    assert imports.counts(again) == imports.Counts(valid=0, invalid=4, duplicate=4, to_complete=0)
    assert errors(by_row(again)[4]) == {"nominee_name": "already_nominated"}
    with pytest.raises(InvalidInput) as nothing:
        imports.confirm(world.session, officer, again.id)
    assert nothing.value.details == {"rows": "none_valid"}
    assert count(world.session) == 3


def test_a_list_previewed_twice_and_confirmed_twice_says_its_rows_were_created_since(world):
    """Not "fix the file": its rows were sound when previewed, another import created them."""
    officer = world.user("officer1")
    first = preview(world, read("list-mixed.xlsx"))
    second = preview(world, read("list-mixed.xlsx"))
    imports.confirm(world.session, officer, first.id)
    with pytest.raises(InvalidInput) as since:
        imports.confirm(world.session, officer, second.id)
    assert since.value.details == {"rows": "created_since"}
    assert "Từ lúc xem trước, các hồ sơ của danh sách này đã được tạo" in since.value.message_vi
    assert count(world.session) == 3


def test_rows_created_by_someone_else_after_the_preview_are_skipped_at_confirmation(world):
    batch = preview(world, read("list-mixed.xlsx"))
    world.nominate(name="Nguyễn Thị Hoa", nominee={"key": "001185000001"})
    outcomes = imports.confirm(world.session, world.user("officer1"), batch.id)
    assert len(outcomes) == 2
    assert count(world.session) == 3


def test_a_list_without_a_required_column_is_refused_whole(world):
    with pytest.raises(InvalidInput) as err:
        preview(world, read("list-missing-column.xlsx"))
    assert err.value.details == {"missing_columns": ["Mã hình thức khen thưởng"]}
    assert "Mã hình thức khen thưởng" in err.value.message_vi


@pytest.mark.parametrize(
    "content", [b"%PDF-1.7 not a sheet", b"", b"PK\x03\x04broken zip"], ids=["pdf", "empty", "zip"]
)
def test_a_file_that_is_not_a_workbook_is_refused_in_plain_words(world, content):
    with pytest.raises(InvalidInput) as err:
        preview(world, content)
    assert err.value.details == {"file": "not_xlsx"}


def test_only_a_grassroots_officer_imports_and_only_the_uploader_sees_the_batch(world):
    with pytest.raises(NotAllowed):
        preview(world, read("list-mixed.xlsx"), who="rev_br1")
    batch = preview(world, read("list-mixed.xlsx"))
    with pytest.raises(NotFound):
        imports.confirm(world.session, world.user("officer2"), batch.id)
    assert imports.batch_for(world.session, world.user("officer1"), batch.id) is batch
    # Once the uploader is no longer the unit's officer, the list (personal data) is theirs
    # no more.
    for held in world.user("officer1").assignments:
        held.valid_to = date(2000, 1, 1)
    with pytest.raises(NotFound):
        imports.batch_for(world.session, world.user("officer1"), batch.id)


def test_the_template_filled_in_imports_cleanly(world):
    content = import_sheets.template(world.session, CAMPAIGN)
    wb = load_workbook(io.BytesIO(content))
    ws = wb["Danh sách"]
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "STT")
    headers = [c.value for c in ws[header_row]]
    assert "Xếp loại năm 2025" in headers
    codes = [r[0] for r in wb["Hình thức khen thưởng"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["BK", "BK0", "BKTLD", "CO", "GK"]
    values = {
        "STT": 1,
        "Họ và tên / Tên tập thể (*)": "Võ Thị Lan",
        "Mã hình thức khen thưởng (*)": "BK",
        "Ngày sinh": "05/06/1979",
        "Đăng ký thi đua": "Có",
        "Số ngày nghỉ": 3,
        "Kỷ luật trong năm": "Không",
    }
    ws.append([values.get(h) for h in headers])
    ws.append([{**values, "Kỷ luật trong năm": "cảnh cáo", "STT": 2}.get(h) for h in headers])
    ws.append([{**values, "Kỷ luật trong năm": "phê bình", "STT": 3}.get(h) for h in headers])
    a_person = {**values, "STT": 4, "Mã hình thức khen thưởng (*)": "CO", "Giới tính": "Nam"}
    ws.append([a_person.get(h) for h in headers])  # a collective's award to someone born 1979
    out = io.BytesIO()
    wb.save(out)
    batch = preview(world, out.getvalue())
    clean, warned, unknown, person = batch.rows["rows"]
    assert errors(person) == dict.fromkeys(
        ["award_type", "birth_date", "gender"], "for_a_collective"
    )
    assert clean["status"] == "valid", clean["errors"]
    assert clean["spec"]["facts"] == {"registered": True, "absent_days": 3, "discipline": []}
    assert warned["spec"]["facts"]["discipline"] == [{"year": 2025, "level": "canh_cao"}]
    assert errors(unknown) == {"discipline": "invalid_discipline"}
    assert "Kỷ luật trong năm 2025: 'Không'" in " ".join(str(c.value) for c in ws["A"][:5])


def test_the_report_colours_each_bad_cell_and_explains_it(world):
    batch = preview(world, read("list-mixed.xlsx"))
    ws = load_workbook(io.BytesIO(import_sheets.report(batch))).active
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Dòng")
    headers = [c.value for c in ws[header_row]]
    bad = ws.cell(header_row + 2, headers.index("Ngày sinh") + 1)  # the 31/02/1980 row
    assert bad.value == "31/02/1980"
    assert bad.fill.fgColor.rgb.endswith("F8CBAD")
    assert "Ngày không hợp lệ" in bad.comment.text
    status = [
        ws.cell(r, headers.index("Trạng thái") + 1).value
        for r in range(header_row + 1, ws.max_row + 1)
    ]
    assert status.count("Hợp lệ") == 3
    assert status.count("Trùng, bỏ qua") == 1
    english = load_workbook(io.BytesIO(import_sheets.report(batch, "en"))).active
    assert any("Invalid date" in str(c.value) for row in english.iter_rows() for c in row)


def sheet(*rows: list) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_headers_typed_in_nfd_are_recognised(world):
    headers = [unicodedata.normalize("NFD", h) for h in ("Họ và tên", "Mã hình thức khen thưởng")]
    batch = preview(world, sheet(headers, ["Ngô Thị Mơ", "BK"]))
    assert imports.counts(batch).valid == 1


def test_an_id_that_excel_turned_into_a_number_is_refused_not_guessed(world):
    batch = preview(
        world,
        sheet(
            ["Họ và tên", "Mã hình thức khen thưởng", "Số CCCD / mã đoàn viên"],
            ["Ngô Thị Mơ", "BK", 1185000001],  # was 001185000001
            ["Tạ Văn Hùng", "BK", 79190000123],  # was 079190000123
            ["Hà Văn Lực", "BK", 12345],  # a short member number: kept as it is
        ),
    )
    rows = batch.rows["rows"]
    assert [errors(r) for r in rows[:2]] == [{"key": "key_lost_zeros"}] * 2
    assert rows[2]["spec"]["nominee"]["key"] == "12345"


def test_an_empty_sheet_and_a_header_only_sheet_are_explained(world):
    with pytest.raises(InvalidInput) as empty:
        preview(world, sheet())
    assert empty.value.details == {
        "missing_columns": ["Họ và tên / Tên tập thể", "Mã hình thức khen thưởng"]
    }
    with pytest.raises(InvalidInput) as bare:
        preview(world, sheet(["Họ và tên", "Mã hình thức khen thưởng"]))
    assert bare.value.details == {"file": "empty"}


def test_a_sheet_declaring_thousands_of_columns_is_read_within_bounds(world):
    wb = Workbook()
    wb.active.append(["Họ và tên", "Mã hình thức khen thưởng"])
    wb.active.append(["Ngô Thị Mơ", "BK"])
    wb.active.cell(2, 16384).value = "far away"
    out = io.BytesIO()
    wb.save(out)
    batch = preview(world, out.getvalue())
    assert imports.counts(batch).valid == 1


def test_an_officer_of_two_units_chooses_the_proposing_unit(world):
    world.add_user("two_hats", "officer", "CS1")
    assign_role(world.session, world.user("two_hats"), "officer", "CS2")
    world.session.commit()
    content = sheet(["Họ và tên", "Mã hình thức khen thưởng"], ["Ngô Thị Mơ", "BK"])
    with pytest.raises(InvalidInput):
        preview(world, content, who="two_hats")
    batch = imports.preview(
        world.session, world.user("two_hats"), campaign=CAMPAIGN, content=content,
        filename="ds.xlsx", unit_code="CS2",
    )  # fmt: skip
    assert batch.unit.code == "CS2"
    assert len(imports.confirm(world.session, world.user("two_hats"), batch.id)) == 1


def damaged(change) -> bytes:
    """The LibreOffice list with one part of its zip changed by ``change(name, data)``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(read("list-mixed.xlsx"))) as src,
        zipfile.ZipFile(out, "w") as dst,
    ):
        for item in src.infolist():
            dst.writestr(item, change(item.filename, src.read(item.filename)))
    return out.getvalue()


def chart_sheet_only() -> bytes:
    wb = Workbook()
    wb.create_chartsheet()
    wb.remove(wb.active)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        damaged(lambda n, d: d[: len(d) // 2] if n.endswith("sheet1.xml") else d),
        damaged(
            lambda n, d: d.replace(b"<v>1</v>", b"<v>abc</v>", 1) if n.endswith("sheet1.xml") else d
        ),
        damaged(lambda n, d: b"junk" if n == "xl/workbook.xml" else d),
        chart_sheet_only(),
    ],
    ids=["truncated-sheet", "bad-number", "junk-workbook", "chart-sheet-only"],
)
def test_a_damaged_workbook_is_refused_in_plain_words(world, content):
    with pytest.raises(InvalidInput) as err:
        preview(world, content)
    assert err.value.details == {"file": "not_xlsx"}


def test_the_drafts_of_a_list_are_sent_up_together_each_checked(world):
    officer = world.user("officer1")
    batch = preview(world, read("list-mixed.xlsx"))
    imports.confirm(world.session, officer, batch.id)
    results = imports.submit_all(world.session, officer, batch.id)
    assert [r.state for _, r in results] == ["in_review"] * 3
    assert imports.submit_all(world.session, officer, batch.id) == []  # nothing left to send


@pytest.mark.parametrize(
    ("cell", "problem"),
    [("²", "invalid_integer"), ("٣", "invalid_integer"), ("-1", "invalid_integer"),
     ("99999999999999999999", "out_of_range"), (True, "invalid_integer")],
)  # fmt: skip
def test_a_number_cell_refuses_what_is_not_a_plain_whole_number(cell, problem):
    """ "²" and "٣" are digits to ``str.isdigit``: they were read as numbers and failed (a 500)."""
    with pytest.raises(ValidationError, match=problem):
        import_sheets.CellInteger(0, 366).deserialize(cell)
    assert import_sheets.CellInteger(0, 366).deserialize(" 12 ") == 12


def test_a_number_out_of_range_says_its_range_in_both_languages():
    schema = import_sheets.row_schema(["BK"], [])
    raw = {"nominee_name": "Lê Văn Tháng", "award_type": "BK", "months_employed": 13}
    row = imports._row(2, raw, schema, {}, None, date(2025, 11, 1))  # type: ignore[arg-type]
    problem = row["errors"]["months_employed"]
    assert import_sheets.message(problem, "vi") == "Phải từ 0 đến 12."
    assert import_sheets.message(problem, "en") == "Must be from 0 to 12."
    # a list checked before the bounds were kept with the code still reads
    assert import_sheets.message(["out_of_range", {}], "vi") == "Ngoài khoảng cho phép."


# A collective's own facts ------------------------------------------------------------------

DEMO = "TDYN-2025-DLK"  # the demo plan of the ``ruled`` world: TTLDXS, CO_LDLD… with rules


def template_sheet(world, campaign: str = DEMO):
    """The campaign's template, its list sheet and that sheet's headers."""
    wb = load_workbook(io.BytesIO(import_sheets.template(world.session, campaign)))
    ws = wb["Danh sách"]
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "STT")
    return wb, ws, [c.value for c in ws[header_row]]


def filled(world, rows: list[dict], campaign: str = DEMO) -> bytes:
    """The campaign's template with ``rows`` ({header: value}) typed under its headers."""
    wb, ws, headers = template_sheet(world, campaign)
    for row in rows:
        assert set(row) <= set(headers), set(row) - set(headers)
        ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def preview_in(world, content: bytes, campaign: str = DEMO):
    return imports.preview(
        world.session, world.user("officer1"), campaign=campaign, content=content,
        filename="ds.xlsx", now=world.tick(),
    )  # fmt: skip


COLLECTIVE = {
    "Họ và tên / Tên tập thể (*)": "Công đoàn Phòng Tổ chức",
    "Mã hình thức khen thưởng (*)": "TTLDXS",
    "Số tháng CĐCS đã hoạt động": 24,
    "Xếp loại CĐCS năm 2025": "HTXSNV",
}


def test_the_template_asks_for_the_facts_a_collectives_rules_read(ruled):
    _, ws, headers = template_sheet(ruled)
    for header in (
        "Số tháng CĐCS đã hoạt động",  # R-CDCS-OPERATING
        "Xếp loại CĐCS năm 2025",  # R-CDCS-GRADE
        "Số vụ tai nạn lao động chết người",  # R-ATVSLD (the Cờ thi đua)
        "Số sự cố kỹ thuật nghiêm trọng, cháy, nổ trong năm",
        "Điểm chấm thi đua",
        "Số hiệu báo cáo thành tích",  # R-ONE-ACHIEVEMENT (the Công trình)
    ):
        assert header in headers
    caption = " ".join(str(c.value) for c in ws["A"][:5])
    assert "Dòng đề nghị tập thể không ghi ngày sinh, giới tính" in caption
    _, _, plain = template_sheet(ruled, CAMPAIGN)  # its collective award reads no fact
    assert "Số tháng CĐCS đã hoạt động" not in plain


def test_a_collective_row_brings_its_facts_and_is_sent_up_as_it_stands(ruled):
    """The facts land where the nomination form keeps them, so the rules read them at
    submission: a grade good enough passes, one short of the award's is refused by R-CDCS-GRADE."""
    officer = ruled.user("officer1")
    weaker = {**COLLECTIVE, "Họ và tên / Tên tập thể (*)": "Công đoàn Phòng Kế hoạch",
              "Xếp loại CĐCS năm 2025": "Hoàn thành tốt nhiệm vụ"}  # fmt: skip
    batch = preview_in(ruled, filled(ruled, [COLLECTIVE, weaker]))
    good, short = batch.rows["rows"]
    assert good["status"] == "valid", good["errors"]
    assert good["spec"]["nominee_kind"] == "collective"
    # "targets": {} as the form stores it: the plan binds no target on each collective
    assert good["spec"]["facts"] == {
        "months_operating": 24,
        "grades": {"2025": "hoan_thanh_xuat_sac"},
        "targets": {},
    }
    assert short["spec"]["facts"]["grades"] == {"2025": "hoan_thanh_tot"}
    imports.confirm(ruled.session, officer, batch.id, now=ruled.tick())
    sent = dict(imports.submit_all(ruled.session, officer, batch.id, now=ruled.tick()))
    passed, refused = (sent[n.id] for n in imports.created(ruled.session, batch))
    assert passed.state == "in_review"
    assert isinstance(refused, NotEligible)
    assert [d["rule"] for d in refused.details] == ["R-CDCS-GRADE"]


def test_a_wrong_collective_cell_is_named_on_its_row_in_the_report(ruled):
    wrong = {**COLLECTIVE, "Số tháng CĐCS đã hoạt động": "hai năm", "Xếp loại CĐCS năm 2025": "Tốt"}
    batch = preview_in(ruled, filled(ruled, [wrong]))
    row = batch.rows["rows"][0]
    assert errors(row) == {"months_operating": "invalid_integer", "grades_2025": "invalid_rating"}
    ws = load_workbook(io.BytesIO(import_sheets.report(batch))).active
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Dòng")
    headers = [c.value for c in ws[header_row]]
    bad = ws.cell(header_row + 1, headers.index("Số tháng CĐCS đã hoạt động") + 1)
    assert bad.value == "hai năm"
    assert bad.comment.text.startswith("Phải là số nguyên.")
    said = ws.cell(header_row + 1, headers.index("Lỗi") + 1).value
    assert "Số tháng CĐCS đã hoạt động: Phải là số nguyên." in said
    assert "Xếp loại CĐCS năm 2025: Xếp loại ghi HTXSNV" in said
    too_many = {**COLLECTIVE, "Điểm chấm thi đua": 1200}
    row = preview_in(ruled, filled(ruled, [too_many])).rows["rows"][0]
    assert import_sheets.message(row["errors"]["score"], "vi") == "Phải từ 0 đến 1000."


def test_a_persons_cells_on_a_collective_row_are_still_refused(ruled):
    person = {**COLLECTIVE, "Ngày sinh": "05/06/1979", "Giới tính": "Nữ"}
    row = preview_in(ruled, filled(ruled, [person])).rows["rows"][0]
    assert errors(row) == dict.fromkeys(["award_type", "birth_date", "gender"], "for_a_collective")


def test_a_target_binding_each_collective_gets_a_column_of_its_own(ruled):
    plan = demo_definition()
    plan["code"] = "TDYN-2025-CT"
    joined = next(t for t in plan["targets"] if t["key"] == "ket_nap_doan_vien")
    joined["binds"] = "each_collective"
    campaigns.import_campaign(ruled.session, plan)
    ruled.session.commit()
    header = "Kết quả chỉ tiêu: Kết nạp đoàn viên công đoàn mới"
    _, ws, headers = template_sheet(ruled, "TDYN-2025-CT")
    assert header in headers
    noted = next(c for row in ws.iter_rows() for c in row if c.value == header).comment
    assert "từ 25 đoàn viên" in noted.text
    rows = [{**COLLECTIVE, header: 30}, {**COLLECTIVE, header: "ba mươi"}]
    batch = preview_in(ruled, filled(ruled, rows, "TDYN-2025-CT"), "TDYN-2025-CT")
    counted, typo = batch.rows["rows"]
    assert counted["spec"]["facts"]["targets"] == {"ket_nap_doan_vien": 30}
    assert errors(typo) == {"targets_ket_nap_doan_vien": "invalid_integer"}


def test_the_check_says_what_the_rules_would_refuse_when_the_drafts_are_sent(ruled, app):
    """A grade short of the award's, or a fact the list does not give, was only found when
    the drafts were sent up, row by row. The check now says it on each row (the page, its
    report), and the rows still import: a draft is where the missing fact is completed."""
    from tests.web_client import WebClient

    weaker = {**COLLECTIVE, "Họ và tên / Tên tập thể (*)": "Công đoàn Phòng Kế hoạch",
              "Xếp loại CĐCS năm 2025": "Hoàn thành tốt nhiệm vụ"}  # fmt: skip
    unknown = {**COLLECTIVE, "Họ và tên / Tên tập thể (*)": "Công đoàn Phòng Hành chính",
               "Số tháng CĐCS đã hoạt động": None}  # fmt: skip
    batch = preview_in(ruled, filled(ruled, [COLLECTIVE, weaker, unknown]))
    good, short, missing = batch.rows["rows"]
    assert good["rules"] == []  # checked, nothing to refuse
    assert [s for s, _, _ in short["rules"]] == ["fail"]
    assert "R-CDCS-GRADE" not in short["rules"][0][1]  # worded, not coded
    assert [s for s, _, _ in missing["rules"]] == ["unknown"]
    assert "Thời gian hoạt động của CĐCS: thiếu thông tin" in missing["rules"][0][1]
    assert imports.counts(batch).valid == 3
    assert imports.counts(batch).to_complete == 2
    ws = load_workbook(io.BytesIO(import_sheets.report(batch))).active
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Dòng")
    column = [c.value for c in ws[header_row]].index("Khi gửi đề nghị") + 1
    said = [ws.cell(header_row + i, column).value for i in (1, 2, 3)]
    assert said[0] == "Đủ điều kiện"
    assert said[1] == short["rules"][0][1]
    assert ws.cell(header_row + 2, column).alignment.wrap_text  # a long reason read whole
    batch_id = batch.id
    ruled.session.commit()
    page = WebClient(app, "officer1").text(f"/imports/{batch_id}")
    assert "2 dòng hợp lệ chưa đủ điều kiện khen thưởng hoặc còn thiếu thông tin" in page
    assert '<span class="ok">Đủ điều kiện</span>' in page
    assert short["rules"][0][1] in page
    officer = ruled.user("officer1")
    imports.confirm(ruled.session, officer, batch_id, now=ruled.tick())
    ruled.session.commit()
    confirmed = WebClient(app, "officer1").text(f"/imports/{batch_id}")
    assert "Gửi đề nghị 1 bản nháp của danh sách này lên cấp trên" in confirmed  # not 3
    assert "2 bản nháp của danh sách này chưa gửi đề nghị được" in confirmed
    assert confirmed.count("Chưa gửi được:") == 2
    imports.submit_all(ruled.session, officer, batch_id, now=ruled.tick())
    made = imports.created_by_row(ruled.session, ruled.session.get(ImportBatch, batch_id))
    states = {row: n.state for row, n in made.items()}
    assert states == {good["row"]: "in_review", short["row"]: "draft", missing["row"]: "draft"}
    ruled.session.rollback()
    sent = WebClient(app, "officer1").text(f"/imports/{batch_id}")
    assert f"Hồ sơ số {made[good['row']].id}</a>: Đang thẩm định" in sent
    assert f"Hồ sơ số {made[short['row']].id}</a>: Bản nháp" in sent


@pytest.mark.parametrize(
    ("day", "closed"), [(date(2025, 11, 20), False), (date(2025, 11, 21), True)]
)
def test_a_row_for_an_award_past_its_filing_deadline_is_refused_at_the_check(ruled, day, closed):
    """In February a list of last year's plan checked clean, made drafts, and every one was
    refused when sent ("quá hạn"): drafts that could never go anywhere."""
    content = filled(ruled, [COLLECTIVE])
    ruled.now = datetime.combine(day, time(9), tzinfo=VIETNAM)
    row = preview_in(ruled, content).rows["rows"][0]
    if not closed:
        assert row["status"] == "valid", row["errors"]
        return
    assert errors(row) == {"award_type": "filing_closed"}
    assert import_sheets.message(row["errors"]["award_type"], "vi") == (
        "Đã qua hạn nộp hồ sơ của hình thức này (20/11/2025): hồ sơ lập ra sẽ không gửi được."
    )


def test_the_import_page_offers_only_campaigns_still_taking_dossiers(ruled, app, monkeypatch):
    from tests.web_client import WebClient

    monkeypatch.setenv("KHENTHUONG_NOW", "2025-11-20T03:00:00+00:00")
    assert 'value="TDYN-2025-DLK"' in WebClient(app, "officer1").text("/imports")
    monkeypatch.setenv("KHENTHUONG_NOW", "2026-02-20T03:00:00+00:00")
    after = WebClient(app, "officer1").text("/imports")
    assert 'value="TDYN-2025-DLK"' not in after


@pytest.mark.parametrize(("day", "missed"), [("2025-11-20", False), ("2025-11-21", True)])
def test_a_draft_past_its_filing_deadline_says_so_on_its_page(ruled, app, monkeypatch, day, missed):
    """Sending it is refused ("quá hạn"): the page says so and no longer offers to send."""
    from tests.web_client import WebClient

    batch = preview_in(ruled, filled(ruled, [COLLECTIVE]))
    imports.confirm(ruled.session, ruled.user("officer1"), batch.id, now=ruled.tick())
    (draft,) = imports.created(ruled.session, batch)
    nid = draft.id
    ruled.session.commit()
    monkeypatch.setenv("KHENTHUONG_NOW", f"{day}T03:00:00+00:00")
    page = WebClient(app, "officer1").text(f"/nominations/{nid}")
    notice = "Đã qua hạn nộp hồ sơ của hình thức này (20/11/2025)"
    assert (notice in page) is missed
    assert ('name="do" value="submit"' in page) is not missed
    assert 'name="do" value="withdraw"' in page
