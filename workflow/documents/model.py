"""A layout-neutral document: what a Word file and a PDF both say, built once.

The builders fill this model and the two renderers (``word``, ``pdf``) only draw it, so the
Word file an office signs and the PDF it publishes can never disagree. Every string is
normalised to NFC on the way in: Vietnamese typed on different keyboards arrives composed
or decomposed, and both formats (and text search in them) expect one form.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "center", "right", "justify"]

# Decree 30/2020/NĐ-CP, appendix I: A4, top and bottom 20 mm, left 30 mm, right 15 mm.
PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
MARGIN_TOP_MM = 20.0
MARGIN_BOTTOM_MM = 20.0
MARGIN_LEFT_MM = 30.0
MARGIN_RIGHT_MM = 15.0
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM
LINE_SPACING = 1.15  # "single" line spacing of a Times-like font, as Word lays it out
BODY_SIZE = 14.0
CELL_PADDING_MM = (1.0, 1.5)  # inside table cells: top and bottom, left and right


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def nfc(text: str) -> str:
    """Composed Vietnamese, without the control characters Word files cannot hold (text
    stored before names were checked for them must still print)."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text))


@dataclass(frozen=True)
class Run:
    """A stretch of text in one style (a paragraph may start with a bold "Điều 1.")."""

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", nfc(self.text))


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    align: Align = "justify"
    size: float = BODY_SIZE
    first_indent_mm: float = 0.0
    space_before_pt: float = 0.0
    space_after_pt: float = 0.0


@dataclass(frozen=True)
class Rule:
    """A short centred line under a heading (Decree 30: under the issuing body's name)."""

    fraction: float  # of the column's width


Item = Paragraph | Rule


@dataclass(frozen=True)
class Columns:
    """Two stacks side by side: the header (body | national motto), the closing (recipients |
    signature), the two signatures of minutes. ``split`` is the left stack's share."""

    left: tuple[Item, ...]
    right: tuple[Item, ...]
    split: float = 0.45
    # How far the block reaches into the left margin: the header's two long upper-case
    # lines need about 170 mm, as in the offices' own Word templates.
    outdent_mm: float = 0.0

    def widths_mm(self) -> tuple[float, float]:
        total = TEXT_WIDTH_MM + self.outdent_mm
        return total * self.split, total * (1 - self.split)


@dataclass(frozen=True)
class Row:
    """A table row; ``spans`` merges cells (the "Tổng cộng" row), ``bold`` marks totals."""

    cells: tuple[str, ...]
    spans: tuple[int, ...] = ()
    bold: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", tuple(nfc(c) for c in self.cells))
        if not self.spans:
            object.__setattr__(self, "spans", (1,) * len(self.cells))
        if len(self.spans) != len(self.cells):
            raise ValueError("one span per cell")


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    widths: tuple[float, ...]  # relative; the renderers scale them to the text width
    aligns: tuple[Align, ...]
    rows: tuple[Row, ...]
    size: float = 12.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "header", tuple(nfc(h) for h in self.header))
        if not len(self.header) == len(self.widths) == len(self.aligns):
            raise ValueError("header, widths and aligns must have one entry per column")
        for row in self.rows:
            if sum(row.spans) != len(self.header):
                raise ValueError(f"row spans {sum(row.spans)} columns of {len(self.header)}")

    def widths_mm(self, total: float = TEXT_WIDTH_MM) -> list[float]:
        scale = total / sum(self.widths)
        return [w * scale for w in self.widths]


@dataclass(frozen=True)
class PageBreak:
    """The attached list starts on its own page."""


Block = Paragraph | Rule | Columns | Table | PageBreak


@dataclass(frozen=True)
class Document:
    title: str  # e.g. "Quyết định số 012/QĐ-LĐLĐ" (metadata, the Unicode file name)
    file_stem: str  # ASCII only, safe in any Content-Disposition: "QD-012-2025-LDLD"
    blocks: tuple[Block, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", nfc(self.title))
        if not self.file_stem.isascii():
            raise ValueError("file_stem must be ASCII")


def para(
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: Align = "justify",
    size: float = BODY_SIZE,
    first_indent_mm: float = 0.0,
    space_before_pt: float = 0.0,
    space_after_pt: float = 0.0,
) -> Paragraph:
    """A paragraph in one style (most of them)."""
    return Paragraph(
        (Run(text, bold, italic, underline),),
        align,
        size,
        first_indent_mm,
        space_before_pt,
        space_after_pt,
    )
