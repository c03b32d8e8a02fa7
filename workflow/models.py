"""Tables of the workflow domain (plain SQLAlchemy; no Flask)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from rules.params import within
from workflow.db import Base
from workflow.folding import fold
from workflow.vocabulary import Level, NomineeKind, Role, State, UnitChange, VoteBase

MAX_ID = 2**31 - 1  # the largest value of the database's integer keys
JsonType = JSON().with_variant(JSONB(), "postgresql")
# Python None is SQL NULL here, never the JSON value null (which `IS NULL` does not find).
NullableJson = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: SQLite keeps no offset, PostgreSQL would convert."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _enum_check(column: str, values: Any) -> CheckConstraint:
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_allowed")


class Unit(Base):
    """A union unit. ``path`` ("/1/4/9/") makes subtree queries one indexed prefix match."""

    __tablename__ = "units"
    __table_args__ = (_enum_check("level", Level),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # How the unit signs its documents on paper ("LĐLĐ", "CĐVC"): the tail of "05/QĐ-LĐLĐ".
    abbreviation: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    path: Mapped[str] = mapped_column(String(400), index=True, default="")

    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    # What the unit was before each rename, move, split or its merge, oldest first.
    history: Mapped[list[UnitHistory]] = relationship(
        foreign_keys="UnitHistory.unit_id", order_by="(UnitHistory.valid_to, UnitHistory.id)"
    )

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit itself."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def is_within(self, other: Unit) -> bool:
        return self.path.startswith(other.path)

    @property
    def closed_on(self) -> date | None:
        """The day a merge closed the unit (None: it is open)."""
        return next(
            (h.valid_to + timedelta(days=1) for h in self.history if h.change == "merged"), None
        )


class UnitHistory(Base):
    """What a unit was until ``valid_to`` (its name, abbreviation and parent) before a change:
    a decision signed that day still reads the unit's name of its day. A ``merged`` row also
    closes the unit: from the next day it lives on in ``merged_into``."""

    __tablename__ = "unit_history"
    __table_args__ = (_enum_check("change", UnitChange),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    change: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    abbreviation: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    valid_to: Mapped[date] = mapped_column(Date)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))

    parent: Mapped[Unit | None] = relationship(foreign_keys=[parent_id])
    merged_into: Mapped[Unit | None] = relationship(foreign_keys=[merged_into_id])


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # Where notifications are mailed; without one the user sees them in the app only.
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Every signed session cookie carries the generation it was issued under; logout, a
    # password change or reset and deactivation bump it, ending every session on every host.
    session_generation: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Set by an administrator's reset: every page leads to the change form until it is done.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())

    assignments: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", foreign_keys="RoleAssignment.user_id", lazy="selectin"
    )


# One sign-in name however it is capitalised, held by the database too: "Thuy" and "thuy"
# created at the same instant would both pass the check in accounts.create_user.
Index("uq_users_username_lower", func.lower(User.username), unique=True)


class RoleAssignment(Base):
    """A role held at a unit, optionally for dates only (a substitute acts for someone)."""

    __tablename__ = "role_assignments"
    __table_args__ = (
        _enum_check("role", Role),
        CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to", name="dates_ordered"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    acting_for_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(back_populates="assignments", foreign_keys=[user_id])
    unit: Mapped[Unit] = relationship(lazy="joined")
    acting_for: Mapped[User | None] = relationship(foreign_keys=[acting_for_id])

    def active_on(self, day: date) -> bool:
        return within(day, self.valid_from, self.valid_to)


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int] = mapped_column(Integer)
    reference_date: Mapped[date | None] = mapped_column(Date)
    issuer_code: Mapped[str | None] = mapped_column(String(60))
    parent_code: Mapped[str | None] = mapped_column(String(60))
    # The validated definition as imported (dates as ISO strings), and a hash of it together
    # with the rule parameters: what a nomination was checked against.
    definition: Mapped[dict[str, Any] | None] = mapped_column(NullableJson)
    rule_set_version: Mapped[str | None] = mapped_column(String(64))
    # Each import that changes the definition is a new version with award rows of its own,
    # so nominations already in flight keep the rules and vote ratio they were checked by.
    version: Mapped[int] = mapped_column(Integer, default=1)

    # The awards of the current version: what new nominations are offered.
    award_types: Mapped[list[AwardType]] = relationship(
        primaryjoin="and_(Campaign.id == AwardType.campaign_id, "
        "Campaign.version == AwardType.campaign_version)",
        viewonly=True,
        order_by="AwardType.id",
    )
    all_award_types: Mapped[list[AwardType]] = relationship(
        back_populates="campaign", order_by="AwardType.id"
    )


class AwardType(Base):
    """An award offered by a campaign, and how its council decides it.

    The vote threshold is a ratio of integers (no floats anywhere near a decision).
    """

    __tablename__ = "award_types"
    __table_args__ = (
        UniqueConstraint("campaign_id", "code", "campaign_version"),
        _enum_check("nominee_kind", NomineeKind),
        _enum_check("decider_level", Level),
        _enum_check("vote_base", VoteBase),
        CheckConstraint(
            "vote_ratio_num > 0 AND vote_ratio_den > 0 AND vote_ratio_num <= vote_ratio_den",
            name="vote_ratio_valid",
        ),
        CheckConstraint("notice_days >= 0", name="notice_days_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    campaign_version: Mapped[int] = mapped_column(Integer, default=1)
    # The campaign version's rule-set hash: what a nomination of this award is checked by.
    rule_set_version: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    nominee_kind: Mapped[str] = mapped_column(String(20))
    decider_level: Mapped[str] = mapped_column(String(20))
    vote_ratio_num: Mapped[int] = mapped_column(Integer)
    vote_ratio_den: Mapped[int] = mapped_column(Integer)
    vote_base: Mapped[str] = mapped_column(String(20))
    secret_ballot: Mapped[bool] = mapped_column(default=False)
    notice_days: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20), default="comprehensive")
    decider_unit_code: Mapped[str | None] = mapped_column(String(40))
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    quota_per_unit: Mapped[int | None] = mapped_column(Integer)
    # None: the quota counts per proposing unit; a Level: per unit of that level, as it forwards.
    quota_level: Mapped[str | None] = mapped_column(String(20))
    quota_nationwide: Mapped[int | None] = mapped_column(Integer)  # the campaign's whole cap
    submit_by: Mapped[date | None] = mapped_column(Date)
    days_per_tier: Mapped[int | None] = mapped_column(Integer)
    bonus_coefficient: Mapped[str | None] = mapped_column(String(20))

    campaign: Mapped[Campaign] = relationship(back_populates="all_award_types")


class NumberCounter(Base):
    """The last number a unit gave to one kind of document in one calendar year.

    Incremented inside the transaction that issues the document, so numbers are gapless
    and two concurrent signings wait for each other on this row instead of colliding.
    """

    __tablename__ = "number_counters"
    __table_args__ = (CheckConstraint("last >= 1", name="last_positive"),)

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class Decision(Base):
    """A signed decision (Quyết định khen thưởng), numbered per issuing unit and year.

    ``number`` is the text printed on it ("05/QĐ-LĐLĐ"); it repeats from year to year, so
    (unit, year, serial) is what identifies it.
    """

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("unit_id", "year", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(80))
    signed_on: Mapped[date] = mapped_column(Date)
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    unit: Mapped[Unit] = relationship()
    signer: Mapped[User] = relationship()
    nominations: Mapped[list[Nomination]] = relationship(back_populates="decision")


class Nomination(Base):
    """A proposal for one award, moving up its frozen route one tier at a time."""

    __tablename__ = "nominations"
    __table_args__ = (
        _enum_check("state", State),
        _enum_check("nominee_kind", NomineeKind),
        CheckConstraint("version >= 1", name="version_positive"),
        # The inbox (a unit's nominations in a state, newest first: read in the index's
        # order, 51 rows, not all that wait there then sorted) and the dashboard's counts,
        # which read this index alone: who holds it, its state, whose subtree it is in, when
        # it is due.
        Index(
            "ix_nominations_current_unit_state_id_origin_due",
            "current_unit_id",
            "state",
            "id",
            "origin_unit_id",
            "due_on",
        ),
        # An award's active proposals, counted from the index alone (a nationwide quota, at
        # every event that checks the rules).
        Index("ix_nominations_award_type_state", "award_type_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    award_type_id: Mapped[int] = mapped_column(ForeignKey("award_types.id"))
    origin_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    current_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    state: Mapped[str] = mapped_column(String(20))
    nominee_kind: Mapped[str] = mapped_column(String(20))
    nominee_name: Mapped[str] = mapped_column(String(200))
    # The name as a search compares it (workflow.folding), kept with the name by _fold_name.
    nominee_search: Mapped[str] = mapped_column(String(200), server_default="")
    # Who the nominee is across campaigns and years (prior titles, double awards).
    nominee_key: Mapped[str] = mapped_column(String(220), index=True, default="")
    nominee: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    facts: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    achievements: Mapped[str] = mapped_column(Text, default="")
    # Unit ids from the origin's parent up to the deciding unit, frozen at submit.
    # SQL NULL until submitted (a database check refuses anything but NULL or a non-empty array).
    route: Mapped[list[int] | None] = mapped_column(NullableJson)
    route_codes: Mapped[list[str] | None] = mapped_column(NullableJson)  # the same units' codes
    vote: Mapped[dict[str, int] | None] = mapped_column(NullableJson)
    rule_set_version: Mapped[str | None] = mapped_column(String(64))
    checks_at_submit: Mapped[list[dict[str, Any]] | None] = mapped_column(NullableJson)
    # The latest re-check of the whole campaign (``rules check``): {"eligible", "results"}.
    checks_latest: Mapped[dict[str, Any] | None] = mapped_column(NullableJson)
    # The Vietnamese day it was first sent up: what the campaign's filing deadline is held
    # against, whenever it is checked (a return and a resubmission do not make it late).
    # Read from the trail's first "submit" for rows sent before it existed; like
    # checks_latest, outside the chain's record digest (the trail itself vouches for it).
    submitted_on: Mapped[date | None] = mapped_column(Date)
    notice_ends_on: Mapped[date | None] = mapped_column(Date)
    # When the unit now holding it should have acted (set as each tier receives it).
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    campaign: Mapped[Campaign] = relationship()
    award_type: Mapped[AwardType] = relationship()
    origin_unit: Mapped[Unit] = relationship(foreign_keys=[origin_unit_id])
    current_unit: Mapped[Unit] = relationship(foreign_keys=[current_unit_id])
    decision: Mapped[Decision | None] = relationship(back_populates="nominations")

    @validates("nominee_name")
    def _fold_name(self, _key: str, name: str) -> str:
        self.nominee_search = fold(name)
        return name


class AuditEvent(Base):
    """One link of the hash chain. Append-only: the database refuses UPDATE and DELETE.

    Everything an auditor reads is inside ``body`` (canonical JSON) and so covered by
    ``hash``; ``nomination_id`` is a copy for indexing that verification cross-checks.
    """

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("nominations.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))  # unique by its body's seq: no index


class AuditHead(Base):
    """The chain's last link, one row; locking it serialises appends (gapless sequence)."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class Verification(Base):
    """One run of the trail's verification, started from a page, the API or the CLI: who and
    when, how far it has come, and what it found."""

    __tablename__ = "verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_by: Mapped[str] = mapped_column(String(80))
    moved_at: Mapped[datetime] = mapped_column(UtcDateTime)  # its last progress
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    total: Mapped[int] = mapped_column(Integer, default=0)  # links in the chain when it began
    checked: Mapped[int] = mapped_column(Integer, default=0)
    ok: Mapped[bool | None] = mapped_column()
    head_seq: Mapped[int | None] = mapped_column(Integer)
    head_hash: Mapped[str | None] = mapped_column(String(64))
    first_bad_seq: Mapped[int | None] = mapped_column(Integer)
    problems: Mapped[list[str] | None] = mapped_column(NullableJson)
    error: Mapped[str | None] = mapped_column(Text)  # it stopped on an error, not a finding


