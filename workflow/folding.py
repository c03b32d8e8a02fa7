"""How a search compares Vietnamese names: without diacritics, case or spacing.

Officers type "anh tuyet" on a phone keyboard for "Nguyễn Thị Ánh Tuyết", and names arrive
composed (NFC) or decomposed (NFD) from other systems; both fold to the same text.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """'Nguyễn Thị Ánh  Tuyết' → 'nguyen thi anh tuyet' (đ is a letter of its own in NFD,
    so it is mapped by hand)."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.replace("đ", "d").replace("Đ", "D").casefold().split())
