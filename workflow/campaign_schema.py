"""The campaign definition format (YAML files, the admin UI and the API share it).

docs/campaigns.md describes it for people; this module is the single source of truth.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from rules import RULES
from workflow.vocabulary import Level, NomineeKind, VoteBase

CODE = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$", error="Mã chỉ gồm chữ không dấu, số, '.', '-', '_'."
)
RATIO = re.compile(r"^\s*(\d{1,4})\s*/\s*(\d{1,4})\s*$")  # a council counts people
UNIT_CODE = 40  # a unit's code is shorter than other codes (units.code)
MAX_DAYS_PER_TIER = 120  # working days a tier has: half a year of them is already generous
MAX_QUOTA = 100_000
# Decree 98/2023's largest coefficient is 46 (Huân chương Sao vàng), twice that for a collective.
MAX_COEFFICIENT = 100
CATEGORIES = ("comprehensive", "thematic", "periodic", "ad_hoc")
COMPARISONS = (">=", ">", "<=", "<", "==")
EXTRA_FACT_TYPES = ("integer", "boolean", "text")
RHYTHMS = ("monthly", "quarterly", "half_yearly", "yearly", "after_period", "ad_hoc")


# A campaign's dates lie in the years a campaign may be of (0001-01-01 was taken as written).
IN_CAMPAIGN_YEARS = validate.Range(
    min=date(2000, 1, 1), max=date(2100, 12, 31), error="Ngày phải từ năm 2000 đến năm 2100."
)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class IssuerSchema(Strict):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    level = fields.String(required=True, validate=validate.OneOf([lvl.value for lvl in Level]))


class DocumentSchema(Strict):
    number = fields.String(required=True, validate=validate.Length(min=1, max=80))
    date = fields.Date(required=True, validate=IN_CAMPAIGN_YEARS)
    place = fields.String(load_default=None)


class DocumentsSchema(Strict):
    """What the generated documents (decision, proposal letter, minutes) say beyond the data.

    Every field is optional; left out, workflow/documents/settings.py gives the default.
    """

    legal_bases = fields.List(
        fields.String(validate=validate.Length(min=1, max=500)), validate=validate.Length(max=20)
    )
    recipients = fields.List(
        fields.String(validate=validate.Length(min=1, max=300)), validate=validate.Length(max=20)
    )
    place = fields.String(validate=validate.Length(min=1, max=100))
    authority = fields.String(validate=validate.Length(min=1, max=300))
    signer_capacity = fields.String(validate=validate.Length(min=1, max=100))
    signer_title = fields.String(validate=validate.Length(min=1, max=100))


class PeriodSchema(Strict):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True)
    start = fields.Date(required=True, validate=IN_CAMPAIGN_YEARS)
    end = fields.Date(load_default=None, validate=IN_CAMPAIGN_YEARS)  # open: the year's end
    theme = fields.String(load_default=None)

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("end") and data["end"] < data["start"]:
            raise ValidationError("Ngày kết thúc trước ngày bắt đầu.", "end")


class TargetSchema(Strict):
    key = fields.String(required=True, validate=CODE)
    label = fields.String(required=True)
    unit = fields.String(load_default="")
    comparison = fields.String(required=True, validate=validate.OneOf(COMPARISONS))
    threshold = fields.Integer(required=True, strict=True)
    applies_to = fields.String(load_default=None)
    # Whom the target binds: the issuer's overall goal (the default: a plan's targets are its
    # own), or each collective it proposes (then R-TARGETS checks it on each).
    binds = fields.String(
        load_default="issuer", validate=validate.OneOf(["issuer", "each_collective"])
    )


class MovementSchema(Strict):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True)
    sector = fields.String(load_default=None)


class ReportingSchema(Strict):
    name = fields.String(required=True)
    rhythm = fields.String(required=True, validate=validate.OneOf(RHYTHMS))
    due = fields.String(load_default=None)


class RuleSpecSchema(Strict):
    rule = fields.String(required=True)
    severity = fields.String(
        load_default="blocking", validate=validate.OneOf(["blocking", "warning"])
    )
    params = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={
            "description": "Overrides of the parameters the rule declares (docs/campaigns.md"
            " lists them per rule, with their kinds); any other name is refused."
        },
    )

    @validates_schema
    def _known(self, data: dict[str, Any], **_: Any) -> None:
        if data["rule"] not in RULES:
            raise ValidationError(f"Không có quy tắc '{data['rule']}'.", "rule")
        problems = param_problems(data["rule"], data["params"])
        if problems:
            raise ValidationError(problems, "params")


def param_problems(rule_id: str, params: dict[str, Any]) -> list[str]:
    """Each override the rule does not declare, or of the wrong kind, named with its rule: a
    misspelt name (``exclusion.absent_dayz``) would otherwise be ignored without a word."""
    declared = RULES[rule_id].params
    allowed = ", ".join(sorted(declared)) or "không có"
    problems = []
    for name, value in params.items():
        kind = declared.get(name)
        if kind is None:
            problems.append(
                f"Quy tắc {rule_id} không có tham số '{name}' (tham số được phép: {allowed})."
            )
        elif not kind.accepts(value):
            problems.append(
                f"Tham số '{name}' của quy tắc {rule_id} phải là {kind.vi}, không phải {_shown(value)}."
            )
    return problems


def _shown(value: Any, limit: int = 60) -> str:
    """A value as the file wrote it (``true``, ``"3 ngày"``), cut short: it goes into a message."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ExtraFactSchema(Strict):
    """A fact the campaign asks for beyond docs/facts.md (e.g. a movement's own count)."""

    key = fields.String(required=True, validate=CODE)
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))
    type = fields.String(required=True, validate=validate.OneOf(EXTRA_FACT_TYPES))


class DeciderSchema(Strict):
    level = fields.String(load_default=None, validate=validate.OneOf([lvl.value for lvl in Level]))
    unit = fields.String(load_default=None, validate=[CODE, validate.Length(max=UNIT_CODE)])

    @validates_schema
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        if bool(data.get("level")) == bool(data.get("unit")):
            raise ValidationError("Ghi một trong hai: 'level' hoặc 'unit'.", "level")


class VoteSchema(Strict):
    ratio = fields.String(required=True)
    base = fields.String(
        load_default="members", validate=validate.OneOf([b.value for b in VoteBase])
    )
    secret = fields.Boolean(load_default=False)

    @validates_schema
    def _ratio(self, data: dict[str, Any], **_: Any) -> None:
        match = RATIO.match(data["ratio"])
        if not match or not 0 < int(match[1]) <= int(match[2]):
            raise ValidationError(
                "Tỷ lệ dạng 'a/b' với 0 < a ≤ b, ví dụ '2/3' hay '90/100'.", "ratio"
            )


class DeadlinesSchema(Strict):
    submit_by = fields.Date(load_default=None, validate=IN_CAMPAIGN_YEARS)
    days_per_tier = fields.Integer(
        load_default=None, strict=True, validate=validate.Range(min=1, max=MAX_DAYS_PER_TIER)
    )


class QuotaSchema(Strict):
    """``per_unit`` proposals per proposing unit, or, with ``level``, per unit of that level
    as it forwards them (1689/QĐ-TLĐ 2019, Điều 15: ≤ 4 per LĐLĐ tỉnh); ``nationwide`` caps
    the campaign's proposals of the award (≤ 300)."""

    per_unit = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=MAX_QUOTA)
    )
    level = fields.String(load_default=None, validate=validate.OneOf([lv.value for lv in Level]))
    nationwide = fields.Integer(
        load_default=None, strict=True, validate=validate.Range(min=0, max=MAX_QUOTA)
    )


def _at_most_four_places(value: Decimal) -> None:
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -4:
        raise ValidationError("Tối đa 4 chữ số sau dấu phẩy.")


class AwardSchema(Strict):
    code = fields.String(required=True, validate=CODE)
    catalogue = fields.String(load_default=None)
    title = fields.String(load_default=None, validate=validate.Length(min=1, max=300))
    nominee_kind = fields.String(
        load_default=None, validate=validate.OneOf([k.value for k in NomineeKind])
    )
    category = fields.String(load_default=None, validate=validate.OneOf(CATEGORIES))
    decider = fields.Nested(DeciderSchema, load_default=None)
    rules = fields.List(fields.Nested(RuleSpecSchema), load_default=None)
    quota = fields.Nested(QuotaSchema, load_default=None)
    vote = fields.Nested(VoteSchema, load_default=None)
    notice_days = fields.Integer(
        load_default=None, strict=True, validate=validate.Range(min=0, max=90)
    )
    deadlines = fields.Nested(DeadlinesSchema, load_default=None)
    # The metadata keeps the OpenAPI minimum a number: apispec would write it through the
    # as_string field, as the string "0", which OpenAPI validators (and client generators) refuse.
    bonus_coefficient = fields.Decimal(
        load_default=None,
        as_string=True,
        validate=[
            validate.Range(min=0, max=MAX_COEFFICIENT),
            _at_most_four_places,
        ],
        metadata={"minimum": 0, "maximum": MAX_COEFFICIENT},
    )
    movement = fields.String(load_default=None)
    # An award the plan does not name, encoded from its wording: the wording it was read from.
    # Shown with the award, so nobody takes an encoder's inference for the plan's text.
    inferred_from = fields.String(load_default=None, validate=validate.Length(min=1, max=500))


