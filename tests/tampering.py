"""Acting behind the application's back, as someone with direct database access would."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text


def tamper(engine: Engine, sql: str, **params: Any) -> None:
    """Run ``sql`` with the append-only guard out of the way (drop it / replica mode)."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        else:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(sql), params)
