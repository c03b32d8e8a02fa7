"""Decision pages: the decider signs (numbered, every listed nomination awarded or none), and
everyone reads the decisions covering nominations they may see, with the signed document."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from web import forms
from web.auth import me, today
from web.downloads import document_file, file_response
from web.extensions import db
from web.i18n import current_lang
from workflow import decisions, queries, signing, sittings
from workflow.accounts import active_assignments
from workflow.documents import certificates
from workflow.documents import decision as decision_documents
from workflow.errors import NotFound, WorkflowError
from workflow.vocabulary import Role

bp = Blueprint("decisions", __name__)
FORMAT = "<any(docx, pdf):fmt>"


@bp.route("/decisions/new", methods=["GET", "POST"])
@login_required
def new_decision() -> ResponseReturnValue:
    """The decider assembles a decision from the nominations whose notice has ended."""
    day = today()
    units = [a.unit_id for a in active_assignments(me(), day) if a.role == Role.DECIDER]
    if not units:
        abort(403)
    choices = signing.signing_choices(db.session, me(), day)
    ready_ids = {n.id for n in choices.ready}
    page = {"choices": choices, "signed_on": day.isoformat()}
    if request.method == "POST":
        try:
            form = forms.load(forms.DecisionFormSchema(), request.form, lists=("nomination_ids",))
            decision = signing.sign_decision(
                db.session,
                me(),
                nomination_ids=form["nomination_ids"],
                signed_on=form["signed_on"],
            )
        except WorkflowError as err:
            flash(err.message(current_lang()), "error")
            picked = (forms.whole(v) for v in request.form.getlist("nomination_ids"))
            chosen = {nid for nid in picked if nid is not None}
            typed = request.form.get("signed_on", "")
            return render_template(
                "decision_form.html", **page | {"chosen": chosen, "signed_on": typed}
            ), err.http_status
        flash(_("Đã ký quyết định số %(number)s.", number=decision.number), "info")
        return redirect(url_for("decisions.decision_page", decision_id=decision.id))
    chosen = _from_sitting(request.args.get("sitting")) & ready_ids
    return render_template("decision_form.html", **page | {"chosen": chosen})


def _from_sitting(raw: str | None) -> set[int]:
    """The nominations a sitting passed: ticked in advance when signing from its page."""
    sitting_id = forms.whole(raw)
    if sitting_id is None:
        return set()
    try:
        sitting = sittings.sitting_for(db.session, sitting_id)
    except WorkflowError:
        return set()
    return {item.nomination_id for item in sitting.items if item.passed}


@bp.route("/decisions")
@login_required
def decision_list() -> ResponseReturnValue:
    """Every decision covering a nomination the user may see, newest first (of one year)."""
    year = forms.year_asked(request.args)
    views = decisions.visible_decisions(db.session, me(), today(), year=year)
    years = sorted({*queries.decision_years(db.session, today()), *([year] if year else [])})[::-1]
    return render_template("decisions.html", views=views, year=year, years=years)


@bp.route("/decisions/<id:decision_id>")
@login_required
def decision_page(decision_id: int) -> ResponseReturnValue:
    try:
        view = decisions.decision_view(db.session, me(), decision_id, today())
    except WorkflowError:
        abort(404)
    may_download = decision_documents.may_take_decision(me(), view.decision, today())
    return render_template("decision.html", view=view, may_download=may_download)


@bp.route(f"/decisions/<id:decision_id>/document.{FORMAT}")
@login_required
def decision_document(decision_id: int, fmt: str) -> ResponseReturnValue:
    """The decision as a Word file to sign and file, or as a PDF."""
    try:
        document = decision_documents.decision_document(db.session, me(), decision_id, today())
    except WorkflowError:
        abort(404)
    return document_file(document, fmt)


@bp.route("/decisions/<id:decision_id>/certificates.pdf")
@login_required
def certificates_file(decision_id: int) -> ResponseReturnValue:
    """Every certificate of the decision, one page each, to print on the unit's blanks."""
    try:
        content, title, stem = certificates.certificates_pdf(db.session, me(), decision_id, today())
    except NotFound:
        abort(404)
    except WorkflowError as err:  # every award of it revoked: nothing to print
        flash(err.message(current_lang()), "error")
        return redirect(url_for("decisions.decision_page", decision_id=decision_id))
    return file_response(content, "application/pdf", title, "pdf", stem)
