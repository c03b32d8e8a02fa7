"""The registry's pages: members and collectives, each one's record over the years, the
register imported from Excel, and the CĐCS's emulation year (registration, evaluation,
proposals)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from rules import words
from web import forms
from web.auth import me, today
from web.downloads import document_file, file_response
from web.extensions import db
from web.i18n import current_lang
from workflow import campaigns, emulation_year, member_import, members, units
from workflow.accounts import active_assignments
from workflow.clock import ddmmyyyy
from workflow.documents.member_record import member_record as record_document
from workflow.errors import InvalidInput, NotFound, WorkflowError
from workflow.exports import members_workbook, registrations_workbook
from workflow.models import Campaign, Unit
from workflow.spreadsheets import XLSX
from workflow.vocabulary import Role

bp = Blueprint("registry", __name__)
MAX_UPLOAD = member_import.MAX_BYTES


def _officer_unit() -> Unit | None:
    """The CĐCS where the user is an officer (the first, when several)."""
    for a in active_assignments(me(), today()):
        if a.role == Role.OFFICER:
            return a.unit
    return None


@bp.route("/members")
@login_required
def member_list() -> ResponseReturnValue:
    q = request.args.get("q", "")
    found = members.search(db.session, me(), today(), q)
    may_import = member_import.may_import(me(), today())
    return render_template(
        "members.html", found=found, q=q, unit=_officer_unit(), day=today(), may_import=may_import
    )


@bp.route("/members.xlsx")
@login_required
def member_export() -> ResponseReturnValue:
    """The members shown, as Excel; the export itself is recorded in the trail."""
    q = request.args.get("q", "")
    found = members.exported(db.session, me(), today(), q)
    return file_response(
        members_workbook(found, today(), current_lang()), XLSX, _("Sổ đoàn viên"), "xlsx"
    )


@bp.route("/members/new", methods=["GET", "POST"])
@login_required
def new_member() -> ResponseReturnValue:
    unit = _officer_unit()
    if unit is None:
        abort(404)
    status, namesake = 200, False
    if request.method == "POST":
        try:
            form = forms.load(forms.MemberFormSchema(), request.form)
            joined_on, namesake_ok = form.pop("joined_on"), form.pop("namesake_ok")
            member = members.add_member(
                db.session, me(), unit.code, members.NewMember(**form), joined_on,
                namesake_ok=namesake_ok,
            )  # fmt: skip
            flash(_("Đã thêm %(name)s vào sổ.", name=member.full_name), "info")
            return redirect(url_for("registry.member_page", member_id=member.id))
        except WorkflowError as err:
            flash(err.message(current_lang()), "error")
            status = err.http_status
            namesake = (err.details or {}).get("full_name") == "likely_duplicate"
    return render_template(
        "member_form.html", unit=unit, typed=request.form, day=today(), genders=_genders(),
        namesake=namesake or "namesake_ok" in request.form,
    ), status  # fmt: skip


def _genders() -> dict[str, str]:
    return {"female": _("Nữ"), "male": _("Nam")}


@bp.route("/members/<id:member_id>")
@login_required
def member_page(member_id: int, status: int = 200) -> ResponseReturnValue:
    """One person's or collective's record: units, each year's evaluation, every title."""
    day = today()
    try:
        member = members.visible(db.session, me(), member_id, day)
    except WorkflowError:
        kept = members.merged_into(db.session, me(), member_id, day)
        if kept is None:
            abort(404)
        flash(_("Bản ghi này đã được gộp vào bản ghi của %(name)s (mã %(code)s).",
                name=kept.full_name, code=kept.code), "info")  # fmt: skip
        return redirect(url_for("registry.member_page", member_id=kept.id))
    now_at = members.current_unit(member, day)
    return render_template(
        "member.html",
        member=member,
        years=members.years_of(db.session, me(), member, day),
        titles=members.titles(db.session, member),
        now_at=now_at,
        may_write=now_at is not None and members.may_write(me(), now_at, day),
        ratings=words.RATINGS,
        scopes=words.SCOPES,
        discipline=words.DISCIPLINE,
        lang=current_lang(),
        genders=_genders(),
        cccd=members.cccd_shown(me(), member, day),
        day=day,
        destinations=units.open_grassroots(db.session) if now_at is not None else [],
        known_titles=campaigns.known_titles(db.session, member.kind) if now_at is not None else [],
    ), status


