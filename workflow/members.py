"""The registry of members and collectives: who they are, where they belong, each year's
evaluation, and their titles over the years.

Personal data (Decree 13/2023/NĐ-CP) is seen only inside the subtree of the units a member
belonged to: a unit's officers and every tier above it, and auditors there. A member who
moves keeps one identity and one history; the new unit sees all of it, the old unit keeps
seeing what it recorded but nothing recorded after the move.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from rules import words
from workflow import audit, personal
from workflow.accounts import active_assignments, require_open, unit_by_code, unit_typed
from workflow.campaigns import title_code
from workflow.clock import EARLIEST_DAY, check_days, utcnow, vn_date
from workflow.errors import InvalidInput, NotAllowed, NotFound
from workflow.folding import fold
from workflow.inputs import Problems, clean_line
from workflow.models import (
    AwardType,
    Campaign,
    Decision,
    DeclaredTitle,
    Member,
    Membership,
    MemberYear,
    Nomination,
    Registration,
    Unit,
    User,
)
from workflow.transaction import checked_again_on_conflict, transaction
from workflow.vocabulary import MAX_BENEFIT_VND, Level, NomineeKind, Role, State

WRITERS = frozenset({Role.OFFICER, Role.ADMIN})  # at the member's unit / above it


def _paths(actor: User, day: date) -> list[str]:
    return [a.unit.path for a in active_assignments(actor, day)]


def _inside(unit: Unit, paths: list[str]) -> bool:
    return any(unit.path.startswith(p) for p in paths)


def visible_filter(actor: User, day: date) -> Any:
    """Members with a membership (now or before) in a unit the actor holds a role at or above."""
    paths = _paths(actor, day)
    if not paths:
        return Member.id.is_(None)
    unit = aliased(Unit)
    held = (
        select(Membership.member_id)
        .join(unit, unit.id == Membership.unit_id)
        .where(or_(*(unit.path.startswith(p, autoescape=True) for p in paths)))
    )
    return and_(Member.merged_into_id.is_(None), Member.id.in_(held))


def visible(session: Session, actor: User, member_id: int, day: date) -> Member:
    """The member if the actor may see them; "not found" otherwise (existence is not told)."""
    member = session.scalar(
        select(Member)
        .where(Member.id == member_id, visible_filter(actor, day))
        .options(selectinload(Member.memberships).selectinload(Membership.unit))
    )
    if member is None:
        raise NotFound(f"Không có người/tập thể số {member_id}.", f"No member {member_id}.")
    return member


def merged_into(session: Session, actor: User, member_id: int, day: date) -> Member | None:
    """The record a merged one became, if the actor may see it: links to the old record
    (a bookmark, an export) lead there instead of to "not found"."""
    kept_id = session.scalar(select(Member.merged_into_id).where(Member.id == member_id))
    if kept_id is None:
        return None
    try:
        return visible(session, actor, kept_id, day)
    except NotFound:
        return None


def current_unit(member: Member, day: date) -> Unit | None:
    for m in member.memberships:
        if m.valid_from <= day and (m.valid_to is None or day <= m.valid_to):
            return m.unit
    return None


def may_write(actor: User, unit: Unit, day: date) -> bool:
    """The unit's own officer, or an administrator above it."""
    for a in active_assignments(actor, day):
        if a.role == Role.OFFICER and a.unit_id == unit.id:
            return True
        if a.role == Role.ADMIN and unit.path.startswith(a.unit.path):
            return True
    return False


def require_grassroots(unit: Unit) -> None:
    """Members belong to a grassroots union: one moved up to the federation could no longer be
    registered or proposed by any officer."""
    if unit.level != Level.CDCS:
        raise InvalidInput(
            f"{unit.name} không phải công đoàn cơ sở: đoàn viên, tập thể chỉ thuộc một công đoàn "
            "cơ sở.",
            f"{unit.name} is not a grassroots union: members and collectives belong to one.",
            {"unit": "not_grassroots"},
        )


