"""The web shell: configuration, login, what a user may see, safe headers and errors."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.factories import PASSWORD
from tests.web_client import WebClient
from web import create_app, reads
from web.config import database_url, secret_key
from web.extensions import db
from workflow import accounts
from workflow.errors import InvalidInput

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def login(client, username: str, password: str = PASSWORD):
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
    )


def _modules(package: str) -> set[str]:
    """Every module of a package, named from its files (so none can be left out by hand)."""
    root = PROJECT_ROOT / package
    return {
        ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in root.rglob("*.py")
    }


def test_the_domain_imports_no_flask():
    """Every module of workflow/ and rules/, walked package by package, imports no Flask and
    nothing of web/: the tests, the CLI and the web layer share one plain-Python domain."""
    code = (
        "import importlib, json, pkgutil, sys, rules, workflow\n"
        "names = [p.__name__ for p in (workflow, rules)] + [m.name for p in (workflow, rules)"
        " for m in pkgutil.walk_packages(p.__path__, p.__name__ + '.')]\n"
        "for name in names: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'flask_login', "
        "'flask_sqlalchemy', 'flask_migrate', 'flask_wtf', 'flask_smorest', 'flask_babel', "
        "'werkzeug', 'web'})\n"
        "print(json.dumps({'walked': names, 'bad': bad}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report["walked"]) == _modules("workflow") | _modules("rules")
    assert report["bad"] == []


def test_only_the_transaction_helper_commits():
    """One commit convention: a domain operation commits or rolls back through
    workflow/transaction.py; no other module of workflow/ or web/ calls commit() or
    rollback(), or catches BaseException to undo its work."""
    helper = PROJECT_ROOT / "workflow" / "transaction.py"
    found = []
    for path in sorted(
        [*(PROJECT_ROOT / "workflow").rglob("*.py"), *(PROJECT_ROOT / "web").rglob("*.py")]
    ):
        if path == helper:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            calls = (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"commit", "rollback"}
            )
            catches = (
                isinstance(node, ast.ExceptHandler)
                and isinstance(node.type, ast.Name)
                and node.type.id == "BaseException"
            )
            if calls or catches:
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert found == []


def test_database_url_defaults_to_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url(tmp_path) == f"sqlite:///{tmp_path / 'khenthuong.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/prod")
    assert database_url(tmp_path) == "postgresql+psycopg://u@db:5432/prod"


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) == 64
    assert secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert secret_key(tmp_path) == "from-the-environment"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sqlite_is_configured_for_several_workers(app):
    from web.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        pragma = conn.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == 30000


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_login_page_is_vietnamese_and_refuses_wrong_passwords(client, world):
    page = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in page
    assert "Mật khẩu" in page
    response = login(client, "officer1", "sai mật khẩu")
    assert response.status_code == 401
    assert "không đúng" in response.get_data(as_text=True)


def test_a_username_is_the_same_however_a_phone_capitalises_it(client, world):
    page = client.get("/login").get_data(as_text=True)
    assert 'autocapitalize="none"' in page
    assert login(client, "Officer1", PASSWORD).status_code == 302
    assert "Officer1" in client.get("/").get_data(as_text=True)  # the user's full name
    world.session.rollback()
    with pytest.raises(InvalidInput) as taken:
        accounts.create_user(world.session, "OFFICER1", "Người Khác", "một mật khẩu rất dài 2026")
    assert taken.value.details == {"username": "taken"}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_form_without_csrf_token_is_refused(client, world):
    response = client.post("/login", data={"username": "officer1", "password": PASSWORD})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_users_see_only_what_they_may(client, world):
    mine = world.nominate("officer1", name="Người của CS1")
    world.nominate("officer2", name="Người của CS2")
    assert login(client, "officer1").status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Người của CS1" in page
    assert "Người của CS2" not in page
    detail = client.get(f"/nominations/{mine}").get_data(as_text=True)
    assert "Bản nháp" in detail
    assert "Tạo hồ sơ" in detail
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "officer2")
    assert client.get(f"/nominations/{mine}").status_code == 404


def test_pages_need_login_and_logout_is_post_only(client, world):
    assert client.get("/").status_code == 302
    login(client, "officer1")
    assert client.get("/logout").status_code == 405


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_security_headers_and_friendly_errors(client, world):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_app_factory_reads_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite3")
    assert (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_english_is_one_click_away_and_survives_login(client, world):
    client.post("/lang", data={"lang": "en", "next": "/login", "csrf_token": csrf_token(client)})
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Log in" in page
    assert login(client, "officer1").status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in home
    assert "Hồ sơ đề nghị khen thưởng" not in home
    assert ">Decisions</a>" in home  # the menu names the list; a column names one decision
    assert "Bản nháp" not in client.get("/help").get_data(as_text=True)


def test_every_string_of_the_pages_has_an_english_translation():
    from pathlib import Path

    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parent.parent / "web/translations/en/LC_MESSAGES/messages.po"
    with po.open("rb") as handle:
        catalogue = read_po(handle)
    missing = [m.id for m in catalogue if m.id and (m.fuzzy or not m.string)]
    assert missing == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_behind_a_proxy_the_client_address_and_scheme_are_used(monkeypatch, tmp_path, db_url):
    monkeypatch.setenv("PROXY_HOPS", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url})
    response = app.test_client().get(
        "/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    )
    assert "Strict-Transport-Security" in response.headers
    with app.app_context():
        db.engine.dispose()  # the page opened a connection to read


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_reviewer_sees_what_changed_since_the_return(client, world, app):
    from tests.web_client import WebClient
    from workflow import nominating

    nid = world.nominate(award="BK", facts={"ratings": {"2025": "HTTNV"}})
    world.fire(nid, "submit", "officer1")
    world.fire(nid, "return", "rev_br1", comment="Xếp loại chưa đúng")
    two = [
        {"title": "Số hóa hồ sơ", "year": 2025, "scope": "co_so"},
        {"title": "Cải tiến quy trình", "year": 2025, "scope": "tinh"},
    ]
    nominating.update_nomination(
        world.session, nid, world.user("officer1"), expected_version=world.version(nid),
        changes={"facts": {"ratings": {"2025": "HTXSNV"}, "initiatives": two},
                 "achievements": "Bổ sung thành tích"},
        now=world.tick(),
    )  # fmt: skip
    world.fire(nid, "resubmit", "officer1")
    world.session.rollback()
    page = WebClient(app, "rev_br1").text(f"/nominations/{nid}")
    assert "Đã sửa sau lần trả lại" in page
    assert "Hoàn thành tốt nhiệm vụ" in page  # before
    assert "Hoàn thành xuất sắc nhiệm vụ" in page  # after
    assert "Bổ sung thành tích" in page
    # Each initiative on its own line, its columns in the form's order (the trail keeps its
    # JSON sorted by key); the person who edited by name, not username.
    assert "Tên: Số hóa hồ sơ; Năm: 2025; Phạm vi: Cấp cơ sở<br>Tên: Cải tiến quy trình" in page
    assert "officer1," not in page.split("Đã sửa sau lần trả lại")[1].split("</section>")[0]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_file_taken_out_of_a_returned_dossier_stays_in_the_trail(world, app):
    from sqlalchemy import select

    from tests.web_client import WebClient
    from workflow import audit, dossier
    from workflow.models import Attachment

    nid = world.nominate(award="BK")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    dossier.attach(world.session, nid, world.user("officer1"), expected_version=world.version(nid),
                   kind="to_trinh", content=pdf)  # fmt: skip
    world.fire(nid, "submit", "officer1")
    world.fire(nid, "return", "rev_br1", comment="Sai tờ trình")
    file_id = world.session.scalar(select(Attachment.id).where(Attachment.nomination_id == nid))
    version = world.version(nid)
    world.session.rollback()
    reviewer = WebClient(app, "rev_br1")
    refused = reviewer.post(f"/nominations/{nid}/files/{file_id}/remove", {"version": str(version)})
    assert refused.status_code in (403, 404)
    officer = WebClient(app, "officer1")
    removed = officer.post(f"/nominations/{nid}/files/{file_id}/remove", {"version": str(version)})
    assert removed.status_code == 302
    assert world.session.get(Attachment, file_id) is None
    last = audit.trail(world.session, nid)[-1]
    assert last["data"]["removed_attachment"] == hashlib.sha256(pdf).hexdigest()
    assert audit.verify(world.session).ok
    world.session.rollback()
    assert "gỡ tệp hồ sơ" in reviewer.text(f"/nominations/{nid}")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_removed_file_put_back_behind_the_apps_back_is_found(world):
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    from workflow import audit, dossier
    from workflow.models import Attachment

    nid = world.nominate(award="BK")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    dossier.attach(world.session, nid, world.user("officer1"), expected_version=world.version(nid),
                   kind="to_trinh", content=pdf)  # fmt: skip
    row = world.session.scalars(select(Attachment).where(Attachment.nomination_id == nid)).one()
    kept = {c: getattr(row, c) for c in ("id", "nomination_id", "sha256", "kind", "extension",
                                          "uploaded_by_id", "uploaded_at")}  # fmt: skip
    dossier.remove_attachment(world.session, nid, world.user("officer1"), kept["id"],
                              expected_version=world.version(nid))  # fmt: skip
    assert audit.verify(world.session).ok
    world.session.execute(insert(Attachment), [kept | {"uploaded_at": datetime.now(UTC)}])
    world.session.commit()
    report = audit.verify(world.session)
    assert not report.ok
    assert any("was removed by link" in p for p in report.problems)


def test_a_page_cursor_of_other_digits_is_refused_not_a_server_error(app, world):
    reviewer = WebClient(app, "rev_br1")
    for path in ("/", "/inbox"):
        assert reviewer.get(f"{path}?cursor=%C2%B2").status_code == 422  # "²"
        assert reviewer.get(f"{path}?cursor=%D9%A1%D9%A2").status_code == 422  # Arabic "12"
        assert reviewer.get(f"{path}?cursor=2147483648").status_code == 200


def test_pages_answer_while_an_operation_holds_the_database(app, world, engine):
    """A long operation (confirming an import) holds SQLite's write lock until it commits;
    a page that only reads does not wait for it. A page that records what it hands out (a
    member export, a link in the trail) is not one of those."""
    mine = world.nominate("officer1", name="Người của CS1")
    world.session.rollback()  # SQLite: the factories' read ends before the operation begins
    officer = WebClient(app, "officer1")
    with engine.begin() as operation:
        operation.execute(
            text("UPDATE nominations SET version = version WHERE id = :id"), {"id": mine}
        )
        listed, opened = officer.text("/"), officer.get(f"/nominations/{mine}")
    assert "Người của CS1" in listed
    assert opened.status_code == 200


def test_every_read_that_records_itself_names_a_real_page(app):
    """A renamed export left out of the list would answer 500: its record is refused."""
    assert reads.RECORDED_READS.issubset(app.view_functions)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_row_has_one_address_in_ascii_digits(app, world):
    """A full-width "１" or an Arabic "١" is no row's key: no second address for the same row."""
    nid = world.nominate()
    world.session.rollback()
    officer = WebClient(app, "officer1")
    assert officer.get(f"/nominations/{nid}").status_code == 200
    wide = "".join(chr(ord("０") + int(d)) for d in str(nid))
    arabic = "".join(chr(0x0660 + int(d)) for d in str(nid))
    for other in (wide, arabic):
        assert officer.get(f"/nominations/{other}").status_code == 404


