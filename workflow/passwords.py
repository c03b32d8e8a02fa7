"""Passwords: the policy a new one must follow, argon2id hashing, and signing in.

Changing and resetting a password, and what they end (sessions, tokens), are account
administration: :mod:`workflow.accounts`.
"""

from __future__ import annotations

import threading
import unicodedata
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow.errors import InvalidInput
from workflow.models import User

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# A hash of a random string, checked when the user is unknown so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("no such user; constant-time path")

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200  # what the API's schemas accept
# The demo's published shared password: refused everywhere but the demo's own accounts.
DEMO_PASSWORD = "khenthuong-demo"  # noqa: S105  # nosec B105
# Words of this product that make a password easy to guess here (zxcvbn's "user inputs").
_PRODUCT_WORDS = ("khenthuong", "khen thuong", "congdoan", "cong doan", "thiduakhenthuong")
# zxcvbn's score 3: more than 10^8 guesses, "safely unguessable" by an online attacker.
_MIN_ZXCVBN_SCORE = 3
_ZXCVBN_MAX_LENGTH = 72  # zxcvbn's own input limit; the start of a password is enough to judge
_zxcvbn_lock = threading.Lock()  # zxcvbn keeps the user inputs in a module-level dictionary


@cache
def _zxcvbn() -> Any:
    """Imported on first use: its frequency lists take a moment to load."""
    from zxcvbn import zxcvbn

    return zxcvbn


def _guessable(password: str, hints: list[str]) -> bool:
    """True when zxcvbn finds the password in its lists of common and breached passwords (the
    30,000 most common of 10 million leaked ones), words and names, plain, reversed or in l33t,
    or built from them with keyboard walks, repeats, sequences and dates."""
    with _zxcvbn_lock:
        result = _zxcvbn()(password[:_ZXCVBN_MAX_LENGTH], user_inputs=hints)
    return int(result["score"]) < _MIN_ZXCVBN_SCORE


def check_password(
    password: str,
    username: str,
    full_name: str | None = None,
    *,
    allow_demo_password: bool = False,
) -> None:
    """Refuse a password that is short, common or breached, the username, or the demo's.

    Raises :class:`InvalidInput` whose ``details["password"]`` is ``too_short``, ``too_long``,
    ``same_as_username``, ``demo_password`` or ``too_common``. Only the demo loader passes
    ``allow_demo_password=True``.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
            {"password": "too_short"},  # an error code, not a password  # nosec B105
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Mật khẩu dài tối đa {MAX_PASSWORD_LENGTH} ký tự.",
            f"The password may have at most {MAX_PASSWORD_LENGTH} characters.",
            {"password": "too_long"},  # nosec B105
        )
    folded = unicodedata.normalize("NFKC", password).strip().casefold()
    if folded == unicodedata.normalize("NFKC", username).strip().casefold():
        raise InvalidInput(
            "Mật khẩu không được trùng với tên đăng nhập.",
            "The password must not be the username.",
            {"password": "same_as_username"},  # nosec B105
        )
    if folded == DEMO_PASSWORD:
        if allow_demo_password:
            return
        raise InvalidInput(
            "Đây là mật khẩu công khai của bản trình diễn; hãy chọn mật khẩu khác.",
            "This is the demo's published password; choose another one.",
            {"password": "demo_password"},  # nosec B105
        )
    if _guessable(password, [username, *(full_name or "").split(), *_PRODUCT_WORDS]):
        raise InvalidInput(
            "Mật khẩu này quá phổ biến hoặc dễ đoán: có trong danh sách mật khẩu thông dụng "
            "hoặc đã bị lộ, hay ghép từ tên, từ thông dụng, dãy phím, dãy số. Hãy chọn mật khẩu "
            "khác, ví dụ một câu dài dễ nhớ.",
            "This password is too common or easy to guess: it is in the lists of common or "
            "breached passwords, or built from names, common words, keyboard or number "
            "sequences. Choose another, such as a long sentence you can remember.",
            {"password": "too_common"},  # nosec B105
        )


def hash_password(password: str) -> str:
    """The argon2id hash of a password already checked by :func:`check_password` (or a test
    fixture's): hashing alone applies no policy."""
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return bool(_hasher.verify(user.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Usernames are matched regardless of case (phones capitalise the first letter); an
    exact spelling wins over another that differs only in case, made before that was refused."""
    typed = username.strip()
    user = session.scalar(
        select(User)
        .where(func.lower(User.username) == typed.lower())
        .order_by((User.username == typed).desc(), User.id)
        .limit(1)
    )
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if user is not None and user.is_active else None
