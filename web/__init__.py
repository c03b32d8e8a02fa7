"""The Flask application: authentication, input parsing and rendering over the domain."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from rules.registry import RULES
from web.config import PROJECT_ROOT, from_environment, instance_path
from web.converters import IdConverter
from web.extensions import csrf, db, login_manager, migrate
from workflow import deadlines, events, machine, personal
from workflow.db import configure, engine_options
from workflow.vocabulary import Level, Role, State, UnitChange


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(instance_path()))
    app.url_map.converters["id"] = IdConverter  # <id:nomination_id> on every page and API path
    app.config.from_mapping(from_environment())
    if test_config:
        app.config.update(test_config)
    # JSON columns read fast (workflow.db.engine_options says why).
    options = engine_options()
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options | app.config.get(
        "SQLALCHEMY_ENGINE_OPTIONS", {}
    )

    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    personal.configure(app.config["DATA_KEY"])
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(PROJECT_ROOT / "migrations"), compare_type=True, render_as_batch=True
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        # SQLite's locking; after a PostgreSQL restart an idle worker reconnects instead of
        # answering its next request with a 500 (workflow.db.configure).
        configure(db.engine)

    from web import (
        admin,
        api,
        audit,
        auth,
        cli,
        council,
        dashboard,
        decisions,
        documents,
        errors,
        help,
        i18n,
        input_guard,
        lists,
        nominations,
        notifications,
        reads,
        registry,
        reports,
        statistics,
        unit_admin,
    )

    auth.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    input_guard.init_app(app)  # before any view: control characters, JSON depth and size
    reads.init_app(app)  # before anything reads: a GET runs read-only
    app.register_blueprint(auth.bp)
    app.register_blueprint(nominations.bp)
    app.register_blueprint(decisions.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(help.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(lists.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(council.bp)
    app.register_blueprint(registry.bp)
    app.register_blueprint(statistics.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(unit_admin.bp)
    cli.init_app(app)
    api.init_app(app)
    app.jinja_env.globals.update(
        state_label=_state_label,
        event_label=_event_label,
        level_label=_level_label,
        role_label=_role_label,
        unit_change_label=_unit_change_label,
        rule_label=_rule_label,
        ends_it=machine.ends_it,
        deadline_flag=deadlines.flag,
    )
    app.jinja_env.filters["state_vi"] = _state_label
    return app


def _level_label(code: str) -> str:
    from web.i18n import current_lang

    return Level(code).label(current_lang())


def _role_label(code: str) -> str:
    from web.i18n import current_lang

    return Role(code).label(current_lang())


def _unit_change_label(code: str) -> str:
    from web.i18n import current_lang

    return UnitChange(code).label(current_lang())


def _rule_label(code: str) -> str:
    """A rule as the checklist names it: its title in the reader's language."""
    from web.i18n import current_lang

    rule = RULES.get(code)
    if rule is None:
        return code
    return rule.title_en if current_lang() == "en" else rule.title


def _state_label(code: str | None) -> str:
    from web.i18n import current_lang

    if not code:
        return ""
    return State(code).label(current_lang()) if code in {s.value for s in State} else code


def _event_label(code: str) -> str:
    from web.i18n import current_lang

    return events.label(code, current_lang())
