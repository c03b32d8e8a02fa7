"""The JSON API, /api/v1: parse with marshmallow, call the domain, serialise. Nothing decided here."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from web import forms
from web.api import schemas as s
from web.api.auth import SECURITY, actor, current_token, token_required
from web.downloads import document_file
from web.extensions import db
from workflow import (
    accounts,
    audit,
    campaigns,
    checks,
    documents,
    imports,
    nominating,
    notify,
    queries,
    service,
    signing,
    throttle,
    tokens,
)
from workflow.clock import utcnow, vn_date
from workflow.documents import decision as decision_documents
from workflow.errors import InvalidInput, NotFound
from workflow.models import Campaign, Decision, ImportBatch, Nomination, Unit, User
from workflow.visibility import can_see
from workflow.vocabulary import Role, State

blp = Blueprint("api", __name__, url_prefix="/api/v1", description="Khen thưởng Công đoàn API")
ERRORS = (400, 401, 403, 404, 409, 422)


def _today() -> Any:
    return vn_date(utcnow())


def documented(*codes: int) -> Any:
    """Attach the shared error schema to the listed statuses of an operation."""

    def wrap(view: Any) -> Any:
        for code in codes:
            view = blp.alt_response(code, schema=s.ErrorSchema, description="error")(view)
        return view

    return wrap


def nomination_json(n: Nomination) -> dict[str, Any]:
    return {
        "id": n.id,
        "state": n.state,
        "state_label": State(n.state).vi,
        "version": n.version,
        "campaign": n.campaign.code,
        "award_type": n.award_type.code,
        "nominee": {"kind": n.nominee_kind, "name": n.nominee_name, **(n.nominee or {})},
        "facts": n.facts or {},
        "achievements": n.achievements or "",
        "origin_unit": n.origin_unit.code,
        "current_unit": n.current_unit.code,
        "route": n.route_codes,
        "vote": n.vote,
        "notice_ends_on": n.notice_ends_on,
        "decision_id": n.decision_id,
        "rule_set_version": n.rule_set_version,
        "created_at": n.created_at,
        "updated_at": n.updated_at,
    }


def page_json(page: queries.Page) -> dict[str, Any]:
    return {"items": [nomination_json(n) for n in page.items], "next_cursor": page.next_cursor}


def user_json(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "roles": [
            {
                "role": a.role,
                "unit_code": a.unit.code,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
                "acting_for": a.acting_for.username if a.acting_for else None,
            }
            for a in user.assignments
        ],
    }


def _visible(nomination_id: int) -> Nomination:
    n = db.session.get(Nomination, nomination_id)
    if n is None or not can_see(actor(), n, _today()):
        raise NotFound(
            f"Không tìm thấy hồ sơ số {nomination_id}.", f"Nomination {nomination_id} not found."
        )
    return n


# --- tokens and the caller -------------------------------------------------------------


@blp.route("/tokens", methods=["POST"])
@blp.arguments(s.TokenRequestSchema)
@blp.response(201, s.TokenSchema)
@documented(400, 401, 422, 429)
def create_token(body: dict[str, Any]) -> Any:
    """Exchange a username and password for a bearer token, throttled like the login page:
    failures slow down, then briefly lock, the account and the address (429 with
    ``Retry-After``); a client holding the device cookie of an earlier login as that user is
    judged by its own failures only."""
    from web.api.auth import TokenRejected, too_many_attempts
    from web.auth import client_address, known_device, remember_device

    username = body["username"]
    try:
        attempt = throttle.begin(
            db.session, username, client_address(), device=known_device(username)
        )
    except throttle.Throttled as refused:
        return too_many_attempts(refused)
    user = accounts.authenticate(db.session, username, body["password"])
    if user is None:
        raise TokenRejected("Tên đăng nhập hoặc mật khẩu không đúng.")
    throttle.succeeded(db.session, attempt)
    remember_device(username)
    token, expires = tokens.issue(db.session, user)
    return {"token": token, "expires_at": expires}


@blp.route("/tokens/current", methods=["DELETE"])
@blp.response(204)
@documented(401)
@blp.doc(security=SECURITY)
@token_required
def revoke_token() -> None:
    """Revoke the token used for this request."""
    tokens.revoke(db.session, current_token())


@blp.route("/me")
@blp.response(200, s.MeSchema)
@documented(401)
@blp.doc(security=SECURITY)
@token_required
def me() -> Any:
    return user_json(actor())


@blp.route("/me/password", methods=["POST"])
@blp.arguments(s.PasswordChangeSchema)
@blp.response(204)
@documented(400, 401, 422, 429)
@blp.doc(security=SECURITY)
@token_required
def change_my_password(body: dict[str, Any]) -> Any:
    """Change the caller's password (the current one is required; the new one has at least 12
    characters, is not common, breached or the username). Every session and every other
    token of the caller ends; the token of this request goes on. Wrong current passwords are
    throttled like logins (429)."""
    from web.api.auth import too_many_attempts
    from web.auth import client_address, known_device

    user = actor()
    try:
        attempt = throttle.begin(
            db.session, user.username, client_address(), device=known_device(user.username)
        )
    except throttle.Throttled as refused:
        return too_many_attempts(refused)
    try:
        accounts.change_password(
            db.session,
            user,
            body["current_password"],
            body["new_password"],
            keep_token=current_token(),
        )
        db.session.commit()
    except InvalidInput as err:
        db.session.rollback()
        if err.details != accounts.WRONG_CURRENT_PASSWORD:
            throttle.succeeded(db.session, attempt)  # the current password was right
        raise
    throttle.succeeded(db.session, attempt)
    return None


@blp.route("/users/<string:username>/password", methods=["POST"])
@blp.arguments(s.PasswordResetSchema)
@blp.response(204)
@documented(400, 401, 403, 404, 422)
@blp.doc(security=SECURITY)
@token_required
def reset_password(body: dict[str, Any], username: str) -> Any:
    """An administrator (at or above every unit where the user holds a role) sets a temporary
    password: all the user's sessions and tokens end, and until they change it every API call
    of theirs but this one answers 403 ``password_change_required``."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"Không có tài khoản '{username}'.", f"No user '{username}'.")
    try:
        accounts.reset_password(db.session, actor(), user, body["password"], _today())
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return None


