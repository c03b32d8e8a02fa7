"""A human-readable API reference rendered on the server from the live OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

bp = Blueprint("api_docs", __name__)


@bp.route("/api/v1/docs")
def reference() -> ResponseReturnValue:
    from web.api import api

    spec: dict[str, Any] = api.spec.to_dict()
    operations = [
        {"method": method.upper(), "path": path, **op}
        for path, item in sorted(spec["paths"].items())
        for method, op in item.items()
        if method in ("get", "post", "patch", "put", "delete")
    ]
    return render_template("api_docs.html", spec=spec, operations=operations)
