"""The council's pages: its roster, its sittings (open, count, close, minutes), the register
of awards of its unit, what revocations left to recover, and the certificate layout."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from web import forms
from web.auth import me, today
from web.downloads import document_file, file_response
from web.extensions import db
from web.i18n import current_lang
from workflow import council, recovery, register, sittings
from workflow.accounts import active_assignments, administered, unit_by_code
from workflow.documents import certificates, minutes, register_book
from workflow.documents.access import MINUTES_ROLES, may_take
from workflow.errors import InvalidInput, NotFound, WorkflowError
from workflow.exports import register_workbook
from workflow.models import Campaign, Unit
from workflow.spreadsheets import XLSX
from workflow.vocabulary import FIELD_LABELS, Role

bp = Blueprint("council", __name__)
FORMAT = "<any(docx, pdf):fmt>"


def _administers(unit: Unit) -> bool:
    return any(unit.path.startswith(u.path) for u in administered(me(), today()))


def _unit(code: str) -> Unit:
    """The council's unit, if the user sits on it, decides there, audits or administers it."""
    try:
        unit = unit_by_code(db.session, code)
    except WorkflowError:
        abort(404)
    if not (may_take(me(), unit, MINUTES_ROLES, today()) or _administers(unit)):
        abort(404)
    return unit


@bp.route("/council")
@login_required
def home() -> ResponseReturnValue:
    """The council of the user's unit (the first, if they sit on several)."""
    roles = {Role.COUNCIL, Role.DECIDER, Role.AUDITOR, Role.ADMIN}
    units = sorted(
        {
            a.unit.code: a.unit for a in active_assignments(me(), today()) if a.role in roles
        }.values(),
        key=lambda u: u.path,
    )
    if not units:
        abort(404)
    return redirect(url_for("council.page", code=units[0].code))


@bp.route("/council/<code>")
@login_required
def page(code: str) -> ResponseReturnValue:
    return _council_page(_unit(code))


def _council_page(unit: Unit, typed: Any = None, status: int = 200) -> ResponseReturnValue:
    """The council's page; on a refused new member, with what was typed kept in its form."""
    day = today()
    return render_template(
        "council.html",
        unit=unit,
        roster=council.roster(db.session, unit.id, day),
        history=council.all_members(db.session, unit.id),
        sittings=sittings.sittings_of(db.session, [unit.id]),
        campaigns=sittings.campaigns_awaiting(db.session, unit.id),
        may_admin=_administers(unit),
        may_read_register=register.may_read(me(), unit, day),
        years=register.years_of(db.session, unit.id, day),
        duties=council.DUTIES if current_lang() == "vi" else council.DUTIES_EN,
        typed=typed or MultiDict(),
    ), status


