"""Nomination pages for every role: lists, the inbox, creating and editing a dossier, one
nomination with its actions and files, the public-notice list. Decisions, documents, the
dashboard and the audit pages are blueprints of their own (web/decisions.py, …).

Views parse forms (web/forms.py), call the domain and render; every decision about who
may do what is the domain's (workflow.permissions, workflow.visibility).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from rules.money import vnd
from web import forms
from web.auth import me, today
from web.downloads import file_response
from web.extensions import db
from web.i18n import current_lang
from workflow import (
    audit,
    checks,
    clock,
    council,
    deadlines,
    dossier,
    events,
    nominating,
    permissions,
    queries,
    service,
)
from workflow.accounts import active_assignments
from workflow.campaigns import known_titles, offered_awards
from workflow.clock import parse_iso_utc
from workflow.errors import NotFound, WorkflowError
from workflow.facts import (
    DISCIPLINE,
    EDUCATION,
    GRADES,
    RATINGS,
    SCOPES,
    after_form,
    needed_facts,
    shown_changes,
    shown_facts,
    validate_facts,
)
from workflow.models import Nomination
from workflow.transaction import end_reading
from workflow.vocabulary import Event, RevocationGround, Role, State

bp = Blueprint("nominations", __name__)
ID = "<id:nomination_id>"


def visible(nomination_id: int) -> Nomination:
    """The nomination if the signed-in user may see it; 404 otherwise."""
    n = queries.visible_nomination(db.session, me(), nomination_id, today())
    if n is None:
        abort(404)
    return n


@bp.app_template_filter("money")
def money(amount: int) -> str:
    """An amount in đồng, its thousands marked as the reader writes them (1.800.000 đ, and
    1,800,000 đ in English, as every other figure of an English page)."""
    return vnd(amount, current_lang())


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
            "notice": bool(roles),  # the public notice is for every union member to read
            "admin": Role.ADMIN in roles,
            "council": bool(roles & {Role.COUNCIL, Role.DECIDER, Role.AUDITOR, Role.ADMIN}),
            "recoveries": bool(roles & {Role.DECIDER, Role.AUDITOR}),
            "members": bool(roles),
            "year": Role.OFFICER in roles,
        }
    }


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """The nominations the user may see, by state (an officer's unit list, an auditor's search)."""
    state = request.args.get("state") or None
    if state not in (None, *[s.value for s in State]):
        abort(400)
    filters = forms.filters_asked(request.args)
    page = queries.list_nominations(
        db.session,
        me(),
        today(),
        state=state,
        q=request.args.get("q") or None,
        cursor=request.args.get("cursor"),
        **filters,
    )
    roles = {a.role for a in active_assignments(me(), today())}
    return render_template(
        "index.html",
        page=page,
        state=state,
        states=list(State),
        roles=roles,
        q=request.args.get("q", ""),
        filters=filters,
        choices=queries.filter_choices(db.session, me(), today()),
    )


@bp.route("/inbox")
@login_required
def inbox() -> ResponseReturnValue:
    """What waits for the user at their unit(s), oldest page first by keyset."""
    filters = forms.filters_asked(request.args)
    due_by = forms.day_asked(request.args, "due_by")
    page = queries.inbox(
        db.session, me(), today(), cursor=request.args.get("cursor"), due_by=due_by, **filters
    )
    args = filters | {"due_by": request.args.get("due_by") or None}
    return render_template(
        "inbox.html",
        page=page,
        args=args,
        today=today(),
        choices=queries.filter_choices(db.session, me(), today()),
    )


@bp.route("/inbox/approve", methods=["POST"])
@login_required
def approve_selected() -> ResponseReturnValue:
    """Bulk approval: each selected nomination is checked and approved on its own."""
    items = forms.picks(request.form)
    if items is None:
        abort(400)
    if not items:
        flash(_("Chưa chọn hồ sơ nào."), "error")
        return redirect(url_for("nominations.inbox"))
    results = service.fire_many(db.session, me(), Event.APPROVE, items)
    return bulk_result(results, url_for("nominations.inbox"))


def bulk_result(results: list[tuple[int, Any]], back: str) -> str:
    """What a bulk action did to each nomination, by its nominee's name and the unit it went
    to (bulk approval, a list's drafts sent up)."""
    moved = (r.current_unit for _, r in results if not isinstance(r, WorkflowError))
    moved_to = queries.units_by_code(db.session, moved)
    # Not one the user may not see (a number typed into the form): its name stays unsaid.
    seen = (nid for nid, r in results if not isinstance(r, NotFound))
    names = queries.nominee_names(db.session, seen)
    return render_template(
        "bulk_result.html", results=results, units=moved_to, names=names, back=back
    )


@bp.route("/nominations/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    units = [a.unit for a in active_assignments(me(), today()) if a.role == Role.OFFICER]
    awards = offered_awards(db.session, today(), units)
    chosen = request.values.get("award") or (
        f"{awards[0][0].code}/{awards[0][1].code}" if awards else ""
    )
    match = next(((c, a) for c, a in awards if f"{c.code}/{a.code}" == chosen), None)
    if request.method == "POST" and match is not None and _award_changed(chosen):
        if "choose" not in request.form:  # sent straight after picking: say why not created
            flash(
                _("Đã đổi hình thức khen thưởng: hãy xem lại thông tin bên dưới rồi tạo hồ sơ."),
                "warning",
            )
        return _form_page(awards, chosen, match)
    if request.method == "POST" and match is not None and "preview" in request.form:
        if not units:
            abort(403)
        return _preview(awards, chosen, match, units[0].id)
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
                nominee=forms.with_position(None, form["position"]),
                facts=forms.facts_from_form(request.form),
                achievements=form["achievements"],
            )
        except WorkflowError as err:
            flash(err.message(current_lang()), "error")
            return _form_page(awards, chosen, match), err.http_status
        flash(_("Đã tạo hồ sơ (bản nháp)."), "info")
        return redirect(url_for("nominations.detail", nomination_id=outcome.id))
    return _form_page(awards, chosen, match)


def _award_changed(chosen: str) -> bool:
    """Whether the form asks for its fields to be drawn again: "Chọn hình thức", or an award
    picked without it (the fields shown were another's, so nothing is created; what was
    typed is shown again under the award now chosen)."""
    drawn_for = request.form.get("drawn_for")
    return "choose" in request.form or (drawn_for is not None and drawn_for != chosen)


def _preview(
    awards: list[Any], chosen: str, match: Any, unit_id: int, nomination: Nomination | None = None
) -> ResponseReturnValue:
    """Check the facts as typed, without saving anything."""
    try:
        typed = forms.facts_from_form(request.form)
        stored = nomination.facts if nomination else None
        facts = validate_facts(after_form(stored, typed, forms.facts_on_form(request.form)))
        if nomination is not None:
            facts = nominating.with_registry(db.session, nomination, facts)
    except WorkflowError as err:
        flash(err.message(current_lang()), "error")
        return _form_page(awards, chosen, match, nomination), err.http_status
    results = checks.preview(db.session, match[1], unit_id, facts, today())
    end_reading(db.session)
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
    form, kept = request.form, []
    if nomination is None:  # only a new nomination's award can change under what was typed
        form, kept = forms.carried(request.form)
    targets = checks.collective_targets(match[0]) if match else ()
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
        known_titles=known_titles(db.session, match[1].nominee_kind) if match else [],
        titles=dict(known_titles(db.session)),  # a title held shown by name, not by code
        nomination=nomination,
        registry_late=nominating.registry_mark(db.session, nomination) if nomination else None,
        facts=facts if facts is not None else ((nomination.facts if nomination else {}) or {}),
        preview=preview,
        form=form,
        kept=kept,
    )