def require_write(actor: User, unit: Unit | None, day: date) -> Unit:
    if unit is None or not may_write(actor, unit, day):
        raise NotAllowed(
            "Chỉ cán bộ công đoàn của đơn vị (hoặc quản trị viên cấp trên) được ghi sổ này.",
            "Only the unit's officer (or an administrator above it) may record this.",
            {"required_role": sorted(r.value for r in WRITERS)},
        )
    return unit


@dataclass(frozen=True)
class NewMember:
    code: str
    full_name: str
    kind: str = NomineeKind.INDIVIDUAL.value
    birth_date: date | None = None
    gender: str | None = None
    position: str = ""
    cccd: str | None = None


def check_dates(birth_date: date | None, joined_on: date | None, today: date) -> None:
    """A birth and a joining that happened: from 1900 to today (a date far off would hide the
    member from every year's page, their own officer's included), the joining after the
    birth."""
    wrong = {
        name: "out_of_range"
        for name, day in (("birth_date", birth_date), ("joined_on", joined_on))
        if day is not None and not EARLIEST_DAY <= day <= today
    }
    if wrong:
        labels = {"birth_date": ("Ngày sinh", "The birth date"),
                  "joined_on": ("«Sinh hoạt tại đơn vị từ ngày»", "«Member of the unit since»")}  # fmt: skip
        raise InvalidInput(
            ", ".join(labels[name][0] for name in wrong)
            + f" phải từ 01/01/1900 đến hôm nay ({today:%d/%m/%Y}).",
            " and ".join(labels[name][1] for name in wrong)
            + f" must be from 01/01/1900 to today ({today:%d/%m/%Y}).",
            wrong,
        )
    if birth_date is not None and joined_on is not None and joined_on < birth_date:
        raise InvalidInput(
            f"«Sinh hoạt tại đơn vị từ ngày» phải sau ngày sinh ({birth_date:%d/%m/%Y}).",
            f"«Member of the unit since» must be after the birth date ({birth_date:%d/%m/%Y}).",
            {"joined_on": "before_birth"},
        )


def check_new(spec: NewMember, joined_on: date | None, today: date) -> NewMember:
    """The record as stored, or every problem it has, each named by its field's label."""
    found = Problems()
    code = found.check(
        lambda: clean_line(
            spec.code, "code", ("Mã đoàn viên / tập thể", "Member code"), 40, required=True
        )
    )
    name = found.check(
        lambda: clean_line(
            spec.full_name, "full_name", ("Họ và tên", "Full name"), 200, required=True
        )
    )
    if spec.kind not in {k.value for k in NomineeKind}:
        found.note(
            "Loại phải là cá nhân hoặc tập thể.", "Kind: individual or collective.",
            {"kind": "invalid"},
        )  # fmt: skip
    if spec.gender not in (None, "female", "male"):
        found.note("Giới tính: Nam hoặc Nữ.", "Gender: male or female.", {"gender": "invalid"})
    elif spec.gender and spec.kind == NomineeKind.COLLECTIVE.value:  # a rule for women read it
        found.note(
            "Tập thể không có giới tính: để trống ô Giới tính.",
            "A collective has no gender: leave it blank.",
            {"gender": "collective"},
        )
    position = found.check(
        lambda: clean_line(spec.position, "position", ("Chức vụ", "Position"), 200)
    )
    cccd = found.check(lambda: personal.clean_cccd(spec.cccd) if spec.cccd else None)
    if joined_on is None:
        found.note(
            "Cần nhập «Sinh hoạt tại đơn vị từ ngày».",
            "«Member of the unit since» is required.",
            {"joined_on": "required"},
        )
    found.check(lambda: check_dates(spec.birth_date, joined_on, today))
    found.raise_any()
    return NewMember(
        cast(str, code), cast(str, name), spec.kind, spec.birth_date, spec.gender,
        cast(str, position), cccd,
    )  # fmt: skip


