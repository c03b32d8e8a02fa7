"""Award statistics for a unit's subtree and a year, against the year before: tables with
server-drawn bars beside them, drill-down to the units below and to the list, Excel."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from web import forms
from web.auth import me, today
from web.downloads import file_response
from web.extensions import db
from web.i18n import current_lang
from workflow import queries, statistics
from workflow.accounts import unit_by_code
from workflow.clock import campaign_year
from workflow.errors import WorkflowError
from workflow.exports import statistics_workbook
from workflow.spreadsheets import XLSX
from workflow.vocabulary import Level, NomineeKind

bp = Blueprint("statistics", __name__)


def _figures() -> statistics.Statistics:
    roots = statistics.roots_of(me(), today())
    if not roots:
        abort(404)
    code = request.args.get("unit") or roots[0].code
    year = forms.year_asked(request.args) or campaign_year(today())
    try:
        root = unit_by_code(db.session, code)
        return statistics.award_statistics(
            db.session, me(), today(), root, year,
            campaign_code=request.args.get("campaign") or None,
            award_code=request.args.get("award") or None,
        )  # fmt: skip
    except WorkflowError:
        abort(404)


@bp.route("/statistics")
@login_required
def page() -> ResponseReturnValue:
    stats = _figures()
    choices = queries.filter_choices(db.session, me(), today())
    lang = current_lang()
    this, last = stats.this_year, stats.last_year
    units = {uid: u.name for uid, u in stats.children.items()}
    sections = [
        (_("Theo hình thức khen thưởng"), breakdown(this.by_award, last.by_award, {})),
        (_("Theo cấp quyết định"), breakdown(
            this.by_level, last.by_level, {lvl.value: lvl.label(lang) for lvl in Level})),
        (_("Theo đối tượng"), breakdown(
            this.by_kind, last.by_kind, {k.value: k.label(lang) for k in NomineeKind})),
        (_("Theo đơn vị trực thuộc"), breakdown(this.by_unit, last.by_unit, units)),
    ]  # fmt: skip
    codes = {u.name: u.code for u in stats.children.values()}
    return render_template(
        "statistics.html",
        stats=stats,
        sections=sections,
        unit_codes=codes,
        roots=statistics.roots_of(me(), today()),
        campaigns=choices.campaigns,
        awards=choices.awards,
        args=request.args,
        years=sorted({*queries.campaign_years(db.session, today()), this.year}, reverse=True),
        plain=str,
    )


@bp.route("/statistics.xlsx")
@login_required
def workbook() -> ResponseReturnValue:
    stats = _figures()
    return file_response(
        statistics_workbook(stats, current_lang()),
        XLSX,
        _(
            "Thống kê khen thưởng %(unit)s năm %(year)s",
            unit=stats.root.name,
            year=stats.this_year.year,
        ),
        "xlsx",
    )


def breakdown(
    now: dict[Any, statistics.Tally], before: dict[Any, statistics.Tally], names: dict[Any, str]
) -> list[tuple[str, int, int, int]]:
    """A breakdown as the bars and the table beside them show it: (name, count, money, count
    the year before), largest first."""
    found = [
        (names.get(k, str(k)), now[k].count if k in now else 0, now[k].money if k in now else 0,
         before[k].count if k in before else 0)
        for k in dict.fromkeys([*now, *before])
    ]  # fmt: skip
    return sorted(found, key=lambda r: -r[1])


@bp.app_template_filter("percent")
def percent(value: float | None) -> str:
    """'33,3%' in Vietnamese, '33.3%' in English; a dash when there is nothing to divide."""
    if value is None:
        return "—"
    text = f"{value:.1f}%"
    return text.replace(".", ",") if current_lang() == "vi" else text
