"""The JSON API: flask-smorest builds the OpenAPI document from the marshmallow schemas."""

from __future__ import annotations

import importlib
from typing import Any

from flask import Flask, Response, request
from flask_smorest import Api

from web.api.schemas import ErrorSchema, event_table_properties
from web.extensions import csrf


class JsonApi(Api):  # type: ignore[misc]
    """Errors are rendered by web/errors.py for the whole app, in the API's own envelope."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        return None


api = JsonApi()
# The modules holding the operations, in the order the OpenAPI document lists them.
RESOURCES = (
    "accounts",
    "campaigns",
    "nominations",
    "audit",
    "decisions",
    "notifications",
    "imports",
    "members",
    "statistics",
)


def init_app(app: Flask) -> None:
    settings: dict[str, Any] = {
        "API_TITLE": "Khen thưởng Công đoàn API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "info": {
                "description": "Award nominations of the Vietnamese trade union. "
                'Errors are always {"error": {code, message, details}}. Messages and labels '
                "are Vietnamese unless the request's Accept-Language prefers English (en)."
            },
        },
    }
    for key, value in settings.items():
        app.config.setdefault(key, value)
    api.init_app(app)
    api.ma_plugin.converter.add_attribute_function(event_table_properties)
    for resource in RESOURCES:  # each adds its operations to the one blueprint
        importlib.import_module(f"web.api.{resource}")
    from web.api import docs
    from web.api.blueprint import blp
    from workflow.campaign_schema import CampaignSchema

    if "CampaignDefinition" not in api.spec.components.schemas:
        api.spec.components.schema("CampaignDefinition", schema=CampaignSchema)

    api.register_blueprint(blp)
    csrf.exempt(blp)  # token-authenticated, no cookies: CSRF does not apply

    @app.after_request
    def vary_by_language(response: Response) -> Response:
        """An API answer depends on Accept-Language: a shared cache must not mix languages."""
        if request.path.startswith("/api/"):
            response.vary.add("Accept-Language")
        return response

    app.register_blueprint(docs.bp)
