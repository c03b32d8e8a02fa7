"""The campaign's reports: each unit below the issuer reports to its parent for each period
the plan's ``reporting`` section names (monthly, quarterly, half-yearly, yearly, after each
of its periods), declaring its results against the plan's targets; the report adds what the
system already knows (proposals and awards of the unit's subtree). A parent sees which of its
units have reported for a period and which have not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from rules import Target
from rules.collective import COMPARE
from rules.words import grouped
from workflow import audit
from workflow.accounts import active_assignments, unit_by_code
from workflow.campaigns import campaign_by_code
from workflow.checks import campaign_targets
from workflow.clock import utcnow, vn_date
from workflow.errors import InvalidInput, NotAllowed, NotFound
from workflow.inputs import refused_character
from workflow.models import AwardType, Campaign, Decision, Nomination, PeriodReport, Unit, User
from workflow.transaction import transaction
from workflow.vocabulary import Role, State

REPORTERS = frozenset({Role.OFFICER, Role.REVIEWER, Role.DECIDER})  # who writes a unit's report
ROMAN = ("I", "II", "III", "IV")
MAX_NOTE = 4000


@dataclass(frozen=True)
class Period:
    key: str  # "2025-11", "2025-Q4", "2025-H2", "2025", or a plan period's code
    label: str  # "tháng 11/2025", "quý IV/2025" … as a report's title says it
    first_day: date
    last_day: date
    label_en: str = ""  # "11/2025", "Q4 2025" …; a plan's own period has its one name

    def label_in(self, lang: str) -> str:
        return (self.label_en or self.label) if lang == "en" else self.label


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def periods(campaign: Campaign) -> list[Period]:
    """The periods the plan asks reports for, in order, each once."""
    year = campaign.year
    definition = campaign.definition or {}
    found: dict[str, Period] = {}
    for entry in definition.get("reporting") or []:
        rhythm = entry.get("rhythm")
        if rhythm == "monthly":
            for m in range(1, 13):
                found[f"{year}-{m:02d}"] = Period(
                    f"{year}-{m:02d}",
                    f"tháng {m:02d}/{year}",
                    date(year, m, 1),
                    _month_end(year, m),
                    f"month {m:02d}/{year}",
                )
        elif rhythm == "quarterly":
            for q in range(4):
                found[f"{year}-Q{q + 1}"] = Period(
                    f"{year}-Q{q + 1}", f"quý {ROMAN[q]}/{year}", date(year, 3 * q + 1, 1),
                    _month_end(year, 3 * q + 3), f"Q{q + 1} {year}",
                )  # fmt: skip
        elif rhythm == "half_yearly":
            found[f"{year}-H1"] = Period(
                f"{year}-H1", f"6 tháng đầu năm {year}", date(year, 1, 1), date(year, 6, 30),
                f"first half of {year}",
            )  # fmt: skip
            found[f"{year}-H2"] = Period(
                f"{year}-H2", f"6 tháng cuối năm {year}", date(year, 7, 1), date(year, 12, 31),
                f"second half of {year}",
            )  # fmt: skip
        elif rhythm == "yearly":
            found[str(year)] = Period(
                str(year), f"năm {year}", date(year, 1, 1), date(year, 12, 31), f"year {year}"
            )
        elif rhythm == "after_period":
            for p in definition.get("periods") or []:
                start = date.fromisoformat(str(p["start"]))
                end = date.fromisoformat(str(p["end"])) if p.get("end") else date(year, 12, 31)
                found[str(p["code"])] = Period(str(p["code"]), str(p["name"]), start, end)
    # by the day each ends, the shortest first: December, then Q4, then the year
    return sorted(found.values(), key=lambda p: (p.last_day, -p.first_day.toordinal()))


def _period(campaign: Campaign, key: str) -> Period:
    for p in periods(campaign):
        if p.key == key:
            return p
    raise NotFound(
        f"Đợt thi đua không có kỳ báo cáo '{key}'.",
        f"The campaign has no reporting period '{key}'.",
    )


def issuer_unit(session: Session, campaign: Campaign) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == campaign.issuer_code))
    if unit is None:
        raise NotFound(
            "Đơn vị ban hành kế hoạch không có trong hệ thống.", "The issuing unit is not here."
        )
    return unit


def _may_report(actor: User, unit: Unit, day: date) -> bool:
    return any(a.role in REPORTERS and a.unit_id == unit.id for a in active_assignments(actor, day))


def submit(
    session: Session,
    actor: User,
    campaign_code: str,
    unit_code: str,
    period_key: str,
    results: dict[str, Any],
    note: str = "",
    now: datetime | None = None,
) -> PeriodReport:
    """The unit's report for the period (sending it again replaces it, audited)."""
    now = now or utcnow()
    today = vn_date(now)
    with transaction(session):
        campaign = campaign_by_code(session, campaign_code)
        unit = unit_by_code(session, unit_code)
        issuer = issuer_unit(session, campaign)
        if unit.id == issuer.id or not unit.path.startswith(issuer.path):
            raise InvalidInput(
                "Chỉ các đơn vị thuộc đơn vị ban hành kế hoạch báo cáo.",
                "Only units below the plan's issuer report.",
                {"unit": "outside"},
            )
        if not _may_report(actor, unit, today):
            raise NotAllowed(
                "Chỉ cán bộ của đơn vị được gửi báo cáo của đơn vị.",
                "Only the unit's own staff send its report.",
                {"required_role": sorted(r.value for r in REPORTERS)},
            )
        period = _period(campaign, period_key)
        clean = _results(campaign_targets(campaign), results)
        text = (note or "").strip()
        if len(text) > MAX_NOTE or refused_character(text, multiline=True):
            raise InvalidInput(
                f"Phần nhận xét quá dài (tối đa {MAX_NOTE} ký tự) hoặc có ký tự không hợp lệ.",
                "The note is too long or holds a refused character.",
                {"note": "invalid"},
            )
        row = session.scalar(
            select(PeriodReport).where(
                PeriodReport.campaign_id == campaign.id,
                PeriodReport.unit_id == unit.id,
                PeriodReport.period == period.key,
            )
        )
        if row is None:
            row = PeriodReport(campaign_id=campaign.id, unit_id=unit.id, period=period.key)
            session.add(row)
        row.results, row.note = clean, text
        row.submitted_by_id, row.submitted_on = actor.id, today
        session.flush()
        audit.record_change(session, "period_report", actor.username, now, row)
        return row


