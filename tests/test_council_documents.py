"""Golden text of the sitting's minutes and of the certificates, read back from the files as
the decision's are (tests/test_documents.py)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.factories import World
from tests.test_documents import assert_says, both, realistic, words
from workflow import sittings
from workflow.decisions import view_of
from workflow.documents import certificates
from workflow.documents.minutes import sitting_minutes
from workflow.errors import InvalidInput, NotAllowed, NotFound
from workflow.models import Nomination

NAMES = ("Trần Thị Bích Ngọc", "Lê Văn Cường", "Phạm Minh Tuấn")
PASSING = {"yes": 7, "no": 1, "abstain": 0, "written_yes": 1}
FAILING = {"yes": 4, "no": 4, "abstain": 0}


@pytest.fixture
def sat(world: World) -> dict:
    """Three nominations voted at a sitting with one member absent (voting in writing)."""
    realistic(world)
    ids = []
    for name in NAMES:
        nid = world.nominate(
            name=name, nominee={"position": "Chuyên viên"}, facts={"gender": "female"}
        )
        world.to_council(nid)
        ids.append(nid)
    roster = world.seat_council()
    present = [m.id for m in roster[:-1]]  # the last member is away
    unit_id = world.user("council_prov").assignments[0].unit_id
    campaign_id = world.session.get(Nomination, ids[0]).campaign_id
    sitting = sittings.open_sitting(
        world.session, world.user("council_prov"), unit_id=unit_id, campaign_id=campaign_id,
        held_on=world.now.date(), place="Phòng họp tầng 3, LĐLĐ tỉnh Đắk Lắk",
        present=present, now=world.tick(),
    )  # fmt: skip
    tallies = {ids[0]: PASSING, ids[1]: PASSING, ids[2]: FAILING}
    sittings.record_tallies(
        world.session, world.user("council_prov"), sitting.id, tallies, expected_version=1,
        now=world.tick(),
    )  # fmt: skip
    sittings.close_sitting(
        world.session, world.user("council_prov"), sitting.id, expected_version=2,
        now=world.tick(),
    )  # fmt: skip
    return {"ids": ids, "sitting": sitting.id, "roster": roster}


def test_the_sittings_minutes_name_who_sat_and_each_result(world, sat):
    document = sitting_minutes(
        world.session, world.user("decider_prov"), sat["sitting"], world.now.date()
    )
    assert_says(
        both(document),
        [
            "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG",
            "Số: 01/BB-HĐTĐKT",
            "Địa điểm: Phòng họp tầng 3, LĐLĐ tỉnh Đắk Lắk.",
            "Tổng số thành viên Hội đồng: 9; có mặt: 8; vắng mặt: 1 (Thành Viên 7 (Ủy viên Ban "
            "Thường vụ)), trong đó 1 có ý kiến bằng văn bản.",
            "Thành viên có mặt: Trần Văn Chủ (Chủ tịch Hội đồng, Ủy viên Ban Thường vụ); Lê Thị "
            "Thư (Thư ký Hội đồng, Ủy viên Ban Thường vụ)",
            "Chủ trì: Trần Văn Chủ (Chủ tịch Hội đồng, Ủy viên Ban Thường vụ).",
            "Thư ký: Lê Thị Thư (Thư ký Hội đồng, Ủy viên Ban Thường vụ).",
            f"1 {NAMES[0]}",
            "7 (+1 bằng văn bản) 1 0 8/9 (88,9%) Đạt",
            f"3 {NAMES[2]}",
            "4 4 0 4/9 (44,4%) Không đạt",
            "đề nghị khen thưởng 02 cá nhân",
        ],
    )


def test_minutes_of_an_open_sitting_or_for_an_outsider_are_not_found(world, sat):
    with pytest.raises(NotFound):
        sitting_minutes(world.session, world.user("officer1"), sat["sitting"], world.now.date())


def test_a_certificate_per_award_with_its_name_decision_and_entry(world, sat):
    decision = world.sign(sat["ids"][:2])
    content, title, _ = certificates.certificates_pdf(
        world.session, world.user("decider_prov"), decision.id, world.now.date()
    )
    pages = [words(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]
    assert len(pages) == 2
    assert decision.number in title
    for index, (page, name) in enumerate(zip(pages, NAMES[:2], strict=True), start=1):
        for line in (
            "LIÊN ĐOÀN LAO ĐỘNG TỈNH ĐẮK LẮK",
            "TẶNG",
            "BẰNG KHEN",
            f"Bà {name}",
            "Chuyên viên, Công đoàn cơ sở Sở Kế hoạch và Đầu tư",
            "Đã có thành tích xuất sắc trong Thi đua năm 2025",
            f"Quyết định số {decision.number} ngày {decision.signed_on:%d/%m/%Y}",
            f"Số vào sổ: {index}/{decision.year}",
            f"Đắk Lắk, ngày {decision.signed_on:%d} tháng {decision.signed_on:%m} năm",
            "TM. BAN THƯỜNG VỤ",
            "CHỦ TỊCH",
            "Đặng Quốc Bảo",
        ):
            assert words(line) in page, (line, page)
    box = PdfReader(io.BytesIO(content)).pages[0].mediabox
    assert round(float(box.width)) > round(float(box.height))  # landscape


def test_a_unit_moves_the_lines_for_its_pre_printed_blanks(world, sat):
    decision = world.sign(sat["ids"][:1])
    unit = decision.unit
    with pytest.raises(NotAllowed):
        certificates.save_layout(world.session, world.user("decider_prov"), unit, {}, True)
    with pytest.raises(InvalidInput) as err:
        certificates.save_layout(
            world.session, world.user("admin"), unit, {"name": {"x": 400.0}}, True
        )
    assert "Họ tên" in err.value.message_vi
    certificates.save_layout(
        world.session, world.user("admin"), unit, {"name": {"y": 95.0, "size": 28.0}}, True
    )
    layout = certificates.unit_layout(world.session, unit.id)
    assert layout.preprinted
    assert layout.places["name"].y == 95.0
    content, _, _ = certificates.certificates_pdf(
        world.session, world.user("decider_prov"), decision.id, world.now.date()
    )
    page = words(PdfReader(io.BytesIO(content)).pages[0].extract_text())
    assert f"Bà {NAMES[0]}" in page
    assert "BẰNG KHEN" not in page  # printed on the blank


def test_no_certificate_is_printed_for_an_award_revoked_since(world, sat):
    """The decision keeps its list as signed, each revoked line marked; its certificates leave
    the revoked out, and with every award revoked there is nothing to print."""
    decision = world.sign(sat["ids"][:2])
    kept, revoked = sorted(n.id for n in decision.nominations)
    world.fire(revoked, "revoke", "decider_prov", comment="Kê khai gian dối", ground="fraud")
    lines = view_of(decision).lines
    assert [(line.nomination_id, line.revoked) for line in lines] == [
        (kept, False),
        (revoked, True),
    ]
    decider = world.user("decider_prov")
    content, _, _ = certificates.certificates_pdf(
        world.session, decider, decision.id, world.now.date()
    )
    pages = [words(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]
    assert len(pages) == 1
    assert words(lines[0].nominee_name) in pages[0]
    world.fire(kept, "revoke", "decider_prov", comment="Kê khai gian dối", ground="fraud")
    with pytest.raises(InvalidInput) as nothing:
        certificates.certificates_pdf(world.session, decider, decision.id, world.now.date())
    assert nothing.value.details == {"decision": "all_revoked"}


def test_certificates_only_for_those_who_may_take_the_decision(world, sat):
    decision = world.sign(sat["ids"][:1])
    with pytest.raises(NotFound):
        certificates.certificates_pdf(
            world.session, world.user("officer1"), decision.id, world.now.date()
        )
