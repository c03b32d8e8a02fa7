"""The JSON API as another system would use it: the whole path, races, retries, refusals."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.api_client import ApiClient
from tests.factories import CAMPAIGN, PASS_VOTE
from workflow import throttle
from workflow.clock import utcnow, vn_date
from workflow.models import ApiToken, AuditEvent, Nomination


@pytest.fixture
def as_user(client, world):
    def make(username: str) -> ApiClient:
        return ApiClient(client, username)

    return make


def create(api: ApiClient, award: str = "BK0", name: str = "Nguyễn Thị Hoa") -> dict:
    response = api.post(
        "/nominations",
        json={
            "campaign": "C2025",
            "award_type": award,
            "nominee": {"kind": "individual", "name": name, "position": "Kế toán"},
            "facts": {"ratings": {"2025": "HTXSNV"}},
            "achievements": "Hoàn thành xuất sắc",
        },
    )
    assert response.status_code == 201, response.json
    return response.json


def test_the_whole_path_through_the_api(as_user):
    officer, rev1, rev2 = as_user("officer1"), as_user("rev_br1"), as_user("rev_prov")
    council, decider, auditor = (
        as_user("council_prov"),
        as_user("decider_prov"),
        as_user("auditor_prov"),
    )
    n = create(officer)
    assert (n["state"], n["version"], n["origin_unit"]) == ("draft", 1, "CS1")
    assert officer.event(n["id"], "submit").json["current_unit"] == "BR1"
    assert [i["id"] for i in rev1.get("/inbox").json["items"]] == [n["id"]]
    returned = rev1.event(n["id"], "return", comment="Bổ sung biên bản họp bình xét")
    assert returned.json["state"] == "returned"
    patched = officer.call(
        "PATCH",
        f"/nominations/{n['id']}",
        json={"achievements": "Đã bổ sung"},
        headers={"If-Match": str(returned.json["version"])},
    )
    assert patched.status_code == 200, patched.json
    assert patched.json["achievements"] == "Đã bổ sung"
    assert officer.event(n["id"], "resubmit").status_code == 200
    assert rev1.event(n["id"], "approve").json["current_unit"] == "PROV"
    assert rev2.event(n["id"], "approve").json["state"] == "under_council"
    assert council.event(n["id"], "vote", vote=PASS_VOTE).json["state"] == "on_notice"
    today = vn_date(utcnow()).isoformat()
    decision = decider.post("/decisions", json={"nomination_ids": [n["id"]], "signed_on": today})
    assert decision.status_code == 201, decision.json
    assert decision.json["number"].endswith("/QĐ-PROV")
    assert decider.get(f"/decisions/{decision.json['id']}").json["nominations"] == [n["id"]]
    trail = auditor.get(f"/nominations/{n['id']}/trail").json
    assert [e["event"] for e in trail] == [
        "create",
        "submit",
        "return",
        "edit",
        "resubmit",
        "approve",
        "approve",
        "vote",
        "decide",
    ]
    assert all(e["prev_hash"] and e["hash"] for e in trail)
    assert auditor.verify_trail()["ok"] is True
    assert officer.get("/audit/verify").status_code == 403
    assert officer.post("/audit/verify").status_code == 403
    assert auditor.get(f"/nominations/{n['id']}/checks").json["eligible"] is True


def test_a_stale_version_is_refused_with_409(as_user):
    officer = as_user("officer1")
    n = create(officer)
    officer.event(n["id"], "submit")
    stale = as_user("rev_br1").post(
        f"/nominations/{n['id']}/events", json={"event": "approve", "version": 1}
    )
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "stale_version"


def test_concurrent_retries_with_one_key_have_one_effect(app, world, as_user):
    officer = as_user("officer1")
    n = create(officer)
    body = {"event": "submit", "version": 1}
    answers: list = []

    def retry() -> None:
        with app.test_client() as c:
            answers.append(
                c.post(
                    f"/api/v1/nominations/{n['id']}/events",
                    json=body,
                    headers={**officer.headers, "Idempotency-Key": "k-42"},
                )
            )

    threads = [threading.Thread(target=retry) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert {a.status_code for a in answers} == {200}
    assert len({a.json["seq"] for a in answers}) == 1
    events = world.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.nomination_id == n["id"])
    )
    world.session.rollback()
    assert events == 2  # create + one submit


def test_a_key_reused_for_another_request_is_refused_with_422(as_user):
    officer = as_user("officer1")
    a, b = create(officer), create(officer, name="Người khác")
    key = {"Idempotency-Key": "same"}
    assert (
        officer.post(
            f"/nominations/{a['id']}/events", json={"event": "submit", "version": 1}, headers=key
        ).status_code
        == 200
    )
    reused = officer.post(
        f"/nominations/{b['id']}/events", json={"event": "submit", "version": 1}, headers=key
    )
    assert reused.status_code == 422
    assert reused.json["error"]["code"] == "idempotency_key_reused"


def test_a_sibling_units_reviewer_cannot_reach_the_nomination(as_user):
    officer = as_user("officer1")
    n = create(officer)
    officer.event(n["id"], "submit")
    sibling = as_user("rev_br2")
    for path in (
        f"/nominations/{n['id']}",
        f"/nominations/{n['id']}/trail",
        f"/nominations/{n['id']}/checks",
    ):
        assert sibling.get(path).status_code == 404
    forged = sibling.post(f"/nominations/{n['id']}/events", json={"event": "approve", "version": 2})
    assert forged.status_code == 404
    assert sibling.get("/nominations").json["items"] == []
    other_officer = as_user("officer2")
    assert (
        other_officer.call(
            "PATCH",
            f"/nominations/{n['id']}",
            json={"achievements": "x"},
            headers={"If-Match": "2"},
        ).status_code
        == 404
    )


def test_reads_answer_while_an_operation_holds_the_database(as_user, engine):
    """A long operation (confirming an import) holds SQLite's write lock until it commits;
    reading the API does not wait for it, and sees the nomination as last committed."""
    officer = as_user("officer1")
    n = create(officer)
    with engine.begin() as operation:
        same = Nomination.version
        operation.execute(update(Nomination).where(Nomination.id == n["id"]).values(version=same))
        opened = officer.get(f"/nominations/{n['id']}")
        listed = officer.get("/nominations")
    assert (opened.status_code, opened.json["version"]) == (200, n["version"])
    assert [item["id"] for item in listed.json["items"]] == [n["id"]]


def test_expired_and_revoked_tokens_get_401(as_user, world):
    api = as_user("officer1")
    assert api.get("/me").status_code == 200
    assert api.call("DELETE", "/tokens/current").status_code == 204
    revoked = api.get("/me")
    assert revoked.status_code == 401
    assert revoked.headers["WWW-Authenticate"] == "Bearer"
    api.login("officer1")
    world.session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    world.session.commit()
    assert api.get("/me").status_code == 401
    assert api.get("/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_wrong_passwords_are_rate_limited_per_account(as_user, monkeypatch):
    assert throttle.PER_ACCOUNT == 10  # slowed after 3, a 15-minute lock at 10
    monkeypatch.setattr(throttle, "PER_ACCOUNT", 3)
    api = ApiClient(as_user("officer1").client)
    assert [api.login("officer2", "sai").status_code for _ in range(3)] == [401, 401, 401]
    refused = api.login("officer2")  # even the right password
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "too_many_attempts"
    assert api.login("officer1").status_code == 201  # other accounts are not affected


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_errors_are_always_json(as_user, client):
    officer = as_user("officer1")
    n = create(officer)
    bad_json = client.post(
        f"/api/v1/nominations/{n['id']}/events",
        data="{not json",
        headers={**officer.headers, "Content-Type": "application/json"},
    )
    assert bad_json.status_code == 400
    assert bad_json.json["error"]["code"] == "malformed"
    officer.event(n["id"], "submit")
    no_reason = as_user("rev_br1").event(n["id"], "return")
    assert no_reason.status_code == 422
    assert no_reason.json["error"]["code"] == "reason_required"
    invalid = officer.post("/nominations", json={"campaign": "C2025"})
    assert invalid.status_code == 422
    assert "award_type" in invalid.json["error"]["details"]["json"]
    assert client.get("/api/v1/nope").json["error"]["code"] == "not_found"
    illegal = officer.event(n["id"], "resubmit")
    assert (illegal.status_code, illegal.json["error"]["code"]) == (409, "illegal_transition")
    forbidden = officer.event(n["id"], "approve")
    assert forbidden.status_code == 403


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_admin_creates_units_and_users_with_dated_roles(as_user):
    admin = as_user("admin")
    unit = admin.post(
        "/units", json={"code": "CS9", "name": "CĐCS mới", "level": "cdcs", "parent_code": "BR1"}
    )
    assert unit.status_code == 201, unit.json
    user = admin.post(
        "/users",
        json={
            "username": "moi",
            "full_name": "Người Mới",
            "email": "nguoi.moi@congdoan.test",
            "password": "mat-khau-du-dai",
            "roles": [
                {
                    "role": "reviewer",
                    "unit_code": "BR1",
                    "valid_from": "2025-01-01",
                    "valid_to": "2025-12-31",
                    "acting_for": "rev_br1",
                }
            ],
        },
    )
    assert user.status_code == 201, user.json
    assert user.json["roles"][0]["acting_for"] == "rev_br1"
    assert user.json["email"] == "nguoi.moi@congdoan.test"
    bad_email = {"username": "x2", "full_name": "X", "password": "mat-khau-du-dai", "email": "x@"}
    assert admin.post("/users", json=bad_email).status_code == 422
    assert (
        as_user("officer1")
        .post("/units", json={"code": "X1", "name": "x", "level": "cdcs", "parent_code": "BR1"})
        .status_code
        == 403
    )
    assert "CS9" in [u["code"] for u in admin.get("/units").json]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_openapi_document_and_its_reference_page(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in (
        "/api/v1/tokens",
        "/api/v1/nominations/{nomination_id}/events",
        "/api/v1/inbox",
        "/api/v1/audit/verify",
        "/api/v1/decisions",
    ):
        assert path in spec["paths"]
    assert "ErrorBody" in spec["components"]["schemas"]
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/nominations/{nomination_id}/events" in page


def test_a_list_is_imported_through_the_api_in_two_steps(as_user, world):
    officer = as_user("officer1")
    lists = (Path(__file__).parent / "fixtures" / "list-mixed.xlsx").read_bytes()

    def upload(content: bytes, query: str = f"campaign={CAMPAIGN}") -> Any:
        return officer.post(
            f"/imports?{query}",
            data={"file": (io.BytesIO(content), "ds.xlsx")},
            content_type="multipart/form-data",
        )

    checked = upload(lists)
    assert checked.status_code == 201, checked.json
    assert (checked.json["valid"], checked.json["invalid"], checked.json["duplicate"]) == (3, 4, 1)
    bad_date = next(r for r in checked.json["rows"] if r["row"] == 5)
    assert bad_date["errors"]["birth_date"]["code"] == "invalid_date"
    assert "Ngày không hợp lệ" in bad_date["errors"]["birth_date"]["message"]
    batch = checked.json["id"]
    assert officer.get(f"/imports/{batch}").json["status"] == "pending"
    created = officer.post(f"/imports/{batch}/confirm")
    assert created.status_code == 201
    assert len(created.json["created"]) == 3
    assert officer.post(f"/imports/{batch}/confirm").json["error"]["code"] == "stale_version"
    assert upload(b"not a workbook").status_code == 422
    assert upload(lists, "campaign=NOPE").status_code == 404
    assert as_user("officer2").get(f"/imports/{batch}").status_code == 404


def test_notifications_are_read_and_marked_through_the_api(as_user, world):
    nid = world.nominate(name="Nguyễn Thị Hoa")
    world.fire(nid, "submit", "officer1")
    world.session.rollback()
    reviewer = as_user("rev_br1")
    items = reviewer.get("/notifications").json
    assert [(n["kind"], n["nomination_id"], n["read_at"]) for n in items] == [("submit", nid, None)]
    assert reviewer.post("/notifications/read", json={"ids": [items[0]["id"]]}).json == {
        "marked": 1
    }
    assert reviewer.get("/notifications").json[0]["read_at"] is not None
    assert reviewer.post("/notifications/read", json={"ids": ["x"]}).status_code == 422


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_api_answers_in_the_language_the_client_prefers(as_user, client):
    """Vietnamese unless Accept-Language prefers English: messages and labels alike."""
    officer = as_user("officer1")
    n = create(officer)
    english = {"Accept-Language": "en-GB,en;q=0.9,vi;q=0.5"}
    missing = officer.get("/nominations/999999", headers=english).json["error"]["message"]
    assert missing == "Nomination 999999 not found."
    assert officer.get("/nominations/999999").json["error"]["message"] == (
        "Không tìm thấy hồ sơ số 999999."
    )
    assert officer.get(f"/nominations/{n['id']}", headers=english).json["state_label"] == "Draft"
    assert officer.get(f"/nominations/{n['id']}").json["state_label"] == "Bản nháp"
    no_token = client.get("/api/v1/nominations", headers=english)
    assert no_token.json["error"]["message"].startswith("A token is needed")
    unknown = client.get("/api/v1/nope", headers={"Accept-Language": "fr, en;q=0.1"})
    assert unknown.json["error"]["message"] == "Not found."
    assert "Accept-Language" in unknown.headers["Vary"]  # a shared cache keeps them apart


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_refused_request_names_each_field_and_why(as_user):
    """The message says which fields and why, in the reader's language; the details keep
    marshmallow's report for programs."""
    officer = as_user("officer1")
    body = {"campaign": 5, "nominee": {"name": "A"}, "colour": "red"}
    refused = officer.post("/nominations", json=body)
    assert refused.status_code == 422
    error = refused.json["error"]
    assert error["message"] == (
        "Dữ liệu không hợp lệ ở: campaign (phải là chuỗi ký tự), award_type (chưa nhập), "
        "nominee.kind (chưa nhập), colour (không có trường này)."
    )
    assert error["details"]["json"]["campaign"] == ["Not a valid string."]
    english = officer.post("/nominations", json=body, headers={"Accept-Language": "en"})
    assert english.json["error"]["message"].startswith(
        "The data is invalid at: campaign (must be text), award_type (required)"
    )
    # The object itself wrong (marshmallow's "_schema"), a key named "", a length.
    said = [
        ("/campaigns/C2025/registrations", []),
        ("/nominations", {"nominee": "x", "": 1}),
        ("/campaigns/C2025/registrations", {"award": "x" * 61, "member_ids": [1]}),
    ]
    messages = [officer.post(path, json=body).json["error"]["message"] for path, body in said]
    assert messages[0] == "Dữ liệu không hợp lệ ở: nội dung gửi lên (sai kiểu dữ liệu)."
    assert 'nominee (sai kiểu dữ liệu), "" (không có trường này).' in messages[1]
    assert "award (độ dài từ 1 đến 60)" in messages[2]
    assert "_schema" not in "".join(messages)
    plain = officer.post("/nominations", data="{}", headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415
    assert plain.json["error"]["message"] == (
        "Nội dung gửi lên phải là JSON (Content-Type: application/json)."
    )
