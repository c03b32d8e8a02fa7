"""The user's own notifications (the in-app list; emails go through the outbox)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from web.auth import me
from web.extensions import db
from workflow import notify
from workflow.clock import utcnow

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread() -> dict[str, Any]:
    if not current_user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": notify.unread_count(db.session, me())}


@bp.route("/notifications")
@login_required
def page() -> ResponseReturnValue:
    items = notify.recent(db.session, me(), limit=100)
    return render_template("notifications.html", items=items)


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_read() -> ResponseReturnValue:
    """Mark one notification read (``id``), or all of the user's own."""
    one = request.form.get("id")
    if one is not None and not (one.isascii() and one.isdigit() and len(one) < 12):
        abort(400)
    ids = None if one is None else [int(one)]
    notify.mark_read(db.session, me(), utcnow(), ids)
    return redirect(url_for("notifications.page"))
