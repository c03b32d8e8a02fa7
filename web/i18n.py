"""Languages: Vietnamese first, English second, chosen per session (Flask-Babel)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
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


def compile_catalogues(folder: Path) -> list[Path]:
    """Compile each ``messages.po`` under ``folder`` whose ``.mo`` is missing or older (what
    ``make install`` does): an app installed another way would otherwise show English
    readers most of its pages in Vietnamese, and say nothing. Returns what it compiled."""
    compiled = []
    for po in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalogue = read_po(source)
        partial = mo.with_name(f"{mo.name}.{os.getpid()}")  # workers starting together
        with partial.open("wb") as target:
            write_mo(target, catalogue)
        partial.replace(mo)  # whole or not at all, for a worker reading it meanwhile
        compiled.append(mo)
    return compiled


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "vi")
    try:
        compile_catalogues(Path(app.root_path) / "translations")
    except OSError as err:  # a read-only install: its packager compiles them
        app.logger.warning("translations not compiled: %s", err)
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)

    @app.context_processor
    def language() -> dict[str, Any]:
        return {"lang": current_lang(), "languages": LANGUAGES}
