"""The dashboard: counts by state and tier, what is overdue or due soon, the median wait at
each tier, and each campaign's results to download."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web import forms
from web.auth import me, today
from web.extensions import db
from workflow import deadlines, queries, reports
from workflow.campaigns import offering_awards

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@login_required
def dashboard() -> ResponseReturnValue:
    """Counts by state and tier and the median wait at each tier, as server-drawn bars: of
    every year, or of one year's campaigns (``?year=``)."""
    year = forms.year_asked(request.args)
    board = queries.dashboard(db.session, me(), today(), year=year)
    campaigns = offering_awards(db.session, year=year)
    years = queries.campaign_years(db.session, today())
    return render_template(
        "dashboard.html",
        board=board,
        year=year,
        years=sorted({*years, year}, reverse=True) if year else years,
        campaigns=campaigns,
        reporting=reports.reporting(db.session, me(), campaigns, today()),
        due_soon_days=deadlines.DUE_SOON,
    )
