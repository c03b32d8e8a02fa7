"""Form parsing: HTML form fields → the domain's input, through marshmallow schemas."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage, MultiDict

from rules.words import grouped
from workflow import events, votes
from workflow.documents.certificates import LABELS
from workflow.errors import InvalidInput, WorkflowError
from workflow.facts import FACT_FIELDS, FactField
from workflow.facts import ROWS as ROWS  # web/nominations.py still passes it to the template
from workflow.inputs import shown
from workflow.models import MAX_ID
from workflow.queries import PAGE_MAX
from workflow.vocabulary import FIELD_LABELS, MAX_ACHIEVEMENTS, MAX_BENEFIT_VND

# facts.<list>.<row>.<column>: a row numbered 1000 is a row (the list's length is checked)
ROW_INDEX = re.compile(r"([0-9]{1,9})\.", re.ASCII)
_WHOLE = re.compile(r"[0-9]{1,10}", re.ASCII)
YEARS = (2000, 2100)  # the years a list, a register or a statistic may be asked for


def rows_named(details: Any) -> set[int]:
    """The rows (members, nominations) a refused table's error names, to mark them where they
    are: keyed by their id (a row the domain refused) or listed (counts typed in words)."""
    if not isinstance(details, dict):
        return set()
    named = [key for key in details if str(key).isdigit()]
    for value in details.values():
        if isinstance(value, list):
            named += value
    return {int(row) for row in named if str(row).isdigit()}


def picks(form: MultiDict[str, str]) -> list[tuple[int, int]] | None:
    """The nominations ticked on a list, each sent as "id@version" (None: one is not). At
    most a page's worth (``PAGE_MAX``): no page shows more, and each is an event's work
    that a request would keep a worker busy for."""
    values = form.getlist("pick")
    if len(values) > PAGE_MAX:
        raise InvalidInput(
            f"Mỗi lần chỉ chọn được tối đa {PAGE_MAX} hồ sơ.",
            f"At most {PAGE_MAX} nominations can be chosen at a time.",
            {"pick": "too_many"},
        )
    found = []
    for value in values:
        nid, _at, version = value.partition("@")
        pick = (whole(nid), whole(version))
        if pick[0] is None or pick[1] is None:
            return None
        found.append((pick[0], pick[1]))
    return found


def whole(text: str | None, low: int = 1, high: int = MAX_ID) -> int | None:
    """A whole number as a form or a link sends it, in ASCII digits, within ``low``..``high``
    (by default a row's key or a version); None otherwise, for the caller to refuse. ``int``
    alone takes "²" for a digit and then fails, and lets through numbers the database's
    integers cannot hold (a 500 on PostgreSQL)."""
    if text is None or not _WHOLE.fullmatch(text.strip()):
        return None
    value = int(text)
    return value if low <= value <= high else None


class BadLink(WorkflowError):
    """A link's parameter a page cannot read (an address typed or edited by hand): a 400
    that says which, where the bare status said nothing."""

    code = "malformed"
    http_status = 400


def year_asked(args: MultiDict[str, str]) -> int | None:
    """The year a list is asked for in its link (none: not narrowed); a wrong one is a 400."""
    if not args.get("year"):
        return None
    year = whole(args["year"], *YEARS)
    if year is None:
        raise BadLink(
            f"Năm trong đường dẫn phải từ {YEARS[0]} đến {YEARS[1]}.",
            f"The link's year must be from {YEARS[0]} to {YEARS[1]}.",
            {"year": "out_of_range"},
        )
    return year


def day_asked(args: MultiDict[str, str], name: str) -> date | None:
    """A day in a link (``?due_by=2026-12-31``), or None when not given; a wrong one a 400."""
    if not args.get(name):
        return None
    try:
        return date.fromisoformat(args[name])
    except ValueError:
        raise BadLink(
            f"Ngày trong đường dẫn không hợp lệ: «{shown(args[name])}» (cần dạng năm-tháng-ngày).",
            f"The link's date is not valid: '{shown(args[name])}' (year-month-day expected).",
            {name: "not_a_date"},
        ) from None


def filters_asked(args: MultiDict[str, str]) -> dict[str, Any]:
    """:func:`list_filters` of a link: a wrong filter is a 400 that names it."""
    try:
        return list_filters(args)
    except WorkflowError as err:
        raise BadLink(err.message_vi, err.message_en, err.details) from None


def version_seen(form: MultiDict[str, str]) -> int:
    """The nomination's version the form was filled against (a change made on another is
    refused by the domain as stale)."""
    version = whole(form.get("version"))
    if version is None:
        raise InvalidInput(
            "Thiếu phiên bản hồ sơ, hoặc phiên bản không hợp lệ.",
            "The nomination's version is missing or not valid.",
            {"version": "invalid"},
        )
    return version


def key() -> fields.Integer:
    """A form field naming a row by its key."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class FormSchema(Schema):
    """A form's fields: what else a page posts (the CSRF token, a button's name) is ignored."""

    class Meta:
        unknown = EXCLUDE


