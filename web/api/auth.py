"""Bearer-token authentication for the JSON API (tokens live in the database)."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, g, jsonify, request
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import Forbidden, Unauthorized

from web.extensions import db
from workflow import throttle, tokens
from workflow.models import ApiToken, User

F = TypeVar("F", bound=Callable[..., Any])
SECURITY = [{"bearerAuth": []}]


class TokenRejected(Unauthorized):
    """401 with the error code the API promises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.data = {"message": message, "code": "unauthorized"}


class PasswordChangeRequired(Forbidden):
    """403 while an administrator's reset waits for the user to choose a password."""

    def __init__(self) -> None:
        message = (
            "Mật khẩu của tài khoản này vừa được quản trị viên đặt lại; hãy đổi mật khẩu "
            "(POST /api/v1/me/password) trước khi dùng API."
        )
        super().__init__(message)
        self.data = {"message": message, "code": "password_change_required"}


# What a token may still do while its user must change their password.
OPEN_WHILE_CHANGE_REQUIRED = frozenset({"api.change_my_password", "api.revoke_token", "api.me"})


def token_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenRejected("Cần mã truy cập (Authorization: Bearer …).")
        bearer = tokens.resolve(db.session, token.strip())
        if bearer is None:
            raise TokenRejected("Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.")
        g.bearer = bearer
        if bearer.must_change_password and request.endpoint not in OPEN_WHILE_CHANGE_REQUIRED:
            raise PasswordChangeRequired()
        return view(*args, **kwargs)

    return cast(F, wrapper)


def too_many_attempts(refused: throttle.Throttled) -> tuple[Response, int, dict[str, str]]:
    """429 with how long to wait, in the message (Vietnamese), ``details`` and ``Retry-After``."""
    seconds = refused.seconds
    wait = f"{seconds} giây" if seconds < 60 else f"{math.ceil(seconds / 60)} phút"
    error = {
        "code": "too_many_attempts",
        "message": f"Quá nhiều lần nhập sai mật khẩu; vui lòng chờ {wait} rồi thử lại.",
        "details": {"retry_after": seconds},
    }
    return jsonify({"error": error}), 429, {"Retry-After": str(seconds)}


def reader() -> tokens.Bearer:
    """The token's user with their roles, read with the token: enough to list and open."""
    return cast(tokens.Bearer, g.bearer)


def actor() -> User:
    """The token's user as an object, loaded on first use: what the domain's actions take."""
    if "actor" not in g:
        g.actor = db.session.get(User, reader().id, options=[joinedload(User.assignments)])
        if g.actor is None:  # deleted since the token was read
            raise TokenRejected("Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.")
    return cast(User, g.actor)


def current_token() -> ApiToken:
    if "token" not in g:
        g.token = db.session.get(ApiToken, reader().token_id)
    return cast(ApiToken, g.token)
