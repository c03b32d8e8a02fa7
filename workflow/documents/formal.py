"""The parts every administrative document shares (Decree 30/2020/NĐ-CP, appendix I).

Header (issuing body | national name and motto), number, place and date, named title,
recipients ("Nơi nhận") and the signature block: written once here so the decision, the
proposal letter and the minutes all look as a Vietnamese office expects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from workflow.documents.model import Columns, Item, Paragraph, Rule, para
from workflow.models import Unit
from workflow.units import name_on
from workflow.vocabulary import Level, NomineeKind

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BLANK_PLACE = "……………"
# Where a unit's name names its province or city ("… tỉnh Đắk Lắk", "… thành phố Buôn Ma Thuột").
_PLACE = re.compile(r"\b(?:tỉnh|thành phố|TP\.)\s+(.+)$", re.IGNORECASE)
# Decree 30: a centrally-run city is written with its full name.
_PLACE_NAMES = {"Hồ Chí Minh": "Thành phố Hồ Chí Minh"}
HEADER_SIZE = 12.0
SIGNATURE_SPACE_PT = 72.0  # room for the handwritten signature and the seal


@dataclass(frozen=True)
class Issuer:
    """The unit that issues a document, as its header names it."""

    name: str
    code: str
    parent_name: str | None
    place: str
    level: str = "ldld_tinh"  # workflow.vocabulary.Level: whose body signs (sources.md §1.3)
    abbreviation: str = ""  # as document numbers write the unit: "05/QĐ-LĐLĐ"

    @property
    def signing_body(self) -> str:
        """The Tổng Liên đoàn decides through its Đoàn Chủ tịch; every other level through
        its Ban Thường vụ (sources.md §1.3, §6)."""
        return "ĐOÀN CHỦ TỊCH" if self.level == Level.TONG_LDLD else "BAN THƯỜNG VỤ"


def place_of(unit: Unit | None) -> str | None:
    """The place named in a unit's name, else in its nearest ancestor's (a CĐCS of a
    department writes the province of the union above it)."""
    while unit is not None:
        match = _PLACE.search(unit.name)
        if match:
            name = match.group(1).strip()
            return _PLACE_NAMES.get(name, name)
        unit = unit.parent
    return None


def issuer_of(unit: Unit, place: str | None = None, day: date | None = None) -> Issuer:
    """``place`` (configured) wins over the one read from the unit names; ``day`` (the
    document's date) gives the names of that day, before any later rename."""
    parent = unit.parent
    name, abbreviation = name_on(unit, day) if day else (unit.name, unit.abbreviation)
    return Issuer(
        name=name,
        code=unit.code,
        parent_name=(name_on(parent, day)[0] if day else parent.name) if parent else None,
        place=place or place_of(unit) or BLANK_PLACE,
        level=unit.level,
        abbreviation=abbreviation,
    )


def long_date(day: date) -> str:
    """'ngày 05 tháng 12 năm 2025': Decree 30 pads days below 10 and the months 1 and 2."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def two_digits(count: int) -> str:
    """Counts in documents are written '02 tập thể', '12 cá nhân'."""
    return f"{count:02d}"


def nominees_phrase(kinds: Iterable[str]) -> str:
    """'02 tập thể và 05 cá nhân' (only the kinds present)."""
    kinds = list(kinds)
    collectives = sum(1 for k in kinds if k == NomineeKind.COLLECTIVE)
    individuals = len(kinds) - collectives
    parts = []
    if collectives:
        parts.append(f"{two_digits(collectives)} tập thể")
    if individuals:
        parts.append(f"{two_digits(individuals)} cá nhân")
    return " và ".join(parts)


def kinds_phrase(kinds: Iterable[str]) -> str:
    """'tập thể, cá nhân', 'cá nhân' or 'tập thể': whom a title speaks of."""
    present = set(kinds)
    words = [w for k, w in (("collective", "tập thể"), ("individual", "cá nhân")) if k in present]
    return ", ".join(words) or "tập thể, cá nhân"


def header(issuer: Issuer, number: str, day: date, *, body_name: str | None = None) -> Columns:
    """The issuing body (its parent above it) with its number; the nation, motto, place and date.

    ``body_name`` replaces the issuer's name on the bold line (the council issuing minutes).
    """
    left: list[Item] = []
    top = issuer.name if body_name else issuer.parent_name
    if top:
        left.append(para(top.upper(), align="center", size=HEADER_SIZE))
    left.append(
        para((body_name or issuer.name).upper(), bold=True, align="center", size=HEADER_SIZE)
    )
    left.append(Rule(1 / 3))
    left.append(para(f"Số: {number}", align="center", size=13, space_before_pt=6))
    right: list[Item] = [
        para(NATION, bold=True, align="center", size=HEADER_SIZE),
        para(MOTTO, bold=True, underline=True, align="center", size=13),
        para(
            f"{issuer.place}, {long_date(day)}",
            italic=True,
            align="center",
            size=13,
            space_before_pt=16,
        ),
    ]
    return Columns(tuple(left), tuple(right), split=0.485, outdent_mm=10)


def title(kind: str, subject: str) -> tuple[Paragraph | Rule, ...]:
    """A named document: 'QUYẾT ĐỊNH' then 'Về việc …', centred and bold, a short line under."""
    return (
        para(kind, bold=True, align="center", space_before_pt=18),
        para(subject, bold=True, align="center"),
        Rule(1 / 4),
    )


def body(text: str, *, italic: bool = False) -> Paragraph:
    """A body paragraph: justified, first line indented (Decree 30: 1–1.27 cm)."""
    return para(text, italic=italic, first_indent_mm=12.7, space_after_pt=6)


def recipients(names: Iterable[str]) -> tuple[Paragraph, ...]:
    """'Nơi nhận:' then '- …;' lines, ending with the issuer's own archive copy."""
    lines = [para("Nơi nhận:", bold=True, italic=True, align="left", size=12, space_before_pt=12)]
    lines += [para(f"- {name};", align="left", size=11) for name in names]
    lines.append(para("- Lưu: VT.", align="left", size=11))
    return tuple(lines)


def signature(capacity: str, position: str, name: str, *, note: str = "") -> tuple[Paragraph, ...]:
    """Who signs and in what capacity; a blank name leaves a line to write it by hand."""
    lines = [para(line, bold=True, align="center") for line in (capacity, position) if line]
    lines[0] = replace(lines[0], space_before_pt=12)
    if note:
        lines.append(para(note, italic=True, align="center", size=12))
    lines.append(
        para(
            name or "……………………………",
            bold=bool(name),
            align="center",
            space_before_pt=SIGNATURE_SPACE_PT,
        )
    )
    return tuple(lines)


def closing(recipient_lines: tuple[Paragraph, ...], signer: tuple[Paragraph, ...]) -> Columns:
    return Columns(recipient_lines, signer, split=0.45)


def vote_share(yes: int, base: int) -> str:
    """'8/9 (88,9%)': the votes in favour over the count the threshold uses, with the share
    rounded half up to a tenth in integers (a Vietnamese decimal comma)."""
    if base <= 0:
        return f"{yes}/{base}"
    tenths = (yes * 2000 + base) // (2 * base)
    return f"{yes}/{base} ({tenths // 10},{tenths % 10}%)"


def blank_number(kind: str, abbreviation: str) -> str:
    """'      /TTr-CĐCS': the clerk writes the number in by hand when registering the letter;
    the unit as document numbers write it (its abbreviation, never its code)."""
    return f"{' ' * 8}/{kind}-{abbreviation}"


def ascii_stem(*parts: str) -> str:
    """A file name stem that survives any Content-Disposition: ASCII letters, digits, '.-'."""
    return "-".join(re.sub(r"[^A-Za-z0-9.]+", "-", part).strip("-") for part in parts)