@bp.route(f"/nominations/{ID}")
@login_required
def detail(nomination_id: int, error: WorkflowError | None = None) -> ResponseReturnValue:
    n = visible(nomination_id)
    day = today()
    trail = queries.readable_trail(db.session, nomination_id)
    titles = dict(known_titles(db.session))  # a title held named, not coded
    may = permissions.available_events(me(), n, day)
    page = render_template(
        "detail.html",
        n=n,
        state=State(n.state),
        trail=trail,
        route=queries.route_names(db.session, n),
        report=checks.report(db.session, n, day),
        events=may,
        # The vote's "Tổng số thành viên" starts at the council's roster of the day.
        council_size=len(council.roster(db.session, n.current_unit_id, day))
        if Event.VOTE in may
        else None,
        needs_reason=events.needing_reason(),
        may_edit=permissions.may_edit(me(), n, day),
        missed=deadlines.missed_filing(n, day),
        why=queries.stated_reason(trail, n.state),
        grounds=list(RevocationGround),
        error=error,
        files=dossier.attachments(db.session, n.id),
        kinds=dossier.KINDS,
        declared=shown_facts(n.facts, current_lang(), titles),
        since_return=[
            (e, shown_changes((e.get("data") or {}).get("changes") or {}, current_lang(), titles))
            for e in audit.since_return(trail)
        ],
    )
    return (page, error.http_status) if error else page