class IdempotencyRecord(Base):
    """The first answer given to a (user, key) pair, replayed for every retry."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginThrottle(Base):
    """Failed logins of one account, address or known device, as a leaky bucket.

    ``failures`` is the count at ``last_failure_at``; one failure is forgotten per quiet
    interval after it (see :mod:`workflow.throttle`). Each attempt updates its rows under a
    row lock before the password is checked, so concurrent attempts never pass the limit.
    """

    __tablename__ = "login_throttles"

    scope: Mapped[str] = mapped_column(String(10), primary_key=True)  # account, address, device
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Blob(Base):
    """File content, stored once by its SHA-256 (kept in the database, shared by all hosts)."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Attachment(Base):
    """A dossier document of a nomination; its name is made by us, never taken from the user."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    kind: Mapped[str] = mapped_column(String(30))
    extension: Mapped[str] = mapped_column(String(8))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)

    blob: Mapped[Blob] = relationship(lazy="raise")


class ImportBatch(Base):
    """An uploaded list (.xlsx), validated row by row, waiting for the officer's confirmation.

    ``rows`` keeps each row's values as read and its errors, so the report and the
    confirmation use exactly what the officer saw; ``sha256`` recognises the same file again.
    """

    __tablename__ = "import_batches"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'confirmed')", name="status_allowed"),
        Index("ix_import_batches_sha256", "sha256", "campaign_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    rows: Mapped[dict[str, Any]] = mapped_column(JsonType)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_count: Mapped[int] = mapped_column(Integer, default=0)

    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[Unit] = relationship()


class Notification(Base):
    """One message for one user, shown in the app; mailed through the outbox if they have
    an address. Written in the same transaction as what caused it."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Not indexed: read only with its user's notifications; nominations are never deleted.
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("nominations.id"))
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # The same in English (None in notifications written before it was kept: shown as above).
    subject_en: Mapped[str | None] = mapped_column(String(300))
    body_en: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    def subject_in(self, lang: str) -> str:
        return (self.subject_en or self.subject) if lang == "en" else self.subject

    def body_in(self, lang: str) -> str:
        return (self.body_en or self.body) if lang == "en" else self.body


