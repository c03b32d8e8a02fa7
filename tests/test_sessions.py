"""Sessions that end, throttling that cannot lock people out, the password policy, pre-ping.

Issue 13: a cookie copied before logout is refused after it on every host; a password change,
an administrator's reset and deactivation end every other session and API token; a reset
forces a change at the next login; wrong passwords slow down, then briefly lock, an account
and an address, never its owner's known device, and concurrent attempts never pass the limit;
the policy refuses short, common, username-equal and (outside the demo) the demo password.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from tests.api_client import ApiClient
from tests.factories import PASSWORD
from tests.web_client import WebClient
from web import create_app
from web.auth import DEVICE_COOKIE
from workflow import accounts, passwords, throttle
from workflow.clock import utcnow
from workflow.errors import InvalidInput
from workflow.models import LoginThrottle, User

NEW_PASSWORD = "mây trắng bay qua đỉnh núi"  # noqa: S105 - test fixture
TEMPORARY = "tạm thời: đổi ngay hôm nay"


def csrf(client, path: str = "/login", **kw) -> str:
    page = client.get(path, **kw).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def login(client, username: str, password: str = PASSWORD, **kw):
    token = csrf(client, headers=kw.get("headers", {}))
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}, **kw
    )


def copy_session(source, target) -> None:
    cookie = source.get_cookie("session")
    assert cookie is not None
    target.set_cookie("session", cookie.value)


class Clock:
    """The throttle's "now", moved by hand (the rest of the app keeps real time)."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(throttle, "utcnow", fake)
    return fake


@pytest.fixture
def two_hosts(db_url, world):
    """Two app instances on one database with one SECRET_KEY: two hosts behind a balancer."""
    from web.extensions import db

    hosts = [create_app({"SQLALCHEMY_DATABASE_URI": db_url, "TESTING": True}) for _ in range(2)]
    yield hosts
    for host in hosts:
        with host.app_context():
            db.engine.dispose()


# --- sessions that end ------------------------------------------------------------------------


def test_a_cookie_copied_before_logout_is_refused_after_it_on_both_hosts(two_hosts):
    host_a, host_b = two_hosts
    owner = host_a.test_client()
    assert login(owner, "officer1").status_code == 302
    thief_a, thief_b = host_a.test_client(), host_b.test_client()
    copy_session(owner, thief_a)
    copy_session(owner, thief_b)
    assert thief_b.get("/").status_code == 200  # the cookie is valid on the other host
    token = csrf(owner, "/")
    assert owner.post("/logout", data={"csrf_token": token}).status_code == 302
    for thief in (thief_a, thief_b):
        refused = thief.get("/")
        assert refused.status_code == 302
        assert "/login" in refused.headers["Location"]
    assert owner.get("/").status_code == 302
    again = host_b.test_client()  # logging in again works, on either host
    assert login(again, "officer1").status_code == 302
    assert again.get("/").status_code == 200


def test_logout_ends_the_users_sessions_everywhere_but_not_other_users(app, world):
    first, second, other = (
        WebClient(app, "officer1"),
        WebClient(app, "officer1"),
        WebClient(app, "officer2"),
    )
    assert first.post("/logout").status_code == 302
    assert second.get("/").status_code == 302
    assert other.get("/").status_code == 200


