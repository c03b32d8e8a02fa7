"""Languages: Vietnamese first, English second, chosen per session (Flask-Babel)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, redirect, request, session
from flask.typing import ResponseReturnValue
from flask_babel import Babel, get_locale

from web.auth import safe_next

LANGUAGES = ("vi", "en")
bp = Blueprint("i18n", __name__)
babel = Babel()


def select_locale() -> str:
    """A page's language is the one chosen in its session; the API's, the client's
    ``Accept-Language`` (Vietnamese unless it prefers English)."""
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(LANGUAGES, default="vi") or "vi"
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else "vi"


def current_lang() -> str:
    return str(get_locale() or "vi")


def in_lang(vi: str, en: str) -> str:
    """A message built in code, in the request's language (an API client's
    ``Accept-Language``)."""
    return en if current_lang() == "en" else vi


@bp.route("/lang", methods=["POST"])
def switch() -> ResponseReturnValue:
    lang = request.form.get("lang", "vi")
    session["lang"] = lang if lang in LANGUAGES else "vi"
    return redirect(safe_next(request.form.get("next")))


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "vi")
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)

    @app.context_processor
    def language() -> dict[str, Any]:
        return {"lang": current_lang(), "languages": LANGUAGES}
