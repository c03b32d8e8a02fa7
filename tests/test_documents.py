"""Generated documents (Decree 30/2020/NĐ-CP): the decision, the proposal letter (tờ trình)
and the council's minutes (biên bản), read back from Word with python-docx and from PDF
with pypdf, so what an office signs says exactly what the system recorded.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from marshmallow import ValidationError
from pypdf import PdfReader
from sqlalchemy import select

from rules.money import vnd, vnd_words
from tests.api_client import ApiClient
from tests.factories import CAMPAIGN, FAIL_VOTE, PASS_VOTE, World
from tests.web_client import WebClient
from workflow.campaign_schema import CampaignSchema
from workflow.decisions import DecisionLine
from workflow.documents import formal, render
from workflow.documents.batches import forwarded_batches
from workflow.documents.decision import DecisionInput, build_decision, decision_document
from workflow.documents.minutes import MinutesInput, MinutesLine, build_minutes, minutes_document
from workflow.documents.model import Row, Table
from workflow.documents.proposal import (
    ProposalInput,
    ProposalLine,
    build_proposal,
    proposal_document,
)
from workflow.errors import InvalidInput, NotFound
from workflow.models import AwardType, Campaign, Unit
from workflow.votes import VoteRecord

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALL_YES = {"members": 9, "present": 9, "yes": 9, "no": 0, "abstain": 0}
NFD_NAME = unicodedata.normalize("NFD", "Lê Văn Cường")  # typed on a decomposing keyboard


def words(text: str) -> str:
    """Lines wrap anywhere in a PDF: compare with whitespace collapsed."""
    return " ".join(text.split())


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return words("\n".join(parts))


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return words("\n".join(page.extract_text() for page in reader.pages))


def both(document: Any) -> tuple[str, str]:
    """The same model rendered twice and read back: (Word text, PDF text)."""
    return docx_text(render(document, "docx")[0]), pdf_text(render(document, "pdf")[0])


def assert_says(texts: tuple[str, ...], expected: list[str]) -> None:
    for text in texts:
        missing = [e for e in expected if words(e) not in text]
        assert not missing, f"missing {missing} in {text[:3000]}"


# --- the data: real names, so the documents read as an office's would ------------------------


def realistic(world: World) -> None:
    session = world.session
    names = {
        "TLD": "Tổng Liên đoàn Lao động Việt Nam",
        "PROV": "Liên đoàn Lao động tỉnh Đắk Lắk",
        "BR1": "Công đoàn Viên chức tỉnh Đắk Lắk",
        "CS1": "Công đoàn cơ sở Sở Kế hoạch và Đầu tư",
        "CS4": "Công đoàn cơ sở Công ty Cà phê Buôn Ma Thuột",
    }
    for unit in session.scalars(select(Unit).where(Unit.code.in_(names))):
        unit.name = names[unit.code]
    world.user("decider_prov").full_name = "Đặng Quốc Bảo"
    titles = {
        "BK": "Bằng khen của Ban Chấp hành Liên đoàn Lao động tỉnh Đắk Lắk",
        "CO": "Tập thể lao động xuất sắc",
    }
    for award in session.scalars(select(AwardType).where(AwardType.code.in_(titles))):
        award.bonus_coefficient = "1.0" if award.code == "BK" else "1.5"
        award.title = titles[award.code]
    session.commit()


def through_council(world: World, nid: int, vote: dict[str, int] = PASS_VOTE) -> None:
    world.to_council(nid)
    world.fire(nid, "vote", "council_prov", vote=vote)


def collective(world: World, vote: dict[str, int] = ALL_YES) -> int:
    """A collective from CS4, which sends straight to the province (its first and last tier)."""
    nid = world.nominate("officer4", "CO", name="Phòng Kế hoạch - Kinh doanh")
    world.fire(nid, "submit", "officer4")
    world.fire(nid, "approve", "rev_prov")
    world.fire(nid, "vote", "council_prov", vote=vote)
    return nid


@pytest.fixture
def decided(world: World) -> dict[str, Any]:
    """Two individuals through BR1 and a collective from CS4, decided together."""
    realistic(world)
    first = world.nominate(name="Trần Thị Bích Ngọc", nominee={"position": "Chuyên viên"})
    second = world.nominate(name=NFD_NAME, nominee={"position": "Kế toán trưởng"})
    for nid in (first, second):
        through_council(world, nid)
    group = collective(world)
    decision = world.sign([first, second, group])
    found = {
        "id": decision.id,
        "number": decision.number,
        "signed_on": decision.signed_on,
        "campaign_id": world.session.scalar(select(Campaign.id).where(Campaign.code == CAMPAIGN)),
    }
    world.session.rollback()  # SQLite: a reading transaction would hold the write lock
    return found


# --- the decision --------------------------------------------------------------------------------


def test_the_decision_says_the_number_names_amounts_total_and_words(world, decided):
    document = decision_document(
        world.session, world.user("decider_prov"), decided["id"], decided["signed_on"]
    )
    bk, co = 2_340_000, 3_510_000  # 1.0 and 1.5 × lương cơ sở 2,340,000 (from 01/07/2024)
    total = 2 * bk + co
    day = decided["signed_on"]
    expected = [
        "Số: 01/QĐ-PROV",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM",
        "LIÊN ĐOÀN LAO ĐỘNG TỈNH ĐẮK LẮK",
        f"Đắk Lắk, ngày {day.day:02d} tháng {day.month} năm {day.year}",
        "QUYẾT ĐỊNH",
        "Về việc khen thưởng tập thể, cá nhân có thành tích xuất sắc trong Thi đua năm 2025",
        "BAN THƯỜNG VỤ LIÊN ĐOÀN LAO ĐỘNG TỈNH ĐẮK LẮK",
        "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15 tháng 6 năm 2022;",
        "Căn cứ Nghị định số 98/2023/NĐ-CP",
        "Căn cứ Điều lệ Công đoàn Việt Nam;",
        "Căn cứ Quyết định số 999/QĐ-TLĐ ngày 29 tháng 5 năm 2024 của Đoàn Chủ tịch Tổng Liên "
        "đoàn Lao động Việt Nam ban hành Quy chế khen thưởng của tổ chức Công đoàn;",
        "Xét đề nghị của Công đoàn Viên chức tỉnh Đắk Lắk, Công đoàn cơ sở Công ty Cà phê Buôn "
        "Ma Thuột và Hội đồng Thi đua - Khen thưởng Liên đoàn Lao động tỉnh Đắk Lắk.",
        "QUYẾT ĐỊNH:",
        "Điều 1. Tặng Bằng khen của Ban Chấp hành Liên đoàn Lao động tỉnh Đắk Lắk cho 02 cá "
        'nhân; Công nhận danh hiệu "Tập thể lao động xuất sắc" cho 01 tập thể (có danh sách '
        "kèm theo)",
        "Điều 2.",
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký./.",
        "Nơi nhận:",
        "- Như Điều 2;",
        "- Tổng Liên đoàn Lao động Việt Nam (để báo cáo);",
        "- Lưu: VT.",
        "TM. BAN THƯỜNG VỤ",
        "CHỦ TỊCH",
        "Đặng Quốc Bảo",
        "DANH SÁCH",
        f"(Kèm theo Quyết định số 01/QĐ-PROV {formal.long_date(day)})",
        "Trần Thị Bích Ngọc",
        "Lê Văn Cường",
        "Phòng Kế hoạch - Kinh doanh",
        "Kế toán trưởng",
        "Công đoàn cơ sở Sở Kế hoạch và Đầu tư",
        vnd(bk),
        vnd(co),
        "Tổng cộng",
        vnd(total),
        f"Bằng chữ: {vnd_words(total)}.",
        "Tám triệu một trăm chín mươi nghìn đồng",
    ]
    word, pdf = both(document)
    assert_says((word, pdf), expected)
    for text in (word, pdf):
        assert NFD_NAME not in text  # stored decomposed, printed composed (NFC)
        assert text.count(vnd(bk)) == 2


def test_the_amounts_are_those_of_the_decision_page(world, decided):
    """The document reuses the page's computation: same lines, same total."""
    from workflow.decisions import decision_view

    day = decided["signed_on"]
    view = decision_view(world.session, world.user("decider_prov"), decided["id"], day)
    word = docx_text(
        render(
            decision_document(world.session, world.user("decider_prov"), decided["id"], day),
            "docx",
        )[0]
    )
    assert_says((word,), [vnd(line.amount or 0) for line in view.lines] + [vnd(view.total)])
    assert view.total_words in word