def _results(targets: tuple[Target, ...], given: dict[str, Any]) -> dict[str, int | str]:
    """Each declared result for a target of the plan, as :func:`result` reads it; blank ones
    left out."""
    known = {t.key: t for t in targets}
    errors: dict[str, str] = {}
    clean: dict[str, int | str] = {}
    for key, value in given.items():
        if key not in known:
            errors[key] = "unknown_target"
        elif value is None or (isinstance(value, str) and not value.strip()):
            continue
        else:
            read = result(value, known[key])
            if read is None:
                errors[key] = "percentage" if _is_percentage(known[key]) else "whole_number"
            else:
                clean[key] = read
    if errors:
        names = ", ".join(known[k].label if k in known else k for k in errors)
        raise InvalidInput(
            "Kết quả là số nguyên không âm; tỷ lệ phần trăm từ 0 đến 100, lấy tối đa hai chữ số "
            f"thập phân (ví dụ 95,5). Cần sửa: {names}.",
            "A result is a whole number ≥ 0; a percentage is from 0 to 100 with at most two "
            f"decimal places (e.g. 95.5). To correct: {names}.",
            errors,
        )
    return clean


# "1.200" and "1 200" as Vietnamese group thousands, "1,200" as English readers do (a count is
# never 1,2: three digits after the mark are a thousands group in either language)
_WHOLE = re.compile(r"[0-9]{1,15}|[0-9]{1,3}(?:([., ])[0-9]{3})(?:\1[0-9]{3})*", re.ASCII)
_PERCENT = re.compile(r"([0-9]{1,3})(?:[.,]([0-9]{1,2}))?", re.ASCII)


