"""Each role's main path through the pages, the authorisation matrix, and bounded queries."""

from __future__ import annotations

import re
import zipfile
from datetime import date, timedelta
from io import BytesIO

import pytest
from sqlalchemy import event, select, update

from tests.factories import CAMPAIGNS, PASS_VOTE
from tests.web_client import WebClient
from web.extensions import db
from workflow import audit, dossier, units
from workflow.errors import InvalidInput
from workflow.models import AwardType, Nomination

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def login(app, world):
    return lambda username: WebClient(app, username)


def test_the_council_records_absent_members_written_votes(login, world):
    nid = world.nominate()
    world.to_council(nid)
    world.session.rollback()
    council = login("council_prov")
    page = council.text(f"/nominations/{nid}")
    assert 'name="written_yes"' in page
    assert "Thành viên vắng mặt gửi ý kiến bằng văn bản" in page
    wrong = council.act(nid, "vote", members=9, present=8, yes=8, no=0, abstain=0, written_no=2)
    assert wrong.status_code == 422
    refused = wrong.get_data(as_text=True)
    assert (
        "Đồng ý bằng văn bản: 2 phiếu bằng văn bản, nhiều hơn số thành viên vắng mặt (1)" in refused
    )
    assert 'name="present" inputmode="numeric" required value="8"' in refused  # kept
    assert 'name="written_no" inputmode="numeric" value="2"' in refused
    done = council.act(nid, "vote", members=9, present=8, yes=5, no=3, abstain=0, written_yes=1)
    assert done.status_code == 302
    world.session.expire_all()
    recorded = world.session.get(Nomination, nid).vote
    assert (recorded["yes"], recorded["written_yes"]) == (5, 1)


def test_the_whole_path_through_the_pages(login, world):
    officer = login("officer1")
    form = officer.text("/nominations/new?award=C2025/BK0")
    assert "Tên người được đề nghị" in form
    created = officer.post(
        "/nominations/new",
        {"award": "C2025/BK0", "nominee_name": "Đỗ Thị Mai", "achievements": "Hoàn thành xuất sắc"},
    )
    assert created.status_code == 302
    nid = int(created.headers["Location"].rsplit("/", 1)[1])
    assert officer.act(nid, "submit").status_code == 302
    reviewer = login("rev_br1")
    assert "Đỗ Thị Mai" in reviewer.text("/inbox")
    asks = re.findall(r'data-confirm="([^"]+)"', reviewer.text(f"/nominations/{nid}"))
    ends = "Sau bước này hồ sơ không xử lý tiếp được nữa."
    assert asks == [f"Xác nhận «Không đề nghị» cho hồ sơ số {nid}? {ends}"]
    missing_reason = reviewer.act(nid, "return")
    assert missing_reason.status_code == 422
    assert "cần ghi rõ lý do" in missing_reason.get_data(as_text=True)
    assert reviewer.act(nid, "return", comment="Thiếu biên bản họp bình xét").status_code == 302
    page = officer.text(f"/nominations/{nid}")
    assert page.index("Lý do trả lại") < page.index("Hình thức khen thưởng")
    assert "Thiếu biên bản họp bình xét" in page
    assert officer.act(nid, "resubmit").status_code == 302
    assert reviewer.act(nid, "approve").status_code == 302
    assert "Đã thực hiện «Đồng ý, chuyển tiếp»; hồ sơ nay ở trạng thái «Đang thẩm định»." in (
        reviewer.text(f"/nominations/{nid}")
    )
    assert login("rev_prov").act(nid, "approve").status_code == 302
    council = login("council_prov")
    assert "Ngưỡng: 2/3" in council.text(f"/nominations/{nid}")
    assert council.act(nid, "vote", **PASS_VOTE).status_code == 302
    decider = login("decider_prov")
    assert "Đỗ Thị Mai" in decider.text("/decisions/new")
    today = world.session.get(Nomination, nid).notice_ends_on.isoformat()
    world.session.rollback()
    signed = decider.post("/decisions/new", {"nomination_ids": str(nid), "signed_on": today})
    assert signed.status_code == 302, signed.get_data(as_text=True)
    auditor = login("auditor_prov")
    assert "Đã khen thưởng" in auditor.text(f"/nominations/{nid}")
    assert "Nhật ký toàn vẹn" in auditor.verify_trail()
    csv_text = auditor.text(f"/nominations/{nid}/trail.csv")
    assert "decide" in csv_text
    assert "prev_hash" in csv_text.splitlines()[0]


def test_the_signing_form_offers_only_what_can_be_signed_and_keeps_the_typed_date(
    login, world, monkeypatch
):
    """A nomination still on notice is listed apart with the day it becomes signable, never
    ticked in advance; a refusal names the nomination and keeps the date the decider typed."""
    ended = world.nominate(name="Hết Công Khai")
    world.to_notice(ended)
    world.tick(days=20)
    waiting = world.nominate(name="Còn Công Khai")
    world.to_notice(waiting)
    ends = {nid: world.session.get(Nomination, nid).notice_ends_on for nid in (ended, waiting)}
    world.session.rollback()
    monkeypatch.setenv("KHENTHUONG_NOW", f"{ends[ended].isoformat()}T03:00:00+00:00")
    decider = login("decider_prov")
    form = decider.text("/decisions/new")
    assert f'name="nomination_ids" value="{ended}"' in form
    assert f'value="{waiting}"' not in form
    assert f"Còn Công Khai (Khen thưởng BK): ký được từ ngày {ends[waiting]:%d/%m/%Y}" in form
    too_early = (ends[ended] - timedelta(days=1)).isoformat()
    refused = decider.post("/decisions/new", {"nomination_ids": str(ended), "signed_on": too_early})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert f"số {ended} chỉ ký được từ ngày {ends[ended]:%d/%m/%Y}" in page
    assert f'value="{too_early}"' in page
    assert f'value="{ended}" checked' in page
    forged = decider.post(
        "/decisions/new",
        {"nomination_ids": [str(ended), str(waiting)], "signed_on": ends[ended].isoformat()},
    )
    assert f"số {waiting} chỉ ký được từ ngày {ends[waiting]:%d/%m/%Y}" in forged.get_data(
        as_text=True
    )
    none = decider.post("/decisions/new", {"signed_on": ends[ended].isoformat()})
    assert none.status_code == 422
    assert "Chưa chọn hồ sơ nào để ký quyết định." in none.get_data(as_text=True)
    twice = {"nomination_ids": [str(ended), f"0{ended}"], "signed_on": ends[ended].isoformat()}
    assert f"có hồ sơ lặp lại: số {ended}." in decider.post("/decisions/new", twice).get_data(
        as_text=True
    )
    assert world.session.get(Nomination, ended).state == "on_notice"  # nothing signed


def test_the_trail_and_route_name_people_and_units_as_they_were(login, world):
    """The page names people and units, not usernames and codes; a unit renamed since an
    event keeps, on that event, the name it had that day."""
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    world.fire(nid, "return", "rev_br1", comment="Thiếu biên bản")
    later = world.tick(days=2)
    units.rename(world.session, world.user("admin"), "BR1", "Công đoàn ngành Mới", None,
                 later.date(), now=later)  # fmt: skip
    world.session.rollback()
    page = login("officer1").text(f"/nominations/{nid}")
    assert "Thiếu biên bản</strong> — Rev_Br1 (Đơn vị BR1)" in page
    assert "Tuyến xét duyệt</dt><dd>Công đoàn ngành Mới → Đơn vị PROV</dd>" in page
    assert '<span title="officer1">Officer1</span>' in page
    assert "→ Đơn vị BR1 (Đang thẩm định)" in page
    assert "Đơn vị BR1 (Đang thẩm định) → Đơn vị CS1 (Trả lại để bổ sung)" in page
    assert "BR1 →" not in page