def test_the_word_file_is_times_new_roman_on_a4_with_decree_margins(world, decided):
    document = decision_document(
        world.session, world.user("decider_prov"), decided["id"], decided["signed_on"]
    )
    word = docx.Document(io.BytesIO(render(document, "docx")[0]))
    section = word.sections[0]
    sizes = (
        section.page_width,
        section.page_height,
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    )
    assert [round(size.mm, 1) for size in sizes] == [210, 297, 20, 20, 30, 15]  # stored in twips
    fonts = word.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    normal = word.styles["Normal"].element.rPr.rFonts
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        assert fonts.get(qn(slot)) == normal.get(qn(slot)) == "Times New Roman"
    assert word.styles["Normal"].font.name == "Times New Roman"
    assert word.core_properties.title == "Quyết định số 01/QĐ-PROV"


def test_the_pdf_embeds_its_fonts_on_a4(world, decided):
    document = decision_document(
        world.session, world.user("decider_prov"), decided["id"], decided["signed_on"]
    )
    reader = PdfReader(io.BytesIO(render(document, "pdf")[0]))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    fonts = page["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        assert "LiberationSerif" in font["/BaseFont"]
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # embedded TrueType: diacritics print anywhere
    assert len(reader.pages) >= 2  # the attached list starts on its own page


def test_a_campaign_definition_sets_bases_recipients_place_and_signer(world, decided):
    campaign = world.session.get(Campaign, decided["campaign_id"])
    campaign.definition = {
        "documents": {
            "legal_bases": ["Căn cứ Quyết định số 1234/QĐ-TLĐ ngày 01/02/2024 của Đoàn Chủ tịch"],
            "recipients": ["Các Ban, Văn phòng LĐLĐ tỉnh"],
            "place": "Buôn Ma Thuột",
            "signer_capacity": "KT. CHỦ TỊCH",
            "signer_title": "PHÓ CHỦ TỊCH",
        }
    }
    world.session.commit()
    document = decision_document(
        world.session, world.user("decider_prov"), decided["id"], decided["signed_on"]
    )
    word = docx_text(render(document, "docx")[0])
    assert_says(
        (word,),
        [
            "Căn cứ Quyết định số 1234/QĐ-TLĐ ngày 01/02/2024 của Đoàn Chủ tịch;",
            "- Các Ban, Văn phòng LĐLĐ tỉnh;",
            "Buôn Ma Thuột, ngày",
            "KT. CHỦ TỊCH",
            "PHÓ CHỦ TỊCH",
        ],
    )
    assert "98/2023/NĐ-CP" not in word
    assert "Đắk Lắk, ngày" not in word


def test_only_the_units_decider_council_and_auditors_take_the_decision(world, decided):
    day = decided["signed_on"]
    for who in ("decider_prov", "council_prov", "auditor_prov"):
        decision_document(world.session, world.user(who), decided["id"], day)
    for who in ("officer1", "rev_br1", "rev_prov", "auditor_br1", "decider_tld"):
        with pytest.raises(NotFound):
            decision_document(world.session, world.user(who), decided["id"], day)
    with pytest.raises(NotFound):
        decision_document(world.session, world.user("decider_prov"), 999_999, day)


# --- the proposal letter (tờ trình) --------------------------------------------------------------


def test_the_proposal_letter_lists_what_the_unit_forwarded_without_a_later_vote(world, decided):
    session, campaign = world.session, decided["campaign_id"]
    br1 = session.scalar(select(Unit).where(Unit.code == "BR1"))
    document = proposal_document(
        session, world.user("rev_br1"), br1.id, campaign, decided["signed_on"]
    )
    expected = [
        "CÔNG ĐOÀN VIÊN CHỨC TỈNH ĐẮK LẮK",
        "/TTr-BR1",
        "Đắk Lắk, ngày",
        "TỜ TRÌNH",
        "Về việc đề nghị khen thưởng cá nhân có thành tích xuất sắc trong Thi đua năm 2025",
        "Kính gửi: Liên đoàn Lao động tỉnh Đắk Lắk",
        "khen thưởng 02 cá nhân",
        "Trần Thị Bích Ngọc",
        "Lê Văn Cường",
        "Chuyên viên",
        "Bằng khen của Ban Chấp hành Liên đoàn Lao động tỉnh Đắk Lắk",
        "Kính trình Liên đoàn Lao động tỉnh Đắk Lắk xem xét, quyết định./.",
        "TM. BAN CHẤP HÀNH",
        "CHỦ TỊCH",
        "- Như trên;",
    ]
    word, pdf = both(document)
    assert_says((word, pdf), expected)
    assert "Phòng Kế hoạch - Kinh doanh" not in word  # CS4 sent it straight to the province
    assert "8/9" not in word  # the province's council voted later: not this tier's vote
    assert document.file_stem.startswith("TTr-BR1-C2025-")


def test_a_cdcs_letter_lists_its_own_submissions(world, decided):
    cs1 = world.session.scalar(select(Unit).where(Unit.code == "CS1"))
    document = proposal_document(
        world.session, world.user("officer1"), cs1.id, decided["campaign_id"], decided["signed_on"]
    )
    word, pdf = both(document)
    assert_says(
        (word, pdf),
        ["/TTr-CS1", "Kính gửi: Công đoàn Viên chức tỉnh Đắk Lắk", "Trần Thị Bích Ngọc"],
    )


def test_one_days_letter_lists_only_that_days_forwarding(world):
    realistic(world)
    early = world.nominate(name="Nguyễn Thị Hoa")
    world.fire(early, "submit", "officer1")
    world.fire(early, "approve", "rev_br1")
    world.tick(days=3)
    late = world.nominate(name="Phạm Văn Đông")
    world.fire(late, "submit", "officer1")
    world.fire(late, "approve", "rev_br1")
    br1 = world.session.scalar(select(Unit).where(Unit.code == "BR1"))
    batches = forwarded_batches(world.session, br1)
    assert [b.count for b in batches] == [1, 1]
    newest, oldest = batches
    campaign = newest.campaign.id
    reviewer = world.user("rev_br1")
    one_day = proposal_document(
        world.session, reviewer, br1.id, campaign, newest.day, on=oldest.day
    )
    text = docx_text(render(one_day, "docx")[0])
    assert "Nguyễn Thị Hoa" in text
    assert "Phạm Văn Đông" not in text
    assert formal.long_date(oldest.day) in text
    whole = docx_text(
        render(proposal_document(world.session, reviewer, br1.id, campaign, newest.day), "docx")[0]
    )
    assert "Nguyễn Thị Hoa" in whole
    assert "Phạm Văn Đông" in whole


def test_a_letter_goes_only_to_who_forwarded_the_batch(world, decided):
    session, campaign, day = world.session, decided["campaign_id"], decided["signed_on"]
    units = {u.code: u.id for u in session.scalars(select(Unit))}
    proposal_document(session, world.user("auditor_prov"), units["BR1"], campaign, day)
    for who, unit in (("rev_br2", "BR1"), ("officer2", "CS1"), ("rev_br1", "CS1")):
        with pytest.raises(NotFound):
            proposal_document(session, world.user(who), units[unit], campaign, day)
    with pytest.raises(NotFound):  # BR2 forwarded nothing
        proposal_document(session, world.user("rev_br2"), units["BR2"], campaign, day)


# --- the minutes (biên bản) ------------------------------------------------------------------------


def test_the_minutes_record_each_vote_and_its_outcome(world):
    realistic(world)
    passed = world.nominate(name="Trần Thị Bích Ngọc")
    through_council(world, passed)
    failed = world.nominate(name="Võ Văn Kiệt Tường")
    through_council(world, failed, FAIL_VOTE)
    collective(world)
    prov = world.session.scalar(select(Unit).where(Unit.code == "PROV"))
    campaign = world.session.scalar(select(Campaign.id).where(Campaign.code == CAMPAIGN))
    document = minutes_document(
        world.session, world.user("council_prov"), prov.id, campaign, world.now.date()
    )
    expected = [
        "LIÊN ĐOÀN LAO ĐỘNG TỈNH ĐẮK LẮK",
        "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG",
        "/BB-HĐTĐKT",
        "BIÊN BẢN HỌP HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG",
        "Thời gian:",
        "Địa điểm: trụ sở Liên đoàn Lao động tỉnh Đắk Lắk.",
        "Tổng số thành viên Hội đồng: 9; có mặt: từ 7 đến 9; vắng mặt: từ 0 đến 2.",
        "Trần Thị Bích Ngọc",
        "Võ Văn Kiệt Tường",
        "Phòng Kế hoạch - Kinh doanh",
        "8/9 (88,9%)",  # PASS_VOTE: 8 of all 9 members, threshold 2/3 of members
        "5/9 (55,6%)",  # FAIL_VOTE: 5 of all 9 members
        "9/9 (100,0%)",
        "Đạt",
        "Không đạt",
        "Bằng khen của Ban Chấp hành Liên đoàn Lao động tỉnh Đắk Lắk: từ 2/3 tổng số thành "
        "viên Hội đồng",
        "Tập thể lao động xuất sắc: từ 9/10 tổng số thành viên Hội đồng",
        "Hội đồng thống nhất đề nghị khen thưởng 01 tập thể và 01 cá nhân",
        "01 cá nhân không đạt tỷ lệ biểu quyết",
        "THƯ KÝ",
        "CHỦ TRÌ",
    ]
    word, pdf = both(document)
    assert_says((word, pdf), expected)
    tables = docx.Document(io.BytesIO(render(document, "docx")[0])).tables
    rows = next(t for t in tables if t.rows[0].cells[0].text == "TT").rows
    counts = {row.cells[1].text: [c.text for c in row.cells[4:]] for row in rows[1:]}
    assert counts["Võ Văn Kiệt Tường"] == ["5", "2", "0", "5/9 (55,6%)", "Không đạt"]
    assert counts["Trần Thị Bích Ngọc"] == ["8", "1", "0", "8/9 (88,9%)", "Đạt"]
    for who in ("decider_prov", "auditor_prov"):
        minutes_document(world.session, world.user(who), prov.id, campaign, world.now.date())
    for who in ("rev_prov", "council_tld", "officer1"):
        with pytest.raises(NotFound):
            minutes_document(world.session, world.user(who), prov.id, campaign, world.now.date())


LEGACY_DAY = datetime(2023, 11, 20, 2, tzinfo=UTC)  # 09:00 in Hà Nội, under Decree 91/2017
ONE_ABSENT_IN_WRITING = {
    "members": 9, "present": 8, "yes": 8, "no": 0, "abstain": 0, "written_yes": 1,
}  # fmt: skip


@pytest.fixture
def secret_ninety(world: World) -> AwardType:
    """CSTĐ tỉnh's rule (ND 91/2017 k.8 Đ.45): secret ballot, ≥ 90 % of all members."""
    realistic(world)
    award = world.session.scalar(select(AwardType).where(AwardType.code == "BK"))
    award.vote_ratio_num, award.vote_ratio_den, award.secret_ballot = 90, 100, True
    world.session.commit()
    return award


def test_an_absent_members_written_vote_reaches_100_percent_and_the_minutes_say_secret(
    world, secret_ninety
):
    """Acceptance (issue 14): 9 members, one absent voting in writing, under the legacy regime."""
    world.now = LEGACY_DAY
    nid = world.nominate(name="Nguyễn Thị Ánh Tuyết")
    world.to_council(nid)
    assert world.fire(nid, "vote", "council_prov", vote=ONE_ABSENT_IN_WRITING).state == "on_notice"
    prov = world.session.scalar(select(Unit).where(Unit.code == "PROV"))
    campaign = world.session.scalar(select(Campaign.id).where(Campaign.code == CAMPAIGN))
    document = minutes_document(
        world.session, world.user("council_prov"), prov.id, campaign, world.now.date()
    )
    word, pdf = both(document)
    assert_says(
        (word, pdf),
        [
            "Tổng số thành viên Hội đồng: 9; có mặt: 8; vắng mặt: 1, trong đó 1 có ý kiến bằng "
            "văn bản.",
            "Hình thức biểu quyết: bỏ phiếu kín.",
            "8 (+1 bằng văn bản)",
            "9/9 (100,0%)",
            "Đạt",
        ],
    )


def test_without_a_rule_for_written_votes_they_do_not_count(world, secret_ninety):
    """Before Decree 91/2017 the brief knows no rule letting absent members vote in writing:
    8 of 9 is 88.9 %, under 90 %."""
    world.now = datetime(2017, 7, 1, 2, tzinfo=UTC)
    nid = world.nominate()
    world.to_council(nid)
    assert world.fire(nid, "vote", "council_prov", vote=ONE_ABSENT_IN_WRITING).state == "rejected"


def test_a_provincial_council_has_at_most_nine_members(world, secret_ninety):
    world.now = LEGACY_DAY
    nid = world.nominate()
    world.to_council(nid)
    ten = {"members": 10, "present": 10, "yes": 10, "no": 0, "abstain": 0}
    with pytest.raises(InvalidInput) as err:
        world.fire(nid, "vote", "council_prov", vote=ten)
    assert "tối đa 9 thành viên (QĐ 2106/QĐ-TLĐ 2017, Điều 35)" in err.value.message_vi
    too_many_letters = {**ONE_ABSENT_IN_WRITING, "written_yes": 1, "written_no": 1}
    with pytest.raises(InvalidInput) as err:
        world.fire(nid, "vote", "council_prov", vote=too_many_letters)
    assert "Đồng ý bằng văn bản: 2 phiếu bằng văn bản, nhiều hơn số thành viên vắng mặt (1)" in (
        err.value.message_vi
    )


# --- the model, without a database -----------------------------------------------------------------


def test_dates_counts_shares_and_places_are_written_as_decree_30_says():
    assert formal.long_date(date(2025, 2, 5)) == "ngày 05 tháng 02 năm 2025"
    assert formal.long_date(date(2025, 3, 9)) == "ngày 09 tháng 3 năm 2025"
    assert formal.long_date(date(2025, 12, 15)) == "ngày 15 tháng 12 năm 2025"
    assert formal.nominees_phrase(["collective", "individual", "individual"]) == (
        "01 tập thể và 02 cá nhân"
    )
    assert formal.vote_share(8, 9) == "8/9 (88,9%)"
    assert formal.vote_share(1, 8) == "1/8 (12,5%)"
    assert formal.vote_share(2, 3) == "2/3 (66,7%)"
    parent = Unit(name="Liên đoàn Lao động thành phố Hồ Chí Minh")
    assert formal.place_of(Unit(name="Công đoàn cơ sở Trường THPT", parent=parent)) == (
        "Thành phố Hồ Chí Minh"
    )
    assert formal.place_of(Unit(name="Tổng Liên đoàn Lao động Việt Nam")) is None
    assert formal.ascii_stem("QĐ", "012", "LDLD DLK") == "Q-012-LDLD-DLK"


def test_the_tld_decides_through_its_presidium_and_titles_are_recognised_not_given():
    """sources.md §1.3 and §6: "TM. ĐOÀN CHỦ TỊCH" at the Tổng Liên đoàn; an emulation title
    is recognised ("Công nhận danh hiệu"), a form of reward is given ("Tặng")."""
    tld = formal.Issuer("Tổng Liên đoàn Lao động Việt Nam", "TLD", None, "Hà Nội", "tong_ldld")
    sample = sample_decision()
    word, pdf = both(build_decision(replace(sample, issuer=tld)))
    for text in (word, pdf):
        assert "ĐOÀN CHỦ TỊCH TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM" in text
        assert "TM. ĐOÀN CHỦ TỊCH" in text
        assert "BAN THƯỜNG VỤ" not in text
    province = docx_text(render(build_decision(sample), "docx")[0])
    assert "TM. BAN THƯỜNG VỤ" in province
    assert 'Công nhận danh hiệu "Chiến sĩ thi đua cơ sở" cho' in province
    assert 'Công nhận danh hiệu "Lao động tiên tiến" cho' in province


def test_every_string_enters_the_model_composed_and_tables_must_add_up():
    document = build_decision(sample_decision())
    assert unicodedata.normalize("NFC", document.title) == document.title
    for text in both(build_decision(sample_decision())):
        assert "Lê Văn Cường" in text
        assert NFD_NAME not in text
    with pytest.raises(ValueError, match="spans"):
        Table(("A", "B"), (1, 1), ("left", "left"), (Row(("x",)),))


def test_the_documents_section_of_a_campaign_is_validated_and_optional():
    base = {
        "code": "C1",
        "title": "Thi đua",
        "issuer": {"code": "X", "name": "Đơn vị X", "level": "ldld_tinh"},
        "year": 2025,
    }
    loaded = CampaignSchema().load(
        {**base, "documents": {"place": "Đắk Lắk", "legal_bases": ["Căn cứ A"]}}
    )
    assert loaded["documents"]["place"] == "Đắk Lắk"
    assert "documents" not in CampaignSchema().dump(CampaignSchema().load(base))
    with pytest.raises(ValidationError, match="signer"):
        CampaignSchema().load({**base, "documents": {"signer": "x"}})


# --- the API and the pages -------------------------------------------------------------------------


def test_the_api_serves_the_decision_as_word_and_pdf(client, world, decided):
    decider = ApiClient(client, "decider_prov")
    path = f"/decisions/{decided['id']}/document"
    word = decider.get(path, query_string={"format": "docx"})
    assert word.status_code == 200, word.get_data(as_text=True)
    assert word.mimetype == DOCX
    disposition = word.headers["Content-Disposition"]
    assert 'filename="QD-01-2025-PROV.docx"' in disposition
    assert "filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20s%E1%BB%91%2001-Q" in disposition
    assert "Số: 01/QĐ-PROV" in docx_text(word.data)
    pdf = ApiClient(client, "auditor_prov").get(path, query_string={"format": "pdf"})
    assert (pdf.status_code, pdf.mimetype) == (200, "application/pdf")
    assert pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].startswith(
        'attachment; filename="QD-01-2025-PROV.pdf"'
    )
    for who in ("officer1", "rev_br2"):
        hidden = ApiClient(client, who).get(path, query_string={"format": "pdf"})
        assert hidden.status_code == 404
        assert hidden.json["error"]["code"] == "not_found"
    bad = decider.get(path, query_string={"format": "xlsx"})
    assert bad.status_code == 422
    assert bad.json["error"]["code"] == "invalid_input"
    assert decider.get(path).status_code == 422
    assert decider.get("/decisions/999999/document?format=pdf").status_code == 404
    spec = client.get("/api/v1/openapi.json").json["paths"]
    content = spec["/api/v1/decisions/{decision_id}/document"]["get"]["responses"]["200"]
    assert set(content["content"]) == {DOCX, "application/pdf"}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_pages_offer_each_document_to_whom_may_take_it(app, world, decided):
    decision_page = f"/decisions/{decided['id']}"
    decider = WebClient(app, "decider_prov")
    page = decider.text(decision_page)
    assert "Tải Quyết định (Word)" in page
    assert "Tải Quyết định (PDF)" in page
    word = decider.get(f"{decision_page}/document.docx")
    assert (word.status_code, word.mimetype) == (200, DOCX)
    assert "Tải Quyết định" not in WebClient(app, "officer1").text(decision_page)
    assert WebClient(app, "officer1").get(f"{decision_page}/document.pdf").status_code == 404
    assert decider.get(f"{decision_page}/document.xlsx").status_code == 404

    for who, start, label in (
        ("rev_br1", "/inbox", "Tải Tờ trình (PDF)"),
        ("officer1", "/", "Tải Tờ trình (PDF)"),
        ("council_prov", "/notice", "Tải Biên bản (PDF)"),
    ):
        person = WebClient(app, who)
        assert "/documents" in person.text(start), who  # each role's page leads there
        html = person.text("/documents")
        assert label in html, who
        link = (
            html[: html.index(label)].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        )
        served = person.get(link)
        assert (served.status_code, served.mimetype) == (200, "application/pdf"), link
        text = pdf_text(served.data)
        assert any(name in text for name in ("Trần Thị Bích Ngọc", "Lê Văn Cường")), text
    assert "Tải Tờ trình" not in WebClient(app, "rev_br2").text("/documents")
    wrong_day = WebClient(app, "rev_br1").get("/units/1/campaigns/1/proposal.pdf?day=x")
    assert wrong_day.status_code == 400
    assert "Ngày trong đường dẫn không hợp lệ: «x»" in wrong_day.get_data(as_text=True)


