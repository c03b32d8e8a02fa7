"""Login and logout. Passwords are checked by the domain (argon2id)."""

from __future__ import annotations

import time
from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user, login_required, login_user, logout_user

from web.extensions import db, login_manager
from workflow import throttle
from workflow.accounts import authenticate
from workflow.clock import utcnow, vn_date
from workflow.models import User

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
    user = db.session.get(User, int(user_id))
    return LoginUser(user) if user is not None and user.is_active else None


IDLE_TIMEOUT = 30 * 60  # seconds without a request
ABSOLUTE_TIMEOUT = 10 * 60 * 60  # seconds since login, whatever happens


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")

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


def fresh_session() -> None:
    """A new session (no fixation), keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def safe_next(target: str | None) -> str:
    """Only same-site relative paths: never redirect a user to another host."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("nominations.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if request.method == "POST":
        username = request.form.get("username", "").strip()[:80]
        address = request.remote_addr or "?"
        if throttle.refused(db.session, username, address):
            flash(_("Quá nhiều lần đăng nhập sai; vui lòng thử lại sau một giờ."), "error")
            return render_template("login.html", username=username), 429
        user = authenticate(db.session, username, request.form.get("password", ""))
        if user is None:
            throttle.record_failure(db.session, username, address)
            flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "error")
            return render_template("login.html", username=username), 401
        fresh_session()
        login_user(LoginUser(user))
        session["started"] = session["seen"] = int(time.time())
        return redirect(safe_next(request.args.get("next")))
    if current_user.is_authenticated:
        return redirect(url_for("nominations.index"))
    return render_template("login.html", username="")


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    logout_user()
    fresh_session()
    flash(_("Đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))
