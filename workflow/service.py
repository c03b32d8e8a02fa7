"""The workflow's one way in: every change to a nomination goes through here.

Each public function runs one database transaction that either commits everything
(the change, its audit link, the version bump, the idempotency record) or nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from workflow import audit, deadlines, eligibility, notify, numbering, records
from workflow import checks as _campaign_rules  # noqa: F401 - registers the campaign rules
from workflow.accounts import active_assignments, unit_by_code
from workflow.clock import utcnow, vn_date
from workflow.db import Base
from workflow.errors import (
    IdempotencyKeyReused,
    IllegalTransition,
    InvalidInput,
    NotAllowed,
    NotEligible,
    NotFound,
    ReasonRequired,
    StaleVersion,
    WorkflowError,
)
from workflow.facts import extra_facts, validate_facts
from workflow.machine import Step, allowed_events, run
from workflow.models import (
    AwardType,
    Campaign,
    Decision,
    IdempotencyRecord,
    Nomination,
    RoleAssignment,
    Unit,
    User,
)
from workflow.numbering import DocumentKind
from workflow.visibility import can_see
from workflow.vocabulary import (
    EVENTS_NEEDING_REASON,
    Event,
    Level,
    NomineeKind,
    RevocationGround,
    Role,
    State,
)
from workflow.votes import VoteRecord

MAX_COMMENT = 4000


@dataclass(frozen=True)
class Outcome:
    """What an event did, as returned to the caller (and replayed for a retried key)."""

    id: int
    state: str
    version: int
    current_unit: str
    seq: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _role_for(event: Event, state: str) -> Role:
    if event in (Event.SUBMIT, Event.RESUBMIT, Event.WITHDRAW):
        return Role.OFFICER
    if event in (Event.APPROVE, Event.RETURN):
        return Role.REVIEWER
    if event is Event.REJECT:
        return Role.REVIEWER if state == State.IN_REVIEW else Role.COUNCIL
    if event in (Event.VOTE, Event.OBJECT):
        return Role.COUNCIL
    return Role.DECIDER  # decide, revoke


def _acting_assignment(actor: User, role: Role, unit_id: int, day: date) -> RoleAssignment | None:
    """The assignment that lets ``actor`` act; their own role wins over a substitution."""
    matching = [
        a for a in active_assignments(actor, day) if a.role == role and a.unit_id == unit_id
    ]
    matching.sort(key=lambda a: a.acting_for_id is not None)
    return matching[0] if matching else None


def _load_for_update(session: Session, nomination_id: int, actor: User, day: date) -> Nomination:
    # One statement locks the row and brings its origin (visibility) and award type. Only
    # joins on columns that never change: PostgreSQL re-checks the join against the updated
    # row when a FOR UPDATE waited, and would drop the row if the joined key had moved.
    nomination = session.execute(
        select(Nomination)
        .options(
            joinedload(Nomination.origin_unit, innerjoin=True),
            joinedload(Nomination.award_type, innerjoin=True),
        )
        .where(Nomination.id == nomination_id)
        .with_for_update(of=Nomination),
        execution_options={"populate_existing": True},
    ).scalar_one_or_none()
    if nomination is None or not can_see(actor, nomination, day):
        raise NotFound(
            f"Không tìm thấy hồ sơ số {nomination_id}.", f"Nomination {nomination_id} not found."
        )
    return nomination


def request_hash(payload: dict[str, Any]) -> str:
    """A fingerprint of what the caller asked, whatever it contains (even invalid input)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def replayed(session: Session, actor: User, key: str, fingerprint: str) -> dict[str, Any] | None:
    """The answer first given to this key, or None if it is new; refused if the key was
    used for a different request (a client bug that must not be answered as a success)."""
    record = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == actor.id, IdempotencyRecord.key == key
        )
    )
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused(
            "Khóa chống gửi trùng này đã được dùng cho một yêu cầu khác.",
            "This idempotency key was already used for a different request.",
            {"idempotency_key": key},
        )
    return dict(record.response)


def remember(
    session: Session,
    actor: User,
    key: str,
    fingerprint: str,
    response: dict[str, Any],
    now: datetime,
) -> None:
    """Keep the answer for retries, in the same transaction as the change it describes."""
    session.add(
        IdempotencyRecord(
            user_id=actor.id, key=key, request_hash=fingerprint, response=response, created_at=now
        )
    )
    session.flush()


