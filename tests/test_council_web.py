"""The council's pages through the web: a sitting opened, counted and closed, the decision
signed from it, the register and the certificates; what others may not see."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import update

from tests.test_documents import pdf_text
from tests.web_client import WebClient
from workflow.models import AwardType, Nomination

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def waiting(world):
    """Two nominations of the no-notice award awaiting the province's council, a roster."""
    ids = []
    for name in ("Đặng Thị Thu Hà", "Nguyễn Văn Bình"):
        nid = world.nominate(award="BK0", name=name)
        world.to_council(nid)
        ids.append(nid)
    world.seat_council()
    world.session.rollback()
    return ids


def version_of(page: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match, page[:2000]
    return match.group(1)


def opened(app, ids) -> tuple[WebClient, str]:
    secretary = WebClient(app, "council_prov")
    page = secretary.text("/council/PROV")
    assert "Trần Văn Chủ" in page
    link = re.search(r'href="(/council/PROV/sittings/new\?campaign=\d+)"', page)
    assert link, page
    form = secretary.text(link.group(1).replace("&amp;", "&"))
    present = re.findall(r'name="present" value="(\d+)"', form)
    response = secretary.client.post(
        link.group(1),
        data={
            "csrf_token": secretary.token,
            "held_on": re.search(r'name="held_on" type="date" value="([0-9-]+)"', form).group(1),
            "place": "Hội trường LĐLĐ tỉnh",
            "present": present,
            "nomination_ids": [str(i) for i in ids],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return secretary, response.headers["Location"]


def test_a_sitting_is_opened_counted_closed_and_signed_on_the_web(app, world, waiting):
    secretary, where = opened(app, waiting)
    page = secretary.text(where)
    assert "Biểu quyết công khai" in page  # the award's vote is not secret: the page says so
    assert "Bỏ phiếu kín" not in page
    first, second = waiting
    bad = {
        f"tally-{first}-yes": "9",
        f"tally-{first}-no": "0",
        f"tally-{second}-yes": "9",
        f"tally-{second}-no": "3",  # 12 ballots from 9 members
        "version": version_of(page),
        "close": "1",
    }
    refused = secretary.post(where, bad)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert f"hồ sơ số {second}" in text
    assert f'name="tally-{second}-no" inputmode="numeric"' in text
    assert re.search(rf'name="tally-{second}-no"[^>]*value="3"', text)  # kept as typed
    assert "Đồng ý: cùng không đồng ý và không ý kiến là 12 phiếu, nhiều hơn số có mặt (9)" in text
    assert text.count('<tr class="invalid">') == 1  # the wrong row marked where it is
    words = bad | {
        f"tally-{first}-yes": "năm",
        f"tally-{first}-no": "-1",
        "version": version_of(text),
    }
    refused = secretary.post(where, words)
    assert refused.status_code == 422
    said = html.unescape(refused.get_data(as_text=True))
    assert f"Số phiếu phải là số nguyên không âm (hồ sơ số {first}: Đồng ý, Không đồng ý)." in said
    assert said.count('<tr class="invalid">') == 1
    text = said
    fixed = bad | {f"tally-{second}-no": "0", "version": version_of(text)}
    closed = secretary.post(where, fixed)
    assert closed.status_code == 302
    page = secretary.text(where)
    assert "Biên bản số 01/BB-HĐTĐKT" in page or "01/BB-HĐTĐKT" in page
    secretary.post("/lang", {"lang": "en"})
    assert "Passed" in secretary.text(where)  # a vote passes; a rule is met
    secretary.post("/lang", {"lang": "vi"})
    minutes = secretary.get(where + "/minutes.pdf")
    assert minutes.status_code == 200
    text = " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(minutes.get_data())).pages
    ).split()
    assert "Đặng" in text

    decider = WebClient(app, "decider_prov")
    sitting_id = where.rsplit("/", 1)[1]
    form = decider.text(f"/decisions/new?sitting={sitting_id}")
    assert f'value="{first}" checked' in form
    signed = decider.post(
        "/decisions/new",
        {
            "nomination_ids": [str(first), str(second)],
            "signed_on": re.search(r'name="signed_on" type="date" value="([0-9-]+)"', form).group(
                1
            ),
        },
    )
    assert signed.status_code == 302, signed.get_data(as_text=True)[:2000]
    decision = signed.headers["Location"]
    register = decider.text("/council/PROV/register")
    year = re.search(r'<option value="(\d+)" selected', register).group(1)
    assert f"1/{year}" in register
    assert f"2/{year}" in register
    ahead = decider.text("/council/PROV/register?year=2090")  # headed 2090, listed 2090
    assert "năm 2090" in ahead
    assert '<option value="2090" selected>' in ahead
    workbook = load_workbook(
        io.BytesIO(decider.get(f"/council/PROV/register.xlsx?year={year}").get_data())
    )
    cells = [c.value for row in workbook.active.iter_rows() for c in row]
    assert any("Đặng Thị Thu Hà" in str(value) for value in cells)
    assert f"1/{year}" in cells  # the entry as the page and the PDF write it
    book = pdf_text(decider.get(f"/council/PROV/register.pdf?year={year}").get_data())
    assert f"1/{year}" in book
    assert "Tiền thưởng" in book
    certificates = decider.get(decision + "/certificates.pdf")
    pages = PdfReader(io.BytesIO(certificates.get_data())).pages
    assert len(pages) == 2
    world.session.expire_all()
    assert {world.session.get(Nomination, nid).state for nid in waiting} == {"awarded"}


def test_others_do_not_see_the_council_or_its_sittings(app, world, waiting):
    _, where = opened(app, waiting)
    officer = WebClient(app, "officer1")
    assert officer.get("/council/PROV").status_code == 404
    assert officer.get(where).status_code == 404
    assert officer.get("/council/PROV/register").status_code == 404
    reviewer = WebClient(app, "rev_prov")
    assert reviewer.get(where).status_code == 404
    admin = WebClient(app, "admin")  # runs the council's roster, does not read its register
    assert admin.get("/council/PROV/register").status_code == 404
    assert "/council/PROV/register" not in admin.text("/council/PROV")
    assert "/council/PROV/register" in WebClient(app, "decider_prov").text("/council/PROV")


def test_the_certificate_layout_keeps_what_was_typed_on_an_error(app, world):
    admin = WebClient(app, "admin")
    refused = admin.post("/council/PROV/certificate", {"name.x": "500", "name.size": "20,5"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'value="500"' in text
    assert 'value="20,5"' in text
    assert text.count("Họ tên / tên tập thể") >= 1
    assert "Họ tên / tên tập thể, Họ tên / tên tập thể" not in text  # each line named once
    assert "(size)" not in text  # labels for screen readers in words
    assert "(x)" not in text
    not_a_number = admin.post("/council/PROV/certificate", {"name.x": "năm", "name.y": "?"})
    assert "Vị trí và cỡ chữ phải là số: Họ tên / tên tập thể." in html.unescape(
        not_a_number.get_data(as_text=True)
    )
    saved = admin.post(
        "/council/PROV/certificate", {"name.x": "25", "name.size": "20,5", "preprinted": "1"}
    )
    assert saved.status_code == 302
    page = admin.text("/council/PROV/certificate")
    assert 'value="20,5"' in page  # as a Vietnamese page writes it, and as it was typed
    assert 'name="preprinted" value="1" checked' in page


def test_the_notice_list_holds_a_nomination_until_its_notice_ends_then_lists_it_as_ended(
    app, world, monkeypatch
):
    """The day before its notice ends it is still on notice; on that day, the first it can be
    signed, it is no longer "đang công khai" (it was printed as such until signed) and
    waits for the decision apart, as the signing page lists it."""
    nid = world.nominate(name="Công Khai Hạn")
    world.to_notice(nid)
    ends = world.session.get_one(Nomination, nid).notice_ends_on
    world.session.rollback()
    council = WebClient(app, "council_prov")
    for day, still in ((ends - timedelta(days=1), True), (ends, False)):
        monkeypatch.setenv("KHENTHUONG_NOW", f"{day.isoformat()}T03:00:00+00:00")
        page = council.text("/notice")
        printed, _, ended = page.partition("Đã hết thời hạn công khai, chờ ký quyết định")
        assert ("Công Khai Hạn" in printed) is still, day
        assert ("Công Khai Hạn" in ended) is not still, day


def test_opening_a_sitting_of_a_council_with_no_members_says_what_to_do_first(app, world):
    nid = world.nominate(name="Chờ Hội Đồng")
    world.to_council(nid)
    campaign_id = world.session.get_one(Nomination, nid).campaign_id
    world.session.rollback()
    form = WebClient(app, "council_prov").text(f"/council/PROV/sittings/new?campaign={campaign_id}")
    assert "Hội đồng chưa có thành viên nào vào ngày họp" in form
    assert 'href="/council/PROV"' in form


def test_opening_a_sitting_with_nothing_waiting_says_so_instead_of_a_form(app, world):
    """After the last dossier was voted on, the form offered an empty list and refused it as
    a field left wrong; it now says nothing waits, and a crafted post says none was chosen."""
    world.seat_council()
    nid = world.nominate(name="Đã Biểu Quyết")
    world.to_notice(nid)
    campaign_id = world.session.get_one(Nomination, nid).campaign_id
    world.session.rollback()
    council = WebClient(app, "council_prov")
    form = council.text(f"/council/PROV/sittings/new?campaign={campaign_id}")
    assert "Không có hồ sơ nào đang chờ Hội đồng xét" in form
    assert "Mở phiên họp</button>" not in form
    sent = council.post(
        f"/council/PROV/sittings/new?campaign={campaign_id}",
        {"campaign": str(campaign_id), "held_on": "2025-11-20", "place": "Hội trường"},
    )
    assert sent.status_code == 422
    assert "(chưa chọn)" in html.unescape(sent.get_data(as_text=True))


def test_the_council_counts_what_waits_in_the_readers_language(app, world):
    world.to_council(world.nominate(award="BK0"))
    world.seat_council()
    world.session.rollback()
    secretary = WebClient(app, "council_prov")
    assert re.search(r": 1 hồ sơ —", secretary.text("/council/PROV"))
    secretary.post("/lang", {"lang": "en", "next": "/council/PROV"})
    assert re.search(r": 1 nomination —", secretary.text("/council/PROV"))
    world.to_council(world.nominate(award="BK0", name="Nguyễn Văn Bình"))
    world.session.rollback()
    assert re.search(r": 2 nominations —", secretary.text("/council/PROV"))


def test_written_votes_are_shown_wherever_the_vote_is(app, world, monkeypatch):
    """Else "2/9" is read on the notice list beside a nomination that passed with 8."""
    nid = world.nominate()
    world.to_council(nid)
    vote = {"members": 9, "present": 2, "yes": 2, "no": 0, "abstain": 0, "written_yes": 6}
    world.fire(nid, "vote", "council_prov", vote=vote)
    world.session.rollback()
    monkeypatch.setenv("KHENTHUONG_NOW", f"{world.now.date().isoformat()}T03:00:00+00:00")
    council = WebClient(app, "council_prov")
    assert "2 (+6 bằng văn bản)/9 đồng ý (2 có mặt)" in council.text(f"/nominations/{nid}")
    assert "2 (+6 bằng văn bản)/9" in council.text("/notice")


def test_the_tally_sheet_says_a_secret_ballot_when_the_award_has_one(app, world, waiting):
    world.session.execute(
        update(AwardType).where(AwardType.code == "BK0").values(secret_ballot=True)
    )
    world.session.commit()
    secretary, where = opened(app, waiting)
    page = secretary.text(where)
    assert "Bỏ phiếu kín: chỉ ghi số phiếu của từng hồ sơ." in page
    assert "Biểu quyết công khai" not in page


def test_a_refused_council_member_keeps_what_was_typed(app, world):
    world.seat_council()
    unit_id = world.user("council_prov").assignments[0].unit_id
    world.session.rollback()
    typed = {
        "full_name": "Nguyễn Văn Mới",
        "position": "Phó Chủ tịch",
        "duty": "member",
        "username": "khong_co_ai",
        "valid_from": "2026-01-05",
    }
    refused = WebClient(app, "admin").post(f"/council/units/{unit_id}/members", typed)
    assert refused.status_code == 422, refused.status_code
    page = refused.get_data(as_text=True)
    for name in ("full_name", "position", "username", "valid_from"):
        assert f'value="{typed[name]}"' in page, name
    assert "Không có tài khoản &#39;khong_co_ai&#39;." in page  # not "… để làm thay" (substitutes)


def test_a_seat_links_only_an_account_of_the_councils_own_units(app, world):
    """A branch admin seating the province's council secretary on their own council learnt
    that the account existed; it is now as unknown as one that does not."""
    world.add_user("admin_br1", "admin", "BR1")
    world.add_user("council_br1", "council", "BR1")
    branch = world.unit("BR1").id
    world.session.commit()
    admin = WebClient(app, "admin_br1")
    typed = {"full_name": "Nguyễn Văn Mới", "position": "Ủy viên", "duty": "member",
             "valid_from": "2026-01-05"}  # fmt: skip
    elsewhere = admin.post(f"/council/units/{branch}/members", typed | {"username": "council_prov"})
    nobody = admin.post(f"/council/units/{branch}/members", typed | {"username": "khong_co_ai"})
    assert (elsewhere.status_code, nobody.status_code) == (422, 422)
    assert "Không có tài khoản &#39;council_prov&#39;." in elsewhere.get_data(as_text=True)
    own = admin.post(f"/council/units/{branch}/members", typed | {"username": "council_br1"})
    assert own.status_code == 302