def _refused(member_id: int, err: WorkflowError) -> ResponseReturnValue:
    """A refused change of a record: "not found" to whoever may not see it, else the page
    with the reason (a unit code not found is a reason, not a missing page)."""
    if isinstance(err, NotFound):
        try:
            members.visible(db.session, me(), member_id, today())
        except WorkflowError:
            abort(404)
    flash(err.message(current_lang()), "error")
    db.session.expire_all()
    return member_page(member_id, err.http_status)


@bp.route("/members/<id:member_id>/record.<any(docx, pdf):fmt>")
@login_required
def member_record(member_id: int, fmt: str) -> ResponseReturnValue:
    """The hồ sơ thi đua to print; taking it away is recorded in the trail."""
    day = today()
    try:
        member = members.visible(db.session, me(), member_id, day)
    except WorkflowError:
        abort(404)
    document = record_document(
        member,
        members.years_of(db.session, me(), member, day),
        members.titles(db.session, member),
        day,
    )
    members.note_export(db.session, me(), f"member_record:{member.code}", 1, "")
    return document_file(document, fmt)


@bp.post("/members/<id:member_id>/titles")
@login_required
def declare(member_id: int) -> ResponseReturnValue:
    try:
        form = forms.load(forms.DeclareTitleSchema(), request.form)
        members.declare_title(db.session, me(), member_id, **form)
        flash(_("Đã ghi danh hiệu tự khai."), "info")
    except WorkflowError as err:
        return _refused(member_id, err)
    return redirect(url_for("registry.member_page", member_id=member_id))


@bp.post("/members/<id:member_id>/merge")
@login_required
def merge(member_id: int) -> ResponseReturnValue:
    day = today()
    try:
        form = forms.load(forms.MergeSchema(), request.form)
        found = members.search(db.session, me(), day, form["other_code"].strip(), limit=5)
        typed = form["other_code"].strip().casefold()
        other = next((m for m in found if m.code.casefold() == typed), None)
        if other is None:
            raise InvalidInput(
                "Không có bản ghi mã này trong phạm vi của bạn.", "No such record within reach."
            )
        members.merge(db.session, me(), member_id, other.id)
        flash(_("Đã gộp hai bản ghi."), "info")
    except WorkflowError as err:
        return _refused(member_id, err)
    return redirect(url_for("registry.member_page", member_id=member_id))


@bp.post("/members/<id:member_id>/move")
@login_required
def move_member(member_id: int) -> ResponseReturnValue:
    try:
        form = forms.load(forms.MoveFormSchema(), request.form)
        members.move(db.session, me(), member_id, form["to_unit"], form["on"])
        flash(_("Đã chuyển sinh hoạt sang đơn vị mới."), "info")
    except WorkflowError as err:
        return _refused(member_id, err)
    return redirect(url_for("registry.member_page", member_id=member_id))


@bp.post("/members/<id:member_id>/initiatives")
@login_required
def add_initiative(member_id: int) -> ResponseReturnValue:
    """An initiative recognised in a year, added to that year's record."""
    day = today()
    try:
        form = forms.load(forms.InitiativeFormSchema(), request.form)
        member = members.visible(db.session, me(), member_id, day)
        year = form.pop("year")
        held = next(
            (y for y in members.years_of(db.session, me(), member, day) if y.year == year), None
        )
        listed = list(held.initiatives) if held else []
        members.record_year(db.session, me(), member_id, year, {"initiatives": [*listed, form]})
        flash(_("Đã ghi sáng kiến."), "info")
    except WorkflowError as err:
        return _refused(member_id, err)
    return redirect(url_for("registry.member_page", member_id=member_id))


@bp.route("/members/import", methods=["GET", "POST"])
@login_required
def import_page() -> ResponseReturnValue:
    member_import.require_import(me(), today())  # a reader is told who fills the register
    report = None
    status = 200
    if request.method == "POST":
        try:
            content, _name = forms.read_upload(request.files.get("file"), MAX_UPLOAD)
            form = forms.load(forms.JoinedSchema(), request.form)
            report = member_import.import_members(db.session, me(), content, form["joined_on"])
        except WorkflowError as err:
            flash(err.message(current_lang()), "error")
            status = err.http_status
    typed = request.form.get("joined_on") if request.method == "POST" else None
    return render_template(
        "members_import.html", report=report, day=today(), joined_on=typed
    ), status


@bp.route("/members/import/template.xlsx")
@login_required
def import_template() -> ResponseReturnValue:
    try:
        content = member_import.template(db.session, me(), today())
    except WorkflowError as err:
        abort(err.http_status)
    return file_response(content, XLSX, _("Mẫu sổ đoàn viên"), "xlsx")


