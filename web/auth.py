"""Login, logout and passwords. Passwords are checked by the domain (argon2id).

Sessions are signed cookies, and they still end: each carries the user's session generation,
a number kept in the database that logout, a password change or reset and deactivation bump,
so a cookie issued before is refused on every host. A cookie is ``Secure`` whenever the
request came over HTTPS (behind a proxy, ``PROXY_HOPS`` makes that the client's scheme).
"""

from __future__ import annotations

import math
import secrets
import time
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    after_this_request,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from web.extensions import db, login_manager
from workflow import accounts, passwords, throttle
from workflow.clock import utcnow, vn_date
from workflow.errors import InvalidInput, WorkflowError
from workflow.models import User
from workflow.passwords import authenticate

bp = Blueprint("auth", __name__)


class LoginUser(UserMixin):
    """Flask-Login's view of a domain user (the domain model stays framework-free)."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.id = user.id


def me() -> User:
    """The signed-in user (pages behind ``login_required``)."""
    user: User = current_user.user
    return user


def today() -> date:
    """Today in Vietnam: the day roles, deadlines and visibility are judged on."""
    return vn_date(utcnow())


@login_manager.user_loader
def load_user(user_id: str) -> LoginUser | None:
    """The session's user, unless they were deactivated or their sessions were ended since
    this cookie was issued (its generation is older than the database's)."""
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or session.get("gen") != user.session_generation:
        return None
    return LoginUser(user)


IDLE_TIMEOUT = 30 * 60  # seconds without a request
ABSOLUTE_TIMEOUT = 10 * 60 * 60  # seconds since login, whatever happens
# Pages a user whose password was reset may still open before changing it.
OPEN_WHILE_CHANGE_REQUIRED = frozenset({"auth.password", "auth.logout", "i18n.switch", "static"})


class SessionCookies(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` on HTTPS requests. ``SESSION_COOKIE_SECURE`` is fixed
    at start-up, while one app may be reached over HTTPS (through the proxy) and plain HTTP
    (a health check on the host)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            has_request_context() and request.is_secure
        )


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    app.session_interface = SessionCookies()

    @app.before_request
    def expire_sessions() -> ResponseReturnValue | None:
        """Idle and absolute session timeouts (the session is a signed cookie: no server state)."""
        if request.path.startswith(("/api/", "/static/")) or "started" not in session:
            return None
        now = int(time.time())
        if (
            now - session.get("seen", 0) > IDLE_TIMEOUT
            or now - session["started"] > ABSOLUTE_TIMEOUT
        ):
            logout_user()
            fresh_session()
            flash(_("Phiên làm việc đã hết hạn; vui lòng đăng nhập lại."), "info")
            return redirect(url_for("auth.login"))
        session["seen"] = now
        return None

    @app.before_request
    def require_password_change() -> ResponseReturnValue | None:
        """After an administrator's reset, every page leads to the change form."""
        if request.path.startswith(("/api/", "/static/")):
            return None
        if request.endpoint in OPEN_WHILE_CHANGE_REQUIRED or not current_user.is_authenticated:
            return None
        if me().must_change_password:
            return redirect(url_for("auth.password"))
        return None


def fresh_session() -> None:
    """A new session (no fixation), keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def start_session(user: User) -> None:
    """Sign ``user`` in on a fresh session carrying their current session generation."""
    fresh_session()
    login_user(LoginUser(user))
    session["gen"] = user.session_generation
    session["started"] = session["seen"] = int(time.time())


def safe_next(target: str | None) -> str:
    """Only same-site relative paths: never redirect a user to another host."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("nominations.index")


# --- known devices ------------------------------------------------------------------------
# After a successful login the browser keeps a signed cookie naming that username and a random
# device identifier. Its next logins under that username are throttled by that device's own
# failures only, so strangers guessing the password cannot keep its owner out.

DEVICE_COOKIE = "known_device"
DEVICE_MAX_AGE = timedelta(days=180)
DEVICES_PER_BROWSER = 5  # a shared office computer remembers its last few users


def _device_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="known-device")


def _device_entries() -> list[list[str]]:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or len(raw) > 2000:
        return []
    try:
        entries = _device_signer().loads(raw, max_age=int(DEVICE_MAX_AGE.total_seconds()))
    except BadSignature:
        return []
    if not isinstance(entries, list):
        return []
    return [
        e
        for e in entries
        if isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e)
    ][:DEVICES_PER_BROWSER]


def known_device(username: str) -> str | None:
    """This browser's device identifier for ``username``, if it has logged in as them."""
    key = throttle.account_key(username)
    return next((device for who, device in _device_entries() if who == key), None)


def remember_device(username: str) -> None:
    """After a successful login: (re)issue this browser's device cookie for ``username``,
    with a new identifier each time (a copied cookie stops working at the owner's next login)."""
    key = throttle.account_key(username)
    entries = [[key, secrets.token_urlsafe(16)]]
    entries += [e for e in _device_entries() if e[0] != key][: DEVICES_PER_BROWSER - 1]
    value = _device_signer().dumps(entries)

    @after_this_request
    def set_cookie(response: Response) -> Response:
        response.set_cookie(
            DEVICE_COOKIE,
            value,
            max_age=int(DEVICE_MAX_AGE.total_seconds()),
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )
        return response


def client_address() -> str:
    return request.remote_addr or "?"


def wait_text(seconds: int) -> str:
    """How long to wait, for people: seconds under a minute, else whole minutes."""
    if seconds < 60:
        return ngettext("%(num)d giây", "%(num)d giây", seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("%(num)d phút", "%(num)d phút", minutes)


def throttled_message(refused: throttle.Throttled) -> str:
    return _(
        "Quá nhiều lần nhập sai mật khẩu. Vui lòng chờ %(wait)s rồi thử lại.",
        wait=wait_text(refused.seconds),
    )


# --- pages ----------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if request.method == "POST":
        username = request.form.get("username", "").strip()[:80]
        try:
            attempt = throttle.begin(
                db.session, username, client_address(), device=known_device(username)
            )
        except throttle.Throttled as refused:
            flash(throttled_message(refused), "error")
            page = render_template("login.html", username=username)
            return page, 429, {"Retry-After": str(refused.seconds)}
        user = authenticate(db.session, username, request.form.get("password", ""))
        if user is None:
            flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "error")
            return render_template("login.html", username=username), 401
        throttle.succeeded(db.session, attempt)
        start_session(user)
        remember_device(username)
        if user.must_change_password:
            flash(_("Mật khẩu của bạn vừa được đặt lại; hãy đổi mật khẩu để tiếp tục."), "info")
            return redirect(url_for("auth.password"))
        return redirect(safe_next(request.args.get("next")))
    if current_user.is_authenticated:
        return redirect(url_for("nominations.index"))
    return render_template("login.html", username="")


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    """Ends every session of this user, on every host (copies of the cookie included)."""
    accounts.end_sessions(db.session, me(), revoke_tokens=False)
    logout_user()
    fresh_session()
    flash(_("Đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> ResponseReturnValue:
    """Change one's own password; every other session and API token ends."""
    user = me()
    status = 200
    if request.method == "POST":
        current = request.form.get("current_password", "")
        new = request.form.get("new_password", "")
        try:
            if new != request.form.get("confirm_password", ""):
                raise InvalidInput(
                    "Hai lần nhập mật khẩu mới không khớp nhau.",
                    "The two new passwords differ.",
                    {"confirm_password": "mismatch"},  # an error code  # nosec B105
                )
            attempt = throttle.begin(
                db.session, user.username, client_address(), device=known_device(user.username)
            )
            try:
                accounts.change_password(db.session, user, current, new)
            except InvalidInput as err:
                if err.details != accounts.WRONG_CURRENT_PASSWORD:
                    throttle.succeeded(db.session, attempt)  # the current password was right
                raise
            throttle.succeeded(db.session, attempt)
        except throttle.Throttled as refused:
            flash(throttled_message(refused), "error")
            page = render_template("password.html", forced=user.must_change_password)
            return page, 429, {"Retry-After": str(refused.seconds)}
        except WorkflowError as err:
            from web.i18n import current_lang  # web.i18n imports this module

            flash(err.message(current_lang()), "error")
            status = err.http_status
        else:
            start_session(user)  # this session goes on under the new generation
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc."), "info")
            return redirect(url_for("nominations.index"))
    return render_template("password.html", forced=user.must_change_password), status


def password_rules() -> dict[str, Any]:
    return {"min_length": passwords.MIN_PASSWORD_LENGTH}


@bp.app_context_processor
def password_context() -> dict[str, Any]:
    return {"password_rules": password_rules()}
