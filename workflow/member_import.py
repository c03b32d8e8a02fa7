"""Importing a register of members from Excel: a province's 50,000 rows, read as a stream.

Every row is checked first (nothing is written when one is wrong: the report names each bad
row by its number); then the new members and their memberships are inserted in batches in
one transaction, the audit chain vouching for them 500 records a link. A row whose code is
already in the registry is left as it is (importing the same file twice creates nothing); a
row naming someone the unit already has under another code (same name however written, same
birth date) is reported as a likely duplicate and not created, for the officer to merge or
add by hand.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from workflow import audit, records, xlsx_limits
from workflow.accounts import active_assignments
from workflow.clock import utcnow, vn_date
from workflow.errors import InvalidInput, NotAllowed
from workflow.folding import fold
from workflow.import_sheets import normalize
from workflow.inputs import refused_character
from workflow.members import check_dates
from workflow.models import Member, Membership, Unit, User
from workflow.spreadsheets import Sheet, fill_in_rows, workbook_bytes, write_sheet
from workflow.transaction import checked_again_on_conflict, transaction
from workflow.vocabulary import Level, NomineeKind, Role

MAX_BYTES = 20 * 1024 * 1024
SCALE = 5  # times a nomination list's limits (xlsx_limits): 1.5 million cells
BATCH = 1000
SHOWN_ERRORS = 50
HEADERS = {
    "code": ("mã đoàn viên", "mã", "mã tập thể", "member code"),
    "full_name": ("họ và tên", "họ tên", "tên", "full name", "name"),
    "birth_date": ("ngày sinh", "birth date"),
    "gender": ("giới tính", "gender"),
    "position": ("chức vụ", "position"),
    "unit_code": ("mã đơn vị", "mã cđcs", "unit code"),
    "kind": ("loại", "kind"),
}
GENDERS = {"nam": "male", "nữ": "female", "nu": "female", "male": "male", "female": "female"}
KINDS = {"": "individual", "cá nhân": "individual", "ca nhan": "individual",
         "individual": "individual", "tập thể": "collective", "tap the": "collective",
         "collective": "collective"}  # fmt: skip
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


class RowError(ValueError):
    """What is wrong with one row, in both languages."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(vi)
        self.vi, self.en = vi, en


@dataclass
class MemberImport:
    created: int = 0
    known: int = 0  # codes already in the registry: left unchanged
    duplicates: list[tuple[int, str, str]] = field(default_factory=list)  # row, name, code held


