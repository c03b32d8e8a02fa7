"""The hồ sơ thi đua of a member or collective: identity, units, every title, every year's
evaluation — what a council reads before a higher award, printed from the registry."""

from __future__ import annotations

from datetime import date

from rules import words
from workflow.documents import formal
from workflow.documents.model import Document, Row, Table, para
from workflow.members import Title
from workflow.models import Member, MemberYear

TITLES_HEADER = ("Năm", "Danh hiệu, hình thức khen thưởng", "Quyết định", "Đơn vị quyết định")
YEARS_HEADER = ("Năm", "Xếp loại", "Ngày nghỉ", "Tháng công tác", "Kỷ luật", "Sáng kiến")


def member_record(
    member: Member, years: list[MemberYear], titles: list[Title], day: date
) -> Document:
    units = "; ".join(
        f"{m.unit.name} (từ {m.valid_from:%d/%m/%Y}"
        + (f" đến {m.valid_to:%d/%m/%Y})" if m.valid_to else ")")
        for m in member.memberships
    )
    identity = [f"Mã: {member.code}"]
    if member.birth_date:
        identity.append(f"Ngày sinh: {member.birth_date:%d/%m/%Y}")
    if member.gender:
        identity.append("Giới tính: " + ("Nữ" if member.gender == "female" else "Nam"))
    if member.position:
        identity.append(f"Chức vụ: {member.position}")
    title_rows = tuple(
        Row(
            (
                str(t.year),
                t.award_title
                + (" (đã hủy bỏ)" if t.revoked else "")
                + (" (tự khai)" if t.declared else ""),  # as the member's page marks it
                f"{t.decision_number} ngày {t.signed_on:%d/%m/%Y}"
                if t.signed_on
                else (t.decision_number or ""),  # a declared one: its decision as written
                t.unit_name,
            )
        )
        for t in titles
    ) or (Row(("", "Chưa có", "", "")),)
    year_rows = tuple(
        Row(
            (
                str(y.year),
                words.RATINGS[y.rating][0] if y.rating in words.RATINGS else "—",
                "—" if y.absent_days is None else str(y.absent_days),
                "—" if y.months_employed is None else str(y.months_employed),
                words.DISCIPLINE[y.discipline][0] if y.discipline in words.DISCIPLINE else "Không",
                "; ".join(i["title"] for i in y.initiatives) or "—",
            )
        )
        for y in years
    ) or (Row(("", "Chưa có", "", "", "", "")),)
    blocks = (
        para("HỒ SƠ THI ĐUA", bold=True, align="center", size=16),
        para(member.full_name, bold=True, align="center", space_after_pt=12),
        formal.body("; ".join(identity) + "."),
        formal.body(f"Quá trình sinh hoạt: {units or 'chưa ghi'}."),
        para("I. DANH HIỆU, HÌNH THỨC KHEN THƯỞNG", bold=True, space_before_pt=6),
        Table(
            TITLES_HEADER, (16, 74, 50, 40), ("center", "left", "left", "left"), title_rows, size=11
        ),
        para("II. KẾT QUẢ BÌNH XÉT CÁC NĂM", bold=True, space_before_pt=12),
        Table(
            YEARS_HEADER,
            (16, 40, 20, 24, 30, 50),
            ("center", "left", "center", "center", "left", "left"),
            year_rows,
            size=11,
        ),
        para(f"(In từ sổ đoàn viên ngày {day:%d/%m/%Y}.)", italic=True, space_before_pt=12),
    )
    return Document(
        f"Hồ sơ thi đua {member.full_name}", formal.ascii_stem("HO-SO-THI-DUA", member.code), blocks
    )
