"""Making and correcting nominations: drafts created at the officer's CĐCS (one, or a whole
list in one transaction), audited edits of a draft or returned dossier, and the explicit act
that moves one onto its campaign's current version.

Each public function is one transaction (:mod:`workflow.transaction`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import changes, idempotency
from workflow.campaigns import coded_titles, known_titles, require_reach
from workflow.changes import Outcome
from workflow.clock import utcnow, vn_date
from workflow.db import Base
from workflow.errors import IllegalTransition, InvalidInput, NotAllowed
from workflow.facts import extra_facts, validate_facts
from workflow.inputs import one_line
from workflow.models import (
    AwardType,
    Campaign,
    Member,
    Nomination,
    Registration,
    RoleAssignment,
    User,
)
from workflow.permissions import EDITABLE_STATES, acting_assignment, officer_assignment
from workflow.transaction import transaction
from workflow.vocabulary import Event, NomineeKind, Role, State

EDITABLE = ("nominee_name", "nominee", "facts", "achievements")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class NewNomination:
    """One draft to create; ``origin`` is recorded in its first audit link (e.g. an import row)."""

    award_type: str
    nominee_kind: str
    nominee_name: str
    nominee: dict[str, Any]
    facts: dict[str, Any]
    achievements: str = ""
    origin: dict[str, Any] | None = None


def clean_name(text: str) -> str:
    """One spelling of a name however it was typed (:func:`workflow.inputs.one_line`)."""
    return one_line(text)


def name_problem(name: str) -> str | None:
    """Why a (cleaned) name cannot be stored, if it cannot: it goes into signed documents,
    and Word files refuse control characters."""
    if not name:
        return "required"
    if len(name) > 200:
        return "too_long"
    return "invalid_characters" if _CONTROL.search(name) else None


def nominee_key(nominee: dict[str, Any], name: str, unit_id: int) -> str:
    """The nominee's own identifier (member or citizen id) if given, else name at the unit."""
    own = str(nominee.get("key") or "").strip()
    return f"id:{own}" if own else f"u{unit_id}:{one_line(name).casefold()}"


# --- the registry's registration -----------------------------------------------------------

Pledges = dict[tuple[str, str], bool]  # (nominee key, title) registered for → made late
_BATCH = 1000  # member codes per statement, far below any database's bound parameters


def registered(session: Session, campaign_id: int, keys: Iterable[str] | None = None) -> Pledges:
    """The registrations the registry holds in the campaign, each with its late mark: for the
    members among ``keys`` (a member's nominations carry ``id:`` and their code), or every
    one (the emulation year's page, which reads them all)."""
    registrations = (
        select(Member.code, Registration.award_code, Registration.late)
        .join(Registration, Registration.member_id == Member.id)
        .where(Registration.campaign_id == campaign_id)
    )
    if keys is None:
        return {(f"id:{code}", award): late for code, award, late in session.execute(registrations)}
    codes = sorted({key[3:] for key in keys if key.startswith("id:")})
    found: Pledges = {}
    for start in range(0, len(codes), _BATCH):
        rows = session.execute(registrations.where(Member.code.in_(codes[start : start + _BATCH])))
        found.update({(f"id:{code}", award): late for code, award, late in rows})
    return found


def pledge_facts(late: bool) -> dict[str, bool]:
    """The registration facts R-REGISTERED reads of a registration: made, and whether after
    the plan's date (which counts only where the plan accepts it)."""
    return {"registered": True, "registered_late": True} if late else {"registered": True}


def with_registry(
    session: Session, nomination: Nomination, facts: dict[str, Any]
) -> dict[str, Any]:
    """``facts`` as saving them on ``nomination`` stores them (:func:`as_registered`): what
    the form's check before saving must judge too."""
    key, award = nomination.nominee_key, nomination.award_type.code
    return as_registered(facts, registered(session, nomination.campaign_id, [key]), key, award)


def registry_mark(session: Session, nomination: Nomination) -> bool | None:
    """Whether the registry holds the nominee registered late for the nomination's title
    (None: it holds no registration, and the form's declaration stands)."""
    key, award = nomination.nominee_key, nomination.award_type.code
    return registered(session, nomination.campaign_id, [key]).get((key, award))


