"""Test data: a small union tree with one user per role and place, and shortcuts to act.

Tree (codes)::

    TLD (tong_ldld)
    └── PROV (ldld_tinh)
        ├── BR1 (cd_cap_tren) ── CS1, CS2 (cdcs)
        ├── BR2 (cd_cap_tren) ── CS3 (cdcs)
        └── CS4 (cdcs, directly under the province)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from workflow import audit, changes, council, nominating, service, signing
from workflow.accounts import assign_role, create_unit
from workflow.campaigns import load_catalogue, load_file, read_yaml
from workflow.changes import Outcome
from workflow.models import AwardType, Campaign, CouncilMember, Unit, User
from workflow.passwords import hash_password

PASSWORD = "correct horse battery"  # noqa: S105 - test fixture
CAMPAIGN = "C2025"

UNITS = [
    ("TLD", "tong_ldld", None),
    ("PROV", "ldld_tinh", "TLD"),
    ("BR1", "cd_cap_tren", "PROV"),
    ("BR2", "cd_cap_tren", "PROV"),
    ("CS1", "cdcs", "BR1"),
    ("CS2", "cdcs", "BR1"),
    ("CS3", "cdcs", "BR2"),
    ("CS4", "cdcs", "PROV"),
]

# username -> (role, unit)
USERS = {
    "officer1": ("officer", "CS1"),
    "officer2": ("officer", "CS2"),
    "officer3": ("officer", "CS3"),
    "officer4": ("officer", "CS4"),
    "rev_br1": ("reviewer", "BR1"),
    "rev_br2": ("reviewer", "BR2"),
    "rev_prov": ("reviewer", "PROV"),
    "council_prov": ("council", "PROV"),
    "decider_prov": ("decider", "PROV"),
    "rev_tld": ("reviewer", "TLD"),
    "council_tld": ("council", "TLD"),
    "decider_tld": ("decider", "TLD"),
    "auditor_prov": ("auditor", "PROV"),
    "auditor_br1": ("auditor", "BR1"),
    "admin": ("admin", "TLD"),
}

# code -> (nominee kind, deciding level, ratio, base, notice days)
AWARD_TYPES = {
    "BK": ("individual", "ldld_tinh", (2, 3), "members", 5),
    "GK": ("individual", "cd_cap_tren", (1, 2), "present", 3),
    "BKTLD": ("individual", "tong_ldld", (9, 10), "members", 7),
    "CO": ("collective", "ldld_tinh", (9, 10), "members", 7),
    "BK0": ("individual", "ldld_tinh", (2, 3), "members", 0),  # no notice: decide the same day
}

PASS_VOTE = {"members": 9, "present": 9, "yes": 8, "no": 1, "abstain": 0}
FAIL_VOTE = {"members": 9, "present": 7, "yes": 5, "no": 2, "abstain": 0}
START = datetime(2025, 11, 3, 1, 0, tzinfo=UTC)


@cache
def password_hash() -> str:
    """argon2 is slow on purpose: hash once for all test users."""
    return hash_password(PASSWORD)


@dataclass
class World:
    session: Session
    users: dict[str, User] = field(default_factory=dict)
    now: datetime = START

    def tick(self, days: int = 0, hours: int = 1) -> datetime:
        self.now += timedelta(days=days, hours=hours)
        return self.now

    def user(self, name: str) -> User:
        return self.users[name]

    def unit(self, code: str) -> Unit:
        return self.session.query(Unit).filter_by(code=code).one()

    def add_user(self, name: str, role: str, unit: str, **dates: Any) -> User:
        user = User(
            username=name,
            full_name=name.title(),
            email=f"{name}@congdoan.test",
            password_hash=password_hash(),
        )
        self.session.add(user)
        audit.record_change(self.session, "user_created", "test", self.now, user)
        assign_role(self.session, user, role, unit, **dates)
        self.session.commit()
        self.users[name] = user
        return user

    def add_substitute(self, name: str = "stand_in", stands_in_for: str = "rev_br1") -> User:
        """Someone acting for ``stands_in_for`` (same role and unit) during November 2025."""
        role, unit = USERS[stands_in_for]
        return self.add_user(
            name, role, unit,
            valid_from=date(2025, 11, 1), valid_to=date(2025, 11, 30),
            acting_for=self.user(stands_in_for),
        )  # fmt: skip

    def nominate(self, officer: str = "officer1", award: str = "BK", **kw: Any) -> int:
        kind = AWARD_TYPES.get(award, ("individual",))[0]
        return nominating.create_nomination(
            self.session,
            self.user(officer),
            campaign=CAMPAIGN,
            award_type=award,
            nominee_kind=kind,
            nominee_name=kw.pop("name", "Nguyễn Văn Thử"),
            now=self.tick(),
            **kw,
        ).id

    def version(self, nomination_id: int) -> int:
        return changes.nomination_version(self.session, nomination_id)

    def fire(self, nomination_id: int, event: str, who: str, **kw: Any) -> Outcome:
        kw.setdefault("expected_version", self.version(nomination_id))
        kw.setdefault("now", self.tick())
        return service.fire(self.session, nomination_id, event, self.user(who), **kw)

    def to_council(self, nomination_id: int, officer: str = "officer1") -> Outcome:
        self.fire(nomination_id, "submit", officer)
        self.fire(nomination_id, "approve", "rev_br1")
        return self.fire(nomination_id, "approve", "rev_prov")

    def to_notice(self, nomination_id: int) -> Outcome:
        self.to_council(nomination_id)
        return self.fire(nomination_id, "vote", "council_prov", vote=PASS_VOTE)

    def seat_council(
        self, unit: str = "PROV", secretary: str = "council_prov", size: int = 9
    ) -> list[CouncilMember]:
        """A council of ``size`` from 01/01/2025: a chair, ``secretary`` as its secretary and
        members; the roster's ids, chair first."""
        place = self.unit(unit)
        seats = [("Trần Văn Chủ", "chair", None), ("Lê Thị Thư", "secretary", secretary)]
        seats += [(f"Thành Viên {i}", "member", None) for i in range(1, size - 1)]
        members = [
            council.add_member(
                self.session, self.user("admin"), place, full_name=name,
                position="Ủy viên Ban Thường vụ", duty=duty, valid_from=date(2025, 1, 1),
                username=username, now=self.tick(),
            )
            for name, duty, username in seats
        ]  # fmt: skip
        return members

    def sign(self, ids: list[int], who: str = "decider_prov", days_later: int = 10) -> Any:
        now = self.tick(days=days_later)
        return signing.sign_decision(
            self.session, self.user(who), nomination_ids=ids, signed_on=now.date(), now=now
        )