class EventFormSchema(FormSchema):
    event = fields.String(required=True)
    version = fields.Integer(required=True)
    comment = fields.String(load_default=None)
    ground = fields.String(load_default=None)
    members = fields.Integer(load_default=None)
    present = fields.Integer(load_default=None)
    yes = fields.Integer(load_default=None)
    no = fields.Integer(load_default=None)
    abstain = fields.Integer(load_default=None)
    written_yes = fields.Integer(load_default=None)
    written_no = fields.Integer(load_default=None)


class NewNominationSchema(FormSchema):
    award = fields.String(required=True, validate=validate.Regexp(r"^[^/]+/[^/]+$"))
    nominee_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    position = fields.String(load_default="", validate=validate.Length(max=200))
    achievements = fields.String(load_default="", validate=validate.Length(max=MAX_ACHIEVEMENTS))


def with_position(nominee: dict[str, Any] | None, position: str) -> dict[str, Any]:
    """The nominee's details with the position as typed in the form (none when left blank)."""
    details = {k: v for k, v in (nominee or {}).items() if k != "position"}
    position = " ".join(position.split())
    return details | ({"position": position} if position else {})


class DecisionFormSchema(FormSchema):
    nomination_ids = fields.List(key(), required=True)  # none chosen: the domain says so
    signed_on = fields.Date(required=True)


_TOO_LONG = re.compile(r"Longer than maximum length (\d+)\.")


# Why a field was refused, for marshmallow's messages a form's field can meet.
_REASONS = {
    "Not a valid integer.": ("phải là số nguyên", "a whole number"),
    "Not a valid date.": ("ngày không đúng dạng", "not a valid date"),
    "Missing data for required field.": ("chưa nhập", "required"),
    "Shorter than minimum length 1.": ("chưa chọn", "none chosen"),
    "Not a valid string.": ("phải là chuỗi ký tự", "must be text"),
    "Not a valid boolean.": ("phải là true hoặc false", "must be true or false"),
    "Not a valid list.": ("phải là danh sách", "must be a list"),
    "Not a valid mapping type.": ("phải là một đối tượng", "must be an object"),
    "Not a valid datetime.": ("thời điểm không đúng dạng", "not a valid date and time"),
    "Field may not be null.": ("không được để trống (null)", "may not be null"),
    "Unknown field.": ("không có trường này", "unknown field"),
}


def _named(name: str, problems: Any) -> tuple[str, str]:
    """A refused field by its label, with why when it is plain (a tally typed in words) and
    its limit when it was too long (a pasted report)."""
    vi, en = FIELD_LABELS.get(name, (name, name))
    said = problems if isinstance(problems, list) else []
    reason = next((_REASONS[p] for p in said if isinstance(p, str) and p in _REASONS), None)
    if reason is not None:
        return f"{vi} ({reason[0]})", f"{en} ({reason[1]})"
    longest = next((m for p in said if isinstance(p, str) and (m := _TOO_LONG.fullmatch(p))), None)
    if longest is None:
        return vi, en
    limit = int(longest[1])
    return (
        f"{vi} (tối đa {grouped(limit)} ký tự)",
        f"{en} ({grouped(limit, 'en')} characters at most)",
    )


