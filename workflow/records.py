"""What the audit chain vouches for in each record, and the digest it keeps of it.

Every change of a record that matters (a nomination's nominee, facts, vote or decision; a
dossier file; a decision with its list and amounts; a campaign version with its awards; a
unit, user or role) appends a link carrying the digest of the record as it now is.
``audit.verify`` recomputes each current row's digest and compares it with the last one the
chain recorded, so a row changed behind the application's back (by a database
administrator, say) is named.

Links are written from ORM objects (the event's own transaction); verification reads plain
rows in batches. Both build a record's body with :func:`body_of`, so they cannot drift apart.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import JSON, Table, select
from sqlalchemy.orm import Session

from workflow.amounts import amount_for
from workflow.canonical import sorted_json
from workflow.clock import iso_utc
from workflow.db import Base
from workflow.models import AwardType, Campaign, Decision, Nomination

# Columns each table's digest covers. Left out on purpose: bookkeeping timestamps
# (updated_at), caches recomputed at will (checks_latest) and session counters.
FIELDS: dict[str, tuple[str, ...]] = {
    "units": ("code", "name", "abbreviation", "level", "parent_id", "path"),
    "unit_history": (
        "unit_id",
        "change",
        "name",
        "abbreviation",
        "parent_id",
        "valid_to",
        "merged_into_id",
    ),
    "users": ("username", "full_name", "email", "password_hash", "is_active"),
    "role_assignments": ("user_id", "role", "unit_id", "valid_from", "valid_to", "acting_for_id"),
    "campaigns": (
        "code",
        "title",
        "year",
        "reference_date",
        "issuer_code",
        "parent_code",
        "definition",
        "rule_set_version",
        "version",
    ),
    "nominations": (
        "campaign_id",
        "award_type_id",
        "origin_unit_id",
        "current_unit_id",
        "state",
        "nominee_kind",
        "nominee_name",
        "nominee_key",
        "nominee",
        "facts",
        "achievements",
        "route",
        "route_codes",
        "vote",
        "rule_set_version",
        "checks_at_submit",
        "notice_ends_on",
        "due_on",
        "decision_id",
        "version",
        "created_by_id",
    ),
    "attachments": ("nomination_id", "sha256", "kind", "extension", "uploaded_by_id"),
    "decisions": ("unit_id", "year", "serial", "number", "signed_on", "signer_id"),
    "council_members": (
        "unit_id",
        "full_name",
        "position",
        "duty",
        "user_id",
        "valid_from",
        "valid_to",
    ),
    "sittings": (
        "unit_id",
        "campaign_id",
        "held_on",
        "place",
        "status",
        "chair_id",
        "secretary_id",
        "members",
        "present",
        "year",
        "serial",
        "number",
        "opened_by_id",
    ),
    "sitting_items": ("sitting_id", "nomination_id", "position", "tally", "passed"),
    "register_entries": ("unit_id", "year", "entry_no", "nomination_id", "decision_id"),
    "recoveries": (
        "nomination_id",
        "unit_id",
        "amount",
        "opened_on",
        "money_back_on",
        "certificate_back_on",
        "note",
    ),
    "certificate_layouts": ("unit_id", "layout"),
    "members": (
        "code",
        "kind",
        "full_name",
        "birth_date",
        "gender",
        "position",
        "cccd_sealed",
        "merged_into_id",
    ),
    "declared_titles": (
        "member_id",
        "award_code",
        "award_title",
        "year",
        "decision",
        "proof_sha256",
        "declared_by_id",
        "declared_on",
    ),
    "memberships": ("member_id", "unit_id", "valid_from", "valid_to"),
    "member_years": (
        "member_id",
        "year",
        "unit_id",
        "rating",
        "absent_days",
        "months_employed",
        "discipline",
        "initiatives",
    ),
    "period_reports": (
        "campaign_id",
        "unit_id",
        "period",
        "results",
        "note",
        "submitted_by_id",
        "submitted_on",
    ),
    "registrations": (
        "member_id",
        "campaign_id",
        "award_code",
        "unit_id",
        "registered_on",
        "late",
    ),
}
# A campaign vouches for its awards (every version's): they decide eligibility and votes.
AWARD_FIELDS = (
    "campaign_version",
    "code",
    "title",
    "nominee_kind",
    "decider_level",
    "decider_unit_code",
    "vote_ratio_num",
    "vote_ratio_den",
    "vote_base",
    "secret_ballot",
    "notice_days",
    "category",
    "rules",
    "quota_per_unit",
    "submit_by",
    "days_per_tier",
    "bonus_coefficient",
    "rule_set_version",
)
# Added later: vouched for when set, so the links written before them still verify.
AWARD_OPTIONAL = ("quota_level", "quota_nationwide")
AWARD_COLUMNS = ("id", *AWARD_FIELDS, *AWARD_OPTIONAL)


def _plain(value: Any) -> Any:
    """A column's value as JSON: dates as ISO text, decimals as text. JSON columns are
    already JSON (the same values whether just written or read back), so they pass as
    they are: this runs inside every event."""
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _converted(table: str) -> tuple[str, ...]:
    """The columns of ``table`` whose values are not JSON as they come (dates, decimals)."""
    columns = Base.metadata.tables[table].c
    return tuple(
        name
        for name in FIELDS[table]
        if not isinstance(columns[name].type, JSON)  # already JSON, and no single Python type
        and issubclass(columns[name].type.python_type, date | Decimal)
    )


CONVERTED = {table: _converted(table) for table in FIELDS}


def body_of(
    table: str, row_id: int, values: Mapping[Any, Any], extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What one row's digest is taken over: its column values (and what it vouches for
    beyond them). Only the columns that need it are converted: verification reads every
    record."""
    body = {name: values[name] for name in FIELDS[table]}
    for name in CONVERTED[table]:
        body[name] = _plain(body[name])
    if extra:
        body.update(extra)
    body["record"] = f"{table}/{row_id}"
    return body