# Every role × every action, from every place relative to a nomination proposed by CS1
# (under BR1, under PROV): its own unit, a sibling, a parent, a child, a cousin, above.
USERS_BY_PLACE = [
    "officer1",
    "officer2",
    "officer3",
    "rev_br1",
    "rev_br2",
    "rev_prov",
    "council_prov",
    "decider_prov",
    "auditor_br1",
    "auditor_prov",
    "rev_tld",
    "admin",
]
SEES_DRAFTS = {"officer1", "auditor_br1", "auditor_prov", "admin"}
SEES_SUBMITTED = SEES_DRAFTS | {"rev_br1", "rev_prov", "council_prov", "decider_prov", "rev_tld"}


def prepared(world, state: str) -> int:
    nid = world.nominate(award="BK0")
    if state != "draft":
        world.fire(nid, "submit", "officer1")
    if state in ("under_council", "on_notice", "awarded"):
        world.fire(nid, "approve", "rev_br1")
        world.fire(nid, "approve", "rev_prov")
    if state in ("on_notice", "awarded"):
        world.fire(nid, "vote", "council_prov", vote=PASS_VOTE)
    if state == "awarded":
        world.sign([nid], days_later=0)
    world.session.rollback()
    return nid


def event_form(event: str, version: int) -> dict:
    extra = {"comment": "Lý do cụ thể"} if event in ("return", "reject", "object", "revoke") else {}
    if event == "vote":
        extra = dict(PASS_VOTE)
    if event == "revoke":
        extra["ground"] = "fraud"
    return {"event": event, "version": str(version), **extra}


# action: (state it needs, the one user allowed, how to perform it)
ACTIONS = {
    "view": ("in_review", None, lambda c, n, v: c.get(f"/nominations/{n}")),
    "export": ("in_review", None, lambda c, n, v: c.get(f"/nominations/{n}/trail.json")),
    "edit": ("draft", "officer1", lambda c, n, v: c.get(f"/nominations/{n}/edit")),
    "upload": (
        "draft",
        "officer1",
        lambda c, n, v: c.client.post(
            f"/nominations/{n}/files",
            data={
                "csrf_token": c.token,
                "version": str(v),
                "kind": "to_trinh",
                "file": (BytesIO(PDF), "a.pdf"),
            },
            content_type="multipart/form-data",
        ),
    ),
    **{
        event: (
            state,
            who,
            lambda c, n, v, e=event: c.post(f"/nominations/{n}/events", event_form(e, v)),
        )
        for event, state, who in [
            ("submit", "draft", "officer1"),
            ("approve", "in_review", "rev_br1"),
            ("return", "in_review", "rev_br1"),
            ("reject", "in_review", "rev_br1"),
            ("withdraw", "in_review", "officer1"),
            ("vote", "under_council", "council_prov"),
            ("object", "on_notice", "council_prov"),
            ("revoke", "awarded", "decider_prov"),
        ]
    },
    "sign": (
        "on_notice",
        "decider_prov",
        lambda c, n, v: c.post(
            "/decisions/new", {"nomination_ids": str(n), "signed_on": "2030-01-01"}
        ),
    ),
}


def expected(action: str, user: str) -> set[int]:
    state, allowed, _ = ACTIONS[action]
    sees = SEES_DRAFTS if state == "draft" else SEES_SUBMITTED
    if allowed is None:
        return {200} if user in sees else {404}
    if user == allowed:
        return {200, 302}
    if action == "sign":  # the decisions page belongs to deciders: everyone else is refused
        return {403}
    return {403} if user in sees else {404}


@pytest.mark.parametrize("user", USERS_BY_PLACE)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_authorisation_matrix(login, world, action, user, monkeypatch):
    state, _, perform = ACTIONS[action]
    nid = prepared(world, state)
    version = world.version(nid)
    world.session.rollback()
    if action == "sign":  # sign on a date after the notice (the form is dated by the user)
        monkeypatch.setattr("workflow.signing.vn_date", lambda now: date(2030, 1, 1))
    response = perform(login(user), nid, version)
    assert response.status_code in expected(action, user), (action, user, response.status_code)


