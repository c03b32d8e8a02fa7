"""The emulation year of a CĐCS: registration (đăng ký thi đua) at the start, evaluation
(bình xét) at the end, and the proposals that follow from it.

Registration is due by the campaign's ``registration_by`` date (by default 25 January of its
year, as the plans ask); a later one is accepted and marked late. At evaluation the rules run
on what the registry holds (every year's rating, initiatives and discipline, titles granted
in the system under the member's code), so the titles each member now qualifies for are
offered with the rules' explanation, and the officer turns the chosen ones into nominations
in one step: nobody types a rating or a prior title again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rules import Result, evaluate_all
from rules.process import DEADLINE_RULE
from rules.registry import RULES, Rule
from rules.results import Status
from workflow import audit, imports, member_import, members, nominating
from workflow.accounts import unit_by_code
from workflow.campaigns import campaign_by_code, code_among, registration_by, require_reach
from workflow.changes import Outcome
from workflow.checks import CampaignIndex, Probe, build_index, context_for
from workflow.clock import utcnow, vn_date
from workflow.errors import InvalidInput
from workflow.import_sheets import normalize, shown
from workflow.inputs import Problems
from workflow.models import (
    AwardType,
    Campaign,
    Member,
    Membership,
    MemberYear,
    Registration,
    Unit,
    User,
)
from workflow.nominating import NewNomination
from workflow.transaction import transaction
from workflow.vocabulary import State


def _award(campaign: Campaign, code: str) -> AwardType:
    for award in campaign.award_types:
        if award.code == code:
            return award
    raise InvalidInput(
        f"Đợt thi đua không có danh hiệu '{code}'.",
        f"The campaign offers no '{code}'.",
        {"award": "unknown"},
    )


def register(
    session: Session,
    actor: User,
    campaign_code: str,
    award_code: str,
    member_ids: list[int],
    now: datetime | None = None,
) -> list[Registration]:
    """Register members of the actor's unit for a title; registering again changes nothing."""
    now = now or utcnow()
    today = vn_date(now)
    with transaction(session):
        campaign = campaign_by_code(session, campaign_code)
        award = _award(campaign, award_code)
        if registration_over(campaign, today):
            raise InvalidInput(
                f"Năm thi đua {campaign.year} đã kết thúc; không đăng ký thêm được.",
                f"The {campaign.year} emulation year is over; no more registrations.",
                {"campaign": "year_over"},
            )
        late = today > registration_by(campaign)
        added = []
        reached: set[int] = set()  # units checked once, however many of their members
        pledged: list[tuple[Member, Unit]] = []
        refused: list[tuple[Member, tuple[str, str, str]]] = []  # every one, not the first
        for member_id in sorted(set(member_ids)):
            member = members.visible(session, actor, member_id, today)
            unit = members.require_write(actor, members.current_unit(member, today), today)
            if unit.id not in reached:
                require_reach(session, campaign, unit)
                reached.add(unit.id)
            why = _why_not(member, award, campaign, unit.id, today)
            if why is None:
                pledged.append((member, unit))
            else:
                refused.append((member, why))
        if refused:
            raise InvalidInput(
                f"Không đăng ký được {award.title}: "
                + "; ".join(f"{m.full_name} ({m.code}): {vi}" for m, (_, vi, _) in refused) + ".",
                f"Cannot register for {award.title}: "
                + "; ".join(f"{m.full_name} ({m.code}): {en}" for m, (_, _, en) in refused) + ".",
                {"member_ids": [m.id for m, _ in refused], "rules": [r for _, (r, _, _) in refused]},
            )  # fmt: skip
        for member, unit in pledged:
            taken = session.scalar(
                select(Registration).where(
                    Registration.member_id == member.id,
                    Registration.campaign_id == campaign.id,
                    Registration.award_code == award.code,
                )
            )
            if taken is not None:
                continue
            row = Registration(
                member_id=member.id, campaign_id=campaign.id, award_code=award.code,
                unit_id=unit.id, registered_on=today, late=late,
            )  # fmt: skip
            session.add(row)
            added.append(row)
        if added:
            audit.record_change(session, "registered", actor.username, now, *added)
        return added


def _why_not(
    member: Member, award: AwardType, campaign: Campaign, unit_id: int, day: date
) -> tuple[str, str, str] | None:
    """Why ``member`` cannot pledge for ``award``: (rule, vi, en), a title for the other kind
    of nominee as rule "kind"; None when they can."""
    if member.kind != award.nominee_kind:
        kind = "cá nhân" if award.nominee_kind == "individual" else "tập thể"
        return "kind", f"danh hiệu này dành cho {kind}", "this title is for another kind of nominee"
    refused = refusal(member, award, campaign, unit_id, day)
    if refused is None:
        return None
    return refused.rule, refused.message_vi.rstrip("."), refused.message_en.rstrip(".")


