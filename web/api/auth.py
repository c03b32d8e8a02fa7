"""Bearer-token authentication for the JSON API (tokens live in the database)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, request
from werkzeug.exceptions import Unauthorized

from web.extensions import db
from workflow import tokens
from workflow.models import ApiToken, User

F = TypeVar("F", bound=Callable[..., Any])
SECURITY = [{"bearerAuth": []}]


class TokenRejected(Unauthorized):
    """401 with the error code the API promises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.data = {"message": message, "code": "unauthorized"}


def token_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenRejected("Cần mã truy cập (Authorization: Bearer …).")
        found = tokens.resolve(db.session, token.strip())
        if found is None:
            raise TokenRejected("Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.")
        g.actor, g.token = found
        return view(*args, **kwargs)

    return cast(F, wrapper)


def actor() -> User:
    return cast(User, g.actor)


def current_token() -> ApiToken:
    return cast(ApiToken, g.token)
