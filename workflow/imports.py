"""Nominations imported from an Excel list ("danh sách trích ngang").

Two steps, because a list typed by hand always has mistakes: ``preview`` reads the file,
validates every row with marshmallow and keeps the result (nothing is created); the officer
reads the report and ``confirm`` creates the valid rows in one transaction. A row whose
nominee already has a nomination for that award in the campaign is a duplicate, so importing
the same file twice creates nothing twice.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from marshmallow import Schema, ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rules import evaluate_all
from rules.results import Severity, Status
from workflow import (
    changes,
    checks,
    idempotency,
    import_sheets,
    nominating,
    permissions,
    service,
)
from workflow.accounts import active_assignments
from workflow.campaigns import require_reach
from workflow.canonical import parse_json
from workflow.clock import utcnow, vn_date
from workflow.eligibility import Problem
from workflow.errors import InvalidInput, NotFound, StaleVersion, WorkflowError
from workflow.facts import needed_facts
from workflow.models import AuditEvent, AwardType, Campaign, ImportBatch, Nomination, Unit, User
from workflow.transaction import end_reading, transaction
from workflow.vocabulary import Event, NomineeKind, Role, State


def _officer_unit(session: Session, actor: User, unit_code: str | None, now: datetime) -> Unit:
    return permissions.officer_assignment(session, actor, unit_code, vn_date(now)).unit


def officer_units(actor: User, day: date) -> list[Unit]:
    """The CĐCS for which the actor may import (several: the page asks which)."""
    units = {a.unit_id: a.unit for a in active_assignments(actor, day) if a.role == Role.OFFICER}
    return sorted(units.values(), key=lambda u: u.code)


def _problem_args(schema: Schema, name: str) -> dict[str, Any]:
    """What a problem's words need from its column (a number's bounds), kept with the code."""
    field = schema.fields.get(name)
    return field.problem_args() if isinstance(field, import_sheets.CellInteger) else {}


def _row(
    number: int,
    raw: dict[str, Any],
    schema: Schema,
    awards: dict[str, AwardType],
    unit: Unit,
    today: date,
    targets: Sequence[str] = (),
) -> dict[str, Any]:
    """One row checked, and when sound the nomination it makes; ``targets``: the keys of the
    plan's targets that bind each collective."""
    values = {name: import_sheets.shown(v) for name, v in raw.items()}
    try:
        loaded: dict[str, Any] = schema.load(raw)
        errors: dict[str, list[Any]] = {}
    except ValidationError as err:
        loaded = {}
        messages: dict[str, list[str]] = err.messages  # type: ignore[assignment]
        errors = {name: [codes[0], _problem_args(schema, name)] for name, codes in messages.items()}
    row: dict[str, Any] = {"row": number, "values": values, "errors": errors}
    if errors:
        return row | {"status": "invalid"}
    award = awards[loaded["award_type"]]
    if award.submit_by is not None and award.submit_by < today:  # a draft never to be sent
        closed = ["filing_closed", {"day": f"{award.submit_by:%d/%m/%Y}"}]
        return row | {"status": "invalid", "errors": {"award_type": closed}}
    personal = [name for name in ("birth_date", "gender") if name in loaded]
    if award.nominee_kind == NomineeKind.COLLECTIVE and personal:  # a person, given a collective's
        wrong = ["for_a_collective", {}]
        return row | {
            "status": "invalid",
            "errors": dict.fromkeys(["award_type", *personal], wrong),
        }
    nominee: dict[str, Any] = {
        k: loaded[k] for k in ("position", "key", "birth_date") if k in loaded
    }
    facts: dict[str, Any] = {k: loaded[k] for k in ("gender", "registered") if k in loaded}
    facts |= {k: loaded[k] for k in ("absent_days", "months_employed") if k in loaded}
    ratings = {k.removeprefix("rating_"): v for k, v in loaded.items() if k.startswith("rating_")}
    if ratings:
        facts["ratings"] = ratings
    facts |= _collective_facts(loaded, award, targets)
    if "discipline" in loaded:  # the campaign's year, as the template's caption says
        level = loaded["discipline"]
        none = level == import_sheets.NO_DISCIPLINE
        facts["discipline"] = [] if none else [{"year": award.campaign.year, "level": level}]
    name = loaded["nominee_name"]
    return row | {
        "status": "valid",
        "nominee_key": nominating.nominee_key(nominee, name, unit.id),
        "spec": {
            "award_type": award.code,
            "nominee_kind": award.nominee_kind,
            "nominee_name": name,
            "nominee": nominee,
            "facts": facts,
            "achievements": loaded.get("achievements", ""),
        },
    }