def register_all(
    session: Session,
    actor: User,
    campaign_code: str,
    picks: dict[str, list[int]],
    now: datetime | None = None,
) -> list[Registration]:
    """Every title's members registered at once (the page's grid, a sheet): all of them, or
    none when one is refused (a form half saved said it had failed), saying every refusal."""
    with transaction(session):
        found, rows = Problems(), []
        for award_code, member_ids in picks.items():
            rows += (
                found.check(
                    partial(register, session, actor, campaign_code, award_code, member_ids, now)
                )
                or []
            )
        found.raise_any()
        return rows


IDENTITY_FACTS = frozenset({"gender"})
"""What the registry knows of who a member is when they pledge at the start of the year (the
year's results come at its end)."""


def refusal(
    member: Member, award: AwardType, campaign: Campaign, unit_id: int, day: date
) -> Result | None:
    """Why ``member`` of the unit cannot pledge for ``award`` whatever the year brings: a
    blocking rule of the award reading only who they are (a title for women) refuses them.
    A rule reading proposals or the nominee's titles reads more than that, and is not asked
    here: over no proposals and no titles, one requiring titles held before refused all."""
    specs = [s for s in award.rules or () if _reads_only_identity(RULES[s["rule"]])]
    if not specs or member.kind != award.nominee_kind:
        return None
    facts = {"gender": member.gender}
    probe = Probe(0, State.DRAFT.value, unit_id, members.nominee_key(member), facts, unit_id, None)
    results = evaluate_all(specs, context_for(probe, award, campaign, CampaignIndex(), day))
    return next((r for r in results if r.blocks), None)


def _reads_only_identity(rule: Rule) -> bool:
    return set(rule.needs) <= IDENTITY_FACTS and not (rule.counts or rule.history)


def registration_over(campaign: Campaign, day: date) -> bool:
    """A registration is a pledge for the year to come: none once the year has ended."""
    return day.year > campaign.year


def registrable(
    people: list[Member], awards: list[AwardType], campaign: Campaign, unit_id: int, day: date
) -> set[tuple[int, str]]:
    """The (member, title) pairs the unit's page offers to register: the year is not over,
    the title is for the member's kind and no rule refuses them for who they are."""
    if registration_over(campaign, day):
        return set()
    return {
        (m.id, a.code)
        for m in people
        for a in awards
        if m.kind == a.nominee_kind and refusal(m, a, campaign, unit_id, day) is None
    }


def registrations(
    session: Session, actor: User, campaign: Campaign, day: date
) -> list[Registration]:
    """Who registered for what in the campaign, as far as the actor may see (the unit's
    officer its own; every tier above its subtree; auditors)."""
    return list(
        session.scalars(
            select(Registration)
            .join(Member, Member.id == Registration.member_id)
            .where(Registration.campaign_id == campaign.id, members.visible_filter(actor, day))
            .order_by(Registration.unit_id, Member.full_name)
        )
    )


def exported_registrations(
    session: Session, actor: User, campaign: Campaign, day: date
) -> list[Registration]:
    """:func:`registrations` handed out of the system (a file, the API): personal data
    leaving it is a link in the trail (Decree 13/2023), with how many rows left."""
    with transaction(session):
        rows = registrations(session, actor, campaign, day)
        members.note_export(session, actor, f"registrations:{campaign.code}", len(rows), "")
        return rows


def unit_members(session: Session, unit_id: int, day: date) -> list[Member]:
    """The members belonging to the unit on ``day``, by name."""
    return list(
        session.scalars(
            select(Member)
            .join(Membership, Membership.member_id == Member.id)
            .where(
                Membership.unit_id == unit_id,
                Membership.valid_from <= day,
                (Membership.valid_to.is_(None)) | (Membership.valid_to >= day),
                Member.merged_into_id.is_(None),
            )
            .order_by(Member.full_name, Member.id)
        )
    )


# What the registry holds for a nomination (facts_for); any other fact is the nomination's own.
REGISTRY_FACTS = frozenset(
    {"ratings", "initiatives", "discipline", "gender", "absent_days", "months_employed",
     "registered", "registered_late"}
)  # fmt: skip