def _campaign(code: str) -> Campaign:
    try:
        return campaigns.campaign_by_code(db.session, code)
    except WorkflowError:
        abort(404)


def _year_context(campaign: Campaign, unit: Unit) -> dict[str, Any]:
    day = today()
    people = emulation_year.unit_members(db.session, unit.id, day)
    awards = [a for a in campaign.award_types if a.rules]
    return {
        "campaign": campaign,
        "unit": unit,
        "people": people,
        "awards": awards,
        "registrable": emulation_year.registrable(people, awards, campaign, unit.id, day),
        "due": campaigns.registration_by(campaign),
        "registration_over": emulation_year.registration_over(campaign, day),
        "closed": emulation_year.filing_closed(campaign, day),
        "registered": {
            (r.member_id, r.award_code): r
            for r in emulation_year.registrations(db.session, me(), campaign, day)
        },
        "day": day,
    }


@bp.route("/emulation")
@login_required
def current_year() -> ResponseReturnValue:
    """The campaigns a CĐCS registers, rates and proposes in, newest first."""
    unit = _officer_unit()  # an officer: the campaigns launched for the CĐCS; others read all
    offered = campaigns.offering_awards(db.session, None if unit is None else [unit])
    return render_template(
        "emulation_years.html",
        campaigns=[(c.code, c.title) for c in offered],
        unplanned=campaigns.unplanned_year(offered, today()),
    )


@bp.route("/emulation/<code>")
@login_required
def year_page(code: str, status: int = 200) -> ResponseReturnValue:
    """The CĐCS's year in a campaign: who registered, their evaluation, what they qualify for."""
    campaign = _campaign(code)
    unit = _officer_unit()
    if unit is None:
        return render_template(
            "registrations.html",
            campaign=campaign,
            titles={a.code: a.title for a in campaign.award_types},
            rows=emulation_year.registrations(db.session, me(), campaign, today()),
        ), status
    return _year_of(campaign, unit, None), status


def _year_of(campaign: Any, unit: Any, typed: Any, wrong_rows: set[int] | None = None) -> str:
    """The year page as stored, with what was ``typed`` in a refused evaluation kept and
    its ``wrong_rows`` marked."""
    context = _year_context(campaign, unit)
    people = [m.id for m in context["people"]]
    evaluations = members.years_in(db.session, people, campaign.year)
    years = {y.member_id: y for y in evaluations}
    found = emulation_year.offers(
        db.session, me(), unit.code, campaign.code, today(), shortfalls=True
    )
    return render_template(
        "emulation_year.html",
        **context,
        years=years,
        offers=[o for o in found if o.qualifies],
        shortfalls=[o for o in found if not o.qualifies and not o.missing],
        unpledged=[o for o in found if o.missing == "registration"],
        late=[o for o in found if o.missing == "deadline"],
        unevaluated=emulation_year.unevaluated(context["people"], evaluations, context["awards"]),
        unregistered=[o for o in found if o.missing == "registration_closed"],
        ratings=words.RATINGS,
        discipline=words.DISCIPLINE,
        lang=current_lang(),
        typed=typed,
        wrong_rows=wrong_rows or set(),
    )


@bp.post("/emulation/<code>/registration")
@login_required
def register(code: str) -> ResponseReturnValue:
    campaign = _campaign(code)
    picks = {}
    for award in campaign.award_types:
        picked = [forms.whole(v) for v in request.form.getlist(f"register-{award.code}")]
        if None in picked:  # a box's value is a member's number: only a crafted form sends else
            abort(400)
        if picked:
            picks[award.code] = [member_id for member_id in picked if member_id is not None]
    if not picks:  # "Đã ghi" over nothing ticked told of a registration never made
        flash(_("Chưa đánh dấu ai để đăng ký: hãy chọn ô «Đăng ký» của từng người."), "warning")
        return year_page(code, 422)
    try:
        added = emulation_year.register_all(db.session, me(), campaign.code, picks)
        if added:
            flash(_("Đã ghi danh sách đăng ký thi đua."), "info")
        else:
            flash(_("Những người đã chọn đều đã đăng ký từ trước: không có gì mới để ghi."), "info")
        late = sum(1 for row in added if row.late)
        if late:
            flash(
                _(
                    "%(count)s đăng ký được ghi là muộn (sau hạn %(due)s): chỉ được xét ở "
                    "hình thức mà kế hoạch nhận đăng ký muộn.",
                    count=late,
                    due=ddmmyyyy(campaigns.registration_by(campaign)),
                ),
                "warning",
            )
    except WorkflowError as err:
        flash(err.message(current_lang()), "error")
        return year_page(code, err.http_status)
    return redirect(url_for("registry.year_page", code=code))  # its message at the top, in view