def as_registered(
    facts: dict[str, Any], pledges: Pledges, nominee_key: str, award_code: str
) -> dict[str, Any]:
    """The facts with the registry's word on the registration, where it has one: a form, a
    list or an API call cannot make a registration the registry marks late one made in
    time. Where it has none (registered on paper, a nominee not in the registry) the
    declaration stands, for the reviewers to check."""
    late = pledges.get((nominee_key, award_code))
    if late is None:
        return facts
    kept = {k: v for k, v in facts.items() if k not in ("registered", "registered_late")}
    return kept | pledge_facts(late)


# --- creation ------------------------------------------------------------------------------


def create_nomination(
    session: Session,
    actor: User,
    *,
    campaign: str,
    award_type: str,
    nominee_kind: str,
    nominee_name: str,
    nominee: dict[str, Any] | None = None,
    facts: dict[str, Any] | None = None,
    achievements: str = "",
    unit_code: str | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Outcome:
    """A new draft at the officer's CĐCS; its creation is the first link of its trail."""
    spec = NewNomination(
        award_type, nominee_kind, nominee_name, nominee or {}, facts or {}, achievements
    )
    return create_nominations(
        session,
        actor,
        campaign=campaign,
        specs=[spec],
        unit_code=unit_code,
        idempotency_key=idempotency_key,
        now=now,
    )[0]


def create_nominations(
    session: Session,
    actor: User,
    *,
    campaign: str,
    specs: list[NewNomination],
    unit_code: str | None = None,
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
    now: datetime | None = None,
) -> list[Outcome]:
    """Several drafts in one transaction: all are created, or none (a list import).

    Who proposes and what the campaign offers are resolved once, and the rows are inserted
    in one flush; only the audit links are written one by one (each hashes the previous).
    A retry with the same ``idempotency_key`` gets the first answer and creates nothing;
    ``fingerprint`` names the request when it is not these specs (an import's confirmation).
    """
    at = now or utcnow()
    request = fingerprint or idempotency.request_hash(
        {"campaign": campaign, "unit": unit_code, "specs": [asdict(s) for s in specs]}
    )
    return idempotency.once(
        session,
        actor,
        idempotency_key,
        request,
        lambda: _create(session, actor, campaign, specs, unit_code, idempotency_key, request, at),
        lambda first: [Outcome(**o) for o in first["outcomes"]],
    )


def _create(
    session: Session,
    actor: User,
    campaign: str,
    specs: list[NewNomination],
    unit_code: str | None,
    idempotency_key: str | None,
    fingerprint: str,
    now: datetime,
) -> list[Outcome]:
    if idempotency_key is not None:
        first = idempotency.replayed(session, actor, idempotency_key, fingerprint)
        if first is not None:
            return [Outcome(**o) for o in first["outcomes"]]
    assignment = officer_assignment(session, actor, unit_code, vn_date(now))
    launched = session.scalar(select(Campaign).where(Campaign.code == campaign))
    if launched is None:
        raise InvalidInput(
            f"Không có đợt thi đua «{campaign}».",
            f"No campaign «{campaign}».",
            {"campaign": "unknown"},
        )
    require_reach(session, launched, assignment.unit)
    offered = _offered(session, campaign)
    titles = known_titles(session)
    nominations = [
        _new_nomination(actor, assignment, campaign, offered, titles, spec, now) for spec in specs
    ]
    pledges = registered(session, launched.id, [n.nominee_key for n in nominations])
    for spec, nomination in zip(specs, nominations, strict=True):
        key, award = nomination.nominee_key, spec.award_type
        nomination.facts = as_registered(nomination.facts, pledges, key, award)
    session.add_all(nominations)
    session.flush()
    outcomes = []
    for spec, nomination in zip(specs, nominations, strict=True):
        data = {
            "award_type": spec.award_type,
            "campaign": campaign,
            "nominee_kind": spec.nominee_kind,
            "nominee_name": spec.nominee_name,
        } | ({"origin": spec.origin} if spec.origin else {})
        outcomes.append(
            changes.record(
                session,
                nomination,
                actor,
                assignment,
                Event.CREATE,
                (None, None),
                assignment.unit.code,
                now,
                None,
                data,
            )
        )
    if idempotency_key is not None:
        answer = {"outcomes": [o.as_dict() for o in outcomes]}
        idempotency.remember(session, actor, idempotency_key, fingerprint, answer, now)
    return outcomes


def _offered(session: Session, campaign_code: str) -> dict[str, AwardType]:
    return {
        atype.code: atype
        for atype in session.scalars(
            select(AwardType)
            .join(Campaign)
            .where(Campaign.code == campaign_code, AwardType.campaign_version == Campaign.version)
        )
    }


def _new_nomination(
    actor: User,
    assignment: RoleAssignment,
    campaign_code: str,
    offered: dict[str, AwardType],
    titles: list[tuple[str, str]],
    spec: NewNomination,
    now: datetime,
) -> Nomination:
    atype = offered.get(spec.award_type)
    if atype is None:
        raise InvalidInput(
            f"Đợt thi đua '{campaign_code}' không có hình thức khen thưởng '{spec.award_type}'.",
            f"Campaign '{campaign_code}' offers no award type '{spec.award_type}'.",
            {"award_type": "unknown"},
        )
    errors: dict[str, str] = {}
    why_vi, why_en = [], []
    if spec.nominee_kind not in {k.value for k in NomineeKind}:
        errors["nominee.kind"] = "invalid"
        why_vi.append("phải là cá nhân hoặc tập thể")
        why_en.append("it must be an individual or a collective")
    elif spec.nominee_kind != atype.nominee_kind:
        errors["nominee.kind"] = f"award_type_needs_{atype.nominee_kind}"
        wanted = NomineeKind(atype.nominee_kind)
        why_vi.append(f"{atype.title} chỉ dành cho {wanted.label('vi').lower()}")
        why_en.append(f"{atype.title} is for {wanted.label('en').lower()}s only")
    name = clean_name(spec.nominee_name)
    if problem := name_problem(name):
        errors["nominee.name"] = problem
        why_vi.append("tên chưa hợp lệ")
        why_en.append("the name is not valid")
    if errors:
        raise InvalidInput(
            f"Thông tin người/tập thể được đề nghị chưa hợp lệ: {'; '.join(why_vi)}.",
            f"The nominee's details are invalid: {'; '.join(why_en)}.",
            errors,
        )
    return Nomination(
        campaign_id=atype.campaign_id,
        award_type_id=atype.id,
        origin_unit_id=assignment.unit_id,
        current_unit_id=assignment.unit_id,
        state=State.DRAFT.value,
        nominee_kind=spec.nominee_kind,
        nominee_name=name,
        nominee_key=nominee_key(spec.nominee, name, assignment.unit_id),
        nominee=spec.nominee,
        facts=coded_titles(validate_facts(spec.facts, extra_facts(atype.campaign)), titles),
        achievements=spec.achievements,
        version=1,
        due_on=atype.submit_by,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )


# --- editing -------------------------------------------------------------------------------


def update_nomination(
    session: Session,
    nomination_id: int,
    actor: User,
    *,
    expected_version: int,
    changes: dict[str, Any],
    now: datetime | None = None,
) -> Outcome:
    """The origin's officer corrects a draft or a returned nomination (an audited edit)."""
    with transaction(session):
        return _edit(session, nomination_id, actor, expected_version, changes, now or utcnow())


def record_edit(
    session: Session,
    nomination_id: int,
    actor: User,
    *,
    expected_version: int,
    data: dict[str, Any],
    also: tuple[Base, ...] = (),
    removed: tuple[str, ...] = (),
    now: datetime | None = None,
) -> Outcome:
    """An audited change to the dossier made alongside (a file added or removed), same rules
    as an edit.

    Commits what the caller added in this transaction (``also``, vouched for by the same
    link) with the audit link, or nothing.
    """
    with transaction(session):
        return _edit(
            session, nomination_id, actor, expected_version, {}, now or utcnow(), data, also,
            removed=removed,
        )  # fmt: skip


def adopt_current_version(
    session: Session,
    nomination_id: int,
    actor: User,
    *,
    expected_version: int,
    now: datetime | None = None,
) -> Outcome:
    """Move a draft or returned nomination to its campaign's current version (same award
    code): the explicit, audited act by which the officer accepts the changed rules. Nothing
    else moves a nomination off the version it was made under."""
    now = now or utcnow()
    with transaction(session):
        nomination = changes.load_for_update(session, nomination_id, actor, vn_date(now))
        current = session.scalar(
            select(AwardType)
            .join(Campaign, Campaign.id == AwardType.campaign_id)
            .where(
                AwardType.campaign_id == nomination.campaign_id,
                AwardType.campaign_version == Campaign.version,
                AwardType.code == nomination.award_type.code,
            )
        )
        if current is None or current.id == nomination.award_type_id:
            raise InvalidInput(
                "Hồ sơ đã theo phiên bản hiện hành của đợt thi đua (hoặc phiên bản mới không "
                "còn hình thức khen thưởng này).",
                "The nomination already follows the campaign's current version (or the new "
                "version no longer offers its award).",
                {"award_type": "no_newer_version"},
            )
        data = {"campaign_version": current.campaign_version, "award_type_id": current.id}
        return _edit(
            session,
            nomination_id,
            actor,
            expected_version,
            {"award_type_id": current.id},
            now,
            data,
            editable=("award_type_id",),
        )


def _edit(
    session: Session,
    nomination_id: int,
    actor: User,
    expected_version: int,
    edits: dict[str, Any],
    now: datetime,
    data: dict[str, Any] | None = None,
    also: tuple[Base, ...] = (),
    editable: tuple[str, ...] = EDITABLE,
    removed: tuple[str, ...] = (),
) -> Outcome:
    today = vn_date(now)
    nomination = changes.load_for_update(session, nomination_id, actor, today)
    changes.check_version(nomination, expected_version)
    if nomination.state not in EDITABLE_STATES:
        state = State(nomination.state)
        raise IllegalTransition(
            f"Chỉ sửa được hồ sơ nháp hoặc bị trả lại; hồ sơ này đang «{state.vi}».",
            f"Only a draft or returned nomination can be edited; this one is '{state.en}'.",
            {"state": state.value},
        )
    assignment = acting_assignment(actor, Role.OFFICER, nomination.origin_unit_id, today)
    if assignment is None:
        raise NotAllowed(
            "Chỉ cán bộ công đoàn cơ sở đề nghị mới sửa được hồ sơ.",
            "Only an officer of the proposing CĐCS may edit the nomination.",
            {"required_role": Role.OFFICER.value},
        )
    unknown = sorted(set(edits) - set(editable))
    if unknown:
        raise InvalidInput(
            f"Không sửa được các trường: {', '.join(unknown)}.",
            f"These fields cannot be edited: {', '.join(unknown)}.",
            dict.fromkeys(unknown, "not_editable"),
        )
    if "facts" in edits:
        extra = extra_facts(nomination.campaign)
        facts = coded_titles(validate_facts(edits["facts"], extra), known_titles(session))
        edits = {**edits, "facts": with_registry(session, nomination, facts)}
    if "nominee_name" in edits:
        name = clean_name(str(edits["nominee_name"]))
        if problem := name_problem(name):
            raise InvalidInput(
                "Tên người/tập thể được đề nghị không hợp lệ.",
                "The nominee's name is invalid.",
                {"nominee_name": problem},
            )
        edits = {**edits, "nominee_name": name}
    changed = _changed(nomination, edits)
    for field, value in edits.items():
        setattr(nomination, field, value)
    nomination.nominee_key = nominee_key(
        nomination.nominee or {}, nomination.nominee_name, nomination.origin_unit_id
    )
    nomination.version += 1
    nomination.updated_at = now
    session.flush()
    if "award_type_id" in edits:
        session.expire(nomination, ["award_type"])  # now the current version's award
    code = (
        nomination.origin_unit.code
        if nomination.current_unit_id == nomination.origin_unit_id
        else ""
    )
    return changes.record(
        session,
        nomination,
        actor,
        assignment,
        Event.EDIT,
        (nomination.state, code),
        code,
        now,
        None,
        data or {"fields": sorted(edits), "changes": changed},
        also,
        removed,
    )


def _changed(nomination: Nomination, edits: dict[str, Any]) -> dict[str, Any]:
    """What an edit changes, as the trail keeps it for the reviewer who returned it: each
    field's value before and after; facts and nominee details key by key."""
    out: dict[str, Any] = {}
    for field, new in edits.items():
        old = getattr(nomination, field)
        if isinstance(old, dict) and isinstance(new, dict):
            keys = sorted(k for k in {*old, *new} if old.get(k) != new.get(k))
            if keys:
                out[field] = {k: {"from": old.get(k), "to": new.get(k)} for k in keys}
        elif old != new and field != "award_type_id":
            out[field] = {"from": old, "to": new}
    return out