# --- screenshots (UPDATE_SCREENSHOTS=1 with poppler's pdftoppm) -----------------------------------


def sample_decision() -> DecisionInput:
    lines = (
        ("Phòng Kế hoạch - Tài chính", "", "Công đoàn cơ sở Sở Tài chính", "collective",
         "Tập thể lao động xuất sắc", 3_510_000),
        ("Trần Thị Bích Ngọc", "Chuyên viên", "Công đoàn cơ sở Sở Kế hoạch và Đầu tư",
         "individual", "Bằng khen của Ban Chấp hành Liên đoàn Lao động tỉnh", 2_340_000),
        (NFD_NAME, "Kế toán trưởng", "Công đoàn cơ sở Sở Kế hoạch và Đầu tư", "individual",
         "Bằng khen của Ban Chấp hành Liên đoàn Lao động tỉnh", 2_340_000),
        ("Hoàng Thị Thùy Dương", "Giáo viên", "Công đoàn cơ sở Trường THPT Buôn Ma Thuột",
         "individual", "Chiến sĩ thi đua cơ sở", 2_340_000),
        ("Nguyễn Đức Thắng", "Kỹ sư nông nghiệp", "Công đoàn cơ sở Công ty Cà phê Buôn Ma Thuột",
         "individual", "Lao động tiên tiến", 710_000),
    )  # fmt: skip
    total = sum(line[5] for line in lines)
    return DecisionInput(
        number="012/QĐ-LĐLĐ",
        signed_on=date(2025, 12, 5),
        issuer=formal.Issuer(
            "Liên đoàn Lao động tỉnh Đắk Lắk",
            "LDLD-DLK",
            "Tổng Liên đoàn Lao động Việt Nam",
            "Đắk Lắk",
        ),
        campaign_title="Phong trào thi đua yêu nước năm 2025",
        proposers=(
            "Công đoàn Viên chức tỉnh Đắk Lắk",
            "Liên đoàn Lao động thành phố Buôn Ma Thuột",
        ),
        signer_name="Đặng Quốc Bảo",
        lines=tuple(
            DecisionLine(i, name, position, unit, award, amount, kind)
            for i, (name, position, unit, kind, award, amount) in enumerate(lines, start=1)
        ),
        total=total,
        total_words=vnd_words(total),
        file_stem="QD-012-2025-LDLD-DLK",
    )