def test_a_password_change_ends_every_other_session_and_token(app, client, world):
    here, elsewhere = WebClient(app, "officer1"), WebClient(app, "officer1")
    api = ApiClient(app.test_client(), "officer1")
    assert api.get("/me").status_code == 200
    page = here.text("/password")
    assert "Đổi mật khẩu" in page
    assert "Mật khẩu hiện tại" in page
    changed = here.post(
        "/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302, changed.get_data(as_text=True)
    # The session that changed it goes on.
    assert "Các phiên đăng nhập khác đã kết thúc" in here.text("/")
    assert elsewhere.get("/").status_code == 302
    assert api.get("/me").status_code == 401
    assert login(client, "officer1").status_code == 401  # the old password is gone
    assert login(client, "officer1", NEW_PASSWORD).status_code == 302


def test_the_menu_leads_to_the_password_page(app, world):
    officer = WebClient(app, "officer1")
    assert 'href="/password"' in officer.text("/")


def test_the_password_form_explains_each_refusal(app, world):
    officer = WebClient(app, "officer1")

    def change(current: str, new: str, confirm: str | None = None):
        return officer.post(
            "/password",
            {"current_password": current, "new_password": new, "confirm_password": confirm or new},
        )

    wrong = change("không phải mật khẩu này", NEW_PASSWORD)
    assert wrong.status_code == 422
    assert "Mật khẩu hiện tại không đúng" in wrong.get_data(as_text=True)
    mismatch = change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert mismatch.status_code == 422
    assert "không khớp" in mismatch.get_data(as_text=True)
    short = change(PASSWORD, "ngắn quá")
    assert short.status_code == 422
    assert "ít nhất 12 ký tự" in short.get_data(as_text=True)
    common = change(PASSWORD, "password1234")
    assert common.status_code == 422
    assert "quá phổ biến" in common.get_data(as_text=True)
    assert officer.get("/").status_code == 200  # still signed in, nothing changed


def test_a_password_change_through_the_api_keeps_only_its_own_token(app, world):
    api, other = ApiClient(app.test_client(), "officer1"), ApiClient(app.test_client(), "officer1")
    browser = WebClient(app, "officer1")
    wrong = api.post(
        "/me/password", json={"current_password": "sai mật khẩu rồi", "new_password": NEW_PASSWORD}
    )
    assert wrong.status_code == 422
    assert wrong.json["error"]["details"] == {"current_password": "wrong"}
    weak = api.post("/me/password", json={"current_password": PASSWORD, "new_password": "short"})
    assert (weak.status_code, weak.json["error"]["details"]) == (422, {"password": "too_short"})
    changed = api.post(
        "/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert changed.status_code == 204, changed.json
    assert api.get("/me").status_code == 200
    assert other.get("/me").status_code == 401
    assert browser.get("/").status_code == 302
    assert ApiClient(app.test_client()).login("officer1", NEW_PASSWORD).status_code == 201


def test_deactivation_ends_sessions_and_tokens_for_good(app, world):
    browser = WebClient(app, "officer1")
    api = ApiClient(app.test_client(), "officer1")
    user = world.user("officer1")
    accounts.deactivate(world.session, user, world.user("admin"))
    world.session.commit()
    assert browser.get("/").status_code == 302
    assert api.get("/me").status_code == 401
    user.is_active = True  # reactivated: what was issued before stays ended
    world.session.commit()
    assert browser.get("/").status_code == 302
    assert api.get("/me").status_code == 401
    assert WebClient(app, "officer1").get("/").status_code == 200


def test_an_admin_reset_forces_a_change_at_the_next_login(app, client, world):
    before = WebClient(app, "officer1")
    old_token = ApiClient(app.test_client(), "officer1")
    admin = WebClient(app, "admin")
    assert "Đặt lại mật khẩu" in admin.text("/admin/users")
    reset = admin.post("/admin/users/password", {"username": "officer1", "password": TEMPORARY})
    assert reset.status_code == 302, reset.get_data(as_text=True)
    assert "phải đổi mật khẩu khi đăng nhập lần tới" in admin.text("/admin/users")
    assert before.get("/").status_code == 302
    assert old_token.get("/me").status_code == 401

    landed = login(client, "officer1", TEMPORARY)
    assert landed.status_code == 302
    assert landed.headers["Location"].endswith("/password")
    for path in ("/", "/notifications", "/help", "/decisions"):
        forced = client.get(path)
        assert forced.status_code == 302, path
        assert forced.headers["Location"].endswith("/password"), path
    page = client.get("/password").get_data(as_text=True)
    assert "Quản trị viên đã đặt lại mật khẩu của bạn" in page
    token = csrf(client, "/password")
    done = client.post(
        "/password",
        data={
            "csrf_token": token,
            "current_password": TEMPORARY,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    world.session.expire_all()
    assert (
        world.session.scalar(select(User.must_change_password).where(User.username == "officer1"))
        is False
    )


def test_an_admin_reset_through_the_api_and_the_403_until_changed(app, world):
    admin = ApiClient(app.test_client(), "admin")
    officer = ApiClient(app.test_client(), "officer2")
    refused = officer.post("/users/officer1/password", json={"password": TEMPORARY})
    assert refused.status_code == 403
    assert admin.post("/users/nobody/password", json={"password": TEMPORARY}).status_code == 404
    weak = admin.post("/users/officer1/password", json={"password": "qwertyuiop123"})
    assert (weak.status_code, weak.json["error"]["details"]) == (422, {"password": "too_common"})
    assert admin.post("/users/officer1/password", json={"password": TEMPORARY}).status_code == 204

    api = ApiClient(app.test_client())
    assert api.login("officer1", TEMPORARY).status_code == 201
    blocked = api.get("/nominations")
    assert blocked.status_code == 403
    assert blocked.json["error"]["code"] == "password_change_required"
    assert "đổi mật khẩu" in blocked.json["error"]["message"]
    assert api.get("/me").status_code == 200
    changed = api.post(
        "/me/password", json={"current_password": TEMPORARY, "new_password": NEW_PASSWORD}
    )
    assert changed.status_code == 204, changed.json
    assert api.get("/nominations").status_code == 200


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_admin_reset_form_keeps_the_chosen_user_and_says_why(app, world):
    admin = WebClient(app, "admin")
    weak = admin.post("/admin/users/password", {"username": "officer3", "password": "1234567890ab"})
    assert weak.status_code == 422
    page = weak.get_data(as_text=True)
    assert "quá phổ biến" in page
    assert '<option value="officer3" selected>' in page
    assert "1234567890ab" not in page  # passwords are never echoed back


# --- the Secure flag ----------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_cookies_are_secure_over_https_behind_a_proxy(monkeypatch, db_url, world):
    monkeypatch.setenv("PROXY_HOPS", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "TESTING": True})
    https = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.7",
        "Referer": "https://localhost/login",  # CSRF protection checks it over HTTPS
    }
    secure = app.test_client()
    response = login(secure, "officer1", headers=https)
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("session=") and "Secure" in c for c in cookies), cookies
    assert any(c.startswith(f"{DEVICE_COOKIE}=") and "Secure" in c for c in cookies), cookies
    plain = app.test_client()
    cookies = login(plain, "officer2").headers.getlist("Set-Cookie")
    assert cookies
    assert not any("Secure" in c for c in cookies), cookies


# --- throttling that cannot lock people out -----------------------------------------------------


def fail_until_locked(session: Session, username: str, address: str, start: datetime):
    """Wrong attempts as fast as the throttle lets them through; the waits seen on the way."""
    now, waits, counted = start, [], 0
    for _ in range(500):
        try:
            throttle.begin(session, username, address, now=now)
            counted += 1
        except throttle.Throttled as refused:
            waits.append(refused.wait)
            if refused.wait > throttle.POLICIES["account"].max_delay:
                return counted, waits, now
            now += refused.wait
    raise AssertionError("never locked")


def test_an_account_is_slowed_down_then_locked_for_minutes(session, world):
    start = utcnow()
    counted, waits, locked_at = fail_until_locked(session, "officer1", "198.51.100.1", start)
    policy = throttle.ACCOUNT
    assert counted == policy.limit  # 10 wrong passwords, no more
    delays = waits[:-1]
    assert delays[0] == policy.base_delay  # the first slow-down is a couple of seconds
    assert delays == sorted(delays)
    assert max(delays) <= policy.max_delay
    assert waits[-1] == policy.lock <= timedelta(minutes=15)  # minutes, never an hour
    assert locked_at - start < timedelta(minutes=5)  # the lock came after minutes of guessing
    after = locked_at + policy.lock
    throttle.begin(session, "officer1", "198.51.100.1", now=after)  # then it opens again
    failures, _ = throttle.state(session, "account", "officer1", after)
    assert failures < policy.limit


def test_an_address_is_slowed_down_then_locked_briefly(session, world):
    start = utcnow()
    now, counted, waits = start, 0, []
    for i in range(1000):
        try:
            throttle.begin(session, f"ai-do-{i}", "203.0.113.50", now=now)  # spraying names
            counted += 1
        except throttle.Throttled as refused:
            waits.append(refused.wait)
            if refused.wait > throttle.ADDRESS.max_delay:
                break
            now += refused.wait
    assert waits[0] == throttle.ADDRESS.base_delay
    assert counted >= throttle.ADDRESS.limit
    assert waits[-1] == throttle.ADDRESS.lock <= timedelta(minutes=5)
    with pytest.raises(throttle.Throttled):  # a real account from that address waits too
        throttle.begin(session, "officer2", "203.0.113.50", now=now)
    throttle.begin(session, "officer2", "192.0.2.1", now=now)  # other addresses do not


def test_a_successful_login_resets_the_account_but_not_the_address(session, world):
    now = utcnow()
    for _ in range(3):
        attempt = throttle.begin(session, "officer1", "198.51.100.7", now=now)
    throttle.succeeded(session, attempt, now=now)
    assert throttle.state(session, "account", "officer1", now)[0] == 0
    assert throttle.state(session, "address", "198.51.100.7", now)[0] == 2


def test_ipv6_clients_are_counted_by_their_64(session):
    assert throttle.address_key("2001:db8:1:2:aaaa::1") == throttle.address_key(
        "2001:db8:1:2:bbbb::9"
    )
    assert throttle.address_key("2001:db8:1:2::1") != throttle.address_key("2001:db8:1:3::1")
    assert throttle.address_key("::ffff:192.0.2.4") == "192.0.2.4"


def test_a_known_device_logs_in_while_strangers_have_locked_the_account(app, world, clock):
    owner = app.test_client()
    assert login(owner, "officer1").status_code == 302  # this browser is now a known device
    assert owner.get_cookie(DEVICE_COOKIE) is not None
    owner.post("/logout", data={"csrf_token": csrf(owner, "/")})

    stranger = app.test_client()
    answers = []
    for _ in range(60):
        answer = login(stranger, "officer1", "đoán mò mật khẩu")
        answers.append(answer.status_code)
        if answer.status_code == 429:
            wait = int(answer.headers["Retry-After"])
            if wait > 60:
                break
            clock.advance(wait)
    assert answers.count(401) == throttle.ACCOUNT.limit
    page = answer.get_data(as_text=True)
    assert "Vui lòng chờ 15 phút rồi thử lại" in page
    assert login(stranger, "officer1").status_code == 429  # even the right password, for now

    assert login(owner, "officer1").status_code == 302  # the owner's browser still gets in
    assert owner.get("/").status_code == 200
    assert login(app.test_client(), "officer2").status_code == 302  # other accounts too
    clock.advance(15 * 60)
    assert login(stranger, "officer1").status_code == 302  # the lock was short


def test_a_device_cookie_is_for_its_own_username_and_cannot_be_forged(app, world, clock):
    browser = app.test_client()
    assert login(browser, "officer1").status_code == 302
    browser.post("/logout", data={"csrf_token": csrf(browser, "/")})
    for _ in range(3):
        login(browser, "officer2", "đoán mò mật khẩu")  # not a known device for officer2
    assert login(browser, "officer2", "đoán mò mật khẩu").status_code == 429
    forged = app.test_client()
    forged.set_cookie(DEVICE_COOKIE, "W1sib2ZmaWNlcjIiLCJ4Il1d.forged.signature")
    assert login(forged, "officer2").status_code == 429


def test_the_api_tells_how_long_to_wait(app, world, clock):
    api = ApiClient(app.test_client())
    for _ in range(3):
        assert api.login("officer3", "sai mật khẩu").status_code == 401
    refused = api.login("officer3", "sai mật khẩu")
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "too_many_attempts"
    assert refused.json["error"]["details"] == {"retry_after": 2}
    assert refused.headers["Retry-After"] == "2"
    assert "vui lòng chờ 2 giây" in refused.json["error"]["message"]
    clock.advance(2)
    assert api.login("officer3").status_code == 201


@pytest.mark.slow
def test_concurrent_attempts_never_pass_the_limit(engine, world):
    """Threads racing on one account: exactly as many are counted as the policy lets through."""
    now = utcnow()
    results: list[str] = []
    barrier = threading.Barrier(12)

    def attempt() -> None:
        with Session(engine) as own:
            barrier.wait()
            try:
                throttle.begin(own, "officer1", "198.51.100.20", now=now)
                results.append("counted")
            except throttle.Throttled:
                results.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("counted") == throttle.ACCOUNT.free
    assert results.count("refused") == 12 - throttle.ACCOUNT.free
    with Session(engine) as check:
        assert throttle.state(check, "account", "officer1", now)[0] == throttle.ACCOUNT.free


@pytest.mark.slow
def test_concurrent_attempts_at_the_lock_never_pass_it(engine, world, monkeypatch):
    """No delays, a lock at 5: of 12 simultaneous attempts exactly 5 are counted."""
    sharp = throttle.Policy(
        free=5,
        limit=5,
        base_delay=timedelta(0),
        max_delay=timedelta(0),
        lock=timedelta(minutes=1),
        leak=timedelta(minutes=5),
    )
    monkeypatch.setitem(throttle.POLICIES, "account", sharp)
    now = utcnow()
    results: list[bool] = []
    barrier = threading.Barrier(12)

    def attempt(i: int) -> None:
        with Session(engine) as own:
            barrier.wait()
            try:
                throttle.begin(own, "officer1", f"198.51.100.{100 + i}", now=now)
                results.append(True)
            except throttle.Throttled:
                results.append(False)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == sharp.limit
    with Session(engine) as check:
        row = check.get(LoginThrottle, ("account", "officer1"))
        assert row is not None
        assert row.failures == sharp.limit
        assert row.locked_until is not None


@pytest.mark.slow
def test_concurrent_wrong_logins_through_the_api(app, world):
    """Many clients guessing at once over HTTP: only the free attempts reach the password."""
    codes: list[int] = []
    barrier = threading.Barrier(10)

    def guess() -> None:
        client = app.test_client()
        barrier.wait()
        answer = client.post(
            "/api/v1/tokens", json={"username": "officer4", "password": "đoán mò mật khẩu"}
        )
        codes.append(answer.status_code)

    threads = [threading.Thread(target=guess) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(codes)) == [401, 429]
    assert codes.count(401) == throttle.ACCOUNT.free
    failures, wait = throttle.state(world.session, "account", "officer4")
    assert failures == throttle.ACCOUNT.free
    assert wait > timedelta(0)


# --- the password policy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("1234567890", "too_short"),
        ("ngắn", "too_short"),
        ("            ", "too_common"),  # twelve spaces
        ("password1234", "too_common"),
        ("P@ssw0rd1234", "too_common"),
        ("qwertyuiop12", "too_common"),
        ("123456789012", "too_common"),
        ("iloveyou1234", "too_common"),
        ("khenthuong2025", "too_common"),
        ("Nguyen.Van.An", "same_as_username"),
        ("khenthuong-demo", "demo_password"),
        ("KhenThuong-Demo", "demo_password"),
    ],
)
def test_the_policy_refuses(password, code):
    with pytest.raises(InvalidInput) as refused:
        passwords.check_password(password, "nguyen.van.an", "Nguyễn Văn An")
    assert refused.value.details == {"password": code}
    assert refused.value.message_vi
    assert refused.value.message_en


