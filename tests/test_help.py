"""Help per role (issue 18): each role's main tasks step by step, each with its picture; a
signed-in user finds their own tasks first."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web_client import WebClient
from web.help_topics import TASKS

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
PICTURES = Path(__file__).resolve().parent.parent / "web" / "static" / "help"


def test_every_task_has_steps_and_a_picture_on_disk(app):
    missing = [
        t.picture
        for tasks in TASKS.values()
        for t in tasks
        if not (PICTURES / f"{t.picture}.jpg").is_file()
    ]
    assert missing == []
    assert all(t.steps for tasks in TASKS.values() for t in tasks)


@pytest.mark.parametrize("role", [r.value for r in TASKS])
def test_each_roles_help_page_shows_its_tasks(client, role):
    page = client.get(f"/help/{role}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for task in TASKS[next(r for r in TASKS if r.value == role)]:
        assert str(task.title) in text
        assert f"/static/help/{task.picture}.jpg" in text


def test_the_help_page_starts_with_the_users_own_tasks(app, world):
    world.session.rollback()
    text = WebClient(app, "rev_br1").text("/help")
    assert text.index("Việc của bạn: Người thẩm định") < text.index("Các trạng thái của hồ sơ")
    assert "Thẩm định một hồ sơ" in text
    assert 'href="/help/officer"' in text
