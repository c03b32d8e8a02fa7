"""API: the award statistics of a unit's subtree for a year, with the year before."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from web.api import schemas as s
from web.api.auth import SECURITY, actor, token_required
from web.api.blueprint import blp, documented, today
from web.extensions import db
from workflow import statistics
from workflow.accounts import unit_by_code


@blp.route("/statistics")
@blp.arguments(s.StatisticsArgsSchema, location="query")
@blp.response(200, s.StatisticsSchema)
@documented(400, 401, 404, 422)
@blp.doc(security=SECURITY)
@token_required
def get_statistics(args: dict[str, Any]) -> Any:
    """The same figures as the statistics page and its Excel."""
    root = unit_by_code(db.session, args["unit"])
    stats = statistics.award_statistics(
        db.session, actor(), today(), root, args["year"],
        campaign_code=args["campaign"], award_code=args["award"],
    )  # fmt: skip
    codes = {uid: u.code for uid, u in stats.children.items()}

    def figures(year: statistics.YearFigures) -> dict[str, Any]:
        plain = asdict(year)
        plain["by_unit"] = {codes[uid]: t for uid, t in plain["by_unit"].items()}
        return plain

    return {"unit": root.code, "this_year": figures(stats.this_year),
            "last_year": figures(stats.last_year)}  # fmt: skip
