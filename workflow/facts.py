"""The nominee's facts format (docs/facts.md) as a marshmallow schema, and which facts an
award type's rules need (so forms and imports ask exactly for those).

The schema is the one place a fact is defined: its field gives the type (and so how a form
reads it), its metadata the form's label in Vietnamese and English. :data:`FACT_FIELDS` is
derived from it, so adding a fact is one edit here (plus docs/facts.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from rules import RULES, words
from workflow.campaign_schema import error_pairs, flatten_errors, in_language
from workflow.errors import InvalidInput
from workflow.models import AwardType, Campaign
from workflow.vocabulary import FIELD_LABELS, MAX_BENEFIT_VND

RATINGS = tuple(words.RATINGS)
SCOPES = tuple(words.SCOPES)
DISCIPLINE = tuple(words.DISCIPLINE)
GRADES = tuple(words.GRADES)
TRAINING_RESULTS = ("xuat_sac", "gioi", "kha", "trung_binh")
EDUCATION = tuple(words.EDUCATION)
YEAR = fields.Integer(strict=True, validate=validate.Range(min=1975, max=2100))
ROWS = 3  # empty rows a form offers for a list fact
MAX_LIST_ROWS = 200  # rows a list fact may hold: 5,000 initiatives were taken as sent


def label(vi: str, en: str, **more: Any) -> dict[str, Any]:
    """A field's metadata: the form's label in both languages (``{year}`` and ``{number}``
    stand for a year of ``ratings``/``grades`` and a row of a list), and for lists ``rows``."""
    return {"label": (vi, en), **more}


class InitiativeSchema(Schema):
    title = fields.String(
        required=True,
        validate=validate.Length(min=1, max=300),
        metadata=label("Sáng kiến {number}: tên", "Initiative {number}: title"),
    )
    year = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1975, max=2100),
        metadata=label("Năm", "Year"),
    )
    scope = fields.String(
        required=True,
        validate=validate.OneOf(SCOPES),
        metadata=label("Phạm vi", "Scope", choices=words.SCOPES),
    )
    benefit_vnd = fields.Integer(
        load_default=0,
        strict=True,
        validate=validate.Range(min=0, max=MAX_BENEFIT_VND),
        metadata=label("Giá trị làm lợi (đồng)", "Benefit (VND)"),
    )
    recognized_by = fields.String(
        load_default="",
        validate=validate.Length(max=300),
        metadata=label("Cơ quan công nhận", "Recognised by"),
    )


class PriorTitleSchema(Schema):
    award_type = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata=label("Danh hiệu {number}", "Title {number}"),
    )
    year = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1975, max=2100),
        metadata=label("Năm", "Year"),
    )


class DisciplineSchema(Schema):
    year = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1975, max=2100),
        metadata=label(
            "Kỷ luật: năm (bỏ trống nếu không có)",
            "Disciplinary action: year (leave blank if none)",
        ),
    )
    level = fields.String(
        required=True,
        validate=validate.OneOf(DISCIPLINE),
        metadata=label("Hình thức kỷ luật", "Disciplinary measure", choices=words.DISCIPLINE),
    )


def _by_year(values: tuple[str, ...], metadata: dict[str, Any]) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^(19|20)\d\d$")),
        values=fields.String(validate=validate.OneOf(values)),
        metadata=metadata,
    )


class FactsSchema(Schema):
    """Every key is known: a misspelt one ("rating") would leave its rule "unknown" and block
    nothing. Keys a campaign declares itself (``extra_facts``) are checked apart."""

    class Meta:
        unknown = RAISE

    ratings = _by_year(
        RATINGS, label("Xếp loại năm {year}", "Rating for {year}", choices=words.RATINGS)
    )
    initiatives = fields.List(
        fields.Nested(InitiativeSchema),
        validate=validate.Length(max=MAX_LIST_ROWS, error="At most {max} rows."),
        metadata=label("Sáng kiến {number}", "Initiative {number}", rows=ROWS),
    )
    prior_titles = fields.List(
        fields.Nested(PriorTitleSchema),
        validate=validate.Length(max=MAX_LIST_ROWS, error="At most {max} rows."),
        metadata=label("Danh hiệu đã đạt {number}", "Title held {number}", rows=ROWS),
    )
    discipline = fields.List(
        fields.Nested(DisciplineSchema),
        validate=validate.Length(max=MAX_LIST_ROWS, error="At most {max} rows."),
        metadata=label("Kỷ luật {number}", "Disciplinary action {number}", rows=1),
    )
    registered = fields.Boolean(
        metadata=label(
            "Đã đăng ký thi đua",
            "Registered for the emulation movement",
        )
    )
    registered_late = fields.Boolean(
        metadata=label(
            "Đăng ký thi đua sau hạn của kế hoạch",
            "Registered after the plan's registration deadline",
        )
    )
    absent_days = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=366),
        metadata=label(
            "Số ngày nghỉ trong năm (không kể thai sản)",
            "Days of absence in the year (excluding maternity leave)",
        ),
    )
    months_employed = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=12),
        metadata=label("Số tháng công tác trong năm", "Months worked in the year"),
    )
    direct_worker = fields.Boolean(
        metadata=label(
            "Công nhân, người lao động trực tiếp sản xuất",
            "A worker directly in production",
        )
    )
    is_leader = fields.Boolean(
        metadata=label("Giữ chức vụ lãnh đạo, quản lý", "Holds a leadership or management position")
    )
    education = fields.String(
        validate=validate.OneOf(EDUCATION),
        metadata=label("Trình độ đào tạo", "Education level", choices=words.EDUCATION),
    )
    gender = fields.String(
        validate=validate.OneOf(("female", "male")),
        metadata=label(
            "Giới tính", "Gender", choices={"female": ("Nữ", "Female"), "male": ("Nam", "Male")}
        ),
    )
    achievement_ref = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata=label("Số hiệu báo cáo thành tích", "Achievement report number"),
    )
    grades = _by_year(
        GRADES,
        label(
            "Xếp loại CĐCS năm {year}", "Grassroots union rating for {year}", choices=words.GRADES
        ),
    )
    months_operating = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=1200),
        metadata=label(
            "Số tháng CĐCS đã hoạt động", "Months the grassroots union has been operating"
        ),
    )
    reorganized = fields.Boolean(
        metadata=label("Mới chia tách, sáp nhập", "Recently split or merged")
    )
    # Keyed by the campaign's targets: a form asks for each with the campaign's own label.
    targets = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(strict=True),
        metadata=label("Kết quả chỉ tiêu", "Target results"),
    )
    fatal_accidents = fields.Integer(
        strict=True,
        validate=validate.Range(min=0),
        metadata=label("Số vụ tai nạn lao động chết người", "Fatal occupational accidents"),
    )
    score = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=1000),
        metadata=label("Điểm chấm thi đua", "Emulation score"),
    )
    serious_incidents = fields.Integer(
        strict=True,
        validate=validate.Range(min=0),
        metadata=label(
            "Số sự cố kỹ thuật nghiêm trọng, cháy, nổ trong năm",
            "Serious technical incidents, fires or explosions in the year",
        ),
    )
    # Training in the year (HD 1217/HD-TLĐ 2016): a year or more with a result of "khá" or
    # better counts as LĐTT; less is added to the months worked.
    training_months = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=12),
        metadata=label("Số tháng đi học, đào tạo trong năm", "Months in training in the year"),
    )
    training_result = fields.String(
        validate=validate.OneOf(TRAINING_RESULTS),
        metadata=label(
            "Kết quả học tập, đào tạo",
            "Training result",
            choices={
                "xuat_sac": ("Xuất sắc", "Excellent"),
                "gioi": ("Giỏi", "Very good"),
                "kha": ("Khá", "Good"),
                "trung_binh": ("Trung bình", "Average"),
            },
        ),
    )


@dataclass(frozen=True)
class FactField:
    """How a form asks for one fact (or one column of a list fact), derived from its schema
    field. ``kind`` says how it is entered and read back:

    ``number``/``text`` one input · ``choice`` a select of ``choices`` · ``check`` a checkbox ·
    ``by_year`` a select per year · ``by_key`` a number per campaign target ·
    ``rows`` ``rows`` groups of ``columns``.
    """

    name: str
    kind: str
    labels: tuple[str, str]
    choices: tuple[str, ...] = ()
    choice_labels: Mapping[str, tuple[str, str]] = field(default_factory=dict, hash=False)
    columns: tuple[FactField, ...] = ()
    rows: int = 0

    def label(self, lang: str, **values: Any) -> str:
        """The label in ``lang`` (``en`` or Vietnamese), ``{year}``/``{number}`` filled in."""
        return self.labels[1 if lang == "en" else 0].format(**values)

    def choice_label(self, choice: str, lang: str) -> str:
        """A choice as people read it; a code without a label is shown as it is."""
        labels = self.choice_labels.get(choice)
        return labels[1 if lang == "en" else 0] if labels else choice


def _choices(f: fields.Field[Any] | None) -> tuple[str, ...]:
    for v in f.validators if f is not None else []:
        if isinstance(v, validate.OneOf):
            return tuple(v.choices)
    return ()


def _kind(f: fields.Field[Any]) -> str:
    if isinstance(f, fields.Boolean):
        return "check"
    if isinstance(f, fields.Integer):
        return "number"
    if isinstance(f, fields.Dict):
        return "by_key" if isinstance(f.value_field, fields.Integer) else "by_year"
    if isinstance(f, fields.List):
        return "rows"
    return "choice" if _choices(f) else "text"


def describe(name: str, f: fields.Field[Any]) -> FactField:
    """The form's view of one schema field."""
    kind = _kind(f)
    inner = f.inner if isinstance(f, fields.List) else None
    nested = inner.schema.declared_fields if isinstance(inner, fields.Nested) else {}
    return FactField(
        name,
        kind,
        labels=f.metadata["label"],
        choices=_choices(f.value_field if isinstance(f, fields.Dict) else f),
        choice_labels=f.metadata.get("choices", {}),
        columns=tuple(describe(n, column) for n, column in nested.items()),
        rows=f.metadata.get("rows", 0),
    )