def build_world(session: Session) -> World:
    for code, level, parent in UNITS:
        create_unit(session, code, f"Đơn vị {code}", level, parent, abbreviation=code)
    campaign = Campaign(code=CAMPAIGN, title="Thi đua năm 2025", year=2025)
    session.add(campaign)
    for code, (kind, level, (num, den), base, days) in AWARD_TYPES.items():
        session.add(
            AwardType(
                campaign=campaign,
                code=code,
                title=f"Khen thưởng {code}",
                nominee_kind=kind,
                decider_level=level,
                vote_ratio_num=num,
                vote_ratio_den=den,
                vote_base=base,
                notice_days=days,
            )
        )
    audit.record_change(session, "campaign_version", "test", START, campaign)
    session.commit()
    world = World(session)
    for name, (role, unit) in USERS.items():
        world.add_user(name, role, unit)
    return world


PROJECT_ROOT = Path(__file__).resolve().parent.parent
CAMPAIGNS = PROJECT_ROOT / "campaigns"


def catalogue() -> dict[str, Any]:
    return load_catalogue(read_yaml(CAMPAIGNS / "catalogue.yaml"), "c")


_issued = itertools.count()


def issued_definition(issuer: str, code: str | None = None, ratio: str = "2/3") -> dict[str, Any]:
    """A campaign of ``issuer`` (a unit of the tree) offering one ruled award it decides
    itself, as typed."""
    level = {unit: level for unit, level, _ in UNITS}.get(issuer, "ldld_tinh")
    award = {"code": "BK_LDLD", "rules": [{"rule": "R-DISCIPLINE"}], "vote": {"ratio": ratio}}
    return {
        "code": code or f"K{next(_issued)}",
        "title": "Thi đua chuyên đề",
        "issuer": {"code": issuer, "name": f"Đơn vị {issuer}", "level": level},
        "year": 2025,
        "awards": [award | {"decider": {"level": level}}],
    }


def demo_definition() -> dict[str, Any]:
    return load_file(CAMPAIGNS / "demo-2025-daklak.yaml", CAMPAIGNS / "catalogue.yaml")
