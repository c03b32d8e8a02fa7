"""The Excel list an import reads ("danh sách trích ngang"): its columns and their names, the
check of every cell (marshmallow), reading a file within bounds, and the workbooks written
back: the template to fill in and the report of a checked list. The import itself (preview,
confirm, duplicates): :mod:`workflow.imports`.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from sqlalchemy.orm import Session

from rules import words
from workflow import xlsx_limits
from workflow.campaigns import campaign_by_code
from workflow.checks import collective_targets
from workflow.clock import utcnow, vn_date
from workflow.errors import InvalidInput
from workflow.facts import FACT_FIELDS, RATINGS, needed_facts
from workflow.models import AwardType, Campaign, ImportBatch
from workflow.spreadsheets import ERROR_FILL, Sheet, fill_in_rows, workbook_bytes, write_sheet
from workflow.vocabulary import NomineeKind

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 60
SHOWN_MAX = 300  # characters of a cell kept for the report
HEADER_SEARCH_ROWS = 15  # title lines may sit above the header row


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the template's header
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS = (
    Column("stt", "STT", ("tt", "số tt", "số thứ tự")),
    Column(
        "nominee_name",
        "Họ và tên / Tên tập thể",
        ("họ và tên", "họ tên", "tên tập thể", "họ và tên, tên tập thể"),
        required=True,
    ),
    Column(
        "award_type",
        "Mã hình thức khen thưởng",
        ("mã hình thức", "mã khen thưởng", "mã danh hiệu"),
        required=True,
    ),
    Column("position", "Chức vụ", ("chức vụ, chức danh", "chức danh")),
    Column("birth_date", "Ngày sinh", ("ngày tháng năm sinh", "ngày, tháng, năm sinh")),
    Column("gender", "Giới tính", ("nam/nữ",)),
    Column("key", "Số CCCD / mã đoàn viên", ("số cccd", "cccd", "mã đoàn viên", "mã định danh")),
    Column("registered", "Đăng ký thi đua", ("có đăng ký thi đua",)),
    Column("absent_days", "Số ngày nghỉ", ("số ngày nghỉ việc", "ngày nghỉ")),
    Column("months_employed", "Số tháng công tác trong năm", ("số tháng công tác",)),
    Column("discipline", "Kỷ luật trong năm", ("kỷ luật", "hình thức kỷ luật")),
    Column("achievements", "Tóm tắt thành tích", ("thành tích", "thành tích chủ yếu")),
)
# A collective's own facts (rules/collective.py, and R-ONE-ACHIEVEMENT's report number): each
# column is headed by the fact's label on the nomination form (workflow.facts) and read into
# the fact of that name, so a row imports what the form would have stored. The template
# offers those the campaign's award types read; the reader knows them all.
FACT_COLUMNS = tuple(
    Column(name, FACT_FIELDS[name].labels[0], aliases)
    for name, aliases in (
        ("months_operating", ("số tháng hoạt động", "số tháng cđcs hoạt động")),
        ("fatal_accidents", ("số vụ tai nạn lao động chết người", "tai nạn lao động chết người")),
        ("serious_incidents", ("số sự cố kỹ thuật nghiêm trọng, cháy, nổ", "số sự cố")),
        ("score", ("điểm thi đua", "điểm chấm")),
        ("achievement_ref", ("số hiệu báo cáo", "mã thành tích")),
    )
)
BY_FIELD = {c.field: c for c in (*COLUMNS, *FACT_COLUMNS)}
RATING_HEADER = re.compile(r"^xếp loại(?: năm)? ((?:19|20)\d\d)$")
# "Xếp loại CĐCS năm 2025" (the form's label for ``grades``), "Xếp loại công đoàn cơ sở 2025"
GRADE_HEADER = re.compile(r"^xếp loại (?:cđcs|công đoàn cơ sở)(?: năm)? ((?:19|20)\d\d)$")
# "Kết quả chỉ tiêu: <the target's label, or its key>": one column per target of the plan
# that binds each collective (the form's ``targets``, one number per target).
TARGET_PREFIX = FACT_FIELDS["targets"].labels[0] + ": "
TEMPLATE_FACTS = (  # the template's order: the CĐCS, its grade and targets, safety, the report
    "months_operating", "grades", "targets", "fatal_accidents", "serious_incidents", "score",
    "achievement_ref",
)  # fmt: skip

# Row problems are stored as codes and worded when shown, in the reader's language.
MESSAGES = {
    "required": ("Bắt buộc nhập.", "Required."),
    "too_long": ("Quá dài.", "Too long."),
    "invalid_date": ("Ngày không hợp lệ (ghi dạng dd/mm/yyyy).", "Invalid date (use dd/mm/yyyy)."),
    "date_out_of_range": ("Ngày sinh không hợp lý.", "Implausible birth date."),
    "unknown_award": (
        "Mã hình thức không có trong đợt thi đua này (xem trang tính 'Hình thức khen thưởng' của tệp mẫu).",
        "No such award code in this campaign (see the template's award sheet).",
    ),
    "invalid_gender": ("Ghi 'Nam' hoặc 'Nữ'.", "Write 'Nam' or 'Nữ'."),
    "filing_closed": (
        "Đã qua hạn nộp hồ sơ của hình thức này ({day}): hồ sơ lập ra sẽ không gửi được.",
        "The filing deadline of this award has passed ({day}): a nomination made now could "
        "never be sent.",
    ),
    "for_a_collective": (
        "Hình thức này dành cho tập thể: một người (có ngày sinh, giới tính) không được đề nghị.",
        "This award is for a collective: a person (with a birth date or gender) cannot receive it.",
    ),
    "key_lost_zeros": (
        "Excel đã đổi số này thành số và bỏ các chữ số 0 ở đầu: hãy định dạng cột là Văn bản "
        "(Text) rồi nhập lại đủ 12 chữ số.",
        "Excel turned this into a number and dropped its leading zeros: format the column as "
        "Text and type all 12 digits again.",
    ),
    "invalid_rating": (
        "Xếp loại ghi HTXSNV, HTTNV, HTNV hoặc KHTNV.",
        "Rating must be HTXSNV, HTTNV, HTNV or KHTNV.",
    ),
    "invalid_yes_no": ("Ghi 'Có' hoặc 'Không'.", "Write 'Có' (yes) or 'Không' (no)."),
    "invalid_discipline": (
        "Ghi 'Không' hoặc một hình thức kỷ luật trong danh sách của ô (Khiển trách, Cảnh cáo, …).",
        "Write 'Không' (none) or a disciplinary measure from the cell's list (Khiển trách, …).",
    ),
    "invalid_integer": ("Phải là số nguyên.", "Must be a whole number."),
    "out_of_range": ("Ngoài khoảng cho phép.", "Out of the allowed range."),  # lists checked before
    "out_of_range_between": ("Phải từ {low} đến {high}.", "Must be from {low} to {high}."),
    "duplicate_in_file": ("Trùng với dòng {row} của tệp.", "Same as row {row} of the file."),
    "already_nominated": (
        "Đã có hồ sơ #{id} đề nghị hình thức này cho người/tập thể này.",
        "Nomination #{id} already proposes this award for this nominee.",
    ),
}
STATUS = {
    "valid": ("Hợp lệ", "Valid"),
    "invalid": ("Có lỗi", "Has errors"),
    "duplicate": ("Trùng, bỏ qua", "Duplicate, skipped"),
}


def message(problem: list[Any], lang: str = "vi") -> str:
    code, args = problem
    vi, en = MESSAGES[code]
    return (vi if lang == "vi" else en).format(**args)


def normalize(text: Any) -> str:
    """Headers and names compare equal whatever the typing: NFC or NFD, case, spacing."""
    cleaned = unicodedata.normalize("NFC", str(text)).replace("(*)", "").replace("*", "")
    return " ".join(cleaned.casefold().split())


# Marshmallow fields for what people type into cells ------------------------------------


class CellText(fields.String):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return " ".join(unicodedata.normalize("NFC", str(value)).split())


class CellDate(fields.Field[str]):
    FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        else:
            day = self._parse(str(value).strip())
        if not date(1930, 1, 1) <= day <= vn_date(utcnow()):
            raise ValidationError("date_out_of_range")
        return day.isoformat()

    def _parse(self, text: str) -> date:
        for fmt in self.FORMATS:
            try:
                return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
            except ValueError:
                continue
        raise ValidationError("invalid_date")


class CellChoice(fields.Field[Any]):
    """A cell holding one of a few words; ``choices`` maps the normalised word to the value."""

    def __init__(self, choices: dict[str, Any], error: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices, self.error = choices, error

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        key = normalize(value)
        if key not in self.choices:
            raise ValidationError(self.error)
        return self.choices[key]


class CellInteger(fields.Field[int]):
    def __init__(self, low: int, high: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.low, self.high = low, high

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise ValidationError("invalid_integer")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value.strip())  # not "²", a digit to isdigit that int refuses
        if not isinstance(value, int):
            raise ValidationError("invalid_integer")
        if not self.low <= value <= self.high:
            raise ValidationError("out_of_range_between")  # worded with the field's bounds
        return value

    def problem_args(self) -> dict[str, int]:
        return {"low": self.low, "high": self.high}


class CellKey(CellText):
    """A member or citizen id (số CCCD: 12 digits, often starting with 0). Typed into a
    number-formatted cell, Excel drops the leading zeros; say so rather than guess them."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        text = super()._deserialize(value, attr, data, **kwargs)
        if numeric and text.isdigit() and 9 <= len(text) <= 11:
            raise ValidationError("key_lost_zeros")
        return text


