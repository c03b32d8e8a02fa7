"""Dossier files (hồ sơ): type checked by content, size limited, stored by content hash.

Adding a file changes the dossier, so it is an audited edit of the nomination.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import changes, nominating
from workflow.clock import utcnow
from workflow.errors import IntegrityBroken, InvalidInput, NotFound
from workflow.models import Attachment, Blob, User
from workflow.transaction import transaction

MAX_BYTES = 10 * 1024 * 1024
KINDS = {  # code: (Vietnamese, English)
    "to_trinh": ("Tờ trình", "Proposal letter"),
    "bao_cao_thanh_tich": ("Báo cáo thành tích", "Achievement report"),
    "bien_ban": ("Biên bản họp bình xét", "Minutes of the peer review"),
    "danh_sach": ("Danh sách", "List"),
    "minh_chung": ("Tài liệu minh chứng", "Supporting document"),
}
TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def detect(content: bytes) -> str | None:
    """The file's real type from its first bytes (and, for Office files, its parts)."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError):
            return None  # damaged, or a zip feature Python does not read (a version 25.5)
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def attach(
    session: Session,
    nomination_id: int,
    actor: User,
    *,
    expected_version: int,
    kind: str,
    content: bytes,
    now: datetime | None = None,
) -> changes.Outcome:
    """Add a file to the dossier: it and the audited edit that vouches for it, or neither."""
    now = now or utcnow()
    if kind not in KINDS:
        raise InvalidInput(
            "Loại tài liệu không hợp lệ.", "Unknown document kind.", {"kind": list(KINDS)}
        )
    if not content or len(content) > MAX_BYTES:
        raise InvalidInput(
            "Tệp rỗng hoặc quá lớn (tối đa 10 MB).",
            "The file is empty or over 10 MB.",
            {"file": "size"},
        )
    extension = detect(content)
    if extension is None:
        raise InvalidInput(
            "Chỉ nhận tệp PDF, DOCX, XLSX, JPG hoặc PNG.",
            "Only PDF, DOCX, XLSX, JPG or PNG files are accepted.",
            {"file": "type"},
        )
    digest = hashlib.sha256(content).hexdigest()
    with transaction(session):
        if session.get(Blob, digest) is None:
            session.add(
                Blob(sha256=digest, media_type=TYPES[extension], size=len(content), data=content)
            )
        attachment = Attachment(
            nomination_id=nomination_id,
            sha256=digest,
            kind=kind,
            extension=extension,
            uploaded_by_id=actor.id,
            uploaded_at=now,
        )
        session.add(attachment)
        session.flush()
        return nominating.record_edit(  # joins this transaction
            session,
            nomination_id,
            actor,
            expected_version=expected_version,
            now=now,
            data={"attachment": digest, "kind": kind, "type": extension},
            also=(attachment,),
        )


def remove_attachment(
    session: Session,
    nomination_id: int,
    actor: User,
    attachment_id: int,
    *,
    expected_version: int,
    now: datetime | None = None,
) -> changes.Outcome:
    """Take a file out of the dossier (a draft or a returned one, by its officer): the trail
    keeps its hash and kind, and says the row was removed; the content stays stored."""
    now = now or utcnow()
    with transaction(session):
        found = session.get(Attachment, attachment_id)
        if found is None or found.nomination_id != nomination_id:
            raise NotFound("Không có tệp này trong hồ sơ.", "No such file in the dossier.")
        data = {"removed_attachment": found.sha256, "kind": found.kind, "type": found.extension}
        session.delete(found)
        session.flush()
        return nominating.record_edit(  # joins this transaction; checks who and when
            session, nomination_id, actor, expected_version=expected_version, now=now,
            data=data, removed=(f"attachments/{attachment_id}",),
        )  # fmt: skip


def attachments(session: Session, nomination_id: int) -> list[Attachment]:
    return list(
        session.scalars(
            select(Attachment)
            .where(Attachment.nomination_id == nomination_id)
            .order_by(Attachment.id)
        )
    )


def content_of(
    session: Session, nomination_id: int, attachment_id: int
) -> tuple[Attachment, bytes]:
    """A file of this nomination (the caller has checked the nomination is visible)."""
    found = session.get(Attachment, attachment_id)
    if found is None or found.nomination_id != nomination_id:
        raise NotFound("Không tìm thấy tài liệu.", "Document not found.")
    data = session.scalar(select(Blob.data).where(Blob.sha256 == found.sha256)) or b""
    if hashlib.sha256(data).hexdigest() != found.sha256:
        # Changed behind the application's back: never hand out bytes nobody vouched for.
        raise IntegrityBroken(
            "Tệp này không còn khớp với dấu vân tay (SHA-256) đã ghi khi tải lên; đã báo cho "
            "kiểm toán viên kiểm tra.",
            "This file no longer matches the SHA-256 recorded when it was uploaded.",
            {"sha256": found.sha256},
        )
    return found, data
