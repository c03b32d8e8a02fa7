"""A small JSON client over Flask's test client, authenticated by bearer token."""

from __future__ import annotations

import time
from typing import Any

from tests.factories import PASSWORD


class ApiClient:
    def __init__(self, client: Any, username: str | None = None) -> None:
        self.client = client
        self.headers: dict[str, str] = {}
        if username:
            self.login(username)

    def login(self, username: str, password: str = PASSWORD) -> Any:
        response = self.client.post(
            "/api/v1/tokens", json={"username": username, "password": password}
        )
        if response.status_code == 201:
            self.headers = {"Authorization": f"Bearer {response.json['token']}"}
        return response

    def call(self, method: str, path: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.call("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.call("PUT", path, **kw)

    def event(self, nid: int, event: str, **kw: Any) -> Any:
        version = self.get(f"/nominations/{nid}").json["version"]
        headers = kw.pop("headers", {})
        return self.post(
            f"/nominations/{nid}/events",
            json={"event": event, "version": version, **kw},
            headers=headers,
        )

    def verify_trail(self, timeout: float = 60.0) -> dict[str, Any]:
        """Start a verification of the trail and wait for its result."""
        assert self.post("/audit/verify").status_code == 202
        deadline = time.monotonic() + timeout
        while True:
            shown = self.get("/audit/verify").json
            if shown["status"] != "running" or time.monotonic() > deadline:
                return shown
            time.sleep(0.05)