GENDERS = {"nam": "male", "nữ": "female", "nu": "female"}
YES_NO = {w: True for w in ("có", "co", "x", "yes", "1", "đã đăng ký")} | {
    w: False for w in ("không", "khong", "no", "0", "chưa đăng ký")
}
RATING_WORDS = {r.casefold(): r for r in RATINGS} | {
    "hoàn thành xuất sắc nhiệm vụ": "HTXSNV",
    "hoàn thành tốt nhiệm vụ": "HTTNV",
    "hoàn thành nhiệm vụ": "HTNV",
    "không hoàn thành nhiệm vụ": "KHTNV",
}
# A CĐCS's grade is worded as a person's rating (HD 1294/HD-TLĐ 2019): the same words and
# abbreviations are read, into the grade's code ("HTTNV" → "hoan_thanh_tot").
_GRADE_BY_WORDS = {normalize(vi): code for code, (vi, _) in words.GRADES.items()}
GRADE_WORDS = (
    {code: code for code in words.GRADES}
    | _GRADE_BY_WORDS
    | {r.casefold(): _GRADE_BY_WORDS[normalize(vi)] for r, (vi, _) in words.RATINGS.items()}
)
# "Không" is a known answer, no disciplinary action that year (the rule passes); a blank cell
# leaves the fact unknown. A measure is one of the brief's, as the nomination form lists them.
NO_DISCIPLINE = "none"
DISCIPLINE_WORDS = {
    w: NO_DISCIPLINE for w in ("không", "khong", "không có", "không bị kỷ luật")
} | {normalize(label): code for code, (label, _) in words.DISCIPLINE.items()}
REQUIRED: dict[str, Any] = {"required": "required"}


