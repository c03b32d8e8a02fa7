"""API operations of the audit trail: one nomination's trail, and verifying the chain."""

from __future__ import annotations

from typing import Any

from flask import current_app

from web import background
from web.api import schemas as s
from web.api.auth import SECURITY, actor, token_required
from web.api.blueprint import blp, documented, today
from web.api.nominations import visible
from web.extensions import db
from workflow import accounts, audit, verification
from workflow.models import Verification
from workflow.vocabulary import Role


@blp.route("/nominations/<id:nomination_id>/trail")
@blp.response(200, s.TrailEntrySchema(many=True))
@documented(401, 404)
@blp.doc(security=SECURITY)
@token_required
def trail(nomination_id: int) -> Any:
    visible(nomination_id)
    return audit.trail(db.session, nomination_id)


def _shown(run: Verification | None) -> dict[str, Any]:
    if run is None:
        return {"status": "never"}
    fields = ("ok", "checked", "total", "first_bad_seq", "head_seq", "head_hash", "problems",
              "started_at", "started_by", "finished_at", "error")  # fmt: skip
    return {"status": verification.status(run)} | {name: getattr(run, name) for name in fields}


@blp.route("/audit/verify", methods=["GET"])
@blp.response(200, s.VerifySchema)
@documented(401, 403)
@blp.doc(security=SECURITY)
@token_required
def verify() -> Any:
    """The last verification of the whole trail (a run is started by POST: it takes seconds
    over a large chain and never runs inside a request)."""
    accounts.require_role(actor(), {Role.AUDITOR, Role.ADMIN}, today())
    return _shown(verification.latest(db.session))


@blp.route("/audit/verify", methods=["POST"])
@blp.response(202, s.VerifySchema)
@documented(401, 403)
@blp.doc(security=SECURITY)
@token_required
def start_verification() -> Any:
    """Start a verification in the background (or answer with the one running)."""
    run, new = verification.start(db.session, actor())
    if new:
        background.verify(current_app._get_current_object(), run.id)  # type: ignore[attr-defined]
    return _shown(run)