def _shown(fact: FactField, value: Any, lang: str) -> str:
    """One value as a reader wants it: words for codes, dd/mm for nothing, "Có"/"Không"."""
    if isinstance(value, bool):
        return ("Yes" if value else "No") if lang == "en" else ("Có" if value else "Không")
    if fact.choices and isinstance(value, str):
        return fact.choice_label(value, lang)
    if fact.name.endswith("_vnd") and isinstance(value, int):
        return words.grouped(value, lang)  # 30.000.000 đồng
    return str(value)


def shown_facts(
    facts: dict[str, Any] | None, lang: str = "vi", titles: Mapping[str, str] | None = None
) -> list[tuple[str, list[str]]]:
    """What the nominee declared, in the schema's order, as (label, lines): what a reviewer
    reads on the nomination page without opening the edit form; a title held by its name
    when ``titles`` (code → name) knows it."""
    facts = facts or {}
    titles = titles or {}
    out: list[tuple[str, list[str]]] = []
    for name, fact in FACT_FIELDS.items():
        value = facts.get(name)
        if value is None:
            continue
        if isinstance(value, dict):
            lines = [f"{key}: {_shown(fact, v, lang)}" for key, v in sorted(value.items())]
        elif isinstance(value, list):
            lines = [  # each row's columns in the form's order, whatever order JSON kept
                "; ".join(
                    f"{_column(column, lang)}: "
                    + (
                        titles.get(row[column.name], row[column.name])
                        if column.name == "award_type"
                        else _shown(column, row[column.name], lang)
                    )
                    for column in fact.columns
                    # a benefit left blank is stored as 0: neither is worth a line
                    if row.get(column.name) not in (None, "")
                    and not (column.name.endswith("_vnd") and row[column.name] == 0)
                )
                for row in value
                if isinstance(row, dict)
            ]
        else:
            lines = [_shown(fact, value, lang)]
        out.append((_bare(fact, lang), lines or ["—"]))
    return out


