"""One guard in front of every view: bad text never reaches a view, let alone the database.

PostgreSQL refuses NUL in strings (a 500 there) while SQLite stores it as-is, and a deep JSON
body makes the parser recurse until it fails; catching that in each view would miss one.
So before any view runs this checks every path parameter, query parameter, form field,
uploaded file *name* (contents are the domain's to judge), the API's own header parameters
and the JSON body (its size and nesting before parsing, then every key and string), and
answers a refusal as the domain's ``InvalidInput``: 422 naming the field, in the API's error
envelope or on the error page in the user's language (web/errors.py renders both).
"""

from __future__ import annotations

import json

from flask import Flask, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from workflow.errors import InvalidInput
from workflow.inputs import (
    MAX_DEPTH,
    first_refused,
    is_multiline,
    json_depth,
    refused_character,
    shown,
)

MAX_JSON_BYTES = 1024 * 1024
"""Largest JSON body: a campaign definition is ~10 KB, a nomination's text at most 20,000
characters; the 11 MB ``MAX_CONTENT_LENGTH`` is for dossier files, not JSON."""

HEADER_PARAMETERS = ("Idempotency-Key", "If-Match")
"""Headers the API reads as parameters (the idempotency key is stored)."""


class JsonTooLarge(RequestEntityTooLarge):
    def __init__(self) -> None:
        message = f"Nội dung JSON quá lớn (tối đa {MAX_JSON_BYTES // 1024} KB)."
        super().__init__(message)
        self.data = {"message": message, "code": "too_large"}


class NotJson(UnsupportedMediaType):
    """An API body sent as something else (text/plain, a form) was read as no body at all,
    and answered "award_type (chưa nhập)" for a field the client had sent."""

    def __init__(self) -> None:
        super().__init__("The body must be JSON (Content-Type: application/json).")
        self.data = {"code": "not_json"}  # the message: web/errors.py, in the reader's language


API_BODY_TYPES = ("application/json", "multipart/form-data")  # files go up as multipart


def init_app(app: Flask) -> None:
    # First of all checks, CSRF's included: text no page may hold is refused as such (422,
    # naming where it was), whatever else is wrong with the request.
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)


def check_request() -> None:
    """Raise ``InvalidInput`` (422) for the first refused value, naming where it was."""
    if request.is_json:
        _check_json()  # first: it reads the body before anything parses it as a form
    elif (
        request.path.startswith("/api/")
        and request.content_length
        and request.mimetype not in API_BODY_TYPES
    ):
        raise NotJson()
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            _check("path", name, value)
    for name, value in request.args.items(multi=True):
        _check("query", name, name)
        _check("query", name, value)
    _soften_pasted_breaks()
    # A multipart part whose header cannot be read arrives with the name None.
    for name, value in request.form.items(multi=True):
        _check("form", name or "?", name or "")
        _check("form", name or "?", value, multiline=is_multiline(name or ""))
    for name, upload in request.files.items(multi=True):
        _check("files", name or "?", name or "")
        _check("files", name or "?", upload.filename or "")
    for name in HEADER_PARAMETERS:
        if name in request.headers:
            _check("headers", name, request.headers[name])


_PASTED_BREAKS = "\v\f"  # Word's manual line break (U+000B) and page break (U+000C)
_AS_LINES = str.maketrans(dict.fromkeys(_PASTED_BREAKS, "\n"))
_AS_SPACES = str.maketrans(dict.fromkeys(_PASTED_BREAKS, " "))


def _soften_pasted_breaks() -> None:
    """A form's text pasted from Word reads as typed: its manual line and page breaks become
    line breaks (spaces in a one-line field) instead of refusing the whole form, whose
    values the error page cannot give back. The API's JSON is a program's: refused as is."""
    pairs = request.form.items(multi=True)
    if not any(c in value for _, value in pairs for c in _PASTED_BREAKS):  # the common case
        return
    softened = [
        (name, value.translate(_AS_LINES if is_multiline(name or "") else _AS_SPACES))
        for name, value in request.form.items(multi=True)
    ]
    request.__dict__["form"] = ImmutableMultiDict(softened)  # werkzeug caches the form there


def _check(location: str, field: str, value: str, multiline: bool = False) -> None:
    char = refused_character(value, multiline)
    if char is not None:
        raise _refused(location, field, char)


def _check_json() -> None:
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise JsonTooLarge()
    body = request.get_data(cache=True)
    if len(body) > MAX_JSON_BYTES:
        raise JsonTooLarge()
    try:  # decoded as json.loads does, so that what it would accept is checked here
        text = body.decode(json.detect_encoding(body), "surrogatepass")
    except UnicodeDecodeError:
        return  # not JSON at all: the view's parser answers that
    if json_depth(text) > MAX_DEPTH:
        raise InvalidInput(
            f"Nội dung JSON lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp).",
            f"The JSON body is nested too deeply (at most {MAX_DEPTH} levels).",
            {"json": {"_schema": [f"nested deeper than {MAX_DEPTH} levels"]}},
        )
    parsed = request.get_json(silent=True)  # cached for the view; malformed is its to answer
    if parsed is None:
        _check_numbers(text)
    refused = first_refused(parsed)
    if refused is not None:
        raise _refused("json", *refused)


def _check_numbers(text: str) -> None:
    """A body JSON could parse but for an integer too long for Python (over 4,300 digits):
    every parser after this one would fail on it with a ``ValueError``, a 500."""
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return  # malformed: the view's parser answers that
    except ValueError:
        raise InvalidInput(
            "Dữ liệu không hợp lệ: nội dung JSON có số quá dài.",
            "Invalid input: the JSON body holds a number that is too long.",
            {"json": {"_schema": ["number too long"]}},
        ) from None


def _refused(location: str, field: str, char: str) -> InvalidInput:
    where = {
        "path": ("đường dẫn", "path"),
        "query": ("tham số truy vấn", "query parameter"),
        "form": ("ô", "field"),
        "files": ("tên tệp của ô", "file name of field"),
        "headers": ("tiêu đề", "header"),
        "json": ("trường", "field"),
    }[location]
    field = shown(field) or "(body)"  # the name itself may hold the bad character
    return InvalidInput(
        f"Dữ liệu không hợp lệ: {where[0]} «{field}» chứa ký tự điều khiển {char},"
        " không được phép.",
        f"Invalid input: {where[1]} '{field}' contains the control character {char},"
        " which is not allowed.",
        {location: {field: [f"control character {char} not allowed"]}},
    )