@checked_again_on_conflict
def add_member(
    session: Session,
    actor: User,
    unit_code: str,
    spec: NewMember,
    joined_on: date | None,
    now: datetime | None = None,
    namesake_ok: bool = False,
) -> Member:
    """A member of ``unit_code`` from ``joined_on``; a code already used (in any capitals) is
    refused, and so is the unit's member of the same name and birth date, the same person
    typed twice, unless ``namesake_ok`` says it is someone else."""
    now = now or utcnow()
    with transaction(session):
        unit = require_write(actor, unit_by_code(session, unit_code), vn_date(now))
        require_open(unit)
        require_grassroots(unit)
        spec = check_new(spec, joined_on, vn_date(now))
        taken = select(Member.id).where(func.lower(Member.code) == spec.code.lower())
        if session.scalar(taken) is not None:
            raise InvalidInput(
                f"Mã '{spec.code}' đã có trong sổ.", f"Code '{spec.code}' is taken.",
                {"code": "taken"},
            )  # fmt: skip
        held = [] if namesake_ok else duplicates_of(session, spec, unit.id)
        if held:
            raise InvalidInput(
                f"Sổ đã có {held[0].full_name} (mã {held[0].code}) cùng họ tên và ngày sinh. Nếu"
                " là cùng một người, hãy mở bản ghi đó; nếu là người khác, đánh dấu «Người khác"
                " trùng họ tên và ngày sinh» rồi thêm lại.",
                f"The register holds {held[0].full_name} ({held[0].code}) with the same name and"
                " birth date. If it is the same person, open that record; if not, tick «Another"
                " person with the same name and birth date» and add again.",
                {"full_name": "likely_duplicate", "held": held[0].code},
            )
        member = Member(
            code=spec.code, kind=spec.kind, full_name=spec.full_name, birth_date=spec.birth_date,
            gender=spec.gender, position=spec.position,
            cccd_sealed=personal.seal(spec.cccd) if spec.cccd else None,
            cccd_last=spec.cccd[-4:] if spec.cccd else None,
        )  # fmt: skip
        session.add(member)
        session.flush()
        joined = Membership(
            member_id=member.id, unit_id=unit.id, valid_from=cast(date, joined_on)
        )  # a day: check_new refused none
        session.add(joined)
        audit.record_change(session, "member_added", actor.username, now, member, joined)
        return member


def move(
    session: Session,
    actor: User,
    member_id: int,
    to_unit_code: str,
    on: date,
    now: datetime | None = None,
) -> Member:
    """The member belongs to ``to_unit_code`` from ``on`` (the last membership ends the day
    before). Done by the unit they leave or an administrator above both."""
    now = now or utcnow()
    today = vn_date(now)
    with transaction(session):
        check_days(on=on)
        if on > today:  # else the lists showed the new unit, the member's page the old one
            raise InvalidInput(
                "Ngày chuyển không được sau hôm nay; ghi việc chuyển khi nó đã diễn ra.",
                "The move cannot be dated after today; record it once it has happened.",
                {"on": "future"},
            )
        member = visible(session, actor, member_id, today)
        leaving = current_unit(member, on)
        if leaving is None and current_unit(member, today) is not None:
            raise InvalidInput(  # not "only the unit's officer…", said to that officer
                f"Ngày {on:%d/%m/%Y} đoàn viên chưa thuộc đơn vị nào: ngày chuyển phải sau ngày"
                " vào đơn vị hiện tại.",
                f"On {on:%d/%m/%Y} the member belonged to no unit: the move must come after the"
                " current membership began.",
                {"on": "before_membership"},
            )
        require_write(actor, leaving, today)
        target = unit_typed(session, to_unit_code)
        require_open(target)
        require_grassroots(target)
        if leaving is not None and target.id == leaving.id:
            raise InvalidInput("Đã thuộc đơn vị này.", "Already a member there.", {"to": "same"})
        ended = [m for m in member.memberships if m.valid_to is None or m.valid_to >= on]
        corrected = None
        for m in ended:
            if m.valid_from > on:
                raise InvalidInput(
                    "Ngày chuyển phải sau ngày vào đơn vị hiện tại.",
                    "The move must come after the current membership began.",
                    {"on": "before_membership"},
                )
            if m.valid_from == on:  # joined there that very day: a unit mistaken, not left
                m.unit_id, corrected = target.id, m
            else:
                m.valid_to = on - timedelta(days=1)
        joined = corrected or Membership(member_id=member.id, unit_id=target.id, valid_from=on)
        session.add(joined)
        kept = [m for m in ended if m is not corrected]
        audit.record_change(session, "member_moved", actor.username, now, *kept, joined)
        session.expire(member, ["memberships"])
        return member


