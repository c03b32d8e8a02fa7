"""marshmallow schemas of every API request and response (the OpenAPI document's source)."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import RAISE, Schema, fields, validate

from rules.results import ClauseStatus, Status
from workflow import accounts, events
from workflow.vocabulary import MAX_ACHIEVEMENTS, MAX_BENEFIT_VND, Level, NomineeKind, Role, State

LEVELS = [lvl.value for lvl in Level]
ROLES = [r.value for r in Role]
STATES = [s.value for s in State]


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": "machine-readable error code"})
    message = fields.String(required=True, metadata={"description": "for people (Vietnamese)"})
    details = fields.Raw(allow_none=True, metadata={"description": "every failing field or rule"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class TokenRequestSchema(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


class PasswordChangeSchema(Strict):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "at least 12 characters; not a common or breached password, not the "
            "username (422 with details.password: too_short, too_common, same_as_username, "
            "demo_password)"
        },
    )


class PasswordResetSchema(Strict):
    password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "a temporary password under the same policy; the user must change "
            "it at their next login"
        },
    )


class AssignmentSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    unit_code = fields.String(required=True)
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    acting_for = fields.String(allow_none=True)


class MeSchema(Schema):
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    email = fields.String(allow_none=True)
    roles = fields.List(fields.Nested(AssignmentSchema), required=True)


class UnitInSchema(Strict):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    parent_code = fields.String(load_default=None, allow_none=True)
    # Printed after document numbers ("05/QĐ-LĐLĐ"); a default by level when omitted.
    abbreviation = fields.String(load_default=None, allow_none=True)


class UnitSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    abbreviation = fields.String(required=True)
    level = fields.String(required=True)
    parent_code = fields.String(allow_none=True)


class RoleInSchema(Strict):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    unit_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    valid_from = fields.Date(load_default=None, allow_none=True)
    valid_to = fields.Date(load_default=None, allow_none=True)
    acting_for = fields.String(load_default=None, allow_none=True)


class UserInSchema(Strict):
    username = fields.String(required=True, validate=validate.Regexp(accounts.USERNAME_PATTERN))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    # The policy (12 characters at least, not common, not the username) is the domain's: its
    # 422 names what is wrong (details.password: too_short, too_common, same_as_username, …).
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    roles = fields.List(fields.Nested(RoleInSchema), load_default=list)


class CampaignSummarySchema(Schema):
    code = fields.String(required=True)
    title = fields.String(required=True)
    year = fields.Integer(required=True)
    rule_set_version = fields.String(allow_none=True)


class CampaignSchema(CampaignSummarySchema):
    definition = fields.Dict(required=True)


class NomineeSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in NomineeKind]))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    key = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    position = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class NominationInSchema(Strict):
    campaign = fields.String(required=True, validate=validate.Length(min=1, max=60))
    award_type = fields.String(required=True, validate=validate.Length(min=1, max=60))
    nominee = fields.Nested(NomineeSchema, required=True)
    facts = fields.Dict(keys=fields.String(), load_default=dict)
    achievements = fields.String(load_default="", validate=validate.Length(max=MAX_ACHIEVEMENTS))
    unit = fields.String(load_default=None, allow_none=True)


class NominationPatchSchema(Strict):
    nominee = fields.Nested(NomineeSchema)
    facts = fields.Dict(keys=fields.String())
    achievements = fields.String(validate=validate.Length(max=MAX_ACHIEVEMENTS))


class NominationSchema(Schema):
    id = fields.Integer(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    state_label = fields.String(required=True)
    version = fields.Integer(required=True)
    campaign = fields.String(required=True)
    award_type = fields.String(required=True)
    nominee = fields.Dict(required=True)
    facts = fields.Dict(required=True)
    achievements = fields.String(required=True)
    origin_unit = fields.String(required=True)
    current_unit = fields.String(required=True)
    route = fields.List(fields.String(), allow_none=True)
    vote = fields.Dict(allow_none=True)
    notice_ends_on = fields.Date(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    rule_set_version = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class NominationPageSchema(Schema):
    items = fields.List(fields.Nested(NominationSchema), required=True)
    next_cursor = fields.String(allow_none=True)


class ListArgsSchema(Strict):
    state = fields.String(validate=validate.OneOf(STATES))
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "part of a name"})
    campaign = fields.String(validate=validate.Length(max=60))
    award_type = fields.String(validate=validate.Length(max=60))
    unit = fields.String(
        validate=validate.Length(max=40),
        metadata={"description": "a unit's code: proposed by it or by any unit below it"},
    )
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    cursor = fields.String(validate=validate.Regexp(r"^[0-9]{1,12}$"))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class InboxArgsSchema(Strict):
    campaign = fields.String(validate=validate.Length(max=60))
    award_type = fields.String(validate=validate.Length(max=60))
    unit = fields.String(
        validate=validate.Length(max=40),
        metadata={"description": "a unit's code: proposed by it or by any unit below it"},
    )
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    cursor = fields.String(validate=validate.Regexp(r"^[0-9]{1,12}$"))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class EventChoice(validate.OneOf):
    """One of the events the event table lets a caller fire (``workflow.events.direct``),
    read from the table each time: when a request is checked, and when an app builds its
    OpenAPI document (``event_table_properties`` adds each event's roles, reason and data)."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.labels_text = ""
        self.error = self.default_message

    @property
    def choices(self) -> list[str]:
        return events.direct()

    @property
    def choices_text(self) -> str:
        return ", ".join(self.choices)


def event_table_properties(converter: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
    """An apispec attribute function: the event field's description and ``x-events`` (per
    event: the role in each state, whether a reason is required, the data it carries)."""
    if not any(isinstance(v, EventChoice) for v in field.validators):
        return {}
    table = {
        name: {
            "roles": {str(state): role.value for state, role in spec.roles.items()},
            "reason_required": spec.reason,
            "data": list(spec.data),
        }
        for name, spec in events.EVENTS.items()
        if spec.direct
    }
    lines = [
        f"{name}: "
        + ", ".join(f"{role} in {state}" for state, role in row["roles"].items())
        + ("; reason required" if row["reason_required"] else "")
        + (f"; carries {', '.join(row['data'])}" if row["data"] else "")
        for name, row in table.items()
    ]
    return {"description": "The event to fire. " + " · ".join(lines), "x-events": table}


EventInSchema = Strict.from_dict(
    {
        "event": fields.String(required=True, validate=EventChoice()),
        "version": fields.Integer(required=True, strict=True, validate=validate.Range(min=1)),
        "comment": fields.String(
            load_default=None, allow_none=True, validate=validate.Length(max=4000)
        ),
        **events.data_fields(),  # what each event carries, as the event table declares it
    },
    name="EventInSchema",
)


class OutcomeSchema(Schema):
    id = fields.Integer(required=True)
    state = fields.String(required=True)
    version = fields.Integer(required=True)
    current_unit = fields.String(required=True)
    seq = fields.Integer(required=True)


class SourceSchema(Schema):
    clause = fields.String(required=True)
    valid_from = fields.String(allow_none=True)
    valid_to = fields.String(allow_none=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf([s.value for s in ClauseStatus]),
        metadata={"description": "how faithfully the clause is encoded (docs/rules.md)"},
    )


class MessageSchema(Schema):
    vi = fields.String(required=True)
    en = fields.String(required=True)


class CheckResultSchema(Schema):
    rule = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in Status]))
    severity = fields.String(required=True, validate=validate.OneOf(["blocking", "warning"]))
    message = fields.Nested(MessageSchema, required=True)
    source = fields.Nested(SourceSchema, required=True)
    values = fields.Dict(required=True)