@pytest.mark.parametrize(
    "password",
    [PASSWORD, "mây trắng bay qua đỉnh núi", "mat-khau-du-dai", "Tr0ub4dor&3xyz", NEW_PASSWORD],
)
def test_the_policy_accepts_long_uncommon_passwords(password):
    passwords.check_password(password, "nguyen.van.an", "Nguyễn Văn An")


def test_only_the_demo_loader_may_use_the_demo_password(session, world):
    with pytest.raises(InvalidInput) as refused:
        accounts.create_user(session, "demo1", "Người Thử", passwords.DEMO_PASSWORD)
    assert "bản trình diễn" in refused.value.message_vi
    session.rollback()
    user = accounts.create_user(
        session, "demo2", "Người Thử", passwords.DEMO_PASSWORD, allow_demo_password=True
    )
    assert passwords.verify_password(user, passwords.DEMO_PASSWORD)
    session.rollback()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_creating_users_applies_the_policy_on_the_api_and_the_page(app, world):
    admin = ApiClient(app.test_client(), "admin")
    body = {
        "username": "moi.nguoi",
        "full_name": "Người Mới",
        "roles": [{"role": "officer", "unit_code": "CS1"}],
    }
    for username, password, code in [
        ("moi.nguoi", "mat-khau", "too_short"),
        ("moi.nguoi", "1qaz2wsx3edc", "too_common"),
        ("moi.nguoi", "khenthuong-demo", "demo_password"),
        ("nguoi.moi.2025", "Nguoi.Moi.2025", "same_as_username"),
    ]:
        refused = admin.post("/users", json={**body, "username": username, "password": password})
        assert refused.status_code == 422, password
        assert refused.json["error"]["details"] == {"password": code}, password
    assert (
        "quá phổ biến"
        in admin.post("/users", json={**body, "password": "1qaz2wsx3edc"}).json["error"]["message"]
    )
    page = WebClient(app, "admin").post(
        "/admin/users",
        {
            "username": "moi.nguoi",
            "full_name": "Người Mới",
            "password": "password1234",
            "role": "officer",
            "unit_code": "CS1",
        },
    )
    assert page.status_code == 422
    assert "quá phổ biến hoặc dễ đoán" in page.get_data(as_text=True)


