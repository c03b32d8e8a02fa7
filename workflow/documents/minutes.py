"""Biên bản: the minutes of the council (Hội đồng Thi đua - Khen thưởng) meeting.

Two sources: a sitting (:mod:`workflow.sittings`) records who attended, who chaired and who
took the minutes, and numbers the minutes when it closes; votes recorded one by one are
read from the audit trail, and those names are then written by hand. Either way the outcome
of each vote is the one judged by :meth:`workflow.votes.VoteRecord.passes` when the vote
moved the nomination on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.council import DUTIES
from workflow.documents import formal
from workflow.documents.access import MINUTES_ROLES, require, units_with
from workflow.documents.batches import Batch, Step, council_meetings, sitting_of, voted
from workflow.documents.model import Block, Columns, Document, Row, Table, para
from workflow.documents.settings import settings_for
from workflow.errors import NotFound
from workflow.models import Campaign, CouncilMember, Nomination, Sitting, Unit, User
from workflow.sittings import vote_of
from workflow.vocabulary import VoteBase
from workflow.votes import VoteRecord

COUNCIL = "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG"
LIST_HEADER = (
    "TT",
    "Họ và tên / Tên tập thể",
    "Đơn vị",
    "Hình thức đề nghị",
    "Đồng ý",
    "Không đồng ý",
    "Không ý kiến",
    "Tỷ lệ đồng ý",
    "Kết quả",
)
LIST_WIDTHS = (9, 29, 23, 27, 15, 15, 15, 19, 14)  # mm: "Không", "(100,0%)" fit on a line
SIGN_BY_HAND = "(Ký, ghi rõ họ tên)"


@dataclass(frozen=True)
class MinutesLine:
    nominee_name: str
    nominee_kind: str
    unit_name: str
    award_title: str
    vote: VoteRecord
    base: int  # what the threshold counts: all members or those present
    counted_yes: int  # with absent members' written votes where the regime counts them
    threshold: str  # "từ 2/3 tổng số thành viên Hội đồng"
    passed: bool
    secret: bool  # by secret ballot (the award type says so)


@dataclass(frozen=True)
class Attendance:
    """Who sat, as a sitting recorded it: names with their duty or position."""

    members: int
    present: tuple[str, ...]
    absent: tuple[str, ...]
    chair: str
    secretary: str


@dataclass(frozen=True)
class MinutesInput:
    issuer: formal.Issuer
    campaign_title: str
    first_day: date
    last_day: date
    lines: tuple[MinutesLine, ...]
    file_stem: str
    number: str | None = None  # a sitting's minutes are numbered; others by hand
    place: str | None = None
    attendance: Attendance | None = None


def _when(first: date, last: date) -> str:
    if first == last:
        return f"Thời gian: {formal.long_date(first)}."
    return f"Thời gian: từ {formal.long_date(first)} đến {formal.long_date(last)}."


def _range(values: set[int]) -> str:
    """A count, or a range when the votes (several sittings, several awards) differ."""
    low, high = min(values), max(values)
    return str(low) if low == high else f"từ {low} đến {high}"


def _attendance(lines: tuple[MinutesLine, ...]) -> str:
    """From the recorded votes; a range when the votes (several sittings) differ."""
    members = {line.vote.members for line in lines}
    present = {line.vote.present for line in lines}
    absent = {line.vote.members - line.vote.present for line in lines}
    written = {line.vote.written_yes + line.vote.written_no for line in lines}
    return (
        f"Tổng số thành viên Hội đồng: {_range(members)}; có mặt: {_range(present)}; "
        f"vắng mặt: {_range(absent)}"
        + (f", trong đó {_range(written)} có ý kiến bằng văn bản." if any(written) else ".")
    )


def _ballot(lines: tuple[MinutesLine, ...]) -> str:
    """How the council voted: the secret ballot is part of what the minutes attest."""
    secret = {line.secret for line in lines}
    if secret == {True}:
        return "Hình thức biểu quyết: bỏ phiếu kín."
    if secret == {False}:
        return "Hình thức biểu quyết: biểu quyết công khai."
    titles = ", ".join(dict.fromkeys(line.award_title for line in lines if line.secret))
    return f"Hình thức biểu quyết: bỏ phiếu kín đối với {titles}; các hình thức khác biểu quyết công khai."


def _sat(d: MinutesInput) -> list[Block]:
    """Attendance, the ballot and who chaired: named when a sitting recorded them."""
    sat = d.attendance
    if sat is None:
        return [
            formal.body(_attendance(d.lines)),
            formal.body(_ballot(d.lines)),
            formal.body("Chủ trì: ……………………………………………………"),
            formal.body("Thư ký: ……………………………………………………"),
        ]
    written = {line.vote.written_yes + line.vote.written_no for line in d.lines}
    absent = f"vắng mặt: {len(sat.absent)}" + (f" ({'; '.join(sat.absent)})" if sat.absent else "")
    blocks: list[Block] = [
        formal.body(
            f"Tổng số thành viên Hội đồng: {sat.members}; có mặt: {len(sat.present)}; {absent}"
            # absent members who wrote on at least one nomination, not all of them
            + (f", trong đó {max(written)} có ý kiến bằng văn bản." if any(written) else ".")
        ),
        formal.body("Thành viên có mặt: " + "; ".join(sat.present) + "."),
        formal.body(_ballot(d.lines)),
        formal.body(f"Chủ trì: {sat.chair}."),
        formal.body(f"Thư ký: {sat.secretary}."),
    ]
    return blocks


def _yes(vote: VoteRecord) -> str:
    return f"{vote.yes} (+{vote.written_yes} bằng văn bản)" if vote.written_yes else str(vote.yes)


def build_minutes(d: MinutesInput) -> Document:
    kinds = [line.nominee_kind for line in d.lines]
    passed = [line.nominee_kind for line in d.lines if line.passed]
    failed = [line.nominee_kind for line in d.lines if not line.passed]
    rows = tuple(
        Row(
            (
                str(index),
                line.nominee_name,
                line.unit_name,
                line.award_title,
                _yes(line.vote),
                str(line.vote.no + line.vote.written_no),
                str(line.vote.abstain),
                formal.vote_share(line.counted_yes, line.base),
                "Đạt" if line.passed else "Không đạt",
            )
        )
        for index, line in enumerate(d.lines, start=1)
    )
    thresholds = dict.fromkeys(f"{line.award_title}: {line.threshold}" for line in d.lines)
    conclusion = (
        f"Hội đồng thống nhất đề nghị khen thưởng {formal.nominees_phrase(passed)} đạt tỷ lệ "
        "biểu quyết theo quy định"
        if passed
        else "Không có hồ sơ nào đạt tỷ lệ biểu quyết theo quy định"
    )
    if failed:
        conclusion += (
            f"; {formal.nominees_phrase(failed)} không đạt tỷ lệ biểu quyết, không đề nghị "
            "khen thưởng"
        )
    blocks: list[Block] = [
        formal.header(
            d.issuer, d.number or formal.blank_number("BB", "HĐTĐKT"), d.last_day, body_name=COUNCIL
        ),
        *formal.title(
            f"BIÊN BẢN HỌP {COUNCIL}",
            f"Xét khen thưởng {formal.kinds_phrase(kinds)} trong {d.campaign_title}",
        ),
        replace(formal.body(_when(d.first_day, d.last_day)), space_before_pt=12),
        formal.body(f"Địa điểm: {d.place or f'trụ sở {d.issuer.name}'}."),
        para("I. THÀNH PHẦN", bold=True, space_after_pt=6),
        *_sat(d),
        para("II. NỘI DUNG", bold=True, space_after_pt=6),
        formal.body(
            f"Hội đồng đã xem xét hồ sơ đề nghị khen thưởng của {formal.nominees_phrase(kinds)} "
            "và biểu quyết theo tỷ lệ quy định cho từng hình thức khen thưởng. Kết quả như sau:"
        ),
        Table(
            LIST_HEADER,
            LIST_WIDTHS,
            ("center", "left", "left", "left", "center", "center", "center", "center", "center"),
            rows,
            size=11,
        ),
        formal.body("Tỷ lệ cần đạt: " + "; ".join(thresholds) + ".", italic=True),
        para("III. KẾT LUẬN", bold=True, space_after_pt=6),
        formal.body(conclusion + "."),
        formal.body(
            "Cuộc họp kết thúc vào hồi …… giờ …… cùng ngày; biên bản đã được đọc lại và thông "
            "qua trước Hội đồng./."
        ),
        Columns(
            formal.signature("THƯ KÝ", "", _name(d, "secretary"), note=SIGN_BY_HAND),
            formal.signature("CHỦ TRÌ", "", _name(d, "chair"), note=SIGN_BY_HAND),
            split=0.5,
        ),
    ]
    title = (
        f"Biên bản họp Hội đồng Thi đua - Khen thưởng {d.issuer.name} ngày {d.last_day:%d/%m/%Y}"
    )
    return Document(title, d.file_stem, tuple(blocks))


def _name(d: MinutesInput, duty: str) -> str:
    """The signer's bare name (the attendance line also gives their position)."""
    if d.attendance is None:
        return ""
    return str(getattr(d.attendance, duty)).split(" (", 1)[0]


