"""What a campaign's definition says about its documents, with the defaults offices use.

The optional ``documents`` section of a campaign definition (workflow/campaign_schema.py)
is stored with the rest of the definition in ``Campaign.definition``; it is read from
there so an administrator changes the legal bases or the signer by re-importing the YAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rules.params import within
from workflow.models import Campaign


@dataclass(frozen=True)
class LegalBasis:
    """A "Căn cứ …" line and the days a decision may cite it (the instrument in force)."""

    text: str
    valid_from: date | None = None
    valid_to: date | None = None

    def in_force(self, day: date) -> bool:
        return within(day, self.valid_from, self.valid_to)


_QUY_CHE = "của Đoàn Chủ tịch Tổng Liên đoàn Lao động Việt Nam ban hành Quy chế khen thưởng của tổ chức Công đoàn"
# In the order a decision cites them: the law, its decree, the union's charter, its Quy chế.
# Dates from sources.md §0; Decree 91/2017 is taken as in force from the day it was signed, and
# nothing is cited for the decree before it (Decree 42/2010 is not in the brief).
LEGAL_BASES = (
    LegalBasis(
        "Căn cứ Luật Thi đua, khen thưởng ngày 26 tháng 11 năm 2003; Luật sửa đổi, bổ sung một "
        "số điều của Luật Thi đua, khen thưởng ngày 14 tháng 6 năm 2005 và ngày 16 tháng 11 năm "
        "2013",
        None,
        date(2023, 12, 31),
    ),
    LegalBasis(
        "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15 tháng 6 năm 2022",
        date(2024, 1, 1),
    ),
    LegalBasis(
        "Căn cứ Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm 2017 của Chính phủ quy định chi "
        "tiết thi hành một số điều của Luật Thi đua, khen thưởng",
        date(2017, 7, 31),
        date(2023, 12, 31),
    ),
    LegalBasis(
        "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi "
        "tiết thi hành một số điều của Luật Thi đua, khen thưởng",
        date(2024, 1, 1),
    ),
    LegalBasis("Căn cứ Điều lệ Công đoàn Việt Nam"),
    LegalBasis(
        f"Căn cứ Quyết định số 1564/QĐ-TLĐ ngày 24 tháng 12 năm 2014 {_QUY_CHE}",
        date(2014, 12, 24),
        date(2017, 12, 27),
    ),
    LegalBasis(
        f"Căn cứ Quyết định số 2106/QĐ-TLĐ ngày 28 tháng 12 năm 2017 {_QUY_CHE}",
        date(2017, 12, 28),
        date(2019, 11, 11),
    ),
    LegalBasis(
        f"Căn cứ Quyết định số 1689/QĐ-TLĐ ngày 12 tháng 11 năm 2019 {_QUY_CHE}",
        date(2019, 11, 12),
        date(2024, 5, 28),
    ),
    LegalBasis(
        f"Căn cứ Quyết định số 999/QĐ-TLĐ ngày 29 tháng 5 năm 2024 {_QUY_CHE}",
        date(2024, 5, 29),
    ),
)


def legal_bases_on(day: date) -> tuple[str, ...]:
    """What a decision signed on ``day`` cites when its campaign names no bases of its own:
    a 2020 decision cannot cite a law that took effect in 2024."""
    return tuple(b.text for b in LEGAL_BASES if b.in_force(day))


DEFAULT_SIGNER_TITLE = "CHỦ TỊCH"


@dataclass(frozen=True)
class DocumentSettings:
    legal_bases: tuple[str, ...] | None = None  # None: those in force on the signing day
    recipients: tuple[str, ...] | None = None  # None: "Như Điều 2" and the parent body
    place: str | None = None  # None: read from the unit's (or its ancestors') name
    authority: str | None = None  # None: "BAN THƯỜNG VỤ <ISSUING UNIT>"
    signer_capacity: str | None = None  # None: "TM." and the signing body of the issuer's level
    signer_title: str = DEFAULT_SIGNER_TITLE


def settings_for(campaign: Campaign | None) -> DocumentSettings:
    """The campaign's ``documents`` section over the defaults (a campaign made before the
    section existed, or without a definition, gets the defaults)."""
    raw: dict[str, Any] = ((campaign.definition if campaign else None) or {}).get("documents") or {}
    defaults = DocumentSettings()
    bases = raw.get("legal_bases")
    recipients = raw.get("recipients")
    return DocumentSettings(
        legal_bases=tuple(bases) if bases else None,
        recipients=tuple(recipients) if recipients else None,
        place=raw.get("place") or None,
        authority=raw.get("authority") or None,
        signer_capacity=raw.get("signer_capacity") or None,
        signer_title=raw.get("signer_title") or defaults.signer_title,
    )
