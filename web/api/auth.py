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
from web.i18n import in_lang
from workflow import throttle, tokens
from workflow.models import ApiToken, User

F = TypeVar("F", bound=Callable[..., Any])
SECURITY = [{"bearerAuth": []}]


class TokenRejected(Unauthorized):
    """401 with the error code the API promises, in the client's language."""

    def __init__(self, vi: str, en: str) -> None:
        message = in_lang(vi, en)
        super().__init__(message)
        self.data = {"message": message, "code": "unauthorized"}


NO_TOKEN = (
    "Cần mã truy cập (Authorization: Bearer …).",
    "A token is needed (Authorization: Bearer …).",
)
BAD_TOKEN = (
    "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.",
    "The token is invalid, expired or revoked.",
)


class PasswordChangeRequired(Forbidden):
    """403 while an administrator's reset waits for the user to choose a password."""

    def __init__(self) -> None:
        message = in_lang(
            "Mật khẩu của tài khoản này vừa được quản trị viên đặt lại; hãy đổi mật khẩu "
            "(POST /api/v1/me/password) trước khi dùng API.",
            "An administrator reset this account's password; change it "
            "(POST /api/v1/me/password) before using the API.",
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
            raise TokenRejected(*NO_TOKEN)
        bearer = tokens.resolve(db.session, token.strip())
        if bearer is None:
            raise TokenRejected(*BAD_TOKEN)
        g.bearer = bearer
        if bearer.must_change_password and request.endpoint not in OPEN_WHILE_CHANGE_REQUIRED:
            raise PasswordChangeRequired()
        return view(*args, **kwargs)

    return cast(F, wrapper)


def too_many_attempts(refused: throttle.Throttled) -> tuple[Response, int, dict[str, str]]:
    """429 with how long to wait, in the message, ``details`` and ``Retry-After``."""
    seconds = refused.seconds
    minutes = math.ceil(seconds / 60)
    wait = (
        (f"{seconds} giây", f"{seconds} s")
        if seconds < 60
        else (f"{minutes} phút", f"{minutes} min")
    )
    error = {
        "code": "too_many_attempts",
        "message": in_lang(
            f"Quá nhiều lần nhập sai mật khẩu; vui lòng chờ {wait[0]} rồi thử lại.",
            f"Too many wrong passwords; wait {wait[1]} and try again.",
        ),
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
            raise TokenRejected(*BAD_TOKEN)
    return cast(User, g.actor)


def current_token() -> ApiToken:
    if "token" not in g:
        g.token = db.session.get(ApiToken, reader().token_id)
    return cast(ApiToken, g.token)