def _collective_facts(
    loaded: dict[str, Any], award: AwardType, targets: Sequence[str]
) -> dict[str, Any]:
    """A collective's facts from its columns, stored as the nomination form stores them
    (``grades`` and ``targets`` keyed by year and target). A plan binding no target on each
    collective leaves it nothing to report: its form stores ``targets`` empty, and so does
    this, else R-TARGETS would wait forever for results no column asks."""
    facts = {k: loaded[k] for k in (c.field for c in import_sheets.FACT_COLUMNS) if k in loaded}
    grades = {k.removeprefix("grades_"): v for k, v in loaded.items() if k.startswith("grades_")}
    if grades:
        facts["grades"] = grades
    results = {k.removeprefix("targets_"): v for k, v in loaded.items() if k.startswith("targets_")}
    if results:
        facts["targets"] = results
    elif not targets and any(f.name == "targets" for f in needed_facts(award)):
        facts["targets"] = {}
    return facts


def existing_nominations(
    session: Session, campaign_id: int, keys: list[str]
) -> dict[tuple[str, str], int]:
    """Nominations already made in the campaign for these nominees (withdrawn ones aside):
    (nominee key, award code) → id."""
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(keys), 500):
        rows = session.execute(
            select(Nomination.nominee_key, AwardType.code, Nomination.id)
            .join(AwardType, AwardType.id == Nomination.award_type_id)
            .where(
                Nomination.campaign_id == campaign_id,
                Nomination.nominee_key.in_(keys[start : start + 500]),
                Nomination.state != State.WITHDRAWN.value,
            )
        )
        for key, code, nomination_id in rows:
            found.setdefault((key, code), nomination_id)
    return found


def _mark_duplicates(session: Session, campaign_id: int, rows: list[dict[str, Any]]) -> None:
    valid = [r for r in rows if r["status"] in ("valid", "duplicate")]
    existing = existing_nominations(session, campaign_id, sorted({r["nominee_key"] for r in valid}))
    first: dict[tuple[str, str], int] = {}
    for r in valid:
        key = (r["nominee_key"], r["spec"]["award_type"])
        r["status"], r["errors"] = "valid", {}
        if key in existing:
            r["status"] = "duplicate"
            r["errors"] = {"nominee_name": ["already_nominated", {"id": existing[key]}]}
        elif key in first:
            r["status"] = "duplicate"
            r["errors"] = {"nominee_name": ["duplicate_in_file", {"row": first[key]}]}
        else:
            first[key] = r["row"]


def preview(
    session: Session,
    actor: User,
    *,
    campaign: str,
    content: bytes,
    filename: str,
    unit_code: str | None = None,
    now: datetime | None = None,
) -> ImportBatch:
    """Validate every row and keep the result for the officer to read; create nothing."""
    now = now or utcnow()
    with transaction(session):
        if not campaign.strip():
            raise InvalidInput(
                "Hãy chọn đợt thi đua.", "Choose a campaign.", {"campaign": "required"}
            )
        unit = _officer_unit(session, actor, unit_code, now)
        camp, awards = import_sheets.campaign_awards(session, campaign)
        require_reach(session, camp, unit)
        rows = import_sheets.read_rows(content)
        targets = import_sheets.target_headers(camp)
        layout = import_sheets.layout(rows, targets)
        years, grade_years, target_keys = (
            [f.removeprefix(prefix) for f in layout.headers if f.startswith(prefix)]
            for prefix in ("rating_", "grades_", "targets_")
        )
        schema = import_sheets.row_schema(
            sorted(awards), sorted(map(int, years)), sorted(map(int, grade_years)), target_keys
        )
        bound = sorted(set(targets.values()))
        checked = [
            _row(n, raw, schema, awards, unit, vn_date(now), bound)
            for n, raw in import_sheets.cells(rows, layout)
        ]
        if not checked:
            raise InvalidInput(
                "Danh sách không có dòng nào.", "The list has no rows.", {"file": "empty"}
            )
        _mark_duplicates(session, camp.id, checked)
        _note_rules(session, camp, awards, unit, checked, vn_date(now))
        batch = ImportBatch(
            campaign_id=camp.id,
            unit_id=unit.id,
            created_by_id=actor.id,
            created_at=now,
            filename=unicodedata.normalize("NFC", filename)[-200:] or "danh-sach.xlsx",
            sha256=hashlib.sha256(content).hexdigest(),
            status="pending",
            rows={"headers": layout.headers, "rows": checked},
        )
        session.add(batch)
        return batch


