"""The audit pages: verifying the whole chain, and a nomination's trail with its hashes as
CSV, JSON or Excel for an auditor's own records."""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from web import background
from web.auth import me, today
from web.downloads import file_response
from web.extensions import db
from web.i18n import current_lang
from web.nominations import visible
from workflow import audit, exports, queries, verification
from workflow.accounts import require_role
from workflow.errors import WorkflowError
from workflow.spreadsheets import XLSX, cell_value
from workflow.transaction import end_reading
from workflow.vocabulary import Role

bp = Blueprint("audit", __name__)
TRAIL_COLUMNS = [
    "seq",
    "at",
    "actor",
    "acting_for",
    "role",
    "unit",
    "event",
    "from_state",
    "to_state",
    "from_unit",
    "to_unit",
    "comment",
    "prev_hash",
    "hash",
]


def _auditor() -> None:
    try:
        require_role(me(), {Role.AUDITOR, Role.ADMIN}, today())
    except WorkflowError:
        abort(403)


@bp.route("/audit")
@login_required
def audit_page() -> ResponseReturnValue:
    """The last verification (when, by whom, how far, what it found); it refreshes itself
    while a run is going."""
    _auditor()
    last = verification.latest(db.session)
    state = verification.status(last) if last is not None else None
    end_reading(db.session)
    started_by = queries.full_names(db.session, [last.started_by]) if last is not None else {}
    return render_template("audit.html", run=last, state=state, started_by=started_by)


@bp.post("/audit/verify")
@login_required
def start_verification() -> ResponseReturnValue:
    """Start a run in the background (or join the one running) and go back to its page."""
    _auditor()
    run, new = verification.start(db.session, me())
    if new:
        background.verify(current_app._get_current_object(), run.id)  # type: ignore[attr-defined]
    return redirect(url_for("audit.audit_page"))


@bp.route("/nominations/<id:nomination_id>/trail.<fmt>")
@login_required
def export_trail(nomination_id: int, fmt: str) -> ResponseReturnValue:
    """The trail for an auditor's own records: CSV, JSON or Excel, hashes included."""
    visible(nomination_id)
    readable = _("Nhật ký hồ sơ %(id)s", id=nomination_id)
    if fmt == "xlsx":
        content = exports.trail_workbook(db.session, nomination_id, current_lang())
        return file_response(content, XLSX, readable, fmt)
    rows = audit.trail(db.session, nomination_id)
    if fmt == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=1)
        return file_response(text, "application/json", readable, fmt)
    if fmt != "csv":
        abort(404)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TRAIL_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    # Excel opens this file: a comment starting with "=" must stay text (JSON keeps it as is).
    writer.writerows(
        {k: cell_value(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows
    )
    return file_response("\ufeff" + out.getvalue(), "text/csv", readable, fmt)
