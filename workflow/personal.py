"""Personal data the registry protects (Decree 13/2023/NĐ-CP on personal data protection).

The citizen id (CCCD) is stored sealed (Fernet: AES-128-CBC with an HMAC-SHA256 tag) under the
deployment's data key, never in clear, so a copy of the database or of a backup does not
disclose it. Pages show it masked (its last four digits); only the officer of the member's
own unit unseals it. The data key is its own secret (``DATA_KEY``, else a file kept in the
instance folder), so that rotating the session key never makes the ids unreadable.
"""

from __future__ import annotations

import base64
import hashlib
import re

from cryptography.fernet import Fernet, InvalidToken

from workflow.errors import InvalidInput

_CCCD = re.compile(r"[0-9]{12}", re.ASCII)
_fernet: Fernet | None = None


def configure(secret: str) -> None:
    """Derive the sealing key from the deployment's data key (called once at start-up)."""
    global _fernet
    digest = hashlib.sha256(b"cdvn-khen-thuong/personal/v1\x00" + secret.encode()).digest()
    _fernet = Fernet(base64.urlsafe_b64encode(digest))


def _sealer() -> Fernet:
    if _fernet is None:
        raise RuntimeError("personal.configure() was not called: no data key")
    return _fernet


def clean_cccd(text: str) -> str:
    """A CCCD as stored: its 12 digits (spaces and dots people type are dropped)."""
    digits = re.sub(r"[\s.\-]", "", text or "")
    if not _CCCD.fullmatch(digits):
        raise InvalidInput(
            "Số CCCD gồm đúng 12 chữ số.",
            "A CCCD number has exactly 12 digits.",
            {"cccd": "invalid"},
        )
    return digits


def seal(cccd: str) -> str:
    return _sealer().encrypt(cccd.encode()).decode("ascii")


def unseal(token: str) -> str | None:
    """The CCCD, or None when the data key has changed since it was sealed."""
    try:
        return _sealer().decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        return None


def masked(last: str | None) -> str:
    return f"••••••••{last}" if last else ""
