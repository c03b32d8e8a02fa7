"""The register of awards (sổ theo dõi khen thưởng) of a unit for a year, as a printable list."""

from __future__ import annotations

from workflow.documents import formal
from workflow.documents.model import Document, Row, Table, para
from workflow.models import Unit
from workflow.register import RegisterLine

HEADER = ("Số vào sổ", "Họ và tên / Tên tập thể", "Đơn vị", "Hình thức khen thưởng",
          "Quyết định", "Ghi chú")  # fmt: skip
WIDTHS = (18, 40, 36, 40, 30, 16)  # mm, within the page's 180 mm


def register_document(unit: Unit, year: int, lines: list[RegisterLine]) -> Document:
    rows = tuple(
        Row(
            (
                line.entry,
                line.nominee_name,
                line.unit_name,
                line.award_title,
                f"{line.decision_number} ngày {line.signed_on:%d/%m/%Y}",
                "Đã hủy bỏ" if line.revoked else "",
            )
        )
        for line in lines
    )
    blocks = (
        para(unit.name.upper(), bold=True, align="center"),
        para(f"SỔ THEO DÕI KHEN THƯỞNG NĂM {year}", bold=True, align="center", space_after_pt=12),
        Table(HEADER, WIDTHS, ("center", "left", "left", "left", "left", "left"), rows, size=11),
        para(f"(Sổ có {len(lines)} mục.)", italic=True, space_before_pt=6),
    )
    title = f"Sổ theo dõi khen thưởng {unit.name} năm {year}"
    return Document(title, formal.ascii_stem("SO-KHEN-THUONG", unit.code, str(year)), blocks)