NO_MINUTES = ("Không tìm thấy biên bản này.", "No such minutes.")


def meetings(session: Session, actor: User, day: date) -> list[Batch]:
    """The days the councils of the actor's units (as council or decider) voted, newest
    first: one set of minutes each."""
    units = units_with(actor, MINUTES_ROLES, day)
    return [batch for unit in units for batch in council_meetings(session, unit)]


def unit_meetings(session: Session, actor: User, unit: Unit, day: date) -> list[Batch]:
    """The minutes of one chosen unit's council (an auditor looking into a unit below)."""
    require(actor, unit, MINUTES_ROLES, day, NotFound(*NO_MINUTES))
    return council_meetings(session, unit)


def minutes_document(
    session: Session,
    actor: User,
    unit_id: int,
    campaign_id: int,
    day: date,
    on: date | None = None,
) -> Document:
    """The minutes of the votes the unit's council recorded in the campaign (on day ``on``,
    if given), for its council, its decider or an auditor above."""
    unit = session.get(Unit, unit_id)
    campaign = session.get(Campaign, campaign_id)
    if unit is None or campaign is None:
        raise NotFound(*NO_MINUTES)
    require(actor, unit, MINUTES_ROLES, day, NotFound(*NO_MINUTES))
    steps = voted(session, unit, campaign_id, on)
    if on is not None:  # a day's minutes: the votes of its sittings are in their own
        steps = [step for step in steps if sitting_of(step) is None]
    if not steps:
        raise NotFound(
            "Hội đồng chưa biểu quyết hồ sơ nào trong đợt thi đua này.",
            "The council has voted on nothing in this campaign.",
        )
    first, last = min(s.day for s in steps), max(s.day for s in steps)
    return build_minutes(
        MinutesInput(
            issuer=formal.issuer_of(unit, settings_for(campaign).place),
            campaign_title=campaign.title,
            first_day=first,
            last_day=last,
            lines=tuple(_line(step) for step in steps),
            file_stem=formal.ascii_stem("BB-HDTDKT", unit.code, campaign.code, f"{last:%Y%m%d}"),
        )
    )


