"""Signed anchors of the audit chain's head, for auditors to keep outside the system.

An anchor is signed with an Ed25519 key held in a file outside the database: whoever
can rewrite the database cannot forge an anchor, and a kept anchor proves the chain
up to it was not rewritten afterwards.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from workflow.canonical import canonical_json
from workflow.clock import iso_utc, utcnow
from workflow.errors import InvalidInput
from workflow.models import AuditHead

SIGNED_FIELDS = ("seq", "hash", "at")


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """Read the signing key; create it (mode 0600) the first time."""
    try:
        return _load_or_create_key(path)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as err:
        why = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise InvalidInput(
            f"Không đọc hay tạo được tệp khóa ký {path}: {why}.",
            f"Cannot read or create the signing key {path}: {why}.",
            {"key": "unreadable"},
        ) from None


def _load_or_create_key(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        return key
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise InvalidInput(
            f"Tệp khóa {path} không phải khóa Ed25519.", f"{path} is not an Ed25519 key."
        )
    return loaded


def _public_hex(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


def make_anchor(session: Session, key: Ed25519PrivateKey) -> dict[str, Any]:
    head = session.get(AuditHead, 1)
    if head is None:
        raise InvalidInput("Chuỗi nhật ký chưa được khởi tạo.", "The audit chain is not set up.")
    signed = {"seq": head.seq, "hash": head.hash, "at": iso_utc(utcnow())}
    signature = key.sign(canonical_json(signed).encode())
    return {**signed, "public_key": _public_hex(key), "signature": signature.hex()}


def read_anchor(path: Path, key: Ed25519PrivateKey) -> dict[str, Any]:
    """Load an anchor file and check it was signed by this key; refuse it otherwise."""
    try:
        anchor = json.loads(path.read_text(encoding="utf-8"))
        signed = {name: anchor[name] for name in SIGNED_FIELDS}
        signature = bytes.fromhex(anchor["signature"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(
            f"Không đọc được mốc neo {path}: {exc}", f"Cannot read anchor {path}: {exc}"
        ) from None
    try:
        key.public_key().verify(signature, canonical_json(signed).encode())
    except InvalidSignature:
        raise InvalidInput(
            "Chữ ký của mốc neo không hợp lệ với khóa đã cấu hình.",
            "The anchor's signature does not match the configured key.",
        ) from None
    return signed