class ChecksSchema(Schema):
    eligible = fields.Boolean(required=True, metadata={"description": "no rule fails"})
    to_review = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "rules that could not answer: a fact missing, or no clause"},
    )
    rule_set_version = fields.String(allow_none=True)
    results = fields.List(fields.Nested(CheckResultSchema), required=True)
    changed_since_submit = fields.List(fields.String(), required=True)


class TrailEntrySchema(Schema):
    seq = fields.Integer(required=True)
    at = fields.String(required=True)
    actor = fields.String(required=True)
    acting_for = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    event = fields.String(required=True)
    from_state = fields.String(allow_none=True)
    to_state = fields.String(required=True)
    from_unit = fields.String(allow_none=True)
    to_unit = fields.String(required=True)
    comment = fields.String(allow_none=True)
    data = fields.Dict(required=True)
    version = fields.Integer(required=True)
    prev_hash = fields.String(required=True)
    hash = fields.String(required=True)


class VerifySchema(Schema):
    """A verification of the trail: ``status`` is never, running, interrupted, ok, failed
    (the chain is broken: ``first_bad_seq``, ``problems``) or error (the run itself failed)."""

    status = fields.String(required=True)
    ok = fields.Boolean(allow_none=True)
    checked = fields.Integer()
    total = fields.Integer()
    first_bad_seq = fields.Integer(allow_none=True)
    head_seq = fields.Integer(allow_none=True)
    head_hash = fields.String(allow_none=True)
    problems = fields.List(fields.String(), allow_none=True)
    started_at = fields.DateTime()
    started_by = fields.String()
    finished_at = fields.DateTime(allow_none=True)
    error = fields.String(allow_none=True)


class DecisionInSchema(Strict):
    nomination_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1)),
        required=True, validate=validate.Length(min=1, max=500),
    )  # fmt: skip
    signed_on = fields.Date(required=True)


class DecisionSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    unit = fields.String(required=True)
    signed_on = fields.Date(required=True)
    signer = fields.String(required=True)
    nominations = fields.List(fields.Integer(), required=True)


DOCUMENT_FORMATS = ["docx", "pdf"]


class DocumentArgsSchema(Strict):
    format = fields.String(
        required=True,
        validate=validate.OneOf(DOCUMENT_FORMATS),
        metadata={"description": "docx (Word, to sign and file) or pdf (to read and publish)"},
    )


class NotificationSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    nomination_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True)


class NotificationsReadSchema(Strict):
    ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1)),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=500),
        metadata={"description": "the notifications to mark read; all of the caller's if absent"},
    )


class MarkedSchema(Schema):
    marked = fields.Integer(required=True)


class ImportArgsSchema(Strict):
    campaign = fields.String(required=True, validate=validate.Length(min=1, max=60))
    unit = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "the proposing CĐCS, for an officer of several units"},
    )


class ImportFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "the list, .xlsx"})


class ImportProblemSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True, metadata={"description": "in Vietnamese"})
    message_en = fields.String(required=True)


class ImportRowSchema(Schema):
    row = fields.Integer(required=True, metadata={"description": "row number in the sheet"})
    status = fields.String(required=True, metadata={"description": "valid, invalid, duplicate"})
    nominee_name = fields.String(allow_none=True)
    award_type = fields.String(allow_none=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Nested(ImportProblemSchema))


class ImportBatchSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "pending or confirmed"})
    campaign = fields.String(required=True)
    unit = fields.String(required=True)
    filename = fields.String(required=True)
    valid = fields.Integer(required=True)
    invalid = fields.Integer(required=True)
    duplicate = fields.Integer(required=True)
    created = fields.Integer(required=True)
    rows = fields.List(fields.Nested(ImportRowSchema), required=True)


class ImportConfirmedSchema(Schema):
    created = fields.List(fields.Integer(), required=True)


# --- the registry (issue 15) ------------------------------------------------------------------

GENDERS = ("female", "male")


class MemberArgsSchema(Strict):
    q = fields.String(load_default="", validate=validate.Length(max=100),
                      metadata={"description": "part of a name (diacritics ignored) or a code"})  # fmt: skip


class MemberInSchema(Strict):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(
        load_default="individual", validate=validate.OneOf([k.value for k in NomineeKind])
    )
    birth_date = fields.Date(load_default=None, allow_none=True)
    gender = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(GENDERS))
    position = fields.String(load_default="", validate=validate.Length(max=200))
    cccd = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20),
                         metadata={"description": "citizen id, 12 digits; stored sealed"})  # fmt: skip
    unit = fields.String(required=True, validate=validate.Length(min=1, max=40))
    joined_on = fields.Date(required=True)
    namesake_ok = fields.Boolean(
        load_default=False,
        metadata={"description": "the unit's member of the same name and birth date is "
                  "someone else (else refused as a likely duplicate)"},
    )  # fmt: skip


class MembershipSchema(Schema):
    unit = fields.String(required=True)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(allow_none=True)


class InitiativeInSchema(Strict):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    scope = fields.String(required=True, validate=validate.OneOf(["co_so", "tinh", "toan_quoc"]))
    benefit_vnd = fields.Integer(
        load_default=0, validate=validate.Range(min=0, max=MAX_BENEFIT_VND)
    )
    recognized_by = fields.String(load_default="", validate=validate.Length(max=300))