# --- pooled connections ---------------------------------------------------------------------------


def terminate(engine, pid):
    """What a restart does to a backend, from outside the engine's pool."""
    admin = create_engine(engine.url)
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    admin.dispose()


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_connection_the_server_dropped_is_replaced_without_a_ping(engine, monkeypatch):
    """A restart ends every pooled connection; the next use takes a new one, and a busy pool
    (connections given back moments ago) costs no ping per use."""
    pings = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or True)
    with engine.connect() as conn:
        dropped = conn.scalar(text("SELECT pg_backend_pid()"))
    terminate(engine, dropped)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT pg_backend_pid()")) != dropped
    assert pings == []


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_connection_that_rested_is_pinged_and_replaced_if_silent(engine, monkeypatch):
    """A network may cut an idle connection without a word: after a rest, a ping decides."""
    from workflow import db as database

    with engine.connect() as conn:
        first = conn.scalar(text("SELECT pg_backend_pid()"))
    monkeypatch.setattr(database, "RESTED_SECONDS", -1.0)
    pings = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or True)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT pg_backend_pid()")) == first
    assert len(pings) == 1

    def silent(connection):
        if connection.info.backend_pid == first:
            raise engine.dialect.loaded_dbapi.OperationalError("no answer")
        return True

    monkeypatch.setattr(engine.dialect, "do_ping", silent)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT pg_backend_pid()")) != first


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_worker_survives_its_connection_being_killed(app, engine, world):
    """What a PostgreSQL restart does to an idle worker's pooled connection."""
    from web.extensions import db

    client = app.test_client()
    assert login(client, "officer1").status_code == 302
    with app.app_context():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.remove()
    terminate(engine, pid)
    assert client.get("/").status_code == 200