def _text(max_length: int, required: bool = False) -> fields.Field[Any]:
    return CellText(
        required=required,
        error_messages=REQUIRED,
        validate=validate.Length(max=max_length, error="too_long"),
    )


def row_schema(
    award_codes: list[str],
    rating_years: list[int],
    grade_years: Sequence[int] = (),
    target_keys: Sequence[str] = (),
) -> Schema:
    """The checks of one row, for the award types this campaign offers and the yearly and
    per-target columns the list has."""
    spec: dict[str, fields.Field[Any]] = {
        "stt": fields.Raw(),
        "nominee_name": _text(200, required=True),
        "award_type": CellText(
            required=True,
            error_messages=REQUIRED,
            validate=validate.OneOf(award_codes, error="unknown_award"),
        ),
        "position": _text(200),
        "birth_date": CellDate(),
        "gender": CellChoice(GENDERS, "invalid_gender"),
        "key": CellKey(validate=validate.Length(max=60, error="too_long")),
        "registered": CellChoice(YES_NO, "invalid_yes_no"),
        "absent_days": CellInteger(0, 366),
        "months_employed": CellInteger(0, 12),
        "discipline": CellChoice(DISCIPLINE_WORDS, "invalid_discipline"),
        "achievements": _text(5000),
        # a collective's: bounds as the facts schema's, a count with none given a generous one
        "months_operating": CellInteger(0, 1200),
        "fatal_accidents": CellInteger(0, 10_000),
        "serious_incidents": CellInteger(0, 10_000),
        "score": CellInteger(0, 1000),
        "achievement_ref": _text(200),
    }
    for year in rating_years:
        spec[f"rating_{year}"] = CellChoice(RATING_WORDS, "invalid_rating")
    for year in grade_years:
        spec[f"grades_{year}"] = CellChoice(GRADE_WORDS, "invalid_rating")
    for key in target_keys:
        spec[f"targets_{key}"] = CellInteger(0, 1_000_000)
    return Schema.from_dict(spec)()


