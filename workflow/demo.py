"""Demo data: a province with two branches and a CĐCS directly under it, one user per
role, and nominations in every state, all made through the service so the trail is real.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import campaigns, service
from workflow.accounts import assign_role, create_unit, create_user
from workflow.models import Campaign, Unit, User
from workflow.vocabulary import Level, Role

# The demo's shared login, printed by `seed-demo`; never a real secret.
DEMO_PASSWORD = "khenthuong-demo"  # noqa: S105  # nosec B105
CAMPAIGN = "TDYN-2025-DLK"

UNITS = [
    ("TLD", "Tổng Liên đoàn Lao động Việt Nam", Level.TONG_LDLD, None),
    ("LDLD-DLK", "Liên đoàn Lao động tỉnh Đắk Lắk", Level.LDLD_TINH, "TLD"),
    ("CDVC-DLK", "Công đoàn Viên chức tỉnh Đắk Lắk", Level.CD_CAP_TREN, "LDLD-DLK"),
    ("LDLD-BMT", "Liên đoàn Lao động thành phố Buôn Ma Thuột", Level.CD_CAP_TREN, "LDLD-DLK"),
    ("CDCS-SKHDT", "Công đoàn cơ sở Sở Kế hoạch và Đầu tư", Level.CDCS, "CDVC-DLK"),
    ("CDCS-STC", "Công đoàn cơ sở Sở Tài chính", Level.CDCS, "CDVC-DLK"),
    ("CDCS-THPT-BMT", "Công đoàn cơ sở Trường THPT Buôn Ma Thuột", Level.CDCS, "LDLD-BMT"),
    ("CDCS-CAPHE", "Công đoàn cơ sở Công ty Cà phê Buôn Ma Thuột", Level.CDCS, "LDLD-DLK"),
]

USERS = [
    ("admin", "Quản trị hệ thống", Role.ADMIN, "TLD"),
    ("canbo.skhdt", "Nguyễn Thị Lan", Role.OFFICER, "CDCS-SKHDT"),
    ("canbo.thpt", "Trần Văn Hùng", Role.OFFICER, "CDCS-THPT-BMT"),
    ("thamdinh.cdvc", "Lê Minh Đức", Role.REVIEWER, "CDVC-DLK"),
    ("thamdinh.bmt", "Phạm Thị Hoa", Role.REVIEWER, "LDLD-BMT"),
    ("thamdinh.ldld", "Hoàng Văn Nam", Role.REVIEWER, "LDLD-DLK"),
    ("hoidong.ldld", "Võ Thị Thu", Role.COUNCIL, "LDLD-DLK"),
    ("lanhdao.ldld", "Đặng Quốc Bảo", Role.DECIDER, "LDLD-DLK"),
    ("kiemtoan.ldld", "Bùi Thị Mai", Role.AUDITOR, "LDLD-DLK"),
]


def demo_facts(name: str) -> dict[str, Any]:
    """An officer who meets Law 2022 art. 74: HTXSNV two years running, two initiatives."""
    return {
        "ratings": {"2024": "HTXSNV", "2025": "HTXSNV"},
        "initiatives": [
            {
                "title": "Số hóa hồ sơ thi đua",
                "year": 2024,
                "scope": "co_so",
                "benefit_vnd": 30_000_000,
                "recognized_by": "Hội đồng sáng kiến cơ sở",
            },
            {
                "title": "Quy trình tiếp nhận hồ sơ một cửa",
                "year": 2025,
                "scope": "co_so",
                "benefit_vnd": 45_000_000,
                "recognized_by": "Hội đồng sáng kiến cơ sở",
            },
        ],
        "discipline": [],
        "registered": True,
        "absent_days": 3,
        "months_employed": 12,
        "achievement_ref": f"TT-2025-{name}",
    }


PASSING_VOTE = {"members": 9, "present": 9, "yes": 9, "no": 0, "abstain": 0}
FAILING_VOTE = {"members": 9, "present": 8, "yes": 4, "no": 3, "abstain": 1}


def demo_logins() -> list[tuple[str, str, str]]:
    return [(username, role.vi, unit) for username, _, role, unit in USERS]


def seed(session: Session, definition: dict[str, Any]) -> bool:
    """Load the demo once (``definition``: the validated demo campaign); False if already there."""
    if session.scalar(select(Campaign.id).where(Campaign.code == CAMPAIGN)) is not None:
        session.rollback()
        return False
    for code, name, level, parent in UNITS:
        if session.scalar(select(Unit.id).where(Unit.code == code)) is None:
            create_unit(session, code, name, level.value, parent)
    users = {}
    for username, full_name, role, unit in USERS:
        existing = session.scalar(select(User).where(User.username == username))
        users[username] = existing or create_user(
            session, username, full_name, DEMO_PASSWORD, f"{username}@congdoan.example"
        )
        if existing is None:
            assign_role(session, users[username], role.value, unit)
    substitute = create_user(
        session, "thamdinh.thay", "Ngô Văn Tâm", DEMO_PASSWORD, "thamdinh.thay@congdoan.example"
    )
    assign_role(
        session,
        substitute,
        Role.REVIEWER.value,
        "CDVC-DLK",
        valid_from=date(2025, 12, 1),
        valid_to=date(2026, 12, 31),
        acting_for=users["thamdinh.cdvc"],
    )
    campaigns.import_campaign(session, definition)
    session.commit()
    _nominations(session, users)
    return True


def _nominations(session: Session, users: dict[str, User]) -> None:
    clock = iter(
        datetime(2025, 11, 3, 2, 0, tzinfo=UTC) + timedelta(hours=3 * i) for i in range(999)
    )
    officer = users["canbo.skhdt"]

    def new(name: str, award: str = "BK_LDLD", kind: str = "individual") -> int:
        return service.create_nomination(
            session,
            officer,
            campaign=CAMPAIGN,
            award_type=award,
            nominee_kind=kind,
            nominee_name=name,
            nominee={"position": "Chuyên viên"},
            facts=demo_facts(name),
            achievements="Hoàn thành xuất sắc nhiệm vụ năm 2025; 01 sáng kiến được công nhận.",
            now=next(clock),
        ).id

    def act(nid: int, event: str, who: str, **kw: Any) -> None:
        version = service.nomination_version(session, int(nid))
        service.fire(
            session, int(nid), event, users[who], expected_version=version, now=next(clock), **kw
        )

    def to_council(nid: int) -> None:
        act(nid, "submit", "canbo.skhdt")
        act(nid, "approve", "thamdinh.cdvc")
        act(nid, "approve", "thamdinh.ldld")

    new("Nguyễn Văn An")  # stays a draft
    first = new("Trần Thị Bích")
    act(first, "submit", "canbo.skhdt")
    second = new("Lê Văn Cường")
    act(second, "submit", "canbo.skhdt")
    act(second, "approve", "thamdinh.cdvc")
    returned = new("Phạm Thị Dung")
    act(returned, "submit", "canbo.skhdt")
    act(
        returned, "return", "thamdinh.cdvc", comment="Thiếu biên bản họp bình xét; đề nghị bổ sung."
    )
    council = new("Hoàng Văn Em")
    to_council(council)
    notice = new("Vũ Thị Phương")
    to_council(notice)
    act(notice, "vote", "hoidong.ldld", vote=PASSING_VOTE)
    rejected = new("Đỗ Văn Giang")
    to_council(rejected)
    act(rejected, "vote", "hoidong.ldld", vote=FAILING_VOTE)
    withdrawn = new("Bùi Văn Hải")
    act(withdrawn, "withdraw", "canbo.skhdt")
    awarded, revoked = new("Ngô Thị Hạnh"), new("Đinh Văn Khoa")
    for nid in (awarded, revoked):
        to_council(nid)
        act(nid, "vote", "hoidong.ldld", vote=PASSING_VOTE)
    sign_at = datetime(2025, 12, 10, 3, 0, tzinfo=UTC)
    service.sign_decision(
        session,
        users["lanhdao.ldld"],
        nomination_ids=[awarded, revoked],
        signed_on=date(2025, 12, 10),
        now=sign_at,
    )
    service.fire(
        session,
        revoked,
        "revoke",
        users["lanhdao.ldld"],
        expected_version=service.nomination_version(session, revoked),
        comment="Kết luận thanh tra: kê khai sáng kiến không trung thực.",
        ground="fraud",
        now=sign_at + timedelta(days=5),
    )
