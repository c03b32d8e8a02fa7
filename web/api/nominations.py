"""API operations on nominations: list and create, read and correct one, its rules checklist,
its events, and the inbox."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from web.api import schemas as s
from web.api.auth import SECURITY, actor, reader, token_required
from web.api.blueprint import IdempotencyHeaderSchema, as_dumped, blp, documented, today
from web.extensions import db
from web.i18n import current_lang
from workflow import checks, events, nominating, queries, service
from workflow.errors import NotFound
from workflow.models import Nomination
from workflow.vocabulary import State


def nomination_json(n: Any) -> dict[str, Any]:
    """A nomination as the API answers it, from a ``queries.NominationRow`` (one or a list's),
    already in the form ``NominationSchema`` dumps (``tests/test_api_payloads.py`` holds it):
    dumping it a second time was a seventh of an inbox request."""
    return {
        "id": n.id,
        "state": n.state,
        "state_label": State(n.state).label(current_lang()),
        "version": n.version,
        "campaign": n.campaign_code,
        "award_type": n.award_type_code,
        "nominee": {"kind": n.nominee_kind, "name": n.nominee_name, **(n.nominee or {})},
        "facts": n.facts or {},
        "achievements": n.achievements or "",
        "origin_unit": n.origin_unit_code,
        "current_unit": n.current_unit_code,
        "route": n.route_codes,
        "vote": n.vote,
        "notice_ends_on": n.notice_ends_on.isoformat() if n.notice_ends_on else None,
        "decision_id": n.decision_id,
        "rule_set_version": n.rule_set_version,
        "created_at": n.created_at.isoformat(),
        "updated_at": n.updated_at.isoformat(),
    }


def page_json(page: queries.Page[Any]) -> dict[str, Any]:
    return {"items": [nomination_json(r) for r in page.items], "next_cursor": page.next_cursor}


def shown(nomination_id: int, status: int = 200) -> Response:
    """The nomination as the actor may see it, or 404."""
    row = queries.visible_row(db.session, reader(), nomination_id, today())
    if row is None:
        raise _not_found(nomination_id)
    return as_dumped(nomination_json(row), status)


def _not_found(nomination_id: int) -> NotFound:
    return NotFound(
        f"Không tìm thấy hồ sơ số {nomination_id}.", f"Nomination {nomination_id} not found."
    )


def visible(nomination_id: int) -> Nomination:
    n = queries.visible_nomination(db.session, actor(), nomination_id, today())
    if n is None:
        raise _not_found(nomination_id)
    return n


@blp.route("/nominations")
class Nominations(MethodView):
    decorators = (token_required,)

    @blp.arguments(s.ListArgsSchema, location="query")
    @blp.response(200, s.NominationPageSchema)
    @documented(400, 401, 422)
    @blp.doc(security=SECURITY)
    def get(self, args: dict[str, Any]) -> Any:
        page = queries.list_nominations(db.session, reader(), today(), rows=True, **args)
        return as_dumped(page_json(page))

    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.arguments(s.NominationInSchema)
    @blp.response(201, s.NominationSchema)
    @documented(400, 401, 403, 404, 422)
    @blp.doc(security=SECURITY)
    def post(self, headers: dict[str, Any], body: dict[str, Any]) -> Any:
        """Create a draft. Retrying with the same ``Idempotency-Key`` creates nothing more and
        returns the nomination the first request created."""
        nominee = {k: v for k, v in body["nominee"].items() if k not in ("kind", "name") and v}
        outcome = nominating.create_nomination(
            db.session,
            actor(),
            campaign=body["campaign"],
            award_type=body["award_type"],
            nominee_kind=body["nominee"]["kind"],
            nominee_name=body["nominee"]["name"],
            nominee=nominee,
            facts=body["facts"],
            achievements=body["achievements"],
            unit_code=body["unit"],
            idempotency_key=headers.get("key"),
        )
        return shown(outcome.id, 201)


class IfMatchSchema(s.Schema):
    class Meta:
        unknown = "exclude"

    if_match = s.fields.String(
        required=True, data_key="If-Match", validate=s.validate.Regexp(r'^"?[0-9]{1,9}"?$')
    )


@blp.route("/nominations/<id:nomination_id>")
class NominationItem(MethodView):
    decorators = (token_required,)

    @blp.response(200, s.NominationSchema)
    @documented(401, 404)
    @blp.doc(security=SECURITY)
    def get(self, nomination_id: int) -> Any:
        return shown(nomination_id)

    @blp.arguments(IfMatchSchema, location="headers")
    @blp.arguments(s.NominationPatchSchema)
    @blp.response(200, s.NominationSchema)
    @documented(400, 401, 403, 404, 409, 422)
    @blp.doc(security=SECURITY)
    def patch(self, headers: dict[str, Any], body: dict[str, Any], nomination_id: int) -> Any:
        """Correct a draft or returned nomination; ``If-Match`` carries the version you saw."""
        changes: dict[str, Any] = {}
        if "nominee" in body:
            nominee = body["nominee"]
            changes["nominee_name"] = nominee["name"]
            changes["nominee"] = {
                k: v for k, v in nominee.items() if k not in ("kind", "name") and v
            }
        for field in ("facts", "achievements"):
            if field in body:
                changes[field] = body[field]
        nominating.update_nomination(
            db.session,
            nomination_id,
            actor(),
            expected_version=int(headers["if_match"].strip('"')),
            changes=changes,
        )
        return shown(nomination_id)


@blp.route("/nominations/<id:nomination_id>/checks")
@blp.response(200, s.ChecksSchema)
@documented(401, 404)
@blp.doc(security=SECURITY)
@token_required
def nomination_checks(nomination_id: int) -> Any:
    return checks.report(db.session, visible(nomination_id), today()).as_dict()


@blp.route("/nominations/<id:nomination_id>/events", methods=["POST"])
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.arguments(s.EventInSchema)
@blp.response(200, s.OutcomeSchema)
@documented(400, 401, 403, 404, 409, 422)
@blp.doc(security=SECURITY)
@token_required
def fire_event(headers: dict[str, Any], body: dict[str, Any], nomination_id: int) -> Any:
    """Fire a workflow event. Retrying with the same ``Idempotency-Key`` returns the first answer."""
    data = {k: body[k] for k in events.data_fields() if body.get(k) is not None}
    return service.fire(
        db.session,
        nomination_id,
        body["event"],
        actor(),
        expected_version=body["version"],
        comment=body["comment"],
        idempotency_key=headers.get("key"),
        **data,
    ).as_dict()


@blp.route("/inbox")
@blp.arguments(s.InboxArgsSchema, location="query")
@blp.response(200, s.NominationPageSchema)
@documented(400, 401, 422)
@blp.doc(security=SECURITY)
@token_required
def inbox(args: dict[str, Any]) -> Any:
    page = queries.inbox(db.session, reader(), today(), rows=True, **args)
    return as_dumped(page_json(page))