# Reading the file ---------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    header_row: int
    columns: dict[int, str]  # 0-based column index → field
    headers: dict[str, str]  # field → the header as written


def _field_for(header: Any, targets: Mapping[str, str]) -> str | None:
    text = normalize(header)
    if not text:
        return None
    for column in BY_FIELD.values():
        if text in (normalize(column.label), *column.aliases):
            return column.field
    rating = RATING_HEADER.match(text)
    if rating:
        return f"rating_{rating.group(1)}"
    grade = GRADE_HEADER.match(text)
    if grade:
        return f"grades_{grade.group(1)}"
    prefix = normalize(TARGET_PREFIX)
    if text.startswith(prefix) and text.removeprefix(prefix).strip() in targets:
        return f"targets_{targets[text.removeprefix(prefix).strip()]}"
    return None


def target_headers(campaign: Campaign) -> dict[str, str]:
    """The targets a collective reports on (as its nomination form asks them), by what a
    header may call them: the target's label or its key, normalised."""
    return {
        normalize(name): t.key for t in collective_targets(campaign) for name in (t.label, t.key)
    }


def layout(rows: list[tuple[Any, ...]], targets: Mapping[str, str] | None = None) -> Layout:
    """Where the header row is and which field each column holds; ``targets``
    (:func:`target_headers`) names the campaign's target columns."""
    best: Layout | None = None
    for number, row in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
        columns: dict[int, str] = {}
        headers: dict[str, str] = {}
        for i, cell in enumerate(row):
            name = _field_for(cell, targets or {}) if cell is not None else None
            if name and name not in headers:
                columns[i], headers[name] = name, str(cell)
        if best is None or len(columns) > len(best.columns):
            best = Layout(number, columns, headers)
    found = set(best.headers) if best else set()
    missing = [c.label for c in COLUMNS if c.required and c.field not in found]
    if best is None or missing:
        raise InvalidInput(
            "Tệp thiếu cột bắt buộc: "
            + ", ".join(missing or [c.label for c in COLUMNS])
            + ". Hãy dùng tệp mẫu tải từ trang nhập danh sách.",
            "The file lacks required columns: " + ", ".join(missing) + ". Use the template.",
            {"missing_columns": missing},
        )
    return best


