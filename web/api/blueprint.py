"""The API's one blueprint and what its operations share. Operations live in a module per
resource (accounts, campaigns, nominations, audit, decisions, notifications, imports):
parse with marshmallow, call the domain, serialise. Nothing is decided here."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from flask import Response, current_app
from flask_smorest import Blueprint

from web.api import schemas as s
from workflow.clock import utcnow, vn_date

blp = Blueprint("api", __name__, url_prefix="/api/v1", description="Khen thưởng Công đoàn API")


def today() -> date:
    """Today in Vietnam: the day roles and visibility are judged on."""
    return vn_date(utcnow())


def as_dumped(payload: Any, status: int = 200) -> Response:
    """An answer already in the form its documented schema dumps: flask-smorest passes a
    response through as it is. Only for payloads a test compares with the schema's dump.
    Written by orjson (the standard encoder was a twentieth of an inbox request), or by the
    app's own encoder for what orjson refuses (an integer beyond 64 bits in a fact)."""
    try:
        body = orjson.dumps(payload)
    except TypeError:
        answer = current_app.json.response(payload)
        answer.status_code = status
        return answer
    return Response(body, status, mimetype="application/json")


def documented(*codes: int) -> Any:
    """Attach the shared error schema to the listed statuses of an operation."""

    def wrap(view: Any) -> Any:
        for code in codes:
            view = blp.alt_response(code, schema=s.ErrorSchema, description="error")(view)
        return view

    return wrap


class IdempotencyHeaderSchema(s.Schema):
    class Meta:
        unknown = "exclude"

    key = s.fields.String(
        data_key="Idempotency-Key", load_default=None, validate=s.validate.Length(min=1, max=200)
    )
