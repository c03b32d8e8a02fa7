"""A form left open does not die with an hour's token, and a form whose session has ended
gives back what was typed (issue 18)."""

from __future__ import annotations

import re
import time

import pytest

from tests.web_client import WebClient

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_a_form_left_open_for_hours_is_still_accepted(app, world, monkeypatch):
    officer = WebClient(app, "officer1")
    form = officer.text("/nominations/new?award=C2025/BK0")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    later = time.time() + 5 * 3600
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    sent = officer.client.post(
        "/nominations/new",
        data={
            "csrf_token": token,
            "award": "C2025/BK0",
            "nominee_name": "Đặng Thị Thu Hà",
            "achievements": "Hoàn thành xuất sắc",
        },
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)[:500]


def test_a_form_from_an_ended_session_gives_back_what_was_typed(app, world):
    officer = WebClient(app, "officer1")
    form = officer.text("/nominations/new?award=C2025/BK0")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    officer.post("/logout")
    answer = officer.client.post(
        "/nominations/new",
        data={"csrf_token": token, "award": "C2025/BK0", "drawn_for": "C2025/BK0",
              "nominee_name": "Đặng Thị Thu Hà", "facts.discipline.present": "1",
              "achievements": "Đã bổ sung biên bản họp bình xét", "password": "bí mật",
              "kept.facts.achievement_ref": "BC-17/2025", "kept.nominee_name": "x"},
        headers={"Referer": "http://localhost/nominations/new?award=C2025/BK0"},
    )  # fmt: skip
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "Biểu mẫu đã hết hiệu lực" in page
    assert "Đặng Thị Thu Hà" in page
    assert "Đã bổ sung biên bản họp bình xét" in page
    assert "bí mật" not in page
    listed = re.search(r'<ul class="card">(.*?)</ul>', page, re.S).group(1)
    assert "C2025/BK0" not in listed  # the form's workings are given back, not listed as typed
    assert "present" not in listed
    assert "BC-17/2025" in listed  # typed under another award: listed as its fact
    assert "kept." not in listed
    assert '"drawn_for"' in page  # ... the page fills them in again itself
    assert "Đăng nhập lại" in page
    assert 'href="http://localhost/nominations/new?award=C2025/BK0"' in page.replace("&amp;", "&")
