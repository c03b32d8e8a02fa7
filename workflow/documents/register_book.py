"""The register of awards (sổ theo dõi khen thưởng) of a unit for a year, as a printable list."""

from __future__ import annotations

from rules.money import vnd
from workflow.documents import formal
from workflow.documents.decision import NO_AMOUNT
from workflow.documents.model import Align, Document, Row, Table, para
from workflow.models import Unit
from workflow.register import RegisterLine

HEADER = ("Số vào sổ", "Họ và tên / Tên tập thể", "Đơn vị", "Hình thức khen thưởng",
          "Quyết định", "Tiền thưởng", "Ghi chú")  # fmt: skip
WIDTHS = (16, 34, 30, 34, 30, 22, 14)  # mm, within the page's 180 mm
ALIGN: tuple[Align, ...] = ("center", "left", "left", "left", "left", "right", "left")


def register_document(unit: Unit, year: int, lines: list[RegisterLine]) -> Document:
    """The register as the Excel export has it, the bonus of each award included; the total
    leaves out revoked awards, whose bonus is recovered (thu hồi)."""
    rows = [
        Row(
            (
                line.entry,
                line.nominee_name,
                line.unit_name,
                line.award_title,
                f"{line.decision_number} ngày {line.signed_on:%d/%m/%Y}",
                vnd(line.amount) if line.amount is not None else NO_AMOUNT,
                "Đã hủy bỏ" if line.revoked else "",
            )
        )
        for line in lines
    ]
    total = sum(line.amount or 0 for line in lines if not line.revoked)
    label = "Tổng cộng (không tính mục đã hủy bỏ)" if any(x.revoked for x in lines) else "Tổng cộng"
    rows.append(Row((label, vnd(total), ""), spans=(5, 1, 1), bold=True))
    blocks = (
        para(unit.name.upper(), bold=True, align="center"),
        para(f"SỔ THEO DÕI KHEN THƯỞNG NĂM {year}", bold=True, align="center", space_after_pt=12),
        Table(HEADER, WIDTHS, ALIGN, tuple(rows), size=10),
        para(f"(Sổ có {len(lines)} mục.)", italic=True, space_before_pt=6),
    )
    title = f"Sổ theo dõi khen thưởng {unit.name} năm {year}"
    return Document(title, formal.ascii_stem("SO-KHEN-THUONG", unit.code, str(year)), blocks)