def _column(fact: FactField, lang: str) -> str:
    """A list column's own label, capitalised ("Sáng kiến {number}: tên" → "Tên")."""
    label = _bare(fact, lang).split(": ")[-1]
    return label[:1].upper() + label[1:]


def _bare(fact: FactField, lang: str) -> str:
    """A label without its ``{year}``/``{number}`` slot ("Sáng kiến {number}" → "Sáng kiến")."""
    return " ".join(fact.label(lang, year="", number="").split())


_FACTS = FactsSchema()  # building a schema costs more than loading with it
FACT_FIELDS = {name: describe(name, f) for name, f in _FACTS.declared_fields.items()}


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
        vi, en = (
            "; ".join(
                f"{fact_path_label(path, lang)}: "
                + (_UNKNOWN[lang] if text == "Unknown field." else in_language(text, lang)).rstrip(
                    "."
                )  # one full stop at the end of them all, not ".;" between
                for path, text in error_pairs(err.messages, "facts")
            )
            + "."
            for lang in ("vi", "en")
        )
        raise InvalidInput(
            f"Thông tin kê khai chưa đúng: {vi}",
            f"Invalid facts: {en}",
            {"facts": problems} | ({"unknown_keys": unknown} if unknown else {}),
        ) from None
    return loaded


_UNKNOWN = {
    "vi": "không có thông tin này trong danh mục thông tin kê khai",
    "en": "not a fact the catalogue knows",
}