class OutboxMessage(Base):
    """An email waiting to be delivered (transactional outbox): delivered once, retried with
    back-off when the server refuses it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class DeadlineAlert(Base):
    """A reminder or escalation already queued for one stay of a nomination at a unit: the
    unique key is what makes ``remind`` safe to run twice."""

    __tablename__ = "deadline_alerts"
    __table_args__ = (
        CheckConstraint("kind IN ('reminder', 'escalation')", name="kind_allowed"),
        UniqueConstraint("nomination_id", "unit_id", "due_on", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    due_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CouncilMember(Base):
    """A seat on a unit's Hội đồng Thi đua - Khen thưởng for a term (councils are re-formed
    and members change, so membership is dated). The chair presides over sittings and the
    secretary (thư ký) opens them and signs the minutes; both are named in the minutes."""

    __tablename__ = "council_members"
    __table_args__ = (
        CheckConstraint("duty IN ('chair', 'secretary', 'member')", name="duty_allowed"),
        CheckConstraint(
            "valid_to IS NULL OR valid_from <= valid_to", name="council_member_dates_ordered"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")  # chức vụ, as minutes print it
    duty: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # a secretary needs one
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    def active_on(self, day: date) -> bool:
        return within(day, self.valid_from, self.valid_to)


class Sitting(Base):
    """A sitting (phiên họp) of a unit's council on one campaign's list: who attended, and
    for each nomination the ballot's tally (secret ballot: only tallies are kept). Closing it
    votes the whole list in one transaction and numbers its minutes (biên bản)."""

    __tablename__ = "sittings"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="sitting_status_allowed"),
        CheckConstraint("members >= 1", name="sitting_members_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="open")
    chair_id: Mapped[int] = mapped_column(ForeignKey("council_members.id"))
    secretary_id: Mapped[int] = mapped_column(ForeignKey("council_members.id"))
    members: Mapped[int] = mapped_column(Integer)  # the council's size on the day
    present: Mapped[list[int]] = mapped_column(JsonType)  # council_members ids, sorted
    year: Mapped[int | None] = mapped_column(Integer)  # with serial: the minutes' number
    serial: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(80))  # "03/BB-HĐTĐKT", given at closing
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    unit: Mapped[Unit] = relationship()
    campaign: Mapped[Campaign] = relationship()
    chair: Mapped[CouncilMember] = relationship(foreign_keys=[chair_id])
    secretary: Mapped[CouncilMember] = relationship(foreign_keys=[secretary_id])
    items: Mapped[list[SittingItem]] = relationship(
        back_populates="sitting", order_by="SittingItem.position"
    )


class SittingItem(Base):
    """One nomination on a sitting's list and, once counted, its ballot's tally."""

    __tablename__ = "sitting_items"
    __table_args__ = (UniqueConstraint("sitting_id", "nomination_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("sittings.id"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # {"yes", "no", "abstain", "written_yes", "written_no"}; members and present are the sitting's.
    tally: Mapped[dict[str, int] | None] = mapped_column(NullableJson)
    passed: Mapped[bool | None] = mapped_column()  # set when the sitting closes

    sitting: Mapped[Sitting] = relationship(back_populates="items")
    nomination: Mapped[Nomination] = relationship()


class RegisterEntry(Base):
    """An award in its deciding unit's register (sổ theo dõi khen thưởng): numbered from 1
    each year, in the transaction that signs the decision."""

    __tablename__ = "register_entries"
    __table_args__ = (UniqueConstraint("unit_id", "year", "entry_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(Integer)
    entry_no: Mapped[int] = mapped_column(Integer)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), unique=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)

    nomination: Mapped[Nomination] = relationship()
    decision: Mapped[Decision] = relationship()


class Recovery(Base):
    """What a revocation leaves to do (Law 2022, art. 86): the bonus to pay back and the
    certificate to hand back, each open until marked done."""

    __tablename__ = "recoveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # who recovers
    amount: Mapped[int | None] = mapped_column(Integer)  # None: no bonus was paid
    opened_on: Mapped[date] = mapped_column(Date)
    money_back_on: Mapped[date | None] = mapped_column(Date)
    certificate_back_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    nomination: Mapped[Nomination] = relationship()

    @property
    def done(self) -> bool:
        return self.certificate_back_on is not None and (
            self.amount is None or self.money_back_on is not None
        )


class CertificateLayout(Base):
    """Where a unit prints each line of its certificates (its pre-printed blanks differ)."""

    __tablename__ = "certificate_layouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), unique=True)
    layout: Mapped[dict[str, Any]] = mapped_column(JsonType)


class Member(Base):
    """Someone (a union member, đoàn viên) or a collective (a CĐCS, a tổ công đoàn, a
    department) as the registry knows them across years and units: what ties this year's
    Nguyễn Thị Ánh Tuyết to last year's, and so her earlier titles to her next nomination."""

    __tablename__ = "members"
    __table_args__ = (_enum_check("kind", NomineeKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # mã đoàn viên / mã tập thể
    kind: Mapped[str] = mapped_column(String(20))
    full_name: Mapped[str] = mapped_column(String(200))
    # The name as a search and the duplicate check compare it (workflow.folding).
    search: Mapped[str] = mapped_column(String(200), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(10))  # "female" | "male"
    position: Mapped[str] = mapped_column(String(200), default="")
    # The citizen id (CCCD) sealed with the data key (workflow.personal); its last digits
    # show it masked to those who may see the member, the whole to the unit's officer only.
    cccd_sealed: Mapped[str | None] = mapped_column(String(300))
    cccd_last: Mapped[str | None] = mapped_column(String(4))
    # Set when merged into another record (a duplicate): the other keeps both histories.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="member", order_by="Membership.valid_from"
    )

    @validates("full_name")
    def _fold_name(self, _key: str, name: str) -> str:
        self.search = fold(name)
        return name

    def unit_on(self, day: date) -> int | None:
        """The unit the member belongs to on ``day`` (people move; memberships are dated)."""
        for m in self.memberships:
            if within(day, m.valid_from, m.valid_to):
                return m.unit_id
        return None


class Membership(Base):
    """A member's belonging to a unit for a period: a move ends one and starts another."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_from <= valid_to", name="membership_dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    member: Mapped[Member] = relationship(back_populates="memberships")
    unit: Mapped[Unit] = relationship()


class MemberYear(Base):
    """A year's evaluation (bình xét) of a member, entered once by the unit they then belong
    to: what every nomination of theirs reads instead of asking again."""

    __tablename__ = "member_years"
    __table_args__ = (UniqueConstraint("member_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # who recorded it
    rating: Mapped[str | None] = mapped_column(String(20))  # rules/words.py RATINGS
    absent_days: Mapped[int | None] = mapped_column(Integer)
    months_employed: Mapped[int | None] = mapped_column(Integer)
    discipline: Mapped[str | None] = mapped_column(String(20))  # rules/words.py DISCIPLINE
    # [{"title", "scope", "benefit_vnd", "recognized_by"}] of that year
    initiatives: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)


class DeclaredTitle(Base):
    """A title the member received outside this system (before it, or from another body),
    declared with its decision and, where there is one, a scan of it: the rules count it,
    and every page shows it as declared."""

    __tablename__ = "declared_titles"
    __table_args__ = (UniqueConstraint("member_id", "award_code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    award_code: Mapped[str] = mapped_column(String(60))  # the catalogue's code (CSTDCS…)
    award_title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(200))  # "05/QĐ-CĐVC ngày 20/12/2023"
    proof_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    declared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    declared_on: Mapped[date] = mapped_column(Date)


class Registration(Base):
    """A member registered (đăng ký thi đua) for a title of a campaign; ``late`` when after
    the campaign's registration date."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("member_id", "campaign_id", "award_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    award_code: Mapped[str] = mapped_column(String(60))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    registered_on: Mapped[date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(default=False)

    member: Mapped[Member] = relationship()
    unit: Mapped[Unit] = relationship()


class PeriodReport(Base):
    """A unit's report to its parent for one reporting period of a campaign (báo cáo định kỳ):
    the results it declares against the campaign's targets, and a few lines of its own."""

    __tablename__ = "period_reports"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    period: Mapped[str] = mapped_column(String(20))  # "2025-11", "2025-Q4", "2025-H2", "2025"
    results: Mapped[dict[str, Any]] = mapped_column(JsonType)  # target key → declared value
    note: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_on: Mapped[date] = mapped_column(Date)

    unit: Mapped[Unit] = relationship()
