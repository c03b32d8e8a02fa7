"""API operations on campaigns: list, import (the same definition as the YAML files), read."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from sqlalchemy import select

from web.api import schemas as s
from web.api.auth import SECURITY, actor, token_required
from web.api.blueprint import blp, documented
from web.extensions import db
from workflow import campaigns
from workflow.errors import InvalidInput, NotFound
from workflow.models import Campaign


@blp.route("/campaigns")
class Campaigns(MethodView):
    decorators = (token_required,)

    @blp.response(200, s.CampaignSummarySchema(many=True))
    @documented(401)
    @blp.doc(security=SECURITY)
    def get(self) -> Any:
        return db.session.scalars(
            select(Campaign).order_by(Campaign.year.desc(), Campaign.code)
        ).all()

    @blp.response(201, s.CampaignSchema)
    @documented(400, 401, 403, 422)
    @blp.doc(
        security=SECURITY,
        requestBody={
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "A campaign definition: components/schemas/CampaignDefinition"
                        " and docs/campaigns.md; validated against that schema on the server.",
                    }
                }
            },
        },
    )
    def post(self) -> Any:
        """Import a campaign definition: the same schema as the YAML files."""
        raw = request.get_json(silent=True)
        if raw is None:
            raise InvalidInput("Nội dung phải là JSON.", "The body must be JSON.", {"body": "json"})
        return campaigns.import_definition(db.session, raw, "request", actor())


@blp.route("/campaigns/<string:code>")
@blp.response(200, s.CampaignSchema)
@documented(401, 404)
@blp.doc(security=SECURITY)
@token_required
def get_campaign(code: str) -> Any:
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None:
        raise NotFound(f"Không có đợt thi đua '{code}'.", f"No campaign '{code}'.")
    return campaign
