"""A generated document as a file download (the API and the pages send it the same way)."""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Response

from workflow.documents import render
from workflow.documents.model import Document


def document_file(document: Document, fmt: str) -> Response:
    """The rendered file with an ASCII ``filename`` every client accepts and the Vietnamese
    title as the RFC 5987 ``filename*`` that modern browsers prefer."""
    content, media_type = render(document, fmt)
    readable = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", document.title)
    disposition = (
        f'attachment; filename="{document.file_stem}.{fmt}"; '
        f"filename*=UTF-8''{quote(f'{readable}.{fmt}', safe='')}"
    )
    return Response(
        content,
        mimetype=media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )
