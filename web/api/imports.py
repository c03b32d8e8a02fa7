"""API operations on list imports: check a list, read the check, confirm it once."""

from __future__ import annotations

from typing import Any

from web import forms
from web.api import schemas as s
from web.api.auth import SECURITY, actor, token_required
from web.api.blueprint import IdempotencyHeaderSchema, blp, documented
from web.extensions import db
from workflow import import_sheets, imports
from workflow.models import ImportBatch


def import_json(batch: ImportBatch) -> dict[str, Any]:
    counts = imports.counts(batch)
    return {
        "id": batch.id,
        "status": batch.status,
        "campaign": batch.campaign.code,
        "unit": batch.unit.code,
        "filename": batch.filename,
        "valid": counts.valid,
        "invalid": counts.invalid,
        "duplicate": counts.duplicate,
        "created": batch.created_count,
        "rows": [
            {
                "row": r["row"],
                "status": r["status"],
                "nominee_name": r["values"].get("nominee_name"),
                "award_type": r["values"].get("award_type"),
                "errors": {
                    name: {
                        "code": problem[0],
                        "message": import_sheets.message(problem),
                        "message_en": import_sheets.message(problem, "en"),
                    }
                    for name, problem in r["errors"].items()
                },
            }
            for r in batch.rows["rows"]
        ],
    }


@blp.route("/imports", methods=["POST"])
@blp.arguments(s.ImportArgsSchema, location="query")
@blp.arguments(s.ImportFileSchema, location="files")
@blp.response(201, s.ImportBatchSchema)
@documented(400, 401, 403, 404, 422)
@blp.doc(security=SECURITY)
@token_required
def upload_import(args: dict[str, Any], files: dict[str, Any]) -> Any:
    """Check a list (.xlsx, multipart field ``file``) row by row; nothing is created until it
    is confirmed. The campaign and unit are query arguments (``?campaign=…``)."""
    content, filename = forms.read_upload(files["file"], import_sheets.MAX_BYTES)
    batch = imports.preview(
        db.session,
        actor(),
        campaign=args["campaign"],
        content=content,
        filename=filename,
        unit_code=args["unit"],
    )
    return import_json(batch)


@blp.route("/imports/<id:batch_id>")
@blp.response(200, s.ImportBatchSchema)
@documented(401, 404)
@blp.doc(security=SECURITY)
@token_required
def get_import(batch_id: int) -> Any:
    return import_json(imports.batch_for(db.session, actor(), batch_id))


@blp.route("/imports/<id:batch_id>/confirm", methods=["POST"])
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.response(201, s.ImportConfirmedSchema)
@documented(401, 403, 404, 409, 422)
@blp.doc(security=SECURITY)
@token_required
def confirm_import(headers: dict[str, Any], batch_id: int) -> Any:
    """Create the valid rows as drafts, once: a second confirmation is a 409, unless it
    repeats the first one's ``Idempotency-Key`` (it then gets the first answer)."""
    created = imports.confirm(db.session, actor(), batch_id, idempotency_key=headers.get("key"))
    return {"created": [o.id for o in created]}
