"""The nominee's facts format (docs/facts.md) as a marshmallow schema, and which facts an
award type's rules need (so forms and imports ask exactly for those)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from rules import RULES
from workflow.campaign_schema import flatten_errors
from workflow.errors import InvalidInput
from workflow.models import AwardType, Campaign

RATINGS = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")
SCOPES = ("co_so", "tinh", "toan_quoc")
DISCIPLINE = ("khien_trach", "canh_cao", "ha_bac", "cach_chuc", "buoc_thoi_viec")
GRADES = ("hoan_thanh_xuat_sac", "hoan_thanh_tot", "hoan_thanh", "khong_hoan_thanh")
EDUCATION = ("postgraduate", "university", "college", "vocational", "secondary")
YEAR = fields.Integer(strict=True, validate=validate.Range(min=1975, max=2100))


class InitiativeSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=1975, max=2100))
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    benefit_vnd = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0))
    recognized_by = fields.String(load_default="", validate=validate.Length(max=300))


class PriorTitleSchema(Schema):
    award_type = fields.String(required=True, validate=validate.Length(min=1, max=60))
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=1975, max=2100))


class DisciplineSchema(Schema):
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=1975, max=2100))
    level = fields.String(required=True, validate=validate.OneOf(DISCIPLINE))


def _by_year(values: tuple[str, ...]) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^(19|20)\d\d$")),
        values=fields.String(validate=validate.OneOf(values)),
    )


class FactsSchema(Schema):
    """Every key is known: a misspelt one ("rating") would leave its rule "unknown" and block
    nothing. Keys a campaign declares itself (``extra_facts``) are checked apart."""

    class Meta:
        unknown = RAISE

    ratings = _by_year(RATINGS)
    initiatives = fields.List(fields.Nested(InitiativeSchema))
    prior_titles = fields.List(fields.Nested(PriorTitleSchema))
    discipline = fields.List(fields.Nested(DisciplineSchema))
    registered = fields.Boolean()
    absent_days = fields.Integer(strict=True, validate=validate.Range(min=0, max=366))
    months_employed = fields.Integer(strict=True, validate=validate.Range(min=0, max=12))
    is_leader = fields.Boolean()
    education = fields.String(validate=validate.OneOf(EDUCATION))
    gender = fields.String(validate=validate.OneOf(("female", "male")))
    achievement_ref = fields.String(validate=validate.Length(min=1, max=200))
    grades = _by_year(GRADES)
    months_operating = fields.Integer(strict=True, validate=validate.Range(min=0, max=1200))
    reorganized = fields.Boolean()
    targets = fields.Dict(keys=fields.String(), values=fields.Integer(strict=True))
    fatal_accidents = fields.Integer(strict=True, validate=validate.Range(min=0))
    score = fields.Integer(strict=True, validate=validate.Range(min=0, max=1000))


_FACTS = FactsSchema()  # building a schema costs more than loading with it


_EXTRA_FIELDS: dict[str, fields.Field[Any]] = {
    "integer": fields.Integer(strict=True),
    "boolean": fields.Boolean(),
    "text": fields.String(validate=validate.Length(max=2000)),
}


def extra_facts(campaign: Campaign) -> list[dict[str, Any]]:
    """The facts a campaign declares beyond docs/facts.md."""
    return list((campaign.definition or {}).get("extra_facts") or [])


def validate_facts(raw: Any, extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The facts as stored, or InvalidInput naming every wrong or unknown key.

    ``extra``: the campaign's own facts (``extra_facts``), accepted with their declared type.
    """
    if not isinstance(raw, dict):
        raise InvalidInput("Thông tin kê khai phải là một đối tượng.", "Facts must be an object.")
    declared = {spec["key"]: _EXTRA_FIELDS[spec["type"]] for spec in extra or []}
    schema: Schema = _FACTS
    if declared:
        known: dict[str, fields.Field[Any]] = dict(_FACTS.declared_fields)
        schema = Schema.from_dict(known | declared)()
    try:
        loaded: dict[str, Any] = schema.load(raw)
    except ValidationError as err:
        problems = flatten_errors(err.messages, "facts")
        messages = err.messages if isinstance(err.messages, dict) else {}
        unknown = sorted(k for k, v in messages.items() if v == ["Unknown field."])
        raise InvalidInput(
            "Thông tin kê khai chưa đúng: "
            + "; ".join(problems).replace(
                "Unknown field.", "không có thông tin này trong danh mục thông tin kê khai"
            ),
            "Invalid facts: " + "; ".join(problems),
            {"facts": problems} | ({"unknown_keys": unknown} if unknown else {}),
        ) from None
    return loaded


def needed_facts(award: AwardType) -> list[str]:
    """The facts the award type's rules read, in the order they first appear."""
    seen: list[str] = []
    for spec in award.rules or []:
        for need in RULES[spec["rule"]].needs:
            if need not in seen:
                seen.append(need)
    return seen
