"""Several gunicorn workers on one SQLite file: many users at once, no "database is locked"."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.factories import demo_definition
from workflow import demo
from workflow.db import make_engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(base: str, proc: subprocess.Popen) -> None:
    for _ in range(100):
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited early")
        try:
            urllib.request.urlopen(base + "/login", timeout=1).close()  # noqa: S310 - our server
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def one_user_session(base: str, username: str) -> list[int]:
    """Log in, then list and open nominations, as a person clicking around would."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    statuses = []
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"username": username, "password": demo.DEMO_PASSWORD, "csrf_token": token}
    ).encode()
    statuses.append(opener.open(base + "/login", data=form).status)
    for _ in range(10):
        for path in ("/", "/nominations/1", "/nominations/5"):
            try:
                statuses.append(opener.open(base + path).status)
            except urllib.error.HTTPError as err:
                statuses.append(err.code)
    return statuses


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_four_workers_serve_concurrent_users_without_lock_errors(db_url, tmp_path):
    engine = make_engine(db_url)
    with Session(engine) as session:
        demo.seed(session, demo_definition())
    engine.dispose()
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path)}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base, proc)
        users = ["kiemtoan.ldld", "thamdinh.ldld", "canbo.skhdt", "hoidong.ldld"] * 3
        with ThreadPoolExecutor(max_workers=len(users)) as pool:
            results = [s for batch in pool.map(lambda u: one_user_session(base, u), users)
                       for s in batch]  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    text = log.read_text()
    assert "database is locked" not in text
    assert "Traceback" not in text
    assert set(results) <= {200, 404}  # 404: a nomination the user may not see
    assert results.count(200) > len(users) * 20