def _leaves(messages: dict[Any, Any], path: str = "") -> list[tuple[str, Any]]:
    """Each refused field of a nested marshmallow report, by its dotted path."""
    found: list[tuple[str, Any]] = []
    for name, said in messages.items():
        where = f"{path}.{name}" if path else str(name)
        if isinstance(said, dict):
            found += _leaves(said, where)
        else:
            found.append((where, said))
    return found


_BOUNDS = (  # marshmallow's messages that carry their limits, as people read them
    (re.compile(r"Longer than maximum length (\d+)\."), "tối đa {0} ký tự", "{0} at most"),
    (re.compile(r"Shorter than minimum length (\d+)\."), "ít nhất {0}", "at least {0}"),
    (re.compile(r"Length must be between (\d+) and (\d+)\."), "độ dài từ {0} đến {1}",
     "length from {0} to {1}"),
    (re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\."),
     "từ {0} đến {1}", "from {0} to {1}"),
    (re.compile(r"Must be one of: .*"), "không phải giá trị được nhận", "not an accepted value"),
    (re.compile(r"Invalid input type\."), "sai kiểu dữ liệu", "of the wrong type"),
)  # fmt: skip
_WHOLE_BODY = ("nội dung gửi lên", "the body")
_PATH_SHOWN = 60  # characters of a field's name a message repeats (a client sent any key)


def _reason(problem: str) -> tuple[str, str] | None:
    if problem in _REASONS:
        return _REASONS[problem]
    for pattern, vi, en in _BOUNDS:
        if m := pattern.fullmatch(problem):
            return vi.format(*m.groups()), en.format(*m.groups())
    return None


def _why(path: str, problems: Any) -> tuple[str, str]:
    """A field by its API name, with why where it is plain; marshmallow's ``_schema`` (the
    object itself is wrong, not one of its fields) named as the object holding it."""
    parts = path.split(".")
    whole = parts[-1] == "_schema"
    name = ".".join(parts[:-1] if whole else parts)
    name = name if len(name) <= _PATH_SHOWN else name[:_PATH_SHOWN] + "…"
    vi, en = (name, name) if name else _WHOLE_BODY if whole else ('""', '""')
    said = problems if isinstance(problems, list) else []
    reason = next((r for p in said if isinstance(p, str) and (r := _reason(p))), None)
    return (f"{vi} ({reason[0]})", f"{en} ({reason[1]})") if reason else (vi, en)


def refused_fields(messages: dict[Any, Any], most: int = 20) -> tuple[str, str]:
    """An API request's refused fields, each by its path and why ("award_type (chưa nhập)"),
    for the message people read; the report itself stays in the answer's details. Where the
    request carried them (``json``, ``query``, ``files``) is not part of a field's name."""
    inner = {k: v for part in messages.values() if isinstance(part, dict) for k, v in part.items()}
    named = [_why(path, said) for path, said in _leaves(inner or messages)]
    more = len(named) - most
    vi, en = (", ".join(label[i] for label in named[:most]) for i in (0, 1))
    if more > 0:
        vi, en = f"{vi} và {more} trường khác", f"{en} and {more} more"
    return vi, en


def load(schema: Schema, form: MultiDict[str, str], lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """Blank fields count as absent; errors become one InvalidInput naming every field."""
    data: dict[str, Any] = {k: v for k, v in form.items() if v.strip() != ""}
    for name in lists:
        data[name] = form.getlist(name)
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as err:
        named = [_named(str(name), problems) for name, problems in err.messages.items()]
        vi, en = (", ".join(sorted(label[i] for label in named)) for i in (0, 1))
        raise InvalidInput(
            f"Biểu mẫu chưa hợp lệ ở các ô: {vi}.", f"Please check these fields: {en}.",
            err.messages,
        ) from None  # fmt: skip
    return loaded


VOTE_COUNTS = votes.FIELDS + votes.WRITTEN

DATA_READERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "vote": lambda form: {k: form[k] for k in VOTE_COUNTS if form[k] is not None},
    "ground": lambda form: form["ground"],
}
"""How each datum an event carries (``workflow.events.EventSpec.data``) is read from the form."""