# --- administration ----------------------------------------------------------------------


@blp.route("/units")
class Units(MethodView):
    decorators = (token_required,)

    @blp.response(200, s.UnitSchema(many=True))
    @documented(401)
    @blp.doc(security=SECURITY)
    def get(self) -> Any:
        units = db.session.scalars(select(Unit).order_by(Unit.path)).all()
        codes = {u.id: u.code for u in units}
        return [
            {
                "code": u.code,
                "name": u.name,
                "abbreviation": u.abbreviation,
                "level": u.level,
                "parent_code": codes.get(u.parent_id) if u.parent_id else None,
            }
            for u in units
        ]

    @blp.arguments(s.UnitInSchema)
    @blp.response(201, s.UnitSchema)
    @documented(400, 401, 403, 404, 422)
    @blp.doc(security=SECURITY)
    def post(self, body: dict[str, Any]) -> Any:
        unit = accounts.create_unit(
            db.session,
            body["code"],
            body["name"],
            body["level"],
            body["parent_code"],
            body["abbreviation"],
            actor=actor(),
        )
        db.session.commit()
        return {**body, "code": unit.code, "abbreviation": unit.abbreviation}


@blp.route("/users", methods=["POST"])
@blp.arguments(s.UserInSchema)
@blp.response(201, s.MeSchema)
@documented(400, 401, 403, 404, 422)
@blp.doc(security=SECURITY)
@token_required
def create_user(body: dict[str, Any]) -> Any:
    """Create a user with dated role assignments (an admin above every unit named)."""
    try:
        user = accounts.create_user_with_roles(
            db.session,
            body["username"],
            body["full_name"],
            body["password"],
            body["roles"],
            email=body["email"],
            actor=actor(),
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return user_json(user)


@blp.route("/campaigns")
class Campaigns(MethodView):
    decorators = (token_required,)

    @blp.response(200, s.CampaignSummarySchema(many=True))
    @documented(401)
    @blp.doc(security=SECURITY)
    def get(self) -> Any:
        return db.session.scalars(
            select(Campaign).order_by(Campaign.year.desc(), Campaign.code)
        ).all()

    @blp.response(201, s.CampaignSchema)
    @documented(400, 401, 403, 422)
    @blp.doc(
        security=SECURITY,
        requestBody={
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "A campaign definition: components/schemas/CampaignDefinition"
                        " and docs/campaigns.md; validated against that schema on the server.",
                    }
                }
            },
        },
    )
    def post(self) -> Any:
        """Import a campaign definition: the same schema as the YAML files."""
        raw = request.get_json(silent=True)
        if raw is None:
            raise InvalidInput("Nội dung phải là JSON.", "The body must be JSON.", {"body": "json"})
        try:
            campaign = campaigns.import_definition(db.session, raw, "request", actor())
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return campaign


