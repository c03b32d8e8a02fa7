"""The campaign's periodic reports: a unit's form for a period, its parent's view of who has
reported and who has not, each report as Word or PDF, the table as Excel."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from web.auth import me, today
from web.downloads import document_file, file_response
from web.extensions import db
from web.i18n import current_lang
from workflow import reports
from workflow.campaigns import campaign_by_code
from workflow.checks import campaign_targets
from workflow.documents.period_report import build_report
from workflow.errors import WorkflowError
from workflow.exports import report_status_workbook
from workflow.spreadsheets import XLSX

bp = Blueprint("reports", __name__)


def _context(code: str, period_key: str | None) -> dict[str, Any]:
    found = reports.overview(db.session, me(), code, period_key, today())  # a refusal says why
    return {
        "campaign": found.campaign,
        "periods": found.periods,
        "period": found.period,
        "sections": found.sections,
        "targets": found.targets,
    }


@bp.route("/campaigns/<code>/reports")
@login_required
def page(code: str) -> ResponseReturnValue:
    return render_template("reports.html", typed=None, **_context(code, request.args.get("period")))


@bp.post("/campaigns/<code>/reports/<unit_code>/<period>")
@login_required
def submit(code: str, unit_code: str, period: str) -> ResponseReturnValue:
    try:
        context = _context(code, period)
        results = {t.key: request.form.get(f"result-{t.key}", "") for t in context["targets"]}
        reports.submit(
            db.session, me(), code, unit_code, period, results, request.form.get("note", "")
        )
    except WorkflowError as err:
        flash(err.message(current_lang()), "error")
        return render_template(
            "reports.html", typed=request.form, **_context(code, period)
        ), err.http_status
    flash(_("Đã gửi báo cáo."), "info")
    return redirect(url_for("reports.page", code=code, period=period))


@bp.route("/campaigns/<code>/reports/<unit_code>/<period>.<any(docx, pdf):fmt>")
@login_required
def document(code: str, unit_code: str, period: str, fmt: str) -> ResponseReturnValue:
    try:
        view = reports.view(db.session, me(), code, unit_code, period, today())
    except WorkflowError:
        abort(404)
    return document_file(build_report(view, today()), fmt)


@bp.route("/campaigns/<code>/reports/<parent_code>/<period>.xlsx")
@login_required
def table(code: str, parent_code: str, period: str) -> ResponseReturnValue:
    """Who reported and what, for a parent's units: the table a tier compiles upwards."""
    try:
        campaign = campaign_by_code(db.session, code)
        rows = reports.status(db.session, me(), code, parent_code, period, today())
    except WorkflowError:
        abort(404)
    return file_response(
        report_status_workbook(rows, campaign_targets(campaign), current_lang()),
        XLSX,
        _(
            "Báo cáo %(period)s %(code)s %(unit)s",
            period=period,
            code=campaign.code,
            unit=parent_code,
        ),
        "xlsx",
    )