def record_year(
    session: Session,
    actor: User,
    member_id: int,
    year: int,
    values: dict[str, Any],
    now: datetime | None = None,
) -> MemberYear:
    """The year's evaluation of a member, by the unit they belong to at the end of that year
    (or today, for the current year); recording again replaces that unit's entry."""
    now = now or utcnow()
    today = vn_date(now)
    with transaction(session):
        if not EARLIEST_DAY.year <= year <= today.year:  # 2099 made a year counted by 2026's rules
            raise InvalidInput(
                f"Năm phải từ {EARLIEST_DAY.year} đến {today.year}.",
                f"The year must be from {EARLIEST_DAY.year} to {today.year}.",
                {"year": "out_of_range"},
            )
        member = visible(session, actor, member_id, today)
        unit = require_write(actor, current_unit(member, min(today, date(year, 12, 31))), today)
        clean = check_year(values)
        row = session.scalar(
            select(MemberYear).where(MemberYear.member_id == member.id, MemberYear.year == year)
        )
        if row is None:
            row = MemberYear(member_id=member.id, year=year, unit_id=unit.id, initiatives=[])
            session.add(row)
        elif row.unit_id != unit.id:
            raise NotAllowed(
                f"Năm {year} đã do đơn vị khác đánh giá.",
                f"Another unit evaluated {year}.",
                {"year": "other_unit"},
            )
        for name, value in clean.items():
            setattr(row, name, value)
        session.flush()
        audit.record_change(session, "member_year", actor.username, now, row)
        return row


def check_year(values: dict[str, Any]) -> dict[str, Any]:
    """The values given of a year's evaluation, as stored (those not given are left as they
    were); each wrong value named by the form's label."""
    errors: dict[str, str] = {}
    rating = values.get("rating") or None
    if rating is not None and rating not in words.RATINGS:
        errors["rating"] = "unknown"
    discipline = values.get("discipline") or None
    if discipline is not None and discipline not in words.DISCIPLINE:
        errors["discipline"] = "unknown"
    counts: dict[str, int | None] = {}
    for name, top in (("absent_days", 366), ("months_employed", 12)):
        value = values.get(name)
        if value in (None, ""):
            counts[name] = None
        elif isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= top:
            counts[name] = value
        else:
            errors[name] = f"0..{top}"
    initiatives = values.get("initiatives") or []
    if not isinstance(initiatives, list) or any(
        not isinstance(i, dict)
        or not str(i.get("title", "")).strip()
        or i.get("scope") not in words.SCOPES
        or not _benefit_ok(i.get("benefit_vnd"))
        for i in initiatives
    ):
        errors["initiatives"] = "invalid"
    if errors:
        labels = {"rating": ("Xếp loại", "rating"), "discipline": ("Kỷ luật", "discipline"),
                  "absent_days": ("Số ngày nghỉ (từ 0 đến 366)", "days of absence (0 to 366)"),
                  "months_employed": ("Số tháng công tác (từ 0 đến 12)", "months worked (0 to 12)"),
                  "initiatives": ("Sáng kiến", "initiatives")}  # fmt: skip
        raise InvalidInput(
            "Đánh giá năm chưa hợp lệ: " + ", ".join(labels[k][0] for k in errors) + ".",
            "The year's evaluation is invalid: " + ", ".join(labels[k][1] for k in errors) + ".",
            errors,
        )
    clean = {"rating": rating, "discipline": discipline, **counts, "initiatives": [
        {"title": str(i["title"]).strip()[:300], "scope": i["scope"],
         "benefit_vnd": int(i.get("benefit_vnd") or 0),
         "recognized_by": str(i.get("recognized_by") or "").strip()[:300]}
        for i in initiatives
    ]}  # fmt: skip
    return {name: value for name, value in clean.items() if name in values}


