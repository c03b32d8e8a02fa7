"""Pages for every role: lists, the inbox, one nomination with its actions, decisions, audit.

Views parse forms (web/forms.py), call the domain and render; every decision about who
may do what is the domain's (workflow.service, workflow.visibility).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from rules.money import vnd
from web import forms
from web.auth import me, today
from web.downloads import document_file, file_response
from web.extensions import db
from web.i18n import current_lang
from workflow import (
    audit,
    checks,
    clock,
    deadlines,
    decisions,
    dossier,
    exports,
    nominating,
    permissions,
    queries,
    service,
    signing,
)
from workflow.accounts import active_assignments, require_role, unit_by_code
from workflow.campaigns import offered_awards, offering_awards
from workflow.clock import parse_iso_utc
from workflow.documents import decision as decision_documents
from workflow.documents import minutes, proposal
from workflow.documents.access import audited_units
from workflow.errors import InvalidInput, NotFound, WorkflowError
from workflow.facts import (
    DISCIPLINE,
    EDUCATION,
    GRADES,
    RATINGS,
    SCOPES,
    needed_facts,
    validate_facts,
)
from workflow.models import Nomination
from workflow.spreadsheets import XLSX, cell_value
from workflow.visibility import can_see
from workflow.vocabulary import Event, RevocationGround, Role, State

bp = Blueprint("nominations", __name__)
ID = "<int(min=1, max=2147483647):nomination_id>"
FORMAT = "<any(docx, pdf):fmt>"
KEY = "int(min=1, max=2147483647)"


def _visible(nomination_id: int) -> Nomination:
    n = db.session.get(Nomination, nomination_id)
    if n is None or not can_see(me(), n, today()):
        abort(404)
    return n


@bp.app_template_filter("money")
def money(amount: int) -> str:
    return vnd(amount)


@bp.app_template_filter("ddmmyyyy")
def ddmmyyyy(value: date | datetime | None) -> str:
    return clock.ddmmyyyy(value)


@bp.app_template_filter("vntime")
def vntime(value: str | datetime) -> str:
    """A UTC timestamp (a trail's ISO text or an aware datetime) as Vietnamese read it:
    local time, dd/mm/yyyy hh:mm."""
    at = parse_iso_utc(value) if isinstance(value, str) else value
    return clock.vn_time(at)


@bp.app_context_processor
def navigation() -> dict[str, Any]:
    """Which pages the menu offers: only those the user's roles can use."""
    roles = (
        {a.role for a in active_assignments(me(), today())}
        if current_user.is_authenticated
        else set()
    )
    return {
        "nav": {
            "inbox": bool(roles & {Role.REVIEWER, Role.COUNCIL, Role.DECIDER}),
            "new": Role.OFFICER in roles,
            "sign": Role.DECIDER in roles,
            "audit": bool(roles & {Role.AUDITOR, Role.ADMIN}),
        }
    }


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """The nominations the user may see, by state (an officer's unit list, an auditor's search)."""
    state = request.args.get("state") or None
    if state not in (None, *[s.value for s in State]):
        abort(400)
    page = queries.list_nominations(
        db.session,
        me(),
        today(),
        state=state,
        campaign=request.args.get("campaign") or None,
        q=request.args.get("q") or None,
        cursor=request.args.get("cursor"),
    )
    roles = {a.role for a in active_assignments(me(), today())}
    return render_template(
        "index.html",
        page=page,
        state=state,
        states=list(State),
        roles=roles,
        q=request.args.get("q", ""),
    )


@bp.route("/inbox")
@login_required
def inbox() -> ResponseReturnValue:
    """What waits for the user at their unit(s), oldest page first by keyset."""
    args = {k: request.args.get(k) or None for k in ("campaign", "award_type", "unit", "due_by")}
    try:
        due_by = date.fromisoformat(args["due_by"]) if args["due_by"] else None
    except ValueError:
        abort(400)
    filters = {k: v for k, v in args.items() if k != "due_by"}
    page = queries.inbox(
        db.session, me(), today(), cursor=request.args.get("cursor"), due_by=due_by, **filters
    )
    return render_template(
        "inbox.html",
        page=page,
        args=args,
        today=today(),
    )


@bp.route("/inbox/approve", methods=["POST"])
@login_required
def approve_selected() -> ResponseReturnValue:
    """Bulk approval: each selected nomination is checked and approved on its own."""
    items = []
    for value in request.form.getlist("pick"):
        nid, _at, version = value.partition("@")  # not "_": that name is gettext here
        if not (nid.isdigit() and version.isdigit()):
            abort(400)
        items.append((int(nid), int(version)))
    if not items:
        flash(_("Chưa chọn hồ sơ nào."), "error")
        return redirect(url_for("nominations.inbox"))
    results = service.fire_many(db.session, me(), Event.APPROVE, items)
    back = url_for("nominations.inbox")
    return render_template("bulk_result.html", results=results, back=back)


@bp.route("/nominations/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    awards = offered_awards(db.session)
    chosen = request.values.get("award") or (
        f"{awards[0][0].code}/{awards[0][1].code}" if awards else ""
    )
    match = next(((c, a) for c, a in awards if f"{c.code}/{a.code}" == chosen), None)
    if request.method == "POST" and match is not None and "preview" in request.form:
        units = [a.unit_id for a in active_assignments(me(), today()) if a.role == Role.OFFICER]
        if not units:
            abort(403)
        return _preview(awards, chosen, match, units[0])
    if request.method == "POST" and match is not None:
        try:
            form = forms.load(forms.NewNominationSchema(), request.form)
            outcome = nominating.create_nomination(
                db.session,
                me(),
                campaign=match[0].code,
                award_type=match[1].code,
                nominee_kind=match[1].nominee_kind,
                nominee_name=form["nominee_name"],
                nominee={"position": form["position"]} if form["position"] else {},
                facts=forms.facts_from_form(request.form),
                achievements=form["achievements"],
            )
        except WorkflowError as err:
            flash(err.message(current_lang()), "error")
            return _form_page(awards, chosen, match), err.http_status
        flash(_("Đã tạo hồ sơ (bản nháp)."), "info")
        return redirect(url_for("nominations.detail", nomination_id=outcome.id))
    return _form_page(awards, chosen, match)


def _preview(
    awards: list[Any], chosen: str, match: Any, unit_id: int, nomination: Nomination | None = None
) -> ResponseReturnValue:
    """Check the facts as typed, without saving anything."""
    try:
        facts = validate_facts(forms.facts_from_form(request.form))
    except WorkflowError as err:
        flash(err.message(current_lang()), "error")
        return _form_page(awards, chosen, match, nomination), err.http_status
    results = checks.preview(db.session, match[1], unit_id, facts, today())
    db.session.rollback()
    return _form_page(awards, chosen, match, nomination, preview=results, facts=facts)


def _form_page(
    awards: list[Any],
    chosen: str,
    match: Any,
    nomination: Nomination | None = None,
    preview: list[Any] | None = None,
    facts: dict[str, Any] | None = None,
) -> str:
    needs = needed_facts(match[1]) if match else []
    targets = (match[0].definition or {}).get("targets", []) if match else []
    year = match[0].year if match else today().year
    return render_template(
        "nomination_form.html",
        awards=awards,
        chosen=chosen,
        match=match,
        needs=needs,
        targets=targets,
        years=[year - 2, year - 1, year],
        ratings=RATINGS,
        grades=GRADES,
        scopes=SCOPES,
        discipline=DISCIPLINE,
        education=EDUCATION,
        rows=range(forms.ROWS),
        nomination=nomination,
        facts=facts if facts is not None else ((nomination.facts if nomination else {}) or {}),
        preview=preview,
        form=request.form,
    )


@bp.route(f"/nominations/{ID}")
@login_required
def detail(nomination_id: int, error: WorkflowError | None = None) -> ResponseReturnValue:
    n = _visible(nomination_id)
    day = today()
    trail = audit.trail(db.session, nomination_id)
    last_return = next((e for e in reversed(trail) if e["event"] in ("return", "object")), None)
    page = render_template(
        "detail.html",
        n=n,
        state=State(n.state),
        trail=trail,
        report=checks.report(db.session, n, day),
        events=permissions.available_events(me(), n, day),
        may_edit=permissions.may_edit(me(), n, day),
        last_return=last_return if n.state == State.RETURNED else None,
        grounds=list(RevocationGround),
        error=error,
        files=dossier.attachments(db.session, n.id),
        kinds=dossier.KINDS,
    )
    return (page, error.http_status) if error else page


@bp.route(f"/nominations/{ID}/events", methods=["POST"])
@login_required
def fire(nomination_id: int) -> ResponseReturnValue:
    _visible(nomination_id)
    try:
        form = forms.load(forms.EventFormSchema(), request.form)
        outcome = service.fire(
            db.session,
            nomination_id,
            form["event"],
            me(),
            expected_version=form["version"],
            comment=form["comment"],
            **forms.event_data(form),
        )
    except WorkflowError as err:
        db.session.rollback()
        return detail(nomination_id, error=err)
    lang = current_lang()
    done = _(
        "Đã thực hiện: %(event)s → %(state)s.",
        event=Event(form["event"]).label(lang),
        state=State(outcome.state).label(lang),
    )
    flash(done, "info")
    return redirect(url_for("nominations.detail", nomination_id=nomination_id))


@bp.route(f"/nominations/{ID}/files", methods=["POST"])
@login_required
def upload(nomination_id: int) -> ResponseReturnValue:
    """Add a dossier file; the domain checks its type, size and who may add it."""
    _visible(nomination_id)
    try:
        content, _name = forms.read_upload(request.files.get("file"), dossier.MAX_BYTES)
        version = request.form.get("version", "")
        if not version.isdigit():
            raise InvalidInput(
                "Thiếu phiên bản hồ sơ.",
                "The nomination's version is missing.",
                {"version": "required"},
            )
        dossier.attach(
            db.session,
            nomination_id,
            me(),
            expected_version=int(version),
            kind=request.form.get("kind", ""),
            content=content,
        )
    except WorkflowError as err:
        db.session.rollback()
        return detail(nomination_id, error=err)
    flash(_("Đã đính kèm tài liệu."), "info")
    return redirect(url_for("nominations.detail", nomination_id=nomination_id))


@bp.route(f"/nominations/{ID}/files/<int(min=1, max=2147483647):attachment_id>")
@login_required
def download(nomination_id: int, attachment_id: int) -> ResponseReturnValue:
    _visible(nomination_id)
    try:
        found, content = dossier.content_of(db.session, nomination_id, attachment_id)
    except WorkflowError:
        abort(404)
    stem = f"ho-so-{nomination_id}-{found.kind.replace('_', '-')}-{found.id}"
    readable = f"Hồ sơ {nomination_id} - {dossier.KINDS[found.kind][0]} - {found.id}"
    return file_response(content, dossier.TYPES[found.extension], readable, found.extension, stem)


@bp.route(f"/nominations/{ID}/edit", methods=["GET", "POST"])
@login_required
def edit(nomination_id: int) -> ResponseReturnValue:
    n = _visible(nomination_id)
    match = (n.campaign, n.award_type)
    chosen = f"{n.campaign.code}/{n.award_type.code}"
    if request.method == "POST" and "preview" in request.form:
        if not permissions.may_edit(me(), n, today()):
            abort(403)
        return _preview([match], chosen, match, n.origin_unit_id, n)
    if request.method == "POST":
        try:
            version = int(request.form.get("version", "0") or 0)
            nominating.update_nomination(
                db.session,
                nomination_id,
                me(),
                expected_version=version,
                changes={
                    "facts": forms.facts_from_form(request.form),
                    "achievements": request.form.get("achievements", ""),
                },
            )
        except (WorkflowError, ValueError) as err:
            db.session.rollback()
            message = (
                err.message(current_lang())
                if isinstance(err, WorkflowError)
                else _("Phiên bản không hợp lệ.")
            )
            flash(message, "error")
            return _form_page([match], chosen, match, n), getattr(err, "http_status", 400)
        flash(_("Đã lưu thay đổi."), "info")
        return redirect(url_for("nominations.detail", nomination_id=nomination_id))
    if not permissions.may_edit(me(), n, today()):
        abort(403)
    return _form_page([match], chosen, match, n)


@bp.route(f"/nominations/{ID}/trail.<fmt>")
@login_required
def export_trail(nomination_id: int, fmt: str) -> ResponseReturnValue:
    """The trail for an auditor's own records: CSV, JSON or Excel, hashes included."""
    _visible(nomination_id)
    readable = f"Nhật ký hồ sơ {nomination_id}"
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
    columns = [
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
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    # Excel opens this file: a comment starting with "=" must stay text (JSON keeps it as is).
    writer.writerows(
        {k: cell_value(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows
    )
    return file_response("\ufeff" + out.getvalue(), "text/csv", readable, fmt)


@bp.route("/decisions/new", methods=["GET", "POST"])
@login_required
def new_decision() -> ResponseReturnValue:
    """The decider assembles a decision from the nominations whose notice has ended."""
    day = today()
    units = [a.unit_id for a in active_assignments(me(), day) if a.role == Role.DECIDER]
    if not units:
        abort(403)
    ready = queries.on_notice(db.session, me(), day, roles=(Role.DECIDER,))
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
            db.session.rollback()
            flash(err.message(current_lang()), "error")
            return render_template("decision_form.html", ready=ready, today=day), err.http_status
        flash(_("Đã ký quyết định số %(number)s.", number=decision.number), "info")
        return redirect(url_for("nominations.decision_page", decision_id=decision.id))
    return render_template("decision_form.html", ready=ready, today=day)


@bp.route("/decisions")
@login_required
def decision_list() -> ResponseReturnValue:
    """Every decision covering a nomination the user may see, newest first."""
    views = decisions.visible_decisions(db.session, me(), today())
    return render_template("decisions.html", views=views)


@bp.route("/decisions/<int(min=1, max=2147483647):decision_id>")
@login_required
def decision_page(decision_id: int) -> ResponseReturnValue:
    try:
        view = decisions.decision_view(db.session, me(), decision_id, today())
    except WorkflowError:
        abort(404)
    may_download = decision_documents.may_take_decision(me(), view.decision, today())
    return render_template("decision.html", view=view, may_download=may_download)


@bp.route(f"/decisions/<{KEY}:decision_id>/document.{FORMAT}")
@login_required
def decision_document(decision_id: int, fmt: str) -> ResponseReturnValue:
    """The decision as a Word file to sign and file, or as a PDF."""
    try:
        document = decision_documents.decision_document(db.session, me(), decision_id, today())
    except WorkflowError:
        abort(404)
    return document_file(document, fmt)


def _day_arg() -> date | None:
    """``?day=YYYY-MM-DD``: one day's batch, or the whole campaign when absent."""
    raw = request.args.get("day")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        abort(400)


@bp.route(f"/units/<{KEY}:unit_id>/campaigns/<{KEY}:campaign_id>/proposal.{FORMAT}")
@login_required
def proposal_document(unit_id: int, campaign_id: int, fmt: str) -> ResponseReturnValue:
    """The proposal letter (tờ trình) for the batch a unit forwarded."""
    try:
        document = proposal.proposal_document(
            db.session, me(), unit_id, campaign_id, today(), on=_day_arg()
        )
    except WorkflowError:
        abort(404)
    return document_file(document, fmt)


@bp.route(f"/units/<{KEY}:unit_id>/campaigns/<{KEY}:campaign_id>/minutes.{FORMAT}")
@login_required
def minutes_document(unit_id: int, campaign_id: int, fmt: str) -> ResponseReturnValue:
    """The minutes (biên bản) of the council's votes."""
    try:
        document = minutes.minutes_document(
            db.session, me(), unit_id, campaign_id, today(), on=_day_arg()
        )
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
    if code:  # one unit's documents (an auditor looking into a unit below theirs)
        try:
            unit = unit_by_code(db.session, code)
            letters = proposal.unit_batches(db.session, me(), unit, day)
            meetings = minutes.unit_meetings(db.session, me(), unit, day)
        except WorkflowError:
            abort(404)
    else:
        letters = proposal.proposal_batches(db.session, me(), day)
        meetings = minutes.meetings(db.session, me(), day)
    return render_template(
        "documents.html", letters=letters, meetings=meetings, audited=audited, chosen=code
    )


@bp.route("/dashboard")
@login_required
def dashboard() -> ResponseReturnValue:
    """Counts by state and tier and the median wait at each tier, as server-drawn bars."""
    board = queries.dashboard(db.session, me(), today())
    campaigns = offering_awards(db.session)
    return render_template(
        "dashboard.html", board=board, campaigns=campaigns, due_soon_days=deadlines.DUE_SOON
    )


@bp.route("/notice")
@login_required
def notice() -> ResponseReturnValue:
    """The public-notice list (danh sách công khai) of the council's units, printable."""
    return render_template(
        "notice.html",
        items=queries.on_notice(db.session, me(), today()),
        today=today(),
    )


@bp.route("/audit")
@login_required
def audit_page() -> ResponseReturnValue:
    try:
        require_role(me(), {Role.AUDITOR, Role.ADMIN}, today())
    except WorkflowError:
        abort(403)
    report = audit.verify(db.session) if request.args.get("verify") else None
    return render_template("audit.html", report=report)


@bp.errorhandler(NotFound)
def not_found(err: NotFound) -> ResponseReturnValue:
    return render_template("error.html", status=404, error=err), 404
