"""Configuration from the environment; secrets never live in the code."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Any

from workflow.clock import start_clock

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def instance_path() -> Path:
    return Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance")).resolve()


def database_url(instance: Path) -> str:
    """``DATABASE_URL`` if set (``postgres://`` normalised), else a SQLite file in ``instance/``."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance / 'khenthuong.sqlite3'}"
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def secret_key(instance: Path) -> str:
    """``SECRET_KEY`` if set; otherwise one generated once and kept in ``instance/``.

    Every worker on the host reads the same file, so sessions survive restarts. Hosts
    behind one load balancer must share ``SECRET_KEY`` through the environment.
    """
    return kept_secret(instance, "SECRET_KEY", "secret_key")


def data_key(instance: Path) -> str:
    """The key personal data is sealed with (``DATA_KEY``, else kept in ``instance/``):
    apart from the session key, so rotating that one never makes data unreadable. Back it
    up with the database; hosts share it through the environment."""
    return kept_secret(instance, "DATA_KEY", "data_key")


def kept_secret(instance: Path, variable: str, file_name: str) -> str:
    """The variable if set; otherwise a secret generated once and kept in ``instance/``."""
    from_env = os.environ.get(variable)
    if from_env:
        return from_env
    key_file = instance / file_name
    if not key_file.exists():
        # Write aside, then link into place: concurrent workers all end up with one key.
        tmp = instance / f".{file_name}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, secrets.token_hex(32).encode())
        finally:
            os.close(fd)
        try:
            with contextlib.suppress(FileExistsError):  # another worker was first: use its key
                os.link(tmp, key_file)
        finally:
            tmp.unlink()
    return key_file.read_text().strip()


def from_environment() -> dict[str, Any]:
    start_clock()  # KHENTHUONG_NOW: a bad value stops the app here, not at its first request
    instance = instance_path()
    instance.mkdir(parents=True, exist_ok=True)
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(instance),
        "SECRET_KEY": secret_key(instance),
        "DATA_KEY": data_key(instance),
        "SESSION_COOKIE_HTTPONLY": True,
        # A form's token lives as long as the session it belongs to: a form left open over
        # lunch is still sent (sessions end on logout, password change or deactivation).
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": 11 * 1024 * 1024,  # a 10 MB dossier file and its form
        "AUDIT_ANCHOR_KEY": os.environ.get("AUDIT_ANCHOR_KEY"),
        # Reverse proxies in front (load balancer): trust that many X-Forwarded-For/-Proto hops,
        # so login throttling counts the client's address and HSTS sees HTTPS.
        "PROXY_HOPS": int(os.environ.get("PROXY_HOPS", "0") or 0),
    }