@blp.route("/campaigns/<string:code>")
@blp.response(200, s.CampaignSchema)
@documented(401, 404)
@blp.doc(security=SECURITY)
@token_required
def get_campaign(code: str) -> Any:
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None:
        raise NotFound(f"Không có đợt thi đua '{code}'.", f"No campaign '{code}'.")
    return campaign


# --- nominations ---------------------------------------------------------------------------


class IdempotencyHeaderSchema(s.Schema):
    class Meta:
        unknown = "exclude"

    key = s.fields.String(
        data_key="Idempotency-Key", load_default=None, validate=s.validate.Length(min=1, max=200)
    )


@blp.route("/nominations")
class Nominations(MethodView):
    decorators = (token_required,)

    @blp.arguments(s.ListArgsSchema, location="query")
    @blp.response(200, s.NominationPageSchema)
    @documented(400, 401, 422)
    @blp.doc(security=SECURITY)
    def get(self, args: dict[str, Any]) -> Any:
        page = queries.list_nominations(db.session, actor(), _today(), **args)
        return page_json(page)

    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.arguments(s.NominationInSchema)
    @blp.response(201, s.NominationSchema)
    @documented(400, 401, 403, 404, 422)
    @blp.doc(security=SECURITY)
    def post(self, headers: dict[str, Any], body: dict[str, Any]) -> Any:
        """Create a draft. Retrying with the same ``Idempotency-Key`` creates nothing more and
        returns the nomination the first request created."""
        nominee = {k: v for k, v in body["nominee"].items() if k not in ("kind", "name") and v}
        outcome = nominating.create_nomination(
            db.session,
            actor(),
            campaign=body["campaign"],
            award_type=body["award_type"],
            nominee_kind=body["nominee"]["kind"],
            nominee_name=body["nominee"]["name"],
            nominee=nominee,
            facts=body["facts"],
            achievements=body["achievements"],
            unit_code=body["unit"],
            idempotency_key=headers.get("key"),
        )
        return nomination_json(_visible(outcome.id))


class IfMatchSchema(s.Schema):
    class Meta:
        unknown = "exclude"

    if_match = s.fields.String(
        required=True, data_key="If-Match", validate=s.validate.Regexp(r'^"?[0-9]{1,9}"?$')
    )


@blp.route("/nominations/<int(min=1, max=2147483647):nomination_id>")
class NominationItem(MethodView):
    decorators = (token_required,)

    @blp.response(200, s.NominationSchema)
    @documented(401, 404)
    @blp.doc(security=SECURITY)
    def get(self, nomination_id: int) -> Any:
        return nomination_json(_visible(nomination_id))

    @blp.arguments(IfMatchSchema, location="headers")
    @blp.arguments(s.NominationPatchSchema)
    @blp.response(200, s.NominationSchema)
    @documented(400, 401, 403, 404, 409, 422)
    @blp.doc(security=SECURITY)
    def patch(self, headers: dict[str, Any], body: dict[str, Any], nomination_id: int) -> Any:
        """Correct a draft or returned nomination; ``If-Match`` carries the version you saw."""
        changes: dict[str, Any] = {}
        if "nominee" in body:
            nominee = body["nominee"]
            changes["nominee_name"] = nominee["name"]
            changes["nominee"] = {
                k: v for k, v in nominee.items() if k not in ("kind", "name") and v
            }
        for field in ("facts", "achievements"):
            if field in body:
                changes[field] = body[field]
        nominating.update_nomination(
            db.session,
            nomination_id,
            actor(),
            expected_version=int(headers["if_match"].strip('"')),
            changes=changes,
        )
        return nomination_json(_visible(nomination_id))