@bp.route(f"/nominations/{ID}/events", methods=["POST"])
@login_required
def fire(nomination_id: int) -> ResponseReturnValue:
    visible(nomination_id)
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
        return detail(nomination_id, error=err)
    lang = current_lang()
    done = _(
        "Đã thực hiện «%(event)s»; hồ sơ nay ở trạng thái «%(state)s».",
        event=events.label(form["event"], lang),
        state=State(outcome.state).label(lang),
    )
    flash(done, "info")
    return redirect(url_for("nominations.detail", nomination_id=nomination_id))


@bp.route(f"/nominations/{ID}/files", methods=["POST"])
@login_required
def upload(nomination_id: int) -> ResponseReturnValue:
    """Add a dossier file; the domain checks its type, size and who may add it."""
    visible(nomination_id)
    try:
        content, _name = forms.read_upload(request.files.get("file"), dossier.MAX_BYTES)
        dossier.attach(
            db.session,
            nomination_id,
            me(),
            expected_version=forms.version_seen(request.form),
            kind=request.form.get("kind", ""),
            content=content,
        )
    except WorkflowError as err:
        return detail(nomination_id, error=err)
    flash(_("Đã đính kèm tài liệu."), "info")
    return redirect(url_for("nominations.detail", nomination_id=nomination_id))


@bp.post(f"/nominations/{ID}/files/<id:attachment_id>/remove")
@login_required
def remove_file(nomination_id: int, attachment_id: int) -> ResponseReturnValue:
    """Take a file out of a draft or returned dossier (audited: the trail keeps its hash)."""
    visible(nomination_id)
    try:
        dossier.remove_attachment(
            db.session,
            nomination_id,
            me(),
            attachment_id,
            expected_version=forms.version_seen(request.form),
        )
    except WorkflowError as err:
        return detail(nomination_id, error=err)
    flash(_("Đã gỡ tài liệu khỏi hồ sơ."), "info")
    return redirect(url_for("nominations.detail", nomination_id=nomination_id))


@bp.route(f"/nominations/{ID}/files/<id:attachment_id>")
@login_required
def download(nomination_id: int, attachment_id: int) -> ResponseReturnValue:
    visible(nomination_id)
    try:
        found, content = dossier.content_of(db.session, nomination_id, attachment_id)
    except WorkflowError:
        abort(404)
    stem = f"ho-so-{nomination_id}-{found.kind.replace('_', '-')}-{found.id}"
    kind = dossier.KINDS[found.kind][1 if current_lang() == "en" else 0]
    readable = _("Hồ sơ %(id)s - %(kind)s - %(file)s", id=nomination_id, kind=kind, file=found.id)
    return file_response(content, dossier.TYPES[found.extension], readable, found.extension, stem)


@bp.route(f"/nominations/{ID}/edit", methods=["GET", "POST"])
@login_required
def edit(nomination_id: int) -> ResponseReturnValue:
    n = visible(nomination_id)
    match = (n.campaign, n.award_type)
    chosen = f"{n.campaign.code}/{n.award_type.code}"
    if request.method == "POST" and "preview" in request.form:
        if not permissions.may_edit(me(), n, today()):
            abort(403)
        return _preview([match], chosen, match, n.origin_unit_id, n)
    if request.method == "POST":
        try:
            form = forms.load(forms.NewNominationSchema(), request.form)
            nominating.update_nomination(
                db.session,
                nomination_id,
                me(),
                expected_version=forms.version_seen(request.form),
                changes={
                    "nominee_name": form["nominee_name"],
                    "nominee": forms.with_position(n.nominee, form["position"]),
                    "facts": after_form(
                        n.facts,
                        forms.facts_from_form(request.form),
                        forms.facts_on_form(request.form),
                    ),
                    "achievements": form["achievements"],
                },
            )
        except WorkflowError as err:
            flash(err.message(current_lang()), "error")
            return _form_page([match], chosen, match, n), err.http_status
        flash(_("Đã lưu thay đổi."), "info")
        return redirect(url_for("nominations.detail", nomination_id=nomination_id))
    if not permissions.may_edit(me(), n, today()):
        abort(403)
    return _form_page([match], chosen, match, n)


@bp.route("/notice")
@login_required
def notice() -> ResponseReturnValue:
    """The public-notice list (danh sách công khai) of the council's units, printable."""
    still, ended = queries.notice_board(db.session, me(), today())
    return render_template("notice.html", items=still, ended=ended, today=today())