def _note_rules(
    session: Session,
    campaign: Campaign,
    awards: dict[str, AwardType],
    unit: Unit,
    rows: list[dict[str, Any]],
    today: date,
) -> None:
    """What the award's rules would say of each sound row sent up as it stands: a rule it
    fails, a fact to complete on its draft first (``rules``: [status, vi, en] each; a row
    whose award has no rules has no ``rules``).

    The officer reads it at the check, not row by row when the drafts are sent. The row
    still imports: a draft is where a missing fact is completed. Each row is judged beside
    the nominations already made, not beside the list's other rows (a quota filled by the
    list itself shows when its drafts are sent)."""
    ruled = [r for r in rows if r["status"] == "valid" and awards[r["spec"]["award_type"]].rules]
    if not ruled:
        return
    index = checks.build_index(session, campaign.id)
    pledges = nominating.registered(session, campaign.id, [r["nominee_key"] for r in ruled])
    for row in ruled:
        award = awards[row["spec"]["award_type"]]
        facts = nominating.as_registered(
            row["spec"]["facts"], pledges, row["nominee_key"], award.code
        )  # as the draft will hold them
        probe = checks.Probe(
            0, State.DRAFT.value, unit.id, row["nominee_key"], facts, unit.id, None
        )
        results = evaluate_all(
            award.rules, checks.context_for(probe, award, campaign, index, today)
        )
        notes = [
            [r.status.value, r.message_vi, r.message_en]
            for r in results
            if r.severity == Severity.BLOCKING and r.status in (Status.FAIL, Status.UNKNOWN)
        ]
        row["rules"] = notes  # empty: the rules found nothing to refuse


@dataclass(frozen=True)
class Counts:
    valid: int
    invalid: int
    duplicate: int
    to_complete: int  # valid rows the rules would refuse as they stand


def counts(batch: ImportBatch) -> Counts:
    rows = batch.rows["rows"]
    valid, invalid, duplicate = (
        sum(1 for r in rows if r["status"] == s) for s in ("valid", "invalid", "duplicate")
    )
    to_complete = sum(1 for r in rows if r["status"] == "valid" and r.get("rules"))
    return Counts(valid, invalid, duplicate, to_complete)


def batch_for(session: Session, actor: User, batch_id: int) -> ImportBatch:
    """Only the officer who uploaded a list sees it (it may hold personal data), and only
    while they are still the unit's officer: one whose role ended keeps no reading of it."""
    batch = session.get(ImportBatch, batch_id)
    still = batch is not None and any(
        a.role == Role.OFFICER and a.unit_id == batch.unit_id
        for a in active_assignments(actor, vn_date(utcnow()))
    )
    if batch is None or batch.created_by_id != actor.id or not still:
        raise NotFound(
            f"Không có lượt nhập danh sách số {batch_id}.", f"Import {batch_id} not found."
        )
    return batch


def same_file_imported(session: Session, batch: ImportBatch) -> ImportBatch | None:
    """An earlier confirmed import of this very file for the same campaign and unit."""
    return session.scalar(
        select(ImportBatch)
        .where(
            ImportBatch.sha256 == batch.sha256,
            ImportBatch.campaign_id == batch.campaign_id,
            ImportBatch.unit_id == batch.unit_id,
            ImportBatch.status == "confirmed",
            ImportBatch.id != batch.id,
        )
        .order_by(ImportBatch.id)
        .limit(1)
    )