def _record(
    session: Session,
    nomination: Nomination,
    actor: User,
    assignment: RoleAssignment | None,
    event: Event,
    before: tuple[str | None, str | None],
    to_unit: str,
    now: datetime,
    comment: str | None,
    data: dict[str, Any],
    also: tuple[Base, ...] = (),
) -> Outcome:
    """Append the audit link describing a change already applied; say what happened.

    ``before`` is (state, unit code) before the event, (None, None) at creation. The link
    vouches for the nomination as it now is, and for ``also`` (a file added with it).
    """
    seq = audit.append(
        session,
        nomination.id,
        now,
        {
            "event": event.value,
            "actor": actor.username,
            "acting_for": assignment.acting_for.username
            if assignment and assignment.acting_for
            else None,
            "role": assignment.role if assignment else None,
            "unit": assignment.unit.code if assignment else None,
            "from_state": before[0],
            "to_state": nomination.state,
            "from_unit": before[1],
            "to_unit": to_unit,
            "to_unit_id": nomination.current_unit_id,
            "version": nomination.version,
            "comment": comment,
            "data": data,
            "records": records.digests(nomination, *also),
        },
    )
    return Outcome(nomination.id, nomination.state, nomination.version, to_unit, seq)


# Every column an event may change, written in one statement guarded by the version.
_NOMINATIONS = Base.metadata.tables["nominations"]
_MUTABLE = (
    "due_on",
    "state",
    "current_unit_id",
    "route",
    "route_codes",
    "vote",
    "notice_ends_on",
    "decision_id",
    "updated_at",
)
_UPDATE_NOMINATION = (
    update(_NOMINATIONS)
    .where(_NOMINATIONS.c.id == bindparam("b_id"), _NOMINATIONS.c.version == bindparam("b_version"))
    .values(
        {name: bindparam(f"b_{name}") for name in _MUTABLE}
        | {"version": _NOMINATIONS.c.version + 1}
    )
)


def _persist(session: Session, nomination: Nomination, changes: dict[str, Any]) -> None:
    """Write the event's changes with one UPDATE … WHERE version = seen, no unit of work.

    The ORM object is then marked as holding the committed values, so nothing is flushed
    twice; a version that moved underneath (it cannot, under the row lock) is refused.
    """
    values = {name: changes.get(name, getattr(nomination, name)) for name in _MUTABLE}
    params = {f"b_{k}": v for k, v in values.items()} | {
        "b_id": nomination.id,
        "b_version": nomination.version,
    }
    if session.connection().execute(_UPDATE_NOMINATION, params).rowcount != 1:
        raise StaleVersion(
            "Hồ sơ đã được người khác cập nhật; hãy tải lại trang và thử lại.",
            "The nomination was changed by someone else; reload and try again.",
        )
    for name, value in {**values, "version": nomination.version + 1}.items():
        set_committed_value(nomination, name, value)


def _clean_comment(comment: str | None, event: Event) -> str | None:
    text = (comment or "").strip()
    if event in EVENTS_NEEDING_REASON and not text:
        raise ReasonRequired(
            f"Thao tác '{event.vi}' cần ghi rõ lý do.",
            f"'{event.en}' needs a reason.",
            {"comment": "required"},
        )
    if len(text) > MAX_COMMENT:
        raise InvalidInput(
            f"Nội dung quá dài (tối đa {MAX_COMMENT} ký tự).",
            f"The comment is too long ({MAX_COMMENT} characters at most).",
            {"comment": "too_long"},
        )
    return text or None


def _event_data(event: Event, data: dict[str, Any], award_type: AwardType) -> dict[str, Any]:
    """Validate what an event carries besides its comment; return it for the trail."""
    allowed = {Event.VOTE: {"vote"}, Event.REVOKE: {"ground"}}.get(event, set())
    unexpected = sorted(set(data) - allowed)
    if unexpected:
        raise InvalidInput(
            f"Thao tác '{event.vi}' không nhận các trường: {', '.join(unexpected)}.",
            f"'{event.en}' does not take: {', '.join(unexpected)}.",
            dict.fromkeys(unexpected, "unexpected"),
        )
    if event is Event.VOTE:
        vote = VoteRecord.parse(data.get("vote"))
        return {"vote": vote.as_dict(), "passes": vote.passes(award_type)}
    if event is Event.REVOKE:
        try:
            ground = RevocationGround(str(data.get("ground")))
        except ValueError:
            raise InvalidInput(
                "Cần chọn một trong bốn căn cứ hủy bỏ của Luật Thi đua, khen thưởng 2022.",
                "Choose one of the four revocation grounds of the 2022 law.",
                {"ground": [g.value for g in RevocationGround]},
            ) from None
        return {"ground": ground.value}
    return {}