def result(value: int | str, target: Target) -> int | str | None:
    """A declared result as the report keeps it, or None when it is not one.

    A count is a whole number, its thousands marked or not ("1.200", "1 200", "1,200"). A
    percentage may have two decimal places ("95,5" or "95.5": 95,5 % of members is a real
    result); it is kept as its decimal text, "95.5", since the trail's JSON holds no floats."""
    if isinstance(value, bool):
        return None
    percentage = _is_percentage(target)
    number: Decimal | None = None
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if percentage:
            found = _PERCENT.fullmatch(text)
            number = Decimal(f"{found[1]}.{found[2] or 0}") if found else None
        else:
            number = Decimal(re.sub("[., ]", "", text)) if _WHOLE.fullmatch(text) else None
    if number is None or not 0 <= number <= (100 if percentage else 10**12):
        return None
    if number == number.to_integral_value():
        return int(number)
    return format(number.normalize(), "f")


def shown_result(value: int | str, lang: str = "vi", *, grouping: bool = True) -> str:
    """A result as its reader writes numbers: "1.200" and "95,5" in Vietnamese, "1,200" and
    "95.5" in English. A form shows a count ungrouped: "1,200" typed back in would not read."""
    if isinstance(value, int):
        return grouped(value, lang) if grouping else str(value)
    return value if lang == "en" else value.replace(".", ",")


def _is_percentage(target: Target) -> bool:
    return target.unit.strip() == "%"


@dataclass(frozen=True)
class Line:
    target: Target
    value: int | str | None  # as :func:`result` keeps it

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return COMPARE[self.target.comparison](Decimal(self.value), self.target.threshold)

    def shown(self, lang: str = "vi", *, grouping: bool = True) -> str:
        """The result as a report writes it, or as its form shows it; blank when none."""
        return "" if self.value is None else shown_result(self.value, lang, grouping=grouping)


@dataclass(frozen=True)
class ReportView:
    campaign: Campaign
    unit: Unit
    parent: Unit | None
    period: Period
    report: PeriodReport | None
    lines: list[Line]
    proposals: list[tuple[str, int, int]]  # award title, proposed (not withdrawn), awarded


def view(
    session: Session, actor: User, campaign_code: str, unit_code: str, period_key: str, day: date
) -> ReportView:
    """A unit's report as its parent reads it (and the unit, and auditors above)."""
    campaign = campaign_by_code(session, campaign_code)
    unit = unit_by_code(session, unit_code)
    if not any(unit.path.startswith(a.unit.path) for a in active_assignments(actor, day)):
        raise NotFound("Không có báo cáo này.", "No such report.")
    period = _period(campaign, period_key)
    report = session.scalar(
        select(PeriodReport).where(
            PeriodReport.campaign_id == campaign.id,
            PeriodReport.unit_id == unit.id,
            PeriodReport.period == period.key,
        )
    )
    declared = report.results if report else {}
    lines = [Line(t, declared.get(t.key)) for t in campaign_targets(campaign)]
    origin = aliased(Unit)
    # As of the period's last day, whenever the report is printed: a third quarter's report
    # printed in December counted the fourth quarter's proposals too.
    by_end = period.last_day
    awarded = and_(Nomination.state == State.AWARDED, Decision.signed_on <= by_end)
    counted = session.execute(
        select(AwardType.title, func.count(), func.count().filter(awarded))
        .join(AwardType, AwardType.id == Nomination.award_type_id)
        .join(origin, origin.id == Nomination.origin_unit_id)
        .outerjoin(Decision, Decision.id == Nomination.decision_id)
        .where(
            Nomination.campaign_id == campaign.id,
            origin.path.startswith(unit.path, autoescape=True),
            Nomination.state.not_in([State.DRAFT.value, State.WITHDRAWN.value]),
            Nomination.submitted_on <= by_end,
        )
        .group_by(AwardType.title)
    ).all()
    return ReportView(
        campaign, unit, unit.parent, period, report, lines,
        sorted((title, proposed, won) for title, proposed, won in counted),
    )  # fmt: skip


