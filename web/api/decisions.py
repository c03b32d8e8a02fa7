"""API operations on decisions: sign one, read one, and its signed document."""

from __future__ import annotations

from typing import Any

from web.api import schemas as s
from web.api.auth import SECURITY, actor, token_required
from web.api.blueprint import blp, documented, today
from web.downloads import document_file
from web.extensions import db
from workflow import decisions, documents, signing
from workflow.documents import decision as decision_documents
from workflow.models import Decision


def decision_json(d: Decision) -> dict[str, Any]:
    return {
        "id": d.id,
        "number": d.number,
        "unit": d.unit.code,
        "signed_on": d.signed_on,
        "signer": d.signer.username,
        "nominations": sorted(n.id for n in d.nominations),
    }


@blp.route("/decisions", methods=["POST"])
@blp.arguments(s.DecisionInSchema)
@blp.response(201, s.DecisionSchema)
@documented(400, 401, 403, 404, 409, 422)
@blp.doc(security=SECURITY)
@token_required
def sign_decision(body: dict[str, Any]) -> Any:
    decision = signing.sign_decision(
        db.session, actor(), nomination_ids=body["nomination_ids"], signed_on=body["signed_on"]
    )
    return decision_json(decision)


@blp.route("/decisions/<id:decision_id>")
@blp.response(200, s.DecisionSchema)
@documented(401, 404)
@blp.doc(security=SECURITY)
@token_required
def get_decision(decision_id: int) -> Any:
    return decision_json(decisions.visible_decision(db.session, actor(), decision_id, today()))


_FILE = {"schema": {"type": "string", "format": "binary"}}


@blp.route("/decisions/<id:decision_id>/document")
@blp.arguments(s.DocumentArgsSchema, location="query")
@documented(400, 401, 404, 422)
@blp.doc(
    security=SECURITY,
    responses={
        "200": {
            "description": "The decision with its attached list (Decree 30/2020/NĐ-CP format); "
            "Content-Disposition names the file.",
            "content": {media_type: _FILE for media_type, _ in documents.FORMATS.values()},
        }
    },
)
@token_required
def decision_document(args: dict[str, Any], decision_id: int) -> Any:
    """The signed decision as a Word file or PDF, for the decider, the council or an auditor
    of the issuing unit (anyone else: 404)."""
    document = decision_documents.decision_document(db.session, actor(), decision_id, today())
    return document_file(document, args["format"])