def compute_route(
    session: Session, origin: Unit, award_type: AwardType
) -> tuple[list[int], list[str]]:
    """Unit ids and codes from the origin's parent up to the unit that decides the award."""
    ancestors = origin.ancestor_ids[:-1]
    units = {
        unit_id: (code, level)
        for unit_id, code, level in session.execute(
            select(Unit.id, Unit.code, Unit.level).where(Unit.id.in_(ancestors))
        )
    }
    ids: list[int] = []
    for unit_id in reversed(ancestors):
        ids.append(unit_id)
        code, level = units[unit_id]
        if (award_type.decider_unit_code or None) in (None, code) and (
            award_type.decider_unit_code == code or level == award_type.decider_level
        ):
            return ids, [units[i][0] for i in ids]
    where = award_type.decider_unit_code or Level(award_type.decider_level).vi
    raise InvalidInput(
        f"Không có đơn vị quyết định ({where}) phía trên đơn vị đề nghị.",
        f"No deciding unit ({award_type.decider_unit_code or award_type.decider_level}) above "
        "the proposing unit.",
        {"award_type": "no_deciding_unit"},
    )


def _unit_code(nomination: Nomination, unit_id: int, route: list[int], codes: list[str]) -> str:
    """A unit on the nomination's path (it is always at its origin or on its route)."""
    if unit_id == nomination.origin_unit_id:
        return nomination.origin_unit.code
    return codes[route.index(unit_id)]


