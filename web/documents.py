"""The documents a unit drew up, read from the trail: the proposal letter (tờ trình) of each
batch it forwarded and the minutes (biên bản) of its council's sittings, as Word or PDF."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web import forms
from web.auth import me, today
from web.downloads import document_file
from web.extensions import db
from workflow.accounts import unit_by_code
from workflow.documents import minutes, proposal
from workflow.documents.access import audited_units
from workflow.errors import WorkflowError

bp = Blueprint("documents", __name__)
FORMAT = "<any(docx, pdf):fmt>"


def _day_arg() -> date | None:
    """``?day=YYYY-MM-DD``: one day's batch, or the whole campaign when absent."""
    return forms.day_asked(request.args, "day")


@bp.route(f"/units/<id:unit_id>/campaigns/<id:campaign_id>/proposal.{FORMAT}")
@login_required
def proposal_document(unit_id: int, campaign_id: int, fmt: str) -> ResponseReturnValue:
    """The proposal letter (tờ trình) for the batch a unit forwarded."""
    on = _day_arg()  # a wrong day is the link's error, not "not found"
    try:
        document = proposal.proposal_document(
            db.session, me(), unit_id, campaign_id, today(), on=on
        )
    except WorkflowError:
        abort(404)
    return document_file(document, fmt)


@bp.route(f"/units/<id:unit_id>/campaigns/<id:campaign_id>/minutes.{FORMAT}")
@login_required
def minutes_document(unit_id: int, campaign_id: int, fmt: str) -> ResponseReturnValue:
    """The minutes (biên bản) of the council's votes."""
    on = _day_arg()  # a wrong day is the link's error, not "not found"
    try:
        document = minutes.minutes_document(db.session, me(), unit_id, campaign_id, today(), on=on)
    except WorkflowError:
        abort(404)
    return document_file(document, fmt)


@bp.route("/documents")
@login_required
def documents_page() -> ResponseReturnValue:
    """The proposal letters each of the user's units sent up and the minutes of its council,
    read from the trail (a page of its own: the trail of a busy unit is long)."""
    day = today()
    audited = audited_units(db.session, me(), day)
    code = request.args.get("unit")
    letters, meetings = [], []
    if not code:
        letters = proposal.proposal_batches(db.session, me(), day)
        meetings = minutes.meetings(db.session, me(), day)
        if not letters and not meetings and audited:
            code = audited[0].code  # an auditor: the unit the list shows chosen, not nothing
    if code:  # one unit's documents (an auditor looking into a unit below theirs)
        try:
            unit = unit_by_code(db.session, code)
            letters = proposal.unit_batches(db.session, me(), unit, day)
            meetings = minutes.unit_meetings(db.session, me(), unit, day)
        except WorkflowError:
            abort(404)
    return render_template(
        "documents.html", letters=letters, meetings=meetings, audited=audited, chosen=code
    )