def _benefit_ok(value: Any) -> bool:
    """An initiative's benefit: none, or whole đồng from 0 to MAX_BENEFIT_VND."""
    return value in (None, "") or (
        isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_BENEFIT_VND
    )


def years_of(session: Session, actor: User, member: Member, day: date) -> list[MemberYear]:
    """The evaluations the actor may read: all of them for the member's current unit and the
    tiers above it; only its own for a unit the member has left."""
    rows = list(
        session.scalars(
            select(MemberYear).where(MemberYear.member_id == member.id).order_by(MemberYear.year)
        )
    )
    paths = _paths(actor, day)
    now_at = current_unit(member, day)
    if now_at is not None and _inside(now_at, paths):
        return rows
    units = {
        u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_({r.unit_id for r in rows})))
    }
    return [r for r in rows if _inside(units[r.unit_id], paths)]


def facts_of(
    years: list[MemberYear], gender: str | None, declared: list[DeclaredTitle] | None = None
) -> dict[str, Any]:
    """What the rules read from the registry: every year's rating, initiatives, discipline;
    gender; titles declared from outside the system (which the rules mark as declared).
    Titles granted here are found by the member's code; nominations add what is their own."""
    facts: dict[str, Any] = {
        "ratings": {str(y.year): y.rating for y in years if y.rating},
        "initiatives": [i | {"year": y.year} for y in years for i in y.initiatives],
        "discipline": [{"year": y.year, "level": y.discipline} for y in years if y.discipline],
    }
    if declared:
        facts["prior_titles"] = [{"award_type": d.award_code, "year": d.year} for d in declared]
    if gender:
        facts["gender"] = gender
    return facts


def year_facts(years: list[MemberYear], year: int) -> dict[str, Any]:
    """The campaign year's own counts (absences, months worked), when recorded."""
    row = next((y for y in years if y.year == year), None)
    if row is None:
        return {}
    return {
        k: v
        for k, v in (("absent_days", row.absent_days), ("months_employed", row.months_employed))
        if v is not None
    }


@dataclass(frozen=True)
class Title:
    year: int
    award_title: str
    decision_number: str | None
    signed_on: date | None
    unit_name: str
    revoked: bool
    declared: bool = False  # received outside the system, declared with its decision


def titles(session: Session, member: Member) -> list[Title]:
    """Every title and award: granted in this system, and declared (marked), oldest first."""
    granted = _granted(session, member)
    declared = [
        Title(d.year, d.award_title, d.decision, None, "", False, True)
        for d in session.scalars(select(DeclaredTitle).where(DeclaredTitle.member_id == member.id))
    ]
    return sorted(granted + declared, key=lambda t: (t.year, t.declared))


def _granted(session: Session, member: Member) -> list[Title]:
    rows = session.execute(
        select(
            Campaign.year,
            AwardType.title,
            Decision.number,
            Decision.signed_on,
            Unit.name,
            Nomination.state,
        )
        .join(AwardType, AwardType.id == Nomination.award_type_id)
        .join(Campaign, Campaign.id == Nomination.campaign_id)
        .join(Decision, Decision.id == Nomination.decision_id)
        .join(Unit, Unit.id == Decision.unit_id)
        .where(
            Nomination.nominee_key == nominee_key(member),
            Nomination.state.in_([State.AWARDED.value, State.REVOKED.value]),
        )
        .order_by(Campaign.year, Decision.signed_on)
    )
    return [Title(y, t, num, on, u, state == State.REVOKED) for y, t, num, on, u, state in rows]


