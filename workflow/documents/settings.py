"""What a campaign's definition says about its documents, with the defaults offices use.

The optional ``documents`` section of a campaign definition (workflow/campaign_schema.py)
is stored with the rest of the definition in ``Campaign.definition``; it is read from
there so an administrator changes the legal bases or the signer by re-importing the YAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workflow.models import Campaign

# Law 06/2022/QH15 is in force from 01/01/2024; Decree 98/2023 details it.
DEFAULT_LEGAL_BASES = (
    "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15 tháng 6 năm 2022",
    "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi "
    "tiết thi hành một số điều của Luật Thi đua, khen thưởng",
    "Căn cứ Điều lệ Công đoàn Việt Nam",
    "Căn cứ Quy chế khen thưởng của tổ chức Công đoàn",
)
DEFAULT_SIGNER_CAPACITY = "TM. BAN THƯỜNG VỤ"
DEFAULT_SIGNER_TITLE = "CHỦ TỊCH"


@dataclass(frozen=True)
class DocumentSettings:
    legal_bases: tuple[str, ...] = DEFAULT_LEGAL_BASES
    recipients: tuple[str, ...] | None = None  # None: "Như Điều 2" and the parent body
    place: str | None = None  # None: read from the unit's (or its ancestors') name
    authority: str | None = None  # None: "BAN THƯỜNG VỤ <ISSUING UNIT>"
    signer_capacity: str = DEFAULT_SIGNER_CAPACITY
    signer_title: str = DEFAULT_SIGNER_TITLE


def settings_for(campaign: Campaign | None) -> DocumentSettings:
    """The campaign's ``documents`` section over the defaults (a campaign made before the
    section existed, or without a definition, gets the defaults)."""
    raw: dict[str, Any] = ((campaign.definition if campaign else None) or {}).get("documents") or {}
    defaults = DocumentSettings()
    bases = raw.get("legal_bases")
    recipients = raw.get("recipients")
    return DocumentSettings(
        legal_bases=tuple(bases) if bases else defaults.legal_bases,
        recipients=tuple(recipients) if recipients else None,
        place=raw.get("place") or None,
        authority=raw.get("authority") or None,
        signer_capacity=raw.get("signer_capacity") or defaults.signer_capacity,
        signer_title=raw.get("signer_title") or defaults.signer_title,
    )