def read_rows(content: bytes) -> list[tuple[Any, ...]]:
    if len(content) > MAX_BYTES:
        raise InvalidInput(
            "Tệp quá lớn (tối đa 10 MB).",
            "The file is too large (10 MB at most).",
            {"file": "too_large"},
        )
    # The 10 MB bound the compressed bytes only: what they expand to is checked first.
    xlsx_limits.check(content)
    unreadable = xlsx_limits.unreadable()
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl fails on malformed files with many kinds of error
        raise unreadable from None
    try:
        if not wb.worksheets:  # only chart sheets
            raise unreadable
        ws = wb.worksheets[0]
        rows = []
        text = 0
        # Bounded width: a small file may declare 16,384 columns, which openpyxl would pad.
        for row in ws.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            rows.append(row)
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise InvalidInput(
                    f"Tệp có quá {MAX_ROWS} dòng: hãy chia nhỏ.",
                    f"The file has more than {MAX_ROWS} rows: split it.",
                    {"file": "too_many_rows"},
                )
            # Counted again as read: one shared string may fill every cell, and each cell
            # becomes text of its own in the checked rows.
            text += sum(len(value) for value in row if isinstance(value, str))
            if text > xlsx_limits.MAX_TEXT_CHARS:
                raise xlsx_limits.too_much_text()
        return rows
    except InvalidInput:
        raise
    except Exception:  # a damaged sheet shows only while its rows are read
        raise unreadable from None
    finally:
        wb.close()


def shown(value: Any) -> str:
    """The cell as the report shows it back (long text cut: the checks saw all of it)."""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value))
    return text if len(text) <= SHOWN_MAX else text[:SHOWN_MAX] + "…"