def nominee_key(member: Member) -> str:
    """The key nominations of this member carry (workflow.nominating.nominee_key): the
    member code, so titles granted in any unit and year are found again."""
    return f"id:{member.code}"


def duplicates_of(session: Session, spec: NewMember, unit_id: int) -> list[Member]:
    """Members of the unit with the same name (however written: NFC, NFD, with or without
    diacritics, any case) and birth date."""
    return list(
        session.scalars(
            select(Member).where(
                Member.search == fold(spec.full_name),
                Member.birth_date.is_(None)
                if spec.birth_date is None
                else Member.birth_date == spec.birth_date,
                Member.merged_into_id.is_(None),
                exists().where(Membership.member_id == Member.id, Membership.unit_id == unit_id),
            )
        )
    )


MAX_QUERY = 200  # a name or a code, as long as a member's name may be


def search(
    session: Session,
    actor: User,
    day: date,
    q: str = "",
    unit_id: int | None = None,
    limit: int = 500,
) -> list[Member]:
    """The members the actor may see, by name (diacritics, case and NFD ignored) or code."""
    if len(q) > MAX_QUERY:  # SQLite refuses a LIKE pattern over 50,000 bytes with an error
        raise InvalidInput(
            f"Từ khóa tìm kiếm quá dài (tối đa {MAX_QUERY} ký tự).",
            f"The search text is too long ({MAX_QUERY} characters at most).",
            {"q": "too_long"},
        )
    query = select(Member).where(visible_filter(actor, day))
    if q.strip():
        folded = fold(q)
        code = func.lower(Member.code).contains(q.strip().lower(), autoescape=True)
        query = query.where(or_(Member.search.contains(folded, autoescape=True), code))
    if unit_id is not None:
        query = query.where(
            exists().where(
                Membership.member_id == Member.id,
                Membership.unit_id == unit_id,
                Membership.valid_to.is_(None),
            )
        )
    return list(session.scalars(query.order_by(Member.search, Member.id).limit(limit)))


def exported(
    session: Session,
    actor: User,
    day: date,
    q: str = "",
    now: datetime | None = None,
    limit: int = 1_000_000,
) -> list[Member]:
    """The members an export carries; personal data leaving the system is a link in the
    trail (who, when, how many, which search). The count recorded is the count handed out."""
    with transaction(session):
        found = search(session, actor, day, q, limit=limit)
        note_export(session, actor, "members", len(found), q, now)
        return found


def note_export(
    session: Session, actor: User, what: str, count: int, query: str, now: datetime | None = None
) -> None:
    """Personal data leaving the system (Decree 13/2023): who took what, when, how much. An
    export that carried nobody lets nothing leave, and adds no link (any signed-in account
    could otherwise lengthen the trail at will)."""
    if count == 0:
        return
    with transaction(session):
        audit.append(session, None, now or utcnow(), {
            "change": "personal_data_export", "actor": actor.username, "what": what,
            "count": count, "query": query,
        })  # fmt: skip


def years_in(session: Session, member_ids: Sequence[int], year: int) -> list[MemberYear]:
    """The year's evaluations of these members (a unit's people today), whichever unit
    recorded them: a member who moved after the year-end review brings it along."""
    found: list[MemberYear] = []
    for start in range(0, len(member_ids), 1000):  # PostgreSQL takes 65,535 parameters at most
        chunk = member_ids[start : start + 1000]
        found += session.scalars(
            select(MemberYear).where(MemberYear.member_id.in_(chunk), MemberYear.year == year)
        )
    return found