@blp.route("/nominations/<int(min=1, max=2147483647):nomination_id>/checks")
@blp.response(200, s.ChecksSchema)
@documented(401, 404)
@blp.doc(security=SECURITY)
@token_required
def nomination_checks(nomination_id: int) -> Any:
    return checks.report(db.session, _visible(nomination_id), _today()).as_dict()


@blp.route("/nominations/<int(min=1, max=2147483647):nomination_id>/events", methods=["POST"])
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.arguments(s.EventInSchema)
@blp.response(200, s.OutcomeSchema)
@documented(400, 401, 403, 404, 409, 422)
@blp.doc(security=SECURITY)
@token_required
def fire_event(headers: dict[str, Any], body: dict[str, Any], nomination_id: int) -> Any:
    """Fire a workflow event. Retrying with the same ``Idempotency-Key`` returns the first answer."""
    data = {k: body[k] for k in ("vote", "ground") if body.get(k) is not None}
    return service.fire(
        db.session,
        nomination_id,
        body["event"],
        actor(),
        expected_version=body["version"],
        comment=body["comment"],
        idempotency_key=headers.get("key"),
        **data,
    ).as_dict()


@blp.route("/inbox")
@blp.arguments(s.InboxArgsSchema, location="query")
@blp.response(200, s.NominationPageSchema)
@documented(400, 401, 422)
@blp.doc(security=SECURITY)
@token_required
def inbox(args: dict[str, Any]) -> Any:
    page = queries.inbox(db.session, actor(), _today(), **args)
    return page_json(page)


@blp.route("/nominations/<int(min=1, max=2147483647):nomination_id>/trail")
@blp.response(200, s.TrailEntrySchema(many=True))
@documented(401, 404)
@blp.doc(security=SECURITY)
@token_required
def trail(nomination_id: int) -> Any:
    _visible(nomination_id)
    return audit.trail(db.session, nomination_id)


@blp.route("/audit/verify")
@blp.response(200, s.VerifySchema)
@documented(401, 403)
@blp.doc(security=SECURITY)
@token_required
def verify() -> Any:
    accounts.require_role(actor(), {Role.AUDITOR, Role.ADMIN}, _today())
    return audit.verify(db.session).as_dict()


# --- decisions -------------------------------------------------------------------------------


def decision_json(d: Decision) -> dict[str, Any]:
    return {
        "id": d.id,
        "number": d.number,
        "unit": d.unit.code,
        "signed_on": d.signed_on,
        "signer": d.signer.username,
        "nominations": sorted(n.id for n in d.nominations),
    }


@blp.route("/decisions", methods=["POST"])
@blp.arguments(s.DecisionInSchema)
@blp.response(201, s.DecisionSchema)
@documented(400, 401, 403, 404, 409, 422)
@blp.doc(security=SECURITY)
@token_required
def sign_decision(body: dict[str, Any]) -> Any:
    decision = signing.sign_decision(
        db.session, actor(), nomination_ids=body["nomination_ids"], signed_on=body["signed_on"]
    )
    return decision_json(decision)


@blp.route("/decisions/<int(min=1, max=2147483647):decision_id>")
@blp.response(200, s.DecisionSchema)
@documented(401, 404)
@blp.doc(security=SECURITY)
@token_required
def get_decision(decision_id: int) -> Any:
    decision = db.session.get(Decision, decision_id)
    today = _today()
    if decision is None or not any(can_see(actor(), n, today) for n in decision.nominations):
        raise NotFound(
            f"Không có quyết định số {decision_id}.", f"Decision {decision_id} not found."
        )
    return decision_json(decision)


_FILE = {"schema": {"type": "string", "format": "binary"}}