def digest(body: dict[str, Any]) -> str:
    """The digest a link records: SHA-256 of the body's one JSON spelling."""
    return hashlib.sha256(sorted_json(body)).hexdigest()


def digest_of(
    table: str, row_id: int, values: Mapping[Any, Any], extra: dict[str, Any] | None = None
) -> str:
    """The digest of one row given its column values."""
    return digest(body_of(table, row_id, values, extra))


def quick_digest(body: dict[str, Any]) -> str | None:
    """:func:`digest` spelled by orjson, several times faster, for verification, which digests
    every record. orjson spells nearly every body as :func:`digest` does; where it does not (a
    float such as 1e-7) the digests differ and verification takes the one spelling before it
    calls a record changed. It spells no two bodies alike that :func:`digest` spells apart:
    NaN and ±Infinity, which it would write as ``null``, are read as
    :class:`~workflow.canonical.NonFinite` and refused, as are integers beyond 64 bits (None)."""
    try:
        return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
    except orjson.JSONEncodeError:
        return None


def _award_list(awards: Sequence[Mapping[Any, Any]]) -> list[dict[str, Any]]:
    ordered = sorted(awards, key=lambda a: a["id"])
    return [
        {"id": a["id"]}
        | {n: _plain(a[n]) for n in AWARD_FIELDS}
        | {n: _plain(a[n]) for n in AWARD_OPTIONAL if a[n] is not None}
        for a in ordered
    ]


def _columns(record: Base, names: Sequence[str]) -> dict[str, Any]:
    """An ORM object's values of ``names``, as a plain row would give them."""
    return {name: getattr(record, name) for name in names}


def digests(*changed: Base) -> dict[str, str]:
    """The ``records`` field of an audit link: each record as it now is."""
    out = {}
    for record in changed:
        table, row_id = record.__tablename__, record.id  # type: ignore[attr-defined]
        extra: dict[str, Any] = {}
        if isinstance(record, Campaign):
            awards = [_columns(a, AWARD_COLUMNS) for a in record.all_award_types]
            extra["award_types"] = _award_list(awards)
        if isinstance(record, Decision):
            listed = sorted(record.nominations, key=lambda n: n.id)
            extra["list"] = [
                [n.id, amount_for(n.award_type.bonus_coefficient, record.signed_on)] for n in listed
            ]
        out[f"{table}/{row_id}"] = digest_of(table, row_id, _columns(record, FIELDS[table]), extra)
    return out


def current(
    session: Session, batch: int = 2000, tables: Sequence[str] | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every audited row as it is now (of ``tables`` only, if given), with the body its
    digest is taken over: plain rows read in batches, so memory stays flat however long the
    trail."""
    for table_name in tables or FIELDS:
        table: Table = Base.metadata.tables[table_name]
        columns = [table.c.id, *(table.c[name] for name in FIELDS[table_name])]
        last = 0
        while True:
            rows = (
                session.execute(
                    select(*columns).where(table.c.id > last).order_by(table.c.id).limit(batch)
                )
                .mappings()
                .all()
            )
            if not rows:
                break
            extras = _extras(session, table_name, rows)
            for row in rows:
                key = f"{table_name}/{row['id']}"
                yield key, body_of(table_name, row["id"], row, extras.get(row["id"], {}))
            last = rows[-1]["id"]


def _extras(
    session: Session, table: str, rows: Sequence[Mapping[Any, Any]]
) -> dict[int, dict[str, Any]]:
    """What campaigns and decisions vouch for beyond their own columns, for a batch."""
    ids = [row["id"] for row in rows]
    if table == "campaigns":
        awards: dict[int, list[Mapping[Any, Any]]] = defaultdict(list)
        award_table = Base.metadata.tables["award_types"]
        columns = [award_table.c[name] for name in ("campaign_id", *AWARD_COLUMNS)]
        for award in session.execute(
            select(*columns).where(award_table.c.campaign_id.in_(ids))
        ).mappings():
            awards[award["campaign_id"]].append(award)
        return {cid: {"award_types": _award_list(awards[cid])} for cid in ids}
    if table == "decisions":
        signed = {row["id"]: row["signed_on"] for row in rows}
        lists: dict[int, list[list[Any]]] = {did: [] for did in ids}
        listed = session.execute(
            select(Nomination.decision_id, Nomination.id, AwardType.bonus_coefficient)
            .join(AwardType, AwardType.id == Nomination.award_type_id)
            .where(Nomination.decision_id.in_(ids))
            .order_by(Nomination.id)
        )
        for decision_id, nomination_id, coefficient in listed:
            if decision_id is None:  # never: the query asks for these decisions only
                continue
            amount = amount_for(coefficient, signed[decision_id])
            lists[decision_id].append([nomination_id, amount])
        return {did: {"list": lists[did]} for did in ids}
    return {}