def record_years(
    session: Session,
    actor: User,
    year: int,
    rows: dict[int, dict[str, Any]],
    now: datetime | None = None,
) -> None:
    """A unit's evaluation table for a year: every row saved, or none; every wrong row is
    named by the member's name (the first alone left the officer fixing one at a time)."""
    now = now or utcnow()
    with transaction(session):
        wrong: list[tuple[int, InvalidInput]] = []
        for member_id, values in rows.items():
            try:
                record_year(session, actor, member_id, year, values, now)
            except InvalidInput as err:
                wrong.append((member_id, err))
        if wrong:
            names = {mid: session.get_one(Member, mid).full_name for mid, _ in wrong}
            raise InvalidInput(
                "\n".join(f"{names[mid]}: {err.message_vi}" for mid, err in wrong),
                "\n".join(f"{names[mid]}: {err.message_en}" for mid, err in wrong),
                {str(mid): err.details for mid, err in wrong},
            )


def cccd_shown(actor: User, member: Member, day: date) -> str:
    """The CCCD whole to the officer of the member's own unit, masked to everyone else."""
    if member.cccd_sealed is None:
        return ""
    unit = current_unit(member, day)
    officer = unit is not None and any(
        a.role == Role.OFFICER and a.unit_id == unit.id for a in active_assignments(actor, day)
    )
    if officer:
        return personal.unseal(member.cccd_sealed) or personal.masked(member.cccd_last)
    return personal.masked(member.cccd_last)


def declare_title(
    session: Session,
    actor: User,
    member_id: int,
    *,
    award_code: str,
    award_title: str,
    year: int,
    decision: str,
    proof_sha256: str | None = None,
    now: datetime | None = None,
) -> DeclaredTitle:
    """A title received outside the system, with its decision (and a scan, if stored)."""
    now = now or utcnow()
    today = vn_date(now)
    with transaction(session):
        member = visible(session, actor, member_id, today)
        require_write(actor, current_unit(member, today), today)
        code = title_code(
            session,
            clean_line(
                award_code, "award_code", ("Mã danh hiệu", "Title code"), 300, required=True
            ),
        )
        if len(code) > 60:
            raise InvalidInput(
                "Mã danh hiệu quá dài (tối đa 60 ký tự); hãy chọn danh hiệu trong danh sách.",
                "The title code is too long (60 characters at most); pick one from the list.",
                {"award_code": "too_long"},
            )
        title = clean_line(
            award_title, "award_title", ("Tên danh hiệu", "Title"), 300, required=True
        )
        ref = clean_line(
            decision, "decision", ("Số, ngày quyết định", "Decision"), 200, required=True
        )
        if not 1975 <= year <= today.year:
            raise InvalidInput(
                f"Năm của danh hiệu phải từ 1975 đến {today.year}.",
                f"The title's year must be from 1975 to {today.year}.",
                {"year": "out_of_range"},
            )
        taken = session.scalar(
            select(DeclaredTitle.id).where(
                DeclaredTitle.member_id == member.id,
                DeclaredTitle.award_code == code,
                DeclaredTitle.year == year,
            )
        )
        if taken is not None:
            raise InvalidInput(
                f"Đã khai danh hiệu này năm {year}.", f"Already declared for {year}.",
                {"year": "taken"},
            )  # fmt: skip
        row = DeclaredTitle(
            member_id=member.id, award_code=code, award_title=title, year=year, decision=ref,
            proof_sha256=proof_sha256, declared_by_id=actor.id, declared_on=today,
        )  # fmt: skip
        session.add(row)
        audit.record_change(session, "title_declared", actor.username, now, row)
        return row


def declared_of(session: Session, member_id: int) -> list[DeclaredTitle]:
    return list(
        session.scalars(
            select(DeclaredTitle)
            .where(DeclaredTitle.member_id == member_id)
            .order_by(DeclaredTitle.year)
        )
    )