@dataclass(frozen=True)
class Status:
    unit: Unit
    report: PeriodReport | None


def status(
    session: Session, actor: User, campaign_code: str, parent_code: str, period_key: str, day: date
) -> list[Status]:
    """Which units directly below ``parent`` have reported for the period, and which not."""
    campaign = campaign_by_code(session, campaign_code)
    parent = unit_by_code(session, parent_code)
    if not any(parent.path.startswith(a.unit.path) for a in active_assignments(actor, day)):
        raise NotFound("Không có số liệu này.", "Not found.")
    period = _period(campaign, period_key)
    children = session.scalars(
        select(Unit).where(Unit.parent_id == parent.id).order_by(Unit.name)
    ).all()
    sent = {
        r.unit_id: r
        for r in session.scalars(
            select(PeriodReport).where(
                PeriodReport.campaign_id == campaign.id,
                PeriodReport.period == period.key,
                PeriodReport.unit_id.in_([c.id for c in children] or [0]),
            )
        )
    }
    return [Status(c, sent.get(c.id)) for c in children]


@dataclass(frozen=True)
class Overview:
    """What the reports page shows a user for one period: for each of their units inside the
    plan's issuer, its own report (when they may write it) and its units' status."""

    campaign: Campaign
    periods: list[Period]
    period: Period
    sections: list[tuple[Unit, ReportView | None, list[Status]]]
    targets: tuple[Target, ...]


def _after_all(found: list[Period], day: date) -> Period:
    """Before the plan's periods, its first; after them (January, for last year's plan), the
    broadest of those that ended last: the year's report, as in December, not its last month."""
    if day < min(p.first_day for p in found):
        return min(found, key=lambda p: (p.last_day, p.first_day))  # the first to report on
    last = max(p.last_day for p in found)
    return _broadest([p for p in found if p.last_day == last])


def _broadest(found: list[Period]) -> Period:
    """Of periods running together, the one begun first (the year's, before its quarter)."""
    return min(found, key=lambda p: p.first_day)


def reporting(session: Session, actor: User, found: list[Campaign], day: date) -> set[str]:
    """The codes of those campaigns whose reports page has something for ``actor``: a plan
    with reporting periods, issued by a unit here, and a unit of theirs inside it (what
    :func:`overview` asks; a link to it for anyone else led to "not found")."""
    paths = [a.unit.path for a in active_assignments(actor, day)]
    issuers = {
        u.code: u.path
        for u in session.scalars(select(Unit).where(Unit.code.in_({c.issuer_code for c in found})))
    }
    return {
        c.code
        for c in found
        if c.issuer_code in issuers
        and periods(c)
        and any(p.startswith(issuers[c.issuer_code]) for p in paths)
    }


def overview(
    session: Session, actor: User, campaign_code: str, period_key: str | None, day: date
) -> Overview:
    """The chosen period, else the one running ``day`` (the broadest, when several do), else
    the one the units report on next."""
    campaign = campaign_by_code(session, campaign_code)
    issuer = issuer_unit(session, campaign)
    found = periods(campaign)
    if not found:
        raise NotFound("Kế hoạch không có kỳ báo cáo.", "The plan names no reporting period.")
    running = [p for p in found if p.first_day <= day <= p.last_day]
    period = next((p for p in found if p.key == period_key), None) or (
        _broadest(running) if running else _after_all(found, day)
    )
    mine = sorted(
        {a.unit_id: a.unit for a in active_assignments(actor, day)
         if a.unit.path.startswith(issuer.path)}.values(),
        key=lambda u: u.path,
    )  # fmt: skip
    if not mine:
        raise NotFound("Không có báo cáo nào của bạn.", "No reports of yours.")
    sections = []
    for unit in mine:
        own = None
        if unit.id != issuer.id and _may_report(actor, unit, day):
            own = view(session, actor, campaign_code, unit.code, period.key, day)
        below = status(session, actor, campaign_code, unit.code, period.key, day)
        sections.append((unit, own, below))
    return Overview(campaign, found, period, sections, campaign_targets(campaign))
