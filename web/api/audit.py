"""API operations of the audit trail: one nomination's trail, and verifying the chain."""

from __future__ import annotations

from typing import Any

from web.api import schemas as s
from web.api.auth import SECURITY, actor, token_required
from web.api.blueprint import blp, documented, today
from web.api.nominations import visible
from web.extensions import db
from workflow import accounts, audit
from workflow.vocabulary import Role


@blp.route("/nominations/<id:nomination_id>/trail")
@blp.response(200, s.TrailEntrySchema(many=True))
@documented(401, 404)
@blp.doc(security=SECURITY)
@token_required
def trail(nomination_id: int) -> Any:
    visible(nomination_id)
    return audit.trail(db.session, nomination_id)


@blp.route("/audit/verify")
@blp.response(200, s.VerifySchema)
@documented(401, 403)
@blp.doc(security=SECURITY)
@token_required
def verify() -> Any:
    accounts.require_role(actor(), {Role.AUDITOR, Role.ADMIN}, today())
    return audit.verify(db.session).as_dict()