@blp.route("/decisions/<int(min=1, max=2147483647):decision_id>/document")
@blp.arguments(s.DocumentArgsSchema, location="query")
@documented(400, 401, 404, 422)
@blp.doc(
    security=SECURITY,
    responses={
        "200": {
            "description": "The decision with its attached list (Decree 30/2020/NĐ-CP format); "
            "Content-Disposition names the file.",
            "content": {media_type: _FILE for media_type, _ in documents.FORMATS.values()},
        }
    },
)
@token_required
def decision_document(args: dict[str, Any], decision_id: int) -> Any:
    """The signed decision as a Word file or PDF, for the decider, the council or an auditor
    of the issuing unit (anyone else: 404)."""
    document = decision_documents.decision_document(db.session, actor(), decision_id, _today())
    return document_file(document, args["format"])


@blp.route("/notifications")
@blp.response(200, s.NotificationSchema(many=True))
@documented(401)
@blp.doc(security=SECURITY)
@token_required
def list_notifications() -> Any:
    """The caller's own notifications, unread first (the last 100)."""
    return notify.recent(db.session, actor(), limit=100)


@blp.route("/notifications/read", methods=["POST"])
@blp.arguments(s.NotificationsReadSchema)
@blp.response(200, s.MarkedSchema)
@documented(400, 401, 422)
@blp.doc(security=SECURITY)
@token_required
def read_notifications(body: dict[str, Any]) -> Any:
    return {"marked": notify.mark_read(db.session, actor(), utcnow(), body["ids"])}


def import_json(batch: ImportBatch) -> dict[str, Any]:
    counts = imports.counts(batch)
    return {
        "id": batch.id,
        "status": batch.status,
        "campaign": batch.campaign.code,
        "unit": batch.unit.code,
        "filename": batch.filename,
        "valid": counts.valid,
        "invalid": counts.invalid,
        "duplicate": counts.duplicate,
        "created": batch.created_count,
        "rows": [
            {
                "row": r["row"],
                "status": r["status"],
                "nominee_name": r["values"].get("nominee_name"),
                "award_type": r["values"].get("award_type"),
                "errors": {
                    name: {
                        "code": problem[0],
                        "message": imports.message(problem),
                        "message_en": imports.message(problem, "en"),
                    }
                    for name, problem in r["errors"].items()
                },
            }
            for r in batch.rows["rows"]
        ],
    }


@blp.route("/imports", methods=["POST"])
@blp.arguments(s.ImportArgsSchema, location="query")
@blp.arguments(s.ImportFileSchema, location="files")
@blp.response(201, s.ImportBatchSchema)
@documented(400, 401, 403, 404, 422)
@blp.doc(security=SECURITY)
@token_required
def upload_import(args: dict[str, Any], files: dict[str, Any]) -> Any:
    """Check a list (.xlsx, multipart field ``file``) row by row; nothing is created until it
    is confirmed. The campaign and unit are query arguments (``?campaign=…``)."""
    content, filename = forms.read_upload(files["file"], imports.MAX_BYTES)
    batch = imports.preview(
        db.session,
        actor(),
        campaign=args["campaign"],
        content=content,
        filename=filename,
        unit_code=args["unit"],
    )
    return import_json(batch)


@blp.route("/imports/<int(min=1, max=2147483647):batch_id>")
@blp.response(200, s.ImportBatchSchema)
@documented(401, 404)
@blp.doc(security=SECURITY)
@token_required
def get_import(batch_id: int) -> Any:
    return import_json(imports.batch_for(db.session, actor(), batch_id))


@blp.route("/imports/<int(min=1, max=2147483647):batch_id>/confirm", methods=["POST"])
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.response(201, s.ImportConfirmedSchema)
@documented(401, 403, 404, 409, 422)
@blp.doc(security=SECURITY)
@token_required
def confirm_import(headers: dict[str, Any], batch_id: int) -> Any:
    """Create the valid rows as drafts, once: a second confirmation is a 409, unless it
    repeats the first one's ``Idempotency-Key`` (it then gets the first answer)."""
    created = imports.confirm(db.session, actor(), batch_id, idempotency_key=headers.get("key"))
    return {"created": [o.id for o in created]}