@bp.route("/emulation/<code>/registrations.xlsx")
@login_required
def registrations_file(code: str) -> ResponseReturnValue:
    """Who registered, as far as the user may see (personal data: recorded in the trail)."""
    campaign = _campaign(code)
    rows = emulation_year.exported_registrations(db.session, me(), campaign, today())
    titles = {a.code: a.title for a in campaign.award_types}
    return file_response(
        registrations_workbook(rows, titles, current_lang()),
        XLSX,
        _("Đăng ký thi đua %(code)s", code=campaign.code),
        "xlsx",
    )


@bp.post("/emulation/<code>/registrations")
@login_required
def registrations_upload(code: str) -> ResponseReturnValue:
    """Registrations from Excel (member code, title code): all of them, or none."""
    campaign = _campaign(code)
    try:
        content, _name = forms.read_upload(request.files.get("file"), MAX_UPLOAD)
        added = emulation_year.register_from_sheet(db.session, me(), campaign.code, content)
        flash(
            ngettext("Đã ghi %(num)s đăng ký từ tệp.", "Đã ghi %(num)s đăng ký từ tệp.", added),
            "info",
        )
    except WorkflowError as err:
        flash(err.message(current_lang()), "error")
        return year_page(code, err.http_status)
    return redirect(url_for("registry.year_page", code=code))  # its message at the top, in view


@bp.post("/emulation/<code>/evaluation")
@login_required
def evaluate(code: str) -> ResponseReturnValue:
    """The year's ratings of the unit's members, all saved or none."""
    campaign = _campaign(code)
    unit = _officer_unit()
    if unit is None:
        abort(404)
    try:
        people = {
            m.id: m.full_name for m in emulation_year.unit_members(db.session, unit.id, today())
        }
        rows = _evaluation_rows(request.form, people)
        members.record_years(db.session, me(), campaign.year, rows)
        flash(_("Đã lưu kết quả bình xét năm %(year)s.", year=campaign.year), "info")
    except WorkflowError as err:
        flash(err.message(current_lang()), "error")
        db.session.expire_all()
        return _year_of(
            campaign, unit, request.form, forms.rows_named(err.details)
        ), err.http_status
    return redirect(url_for("registry.year_page", code=code) + "#proposals")


def _evaluation_rows(form: Any, people: dict[int, str]) -> dict[int, dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    wrong = []
    for mid in people:
        row: dict[str, Any] = {
            "rating": form.get(f"rating-{mid}", ""),
            "discipline": form.get(f"discipline-{mid}", ""),
        }
        for name in ("absent_days", "months_employed"):
            text = form.get(f"{name}-{mid}", "").strip()
            number = forms.parse_count(text) if text else None
            if text and number is None:
                wrong.append(str(mid))
            row[name] = number
        if any(v not in (None, "") for v in row.values()):
            rows[mid] = row
    if wrong:
        names = ", ".join(people[int(mid)] for mid in wrong)
        raise InvalidInput(
            f"Số ngày nghỉ (từ 0 đến 366) và số tháng công tác (từ 0 đến 12) phải là số nguyên ({names}).",
            f"Days (0 to 366) and months (0 to 12) must be whole numbers ({names}).",
            {"members": wrong},
        )
    return rows


@bp.post("/emulation/<code>/proposals")
@login_required
def propose(code: str) -> ResponseReturnValue:
    campaign = _campaign(code)
    unit = _officer_unit()
    if unit is None:
        abort(404)
    picks = []
    for value in request.form.getlist("pick"):
        raw_id, _sep, award = value.partition(":")
        member_id = forms.whole(raw_id)
        if member_id is not None and award:
            picks.append((member_id, award))
    if not picks:
        flash(_("Chưa chọn đề nghị nào."), "error")
        return year_page(code, 422)
    try:
        made = emulation_year.propose(db.session, me(), unit.code, campaign.code, picks)
    except WorkflowError as err:
        flash(err.message(current_lang()), "error")
        return year_page(code, err.http_status)
    flash(
        ngettext(
            "Đã lập %(num)s hồ sơ đề nghị (bản nháp).",
            "Đã lập %(num)s hồ sơ đề nghị (bản nháp).",
            len(made),
        ),
        "info",
    )
    return redirect(url_for("nominations.index", campaign=campaign.code))