class YearInSchema(Strict):
    """Only the values sent change; the others stay as recorded."""

    rating = fields.String(allow_none=True, validate=validate.Length(max=20))
    absent_days = fields.Integer(allow_none=True, strict=True)
    months_employed = fields.Integer(allow_none=True, strict=True)
    discipline = fields.String(allow_none=True, validate=validate.Length(max=20))
    initiatives = fields.List(fields.Nested(InitiativeInSchema), validate=validate.Length(max=50))


class YearSchema(Schema):
    year = fields.Integer(required=True)
    rating = fields.String(allow_none=True)
    absent_days = fields.Integer(allow_none=True)
    months_employed = fields.Integer(allow_none=True)
    discipline = fields.String(allow_none=True)
    initiatives = fields.List(fields.Dict(), required=True)


class TitleSchema(Schema):
    year = fields.Integer(required=True)
    award_title = fields.String(required=True)
    decision = fields.String(allow_none=True)
    signed_on = fields.Date(allow_none=True)
    declared = fields.Boolean(required=True)
    revoked = fields.Boolean(required=True)


class MemberSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    kind = fields.String(required=True)
    full_name = fields.String(required=True)
    birth_date = fields.Date(allow_none=True)
    gender = fields.String(allow_none=True)
    position = fields.String(required=True)
    cccd = fields.String(
        required=True, metadata={"description": "masked, whole to the unit's officer"}
    )
    memberships = fields.List(fields.Nested(MembershipSchema), required=True)


class MemberRecordSchema(MemberSchema):
    years = fields.List(fields.Nested(YearSchema), required=True)
    titles = fields.List(fields.Nested(TitleSchema), required=True)


class RegistrationInSchema(Strict):
    award = fields.String(required=True, validate=validate.Length(min=1, max=60))
    member_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
                             required=True, validate=validate.Length(min=1, max=1000))  # fmt: skip


class RegistrationSchema(Schema):
    member_id = fields.Integer(required=True)
    award = fields.String(required=True, attribute="award_code")
    registered_on = fields.Date(required=True)
    late = fields.Boolean(required=True)


class OfferArgsSchema(Strict):
    unit = fields.String(required=True, validate=validate.Length(min=1, max=40))


class OfferSchema(Schema):
    member_id = fields.Integer(required=True)
    member = fields.String(required=True)
    award = fields.String(required=True)
    results = fields.List(fields.Nested(CheckResultSchema), required=True)


class AwaitingEvaluationSchema(Schema):
    member_id = fields.Integer(required=True)
    member = fields.String(required=True)


class PickSchema(Strict):
    member_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    award = fields.String(required=True, validate=validate.Length(min=1, max=60))


class ProposalInSchema(Strict):
    unit = fields.String(required=True, validate=validate.Length(min=1, max=40))
    picks = fields.List(
        fields.Nested(PickSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class StatisticsArgsSchema(Strict):
    unit = fields.String(required=True, validate=validate.Length(min=1, max=40))
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    campaign = fields.String(load_default=None, validate=validate.Length(max=60))
    award = fields.String(load_default=None, validate=validate.Length(max=60))


class TallySchema(Schema):
    count = fields.Integer(required=True)
    money = fields.Integer(required=True, metadata={"description": "VND"})


class YearFiguresSchema(Schema):
    year = fields.Integer(required=True)
    total = fields.Nested(TallySchema, required=True)
    by_award = fields.Dict(keys=fields.String(), values=fields.Nested(TallySchema), required=True)
    by_level = fields.Dict(keys=fields.String(), values=fields.Nested(TallySchema), required=True)
    by_kind = fields.Dict(keys=fields.String(), values=fields.Nested(TallySchema), required=True)
    by_unit = fields.Dict(
        keys=fields.String(), values=fields.Nested(TallySchema), required=True,
        metadata={"description": "by the code of each unit one level below"},
    )  # fmt: skip
    individuals = fields.Integer(required=True)
    women = fields.Integer(required=True)
    gender_unknown = fields.Integer(required=True)
    direct_workers = fields.Integer(required=True)


class StatisticsSchema(Schema):
    unit = fields.String(required=True)
    this_year = fields.Nested(YearFiguresSchema, required=True)
    last_year = fields.Nested(YearFiguresSchema, required=True)
