"""What each list view exports to Excel: the same rows the page shows, every page of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from workflow import audit, events, queries
from workflow.amounts import award_amount
from workflow.campaigns import campaign_by_code
from workflow.clock import parse_iso_utc, vn_date, vn_time
from workflow.decisions import DecisionView
from workflow.models import Member, Nomination, Unit
from workflow.register import RegisterLine
from workflow.spreadsheets import Sheet, table_workbook
from workflow.vocabulary import Level, NomineeKind, Role, State

Lang = str


def every_page(fetch: Callable[..., queries.Page[Any]], **kwargs: Any) -> Iterator[Nomination]:
    """All items of a keyset-paginated list, page after page (an export has no pager)."""
    cursor = None
    while True:
        page = fetch(cursor=cursor, limit=queries.PAGE_MAX, **kwargs)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _t(lang: Lang, vi: str, en: str) -> str:
    return vi if lang == "vi" else en


def nominations_workbook(items: Iterator[Nomination], title: str, lang: Lang = "vi") -> bytes:
    headers = [
        _t(lang, "Số hồ sơ", "No."),
        _t(lang, "Người/tập thể được đề nghị", "Nominee"),
        _t(lang, "Đối tượng", "Kind"),
        _t(lang, "Hình thức khen thưởng", "Award"),
        _t(lang, "Đợt thi đua", "Campaign"),
        _t(lang, "Đơn vị đề nghị", "Proposing unit"),
        _t(lang, "Đang ở", "Now at"),
        _t(lang, "Trạng thái", "State"),
        _t(lang, "Hạn xử lý", "Due on"),
        _t(lang, "Cập nhật", "Updated"),
    ]
    rows = [
        [
            n.id,
            n.nominee_name,
            NomineeKind(n.nominee_kind).label(lang),
            n.award_type.title,
            n.campaign.code,
            n.origin_unit.name,
            n.current_unit.name,
            State(n.state).label(lang),
            n.due_on,
            vn_date(n.updated_at),
        ]
        for n in items
    ]
    return table_workbook([Sheet(title, headers, rows)])


def trail_workbook(session: Session, nomination_id: int, lang: Lang = "vi") -> bytes:
    """The trail as the auditor reads it, with both hashes so a copy can be checked."""
    headers = [
        _t(lang, "Thứ tự", "Seq"),
        _t(lang, "Thời điểm", "At"),
        _t(lang, "Người thực hiện", "Actor"),
        _t(lang, "Làm thay cho", "Acting for"),
        _t(lang, "Vai trò", "Role"),
        _t(lang, "Đơn vị", "Unit"),
        _t(lang, "Sự kiện", "Event"),
        _t(lang, "Từ trạng thái", "From state"),
        _t(lang, "Đến trạng thái", "To state"),
        _t(lang, "Từ đơn vị", "From unit"),
        _t(lang, "Đến đơn vị", "To unit"),
        _t(lang, "Ý kiến", "Comment"),
        _t(lang, "Mã băm liền trước", "Previous hash"),
        _t(lang, "Mã băm", "Hash"),
    ]
    rows = [
        [
            e["seq"],
            vn_time(parse_iso_utc(e["at"]), seconds=True),
            e["actor"],
            e.get("acting_for"),
            Role(e["role"]).label(lang) if e.get("role") else "",
            e.get("unit"),
            events.label(e["event"], lang),
            State(e["from_state"]).label(lang) if e.get("from_state") else "",
            State(e["to_state"]).label(lang) if e.get("to_state") else "",
            e.get("from_unit"),
            e.get("to_unit"),
            e.get("comment"),
            e["prev_hash"],
            e["hash"],
        ]
        for e in audit.trail(session, nomination_id)
    ]
    return table_workbook([Sheet(_t(lang, "Nhật ký", "Trail"), headers, rows)])


def decision_workbook(view: DecisionView, lang: Lang = "vi") -> bytes:
    d = view.decision
    headers = [
        _t(lang, "STT", "No."),
        _t(lang, "Họ tên / tập thể", "Name"),
        _t(lang, "Chức vụ", "Position"),
        _t(lang, "Đơn vị", "Unit"),
        _t(lang, "Hình thức khen thưởng", "Award"),
        _t(lang, "Số tiền thưởng (đồng)", "Bonus (VND)"),
    ]
    rows: list[list[Any]] = [
        [i, line.nominee_name, line.position, line.unit_name, line.award_title, line.amount]
        for i, line in enumerate(view.lines, start=1)
    ]
    rows.append(["", _t(lang, "Tổng cộng", "Total"), "", "", "", view.total])
    caption = [
        _t(lang, "DANH SÁCH KÈM THEO QUYẾT ĐỊNH SỐ ", "LIST ATTACHED TO DECISION No. ")
        + f"{d.number} ({d.signed_on.strftime('%d/%m/%Y')})",
        _t(lang, "Bằng chữ: ", "In words: ") + view.total_words,
    ]
    return table_workbook([Sheet(_t(lang, "Danh sách", "List"), headers, rows, caption)])


def decisions_workbook(views: list[DecisionView], lang: Lang = "vi") -> bytes:
    headers = [
        _t(lang, "Số quyết định", "Decision"),
        _t(lang, "Ngày ký", "Signed on"),
        _t(lang, "Đơn vị ban hành", "Issued by"),
        _t(lang, "Người ký", "Signer"),
        _t(lang, "Số tập thể, cá nhân", "Awardees"),
        _t(lang, "Tổng tiền thưởng (đồng)", "Total bonus (VND)"),
    ]
    rows = [
        [
            v.decision.number,
            v.decision.signed_on,
            v.decision.unit.name,
            v.decision.signer.full_name,
            len(v.lines),
            v.total,
        ]
        for v in views
    ]
    return table_workbook([Sheet(_t(lang, "Quyết định", "Decisions"), headers, rows)])


def campaign_results_workbook(
    session: Session, actor: Any, day: date, code: str, lang: Lang = "vi"
) -> bytes:
    """Every nomination of the campaign the actor may see, with its outcome and bonus."""
    campaign = campaign_by_code(session, code)
    headers = [
        _t(lang, "Số hồ sơ", "No."),
        _t(lang, "Người/tập thể được đề nghị", "Nominee"),
        _t(lang, "Hình thức khen thưởng", "Award"),
        _t(lang, "Đơn vị đề nghị", "Proposing unit"),
        _t(lang, "Kết quả", "Outcome"),
        _t(lang, "Số quyết định", "Decision"),
        _t(lang, "Ngày ký", "Signed on"),
        _t(lang, "Số tiền thưởng (đồng)", "Bonus (VND)"),
    ]
    rows = []
    for n in every_page(
        queries.list_nominations, session=session, actor=actor, day=day, campaign=code
    ):
        decision = n.decision
        rows.append(
            [
                n.id,
                n.nominee_name,
                n.award_type.title,
                n.origin_unit.name,
                State(n.state).label(lang),
                decision.number if decision else "",
                decision.signed_on if decision else None,
                award_amount(n, decision.signed_on)
                if decision and n.state == State.AWARDED
                else None,
            ]
        )
    title = _t(lang, "KẾT QUẢ ĐỢT THI ĐUA: ", "CAMPAIGN RESULTS: ") + campaign.title
    return table_workbook([Sheet(_t(lang, "Kết quả", "Results"), headers, rows, [title])])


def register_workbook(unit: Unit, year: int, lines: list[RegisterLine], lang: Lang = "vi") -> bytes:
    """The register of awards of one unit and year, one row per entry."""
    headers = [
        _t(lang, "Số vào sổ", "Entry"),
        _t(lang, "Họ tên / tập thể", "Name"),
        _t(lang, "Chức vụ", "Position"),
        _t(lang, "Đơn vị", "Unit"),
        _t(lang, "Hình thức khen thưởng", "Award"),
        _t(lang, "Số quyết định", "Decision"),
        _t(lang, "Ngày ký", "Signed on"),
        _t(lang, "Số tiền thưởng (đồng)", "Bonus (VND)"),
        _t(lang, "Ghi chú", "Note"),
    ]
    rows = [
        [
            line.entry,
            line.nominee_name,
            line.position,
            line.unit_name,
            line.award_title,
            line.decision_number,
            line.signed_on,
            line.amount,
            _t(lang, "Đã hủy bỏ", "Revoked") if line.revoked else "",
        ]
        for line in lines
    ]
    caption = [
        _t(lang, "SỔ THEO DÕI KHEN THƯỞNG NĂM ", "REGISTER OF AWARDS ") + f"{year} — {unit.name}"
    ]
    return table_workbook([Sheet(_t(lang, "Sổ khen thưởng", "Register"), headers, rows, caption)])


def members_workbook(found: list[Member], day: date, lang: Lang = "vi") -> bytes:
    """The registry as shown (personal data: its export is recorded by the caller)."""
    headers = [
        _t(lang, "Mã", "Code"),
        _t(lang, "Họ và tên / tập thể", "Name"),
        _t(lang, "Ngày sinh", "Birth date"),
        _t(lang, "Giới tính", "Gender"),
        _t(lang, "Chức vụ", "Position"),
        _t(lang, "Đơn vị", "Unit"),
    ]
    genders = {"female": _t(lang, "Nữ", "Female"), "male": _t(lang, "Nam", "Male")}
    rows = []
    for m in found:
        unit = next((ms.unit.name for ms in m.memberships if ms.valid_to is None), "")
        rows.append([m.code, m.full_name, m.birth_date, genders.get(m.gender or "", ""),
                     m.position, unit])  # fmt: skip
    caption = [_t(lang, "SỔ ĐOÀN VIÊN ", "MEMBERS ") + day.strftime("%d/%m/%Y")]
    return table_workbook([Sheet(_t(lang, "Đoàn viên", "Members"), headers, rows, caption)])


def registrations_workbook(rows: list[Any], titles: dict[str, str], lang: Lang = "vi") -> bytes:
    """Who registered for which title (đăng ký thi đua), as the parent tiers collect it."""
    headers = [
        _t(lang, "Mã", "Code"),
        _t(lang, "Họ và tên / tập thể", "Name"),
        _t(lang, "Đơn vị", "Unit"),
        _t(lang, "Danh hiệu đăng ký", "Title"),
        _t(lang, "Ngày đăng ký", "Registered on"),
        _t(lang, "Đăng ký muộn", "Late"),
    ]
    body = [
        [r.member.code, r.member.full_name, r.unit.name, titles.get(r.award_code, r.award_code),
         r.registered_on, _t(lang, "Có", "Yes") if r.late else _t(lang, "Không", "No")]
        for r in rows
    ]  # fmt: skip
    return table_workbook([Sheet(_t(lang, "Đăng ký thi đua", "Registrations"), headers, body)])


def statistics_workbook(stats: Any, lang: Lang = "vi") -> bytes:
    """The award statistics as tables: one sheet per breakdown, both years side by side."""
    this, last = stats.this_year, stats.last_year
    head = [_t(lang, "Số lượng", "Count") + f" {this.year}", _t(lang, "Tiền thưởng", "Money") + f" {this.year}",
            _t(lang, "Số lượng", "Count") + f" {last.year}", _t(lang, "Tiền thưởng", "Money") + f" {last.year}"]  # fmt: skip

    def sheet(title: str, name: str, now: dict[Any, Any], before: dict[Any, Any],
              names: dict[Any, str]) -> Sheet:  # fmt: skip
        keys = list(dict.fromkeys([*now, *before]))
        body = []
        for key in keys:
            a, b = now.get(key), before.get(key)
            body.append([names.get(key, str(key)), a.count if a else 0, a.money if a else 0,
                         b.count if b else 0, b.money if b else 0])  # fmt: skip
        caption = [f"{stats.root.name} — {this.year} / {last.year}"]
        return Sheet(title, [name, *head], body, caption)

    units = {uid: u.name for uid, u in stats.children.items()}
    shares = Sheet(
        _t(lang, "Tỷ lệ", "Shares"),
        [_t(lang, "Chỉ tiêu", "Figure"), str(this.year), str(last.year)],
        [
            [_t(lang, "Cá nhân được khen", "Individuals awarded"), this.individuals, last.individuals],
            [_t(lang, "Trong đó nữ", "Of whom women"), this.women, last.women],
            [_t(lang, "Chưa rõ giới tính", "Gender not given"), this.gender_unknown, last.gender_unknown],
            [_t(lang, "Công nhân trực tiếp sản xuất", "Workers in production"),
             this.direct_workers, last.direct_workers],
        ],
    )  # fmt: skip
    return table_workbook([
        sheet(_t(lang, "Theo hình thức", "By award"), _t(lang, "Hình thức", "Award"),
              this.by_award, last.by_award, {}),
        sheet(_t(lang, "Theo cấp", "By level"), _t(lang, "Cấp quyết định", "Level"),
              this.by_level, last.by_level, {lvl.value: lvl.label(lang) for lvl in Level}),
        sheet(_t(lang, "Cá nhân, tập thể", "By kind"), _t(lang, "Đối tượng", "Kind"),
              this.by_kind, last.by_kind, {k.value: k.label(lang) for k in NomineeKind}),
        sheet(_t(lang, "Theo đơn vị", "By unit"), _t(lang, "Đơn vị", "Unit"),
              this.by_unit, last.by_unit, units),
        shares,
    ])  # fmt: skip


def _number(result: int | str | None) -> int | Decimal | None:
    """A declared result as a number Excel sums (a percentage is kept as its text, "95.5")."""
    return Decimal(result) if isinstance(result, str) else result


def report_status_workbook(rows: list[Any], targets: Any, lang: Lang = "vi") -> bytes:
    """A parent's units for one period: reported or not, and each declared result."""
    headers = [_t(lang, "Đơn vị", "Unit"), _t(lang, "Đã báo cáo", "Reported"),
               _t(lang, "Ngày gửi", "Sent on"),
               *(f"{t.label} ({t.unit.strip()})" if t.unit.strip() else t.label
                 for t in targets)]  # fmt: skip
    body = [
        [s.unit.name, _t(lang, "Có", "Yes") if s.report else _t(lang, "Chưa", "Not yet"),
         s.report.submitted_on if s.report else None,
         *(_number(s.report.results.get(t.key)) if s.report else None for t in targets)]
        for s in rows
    ]  # fmt: skip
    return table_workbook([Sheet(_t(lang, "Báo cáo", "Reports"), headers, body)])
