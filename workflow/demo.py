"""Demo data dated around today: a province with two branches and a CĐCS directly under it,
the accounts every award's path needs, and nominations in every state, all made through
the service so the trail is real.

Nothing is hard-dated: the campaign file (a 2025 plan) is moved to the years around the
day the demo is loaded (the app's clock, so ``KHENTHUONG_NOW`` moves it too). Last year's
campaign has been decided, by one decision signed last year and one this year (numbers
count again from 01 each year); the current campaign takes dossiers today, and its
nominations wait at every tier, one of them with its public notice over so the decider can
sign today. Every past event goes through the service with its own past instant, in order.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import (
    campaigns,
    changes,
    council,
    emulation_year,
    members,
    nominating,
    service,
    signing,
)
from workflow.accounts import assign_role, create_unit, create_user
from workflow.campaign_schema import CampaignSchema
from workflow.clock import VIETNAM, campaign_year, utcnow, vn_date
from workflow.models import Campaign, Unit, User
from workflow.passwords import DEMO_PASSWORD as DEMO_PASSWORD  # printed by `seed-demo`
from workflow.transaction import transaction
from workflow.vocabulary import Level, Role

# code, name, level, parent, abbreviation (printed in the numbers of its documents)
UNITS = [
    ("TLD", "Tổng Liên đoàn Lao động Việt Nam", Level.TONG_LDLD, None, "TLĐ"),
    ("LDLD-DLK", "Liên đoàn Lao động tỉnh Đắk Lắk", Level.LDLD_TINH, "TLD", "LĐLĐ"),
    ("CDVC-DLK", "Công đoàn Viên chức tỉnh Đắk Lắk", Level.CD_CAP_TREN, "LDLD-DLK", "CĐVC"),
    ("LDLD-BMT", "Liên đoàn Lao động thành phố Buôn Ma Thuột", Level.CD_CAP_TREN, "LDLD-DLK",
     "LĐLĐ"),
    ("CDCS-SKHDT", "Công đoàn cơ sở Sở Kế hoạch và Đầu tư", Level.CDCS, "CDVC-DLK", "CĐCS"),
    ("CDCS-STC", "Công đoàn cơ sở Sở Tài chính", Level.CDCS, "CDVC-DLK", "CĐCS"),
    ("CDCS-THPT-BMT", "Công đoàn cơ sở Trường THPT Buôn Ma Thuột", Level.CDCS, "LDLD-BMT", "CĐCS"),
    ("CDCS-CAPHE", "Công đoàn cơ sở Công ty Cà phê Buôn Ma Thuột", Level.CDCS, "LDLD-DLK", "CĐCS"),
]  # fmt: skip

# Every unit an award can be routed to from the officers' CĐCS (CĐVC and LĐLĐ Buôn Ma Thuột
# decide LĐTT, CSTĐCS, Giấy khen, TTLĐTT; the province Bằng khen, Cờ, CSTĐ tỉnh; the TLĐ its
# Bằng khen and Lao động sáng tạo) has a reviewer, a council and a decider.
USERS = [
    ("admin", "Quản trị hệ thống", Role.ADMIN, "TLD"),
    ("canbo.skhdt", "Nguyễn Thị Lan", Role.OFFICER, "CDCS-SKHDT"),
    ("canbo.thpt", "Trần Văn Hùng", Role.OFFICER, "CDCS-THPT-BMT"),
    ("thamdinh.cdvc", "Lê Minh Đức", Role.REVIEWER, "CDVC-DLK"),
    ("hoidong.cdvc", "Trương Thị Ngân", Role.COUNCIL, "CDVC-DLK"),
    ("lanhdao.cdvc", "Lương Văn Thành", Role.DECIDER, "CDVC-DLK"),
    ("thamdinh.bmt", "Phạm Thị Hoa", Role.REVIEWER, "LDLD-BMT"),
    ("hoidong.bmt", "Đoàn Thị Yến", Role.COUNCIL, "LDLD-BMT"),
    ("lanhdao.bmt", "Huỳnh Văn Lộc", Role.DECIDER, "LDLD-BMT"),
    ("thamdinh.ldld", "Hoàng Văn Nam", Role.REVIEWER, "LDLD-DLK"),
    ("hoidong.ldld", "Võ Thị Thu", Role.COUNCIL, "LDLD-DLK"),
    ("lanhdao.ldld", "Đặng Quốc Bảo", Role.DECIDER, "LDLD-DLK"),
    ("kiemtoan.ldld", "Bùi Thị Mai", Role.AUDITOR, "LDLD-DLK"),
    ("thamdinh.tld", "Tạ Thị Hằng", Role.REVIEWER, "TLD"),
    ("hoidong.tld", "Kiều Văn Sơn", Role.COUNCIL, "TLD"),
    ("lanhdao.tld", "Châu Minh Quân", Role.DECIDER, "TLD"),
]

# As the seven-member council below votes (its minutes and its roster must agree).
PASSING_VOTE = {"members": 7, "present": 7, "yes": 7, "no": 0, "abstain": 0}
FAILING_VOTE = {"members": 7, "present": 6, "yes": 2, "no": 3, "abstain": 1}

# The open campaign takes dossiers at least this long after the day the demo is loaded.
OPEN_FOR = timedelta(days=14)
# Past events happen in office hours: the first at 08:00, the next ones every 10 minutes.
OFFICE_OPENS = timedelta(hours=8)
STEP_GAP = timedelta(minutes=10)


SUBSTITUTE = ("thamdinh.thay", "Ngô Văn Tâm", "thamdinh.cdvc")  # acts for the third


def demo_logins() -> list[tuple[str, str, str]]:
    substitute, _name, stands_in_for = SUBSTITUTE
    return [(username, role.vi, unit) for username, _, role, unit in USERS] + [
        (substitute, f"{Role.REVIEWER.vi} (thay {stands_in_for})", "CDVC-DLK")
    ]


def campaign_code(definition: dict[str, Any], year: int) -> str:
    """The file's code with its year replaced (``TDYN-2025-DLK`` → ``TDYN-2026-DLK``)."""
    written = str(definition["year"])
    if written not in definition["code"]:
        raise ValueError(f"the demo campaign's code {definition['code']!r} must contain its year")
    return str(definition["code"]).replace(written, str(year))


