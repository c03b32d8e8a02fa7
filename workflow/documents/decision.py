"""Quyết định khen thưởng: the signed decision and its attached list, as a document.

The amounts, total and total in words come from :func:`workflow.decisions.view_of`, the
same computation the decision page shows, so the paper and the screen cannot differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.money import vnd
from workflow.decisions import DecisionLine, view_of
from workflow.documents import formal
from workflow.documents.access import DECISION_ROLES, may_take
from workflow.documents.model import (
    Block,
    Document,
    PageBreak,
    Paragraph,
    Row,
    Rule,
    Run,
    Table,
    para,
)
from workflow.documents.settings import DocumentSettings, legal_bases_on, settings_for
from workflow.errors import NotFound
from workflow.models import Decision, Nomination, Unit, User

LIST_HEADER = (
    "TT",
    "Họ và tên / Tên tập thể",
    "Chức vụ",
    "Đơn vị",
    "Danh hiệu / Hình thức",
    "Số tiền (đồng)",
)
LIST_WIDTHS = (11, 34, 22, 36, 38, 27)
NO_AMOUNT = "—"


@dataclass(frozen=True)
class DecisionInput:
    """Everything the decision says; tests build it by hand, :func:`decision_document`
    from the database."""

    number: str  # "012/QĐ-LDLD-DLK"
    signed_on: date
    issuer: formal.Issuer
    campaign_title: str | None  # None when the decision spans several campaigns
    proposers: tuple[str, ...]  # the units whose proposals reached the deciding unit
    signer_name: str
    lines: tuple[DecisionLine, ...]
    total: int
    total_words: str
    file_stem: str
    settings: DocumentSettings = field(default_factory=DocumentSettings)


def _article(number: int, text: str) -> Paragraph:
    return Paragraph(
        (Run(f"Điều {number}. ", bold=True), Run(text)), first_indent_mm=12.7, space_after_pt=6
    )


# Forms of reward (hình thức khen thưởng) are given ("Tặng …"); every other award is an
# emulation title (danh hiệu thi đua), which a decision recognises ("Công nhận danh hiệu …").
FORMS_OF_REWARD = (
    "Bằng khen",
    "Giấy khen",
    "Cờ thi đua",
    "Bằng Lao động sáng tạo",
    "Kỷ niệm chương",
    "Giải thưởng",
)


QUOTES = ('"', "“")


def grant_phrase(award_title: str) -> str:
    """'Tặng Bằng khen của …' or 'Công nhận danh hiệu "Chiến sĩ thi đua cơ sở"'."""
    if award_title.startswith(FORMS_OF_REWARD):
        return f"Tặng {award_title}"
    named = award_title.removeprefix("Danh hiệu ")  # a catalogue title may already say it
    quoted = named if named.startswith(QUOTES) else f'"{named}"'
    return f"Công nhận danh hiệu {quoted}"


def _granted(lines: tuple[DecisionLine, ...]) -> str:
    """Article 1's verb and whom, one clause per award: 'Tặng Bằng khen … cho 02 cá nhân;
    Công nhận danh hiệu "…" cho 01 tập thể'."""
    by_award: dict[str, list[str]] = {}
    for line in lines:
        by_award.setdefault(line.award_title, []).append(line.nominee_kind)
    return "; ".join(
        f"{grant_phrase(title)} cho {formal.nominees_phrase(kinds)}"
        for title, kinds in by_award.items()
    )


def build_decision(d: DecisionInput) -> Document:
    kinds = [line.nominee_kind for line in d.lines]
    within = f" trong {d.campaign_title}" if d.campaign_title else ""
    authority = d.settings.authority or f"{d.issuer.signing_body} {d.issuer.name.upper()}"
    council = f"Hội đồng Thi đua - Khen thưởng {d.issuer.name}"
    cited = d.settings.legal_bases or legal_bases_on(d.signed_on)
    bases = [formal.body(f"{base.rstrip(' ;.')};", italic=True) for base in cited]
    proposers = ", ".join(d.proposers)
    proposal = (
        f"Xét đề nghị của {proposers} và {council}." if proposers else f"Xét đề nghị của {council}."
    )
    bonus = (
        [
            formal.body(
                "Kèm theo tiền thưởng theo danh sách; tổng số tiền thưởng: "
                f"{vnd(d.total)} (Bằng chữ: {d.total_words}), chi từ quỹ thi đua, khen thưởng "
                f"của {d.issuer.name}."
            )
        ]
        if d.total
        else []
    )
    default_recipients = ["Như Điều 2"] + (
        [f"{d.issuer.parent_name} (để báo cáo)"] if d.issuer.parent_name else []
    )
    blocks: list[Block] = [
        formal.header(d.issuer, d.number, d.signed_on),
        *formal.title(
            "QUYẾT ĐỊNH",
            f"Về việc khen thưởng {formal.kinds_phrase(kinds)} có thành tích xuất sắc{within}",
        ),
        para(authority, bold=True, align="center", space_before_pt=12, space_after_pt=12),
        *bases,
        formal.body(proposal, italic=True),
        para("QUYẾT ĐỊNH:", bold=True, align="center", space_before_pt=6, space_after_pt=12),
        _article(
            1, f"{_granted(d.lines)} (có danh sách kèm theo) đã có thành tích xuất sắc{within}."
        ),
        *bonus,
        _article(
            2,
            f"Văn phòng, Ban Tài chính {d.issuer.name}, các đơn vị có liên quan và các tập "
            "thể, cá nhân có tên tại Điều 1 căn cứ Quyết định thi hành.",
        ),
        _article(3, "Quyết định này có hiệu lực kể từ ngày ký./."),
        formal.closing(
            formal.recipients(d.settings.recipients or default_recipients),
            formal.signature(
                d.settings.signer_capacity or f"TM. {d.issuer.signing_body}",
                d.settings.signer_title,
                d.signer_name,
            ),
        ),
        PageBreak(),
        *_attached_list(d),
    ]
    return Document(f"Quyết định số {d.number}", d.file_stem, tuple(blocks))