def sample_proposal() -> ProposalInput:
    return ProposalInput(
        issuer=formal.Issuer(
            "Công đoàn Viên chức tỉnh Đắk Lắk",
            "CDVC-DLK",
            "Liên đoàn Lao động tỉnh Đắk Lắk",
            "Đắk Lắk",
        ),
        recipient="Liên đoàn Lao động tỉnh Đắk Lắk",
        campaign_title="Phong trào thi đua yêu nước năm 2025",
        day=date(2025, 11, 18),
        lines=(
            ProposalLine(
                "Trần Thị Bích Ngọc",
                "individual",
                "Chuyên viên",
                "Công đoàn cơ sở Sở Kế hoạch và Đầu tư",
                "Bằng khen của Ban Chấp hành Liên đoàn Lao động tỉnh",
            ),
            ProposalLine(
                "Lê Văn Cường",
                "individual",
                "Kế toán trưởng",
                "Công đoàn cơ sở Sở Kế hoạch và Đầu tư",
                "Bằng khen của Ban Chấp hành Liên đoàn Lao động tỉnh",
            ),
            ProposalLine(
                "Phòng Kế hoạch - Tài chính",
                "collective",
                "",
                "Công đoàn cơ sở Sở Tài chính",
                "Tập thể lao động xuất sắc",
            ),
        ),
        file_stem="TTr-CDVC-DLK-20251118",
    )


