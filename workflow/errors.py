"""Domain errors. Each maps to exactly one HTTP status in the web layer.

Messages are written for the user (Vietnamese first, English second); ``details``
carries machine-readable specifics (every failing field or rule).
"""

from __future__ import annotations

from typing import Any


class WorkflowError(Exception):
    code = "workflow_error"
    http_status = 400

    def __init__(self, message_vi: str, message_en: str, details: Any = None) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        self.details = details

    def message(self, lang: str = "vi") -> str:
        return self.message_vi if lang == "vi" else self.message_en


class NotFound(WorkflowError):
    """Also raised when the thing exists but the actor may not know it does."""

    code = "not_found"
    http_status = 404


class NotAllowed(WorkflowError):
    code = "not_allowed"
    http_status = 403


class IllegalTransition(WorkflowError):
    code = "illegal_transition"
    http_status = 409


class StaleVersion(WorkflowError):
    code = "stale_version"
    http_status = 409


class InvalidInput(WorkflowError):
    code = "invalid_input"
    http_status = 422


class ReasonRequired(InvalidInput):
    code = "reason_required"


class NotEligible(WorkflowError):
    code = "not_eligible"
    http_status = 422


class IdempotencyKeyReused(WorkflowError):
    code = "idempotency_key_reused"
    http_status = 422


class IntegrityBroken(WorkflowError):
    """Stored content no longer matches what the audit chain vouched for: refused, never served."""

    code = "integrity_broken"
    http_status = 409