def _line(step: Step) -> MinutesLine:
    data = step.event["data"]
    return _line_of(step.nomination, VoteRecord.parse(data["vote"]), step.day, bool(data["passes"]))


def _line_of(n: Nomination, vote: VoteRecord, day: date, passed: bool) -> MinutesLine:
    """One row of the minutes: ``passed`` as judged when the vote moved the nomination on."""
    award = n.award_type
    base = VoteBase(award.vote_base)
    return MinutesLine(
        n.nominee_name,
        n.nominee_kind,
        n.origin_unit.name,
        award.title,
        vote,
        vote.members if base is VoteBase.MEMBERS else vote.present,
        vote.counted_yes(award, day),
        f"từ {award.vote_ratio_num}/{award.vote_ratio_den} {base.vi[0].lower()}{base.vi[1:]}",
        passed,
        award.secret_ballot,
    )


def _seat(member: CouncilMember) -> str:
    """'Trần Văn A (Chủ tịch Hội đồng, Phó Chủ tịch LĐLĐ tỉnh)'."""
    what = [DUTIES[member.duty]] if member.duty != "member" else []
    what += [member.position] if member.position else []
    return f"{member.full_name} ({', '.join(what)})" if what else member.full_name


def sitting_minutes(session: Session, actor: User, sitting_id: int, day: date) -> Document:
    """The minutes of one closed sitting, for its council, its decider or an auditor above."""
    sitting = session.get(Sitting, sitting_id)
    if sitting is None or sitting.status != "closed":
        raise NotFound(*NO_MINUTES)
    require(actor, sitting.unit, MINUTES_ROLES, day, NotFound(*NO_MINUTES))
    seats = {m.id: m for m in session.scalars(
        select(CouncilMember).where(CouncilMember.unit_id == sitting.unit_id)
    )}  # fmt: skip
    roster = [m for m in seats.values() if m.active_on(sitting.held_on)]
    present = [seats[mid] for mid in sitting.present]
    absent = sorted((m for m in roster if m.id not in sitting.present), key=lambda m: m.full_name)
    lines = []
    for item in sitting.items:
        n, tally = item.nomination, item.tally or {}
        vote = VoteRecord.parse(vote_of(sitting, tally))
        lines.append(_line_of(n, vote, sitting.held_on, bool(item.passed)))
    number = sitting.number or ""
    return build_minutes(
        MinutesInput(
            issuer=formal.issuer_of(
                sitting.unit, settings_for(sitting.campaign).place, sitting.held_on
            ),
            campaign_title=sitting.campaign.title,
            first_day=sitting.held_on,
            last_day=sitting.held_on,
            lines=tuple(lines),
            file_stem=formal.ascii_stem(
                "BB-HDTDKT", sitting.unit.code, f"{sitting.serial or 0:02d}", str(sitting.year)
            ),
            number=number,
            place=sitting.place,
            attendance=Attendance(
                members=sitting.members,
                present=tuple(_seat(m) for m in present),
                absent=tuple(_seat(m) for m in absent),
                chair=_seat(sitting.chair),
                secretary=_seat(sitting.secretary),
            ),
        )
    )