def confirm(
    session: Session,
    actor: User,
    batch_id: int,
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> list[changes.Outcome]:
    """Create the valid rows, all in one transaction; duplicates are checked again now, since
    others may have created some of these nominations after the preview. A retry with the
    same ``idempotency_key`` gets the first answer instead of "already imported"."""
    at = now or utcnow()
    fingerprint = idempotency.request_hash({"confirm_import": batch_id})
    return idempotency.once(
        session,
        actor,
        idempotency_key,
        fingerprint,
        lambda: _confirm(session, actor, batch_id, at, idempotency_key, fingerprint),
        lambda first: [changes.Outcome(**o) for o in first["outcomes"]],
    )


def _confirm(
    session: Session,
    actor: User,
    batch_id: int,
    now: datetime,
    idempotency_key: str | None,
    fingerprint: str,
) -> list[changes.Outcome]:
    batch = batch_for(session, actor, batch_id)
    unit = _officer_unit(session, actor, batch.unit.code, now)
    # One confirmation at a time per unit: two lists holding the same people, confirmed at
    # once, would otherwise both pass the duplicate check (PostgreSQL; SQLite serialises).
    session.execute(select(Unit.id).where(Unit.id == unit.id).with_for_update())
    if idempotency_key is not None:
        first = idempotency.replayed(session, actor, idempotency_key, fingerprint)
        if first is not None:
            return [changes.Outcome(**o) for o in first["outcomes"]]
    session.refresh(batch)
    if batch.status != "pending":
        raise StaleVersion(
            "Danh sách này đã được nhập rồi.", "This list has already been imported."
        )
    rows = [dict(r) for r in batch.rows["rows"]]
    _mark_duplicates(session, batch.campaign_id, rows)
    specs = [
        nominating.NewNomination(**r["spec"], origin={"import": batch.id, "row": r["row"]})
        for r in rows
        if r["status"] == "valid"
    ]
    previewed = {r["row"]: r["status"] for r in batch.rows["rows"]}
    taken_since = [r for r in rows if r["status"] == "duplicate" and previewed[r["row"]] == "valid"]
    if not specs and taken_since:  # the rows were sound: someone created them since
        raise InvalidInput(
            f"Từ lúc xem trước, các hồ sơ của danh sách này đã được tạo (ví dụ từ một lần nhập "
            f"khác; dòng {taken_since[0]['row']}: {taken_since[0]['spec']['nominee_name']}). "
            "Không còn dòng nào để tạo.",
            "Since the preview, this list's nominations have been created (by another import, "
            f"say; row {taken_since[0]['row']}). Nothing is left to create.",
            {"rows": "created_since"},
        )
    if not specs:
        raise InvalidInput(
            "Không có dòng hợp lệ nào để tạo hồ sơ: hãy sửa tệp theo báo cáo rồi gửi lại.",
            "No valid row to create: correct the file using the report and upload it again.",
            {"rows": "none_valid"},
        )
    claimed = session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.status == "pending")
        .values(
            status="confirmed",
            confirmed_at=now,
            created_count=len(specs),
            rows=batch.rows | {"rows": rows},
        )
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleVersion(
            "Danh sách này đã được nhập rồi.", "This list has already been imported."
        )
    outcomes = nominating.create_nominations(  # joins this transaction
        session,
        actor,
        campaign=batch.campaign.code,
        specs=specs,
        unit_code=unit.code,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        now=now,
    )
    session.expire(batch)
    return outcomes


def created(session: Session, batch: ImportBatch) -> list[Nomination]:
    """The nominations this list created, found by the origin their first audit link records."""
    return sorted(created_by_row(session, batch).values(), key=lambda n: n.id)


def created_by_row(session: Session, batch: ImportBatch) -> dict[int, Nomination]:
    """Each row's nomination, by the origin its first audit link records ({"import", "row"}):
    the list's page says where each row went once it was sent up."""
    marker = f'"origin":{{"import":{batch.id},'
    links = session.execute(
        select(AuditEvent.nomination_id, AuditEvent.body).where(
            AuditEvent.body.contains(marker, autoescape=True)
        )
    ).all()
    rows = {nid: parse_json(body)["data"]["origin"]["row"] for nid, body in links}
    found = session.scalars(select(Nomination).where(Nomination.id.in_(list(rows))))
    return {rows[n.id]: n for n in found}


def held_back(
    session: Session, batch: ImportBatch, made: dict[int, Nomination], today: date
) -> dict[int, list[Problem]]:
    """The list's drafts that sending would refuse today, by row, with why: the send button
    counts the others, so an officer is not promised more than goes up. The rules are those
    sending runs, on the drafts as they are now (one completed since the check counts)."""
    drafts = {row: n for row, n in made.items() if n.state == State.DRAFT}
    return checks.refused_sending(session, drafts, batch.campaign_id, today)


def submit_all(
    session: Session, actor: User, batch_id: int, now: datetime | None = None
) -> list[tuple[int, changes.Outcome | WorkflowError]]:
    """Send up every draft the list created, each checked on its own (eligibility included):
    an officer importing two hundred rows should not open two hundred pages."""
    batch = batch_for(session, actor, batch_id)
    drafts = [(n.id, n.version) for n in created(session, batch) if n.state == State.DRAFT]
    end_reading(session)  # each submission is a transaction of its own
    return service.fire_many(session, actor, Event.SUBMIT, drafts, now=now)


def recent(session: Session, actor: User, limit: int = 10) -> list[ImportBatch]:
    return list(
        session.scalars(
            select(ImportBatch)
            .where(ImportBatch.created_by_id == actor.id)
            .order_by(ImportBatch.id.desc())
            .limit(limit)
        )
    )
