"""Form parsing: HTML form fields → the domain's input, through marshmallow schemas."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage, MultiDict

from workflow.errors import InvalidInput

INT_FACTS = ("absent_days", "months_employed", "months_operating", "fatal_accidents", "score")
BOOL_FACTS = ("registered", "is_leader", "reorganized")
TEXT_FACTS = ("education", "gender", "achievement_ref")
ROWS = 3  # empty rows offered for list facts


class EventFormSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    event = fields.String(required=True)
    version = fields.Integer(required=True)
    comment = fields.String(load_default=None)
    ground = fields.String(load_default=None)
    members = fields.Integer(load_default=None)
    present = fields.Integer(load_default=None)
    yes = fields.Integer(load_default=None)
    no = fields.Integer(load_default=None)
    abstain = fields.Integer(load_default=None)


class NewNominationSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    award = fields.String(required=True, validate=validate.Regexp(r"^[^/]+/[^/]+$"))
    nominee_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    position = fields.String(load_default="")
    achievements = fields.String(load_default="")


class DecisionFormSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    nomination_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1))
    signed_on = fields.Date(required=True)


def load(schema: Schema, form: MultiDict[str, str], lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """Blank fields count as absent; errors become one InvalidInput naming every field."""
    data: dict[str, Any] = {k: v for k, v in form.items() if v.strip() != ""}
    for name in lists:
        data[name] = form.getlist(name)
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as err:
        fields_ = ", ".join(sorted(map(str, err.messages)))
        raise InvalidInput(
            f"Biểu mẫu chưa hợp lệ ở các ô: {fields_}.",
            f"Invalid form fields: {fields_}.",
            err.messages,
        ) from None
    return loaded


def event_data(form: dict[str, Any]) -> dict[str, Any]:
    """What an event carries besides its comment (only what was filled in)."""
    data: dict[str, Any] = {}
    counts = {
        k: form[k] for k in ("members", "present", "yes", "no", "abstain") if form[k] is not None
    }
    if form["event"] == "vote":
        data["vote"] = counts
    if form["event"] == "revoke":
        data["ground"] = form["ground"]
    return data


def facts_from_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """``facts.<name>`` fields → the facts object; types are checked by the domain's schema."""
    facts: dict[str, Any] = {}

    def text(key: str) -> str:
        return form.get(f"facts.{key}", "").strip()

    def number(key: str) -> int | str:
        value = text(key)
        return int(value) if value.lstrip("-").isdigit() else value

    for name in INT_FACTS:
        if text(name):
            facts[name] = number(name)
    for name in BOOL_FACTS:
        if f"facts.{name}.present" in form:
            facts[name] = form.get(f"facts.{name}") == "on"
    for name in TEXT_FACTS:
        if text(name):
            facts[name] = text(name)
    for name in ("ratings", "grades"):
        by_year = {
            k.rsplit(".", 1)[1]: v
            for k, v in form.items()
            if k.startswith(f"facts.{name}.") and not k.endswith(".present") and v.strip()
        }
        if by_year or f"facts.{name}.present" in form:
            facts[name] = by_year
    rows = {
        "initiatives": ("title", "year", "scope", "benefit_vnd", "recognized_by"),
        "discipline": ("year", "level"),
        "prior_titles": ("award_type", "year"),
    }
    for name, columns in rows.items():
        if f"facts.{name}.present" not in form:
            continue
        items = []
        for i in range(ROWS):
            row = {
                c: number(f"{name}.{i}.{c}")
                if c in ("year", "benefit_vnd")
                else text(f"{name}.{i}.{c}")
                for c in columns
            }
            if any(v not in ("", None) for v in row.values()):
                items.append({k: v for k, v in row.items() if v != ""})
        facts[name] = items
    targets = {
        k.split(".", 2)[2]: number(k.removeprefix("facts."))
        for k in form
        if k.startswith("facts.targets.") and not k.endswith(".present") and form[k].strip()
    }
    if targets or "facts.targets.present" in form:
        facts["targets"] = targets
    return facts


def read_upload(file: FileStorage | None, limit: int) -> tuple[bytes, str]:
    """The uploaded file's bytes (at most ``limit`` + 1, so the domain can say "too large")
    and its name; the spooled temporary file werkzeug may have made is closed either way."""
    if file is None or not file.filename:
        raise InvalidInput("Chưa chọn tệp.", "No file chosen.", {"file": "required"})
    try:
        return file.stream.read(limit + 1), file.filename
    finally:
        file.close()