def test_catalogues_missing_or_stale_are_compiled_when_the_app_starts(tmp_path):
    """An app installed without ``make install`` would show English readers Vietnamese."""
    import os
    import shutil

    from babel.support import Translations

    from web.i18n import compile_catalogues

    here = tmp_path / "en" / "LC_MESSAGES"
    here.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "web/translations/en/LC_MESSAGES/messages.po", here / "messages.po")
    assert compile_catalogues(tmp_path) == [here / "messages.mo"]
    english = Translations.load(str(tmp_path), ["en"])
    assert english.gettext("Đăng xuất") != "Đăng xuất"
    assert compile_catalogues(tmp_path) == []  # up to date: left alone
    later = (here / "messages.mo").stat().st_mtime + 10
    os.utime(here / "messages.po", (later, later))
    assert compile_catalogues(tmp_path) == [here / "messages.mo"]


def test_a_bare_404_or_403_says_what_may_have_happened(app, world):
    """Another unit's nomination and a page of another role: the page says why one may see it
    so, without saying whether the nomination exists."""
    from tests.web_client import WebClient

    nid = world.nominate()
    world.session.rollback()
    other = WebClient(app, "officer3")
    missing = other.get(f"/nominations/{nid}")
    assert missing.status_code == 404
    assert "thuộc đơn vị khác mà bạn không được xem" in missing.get_data(as_text=True)
    assert "thuộc đơn vị khác" in other.get("/nominations/999999").get_data(as_text=True)
    refused = other.get("/admin/users")
    assert refused.status_code == 403
    assert "Vai trò của bạn không dùng được trang này" in refused.get_data(as_text=True)
