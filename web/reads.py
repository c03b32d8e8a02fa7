"""Requests that only read (``GET``, ``HEAD``) run read-only, the pages' and the API's alike:
on PostgreSQL without ``BEGIN`` and ``ROLLBACK``, on SQLite without the write lock every other
transaction takes, so a page or an API read never waits for an import or an approval to
commit. Anything that would write in them is refused (``workflow.transaction``)."""

from __future__ import annotations

from flask import Flask, request

from web.extensions import db
from workflow.transaction import begin_reading, stop_reading

READS = frozenset({"GET", "HEAD"})
# Reads that write: personal data leaving the system is a link in the trail (Decree 13/2023).
RECORDED_READS = frozenset(
    {
        "api.Members",
        "api.Registrations",
        "api.get_member",
        "registry.member_export",
        "registry.member_record",
        "registry.registrations_file",
    }
)


def init_app(app: Flask) -> None:
    # Before every other hook that reads (the signed-in user's, the token's).
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.teardown_request(_stop)


def _only_reads() -> bool:
    return (
        request.method in READS
        and request.endpoint not in RECORDED_READS
        and request.endpoint != "static"
    )


def _begin() -> None:
    if _only_reads():
        begin_reading(db.session())


def _stop(_error: BaseException | None) -> None:
    if _only_reads():
        stop_reading(db.session())