def _unit_by_id(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    return _unit(unit.code)


@bp.post("/council/units/<id:unit_id>/members")
@login_required
def add_member(unit_id: int) -> ResponseReturnValue:
    unit = _unit_by_id(unit_id)
    try:
        form = forms.load(forms.CouncilMemberSchema(), request.form)
        council.add_member(db.session, me(), unit, **form)
    except WorkflowError as err:
        flash(err.message(current_lang()), "error")
        return _council_page(unit, request.form, err.http_status)
    flash(_("Đã thêm thành viên Hội đồng."), "info")
    return redirect(url_for("council.page", code=unit.code))


@bp.post("/council/units/<id:unit_id>/members/<id:member_id>/end")
@login_required
def end_member(unit_id: int, member_id: int) -> ResponseReturnValue:
    code = _unit_by_id(unit_id).code
    try:
        form = forms.load(forms.EndMemberSchema(), request.form)
        council.end_member(db.session, me(), member_id, form["valid_to"])
    except WorkflowError as err:
        flash(err.message(current_lang()), "error")
        return redirect(url_for("council.page", code=code)), 303
    flash(_("Đã kết thúc nhiệm vụ của thành viên."), "info")
    return redirect(url_for("council.page", code=code))


@bp.route("/council/<code>/sittings/new", methods=["GET", "POST"])
@login_required
def new_sitting(code: str) -> ResponseReturnValue:
    """The secretary opens a sitting: the day, the place, who is present, the list."""
    unit = _unit(code)
    day = today()
    campaign_id = forms.whole(request.values.get("campaign"))
    campaign = db.session.get(Campaign, campaign_id) if campaign_id else None
    if campaign is None:
        abort(404)
    waiting = sittings.awaiting(db.session, unit.id, campaign.id)
    roster = council.roster(db.session, unit.id, day)
    status = 200
    if request.method == "POST":
        try:
            form = forms.load(
                forms.SittingFormSchema(), request.form, lists=("present", "nomination_ids")
            )
            sitting = sittings.open_sitting(
                db.session, me(), unit_id=unit.id, campaign_id=campaign.id, **form
            )
            flash(_("Đã mở phiên họp. Ghi kết quả kiểm phiếu của từng hồ sơ."), "info")
            return redirect(url_for("council.sitting_page", sitting_id=sitting.id))
        except WorkflowError as err:
            flash(err.message(current_lang()), "error")
            status = err.http_status
    return render_template(
        "sitting_form.html",
        unit=unit,
        campaign=campaign,
        waiting=waiting,
        roster=roster,
        today=day,
        typed=request.form if request.method == "POST" else None,
    ), status


def _sitting(sitting_id: int) -> Any:
    try:
        sitting = sittings.sitting_for(db.session, sitting_id)
    except NotFound:
        abort(404)
    _unit(sitting.unit.code)
    return sitting


def _render_sitting(
    sitting: Any,
    typed: MultiDict[str, str] | None,
    status: int = 200,
    wrong_rows: set[int] | None = None,
) -> Any:
    day = today()
    is_secretary = sitting.secretary.user_id == me().id
    may_sign = any(
        a.role == Role.DECIDER and a.unit_id == sitting.unit_id
        for a in active_assignments(me(), day)
    )
    return render_template(
        "sitting.html",
        sitting=sitting,
        present=[
            m
            for m in council.roster(db.session, sitting.unit_id, sitting.held_on)
            if m.id in sitting.present
        ],
        is_secretary=is_secretary,
        may_sign=may_sign,
        typed=typed,
        fields=sittings.TALLY,
        wrong_rows=wrong_rows or set(),
    ), status


@bp.route("/sittings/<id:sitting_id>")
@login_required
def sitting_page(sitting_id: int) -> ResponseReturnValue:
    return _render_sitting(_sitting(sitting_id), None)


def _tallies(form: MultiDict[str, str], ids: list[int]) -> dict[int, dict[str, int]]:
    """``tally-<id>-<count>`` fields; a row left blank is not counted yet."""
    out: dict[int, dict[str, int]] = {}
    wrong: dict[int, list[str]] = {}  # nomination -> the counts it has wrong
    for nid in ids:
        row = {f: form.get(f"tally-{nid}-{f}", "").strip() for f in sittings.TALLY}
        if not any(row.values()):
            continue
        counts: dict[str, int] = {}
        for name, text in row.items():
            number = forms.parse_count(text)
            if number is None:
                wrong.setdefault(nid, []).append(name)
            else:
                counts[name] = number
        out[nid] = counts
    if wrong:
        said = [
            (f"hồ sơ số {nid}: " + ", ".join(FIELD_LABELS[n][0] for n in names),
             f"nomination {nid}: " + ", ".join(FIELD_LABELS[n][1] for n in names))
            for nid, names in wrong.items()
        ]  # fmt: skip
        raise InvalidInput(
            "Số phiếu phải là số nguyên không âm (" + "; ".join(vi for vi, _ in said) + ").",
            "Counts must be whole numbers (" + "; ".join(en for _, en in said) + ").",
            {"tally": [str(nid) for nid in wrong]},
        )
    return out


@bp.post("/sittings/<id:sitting_id>")
@login_required
def save_sitting(sitting_id: int) -> ResponseReturnValue:
    """Save the tallies typed; with ``close``, then close the sitting (the whole list)."""
    sitting = _sitting(sitting_id)
    version = forms.whole(request.form.get("version"))
    if version is None:
        abort(400)
    try:
        tallies = _tallies(request.form, [item.nomination_id for item in sitting.items])
        if tallies:
            version = sittings.record_tallies(
                db.session, me(), sitting.id, tallies, expected_version=version
            ).version
        if request.form.get("close"):
            closed = sittings.close_sitting(db.session, me(), sitting.id, expected_version=version)
            flash(
                _(
                    "Đã kết thúc phiên họp: %(passed)s hồ sơ đạt, %(failed)s không đạt. Biên bản số %(number)s.",
                    passed=len(closed.passed),
                    failed=len(closed.failed),
                    number=closed.sitting.number,
                ),
                "info",
            )
        else:
            flash(_("Đã lưu kết quả kiểm phiếu."), "info")
    except WorkflowError as err:
        flash(err.message(current_lang()), "error")
        db.session.expire_all()
        return _render_sitting(
            _sitting(sitting_id), request.form, err.http_status, forms.rows_named(err.details)
        )
    return redirect(url_for("council.sitting_page", sitting_id=sitting_id))


@bp.route(f"/sittings/<id:sitting_id>/minutes.{FORMAT}")
@login_required
def sitting_minutes(sitting_id: int, fmt: str) -> ResponseReturnValue:
    try:
        document = minutes.sitting_minutes(db.session, me(), sitting_id, today())
    except WorkflowError:
        abort(404)
    return document_file(document, fmt)


def _year() -> int:
    return forms.year_asked(request.args) or today().year


@bp.route("/council/<code>/register")
@login_required
def register_page(code: str) -> ResponseReturnValue:
    """The register of awards of the unit for a year."""
    unit = _unit(code)
    year = _year()
    try:
        lines = register.entries_of(db.session, me(), unit, year, today())
    except WorkflowError:
        abort(404)
    years = register.years_of(db.session, unit.id, today(), year)
    return render_template("register.html", unit=unit, year=year, years=years, lines=lines)


@bp.route("/council/<code>/register.<any(xlsx, pdf):fmt>")
@login_required
def register_file(code: str, fmt: str) -> ResponseReturnValue:
    unit = _unit(code)
    year = _year()
    try:
        lines = register.entries_of(db.session, me(), unit, year, today())
    except WorkflowError:
        abort(404)
    if fmt == "pdf":
        return document_file(register_book.register_document(unit, year, lines), "pdf")
    return file_response(
        register_workbook(unit, year, lines, current_lang()),
        XLSX,
        _("Sổ theo dõi khen thưởng %(unit)s năm %(year)s", unit=unit.name, year=year),
        "xlsx",
    )


@bp.route("/council/<code>/certificate", methods=["GET", "POST"])
@login_required
def certificate_layout(code: str) -> ResponseReturnValue:
    """Where each line of the unit's certificates is printed (for its pre-printed blanks)."""
    unit = _unit(code)
    if not _administers(unit):
        abort(404)
    layout = certificates.unit_layout(db.session, unit.id)
    status = 200
    if request.method == "POST":
        try:
            values = forms.layout_values(request.form, certificates.DEFAULT)
            layout = certificates.save_layout(
                db.session, me(), unit, values, bool(request.form.get("preprinted"))
            )
            flash(_("Đã lưu bố cục in bằng khen, giấy khen."), "info")
            return redirect(url_for("council.certificate_layout", code=code))
        except WorkflowError as err:
            flash(err.message(current_lang()), "error")
            status = err.http_status
    return render_template(
        "certificate_layout.html",
        unit=unit,
        layout=layout,
        labels=certificates.LABELS,
        lang=current_lang(),
        typed=request.form if request.method == "POST" else None,
    ), status


@bp.route("/recoveries")
@login_required
def recoveries() -> ResponseReturnValue:
    """What revocations left to recover at the user's units."""
    return _recoveries_page()


def _recoveries_page(typed: Any = None, status: int = 200) -> ResponseReturnValue:
    """The list; on a refused mark, with the day typed kept in the form that sent it."""
    items = recovery.recoveries(db.session, me(), today())
    markable = recovery.markable_units(me(), today())
    return render_template(
        "recoveries.html", items=items, today=today(), typed=typed, markable=markable
    ), status


@bp.post("/recoveries/<id:recovery_id>")
@login_required
def mark_recovered(recovery_id: int) -> ResponseReturnValue:
    try:
        form = forms.load(forms.RecoveredSchema(), request.form)
        recovery.mark(db.session, me(), recovery_id, **form)
    except WorkflowError as err:
        flash(err.message(current_lang()), "error")
        return _recoveries_page(request.form | {"id": recovery_id}, err.http_status)
    flash(_("Đã ghi nhận việc thu hồi."), "info")
    return redirect(url_for("council.recoveries"))