class CampaignSchema(Strict):
    code = fields.String(required=True, validate=CODE)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    issuer = fields.Nested(IssuerSchema, required=True)
    parent = fields.String(load_default=None, validate=CODE)
    parent_document = fields.String(load_default=None)
    document = fields.Nested(DocumentSchema, load_default=None)
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    reference_date = fields.Date(load_default=None, validate=IN_CAMPAIGN_YEARS)
    # When registrations (đăng ký thi đua) are due; absent: 25 January of the year.
    registration_by = fields.Date(validate=IN_CAMPAIGN_YEARS)
    periods = fields.List(fields.Nested(PeriodSchema), load_default=list)
    targets = fields.List(fields.Nested(TargetSchema), load_default=list)
    movements = fields.List(fields.Nested(MovementSchema), load_default=list)
    reporting = fields.List(fields.Nested(ReportingSchema), load_default=list)
    awards = fields.List(fields.Nested(AwardSchema), load_default=list)
    # No load_default (as `documents`): a campaign without it stores and hashes as before.
    extra_facts = fields.List(fields.Nested(ExtraFactSchema))
    notes = fields.String(load_default=None)
    # No load_default: a campaign without it stores (and hashes) exactly as before.
    documents = fields.Nested(DocumentsSchema)

    @validates_schema
    def _unique_codes(self, data: dict[str, Any], **_: Any) -> None:
        for name in ("periods", "targets", "awards", "movements", "extra_facts"):
            codes = [item.get("key") or item.get("code") for item in data.get(name) or []]
            duplicates = sorted({c for c in codes if codes.count(c) > 1})
            if duplicates:
                raise ValidationError(f"Mã trùng: {', '.join(duplicates)}.", name)

    @post_load
    def _defaults(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["reference_date"] = data["reference_date"] or date(data["year"], 12, 31)
        return data


class CatalogueSchema(Strict):
    awards = fields.List(fields.Nested(AwardSchema), required=True)


REQUIRED_AWARD_FIELDS = (
    "title",
    "nominee_kind",
    "category",
    "decider",
    "rules",
    "vote",
    "notice_days",
)


def error_pairs(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """{'awards': {2: {'vote': {'ratio': ['…']}}}} → [('awards.2.vote.ratio', '…')]"""
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            out += error_pairs(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(prefix, " ".join(messages))]
    if isinstance(messages, list):
        return [pair for m in messages for pair in error_pairs(m, prefix)]
    return [(prefix, str(messages))]


def flatten_errors(messages: Any, prefix: str = "", lang: str = "en") -> list[str]:
    """{'awards': {2: {'vote': {'ratio': ['…']}}}} → ['awards.2.vote.ratio: …'], the
    messages in ``lang``."""
    return [f"{path}: {in_language(text, lang)}" for path, text in error_pairs(messages, prefix)]


# marshmallow's own messages (ours are written in both languages where they are raised), as a
# Vietnamese reader gets them; a message not listed here is shown as it is.
_VIETNAMESE = [
    (re.compile(pattern), vi)
    for pattern, vi in (
        (r"Missing data for required field\.", "chưa điền (bắt buộc)."),
        (r"Unknown field\.", "không có mục này."),
        (r"Field may not be null\.", "không được để trống."),
        (r"Not a valid integer\.", "không phải số nguyên."),
        (r"Not a valid number\.", "không phải số."),
        (r"Not a valid date\.", "không phải ngày hợp lệ."),
        (r"Not a valid string\.", "không phải chữ."),
        (r"Not a valid boolean\.", "không phải có/không."),
        (r"Not a valid list\.", "không phải danh sách."),
        (r"Not a valid mapping type\.", "không phải bảng giá trị."),
        (r"Invalid value\.", "không hợp lệ."),
        (r"Invalid input type\.", "sai kiểu dữ liệu."),
        (r"At most (\d+) rows\.", r"tối đa \1 dòng."),
        (r"String does not match expected pattern\.", "không đúng dạng."),
        (r"Must be one of: (.*)\.", r"phải là một trong: \1."),
        (r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\.",
         r"phải từ \1 đến \2."),
        (r"Must be greater than or equal to (\S+)\.", r"phải từ \1 trở lên."),
        (r"Must be less than or equal to (\S+)\.", r"tối đa là \1."),
        (r"Length must be between (\d+) and (\d+)\.", r"dài từ \1 đến \2 ký tự."),
        (r"Longer than maximum length (\d+)\.", r"dài quá \1 ký tự."),
        (r"Shorter than minimum length (\d+)\.", r"ngắn hơn \1 ký tự."),
        (r"Special numeric values \(nan or infinity\) are not permitted\.",
         "không phải số hữu hạn."),
    )
]  # fmt: skip


def in_language(message: str, lang: str) -> str:
    """A validation message in ``lang`` (each of its sentences translated when known)."""
    if lang == "en":
        return message
    out = message
    for pattern, vi in _VIETNAMESE:
        out = pattern.sub(vi, out)
    return out


def parse_ratio(text: str) -> tuple[int, int]:
    match = RATIO.match(text)
    if match is None:
        raise ValueError(text)
    return int(match[1]), int(match[2])