def sample_minutes() -> MinutesInput:
    def line(name: str, kind: str, unit: str, award: str, yes: int, passed: bool) -> MinutesLine:
        vote = VoteRecord(9, 9, yes, 9 - yes, 0)
        threshold = "từ 2/3 tổng số thành viên Hội đồng"
        return MinutesLine(name, kind, unit, award, vote, 9, yes, threshold, passed, False)

    return MinutesInput(
        issuer=formal.Issuer(
            "Liên đoàn Lao động tỉnh Đắk Lắk",
            "LDLD-DLK",
            "Tổng Liên đoàn Lao động Việt Nam",
            "Đắk Lắk",
        ),
        campaign_title="Phong trào thi đua yêu nước năm 2025",
        first_day=date(2025, 11, 25),
        last_day=date(2025, 11, 25),
        lines=(
            line(
                "Trần Thị Bích Ngọc",
                "individual",
                "Công đoàn cơ sở Sở Kế hoạch và Đầu tư",
                "Bằng khen của Ban Chấp hành Liên đoàn Lao động tỉnh",
                9,
                True,
            ),
            line(
                "Lê Văn Cường",
                "individual",
                "Công đoàn cơ sở Sở Kế hoạch và Đầu tư",
                "Bằng khen của Ban Chấp hành Liên đoàn Lao động tỉnh",
                8,
                True,
            ),
            line(
                "Đỗ Văn Giang",
                "individual",
                "Công đoàn cơ sở Sở Tài chính",
                "Bằng khen của Ban Chấp hành Liên đoàn Lao động tỉnh",
                4,
                False,
            ),
        ),
        file_stem="BB-HDTDKT-LDLD-DLK-20251125",
    )