def _memberships_merged(
    session: Session, keep: Member, other: Member
) -> tuple[list[Membership], tuple[str, ...]]:
    """``other``'s memberships as ``keep`` takes them: only for the days ``keep`` belonged
    nowhere (one person is in one unit at a time; two open memberships listed the person
    twice in every grid). A membership ``keep``'s cover entirely is deleted, one they cover
    in part is cut to what is left (in two, where they cover its middle). Returns the
    memberships to move and the keys of those deleted."""
    spans = [(m.valid_from, m.valid_to) for m in keep.memberships]
    moved: list[Membership] = []
    removed: list[str] = []
    for m in session.scalars(select(Membership).where(Membership.member_id == other.id)):
        parts = _uncovered(m.valid_from, m.valid_to, spans)
        if not parts:
            removed.append(f"memberships/{m.id}")
            session.delete(m)
            continue
        (m.valid_from, m.valid_to), *more = parts
        moved.append(m)
        for start, end in more:
            extra = Membership(member_id=keep.id, unit_id=m.unit_id, valid_from=start, valid_to=end)
            session.add(extra)
            moved.append(extra)
    return moved, tuple(removed)


def _uncovered(
    start: date, end: date | None, spans: list[tuple[date, date | None]]
) -> list[tuple[date, date | None]]:
    """The parts of [start, end] (None: open) that none of ``spans`` covers."""
    parts: list[tuple[date, date | None]] = [(start, end)]
    for s_from, s_to in spans:
        left: list[tuple[date, date | None]] = []
        for p_from, p_to in parts:
            if (s_to is not None and s_to < p_from) or (p_to is not None and s_from > p_to):
                left.append((p_from, p_to))  # no overlap
                continue
            if p_from < s_from:
                left.append((p_from, s_from - timedelta(days=1)))
            if s_to is not None and (p_to is None or s_to < p_to):
                left.append((s_to + timedelta(days=1), p_to))
        parts = left
    return parts


def merge(
    session: Session, actor: User, keep_id: int, other_id: int, now: datetime | None = None
) -> Member:
    """Two records of one person become one: ``other``'s units, evaluations, registrations,
    declared titles and nominations move to ``keep``, which keeps both histories; ``other``
    stays, marked as merged, so links to it still resolve."""
    now = now or utcnow()
    today = vn_date(now)
    with transaction(session):
        if keep_id == other_id:
            raise InvalidInput("Hãy chọn hai bản ghi khác nhau.", "Choose two records.")
        keep = visible(session, actor, keep_id, today)
        other = visible(session, actor, other_id, today)
        # Both records change: a unit a member has left still sees them, and must not take
        # them (with their evaluations and titles) from the unit they belong to now.
        require_write(actor, current_unit(keep, today), today)
        require_write(actor, current_unit(other, today), today)
        if keep.kind != other.kind:
            raise InvalidInput(
                "Không gộp cá nhân với tập thể.", "A person and a collective cannot merge."
            )
        kept_years = set(
            session.scalars(select(MemberYear.year).where(MemberYear.member_id == keep.id))
        )
        clash = sorted(
            y
            for y in session.scalars(
                select(MemberYear.year).where(MemberYear.member_id == other.id)
            )
            if y in kept_years
        )
        if clash:
            raise InvalidInput(
                "Cả hai bản ghi đều có kết quả bình xét năm "
                + ", ".join(map(str, clash))
                + "; hãy giữ một kết quả trước khi gộp.",
                "Both records hold an evaluation for " + ", ".join(map(str, clash)) + ".",
                {"years": clash},
            )
        memberships, removed = _memberships_merged(session, keep, other)
        moved: list[Any] = [
            *memberships,
            *session.scalars(select(MemberYear).where(MemberYear.member_id == other.id)),
            *session.scalars(select(Registration).where(Registration.member_id == other.id)),
            *session.scalars(select(DeclaredTitle).where(DeclaredTitle.member_id == other.id)),
        ]
        for row in moved:
            row.member_id = keep.id
        renamed = list(
            session.scalars(select(Nomination).where(Nomination.nominee_key == nominee_key(other)))
        )
        for n in renamed:
            n.nominee_key = nominee_key(keep)
        other.merged_into_id = keep.id
        session.flush()
        audit.record_change(session, "members_merged", actor.username, now, keep, other, *moved,
                            *renamed, removed=removed)  # fmt: skip
        session.expire(keep, ["memberships"])
        return keep
