"""Lists in and out of Excel: the import of nominations (upload, check, confirm) and the
.xlsx export of every list view. The checks and the workbooks are the domain's
(workflow.imports, workflow.exports); views parse, call and send the file."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from web import forms
from web.auth import me, today
from web.downloads import file_response
from web.extensions import db
from web.i18n import current_lang
from web.nominations import bulk_result
from workflow import decisions, exports, import_sheets, imports, queries
from workflow.campaigns import open_campaigns
from workflow.errors import WorkflowError
from workflow.spreadsheets import XLSX
from workflow.transaction import end_reading
from workflow.vocabulary import State

bp = Blueprint("lists", __name__)
BATCH = "<id:batch_id>"


def _xlsx(content: bytes, readable: str) -> Response:
    return file_response(content, XLSX, readable, "xlsx")


def _page(error: WorkflowError | None = None, status: int = 200) -> ResponseReturnValue:
    end_reading(db.session)
    return (
        render_template(
            "imports.html",
            campaigns=open_campaigns(db.session, today(), imports.officer_units(me(), today())),
            units=imports.officer_units(me(), today()),
            batches=imports.recent(db.session, me()),
            error=error,
            counts=imports.counts,
        ),
        status,
    )


@bp.route("/imports")
@login_required
def import_page() -> ResponseReturnValue:
    return _page()


@bp.route("/imports/template.xlsx")
@login_required
def template() -> ResponseReturnValue:
    code = request.args.get("campaign", "")
    try:
        content = import_sheets.template(db.session, code)
    except WorkflowError:
        abort(404)
    return _xlsx(content, _("Mẫu danh sách %(code)s", code=code))


@bp.route("/imports", methods=["POST"])
@login_required
def upload() -> ResponseReturnValue:
    """Check the list; nothing is created until the officer confirms on the next page."""
    try:
        content, filename = forms.read_upload(request.files.get("file"), import_sheets.MAX_BYTES)
        batch = imports.preview(
            db.session,
            me(),
            campaign=request.form.get("campaign", ""),
            content=content,
            filename=filename,
            unit_code=request.form.get("unit") or None,
        )
    except WorkflowError as err:
        return _page(err, err.http_status)
    return redirect(url_for("lists.batch_page", batch_id=batch.id))


@bp.route(f"/imports/{BATCH}")
@login_required
def batch_page(batch_id: int) -> ResponseReturnValue:
    try:
        batch = imports.batch_for(db.session, me(), batch_id)
    except WorkflowError:
        abort(404)
    made = imports.created_by_row(db.session, batch)  # each row's nomination, once confirmed
    held = imports.held_back(db.session, batch, made, today())
    return render_template(
        "import_batch.html",
        batch=batch,
        counts=imports.counts(batch),
        earlier=imports.same_file_imported(db.session, batch),
        made=made,
        drafts=sum(1 for n in made.values() if n.state == State.DRAFT) - len(held),
        held=held,
        message=import_sheets.message,
        status=import_sheets.STATUS,
        titles={a.code: a.title for a in batch.campaign.all_award_types},  # the code typed, named
    )


@bp.route(f"/imports/{BATCH}/submit", methods=["POST"])
@login_required
def submit_all(batch_id: int) -> ResponseReturnValue:
    """Send up every draft the list created; each is checked and reported on its own."""
    try:
        results = imports.submit_all(db.session, me(), batch_id)
    except WorkflowError:
        abort(404)
    return bulk_result(results, url_for("lists.batch_page", batch_id=batch_id))


@bp.route(f"/imports/{BATCH}/report.xlsx")
@login_required
def report(batch_id: int) -> ResponseReturnValue:
    try:
        batch = imports.batch_for(db.session, me(), batch_id)
    except WorkflowError:
        abort(404)
    return _xlsx(
        import_sheets.report(batch, current_lang()),
        _("Kết quả kiểm tra danh sách %(id)s", id=batch_id),
    )


@bp.route(f"/imports/{BATCH}/confirm", methods=["POST"])
@login_required
def confirm(batch_id: int) -> ResponseReturnValue:
    try:
        created = imports.confirm(db.session, me(), batch_id)
    except WorkflowError as err:
        if err.http_status == 404:
            abort(404)
        flash(err.message(current_lang()), "error")
        return redirect(url_for("lists.batch_page", batch_id=batch_id))
    flash(
        ngettext(
            "Đã tạo %(num)d hồ sơ từ danh sách.", "Đã tạo %(num)d hồ sơ từ danh sách.", len(created)
        ),
        "info",
    )
    return redirect(url_for("lists.batch_page", batch_id=batch_id))


# Exports -----------------------------------------------------------------------------


def _args(*names: str) -> dict[str, Any]:
    return {k: request.args.get(k) or None for k in names}


@bp.route("/nominations.xlsx")
@login_required
def export_nominations() -> ResponseReturnValue:
    args = _args("state", "q") | forms.filters_asked(request.args)
    items = exports.every_page(
        queries.list_nominations, session=db.session, actor=me(), day=today(), **args
    )
    title = _("Hồ sơ đề nghị khen thưởng")
    return _xlsx(exports.nominations_workbook(items, title, current_lang()), title)


@bp.route("/inbox.xlsx")
@login_required
def export_inbox() -> ResponseReturnValue:
    args = forms.filters_asked(request.args)
    due_by = forms.day_asked(request.args, "due_by")
    items = exports.every_page(
        queries.inbox, session=db.session, actor=me(), day=today(), due_by=due_by, **args
    )
    title = _("Hồ sơ cần xử lý")
    return _xlsx(exports.nominations_workbook(items, title, current_lang()), title)


@bp.route("/decisions/<id:decision_id>/list.xlsx")
@login_required
def export_decision(decision_id: int) -> ResponseReturnValue:
    try:
        view = decisions.decision_view(db.session, me(), decision_id, today())
    except WorkflowError:
        abort(404)
    readable = _("Danh sách kèm theo Quyết định %(number)s", number=view.decision.number)
    return _xlsx(exports.decision_workbook(view, current_lang()), readable)


@bp.route("/decisions.xlsx")
@login_required
def export_decisions() -> ResponseReturnValue:
    year = forms.year_asked(request.args)
    views = decisions.visible_decisions(db.session, me(), today(), year=year)
    return _xlsx(exports.decisions_workbook(views, current_lang()), _("Quyết định khen thưởng"))


@bp.route("/campaigns/<code>/results.xlsx")
@login_required
def export_results(code: str) -> ResponseReturnValue:
    try:
        content = exports.campaign_results_workbook(db.session, me(), today(), code, current_lang())
    except WorkflowError:
        abort(404)
    return _xlsx(content, _("Kết quả thi đua %(code)s", code=code))
