"""URL converters shared by every page and API path."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from workflow.models import MAX_ID


class IdConverter(IntegerConverter):
    """``<id:name>``: a row's key, a positive 32-bit integer. Anything else (0, a sign, a
    number the database cannot hold) matches no route, a 404 before any view or query runs.
    The OpenAPI document shows it as an integer from 1 to ``MAX_ID`` (flask-smorest reads
    an ``IntegerConverter``'s bounds)."""

    # ASCII digits only: werkzeug's "\d+" takes "１" (full width) for 1, one row's two addresses.
    regex = r"[0-9]+"

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)
