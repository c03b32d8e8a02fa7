"""The Vietnamese UI speaks Vietnamese (issue 18, acceptance 2): every main page's visible text
and every option label, for every role, holds no code (snake_case) and no English UI word.
Usernames are data, typed by administrators, so they are left out of the check."""

from __future__ import annotations

import html
import re

import pytest

from tests.factories import USERS
from tests.web_client import WebClient

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

PAGES = {
    "officer1": ["/", "/nominations/new?award=C2025/BK0", "/imports", "/members", "/emulation",
                 "/documents", "/notifications", "/dashboard", "/statistics", "/decisions",
                 "/help", "/notice", "/password"],
    "rev_br1": ["/inbox", "/documents", "/statistics"],
    "council_prov": ["/inbox", "/council/PROV", "/notice"],
    "decider_prov": ["/decisions/new", "/recoveries", "/council/PROV/register", "/decisions"],
    "auditor_prov": ["/audit", "/statistics", "/members", "/documents"],
    "admin": ["/admin/units", "/admin/units/CS1", "/admin/users", "/admin/campaigns",
              "/admin/users/officer1", "/help/officer", "/help/admin", "/help/council",
              "/council/PROV", "/council/PROV/certificate", "/admin/campaigns/edit"],
}  # fmt: skip
CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
ENGLISH = re.compile(
    r"\b(?:Submit|Save|Cancel|Delete|Error|Invalid|Missing|required field|None|True|False|"
    r"null|undefined|Not a valid|Unknown|Loading|Search|Download|Upload|Sign in|Log ?out)\b"
)
USERNAMES = set(USERS) | {"stand_in"}


def visible_text(page: str) -> str:
    """What a reader sees: text and option labels, without markup, scripts, styles, or the
    diagram's own drawing (its labels are checked as the page's text)."""
    page = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return html.unescape(page)


def test_no_code_or_english_word_in_the_vietnamese_pages(app, world):
    nid = world.nominate(award="BK0")
    world.to_council(nid)
    world.seat_council()
    world.session.rollback()
    PAGES["officer1"].append(f"/nominations/{nid}")
    PAGES["rev_br1"].append(f"/nominations/{nid}")
    found = []
    for who, paths in PAGES.items():
        web = WebClient(app, who)
        for path in paths:
            page = web.get(path)
            assert page.status_code == 200, (who, path, page.status_code)
            text = visible_text(page.get_data(as_text=True))
            codes = {c for c in CODE.findall(text) if c not in USERNAMES}
            english = set(ENGLISH.findall(text)) - {"English"}
            if codes or english:
                found.append(f"{who} {path}: {sorted(codes | english)}")
    assert found == []