def _attached_list(d: DecisionInput) -> list[Block]:
    rows = [
        Row(
            (
                str(index),
                line.nominee_name,
                line.position,
                line.unit_name,
                line.award_title,
                vnd(line.amount) if line.amount is not None else NO_AMOUNT,
            )
        )
        for index, line in enumerate(d.lines, start=1)
    ]
    rows.append(Row(("Tổng cộng", vnd(d.total)), spans=(5, 1), bold=True))
    return [
        para("DANH SÁCH", bold=True, align="center"),
        para(
            f"{formal.kinds_phrase(line.nominee_kind for line in d.lines).capitalize()} "
            "được khen thưởng",
            bold=True,
            align="center",
        ),
        para(
            f"(Kèm theo Quyết định số {d.number} {formal.long_date(d.signed_on)})",
            italic=True,
            align="center",
        ),
        Rule(1 / 4),
        Table(
            LIST_HEADER,
            LIST_WIDTHS,
            ("center", "left", "left", "left", "left", "right"),
            tuple(rows),
        ),
        para(f"Bằng chữ: {d.total_words}.", italic=True, space_before_pt=6),
        para(
            f"(Danh sách có {formal.nominees_phrase(line.nominee_kind for line in d.lines)}.)",
            italic=True,
            space_before_pt=6,
        ),
    ]


def may_take_decision(actor: User, decision: Decision, day: date) -> bool:
    return may_take(actor, decision.unit, DECISION_ROLES, day)


def decision_document(session: Session, actor: User, decision_id: int, day: date) -> Document:
    """The decision as signed, for its unit's decider, council or an auditor above it."""
    decision = session.get(Decision, decision_id)
    if decision is None or not may_take_decision(actor, decision, day):
        raise NotFound(
            f"Không có quyết định số {decision_id}.", f"Decision {decision_id} not found."
        )
    view = view_of(decision)
    nominations = sorted(decision.nominations, key=lambda n: n.id)
    first = nominations[0].campaign  # a decision spanning campaigns uses the first's settings
    single = len({n.campaign_id for n in nominations}) == 1
    settings = settings_for(first)
    return build_decision(
        DecisionInput(
            number=decision.number,
            signed_on=decision.signed_on,
            issuer=formal.issuer_of(decision.unit, settings.place, decision.signed_on),
            campaign_title=first.title if single else None,
            proposers=_proposers(session, nominations),
            signer_name=decision.signer.full_name,
            lines=tuple(view.lines),
            total=view.total,
            total_words=view.total_words,
            file_stem=decision_file_stem(decision),
            settings=settings,
        )
    )


def decision_file_stem(decision: Decision) -> str:
    """'12/QĐ-LĐLĐ' of LDLD-DLK signed in 2025 → 'QD-12-2025-LDLD-DLK': ASCII, no slash, and
    unique (the printed number repeats every year and between units)."""
    return formal.ascii_stem("QD", f"{decision.serial:02d}", str(decision.year), decision.unit.code)


def _proposers(session: Session, nominations: list[Nomination]) -> tuple[str, ...]:
    """The unit just below the deciding one on each route (the origin if it sent directly),
    in order of first appearance: whose proposals the decision answers."""
    ids: list[int] = []
    for n in nominations:
        route = n.route or []
        unit_id = route[-2] if len(route) >= 2 else n.origin_unit_id
        if unit_id not in ids:
            ids.append(unit_id)
    names = {
        uid: name
        for uid, name in session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))
    }
    return tuple(names[i] for i in ids)