@dataclass(frozen=True)
class Offer:
    """A title a member qualifies for by what the registry holds, with the rules' answers as
    the explanation: some may still ask a person (``to_review``) or a fact only the
    nomination can give (``to_complete``, asked on its form before it is sent)."""

    member: Member
    award: AwardType
    results: list[Result]
    qualifies: bool = True  # false: a title the rules refuse, and why
    # What alone refuses it, when one thing does: "registration" (registering now would count),
    # "registration_closed" (the plan's day has passed and a late one would not), "deadline".
    missing: str = ""

    @property
    def to_review(self) -> list[Result]:
        return [r for r in self.results if r.status == Status.MANUAL]

    @property
    def refusing(self) -> list[Result]:
        """What keeps a title registered for out of reach: the blocking rules failing, or
        missing a fact the registry should hold."""
        return [r for r in self.results if not _qualifies([r])]

    @property
    def to_complete(self) -> list[Result]:
        return [r for r in self.results if r.status == Status.UNKNOWN]


def year_end(award: AwardType) -> bool:
    """A title of the year's emulation: registered for at its start (R-REGISTERED reads
    ``registered``), judged at its end on the year's evaluation, so offered only once that is
    saved (Giấy khen's rules read no rating, and it was offered before any review)."""
    return any("registered" in RULES[s["rule"]].needs for s in award.rules or ())


def unevaluated(
    people: list[Member], years: list[MemberYear], awards: list[AwardType]
) -> list[Member]:
    """Who has no rating for the year yet, among those a title of the year's emulation is
    for: none is offered them (``offers``) until it is saved, and the page names them
    rather than leaving them out silently."""
    kinds = {a.nominee_kind for a in awards if year_end(a)}
    rated = {y.member_id for y in years if y.rating}
    return [m for m in people if m.kind in kinds and m.id not in rated]


def _unit_in_campaign(
    session: Session, actor: User, unit_code: str, campaign_code: str, day: date
) -> tuple[Unit, Campaign]:
    """The unit whose members ``actor`` may propose, in a campaign that reaches it: what
    asking a unit's offers, or who awaits evaluation, requires."""
    unit = unit_by_code(session, unit_code)
    members.require_write(actor, unit, day)
    campaign = campaign_by_code(session, campaign_code)
    require_reach(session, campaign, unit)
    return unit, campaign


def awaiting_evaluation(
    session: Session, actor: User, unit_code: str, campaign_code: str, day: date
) -> list[Member]:
    """:func:`unevaluated` for a unit's members today, for whoever may ask its offers."""
    unit, campaign = _unit_in_campaign(session, actor, unit_code, campaign_code, day)
    people = unit_members(session, unit.id, day)
    years = members.years_in(session, [m.id for m in people], campaign.year)
    return unevaluated(people, years, [a for a in campaign.award_types if a.rules])


def _alone_refusing(results: list[Result]) -> str:
    """What alone keeps a title from being offered, when one thing does: the member's
    registration for it (the only rules refusing read nothing but ``registered``), or the
    filing deadline; "" when other rules refuse it."""
    refusing = [r for r in results if not _qualifies([r])]
    if not refusing:
        return ""
    if all(RULES[r.rule].needs == ("registered",) and not r.values.get("late") for r in refusing):
        return "registration"  # not one made late: registering again would change nothing
    if all(r.rule == DEADLINE_RULE for r in refusing):
        return "deadline"
    return ""


def _qualifies(results: list[Result]) -> bool:
    """No blocking rule fails, and none lacks a fact the registry should have held."""
    for r in results:
        if r.severity != "blocking":
            continue
        if r.status == Status.FAIL:
            return False
        if r.status == Status.UNKNOWN and set(RULES[r.rule].needs) <= REGISTRY_FACTS:
            return False
    return True


def _registry_facts(session: Session, member: Member, campaign: Campaign) -> dict[str, Any]:
    """What the registry holds for a member in the campaign's year, whatever the title."""
    years = list(
        session.scalars(
            select(MemberYear).where(MemberYear.member_id == member.id).order_by(MemberYear.year)
        )
    )
    declared = members.declared_of(session, member.id)
    return members.facts_of(years, member.gender, declared) | members.year_facts(
        years, campaign.year
    )


def _pledge(pledges: nominating.Pledges, member: Member, award_code: str) -> dict[str, bool]:
    """The registration facts R-REGISTERED reads of a member in the registry: whether, and
    whether late (not registered is a fact here, where a form's declaration may stand)."""
    late = pledges.get((members.nominee_key(member), award_code))
    return {"registered": False} if late is None else nominating.pledge_facts(late)