def _apply(
    session: Session,
    nomination: Nomination,
    event: Event,
    today: date,
    now: datetime,
    vote: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> tuple[tuple[str, str], str]:
    """Run the machine, persist the result; return (state, unit) before and the unit after."""
    changes = dict(changes or {})
    route = changes.get("route", nomination.route) or []
    codes = changes.get("route_codes", nomination.route_codes) or []
    before = (nomination.state, _unit_code(nomination, nomination.current_unit_id, route, codes))
    step = Step(
        nomination.state,
        nomination.current_unit_id,
        nomination.origin_unit_id,
        list(route or []),
        vote_passes=bool(vote and vote["passes"]),
    )
    run(step, event.value)
    changes.update(state=step.state, current_unit_id=step.unit_id, updated_at=now)
    if vote is not None:
        changes["vote"] = vote["vote"]
    changes["due_on"] = deadlines.due_after(
        nomination.award_type,
        (nomination.state, nomination.current_unit_id),
        (step.state, step.unit_id),
        nomination.due_on,
        today,
    )
    if step.state == State.ON_NOTICE:
        changes["notice_ends_on"] = today + timedelta(days=nomination.award_type.notice_days)
    elif before[0] == State.ON_NOTICE:
        changes["notice_ends_on"] = None
    to_unit = _unit_code(nomination, step.unit_id, route, codes)
    _persist(session, nomination, changes)
    session.expire(nomination, ["current_unit"])  # reloaded on use: it may have moved
    return before, to_unit


def fire(
    session: Session,
    nomination_id: int,
    event: str,
    actor: User,
    *,
    expected_version: int,
    comment: str | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    **data: Any,
) -> Outcome:
    """Apply one event: permission, eligibility, transition, audit link, version bump.

    ``expected_version`` is the version the caller last saw (optimistic locking).
    ``idempotency_key`` makes retries safe: the first answer is returned again.
    """
    now = now or utcnow()
    try:
        ev = Event(event)
    except ValueError:
        raise InvalidInput(
            f"Không có thao tác '{event}'.", f"Unknown event '{event}'.", {"event": "unknown"}
        ) from None
    if ev in (Event.CREATE, Event.EDIT, Event.DECIDE):
        raise InvalidInput(
            "Thao tác này chỉ thực hiện qua tạo hồ sơ hoặc ký quyết định.",
            "This event happens only by creating a nomination or signing a decision.",
            {"event": "not_direct"},
        )
    fingerprint = request_hash(
        {
            "id": nomination_id,
            "event": ev.value,
            "version": expected_version,
            "comment": comment,
            "data": data,
        }
    )
    try:
        outcome = _fire(
            session,
            nomination_id,
            ev,
            actor,
            expected_version,
            comment,
            idempotency_key,
            fingerprint,
            now,
            data,
        )
        session.commit()
        return outcome
    except IntegrityError:
        first = _first_answer(session, actor, idempotency_key, fingerprint)
        if first is None:
            raise
        return Outcome(**first)
    except BaseException:
        session.rollback()
        raise


def _first_answer(
    session: Session, actor: User, key: str | None, fingerprint: str
) -> dict[str, Any] | None:
    """After an IntegrityError: the answer a concurrent first use of the same key committed
    (the only collision possible on the idempotency record), or None."""
    session.rollback()
    if key is None:
        return None
    first = replayed(session, actor, key, fingerprint)
    session.rollback()
    return first


def _fire(
    session: Session,
    nomination_id: int,
    event: Event,
    actor: User,
    expected_version: int,
    comment: str | None,
    idempotency_key: str | None,
    fingerprint: str,
    now: datetime,
    data: dict[str, Any],
) -> Outcome:
    today = vn_date(now)
    # Lock first: a concurrent retry then sees the committed idempotency record below.
    nomination = _load_for_update(session, nomination_id, actor, today)
    if idempotency_key is not None:
        first = replayed(session, actor, idempotency_key, fingerprint)
        if first is not None:
            return Outcome(**first)
    if nomination.version != expected_version:
        raise StaleVersion(
            "Hồ sơ đã được người khác cập nhật; hãy tải lại trang và thử lại.",
            "The nomination was changed by someone else; reload and try again.",
            {"expected_version": expected_version, "current_version": nomination.version},
        )
    if event.value not in allowed_events(nomination.state):
        state = State(nomination.state)
        raise IllegalTransition(
            f"Không thể '{event.vi}' hồ sơ ở trạng thái '{state.vi}'.",
            f"Cannot '{event.en}' a nomination that is '{state.en}'.",
            {"state": state.value, "event": event.value},
        )
    role = _role_for(event, nomination.state)
    acting_unit = nomination.origin_unit_id if role is Role.OFFICER else nomination.current_unit_id
    assignment = _acting_assignment(actor, role, acting_unit, today)
    if assignment is None:
        raise NotAllowed(
            f"Bạn không có quyền '{event.vi}' hồ sơ này (cần vai trò '{role.vi}' tại đơn vị đang giữ hồ sơ).",
            f"You may not '{event.en}' this nomination (needs the '{role.en}' role at its unit).",
            {"required_role": role.value},
        )
    clean_comment = _clean_comment(comment, event)
    event_data = _event_data(event, data, nomination.award_type)
    problems = eligibility.blocking_problems(session, nomination, event, today)
    if problems:
        raise NotEligible(
            "Hồ sơ chưa đủ điều kiện: " + "; ".join(p.message_vi for p in problems),
            "The nomination is not eligible: " + "; ".join(p.message_en for p in problems),
            [
                {"rule": p.rule, "message_vi": p.message_vi, "message_en": p.message_en}
                for p in problems
            ],
        )
    changes: dict[str, Any] = {}
    if event is Event.SUBMIT:
        changes["route"], changes["route_codes"] = compute_route(
            session, nomination.origin_unit, nomination.award_type
        )
    before, to_unit = _apply(
        session, nomination, event, today, now, event_data if event is Event.VOTE else None, changes
    )
    outcome = _record(
        session,
        nomination,
        actor,
        assignment,
        event,
        before,
        to_unit,
        now,
        clean_comment,
        event_data,
    )
    notify.after_event(session, nomination, event, actor, now, clean_comment)
    if idempotency_key is not None:
        remember(session, actor, idempotency_key, fingerprint, outcome.as_dict(), now)
    session.flush()
    return outcome


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
    now = now or utcnow()
    fingerprint = fingerprint or request_hash(
        {"campaign": campaign, "unit": unit_code, "specs": [asdict(s) for s in specs]}
    )
    try:
        if idempotency_key is not None:
            first = replayed(session, actor, idempotency_key, fingerprint)
            if first is not None:
                session.rollback()
                return [Outcome(**o) for o in first["outcomes"]]
        assignment = officer_assignment(session, actor, unit_code, vn_date(now))
        offered = _offered(session, campaign)
        nominations = [
            _new_nomination(actor, assignment, campaign, offered, spec, now) for spec in specs
        ]
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
                _record(
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
            remember(session, actor, idempotency_key, fingerprint, answer, now)
        session.commit()
        return outcomes
    except IntegrityError:
        first = _first_answer(session, actor, idempotency_key, fingerprint)
        if first is None:
            raise
        return [Outcome(**o) for o in first["outcomes"]]
    except BaseException:
        session.rollback()
        raise


def officer_assignment(
    session: Session, actor: User, unit_code: str | None, day: date
) -> RoleAssignment:
    """The grassroots-officer role through which ``actor`` proposes (for ``unit_code`` when
    they are an officer at several units)."""
    officer_roles = [a for a in active_assignments(actor, day) if a.role == Role.OFFICER]
    if unit_code is not None:
        unit = unit_by_code(session, unit_code)
        officer_roles = [a for a in officer_roles if a.unit_id == unit.id]
    if not officer_roles:
        raise NotAllowed(
            "Chỉ cán bộ công đoàn cơ sở mới lập được hồ sơ đề nghị cho đơn vị mình.",
            "Only a grassroots officer may create a nomination for their own unit.",
            {"required_role": Role.OFFICER.value},
        )
    if len({a.unit_id for a in officer_roles}) > 1:
        raise InvalidInput(
            "Bạn là cán bộ ở nhiều đơn vị: hãy chọn đơn vị đề nghị.",
            "You are an officer at several units: choose the proposing unit.",
            {"unit": "required"},
        )
    return sorted(officer_roles, key=lambda a: a.acting_for_id is not None)[0]


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
    if spec.nominee_kind not in {k.value for k in NomineeKind}:
        errors["nominee.kind"] = "invalid"
    elif spec.nominee_kind != atype.nominee_kind:
        errors["nominee.kind"] = f"award_type_needs_{atype.nominee_kind}"
    name = clean_name(spec.nominee_name)
    if problem := name_problem(name):
        errors["nominee.name"] = problem
    if errors:
        raise InvalidInput(
            "Thông tin người/tập thể được đề nghị chưa hợp lệ.",
            "The nominee's details are invalid.",
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
        facts=validate_facts(spec.facts, extra_facts(atype.campaign)),
        achievements=spec.achievements,
        version=1,
        due_on=atype.submit_by,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )


EDITABLE = ("nominee_name", "nominee", "facts", "achievements")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_name(text: str) -> str:
    """One spelling of a name however it was typed: NFC, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def name_problem(name: str) -> str | None:
    """Why a (cleaned) name cannot be stored, if it cannot: it goes into signed documents,
    and Word files refuse control characters."""
    if not name:
        return "required"
    if len(name) > 200:
        return "too_long"
    return "invalid_characters" if _CONTROL.search(name) else None


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
    now = now or utcnow()
    try:
        outcome = _edit(session, nomination_id, actor, expected_version, changes, now)
        session.commit()
        return outcome
    except BaseException:
        session.rollback()
        raise


def record_edit(
    session: Session,
    nomination_id: int,
    actor: User,
    *,
    expected_version: int,
    data: dict[str, Any],
    also: tuple[Base, ...] = (),
    now: datetime | None = None,
) -> Outcome:
    """An audited change to the dossier made alongside (e.g. a file added), same rules as edit.

    Commits what the caller added in this transaction (``also``, vouched for by the same
    link) with the audit link, or nothing.
    """
    now = now or utcnow()
    try:
        outcome = _edit(session, nomination_id, actor, expected_version, {}, now, data, also)
        session.commit()
        return outcome
    except BaseException:
        session.rollback()
        raise


def _edit(
    session: Session,
    nomination_id: int,
    actor: User,
    expected_version: int,
    changes: dict[str, Any],
    now: datetime,
    data: dict[str, Any] | None = None,
    also: tuple[Base, ...] = (),
    editable: tuple[str, ...] = EDITABLE,
) -> Outcome:
    today = vn_date(now)
    nomination = _load_for_update(session, nomination_id, actor, today)
    if nomination.version != expected_version:
        raise StaleVersion(
            "Hồ sơ đã được người khác cập nhật; hãy tải lại trang và thử lại.",
            "The nomination was changed by someone else; reload and try again.",
            {"expected_version": expected_version, "current_version": nomination.version},
        )
    if nomination.state not in (State.DRAFT, State.RETURNED):
        state = State(nomination.state)
        raise IllegalTransition(
            f"Chỉ sửa được hồ sơ nháp hoặc bị trả lại; hồ sơ này đang '{state.vi}'.",
            f"Only a draft or returned nomination can be edited; this one is '{state.en}'.",
            {"state": state.value},
        )
    assignment = _acting_assignment(actor, Role.OFFICER, nomination.origin_unit_id, today)
    if assignment is None:
        raise NotAllowed(
            "Chỉ cán bộ công đoàn cơ sở đề nghị mới sửa được hồ sơ.",
            "Only an officer of the proposing CĐCS may edit the nomination.",
            {"required_role": Role.OFFICER.value},
        )
    unknown = sorted(set(changes) - set(editable))
    if unknown:
        raise InvalidInput(
            f"Không sửa được các trường: {', '.join(unknown)}.",
            f"These fields cannot be edited: {', '.join(unknown)}.",
            dict.fromkeys(unknown, "not_editable"),
        )
    if "facts" in changes:
        extra = extra_facts(nomination.campaign)
        changes = {**changes, "facts": validate_facts(changes["facts"], extra)}
    if "nominee_name" in changes:
        name = clean_name(str(changes["nominee_name"]))
        if problem := name_problem(name):
            raise InvalidInput(
                "Tên người/tập thể được đề nghị không hợp lệ.",
                "The nominee's name is invalid.",
                {"nominee_name": problem},
            )
        changes = {**changes, "nominee_name": name}
    for field, value in changes.items():
        setattr(nomination, field, value)
    nomination.nominee_key = nominee_key(
        nomination.nominee or {}, nomination.nominee_name, nomination.origin_unit_id
    )
    nomination.version += 1
    nomination.updated_at = now
    session.flush()
    if "award_type_id" in changes:
        session.expire(nomination, ["award_type"])  # now the current version's award
    code = (
        nomination.origin_unit.code
        if nomination.current_unit_id == nomination.origin_unit_id
        else ""
    )
    return _record(
        session,
        nomination,
        actor,
        assignment,
        Event.EDIT,
        (nomination.state, code),
        code,
        now,
        None,
        data or {"fields": sorted(changes)},
        also,
    )


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
    try:
        nomination = _load_for_update(session, nomination_id, actor, vn_date(now))
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
        outcome = _edit(
            session,
            nomination_id,
            actor,
            expected_version,
            {"award_type_id": current.id},
            now,
            data,
            editable=("award_type_id",),
        )
        session.commit()
        return outcome
    except BaseException:
        session.rollback()
        raise


def nominee_key(nominee: dict[str, Any], name: str, unit_id: int) -> str:
    """The nominee's own identifier (member or citizen id) if given, else name at the unit."""
    own = str(nominee.get("key") or "").strip()
    return f"id:{own}" if own else f"u{unit_id}:{' '.join(name.casefold().split())}"


def sign_decision(
    session: Session,
    actor: User,
    *,
    nomination_ids: list[int],
    signed_on: date,
    now: datetime | None = None,
) -> Decision:
    """Number and sign a decision; every listed nomination becomes awarded, or none does."""
    now = now or utcnow()
    try:
        decision = _sign(session, actor, nomination_ids, signed_on, now)
        session.commit()
        return decision
    except BaseException:
        session.rollback()
        raise


def _sign(
    session: Session, actor: User, nomination_ids: list[int], signed_on: date, now: datetime
) -> Decision:
    today = vn_date(now)
    if not nomination_ids or len(set(nomination_ids)) != len(nomination_ids):
        raise InvalidInput(
            "Danh sách hồ sơ trống hoặc có hồ sơ lặp lại.",
            "The list of nominations is empty or repeats one.",
            {"nomination_ids": "empty_or_duplicate"},
        )
    if signed_on > today:
        raise InvalidInput(
            "Ngày ký không được sau ngày hôm nay.",
            "The signing date cannot be in the future.",
            {"signed_on": "future"},
        )
    nominations = [_load_for_update(session, nid, actor, today) for nid in sorted(nomination_ids)]
    units = {n.current_unit_id for n in nominations}
    problems: dict[str, str] = {}
    for n in nominations:
        if n.state != State.ON_NOTICE:
            problems[str(n.id)] = f"state_{n.state}"
        elif n.notice_ends_on is None or signed_on < n.notice_ends_on:
            problems[str(n.id)] = f"notice_until_{n.notice_ends_on}"
    if problems:
        raise IllegalTransition(
            "Chỉ ký quyết định cho hồ sơ đang công khai và đã hết thời hạn công khai.",
            "Only nominations whose public notice has ended can be decided.",
            problems,
        )
    if len(units) != 1:
        raise InvalidInput(
            "Một quyết định chỉ gồm hồ sơ của cùng một đơn vị quyết định.",
            "One decision covers nominations of a single deciding unit.",
            {"nomination_ids": "several_units"},
        )
    unit_id = units.pop()
    assignment = _acting_assignment(actor, Role.DECIDER, unit_id, today)
    if assignment is None:
        raise NotAllowed(
            "Chỉ người có thẩm quyền ký quyết định của đơn vị mới ký được.",
            "Only a decider of the deciding unit may sign.",
            {"required_role": Role.DECIDER.value},
        )
    unit = session.get_one(Unit, unit_id)
    serial = numbering.next_serial(session, unit_id, DocumentKind.DECISION, signed_on.year)
    decision = Decision(
        unit_id=unit_id,
        year=signed_on.year,
        serial=serial,
        number=numbering.document_number(serial, DocumentKind.DECISION, unit),
        signed_on=signed_on,
        signer_id=actor.id,
        created_at=now,
    )
    session.add(decision)
    session.flush()
    for n in nominations:
        before, to_unit = _apply(
            session, n, Event.DECIDE, today, now, changes={"decision_id": decision.id}
        )
        _record(
            session,
            n,
            actor,
            assignment,
            Event.DECIDE,
            before,
            to_unit,
            now,
            None,
            {"decision": decision.number, "signed_on": signed_on.isoformat()},
        )
        notify.after_event(session, n, Event.DECIDE, actor, now, decision=decision.number)
    session.expire(decision, ["nominations"])  # now listed by their decision_id
    audit.record_change(session, "decision_signed", actor.username, now, decision)
    return decision


def nomination_version(session: Session, nomination_id: int) -> int:
    """The current version, for callers (CLI, demo) that act on the latest state."""
    version = session.scalar(select(Nomination.version).where(Nomination.id == nomination_id))
    if version is None:
        raise NotFound(
            f"Không tìm thấy hồ sơ số {nomination_id}.", f"Nomination {nomination_id} not found."
        )
    return version


def available_events(actor: User, nomination: Nomination, day: date) -> list[Event]:
    """The events this actor may fire on this nomination now (what the UI offers)."""
    found: list[Event] = []
    for name in sorted(allowed_events(nomination.state)):
        event = Event(name)
        if event is Event.DECIDE:
            continue  # only by signing a decision
        role = _role_for(event, nomination.state)
        unit = nomination.origin_unit_id if role is Role.OFFICER else nomination.current_unit_id
        if _acting_assignment(actor, role, unit, day) is not None:
            found.append(event)
    return found


def may_edit(actor: User, nomination: Nomination, day: date) -> bool:
    return nomination.state in (State.DRAFT, State.RETURNED) and (
        _acting_assignment(actor, Role.OFFICER, nomination.origin_unit_id, day) is not None
    )


def fire_many(
    session: Session,
    actor: User,
    event: Event,
    items: list[tuple[int, int]],
    now: datetime | None = None,
) -> list[tuple[int, Outcome | WorkflowError]]:
    """The event on each (id, version) on its own: every one is checked, one failure stops
    none (a reviewer's bulk approval, an officer submitting an imported list)."""
    results: list[tuple[int, Outcome | WorkflowError]] = []
    for nomination_id, version in items:
        try:
            outcome = fire(
                session,
                nomination_id,
                event.value,
                actor,
                expected_version=version,
                now=now,
            )
            results.append((nomination_id, outcome))
        except WorkflowError as err:
            results.append((nomination_id, err))
    return results
