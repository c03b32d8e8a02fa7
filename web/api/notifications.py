"""API operations on the caller's own notifications."""

from __future__ import annotations

from typing import Any

from web.api import schemas as s
from web.api.auth import SECURITY, actor, token_required
from web.api.blueprint import blp, documented
from web.extensions import db
from web.i18n import current_lang
from workflow import notify
from workflow.clock import utcnow


@blp.route("/notifications")
@blp.response(200, s.NotificationSchema(many=True))
@documented(401)
@blp.doc(security=SECURITY)
@token_required
def list_notifications() -> Any:
    """The caller's own notifications, unread first (the last 100), in the language the
    client prefers (``Accept-Language``)."""
    lang = current_lang()
    return [
        {
            "id": n.id,
            "kind": n.kind,
            "subject": n.subject_in(lang),
            "body": n.body_in(lang),
            "nomination_id": n.nomination_id,
            "created_at": n.created_at,
            "read_at": n.read_at,
        }
        for n in notify.recent(db.session, actor(), limit=100)
    ]


@blp.route("/notifications/read", methods=["POST"])
@blp.arguments(s.NotificationsReadSchema)
@blp.response(200, s.MarkedSchema)
@documented(400, 401, 422)
@blp.doc(security=SECURITY)
@token_required
def read_notifications(body: dict[str, Any]) -> Any:
    return {"marked": notify.mark_read(db.session, actor(), utcnow(), body["ids"])}
