"""The document model as a Word file (python-docx), the form offices sign and file.

Times New Roman is set on every script slot (ascii, hAnsi, eastAsia, cs) of the document
defaults: Word picks the slot per character, and Vietnamese letters with stacked marks
otherwise fall back to the theme font on some installations.
"""

from __future__ import annotations

from io import BytesIO

import docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row, CT_TblPr
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph as WordParagraph

from workflow.documents import model as m

FONT = "Times New Roman"
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


def render_docx(document: m.Document) -> bytes:
    out = docx.Document()
    _defaults(out)
    _page(out.sections[0])
    out.core_properties.title = document.title
    out.core_properties.language = "vi-VN"
    for block in document.blocks:
        if isinstance(block, m.Paragraph):
            _fill(out.add_paragraph(), block)
        elif isinstance(block, m.Rule):
            _rule(out.add_paragraph(), block.fraction, m.TEXT_WIDTH_MM)
        elif isinstance(block, m.Columns):
            _columns(out, block)
        elif isinstance(block, m.Table):
            _table(out, block)
        else:
            out.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    buffer = BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _defaults(out: DocxDocument) -> None:
    """Times New Roman 14 pt, single spacing, Vietnamese, for everything not set otherwise."""
    defaults = out.styles.element.find(qn("w:docDefaults"))
    run = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(run):
        run.remove(child)
    run.append(_fonts())
    for tag in ("w:sz", "w:szCs"):
        size = OxmlElement(tag)
        size.set(qn("w:val"), str(int(m.BODY_SIZE * 2)))
        run.append(size)
    lang = OxmlElement("w:lang")
    for slot in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(slot), "vi-VN")
    run.append(lang)
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    normal = out.styles["Normal"].element.get_or_add_rPr()  # where Word's font box looks
    normal.insert(0, _fonts())


def _fonts() -> BaseOxmlElement:
    fonts = OxmlElement("w:rFonts")
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    return fonts


def _page(section: Section) -> None:
    """A4 with Decree 30's margins; page numbers centred at the top from page 2 on."""
    section.page_width, section.page_height = Mm(m.PAGE_WIDTH_MM), Mm(m.PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(m.MARGIN_TOP_MM), Mm(m.MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(m.MARGIN_LEFT_MM), Mm(m.MARGIN_RIGHT_MM)
    section.header_distance = Mm(10)
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number._p.append(field)


def _fill(target: WordParagraph, paragraph: m.Paragraph) -> None:
    target.alignment = _ALIGN[paragraph.align]
    layout = target.paragraph_format
    layout.first_line_indent = Mm(paragraph.first_indent_mm) if paragraph.first_indent_mm else None
    layout.space_before = Pt(paragraph.space_before_pt)
    layout.space_after = Pt(paragraph.space_after_pt)
    for run in paragraph.runs:
        out = target.add_run(run.text)
        out.bold, out.italic, out.underline = run.bold, run.italic, run.underline
        out.font.size = Pt(paragraph.size)


def _rule(target: WordParagraph, fraction: float, width_mm: float) -> None:
    """An empty, 2 pt high paragraph whose bottom border, indented, is the short line."""
    layout = target.paragraph_format
    inset = Mm(width_mm * (1 - fraction) / 2)
    layout.left_indent = layout.right_indent = inset
    layout.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    target._p.get_or_add_pPr().insert_element_before(
        borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr"
    )


def _stack(cell: _Cell, items: tuple[m.Item, ...], width_mm: float) -> None:
    for index, item in enumerate(items):
        target = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        if isinstance(item, m.Rule):
            _rule(target, item.fraction, width_mm)
        else:
            _fill(target, item)


def _columns(out: DocxDocument, columns: m.Columns) -> None:
    """A borderless two-cell table: how Word users lay out headers and signature blocks."""
    table = out.add_table(rows=1, cols=2)
    table.autofit = False
    properties = table._tbl.tblPr
    indent = OxmlElement("w:tblInd")
    indent.set(qn("w:w"), str(-round(columns.outdent_mm / 25.4 * 1440)))
    indent.set(qn("w:type"), "dxa")
    properties.insert_element_before(
        indent, "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"
    )
    _cell_margins(properties, (0, 0))  # the text starts at the cell's edge, as in the PDF
    _keep_together(table.rows[0]._tr)  # a signature block is never cut from its capacity line
    widths = columns.widths_mm()
    for column, items, width in zip(
        table.columns, (columns.left, columns.right), widths, strict=True
    ):
        column.width = Mm(width)  # the grid, which LibreOffice reads
        cell = column.cells[0]
        cell.width = Mm(width)  # the cell, which Word reads
        _stack(cell, items, width)


def _table(out: DocxDocument, table: m.Table) -> None:
    widths = table.widths_mm()
    grid = out.add_table(rows=1, cols=len(table.header))
    grid.style = out.styles["Table Grid"]
    grid.autofit = False
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _cell_margins(grid._tbl.tblPr, m.CELL_PADDING_MM)
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Mm(width)
    header = grid.rows[0]
    _repeat_as_header(header._tr)
    for cell, text, width in zip(header.cells, table.header, widths, strict=True):
        cell.width = Mm(width)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _fill(cell.paragraphs[0], m.para(text, bold=True, align="center", size=table.size))
    for row in table.rows:
        added = grid.add_row()
        _keep_together(added._tr)
        cells = added.cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = Mm(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        start = 0
        for text, span in zip(row.cells, row.spans, strict=True):
            cell = cells[start]
            if span > 1:
                cell = cell.merge(cells[start + span - 1])
            paragraph = m.para(text, bold=row.bold, align=table.aligns[start], size=table.size)
            _fill(cell.paragraphs[0], paragraph)
            start += span


def _repeat_as_header(row: CT_Row) -> None:
    """The column titles repeat at the top of every page the list runs onto."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row.get_or_add_trPr().append(flag)


def _keep_together(row: CT_Row) -> None:
    """A row is never cut across two pages (as in the PDF)."""
    flag = OxmlElement("w:cantSplit")
    flag.set(qn("w:val"), "true")
    row.get_or_add_trPr().append(flag)


def _cell_margins(properties: CT_TblPr, padding: tuple[float, float]) -> None:
    """Space inside each cell: (top and bottom, left and right) in mm, as the PDF has."""
    margins = OxmlElement("w:tblCellMar")
    vertical, horizontal = (str(round(mm / 25.4 * 1440)) for mm in padding)
    for side, twips in (
        ("w:top", vertical),
        ("w:left", horizontal),
        ("w:bottom", vertical),
        ("w:right", horizontal),
    ):
        margin = OxmlElement(side)
        margin.set(qn("w:w"), twips)
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")
