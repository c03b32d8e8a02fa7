"""The operators' commands: create an admin, load the demo, verify and anchor the trail."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, text

from tests.tampering import tamper
from workflow.models import Nomination, RoleAssignment, User
from workflow.vocabulary import State


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args: str):
        return runner.invoke(args=list(args))

    return invoke


def test_create_admin_creates_the_root_unit_when_the_tree_is_empty(run, session):
    result = run("create-admin", "quantri", "--password", "mat-khau-dai-du")
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.username == "quantri"))
    (assignment,) = session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == user.id))
    assert (assignment.role, assignment.unit.code) == ("admin", "TLD")
    session.rollback()


def test_create_admin_explains_a_bad_password_in_vietnamese(run):
    result = run("create-admin", "quantri", "--password", "ngan")
    assert result.exit_code == 2
    assert "Mật khẩu phải có ít nhất 12 ký tự" in result.output


@pytest.mark.parametrize("username", ["", "a b/<script>", "tab\tname", "x" * 81, "Nguyễn"])
def test_create_admin_refuses_a_username_no_page_could_open(run, session, username):
    """Such an account could never be opened on the admin pages nor sign in over the API."""
    result = run("create-admin", username, "--password", "correct horse battery staple 9!")
    assert result.exit_code == 2
    assert "Tên đăng nhập gồm 1–80 ký tự" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_an_output_file_that_cannot_be_written_is_a_message_not_a_traceback(run, tmp_path):
    run("seed-demo")
    missing = tmp_path / "missing" / "x.yaml"
    result = run("campaign", "export", "TDYN-2025-DLK", "--output", str(missing))
    assert result.exit_code == 2
    assert f"Lỗi: không ghi được tệp {missing}: thư mục không tồn tại." in result.output
    result = run("rules", "check", "--campaign", "TDYN-2025-DLK", "--output", str(missing))
    assert result.exit_code == 2
    assert "thư mục không tồn tại" in result.output


def test_seed_demo_is_idempotent_and_covers_every_state(run, session):
    first = run("seed-demo")
    assert first.exit_code == 0, first.output
    assert "canbo.skhdt" in first.output
    assert "khenthuong-demo" in first.output
    assert "thamdinh.thay    Người thẩm định (thay thamdinh.cdvc) — CDVC-DLK" in first.output
    states = session.scalars(select(Nomination.state)).all()
    session.rollback()  # SQLite: every transaction holds the write lock until it ends
    second = run("seed-demo")
    assert "đã có sẵn" in second.output
    assert session.scalars(select(Nomination.state)).all() == states
    session.rollback()
    assert set(states) == {s.value for s in State}
    assert run("audit", "verify").exit_code == 0


def test_audit_verify_reports_json_and_fails_on_tampering(run, engine):
    assert run("seed-demo").exit_code == 0
    ok = run("audit", "verify", "--json")
    report = json.loads(ok.output)
    assert (ok.exit_code, report["ok"], report["first_bad_seq"]) == (0, True, None)
    with engine.connect() as conn:
        seq = conn.execute(
            text('SELECT MIN(seq) FROM audit_events WHERE body LIKE \'%"actor":"canbo%\'')
        ).scalar_one()
    tamper(
        engine,
        "UPDATE audit_events SET body = replace(body, 'canbo', 'ai-do') WHERE seq = :s",
        s=seq,
    )
    bad = run("audit", "verify")
    assert bad.exit_code == 1
    assert f"#{seq}" in bad.output
    assert json.loads(run("audit", "verify", "--json").output)["first_bad_seq"] == seq


def test_audit_anchor_needs_a_key_outside_the_database(run, app, tmp_path):
    result = run("audit", "anchor")
    assert result.exit_code == 2
    assert "AUDIT_ANCHOR_KEY" in result.output
    app.config["AUDIT_ANCHOR_KEY"] = str(tmp_path / "anchor.pem")
    run("seed-demo")
    anchored = run("audit", "anchor")
    assert anchored.exit_code == 0, anchored.output
    kept = tmp_path / "kept.json"
    kept.write_text(anchored.output)
    assert json.loads(anchored.output)["seq"] > 0
    assert run("audit", "verify", "--anchor", str(kept)).exit_code == 0
    kept.write_text(anchored.output.replace('"seq": ', '"seq": 1'))
    refused = run("audit", "verify", "--anchor", str(kept))
    assert refused.exit_code == 2
    assert "chữ ký" in refused.output.lower()


@pytest.mark.parametrize("content", [b"", b"not a key", None])
def test_an_unreadable_anchor_key_is_a_message_not_a_traceback(run, app, tmp_path, content):
    key = tmp_path / "anchor.pem"
    if content is None:
        key.mkdir()  # a folder where the key should be
    else:
        key.write_bytes(content)
    app.config["AUDIT_ANCHOR_KEY"] = str(key)
    run("seed-demo")
    result = run("audit", "anchor")
    assert result.exit_code == 2
    assert f"Lỗi: Không đọc hay tạo được tệp khóa ký {key}" in result.output


def test_outbox_send_refuses_a_limit_or_a_port_it_cannot_use(run, monkeypatch):
    assert run("outbox", "send", "--limit", "-1").exit_code == 2
    assert run("outbox", "send", "--limit", "99999999999999999999").exit_code == 2
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MAIL_FROM", "khenthuong@congdoan.test")
    monkeypatch.setenv("SMTP_PORT", "²")
    result = run("outbox", "send")
    assert result.exit_code == 2
    assert "SMTP_PORT phải là số" in result.output
