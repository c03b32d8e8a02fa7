"""A logged-in browser-like client over Flask's test client (forms carry CSRF tokens)."""

from __future__ import annotations

import re
import time
from typing import Any

from tests.factories import PASSWORD


class WebClient:
    def __init__(self, app: Any, username: str) -> None:
        self.client = app.test_client()
        self.token = self._token("/login")
        response = self.client.post(
            "/login", data={"username": username, "password": PASSWORD, "csrf_token": self.token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        self.token = self._token("/")

    def _token(self, path: str) -> str:
        page = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match, path
        return match.group(1)

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def post(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})})

    def text(self, path: str) -> str:
        return self.get(path).get_data(as_text=True)

    def act(self, nid: int, event: str, **fields: Any) -> Any:
        page = self.text(f"/nominations/{nid}")
        version = re.search(r'name="version" value="(\d+)"', page)
        assert version, page[:2000]
        return self.post(
            f"/nominations/{nid}/events", {"event": event, "version": version.group(1), **fields}
        )

    def verify_trail(self, timeout: float = 60.0) -> str:
        """Start a verification of the trail and wait for its result; the audit page then."""
        assert self.post("/audit/verify").status_code == 302
        deadline = time.monotonic() + timeout
        while True:
            page = self.text("/audit")
            if 'http-equiv="refresh"' not in page or time.monotonic() > deadline:
                return page
            time.sleep(0.05)
