"""The document model as PDF (fpdf2), for reading and publishing.

Liberation Serif (metric-compatible with Times New Roman, full Vietnamese coverage, SIL
OFL 1.1) ships in ``fonts/`` and is embedded in every file, so the diacritics print the
same on a machine that has no Vietnamese font at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpdf import FPDF, FontFace
from fpdf.enums import Align

from workflow.documents import model as m

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "LiberationSerif"
_FILES = {"": "Regular", "B": "Bold", "I": "Italic", "BI": "BoldItalic"}
_ALIGN = {"left": Align.L, "center": Align.C, "right": Align.R, "justify": Align.J}
PT = 25.4 / 72  # millimetres per point
RULE_WIDTH_MM = 0.3
GRID_WIDTH_MM = 0.2


class _Pdf(FPDF):
    def header(self) -> None:
        """Decree 30: page numbers from page 2 on, centred in the top margin."""
        if self.page_no() > 1:
            self.set_font(FAMILY, "", 13)
            self.set_xy(self.l_margin, 10)
            self.cell(self.epw, 5, str(self.page_no()), align=Align.C)
            self.set_xy(self.l_margin, self.t_margin)


def render_pdf(document: m.Document) -> bytes:
    pdf = _Pdf(unit="mm", format="A4")
    for style, name in _FILES.items():
        pdf.add_font(FAMILY, style, str(FONTS / f"LiberationSerif-{name}.ttf"))
    pdf.set_margins(m.MARGIN_LEFT_MM, m.MARGIN_TOP_MM, m.MARGIN_RIGHT_MM)
    pdf.set_auto_page_break(True, margin=m.MARGIN_BOTTOM_MM)
    pdf.c_margin = 0  # text starts at the margin, as in Word; table cells have their padding
    pdf.set_title(document.title)
    pdf.set_lang("vi-VN")
    pdf.set_creator("Khen thưởng Công đoàn")
    pdf.add_page()
    for block in document.blocks:
        if isinstance(block, m.Paragraph):
            _paragraph(pdf, block, m.MARGIN_LEFT_MM, m.MARGIN_RIGHT_MM)
        elif isinstance(block, m.Rule):
            _rule(pdf, block, m.MARGIN_LEFT_MM, m.TEXT_WIDTH_MM)
        elif isinstance(block, m.Columns):
            _columns(pdf, block)
        elif isinstance(block, m.Table):
            _table(pdf, block)
        else:
            pdf.add_page()
    return bytes(pdf.output())


def _style(run: m.Run) -> str:
    return ("B" if run.bold else "") + ("I" if run.italic else "") + ("U" if run.underline else "")


def _paragraph(pdf: Any, paragraph: m.Paragraph, left: float, right: float) -> None:
    """One paragraph between ``left`` and ``right`` (page-edge distances, mm)."""
    pdf.set_x(left)  # fpdf2 wraps from the current x when it lies inside the region
    region = pdf.text_columns(l_margin=left, r_margin=right, line_height=m.LINE_SPACING)
    with (
        region,
        region.paragraph(
            text_align=_ALIGN[paragraph.align],
            top_margin=paragraph.space_before_pt * PT,
            bottom_margin=paragraph.space_after_pt * PT,
            first_line_indent=paragraph.first_indent_mm,
        ) as out,
    ):
        for run in paragraph.runs:
            pdf.set_font(FAMILY, _style(run), paragraph.size)
            out.write(run.text)


def _rule(pdf: Any, rule: m.Rule, left: float, width: float) -> None:
    length = width * rule.fraction
    start = left + (width - length) / 2
    pdf.set_line_width(RULE_WIDTH_MM)
    pdf.line(start, pdf.y + 1.2, start + length, pdf.y + 1.2)  # clear of the descenders
    pdf.set_y(pdf.y + 2)


def _stack(pdf: Any, items: tuple[m.Item, ...], left: float, width: float) -> float:
    """Draw one side of a ``Columns`` block; return where it ends."""
    right = m.PAGE_WIDTH_MM - left - width
    for item in items:
        if isinstance(item, m.Rule):
            _rule(pdf, item, left, width)
        else:
            _paragraph(pdf, item, left, right)
    return float(pdf.y)


def _draw_columns(pdf: Any, columns: m.Columns) -> None:
    top = pdf.y
    left_width, right_width = columns.widths_mm()
    start = m.MARGIN_LEFT_MM - columns.outdent_mm
    bottom = _stack(pdf, columns.left, start, left_width)
    pdf.set_y(top)
    bottom = max(bottom, _stack(pdf, columns.right, start + left_width, right_width))
    pdf.set_y(bottom)


def _columns(pdf: Any, columns: m.Columns) -> None:
    """Both sides on one page: a signature is never separated from its capacity line."""
    with pdf.offset_rendering() as trial:
        _draw_columns(trial, columns)
    if trial.page_break_triggered:
        pdf.add_page()
    _draw_columns(pdf, columns)


def _table(pdf: Any, table: m.Table) -> None:
    pdf.set_font(FAMILY, "", table.size)
    pdf.set_line_width(GRID_WIDTH_MM)
    pdf.set_y(pdf.y + 2)
    with pdf.table(
        width=m.TEXT_WIDTH_MM,
        align=Align.L,  # at the left margin (fpdf2 would centre it on the page)
        col_widths=tuple(table.widths),
        text_align=tuple(_ALIGN[a] for a in table.aligns),
        headings_style=FontFace(emphasis="BOLD"),
        line_height=table.size * PT * m.LINE_SPACING,
        padding=m.CELL_PADDING_MM,
        repeat_headings=1,
    ) as grid:
        heading = grid.row()
        for text in table.header:
            heading.cell(text, align=Align.C)
        for row in table.rows:
            out = grid.row(style=FontFace(emphasis="BOLD") if row.bold else None)
            start = 0
            for text, span in zip(row.cells, row.spans, strict=True):
                out.cell(text, align=_ALIGN[table.aligns[start]], colspan=span)
                start += span
    pdf.set_xy(m.MARGIN_LEFT_MM, pdf.y + 2)
    pdf.set_font(FAMILY, "", m.BODY_SIZE)
