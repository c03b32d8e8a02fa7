"""The dashboard: counts by state and tier, what is overdue or due soon, the median wait at
each tier, and each campaign's results to download."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web.auth import me, today
from web.extensions import db
from workflow import deadlines, queries, reports
from workflow.campaigns import offering_awards

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@login_required
def dashboard() -> ResponseReturnValue:
    """Counts by state and tier and the median wait at each tier, as server-drawn bars."""
    board = queries.dashboard(db.session, me(), today())
    campaigns = offering_awards(db.session)
    return render_template(
        "dashboard.html",
        board=board,
        campaigns=campaigns,
        reporting=reports.reporting(db.session, me(), campaigns, today()),
        due_soon_days=deadlines.DUE_SOON,
    )
