"""Every file the app sends (generated documents, Excel lists, trails) goes out one way.

Header values must be Latin-1 on a real server (gunicorn answers anything else with a 500,
which Flask's test client does not notice), so the ``filename`` is ASCII and the readable
Vietnamese name travels as the RFC 5987 ``filename*`` that modern browsers prefer.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import Response

from workflow.documents import render
from workflow.documents.formal import ascii_stem
from workflow.documents.model import Document


def file_response(
    content: bytes | str,
    media_type: str,
    readable: str,
    extension: str,
    stem: str | None = None,
) -> Response:
    """``readable`` is the name a person would give the file ("Danh sách QĐ 012/QĐ-LĐLĐ");
    ``stem`` the ASCII name for old clients, by default ``readable`` without accents."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", readable)
    ascii_name = stem or ascii_stem(_unaccented(readable)) or "tep"
    disposition = (
        f'attachment; filename="{ascii_name}.{extension}"; '
        f"filename*=UTF-8''{quote(f'{safe}.{extension}', safe='')}"
    )
    return Response(
        content,
        mimetype=media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


def document_file(document: Document, fmt: str) -> Response:
    content, media_type = render(document, fmt)
    return file_response(content, media_type, document.title, fmt, document.file_stem)


def _unaccented(text: str) -> str:
    """'Danh sách QĐ' → 'Danh sach QD'."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