def event_data(form: dict[str, Any]) -> dict[str, Any]:
    """What the event (as the event table says) carries besides its comment; an event the
    table does not know carries nothing here, and the domain refuses it."""
    spec = events.EVENTS.get(form["event"])
    return {name: DATA_READERS[name](form) for name in spec.data} if spec else {}


def facts_on_form(form: MultiDict[str, str]) -> set[str]:
    """The facts the form carried: a single field's by its name, a checkbox's, a group's or a
    list's by its hidden ``present`` marker (rows sent without it are not read)."""
    return {
        name for name in FACT_FIELDS if f"facts.{name}" in form or f"facts.{name}.present" in form
    }


KEPT = "kept."  # a fact typed under another award, carried on the form (never saved)


KEPT_MAX = 4000  # characters: more than any fact holds (a longer value was never typed in one)
KEPT_MOST = 1000  # fields: several times what the longest form draws (a crafted form sends any)


def carried(form: MultiDict[str, str]) -> tuple[MultiDict[str, str], list[tuple[str, str]]]:
    """The new-nomination form, drawn again for another award, keeps everything typed for its
    facts as hidden ``kept.facts.…`` fields that :func:`facts_from_form` never reads: a fact
    (or a year of one) the new award does not draw is shown again when one that does is
    chosen back.

    Returns the form to draw the fields from (a kept value fills its field unless the field
    was sent itself, or is a box sent unticked) and the (name, value) pairs to keep.
    """
    shown: MultiDict[str, str] = MultiDict(form)
    for name, value in form.items(multi=True):
        field = name[len(KEPT) :]
        if name.startswith(KEPT) and field not in form and f"{field}.present" not in form:
            shown.add(field, value)
    kept = [
        (f"{KEPT}{name}", value)
        for name, value in shown.items(multi=True)
        if name.startswith("facts.")
        and name.split(".")[1] in FACT_FIELDS
        and (value.strip() or name.endswith(".present"))
        and len(value) <= KEPT_MAX
    ]
    return shown, kept[:KEPT_MOST]


def facts_from_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """``facts.<name>`` fields → the facts object, each fact read as its schema field says
    (``workflow.facts.FACT_FIELDS``); types are checked by the domain's schema.

    A fact whose fields are not in the form is left out; the hidden ``facts.<name>.present``
    of a checkbox, a per-year or per-target group or a list says it was on the form, so an
    unticked box is ``false`` and an emptied list ``[]``.
    """
    facts: dict[str, Any] = {}
    for fact in FACT_FIELDS.values():
        value = READERS[fact.kind](form, fact)
        if value is not None:
            facts[fact.name] = value
    return facts


THOUSANDS = re.compile(r"-?[0-9]{1,3}(?:[. ][0-9]{3})+", re.ASCII)  # "80.000.000", "80 000 000"


_PLAIN_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)


def _number(text: str) -> int | str:
    """An integer when the text is one, written plainly in ASCII digits or with Vietnamese
    thousands separators; otherwise the text, which the schema then refuses naming the field
    ("²" and "٣" are digits to ``isdigit``; ``int`` reads "٣" as 3, which no form means)."""
    if THOUSANDS.fullmatch(text):
        text = text.replace(".", "").replace(" ", "")
    return int(text) if _PLAIN_INTEGER.fullmatch(text) else text


def _text(form: MultiDict[str, str], key: str) -> str:
    return form.get(f"facts.{key}", "").strip()


def _value(form: MultiDict[str, str], key: str, kind: str) -> int | str | None:
    text = _text(form, key)
    if not text:
        return None
    return _number(text) if kind == "number" else text


def _one(form: MultiDict[str, str], fact: FactField) -> int | str | None:
    return _value(form, fact.name, fact.kind)


def _check(form: MultiDict[str, str], fact: FactField) -> bool | None:
    if f"facts.{fact.name}.present" not in form:
        return None
    return form.get(f"facts.{fact.name}") == "on"


def _group(form: MultiDict[str, str], fact: FactField) -> list[tuple[str, str]]:
    """The filled ``facts.<name>.<sub>`` fields (``.present`` aside), as (sub, value)."""
    prefix = f"facts.{fact.name}."
    return [
        (k.removeprefix(prefix), v)
        for k, v in form.items()
        if k.startswith(prefix) and not k.endswith(".present") and v.strip()
    ]


def _by_year(form: MultiDict[str, str], fact: FactField) -> dict[str, str] | None:
    by_year = {sub.rsplit(".", 1)[-1]: value for sub, value in _group(form, fact)}
    return by_year if by_year or f"facts.{fact.name}.present" in form else None


def _by_key(form: MultiDict[str, str], fact: FactField) -> dict[str, int | str] | None:
    by_key = {sub: _number(value.strip()) for sub, value in _group(form, fact)}
    return by_key if by_key or f"facts.{fact.name}.present" in form else None


def _rows(form: MultiDict[str, str], fact: FactField) -> list[dict[str, Any]] | None:
    """Every row the form carries (all of them, not only the empty ones the form offers, so
    editing a list longer than that keeps it whole); an empty row is no row."""
    if f"facts.{fact.name}.present" not in form:
        return None
    prefix = f"facts.{fact.name}."
    found = (ROW_INDEX.match(k, len(prefix)) for k in form if k.startswith(prefix))
    rows = []
    for i in sorted({int(m[1]) for m in found if m}):
        cells = {c.name: _value(form, f"{fact.name}.{i}.{c.name}", c.kind) for c in fact.columns}
        if any(v is not None for v in cells.values()):
            rows.append({k: v for k, v in cells.items() if v is not None})
    return rows


READERS: dict[str, Callable[[MultiDict[str, str], FactField], Any]] = {
    "number": _one,
    "text": _one,
    "choice": _one,
    "check": _check,
    "by_year": _by_year,
    "by_key": _by_key,
    "rows": _rows,
}
"""How each kind of fact (``workflow.facts.FactField.kind``) is read back from the form."""


def read_upload(file: FileStorage | None, limit: int) -> tuple[bytes, str]:
    """The uploaded file's bytes (at most ``limit`` + 1, so the domain can say "too large")
    and its name; the spooled temporary file werkzeug may have made is closed either way."""
    if file is None or not file.filename:
        raise InvalidInput("Chưa chọn tệp.", "No file chosen.", {"file": "required"})
    try:
        return file.stream.read(limit + 1), file.filename
    finally:
        file.close()


def parse_count(text: str) -> int | None:
    """A count typed on a tally sheet: blank is 0, anything but a whole number is None."""
    if not text.strip():
        return 0
    number = _number(text.strip())
    return number if isinstance(number, int) and number >= 0 else None


class CouncilMemberSchema(FormSchema):
    full_name = fields.String(required=True)
    position = fields.String(load_default="")
    duty = fields.String(required=True)
    valid_from = fields.Date(required=True)
    username = fields.String(load_default=None)


class EndMemberSchema(FormSchema):
    valid_to = fields.Date(required=True)


class SittingFormSchema(FormSchema):
    held_on = fields.Date(required=True)
    place = fields.String(required=True)
    present = fields.List(key(), required=True, validate=validate.Length(min=1))
    chair_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))
    nomination_ids = fields.List(key(), required=True, validate=validate.Length(min=1))


class RecoveredSchema(FormSchema):
    what = fields.String(required=True, validate=validate.OneOf(("money", "certificate")))
    on = fields.Date(required=True)
    note = fields.String(load_default="")


