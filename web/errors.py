"""Domain errors to HTTP statuses in one place; no error page shows a stack trace."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, flash, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_url
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from web.extensions import login_manager
from web.forms import KEPT, refused_fields
from web.i18n import current_lang, in_lang
from workflow.errors import WorkflowError
from workflow.facts import fact_path_label
from workflow.vocabulary import FIELD_LABELS

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


HTTP_CODES = {
    400: "malformed",
    401: "unauthorized",
    403: "not_allowed",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported",
    422: "invalid_input",
    428: "precondition_required",
    429: "too_many_attempts",
}
# Never echoed back on the stale-form page.
HIDDEN_FIELDS = frozenset({"csrf_token", "version", "event", "close"})
# Given back to fill the form in again, but not listed as typed: the form's own workings (a
# list fact's marker, the award its fields were drawn for, the button pressed) and the
# award picked from its list, which the form shows again itself.
UNLISTED_FIELDS = frozenset({"drawn_for", "choose", "preview", "award"})
HTTP_MESSAGES = {
    400: ("Yêu cầu không đúng định dạng.", "The request is malformed."),
    401: ("Chưa xác thực.", "Not authenticated."),
    403: ("Không có quyền.", "Not allowed."),
    404: ("Không tìm thấy.", "Not found."),
    405: ("Phương thức không được hỗ trợ.", "Method not allowed."),
    413: (
        "Nội dung gửi lên quá lớn (mỗi tệp tối đa 10 MB).",
        "What was sent is too large (10 MB per file at most).",
    ),
    415: (
        "Nội dung gửi lên phải là JSON (Content-Type: application/json).",
        "The body must be JSON (Content-Type: application/json).",
    ),
    422: ("Dữ liệu không hợp lệ.", "The data is invalid."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, code: str, message: str, details: Any = None) -> ResponseReturnValue:
    return jsonify({"error": {"code": code, "message": message, "details": details}}), status


def stale_form_page(status: int) -> ResponseReturnValue:
    """A form sent from a session that has ended (signed out, password changed, another
    browser): say so, and give back what was typed so nothing is lost."""
    typed = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in HIDDEN_FIELDS and "password" not in name and value.strip()
    ]
    back = request.referrer
    if back and urlsplit(back).netloc not in ("", request.host):
        back = None  # only ever a link back into this site
    # The form's page fills itself back in from these once the user is signed in again.
    parts = urlsplit(back) if back else None
    form_page = f"{parts.path}{'?' + parts.query if parts.query else ''}" if parts else None
    lang = current_lang()
    live = {name for name, _ in typed}
    # What was kept from another award's fields is typed too: listed once, as its fact.
    shown = [
        (_field_label(name.removeprefix(KEPT), lang), value)
        for name, value in typed
        if name not in UNLISTED_FIELDS
        and not name.endswith(".present")
        and not (name.startswith(KEPT) and name.removeprefix(KEPT) in live)
    ]
    return render_template(
        "stale_form.html", typed=typed, shown=shown, back=back, form_page=form_page
    ), status


def _field_label(name: str, lang: str) -> str:
    """A form field as its form labels it ("" when it has no label of its own)."""
    if name.startswith("facts."):
        return fact_path_label(name, lang)
    labels = FIELD_LABELS.get(name)
    return labels[1 if lang == "en" else 0] if labels else ""


def init_app(app: Flask) -> None:
    @app.errorhandler(WorkflowError)
    def workflow_error(err: WorkflowError) -> ResponseReturnValue:
        if _wants_json():
            return api_error(err.http_status, err.code, err.message(current_lang()), err.details)
        return render_template("error.html", status=err.http_status, error=err), err.http_status

    @app.errorhandler(CSRFError)
    def stale_form(err: CSRFError) -> ResponseReturnValue:
        if _wants_json():
            return api_error(
                400,
                "stale_form",
                in_lang(
                    "Biểu mẫu đã hết hiệu lực; hãy tải lại trang.",
                    "The form has expired; reload the page.",
                ),
            )
        return stale_form_page(400)

    @login_manager.unauthorized_handler
    def unauthorized() -> ResponseReturnValue:
        """A page asked for: sign in first. A form sent after the session ended: the page
        that says so and keeps what was typed (a redirect would drop it)."""
        if request.method == "POST":
            return stale_form_page(401)
        flash(str(login_manager.login_message), "info")
        return redirect(login_url("auth.login", request.url))

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> ResponseReturnValue:
        status = err.code or 500
        if _wants_json():
            data = getattr(err, "data", None) or {}
            details = data.get("errors") or data.get("messages")
            code = data.get("code") or HTTP_CODES.get(status, "error")
            known = HTTP_MESSAGES.get(status)
            message = data.get("message") or (in_lang(*known) if known else err.description)
            if status == 422 and isinstance(details, dict) and details:
                vi, en = refused_fields(details)
                message = in_lang(
                    f"Dữ liệu không hợp lệ ở: {vi}.", f"The data is invalid at: {en}."
                )
            response = api_error(status, code, str(message), details)
            if status == 401:
                return (*response, {"WWW-Authenticate": "Bearer"})  # type: ignore[misc]
            return response
        return render_template("error.html", status=status, error=None), status

    @app.errorhandler(Exception)
    def unexpected(err: Exception) -> ResponseReturnValue:
        app.logger.exception("unhandled error")
        if _wants_json():
            return api_error(500, "server_error", "Lỗi hệ thống; vui lòng thử lại sau.")
        return render_template("error.html", status=500, error=None), 500

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:  # behind a proxy, PROXY_HOPS makes this the client's scheme
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
