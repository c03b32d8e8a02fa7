"""Read-only pages over the domain: the nominations a user may see, and one's trail."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from web.extensions import db
from workflow import queries
from workflow.clock import utcnow, vn_date
from workflow.errors import NotFound

bp = Blueprint("nominations", __name__)


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    rows = queries.visible_nominations(db.session, current_user.user, vn_date(utcnow()))
    return render_template("index.html", rows=rows)


@bp.route("/nominations/<int(min=1, max=2147483647):nomination_id>")
@login_required
def detail(nomination_id: int) -> ResponseReturnValue:
    try:
        view = queries.nomination_view(
            db.session, current_user.user, nomination_id, vn_date(utcnow())
        )
    except NotFound:
        abort(404)
    return render_template("detail.html", n=view)
