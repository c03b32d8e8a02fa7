"""Documents offices sign and file (Decree 30/2020/NĐ-CP): the award decision, the proposal
letter a unit sends up with its batch, and the minutes of the council's meeting.

Each builder returns a layout-neutral :class:`~workflow.documents.model.Document`; the
same model becomes a Word file or a PDF, so the two always say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable

from workflow.documents.model import Document
from workflow.documents.pdf import render_pdf
from workflow.documents.word import render_docx

# format → (media type, renderer)
FORMATS: dict[str, tuple[str, Callable[[Document], bytes]]] = {
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        render_docx,
    ),
    "pdf": ("application/pdf", render_pdf),
}


def render(document: Document, fmt: str) -> tuple[bytes, str]:
    """The file's bytes and media type; ``fmt`` is one of :data:`FORMATS` (checked by the
    caller's input schema, a KeyError otherwise)."""
    media_type, renderer = FORMATS[fmt]
    return renderer(document), media_type