def facts_for(
    session: Session, member: Member, campaign: Campaign, award_code: str
) -> dict[str, Any]:
    """The nomination's facts, read from the registry."""
    pledges = nominating.registered(session, campaign.id, [members.nominee_key(member)])
    pledge = _pledge(pledges, member, award_code)
    return _registry_facts(session, member, campaign) | pledge


def filing_closed(campaign: Campaign, day: date) -> list[AwardType]:
    """The campaign's ruled awards whose filing deadline has passed by ``day``: their rules
    refuse a new dossier (R-DEADLINE), so the officer is told why none is offered."""
    return [a for a in campaign.award_types if a.rules and a.submit_by and a.submit_by < day]


def offers(
    session: Session,
    actor: User,
    unit_code: str,
    campaign_code: str,
    day: date,
    shortfalls: bool = False,
) -> list[Offer]:
    """For each member of the unit, each title of the campaign the rules now let them be
    proposed for (none failing, none missing a fact); a title of the year's emulation only
    once their year is evaluated (:func:`year_end`). Titles already proposed are left out.
    With ``shortfalls``, also each title a member registered for that the rules refuse, and
    each one only the missing registration keeps from them (``qualifies`` false; ``missing``
    says whether registering now would count): the officer sees why a member is not
    offered, rather than a title silently left out."""
    unit, campaign = _unit_in_campaign(session, actor, unit_code, campaign_code, day)
    index = build_index(session, campaign.id)
    registered = nominating.registered(session, campaign.id)
    found = []
    for member in unit_members(session, unit.id, day):
        held = _registry_facts(session, member, campaign)  # once per member, not per title
        evaluated = str(campaign.year) in held["ratings"]
        key = members.nominee_key(member)
        proposed = {
            o.award for o in index.by_nominee.get(key, []) if o.year == campaign.year
            and o.state not in (State.WITHDRAWN, State.REJECTED)
        }  # fmt: skip
        for award in campaign.award_types:
            if award.nominee_kind != member.kind or not award.rules or award.code in proposed:
                continue
            if year_end(award) and not evaluated:
                continue  # its rules may read nothing of the year (Giấy khen): not before
            pledge = _pledge(registered, member, award.code)
            pledged = pledge["registered"]
            facts = held | pledge
            probe = Probe(0, State.DRAFT.value, unit.id, key, facts, unit.id, None)
            results = evaluate_all(award.rules, context_for(probe, award, campaign, index, day))
            if _qualifies(results):
                found.append(Offer(member, award, results))
            elif shortfalls:
                missing = _alone_refusing(results)
                if missing == "registration" and day > registration_by(campaign):
                    late = Probe(0, State.DRAFT.value, unit.id, key,
                                 held | {"registered": True, "registered_late": True}, unit.id,
                                 None)  # fmt: skip
                    ctx = context_for(late, award, campaign, index, day)
                    if not _qualifies(evaluate_all(award.rules, ctx)):
                        missing = "registration_closed"  # a late one would not count
                if pledged or missing:
                    found.append(Offer(member, award, results, qualifies=False, missing=missing))
    return found


def propose(
    session: Session,
    actor: User,
    unit_code: str,
    campaign_code: str,
    picks: list[tuple[int, str]],
    now: datetime | None = None,
) -> list[Outcome]:
    """Drafts for the chosen (member, title) pairs, their facts read from the registry; a pair
    ticked twice is one draft, and a member already proposed for the title is refused."""
    now = now or utcnow()
    today = vn_date(now)
    with transaction(session):
        unit = unit_by_code(session, unit_code)
        campaign = campaign_by_code(session, campaign_code)
        registered = nominating.registered(session, campaign.id)
        chosen = [
            (members.visible(session, actor, member_id, today), _award(campaign, award_code))
            for member_id, award_code in dict.fromkeys(picks)
        ]
        proposed = imports.existing_nominations(
            session, campaign.id, [members.nominee_key(member) for member, _ in chosen]
        )
        specs = []
        for member, award in chosen:
            members.require_write(actor, members.current_unit(member, today), today)
            held = proposed.get((members.nominee_key(member), award.code))
            if held is not None:
                raise InvalidInput(
                    f"{member.full_name} đã được đề nghị {award.title} (hồ sơ số {held}).",
                    f"{member.full_name} is already proposed for {award.title} (no. {held}).",
                    {"pick": "already_nominated"},
                )
            specs.append(
                NewNomination(
                    award.code,
                    member.kind,
                    member.full_name,
                    {"key": member.code, "position": member.position},
                    _registry_facts(session, member, campaign)
                    | _pledge(registered, member, award.code),
                )
            )
        return nominating.create_nominations(
            session, actor, campaign=campaign.code, specs=specs, unit_code=unit.code, now=now
        )