def sheet_rows(content: bytes) -> Iterator[tuple[Any, ...]]:
    """The first sheet's rows, streamed, after the workbook passed the size limits."""
    if len(content) > MAX_BYTES:
        raise InvalidInput("Tệp quá lớn (tối đa 20 MB).", "The file is too large (20 MB).")
    xlsx_limits.check(content, scale=SCALE)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl fails on malformed files with many kinds of error
        raise xlsx_limits.unreadable() from None
    try:
        if not wb.worksheets:
            raise xlsx_limits.unreadable()
        rows = wb.worksheets[0].iter_rows(max_col=len(HEADERS) + 10, values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:  # a damaged sheet shows only while its rows are read
                raise xlsx_limits.unreadable() from None
            yield row
    finally:
        wb.close()


# The template's columns, in order: the first word of each name in HEADERS.
TEMPLATE_HEADERS = (
    "Mã đoàn viên",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Chức vụ",
    "Mã đơn vị",
    "Loại",
)
TEMPLATE_ROWS = 5000  # rows given the pick lists and the text format


def template(session: Session, actor: User, day: date) -> bytes:
    """The register's layout to fill in: the header row the import reads, pick lists for
    gender, kind and the units the actor may fill (listed on a second sheet by name), and
    codes and dates as text so Excel keeps their leading zeros."""
    units = sorted(_units(session, actor, day).values(), key=lambda u: u.path)
    wb = Workbook()
    ws = wb.active
    write_sheet(ws, Sheet("Sổ đoàn viên", list(TEMPLATE_HEADERS)))  # type: ignore[arg-type]
    units_sheet = "Đơn vị"
    write_sheet(
        wb.create_sheet(),
        Sheet(units_sheet, ["Mã đơn vị", "Tên đơn vị"], [[u.code, u.name] for u in units]),
    )
    choices = {
        "Giới tính": '"Nam,Nữ"',
        "Mã đơn vị": f"='{units_sheet}'!$A$2:$A${1 + max(len(units), 1)}",
        "Loại": '"Cá nhân,Tập thể"',
    }
    fill_in_rows(
        ws,  # type: ignore[arg-type]
        range(2, 2 + TEMPLATE_ROWS),
        {TEMPLATE_HEADERS.index(header) + 1: formula for header, formula in choices.items()},
        [TEMPLATE_HEADERS.index(header) + 1 for header in ("Mã đoàn viên", "Ngày sinh")],
    )
    return workbook_bytes(wb)


def _layout(header: tuple[Any, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = normalize(cell) if cell is not None else ""
        for name, words in HEADERS.items():
            if text in words and name not in found:
                found[name] = index
    missing = [n for n in ("code", "full_name", "unit_code") if n not in found]
    if missing:
        raise InvalidInput(
            "Dòng đầu của tệp phải có các cột: Mã đoàn viên, Họ và tên, Mã đơn vị.",
            "The first row must name the columns: member code, full name, unit code.",
            {"columns": missing},
        )
    return found


def cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFC", "" if value is None else str(value)).split())


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(str(value).strip(), fmt).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    raise ValueError


def may_import(actor: User, day: date) -> bool:
    """Whether the actor fills some register: an officer, or an administrator (the pages
    offer the import to them only)."""
    return any(a.role in (Role.ADMIN, Role.OFFICER) for a in active_assignments(actor, day))


def require_import(actor: User, day: date) -> None:
    if not may_import(actor, day):
        raise NotAllowed(
            "Chỉ cán bộ công đoàn cơ sở hoặc quản trị viên được nhập sổ đoàn viên.",
            "Only an officer or an administrator may import members.",
        )


def _units(session: Session, actor: User, day: date) -> dict[str, Unit]:
    """The units whose registers the actor may fill: the grassroots unions of an
    administrator's subtree, an officer's own unit (members belong to a CĐCS)."""
    require_import(actor, day)
    paths = [a.unit.path for a in active_assignments(actor, day) if a.role == Role.ADMIN]
    own = {a.unit_id for a in active_assignments(actor, day) if a.role == Role.OFFICER}
    units = session.scalars(select(Unit).where(Unit.level == Level.CDCS)).all()
    return {u.code: u for u in units if u.id in own or any(u.path.startswith(p) for p in paths)}


@checked_again_on_conflict
def import_members(
    session: Session, actor: User, content: bytes, joined_on: date, now: datetime | None = None
) -> MemberImport:
    """Check every row, then create the new members (all of them, or none)."""
    now = now or utcnow()
    check_dates(None, joined_on, vn_date(now))
    units = _units(session, actor, vn_date(now))
    rows = sheet_rows(content)
    header = next(rows, None)
    if header is None:
        raise InvalidInput("Tệp không có dòng nào.", "The file is empty.")
    at = _layout(header)
    known_codes = {code.casefold() for code in session.scalars(select(Member.code))}
    in_file: dict[str, int] = {}  # a code's first row in this file
    held = {
        (search, birth, unit_id): code
        for search, birth, unit_id, code in session.execute(
            select(Member.search, Member.birth_date, Membership.unit_id, Member.code)
            .join(Membership, Membership.member_id == Member.id)
            .where(Membership.valid_to.is_(None), Member.merged_into_id.is_(None))
        )
    }
    report = MemberImport()
    new: list[dict[str, Any]] = []
    errors: list[tuple[str, str]] = []
    filled = 0
    for number, row in enumerate(rows, start=2):
        cells = {name: row[i] if i < len(row) else None for name, i in at.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        filled += 1
        try:
            item = _checked(cells, units)
        except RowError as err:
            errors.append((f"dòng {number}: {err.vi}", f"row {number}: {err.en}"))
            continue
        code = item["code"].casefold()
        if code in in_file:  # two people given one code: which is right is the officer's call
            errors.append((
                f"dòng {number}: mã {item['code']} trùng với dòng {in_file[code]} của tệp",
                f"row {number}: code {item['code']} repeats row {in_file[code]} of the file",
            ))  # fmt: skip
            continue
        in_file[code] = number
        if code in known_codes:
            report.known += 1
            continue
        key = (fold(item["full_name"]), item["birth_date"], item["unit_id"])
        if key in held:
            report.duplicates.append((number, item["full_name"], held[key]))
            continue
        held[key] = item["code"]
        new.append(item)
    if not filled:  # the template sent back empty: "0 added" would read as done
        raise InvalidInput(
            "Tệp chưa có dòng đoàn viên nào (chỉ có dòng tiêu đề).",
            "The file lists no member (only its header row).",
            {"rows": "none"},
        )
    if errors:
        more = "; …" if len(errors) > SHOWN_ERRORS else ""
        shown = "; ".join(vi for vi, _ in errors[:SHOWN_ERRORS]) + more
        shown_en = "; ".join(en for _, en in errors[:SHOWN_ERRORS]) + more
        raise InvalidInput(
            f"Tệp có {len(errors)} dòng chưa hợp lệ, chưa nhập dòng nào: {shown}.",
            f"{len(errors)} row(s) invalid; nothing was imported: {shown_en}.",
            {"rows": [vi for vi, _ in errors[:SHOWN_ERRORS]]},
        )
    with transaction(session):
        _insert(session, new, joined_on, actor, now)
    report.created = len(new)
    return report


def _checked(cells: dict[str, Any], units: dict[str, Unit]) -> dict[str, Any]:
    code, name = cell_text(cells["code"]), cell_text(cells["full_name"])
    if not code or len(code) > 40 or refused_character(code):
        raise RowError("mã đoàn viên trống hoặc không hợp lệ", "member code empty or invalid")
    if not name or len(name) > 200 or refused_character(name):
        raise RowError("họ và tên trống hoặc không hợp lệ", "full name empty or invalid")
    unit = units.get(cell_text(cells["unit_code"]))
    if unit is None:
        written = cell_text(cells["unit_code"])
        raise RowError(
            f"không có đơn vị '{written}' trong phạm vi của bạn",
            f"no unit '{written}' in your scope",
        )
    try:
        birth = _date(cells.get("birth_date"))
    except ValueError:
        raise RowError(
            "ngày sinh không hợp lệ (ghi ngày/tháng/năm)", "invalid birth date (write dd/mm/yyyy)"
        ) from None
    gender_text = cell_text(cells.get("gender")).casefold()
    if gender_text and gender_text not in GENDERS:
        raise RowError("giới tính ghi Nam hoặc Nữ", "gender: write 'Nam' or 'Nữ'")
    kind = KINDS.get(cell_text(cells.get("kind")).casefold())
    if kind is None:
        raise RowError("loại ghi Cá nhân hoặc Tập thể", "kind: write 'Cá nhân' or 'Tập thể'")
    if gender_text and NomineeKind(kind) is NomineeKind.COLLECTIVE:
        raise RowError("tập thể không có giới tính", "a collective has no gender")
    position = cell_text(cells.get("position"))[:200]
    if refused_character(position):
        raise RowError("chức vụ có ký tự không hợp lệ", "position has a character not allowed")
    return {
        "code": code, "full_name": name, "search": fold(name), "birth_date": birth,
        "gender": GENDERS.get(gender_text), "position": position,
        "kind": NomineeKind(kind).value, "unit_id": unit.id,
    }  # fmt: skip


MEMBER_COLUMNS = ("code", "kind", "full_name", "search", "birth_date", "gender", "position")


def _insert(
    session: Session, new: list[dict[str, Any]], joined_on: date, actor: User, now: datetime
) -> None:
    """Insert in batches; the chain vouches for each member and membership, 500 a link."""
    pending: dict[str, str] = {}
    for start in range(0, len(new), BATCH):
        chunk = new[start : start + BATCH]
        ids = session.scalars(
            insert(Member).returning(Member.id, sort_by_parameter_order=True),
            [{k: item[k] for k in MEMBER_COLUMNS} | {"merged_into_id": None} for item in chunk],
        ).all()
        joined = [
            {"member_id": mid, "unit_id": item["unit_id"], "valid_from": joined_on,
             "valid_to": None}
            for mid, item in zip(ids, chunk, strict=True)
        ]  # fmt: skip
        joined_ids = session.scalars(
            insert(Membership).returning(Membership.id, sort_by_parameter_order=True), joined
        ).all()
        for mid, item, jid, row in zip(ids, chunk, joined_ids, joined, strict=True):
            values = {k: item[k] for k in MEMBER_COLUMNS} | {
                "merged_into_id": None,
                "cccd_sealed": None,
            }
            pending[f"members/{mid}"] = records.digest_of("members", mid, values)
            pending[f"memberships/{jid}"] = records.digest_of("memberships", jid, row)
            if len(pending) >= 500:
                _vouch(session, pending, actor, now)
                pending = {}
    if pending:
        _vouch(session, pending, actor, now)


def _vouch(session: Session, digests: dict[str, str], actor: User, now: datetime) -> None:
    audit.append(
        session, None, now, {"change": "members_imported", "actor": actor.username,
                             "records": digests}
    )  # fmt: skip