def test_a_draft_is_private_to_its_cdcs_and_its_auditors(login, world):
    nid = world.nominate()
    world.session.rollback()
    for user, status in [
        ("officer1", 200),
        ("rev_br1", 404),
        ("rev_prov", 404),
        ("auditor_prov", 200),
        ("officer2", 404),
    ]:
        assert login(user).get(f"/nominations/{nid}").status_code == status, user


def test_only_officers_edit_and_only_deciders_sign(login, world):
    nid = world.nominate()
    world.session.rollback()
    assert login("officer1").get(f"/nominations/{nid}/edit").status_code == 200
    assert login("rev_br1").get(f"/nominations/{nid}/edit").status_code == 404
    assert login("officer1").get("/decisions/new").status_code == 403
    assert login("officer1").get("/audit").status_code == 403


def test_the_inbox_issues_a_bounded_number_of_queries(app, login, world):
    reviewer = login("rev_br1")
    counts = []
    for size in (1, 12):
        while len(world.session.scalars(select(Nomination.id)).all()) < size:
            world.fire(world.nominate(), "submit", "officer1")
        world.session.rollback()
        statements: list[str] = []
        with app.app_context():
            engine = db.engine

        def listener(*args: object, seen: list[str] = statements) -> None:
            seen.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", listener)
        try:
            page = reviewer.text("/inbox")
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert page.count('href="/nominations/') >= size
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_bulk_approval_reports_each_item(login, world):
    ok, stale = world.nominate(name="Hà Văn Được"), world.nominate(name="Lý Thị Cũ")
    for nid in (ok, stale):
        world.fire(nid, "submit", "officer1")
    hidden = world.nominate("officer2", name="Người Đơn Vị Khác")
    world.session.rollback()
    reviewer = login("rev_br1")
    assert f'value="{ok}@2"' in reviewer.text("/inbox")
    picks = [f"{ok}@2", f"{stale}@1", f"{hidden}@1"]
    response = reviewer.client.post(
        "/inbox/approve", data={"csrf_token": reviewer.token, "pick": picks}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Đã chuyển: Đang thẩm định tại Đơn vị PROV" in page
    assert "Không thực hiện được: Hồ sơ đã được người khác cập nhật" in page
    assert f"Số {ok}</a> — Hà Văn Được" in page  # each by its nominee, not a bare number
    assert f"Số {stale}</a> — Lý Thị Cũ" in page
    assert "Người Đơn Vị Khác" not in page  # not one the reviewer may not see
    too_many = reviewer.client.post(
        "/inbox/approve", data={"csrf_token": reviewer.token, "pick": [f"{ok}@3"] * 201}
    )
    assert too_many.status_code == 422  # more than any inbox page shows: refused unread
    assert "tối đa 200 hồ sơ" in too_many.get_data(as_text=True)


def test_dashboard_and_public_notice_list(login, world):
    waiting, noticed = world.nominate(name="Chờ duyệt"), world.nominate(name="Đang công khai")
    world.fire(waiting, "submit", "officer1")
    world.to_notice(noticed)
    world.session.rollback()
    board = login("auditor_prov").text("/dashboard")
    assert "Số hồ sơ theo trạng thái" in board
    assert "Đang công khai" in board
    assert "Thời gian chờ trung vị tại mỗi cấp" in board
    notice = login("council_prov").text("/notice")
    assert "Đang công khai" in notice
    assert "Chờ duyệt" not in notice
    assert "Không có hồ sơ" in login("council_tld").text("/notice")


def test_the_dashboard_counts_one_years_campaigns_when_asked(login, world):
    """Every year's counts added up once a second year began; a year picker narrows them."""
    from workflow.models import Campaign

    world.fire(world.nominate(name="Năm 2025"), "submit", "officer1")
    world.session.add(Campaign(code="C2026", title="Thi đua năm 2026", year=2026))
    world.session.commit()
    auditor = login("auditor_prov")
    assert "Thống kê hồ sơ (1 hồ sơ bạn được xem)" in auditor.text("/dashboard")
    assert "Thống kê hồ sơ năm 2025 (1 hồ sơ bạn được xem)" in auditor.text("/dashboard?year=2025")
    of_2026 = auditor.text("/dashboard?year=2026")
    assert "Thống kê hồ sơ năm 2026 (0 hồ sơ bạn được xem)" in of_2026
    assert '<option value="2026" selected>2026</option>' in of_2026
    assert "Thi đua năm 2025" not in of_2026  # nor its results to download
    assert auditor.get("/dashboard?year=1700").status_code == 400


def test_admin_manages_units_users_and_campaigns(login, world, tmp_path):
    admin = login("admin")
    assert "PROV" in admin.text("/admin/units")
    added = admin.post(
        "/admin/units",
        {"code": "CS7", "name": "CĐCS Trường Tiểu học", "level": "cdcs", "parent_code": "BR2"},
    )
    assert added.status_code == 302
    duplicate = admin.post(
        "/admin/units", {"code": "CS7", "name": "x", "level": "cdcs", "parent_code": "BR2"}
    )
    assert duplicate.status_code == 422
    made = admin.post(
        "/admin/users",
        {
            "username": "thay.br1",
            "full_name": "Người Thay",
            "password": "mat-khau-du-dai",
            "role": "reviewer",
            "unit_code": "BR1",
            "valid_from": "2025-11-01",
            "valid_to": "2025-11-30",
            "acting_for": "rev_br1",
        },
    )
    assert made.status_code == 302
    assert "thay rev_br1" in admin.text("/admin/users")
    yaml_text = (CAMPAIGNS / "2020-ldld-backan.yaml").read_bytes()
    upload = admin.client.post(
        "/admin/campaigns",
        data={"csrf_token": admin.token, "definition": (BytesIO(yaml_text), "bk.yaml")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    assert "TD-2020-LDLD-BKN" in admin.text("/admin/campaigns")
    assert "issuer:" in admin.text("/admin/campaigns/TD-2020-LDLD-BKN.yaml")
    broken = admin.client.post(
        "/admin/campaigns",
        data={"csrf_token": admin.token, "definition": (BytesIO(b"code: [unclosed"), "x.yaml")},
        content_type="multipart/form-data",
    )
    assert broken.status_code == 422
    assert login("officer1").get("/admin/units").status_code == 403


PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def upload(
    client: WebClient, nid: int, content: bytes, name: str = "x.pdf", kind: str = "bien_ban"
):
    page = client.text(f"/nominations/{nid}")
    version = page.split('name="version" value="')[1].split('"')[0]
    return client.client.post(
        f"/nominations/{nid}/files",
        data={
            "csrf_token": client.token,
            "version": version,
            "kind": kind,
            "file": (BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )


def test_dossier_files_are_checked_stored_by_hash_and_private(login, world):
    nid = world.nominate()
    world.session.rollback()
    officer = login("officer1")
    assert upload(officer, nid, PDF).status_code == 302
    page = officer.text(f"/nominations/{nid}")
    assert "Biên bản họp bình xét (PDF)" in page
    assert "<td>Đính kèm tài liệu</td>" in page  # the trail says what the edit was
    link = page.split(f"/nominations/{nid}/files/")[1].split('"')[0]
    download = officer.get(f"/nominations/{nid}/files/{link}")
    assert download.data == PDF
    assert download.headers["Content-Disposition"].startswith(
        f"attachment; filename=\"ho-so-{nid}-bien-ban-{link}.pdf\"; filename*=UTF-8''H%E1%BB%93"
    )
    disguised = upload(officer, nid, b"MZ\x90\x00 not a pdf", name="ok.pdf")
    assert disguised.status_code == 422
    assert "Chỉ nhận tệp PDF" in disguised.get_data(as_text=True)
    assert login("officer2").get(f"/nominations/{nid}/files/{link}").status_code == 404
    other = world.nominate()
    world.session.rollback()
    assert officer.get(f"/nominations/{other}/files/{link}").status_code == 404  # not its file
    assert "edit" in officer.text(f"/nominations/{nid}/trail.json")


def test_an_office_file_python_cannot_open_is_refused_not_a_500(login, world):
    """A central directory claiming zip version 25.5 made zipfile raise NotImplementedError."""
    packed = BytesIO()
    with zipfile.ZipFile(packed, "w") as docx:
        docx.writestr("word/document.xml", "<w:document/>")
    content = bytearray(packed.getvalue())
    content[content.index(b"PK\x01\x02") + 6] = 0xFF  # version needed to extract
    nid = world.nominate()
    world.session.rollback()
    refused = upload(login("officer1"), nid, bytes(content), name="a.docx")
    assert refused.status_code == 422


def test_a_file_over_ten_megabytes_is_refused(world):
    nid = world.nominate()
    with pytest.raises(InvalidInput, match="10 MB"):
        dossier.attach(
            world.session,
            nid,
            world.user("officer1"),
            expected_version=1,
            kind="bien_ban",
            content=b"%PDF-" + b"0" * dossier.MAX_BYTES,
        )


def test_a_decision_lists_amounts_with_their_total_in_words(login, world):
    award = world.session.scalar(select(AwardType).where(AwardType.code == "BK0"))
    award.bonus_coefficient = "1.0"
    world.session.commit()
    nid = prepared(world, "on_notice")
    decision = world.sign([nid], days_later=0)
    decision_id, number = decision.id, decision.number
    world.session.rollback()  # SQLite: a reading transaction would hold the write lock
    page = login("auditor_prov").text(f"/decisions/{decision_id}")
    assert number in page
    assert "2.340.000 đ" in page  # 1.0 × lương cơ sở 2,340,000 from 01/07/2024
    assert "Hai triệu ba trăm bốn mươi nghìn đồng" in page
    assert login("officer2").get(f"/decisions/{decision_id}").status_code == 404


def test_the_inbox_flags_overdue_and_filters_by_due_date(login, world):
    award = world.session.scalar(select(AwardType).where(AwardType.code == "BK"))
    award.days_per_tier = 5
    world.session.commit()
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")  # in 2025: long overdue by now
    due = world.session.get(Nomination, nid).due_on
    world.session.rollback()
    assert due is not None
    reviewer = login("rev_br1")
    page = reviewer.text("/inbox")
    assert "Quá hạn" in page
    assert due.strftime("%d/%m/%Y") in page
    earlier = (due - timedelta(days=1)).isoformat()
    filtered = reviewer.text(f"/inbox?due_by={earlier}")
    assert "Quá hạn" not in filtered
    assert "Không có hồ sơ nào khớp bộ lọc." in filtered  # not "nothing waits for you"
    wrong = reviewer.get("/inbox?due_by=31-12-2025")
    assert wrong.status_code == 400
    assert "Ngày trong đường dẫn không hợp lệ: «31-12-2025»" in wrong.get_data(as_text=True)
    assert "Hồ sơ quá hạn xử lý: 1" in login("auditor_prov").text("/dashboard")


def test_search_by_name_within_what_one_may_see(login, world):
    world.nominate(name="Nguyễn Thị Lan")
    world.nominate("officer2", name="Nguyễn Thị Lan Anh")
    world.session.rollback()
    page = login("officer1").text("/?q=thị lan")
    assert "Nguyễn Thị Lan" in page
    assert "Lan Anh" not in page  # another CĐCS's draft stays invisible


def test_a_rejection_or_a_revocation_says_why_at_the_top_of_the_page(login, world):
    rejected = world.nominate()
    world.fire(rejected, "submit", "officer1")
    world.fire(rejected, "reject", "rev_br1", comment="Không đủ thành tích")
    revoked = world.nominate()
    world.to_notice(revoked)
    world.sign([revoked])
    world.fire(revoked, "revoke", "decider_prov", comment="Kê khai gian dối", ground="fraud")
    world.session.rollback()
    officer = login("officer1")
    page = officer.text(f"/nominations/{rejected}")
    assert page.index("Lý do không đề nghị") < page.index("Hình thức khen thưởng")
    assert "<strong>Không đủ thành tích</strong> — Rev_Br1" in page
    page = officer.text(f"/nominations/{revoked}")
    assert "Lý do hủy bỏ khen thưởng" in page
    assert "Căn cứ: Gian dối trong kê khai thành tích." in page


def test_a_tier_sent_a_nomination_back_reads_why_as_the_proposing_unit_would(app, world):
    """A return from the province to the tier below keeps it in review there: that tier's
    reviewer still sees the reason first, with the day it must be handled by."""
    nid = world.nominate(award="BK0")
    world.fire(nid, "submit", "officer1")
    world.fire(nid, "approve", "rev_br1")
    world.fire(nid, "return", "rev_prov", comment="Thiếu xác nhận của Công đoàn ngành")
    world.session.rollback()
    page = WebClient(app, "rev_br1").text(f"/nominations/{nid}")
    assert page.index("Lý do trả lại") < page.index("Thiếu xác nhận của Công đoàn ngành")
    assert page.index("Thiếu xác nhận của Công đoàn ngành") < page.index("Hình thức khen thưởng")
    approved = WebClient(app, "rev_br1").act(nid, "approve")
    assert approved.status_code == 302
    assert "Lý do trả lại" not in WebClient(app, "rev_br1").text(f"/nominations/{nid}")


def test_a_returned_nomination_says_by_when_to_send_it_again(app, world):
    world.session.execute(update(AwardType).where(AwardType.code == "BK").values(days_per_tier=3))
    world.session.commit()
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    world.fire(nid, "return", "rev_br1", comment="Bổ sung biên bản")
    due = world.session.get_one(Nomination, nid).due_on
    world.session.rollback()
    assert due is not None
    page = WebClient(app, "officer1").text(f"/nominations/{nid}")
    assert f"Hạn gửi lại: {due:%d/%m/%Y}." in page


def test_a_misspelt_name_and_position_are_corrected_on_the_draft(app, world):
    officer = WebClient(app, "officer1")
    created = officer.post(
        "/nominations/new",
        {"award": "C2025/BK0", "nominee_name": "Nguyen Van Sai", "position": "Ke toan"},
    )
    nid = int(created.headers["Location"].rsplit("/", 1)[1])
    form = officer.text(f"/nominations/{nid}/edit")
    assert 'value="Nguyen Van Sai"' in form
    assert 'value="Ke toan"' in form
    version = re.search(r'name="version" value="(\d+)"', form)
    assert version
    saved = officer.post(
        f"/nominations/{nid}/edit",
        {"award": "C2025/BK0", "version": version[1], "nominee_name": "Nguyễn Văn Sài",
         "position": "Kế toán trưởng", "achievements": ""},
    )  # fmt: skip
    assert saved.status_code == 302, saved.get_data(as_text=True)[:1000]
    n = world.session.get_one(Nomination, nid)
    assert (n.nominee_name, n.nominee) == ("Nguyễn Văn Sài", {"position": "Kế toán trưởng"})
    edit = audit.trail(world.session, nid)[-1]
    world.session.rollback()
    assert edit["data"]["changes"]["nominee_name"] == {
        "from": "Nguyen Van Sai",
        "to": "Nguyễn Văn Sài",
    }


def test_a_reason_typed_for_an_action_someone_else_overtook_is_given_back(login, world):
    """Two reviewers on one page: the one who typed a return's reason loses the race, and the
    return is no longer offered (the nomination went up): the reason is shown to copy."""
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    world.add_user("rev_br1_bis", "reviewer", "BR1")
    world.fire(nid, "approve", "rev_br1_bis")
    world.session.rollback()
    reviewer = login("rev_br1")
    reason = "Bổ sung biên bản họp bình xét, thiếu chữ ký chủ tịch."
    late = reviewer.post(
        f"/nominations/{nid}/events", {"event": "return", "version": "2", "comment": reason}
    )
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "Nội dung bạn đã nhập (chưa được lưu)" in page
    assert reason in page