# A sheet's columns as people name them, the registrations export's own among them.
CODE_COLUMNS = ("mã đoàn viên", "mã", "member code", "code")
TITLE_COLUMNS = ("danh hiệu", "mã danh hiệu", "danh hiệu đăng ký", "title")


SHEET_ERRORS_SHOWN = 50  # rows a refused sheet's message names; the rest are counted


def register_from_sheet(
    session: Session, actor: User, campaign_code: str, content: bytes, now: datetime | None = None
) -> int:
    """Registrations from Excel (columns: member code, title by its code or its name, as the
    registrations export writes them): every row checked, then all registered in one
    transaction; how many were new."""
    rows = member_import.sheet_rows(content)
    header = next(rows, None)
    if header is None:
        raise InvalidInput("Tệp không có dòng nào.", "The file is empty.")
    names = [normalize(c) if c is not None else "" for c in header]
    try:
        at_code = next(i for i, n in enumerate(names) if n in CODE_COLUMNS)
        at_award = next(i for i, n in enumerate(names) if n in TITLE_COLUMNS)
    except StopIteration:
        raise InvalidInput(
            "Dòng đầu của tệp phải có các cột: Mã đoàn viên, Danh hiệu.",
            "The first row must name the columns: member code, title.",
        ) from None
    campaign = campaign_by_code(session, campaign_code)
    titles = {a.code: a.title for a in campaign.award_types}
    picks: dict[str, list[str]] = {}
    rows_of: dict[str, int] = {}  # a member code, in small letters → the first row giving it
    typed_as: dict[str, str] = {}  # ... → as that row wrote it
    errors: list[tuple[int, str, str]] = []  # (row, Vietnamese, English)
    for number, row in enumerate(rows, start=2):
        code = member_import.cell_text(row[at_code] if at_code < len(row) else None)
        typed = member_import.cell_text(row[at_award] if at_award < len(row) else None)
        if not code and not typed:
            continue
        award = code_among(titles.items(), typed)
        if not code:
            errors.append((number, "thiếu mã đoàn viên", "no member code"))
        elif award not in titles:
            errors.append((
                number, f"không có danh hiệu '{shown(typed)}' trong đợt thi đua",
                f"the campaign has no title '{shown(typed)}'",
            ))  # fmt: skip
        else:
            picks.setdefault(award, []).append(code.lower())
            rows_of.setdefault(code.lower(), number)
            typed_as.setdefault(code.lower(), code)
    wanted = sorted(rows_of)
    by_code: dict[str, int] = {}
    # Only the actor's own register: another unit's code answered "no member id N", which
    # told that the code existed and its record's id. Codes are one whatever their capitals.
    theirs = members.visible_filter(actor, vn_date(now or utcnow()))
    for start in range(0, len(wanted), 1000):  # PostgreSQL takes at most 65,535 parameters
        chunk = wanted[start : start + 1000]
        found = session.execute(
            select(func.lower(Member.code), Member.id).where(
                func.lower(Member.code).in_(chunk), theirs
            )
        )
        by_code |= {code: member_id for code, member_id in found}
    errors += [
        (
            n,
            f"không có mã đoàn viên '{shown(typed_as[c])}' trong sổ",
            f"no member '{shown(typed_as[c])}' here",
        )
        for c, n in rows_of.items()
        if c not in by_code
    ]
    if errors:
        errors.sort()
        listed = errors[:SHEET_ERRORS_SHOWN]
        vi = "; ".join(f"dòng {n}: {said}" for n, said, _ in listed)
        en = "; ".join(f"row {n}: {said}" for n, _, said in listed)
        if len(errors) > len(listed):
            more = len(errors) - len(listed)
            vi, en = f"{vi}; và {more} dòng khác", f"{en}; and {more} more rows"
        raise InvalidInput(
            f"Tệp chưa hợp lệ, chưa ghi đăng ký nào: {vi}.",
            f"The file was not read, nothing was registered: {en}.",
            {"rows": [n for n, _, _ in errors]},
        )
    chosen = {award: [by_code[c] for c in codes] for award, codes in picks.items()}
    return len(register_all(session, actor, campaign_code, chosen, now))