def fact_path_label(path: str, lang: str) -> str:
    """'facts.initiatives.0.year' → 'Sáng kiến, dòng 1: Năm', as the form reads; a column
    the form numbers itself by its own label: 'facts.initiatives.0.title' → 'Sáng kiến 1: tên'."""
    parts = path.split(".")[1:]
    fact = FACT_FIELDS.get(parts[0]) if parts else None
    if fact is None:
        return ".".join(parts) or path
    label = _bare(fact, lang)
    rest = parts[1:]
    if rest and rest[0].isdigit() and fact.columns:
        row = int(rest[0]) + 1
        column = next((c for c in fact.columns if len(rest) > 1 and c.name == rest[1]), None)
        if column is not None and "{number}" in column.labels[1 if lang == "en" else 0]:
            return column.label(lang, number=row)  # "Sáng kiến 1: tên", as the form has it
        label += f", {'row' if lang == 'en' else 'dòng'} {row}"
        return f"{label}: {_bare(column, lang)}" if column else label
    if len(rest) == 2 and rest[1] in ("key", "value"):  # marshmallow's parts of a mapping
        if rest[1] == "value":
            return f"{label} {rest[0]}"
        return f"{label} '{rest[0]}'" if lang == "en" else f"{label} «{rest[0]}»"
    return f"{label} {' '.join(rest)}".strip()


def after_form(
    stored: dict[str, Any] | None, typed: dict[str, Any], shown: Iterable[str]
) -> dict[str, Any]:
    """The facts once the edit form is saved: those it showed as typed (a field emptied, a
    list cleared: gone), every other one as stored. A proposal made from the member register
    carries the gender no form field shows, and a form opened before the campaign's rules
    asked for a fact does not show it: saving the form had erased both."""
    carried = set(shown)
    return {k: v for k, v in (stored or {}).items() if k not in carried} | typed


def needed_facts(award: AwardType) -> list[FactField]:
    """The facts the award type's rules read, in the order they first appear, described for
    the form that asks for them."""
    seen: list[str] = []
    for spec in award.rules or []:
        for need in RULES[spec["rule"]].reads:
            if need not in seen:
                seen.append(need)
    return [FACT_FIELDS[name] for name in seen]


@dataclass(frozen=True)
class ShownChange:
    """One change an officer made after a return, as the reviewer reads it."""

    label: str
    before: list[str]
    after: list[str]


def shown_changes(
    changes: dict[str, Any], lang: str = "vi", titles: Mapping[str, str] | None = None
) -> list[ShownChange]:
    """An edit's recorded changes (``nominating._changed``) in words: facts by their labels
    and values (titles by name, as :func:`shown_facts`), the nominee's details and the
    summary as typed."""
    out: list[ShownChange] = []
    for key, pair in (changes.get("facts") or {}).items():
        was, now = pair["from"], pair["to"]
        before = shown_facts({key: was}, lang, titles) if was is not None else []
        after = shown_facts({key: now}, lang, titles) if now is not None else []
        label = (before or after)[0][0] if (before or after) else key
        out.append(
            ShownChange(label, before[0][1] if before else ["—"], after[0][1] if after else ["—"])
        )
    for key, pair in (changes.get("nominee") or {}).items():
        label = FIELD_LABELS.get(key, (key, key))[0 if lang == "vi" else 1]
        out.append(ShownChange(label, [str(pair["from"] or "—")], [str(pair["to"] or "—")]))
    for name in ("nominee_name", "achievements"):
        if name in changes:
            label = FIELD_LABELS[name][0 if lang == "vi" else 1]
            pair = changes[name]
            out.append(ShownChange(label, [str(pair["from"] or "—")], [str(pair["to"] or "—")]))
    return out
