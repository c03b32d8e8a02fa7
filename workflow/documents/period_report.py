"""A unit's periodic report to its parent on a campaign (Decree 30/2020/NĐ-CP layout): the
results declared against the plan's targets, and the proposals and awards of its subtree."""

from __future__ import annotations

from datetime import date

from workflow.documents import formal
from workflow.documents.model import Block, Document, Row, Table, para
from workflow.reports import Line, ReportView

TARGETS_HEADER = ("TT", "Chỉ tiêu", "Yêu cầu", "Kết quả", "Đánh giá")
TARGETS_WIDTHS = (10, 90, 28, 24, 28)
AWARDS_HEADER = ("TT", "Hình thức khen thưởng", "Số đề nghị", "Số được khen thưởng")
AWARDS_WIDTHS = (10, 110, 30, 30)


def _value(line: Line) -> str:
    if line.value is None:
        return "Chưa báo cáo"
    shown, unit = line.shown(), line.target.unit
    return f"{shown}{unit}" if unit.startswith("%") or not unit else f"{shown} {unit.strip()}"


def build_report(v: ReportView, day: date) -> Document:
    issuer = formal.issuer_of(v.unit)
    rows = tuple(
        Row((str(i), line.target.label, line.target.requirement,
             _value(line),
             "—" if line.met is None else ("Đạt" if line.met else "Chưa đạt")))
        for i, line in enumerate(v.lines, start=1)
    )  # fmt: skip
    awards = tuple(
        Row((str(i), title, str(proposed), str(awarded)))
        for i, (title, proposed, awarded) in enumerate(v.proposals, start=1)
    )
    note = (v.report.note if v.report else "") or "Không có."
    # "… năm 2026 — LĐLĐ tỉnh Đắk Lắk năm 2026": a plan's year is often in its title already.
    period = "" if v.period.label in v.campaign.title else f" {v.period.label}"
    # Printed before the period ends, the counts are those of the day printed.
    counted = "HẾT NGÀY " if day >= v.period.last_day else "NGÀY "
    blocks: list[Block] = [
        formal.header(issuer, formal.blank_number("BC", issuer.abbreviation), day),
        *formal.title("BÁO CÁO", f"Kết quả thực hiện {v.campaign.title}{period}"),
        para("I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", bold=True, space_before_pt=12),
        Table(
            TARGETS_HEADER,
            TARGETS_WIDTHS,
            ("center", "left", "left", "center", "center"),
            rows or (Row(("", "Kế hoạch không đặt chỉ tiêu", "", "", "")),),
            size=11,
        ),
        para(
            f"II. ĐỀ NGHỊ KHEN THƯỞNG (TÍNH ĐẾN {counted}{min(day, v.period.last_day):%d/%m/%Y})",
            bold=True,
            space_before_pt=12,
        ),
        Table(
            AWARDS_HEADER,
            AWARDS_WIDTHS,
            ("center", "left", "center", "center"),
            awards or (Row(("", "Chưa có đề nghị", "", "")),),
            size=11,
        ),
        para("III. NHẬN XÉT, KIẾN NGHỊ", bold=True, space_before_pt=12),
        formal.body(note),
        formal.closing(
            formal.recipients([v.parent.name if v.parent else "Cấp trên"]),
            formal.signature(f"TM. {issuer.signing_body}", "CHỦ TỊCH", ""),
        ),
    ]
    title = f"Báo cáo {v.period.label} của {v.unit.name}"
    stem = formal.ascii_stem("BC", v.unit.code, v.campaign.code, v.period.key)
    return Document(title, stem, tuple(blocks))
