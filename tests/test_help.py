"""Help per role (issue 18): each role's main tasks step by step, each with its picture; a
signed-in user finds their own tasks first."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web_client import WebClient
from web.help_topics import TASKS
from workflow.vocabulary import Event

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


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_button_or_menu_the_help_names_is_one_the_interface_shows(app, lang):
    """A step says «Kiểm tra điều kiện (chưa lưu)» only if a page has that label, in the
    reader's language too (the help named buttons that did not exist: «Preview eligibility»)."""
    import re

    from babel.messages.pofile import read_po
    from flask_babel import force_locale

    root = Path(__file__).resolve().parent.parent / "web" / "translations"
    with (root / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    steps = {str(m.id) for m in catalogue if m.id and "«" in str(m.id)}
    labels = {str(m.id) if lang == "vi" else str(m.string) for m in catalogue if m.id} - steps
    labels |= {e.label(lang) for e in Event}  # the event buttons are named by the machine
    with app.test_request_context(), force_locale(lang):
        quoted = {
            q
            for tasks in TASKS.values()
            for task in tasks
            for step in task.steps
            for q in re.findall(r"«([^»]+)»", str(step))
            if not q[0].isdigit()  # an amount typed, not a label
        }
    missing = sorted(quoted - labels)
    assert not missing, missing