def dated(definition: dict[str, Any], year: int, today: date) -> dict[str, Any]:
    """The validated demo plan moved to ``year``: its code and title name that year, every
    date moves by whole years, and the campaign taking dossiers today keeps them open for
    at least :data:`OPEN_FOR`. Validated again, so a moved plan is still a valid one."""
    shift = year - int(definition["year"])
    moved = copy.deepcopy(definition)
    moved["code"] = campaign_code(definition, year)
    moved["title"] = str(definition["title"]).replace(str(definition["year"]), str(year))
    moved["year"] = year
    moved["reference_date"] = _shift(definition["reference_date"], shift)
    for period in moved["periods"]:
        period["start"] = _shift(period["start"], shift)
        if period["end"] is not None:
            period["end"] = _shift(period["end"], shift)
    for award in moved["awards"]:
        due = (award.get("deadlines") or {}).get("submit_by")
        if due is not None:
            due = _shift(due, shift)
            if year == campaign_year(today):
                due = max(due, today + OPEN_FOR)
            award["deadlines"] = {**award["deadlines"], "submit_by": due}
    raw = CampaignSchema().dump(moved)
    return campaigns.validate(raw, f"demo {moved['code']}", {})


def _shift(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29/02 into a common year
        return day.replace(year=day.year + years, day=28)


def demo_campaigns(definition: dict[str, Any], today: date) -> list[dict[str, Any]]:
    """Last year's campaign (decided) and the one taking dossiers today: the same one in
    January and February."""
    years = sorted({today.year - 1, campaign_year(today)})
    return [dated(definition, year, today) for year in years]


def open_campaign(definition: dict[str, Any], today: date) -> tuple[str, date | None]:
    """The code of the campaign taking dossiers today, and its earliest submit-by date."""
    moved = dated(definition, campaign_year(today), today)
    due = [a["deadlines"]["submit_by"] for a in moved["awards"] if a.get("deadlines")]
    return moved["code"], min((d for d in due if d is not None), default=None)


def demo_facts(name: str, year: int) -> dict[str, Any]:
    """An officer who meets Law 2022 art. 74 for ``year``: HTXSNV two years running, two
    initiatives (and so LĐTT too)."""
    return {
        "ratings": {str(year - 1): "HTXSNV", str(year): "HTXSNV"},
        "initiatives": [
            {
                "title": "Số hóa hồ sơ thi đua",
                "year": year - 1,
                "scope": "co_so",
                "benefit_vnd": 30_000_000,
                "recognized_by": "Hội đồng sáng kiến cơ sở",
            },
            {
                "title": "Quy trình tiếp nhận hồ sơ một cửa",
                "year": year,
                "scope": "co_so",
                "benefit_vnd": 45_000_000,
                "recognized_by": "Hội đồng sáng kiến cơ sở",
            },
        ],
        "discipline": [],
        "registered": True,
        "absent_days": 3,
        "months_employed": 12,
        "achievement_ref": f"TT-{year}-{name}",
    }


@dataclass(frozen=True)
class Step:
    """One thing that happened on ``day``: "create", "sign" or an event of the machine."""

    day: date
    action: str
    actor: str
    names: tuple[str, ...]
    data: dict[str, Any] = field(default_factory=dict)


class Script:
    """The demo's history, written as it happened; played in order of day, then of writing."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def create(
        self,
        day: date,
        name: str,
        campaign: str,
        year: int,
        award: str = "BK_LDLD",
        officer: str = "canbo.skhdt",
        **facts: Any,
    ) -> None:
        data = {"campaign": campaign, "award": award, "facts": demo_facts(name, year) | facts}
        self.steps.append(Step(day, "create", officer, (name,), data))

    def event(self, day: date, name: str, event: str, actor: str, **data: Any) -> None:
        self.steps.append(Step(day, event, actor, (name,), data))

    def sign(self, day: date, decider: str, *names: str) -> None:
        self.steps.append(Step(day, "sign", decider, names))


def script(today: date, codes: dict[int, str]) -> Script:
    """What happened before ``today``; ``codes``: the demo campaigns' codes by year."""
    s = Script()
    last = today.year - 1
    _decided_last_year(s, today, last, codes[last])
    _under_way(s, today, campaign_year(today), codes[campaign_year(today)])
    return s


def _decided_last_year(s: Script, today: date, year: int, code: str) -> None:
    """Last year's campaign: decided at the CĐVC (LĐTT) and at the province on 10/12 last
    year (one award revoked since), and once more this January on a late dossier."""

    def day(month: int, dom: int) -> date:
        return date(year, month, dom)

    for name in ("Ngô Thị Hạnh", "Đinh Văn Khoa", "Phan Thị Ngọc"):
        s.create(day(11, 3), name, code, year)
    s.create(day(11, 3), "Lâm Văn Quý", code, year, award="LDTT")
    s.create(day(11, 3), "Y Bhim Niê", code, year, officer="canbo.thpt")
    for name in ("Ngô Thị Hạnh", "Đinh Văn Khoa", "Lâm Văn Quý"):
        s.event(day(11, 4), name, "submit", "canbo.skhdt")
    s.event(day(11, 4), "Y Bhim Niê", "submit", "canbo.thpt")
    for name in ("Ngô Thị Hạnh", "Đinh Văn Khoa", "Lâm Văn Quý"):
        s.event(day(11, 6), name, "approve", "thamdinh.cdvc")
    s.event(day(11, 6), "Y Bhim Niê", "approve", "thamdinh.bmt")
    for name in ("Ngô Thị Hạnh", "Đinh Văn Khoa", "Y Bhim Niê"):
        s.event(day(11, 10), name, "approve", "thamdinh.ldld")
    s.event(day(11, 13), "Lâm Văn Quý", "vote", "hoidong.cdvc", vote=PASSING_VOTE)
    s.sign(day(11, 16), "lanhdao.cdvc", "Lâm Văn Quý")  # LĐTT: 3 days of notice
    s.event(day(11, 19), "Phan Thị Ngọc", "submit", "canbo.skhdt")
    for name in ("Ngô Thị Hạnh", "Đinh Văn Khoa", "Y Bhim Niê"):
        s.event(day(11, 20), name, "vote", "hoidong.ldld", vote=PASSING_VOTE)
    s.event(day(11, 24), "Phan Thị Ngọc", "approve", "thamdinh.cdvc")
    s.event(day(11, 27), "Phan Thị Ngọc", "approve", "thamdinh.ldld")
    s.sign(day(12, 10), "lanhdao.ldld", "Ngô Thị Hạnh", "Đinh Văn Khoa", "Y Bhim Niê")
    s.event(
        day(12, 15),
        "Đinh Văn Khoa",
        "revoke",
        "lanhdao.ldld",
        comment="Kết luận thanh tra: kê khai sáng kiến không trung thực.",
        ground="fraud",
    )
    s.event(day(12, 20), "Phan Thị Ngọc", "vote", "hoidong.ldld", vote=PASSING_VOTE)
    # This year's first decision of the province: on 12/01, or yesterday if that is
    # earlier, but this year (today, on 01/01).
    january = min(today - timedelta(days=1), date(today.year, 1, 12))
    s.sign(max(date(today.year, 1, 1), january), "lanhdao.ldld", "Phan Thị Ngọc")


def _under_way(s: Script, today: date, year: int, code: str) -> None:
    """The campaign taking dossiers: something waits for every role, the last month's work."""

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    def to_province(name: str, created: int) -> None:
        s.create(ago(created), name, code, year)
        s.event(ago(created - 1), name, "submit", "canbo.skhdt")
        s.event(ago(created - 4), name, "approve", "thamdinh.cdvc")
        s.event(ago(created - 8), name, "approve", "thamdinh.ldld")

    to_province("Vũ Thị Phương", 30)  # notice over: the decider can sign today
    s.event(ago(12), "Vũ Thị Phương", "vote", "hoidong.ldld", vote=PASSING_VOTE)
    to_province("Đỗ Văn Giang", 30)
    s.event(ago(12), "Đỗ Văn Giang", "vote", "hoidong.ldld", vote=FAILING_VOTE)
    to_province("Hoàng Văn Em", 25)  # waits for the council
    to_province("Phan Văn Lực", 25)  # on notice until after today
    s.event(ago(2), "Phan Văn Lực", "vote", "hoidong.ldld", vote=PASSING_VOTE)
    # Bằng khen of the TLĐ: its Bằng khen of the province last year is declared.
    prior = [{"award_type": "BK_LDLD", "year": year - 1}]
    s.create(ago(20), "Lý Thị Kim", code, year, award="BK_TLD", prior_titles=prior)
    s.event(ago(19), "Lý Thị Kim", "submit", "canbo.skhdt")
    s.event(ago(16), "Lý Thị Kim", "approve", "thamdinh.cdvc")
    s.event(ago(12), "Lý Thị Kim", "approve", "thamdinh.ldld")  # in review at the TLĐ
    s.create(ago(20), "Bùi Văn Hải", code, year)
    s.event(ago(18), "Bùi Văn Hải", "withdraw", "canbo.skhdt")
    s.create(ago(15), "Lê Văn Cường", code, year)
    s.event(ago(14), "Lê Văn Cường", "submit", "canbo.skhdt")
    s.event(ago(10), "Lê Văn Cường", "approve", "thamdinh.cdvc")  # in review at the province
    s.create(ago(10), "Mai Văn Phúc", code, year, award="LDTT")
    s.event(ago(9), "Mai Văn Phúc", "submit", "canbo.skhdt")
    s.event(ago(5), "Mai Văn Phúc", "approve", "thamdinh.cdvc")  # the CĐVC's council
    s.create(ago(9), "Phạm Thị Dung", code, year)
    s.event(ago(8), "Phạm Thị Dung", "submit", "canbo.skhdt")
    s.event(
        ago(4),
        "Phạm Thị Dung",
        "return",
        "thamdinh.cdvc",
        comment="Thiếu biên bản họp bình xét; đề nghị bổ sung.",
    )
    s.create(ago(8), "Trần Thị Bích", code, year)
    s.event(ago(7), "Trần Thị Bích", "submit", "canbo.skhdt")  # in review at the CĐVC
    s.create(ago(6), "H'Hen Niê", code, year, officer="canbo.thpt")
    s.event(ago(5), "H'Hen Niê", "submit", "canbo.thpt")  # in review at LĐLĐ Buôn Ma Thuột
    s.create(ago(2), "Nguyễn Văn An", code, year)  # stays a draft


def timed(steps: list[Step], now: datetime) -> list[tuple[datetime, Step]]:
    """Each step at its instant, in order: office hours on a past day; on today, spread
    between midnight and ``now``. A step after today is a mistake in the script."""
    today = vn_date(now)
    by_day: dict[date, list[Step]] = defaultdict(list)
    for step in steps:
        if step.day > today:
            raise ValueError(f"demo step {step.action} {step.names} on {step.day} is after today")
        by_day[step.day].append(step)
    played = []
    for day in sorted(by_day):
        midnight = datetime(day.year, day.month, day.day, tzinfo=VIETNAM)
        that_day = by_day[day]
        for i, step in enumerate(that_day):
            if day < today:
                at = midnight + OFFICE_OPENS + i * STEP_GAP
            else:
                at = midnight + (now - midnight) * (i + 1) / (len(that_day) + 1)
            played.append((at.astimezone(UTC), step))
    return played


def seed(session: Session, definition: dict[str, Any], now: datetime | None = None) -> bool:
    """Load the demo once, dated around ``now`` (the app's clock by default); False, and
    nothing changed, if a demo campaign is already there (of whatever year).

    ``definition``: the validated demo campaign file, as written (a 2025 plan).
    """
    now = now or utcnow()
    today = vn_date(now)
    # The demo's campaign of any year ('_' matches one character in LIKE): loaded on another
    # day, the demo is still there and nothing changes.
    any_year = str(definition["code"]).replace(str(definition["year"]), "____")
    with transaction(session):  # the tree, the accounts and the campaigns, or nothing
        if session.scalar(select(Campaign.id).where(Campaign.code.like(any_year))) is not None:
            return False
        users, codes = _people_and_campaigns(session, definition, today)
    _play(session, users, script(today, codes).steps, now)
    return True


def _people_and_campaigns(
    session: Session, definition: dict[str, Any], today: date
) -> tuple[dict[str, User], dict[int, str]]:
    """The demo's units, accounts (a substitute among them) and campaigns moved to ``today``."""
    for code, name, level, parent, abbreviation in UNITS:
        if session.scalar(select(Unit.id).where(Unit.code == code)) is None:
            create_unit(session, code, name, level.value, parent, abbreviation=abbreviation)
    users = {}
    for username, full_name, role, unit in USERS:
        existing = session.scalar(select(User).where(User.username == username))
        users[username] = existing or _demo_user(session, username, full_name)
        if existing is None:
            assign_role(session, users[username], role.value, unit)
    username, full_name, stands_in_for = SUBSTITUTE
    assign_role(
        session,
        _demo_user(session, username, full_name),
        Role.REVIEWER.value,
        "CDVC-DLK",
        valid_from=today - timedelta(days=7),
        valid_to=today + timedelta(days=60),
        acting_for=users[stands_in_for],
    )
    _seat_council(session, users, today)
    codes = {}
    for moved in demo_campaigns(definition, today):
        codes[moved["year"]] = campaigns.import_campaign(session, moved).code
    _fill_registry(session, users["canbo.skhdt"], codes[campaign_year(today)])
    return users, codes


# The provincial federation's council: the demo's council account takes the minutes.
COUNCIL = (
    ("Nguyễn Thị Hoa", "Chủ tịch LĐLĐ tỉnh", "chair", None),
    ("Võ Thị Thu", "Trưởng Ban Tuyên giáo", "secretary", "hoidong.ldld"),
    ("Trần Văn Bình", "Phó Chủ tịch LĐLĐ tỉnh", "member", None),
    ("Lê Thị Mai", "Trưởng Ban Tổ chức", "member", None),
    ("Phạm Văn Đức", "Chánh Văn phòng", "member", None),
    ("Huỳnh Thị Lan", "Trưởng Ban Chính sách - Pháp luật", "member", None),
    ("Y Kông Niê", "Chủ nhiệm Ủy ban Kiểm tra", "member", None),
)


def _seat_council(session: Session, users: dict[str, User], today: date) -> None:
    unit = session.scalars(select(Unit).where(Unit.code == "LDLD-DLK")).one()
    for name, position, duty, username in COUNCIL:
        council.add_member(
            session, users["admin"], unit, full_name=name, position=position, duty=duty,
            valid_from=date(today.year - 2, 1, 1), username=username,
        )  # fmt: skip


# The SKHDT CĐCS's register: members with last year's evaluation, this year's for some, all
# registered in January for CSTĐ cơ sở (the officer completes the year from there).
REGISTRY = (
    ("DV-SKHDT-001", "Nguyễn Thị Ánh Tuyết", "female", date(1985, 4, 12), "Chuyên viên", True),
    ("DV-SKHDT-002", "Trần Quốc Việt", "male", date(1979, 9, 2), "Trưởng phòng", True),
    ("DV-SKHDT-003", "Lê Thị Hồng Nhung", "female", date(1990, 11, 20), "Kế toán viên", False),
    ("DV-SKHDT-004", "Phạm Đức Thắng", "male", date(1983, 1, 30), "Chuyên viên chính", False),
)


def _fill_registry(session: Session, officer: User, code: str) -> None:
    campaign_year_ = campaigns.campaign_by_code(session, code).year
    january = datetime.combine(date(campaign_year_, 1, 15), datetime.min.time(), VIETNAM)
    outstanding = {"rating": "HTXSNV", "absent_days": 0, "months_employed": 12}
    ids = []
    for member_code, name, gender, born, position, rated in REGISTRY:
        spec = members.NewMember(
            member_code, name, birth_date=born, gender=gender, position=position
        )
        member = members.add_member(
            session, officer, "CDCS-SKHDT", spec, date(campaign_year_ - 6, 3, 1), now=january
        )
        members.record_year(
            session, officer, member.id, campaign_year_ - 1, outstanding, now=january
        )
        if rated:
            members.record_year(session, officer, member.id, campaign_year_, outstanding)
        ids.append(member.id)
    emulation_year.register(session, officer, code, "CSTDCS", ids, now=january)


def _demo_user(session: Session, username: str, full_name: str) -> User:
    return create_user(
        session,
        username,
        full_name,
        DEMO_PASSWORD,
        f"{username}@congdoan.example",
        allow_demo_password=True,
    )


def _play(session: Session, users: dict[str, User], steps: list[Step], now: datetime) -> None:
    ids: dict[str, int] = {}
    for at, step in timed(steps, now):
        actor = users[step.actor]
        if step.action == "create":
            (name,) = step.names
            if name in ids:  # the script finds nominations by name
                raise ValueError(f"demo nominee {name!r} is created twice")
            ids[name] = nominating.create_nomination(
                session,
                actor,
                campaign=step.data["campaign"],
                award_type=step.data["award"],
                nominee_kind="individual",
                nominee_name=name,
                nominee={"position": "Chuyên viên"},
                facts=step.data["facts"],
                achievements="Hoàn thành xuất sắc nhiệm vụ; 02 sáng kiến được công nhận.",
                now=at,
            ).id
        elif step.action == "sign":
            signing.sign_decision(
                session,
                actor,
                nomination_ids=[ids[name] for name in step.names],
                signed_on=vn_date(at),
                now=at,
            )
        else:
            (name,) = step.names
            service.fire(
                session,
                ids[name],
                step.action,
                actor,
                expected_version=changes.nomination_version(session, ids[name]),
                now=at,
                **step.data,
            )