def cells(rows: list[tuple[Any, ...]], layout: Layout) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number in the sheet, {field: raw value}) for every row with something in it."""
    for number, row in enumerate(rows[layout.header_row :], start=layout.header_row + 1):
        raw = {
            name: row[i]
            for i, name in layout.columns.items()
            if i < len(row) and row[i] is not None and str(row[i]).strip() != ""
        }
        if set(raw) - {"stt"}:
            yield number, raw


def campaign_awards(session: Session, code: str) -> tuple[Campaign, dict[str, AwardType]]:
    """The campaign and the award types a list may name (its current version's), by code."""
    campaign = campaign_by_code(session, code)
    return campaign, {a.code: a for a in campaign.award_types}


# Workbooks: the template and the report -----------------------------------------------


def fact_columns(campaign: Campaign, awards: Mapping[str, AwardType]) -> list[tuple[str, str]]:
    """The collective's fact columns a template offers, as (field, header): those the
    campaign's award types read (:func:`workflow.facts.needed_facts`), so a list asks for what
    the rules check, as the nomination form does; the grade of the campaign's year, and one
    column per target of the plan that binds each collective."""
    read = {fact.name for award in awards.values() for fact in needed_facts(award)}
    out: list[tuple[str, str]] = []
    for name in TEMPLATE_FACTS:
        if name not in read:
            continue
        if name == "grades":
            out.append(
                (f"grades_{campaign.year}", FACT_FIELDS[name].label("vi", year=campaign.year))
            )
        elif name == "targets":
            out += [
                (f"targets_{t.key}", TARGET_PREFIX + t.label) for t in collective_targets(campaign)
            ]
        else:
            out.append((name, BY_FIELD[name].label))
    return out


def template(session: Session, campaign: str) -> bytes:
    """The list layout the import reads, with the campaign's award codes to pick from and the
    columns for the collective's facts its award types' rules read."""
    camp, awards = campaign_awards(session, campaign)
    columns = [(c.field, c.label + (" (*)" if c.required else "")) for c in COLUMNS]
    ratings = [
        (f"rating_{y}", FACT_FIELDS["ratings"].label("vi", year=y))
        for y in (camp.year, camp.year - 1)
    ]
    facts = fact_columns(camp, awards)
    columns[-1:-1] = ratings + facts
    order = [field for field, _ in columns]
    collective = (
        f" Dòng đề nghị tập thể không ghi ngày sinh, giới tính; thông tin của tập thể ghi ở "
        f"các cột từ '{facts[0][1]}' đến '{facts[-1][1]}'."
        if facts
        else ""
    )
    wb = Workbook()
    ws = wb.active
    header_row = write_sheet(
        ws,  # type: ignore[arg-type]
        Sheet(
            "Danh sách",
            [header for _, header in columns],
            caption=[
                "DANH SÁCH TRÍCH NGANG ĐỀ NGHỊ KHEN THƯỞNG",
                f"{camp.title} ({camp.code})",
                "Cột có dấu (*) là bắt buộc. Ngày ghi dd/mm/yyyy. "
                "Xếp loại: HTXSNV, HTTNV, HTNV, KHTNV. "
                f"Kỷ luật trong năm {camp.year}: 'Không' hoặc hình thức kỷ luật." + collective,
            ],
        ),
    )
    for t in collective_targets(camp):  # what the plan asks, beside the column's name
        if f"targets_{t.key}" in order:
            column = order.index(f"targets_{t.key}") + 1
            header = ws.cell(header_row, column)  # type: ignore[union-attr]
            header.comment = Comment(f"Chỉ tiêu của kế hoạch: {t.requirement}.", "khen-thuong")
    awards_sheet = "Hình thức khen thưởng"
    write_sheet(
        wb.create_sheet(),
        Sheet(
            awards_sheet,
            ["Mã", "Hình thức khen thưởng", "Đối tượng"],
            [
                [a.code, a.title, NomineeKind(a.nominee_kind).vi]
                for a in sorted(awards.values(), key=lambda a: a.code)
            ],
        ),
    )
    choices = {
        "award_type": f"='{awards_sheet}'!$A$2:$A${1 + len(awards)}",
        "gender": '"Nam,Nữ"',
        "registered": '"Có,Không"',
        "discipline": '"' + ",".join(["Không", *(vi for vi, _ in words.DISCIPLINE.values())]) + '"',
    } | {
        f: '"HTXSNV,HTTNV,HTNV,KHTNV"'
        for f in order
        if f.startswith(("rating_", "grades_"))  # a CĐCS's grade takes a rating's words
    }
    fill_in_rows(
        ws,  # type: ignore[arg-type]
        range(header_row + 1, header_row + 2001),
        {order.index(field) + 1: formula for field, formula in choices.items()},
        [order.index(field) + 1 for field in ("key", "birth_date")],
    )
    return workbook_bytes(wb)


def report(batch: ImportBatch, lang: str = "vi") -> bytes:
    """The rows as read, each bad cell coloured with its message in a comment, and a last
    column saying what happens to the row."""
    headers: dict[str, str] = batch.rows["headers"]
    names = list(headers)
    status_label, errors_label, rules_label = (
        ("Trạng thái", "Lỗi", "Khi gửi đề nghị")
        if lang == "vi"
        else ("Status", "Errors", "On sending")
    )
    rows = batch.rows["rows"]
    sheet = Sheet(
        "Kết quả kiểm tra" if lang == "vi" else "Check results",
        [
            "Dòng" if lang == "vi" else "Row",
            *headers.values(),
            status_label,
            errors_label,
            rules_label,
        ],
        [
            [
                r["row"],
                *(r["values"].get(n, "") for n in names),
                STATUS[r["status"]][0 if lang == "vi" else 1],
                " ".join(
                    f"{_label(n, headers)}: {message(p, lang)}" for n, p in r["errors"].items()
                ),
                _on_sending(r, lang),
            ]
            for r in rows
        ],
        caption=[batch.campaign.title, batch.filename],
    )
    wb = Workbook()
    ws = wb.active
    header_row = write_sheet(ws, sheet)  # type: ignore[arg-type]
    for offset, r in enumerate(rows, start=1):
        for name, problem in r["errors"].items():
            col = names.index(name) + 2 if name in names else len(names) + 3
            cell = ws.cell(header_row + offset, col)  # type: ignore[union-attr]
            cell.fill = ERROR_FILL
            cell.comment = Comment(message(problem, lang), "khen-thuong")
    return workbook_bytes(wb)


def _on_sending(row: dict[str, Any], lang: str) -> str:
    """What the award's rules said of a sound row (``imports._note_rules``)."""
    if "rules" not in row:
        return ""
    if not row["rules"]:
        return "Đủ điều kiện" if lang == "vi" else "Eligible"
    return " ".join(vi if lang == "vi" else en for _, vi, en in row["rules"])


def _label(name: str, headers: dict[str, str]) -> str:
    return headers.get(name) or (BY_FIELD[name].label if name in BY_FIELD else name)