def layout_values(form: MultiDict[str, str], names: Any) -> dict[str, dict[str, float]]:
    """``<line>.x``, ``<line>.y``, ``<line>.size`` fields (decimal comma accepted)."""
    values: dict[str, dict[str, float]] = {}
    wrong = []
    for name in names:
        for key in ("x", "y", "size"):
            text = form.get(f"{name}.{key}", "").strip().replace(",", ".")
            if not text:
                continue
            try:
                values.setdefault(name, {})[key] = float(text)
            except ValueError:
                wrong.append(f"{name}.{key}")
    if wrong:
        rows = dict.fromkeys(w.split(".")[0] for w in wrong)  # each line once, as labelled
        raise InvalidInput(
            "Vị trí và cỡ chữ phải là số: " + ", ".join(LABELS.get(r, (r, r))[0] for r in rows) + ".",
            "Positions and sizes must be numbers: " + ", ".join(LABELS.get(r, (r, r))[1] for r in rows) + ".",
            dict.fromkeys(wrong, "not_a_number"),
        )  # fmt: skip
    return values


class MemberFormSchema(FormSchema):
    # What is missing is said by the domain with every other problem (workflow.members).
    code = fields.String(load_default="")
    full_name = fields.String(load_default="")
    kind = fields.String(load_default="individual")
    birth_date = fields.Date(load_default=None)
    gender = fields.String(load_default=None)
    position = fields.String(load_default="")
    cccd = fields.String(load_default=None)
    joined_on = fields.Date(load_default=None)
    namesake_ok = fields.Boolean(load_default=False)


class MoveFormSchema(FormSchema):
    to_unit = fields.String(required=True)
    on = fields.Date(required=True)


class InitiativeFormSchema(FormSchema):
    year = fields.Integer(required=True, validate=validate.Range(min=1975, max=2100))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    scope = fields.String(required=True)
    recognized_by = fields.String(load_default="", validate=validate.Length(max=300))
    benefit_vnd = fields.Integer(
        load_default=0, validate=validate.Range(min=0, max=MAX_BENEFIT_VND)
    )


class JoinedSchema(FormSchema):
    joined_on = fields.Date(required=True)


class DeclareTitleSchema(FormSchema):
    award_code = fields.String(required=True)
    award_title = fields.String(required=True)
    year = fields.Integer(required=True)
    decision = fields.String(required=True)


class MergeSchema(FormSchema):
    other_code = fields.String(required=True)


class ListFiltersSchema(FormSchema):
    """The filters every list of nominations offers (page, inbox, their Excel)."""

    campaign = fields.String(load_default=None, validate=validate.Length(max=60))
    award_type = fields.String(load_default=None, validate=validate.Length(max=60))
    unit = fields.String(load_default=None, validate=validate.Length(max=40))
    year = fields.Integer(load_default=None, validate=validate.Range(min=YEARS[0], max=YEARS[1]))


def list_filters(args: MultiDict[str, str]) -> dict[str, Any]:
    """The list filters given (blank ones dropped); a malformed one is an ``InvalidInput``."""
    return load(ListFiltersSchema(), args)


class UserEditSchema(FormSchema):
    full_name = fields.String(required=True)
    email = fields.String(load_default=None)


class RoleFormSchema(FormSchema):
    role = fields.String(required=True)
    unit_code = fields.String(required=True)
    valid_from = fields.Date(load_default=None)
    valid_to = fields.Date(load_default=None)


class UnitRenameSchema(FormSchema):
    name = fields.String(required=True)
    abbreviation = fields.String(load_default=None)
    on = fields.Date(required=True)


class UnitMoveSchema(FormSchema):
    parent_code = fields.String(required=True)
    on = fields.Date(required=True)


class UnitMergeSchema(FormSchema):
    into_code = fields.String(required=True)
    on = fields.Date(required=True)


class UnitSplitSchema(FormSchema):
    new_code = fields.String(required=True)
    new_name = fields.String(required=True)
    abbreviation = fields.String(load_default=None)
    on = fields.Date(required=True)
    member_ids = fields.List(key(), load_default=list)
    child_codes = fields.List(fields.String(), load_default=list)
