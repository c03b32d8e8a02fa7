"""API operations on accounts: tokens, the caller, passwords, units and users."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy import select

from web.api import schemas as s
from web.api.auth import SECURITY, actor, current_token, token_required
from web.api.blueprint import blp, documented, today
from web.extensions import db
from workflow import accounts, passwords, throttle, tokens
from workflow.errors import InvalidInput
from workflow.models import Unit, User


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
    user = passwords.authenticate(db.session, username, body["password"])
    if user is None:
        raise TokenRejected(
            "Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password."
        )
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
    except InvalidInput as err:
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
    accounts.reset_password(db.session, actor(), username, body["password"], today())
    return None


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
        return {**body, "code": unit.code, "abbreviation": unit.abbreviation}


@blp.route("/users", methods=["POST"])
@blp.arguments(s.UserInSchema)
@blp.response(201, s.MeSchema)
@documented(400, 401, 403, 404, 422)
@blp.doc(security=SECURITY)
@token_required
def create_user(body: dict[str, Any]) -> Any:
    """Create a user with dated role assignments (an admin above every unit named)."""
    user = accounts.create_user_with_roles(
        db.session,
        body["username"],
        body["full_name"],
        body["password"],
        body["roles"],
        email=body["email"],
        actor=actor(),
    )
    return user_json(user)
