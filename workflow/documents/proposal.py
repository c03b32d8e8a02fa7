"""Tờ trình: the letter a unit sends with the batch it forwards to its parent.

Its number is left blank (the clerk writes it when registering the letter) and so is the
signer's name: the system knows who forwarded the batch, not who chairs the unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from workflow.documents import formal
from workflow.documents.access import PROPOSAL_ROLES, require, units_with
from workflow.documents.batches import Batch, forwarded, forwarded_batches
from workflow.documents.model import Align, Block, Document, Row, Table, para
from workflow.documents.settings import settings_for
from workflow.errors import NotFound
from workflow.models import Campaign, Nomination, Unit, User
from workflow.vocabulary import Role

LIST_HEADER = (
    "TT",
    "Họ và tên / Tên tập thể",
    "Chức vụ",
    "Đơn vị",
    "Hình thức đề nghị",
)
# No vote column: a tier forwards what its reviewers approved; the only vote recorded here is
# the deciding council's, taken later, which a lower tier's letter must not print (issue 14).
LIST_WIDTHS = (12, 42, 28, 42, 46)


@dataclass(frozen=True)
class ProposalLine:
    nominee_name: str
    nominee_kind: str
    position: str
    unit_name: str
    award_title: str


@dataclass(frozen=True)
class ProposalInput:
    issuer: formal.Issuer
    recipient: str  # the parent unit's name ("Kính gửi")
    campaign_title: str
    day: date
    lines: tuple[ProposalLine, ...]
    file_stem: str
    signer_capacity: str = "TM. BAN CHẤP HÀNH"
    signer_title: str = "CHỦ TỊCH"


def _list(lines: tuple[ProposalLine, ...]) -> Table:
    rows = tuple(
        Row((str(index), line.nominee_name, line.position, line.unit_name, line.award_title))
        for index, line in enumerate(lines, start=1)
    )
    aligns: tuple[Align, ...] = ("center", "left", "left", "left", "left")
    return Table(LIST_HEADER, LIST_WIDTHS, aligns, rows)


def build_proposal(p: ProposalInput) -> Document:
    kinds = [line.nominee_kind for line in p.lines]
    blocks: list[Block] = [
        formal.header(p.issuer, formal.blank_number("TTr", p.issuer.abbreviation), p.day),
        *formal.title(
            "TỜ TRÌNH",
            f"Về việc đề nghị khen thưởng {formal.kinds_phrase(kinds)} có thành tích xuất sắc "
            f"trong {p.campaign_title}",
        ),
        para(f"Kính gửi: {p.recipient}", align="center", space_before_pt=12, space_after_pt=12),
        formal.body(
            f"Thực hiện {p.campaign_title}, {p.issuer.name} đã tổ chức bình xét, đánh giá "
            "thành tích của các tập thể, cá nhân theo quy định."
        ),
        formal.body(
            f"Căn cứ kết quả bình xét, {p.issuer.name} kính đề nghị {p.recipient} xem xét, "
            f"khen thưởng {formal.nominees_phrase(kinds)} có thành tích xuất sắc, cụ thể như sau:"
        ),
        _list(p.lines),
        formal.body(
            f"(Hồ sơ đề nghị khen thưởng của {formal.nominees_phrase(kinds)} gửi kèm theo.)",
            italic=True,
        ),
        formal.body(f"Kính trình {p.recipient} xem xét, quyết định./."),
        formal.closing(
            formal.recipients(["Như trên"]),
            formal.signature(p.signer_capacity, p.signer_title, ""),
        ),
    ]
    title = f"Tờ trình đề nghị khen thưởng ngày {p.day:%d/%m/%Y} của {p.issuer.name}"
    return Document(title, p.file_stem, tuple(blocks))


NO_LETTER = ("Không tìm thấy tờ trình này.", "No such proposal letter.")


def proposal_batches(
    session: Session, actor: User, day: date, roles: frozenset[Role] | set[Role] = PROPOSAL_ROLES
) -> list[Batch]:
    """The batches sent up by the units where the actor is an officer or reviewer (or only
    the ``roles`` given): one letter each, newest first."""
    units = units_with(actor, frozenset(roles) & PROPOSAL_ROLES, day)
    return [batch for unit in units for batch in forwarded_batches(session, unit)]


def unit_batches(session: Session, actor: User, unit: Unit, day: date) -> list[Batch]:
    """The letters of one chosen unit (an auditor looking into a unit below theirs)."""
    require(actor, unit, PROPOSAL_ROLES, day, NotFound(*NO_LETTER))
    return forwarded_batches(session, unit)


def proposal_document(
    session: Session,
    actor: User,
    unit_id: int,
    campaign_id: int,
    day: date,
    on: date | None = None,
) -> Document:
    """The letter for what ``unit_id`` sent up in the campaign (on day ``on``, if given),
    for the officer or reviewer who forwarded it, or an auditor above."""
    unit = session.get(Unit, unit_id)
    campaign = session.get(Campaign, campaign_id)
    if unit is None or campaign is None:
        raise NotFound(*NO_LETTER)
    require(actor, unit, PROPOSAL_ROLES, day, NotFound(*NO_LETTER))
    steps = forwarded(session, unit, campaign_id, on)
    if not steps or unit.parent is None:
        raise NotFound(
            "Đơn vị chưa chuyển hồ sơ nào lên cấp trên trong đợt thi đua này.",
            "The unit has forwarded nothing in this campaign.",
        )
    dated = on or max(step.day for step in steps)
    place = formal.place_of(unit) or settings_for(campaign).place
    return build_proposal(
        ProposalInput(
            issuer=formal.issuer_of(unit, place),
            recipient=unit.parent.name,
            campaign_title=campaign.title,
            day=dated,
            lines=tuple(_line(step.nomination) for step in steps),
            file_stem=formal.ascii_stem("TTr", unit.code, campaign.code, f"{dated:%Y%m%d}"),
        )
    )


def _line(n: Nomination) -> ProposalLine:
    return ProposalLine(
        n.nominee_name,
        n.nominee_kind,
        str((n.nominee or {}).get("position", "")),
        n.origin_unit.name,
        n.award_type.title,
    )