@pytest.mark.skipif(
    not os.environ.get("UPDATE_SCREENSHOTS") or shutil.which("pdftoppm") is None,
    reason="screenshots are refreshed on purpose: UPDATE_SCREENSHOTS=1 and poppler's pdftoppm",
)
def test_screenshots_of_the_documents(tmp_path):
    pages = {
        "document-decision": (build_decision(sample_decision()), {1: "", 2: "-list"}),
        "document-proposal": (build_proposal(sample_proposal()), {1: ""}),
        "document-minutes": (build_minutes(sample_minutes()), {1: ""}),
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, (document, wanted) in pages.items():
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(render(document, "pdf")[0])
        for number, suffix in wanted.items():
            out = SCREENSHOTS / f"{name}{suffix}"
            subprocess.run(
                ["pdftoppm", "-png", "-r", "90", "-f", str(number), "-l", str(number),
                 "-singlefile", str(pdf), str(out)],
                check=True,
            )  # fmt: skip
            assert out.with_suffix(".png").stat().st_size > 10_000


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_auditor_picks_a_unit_below_and_finds_its_documents(app, world, decided):
    auditor = WebClient(app, "auditor_prov")
    assert "/documents" in auditor.text("/")
    page = auditor.text("/documents")
    assert 'name="unit"' in page
    # Opened without a choice: the documents of the unit the list shows chosen, not nothing.
    assert "Tải Biên bản (PDF)" in page
    assert '<option value="PROV" selected>' in page
    branch = auditor.text("/documents?unit=BR1")
    assert "Tải Tờ trình (PDF)" in branch
    assert "Tải Biên bản (PDF)" in auditor.text("/documents?unit=PROV")
    assert auditor.get("/documents?unit=NOPE").status_code == 404
    assert WebClient(app, "auditor_br1").get("/documents?unit=PROV").status_code == 404


def test_a_letters_blank_number_writes_the_units_abbreviation_not_its_code(world):
    """ "      /TTr-CĐCS", as "05/QĐ-LĐLĐ" is numbered: "/TTr-CDCS-SKHDT" printed an internal
    code on a letter."""
    unit = world.session.scalar(select(Unit).where(Unit.code == "CS1"))
    unit.abbreviation = "CĐCS"
    issuer = formal.issuer_of(unit)
    assert formal.blank_number("TTr", issuer.abbreviation) == " " * 8 + "/TTr-CĐCS"
    world.session.rollback()


def test_the_register_book_prints_each_bonus_and_the_total_of_those_kept() -> None:
    """As the register's Excel has it; a revoked award's bonus is recovered, so the total
    leaves it out while its line stays in the book."""
    from workflow.documents.register_book import register_document
    from workflow.register import RegisterLine

    def line(entry: int, name: str, amount: int | None, revoked: bool = False) -> RegisterLine:
        return RegisterLine(
            f"{entry}/2026", entry, name, "individual", "", "Công đoàn Sở Y tế",
            "Bằng khen của Ban Chấp hành LĐLĐ tỉnh", 7, "12/QĐ-LĐLĐ", date(2026, 11, 20),
            amount, revoked,
        )  # fmt: skip

    book = register_document(
        Unit(name="Liên đoàn Lao động tỉnh", code="PROV"),
        2026,
        [line(1, "Võ Thị Lan", 1_490_000), line(2, "Đỗ Văn Hùng", 1_490_000, revoked=True),
         line(3, "Tổ Điều dưỡng", None)],
    )  # fmt: skip
    for text in both(book):
        assert "Tiền thưởng" in text
        assert "(đồng)" not in text  # each amount says "đ"
        assert text.count(vnd(1_490_000)) == 3  # two lines and the total
        assert f"Tổng cộng (không tính mục đã hủy bỏ) {vnd(1_490_000)}" in text
        assert "Đã hủy bỏ" in text
