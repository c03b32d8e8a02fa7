"""docs/rules.md, generated from the registry and the dated parameters so it cannot drift.

``python -m rules.docs > docs/rules.md`` (``make docs``) writes it; a test fails when the
file differs from what the code says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rules.money import vnd
from rules.params import PARAMS
from rules.registry import RULES


@dataclass(frozen=True)
class BriefRule:
    """One of the 22 checkable rules of the domain brief (sources.md §7), and where it lives."""

    number: int
    name: str
    where: str  # a registered rule id, or the module that holds it; "" when missing
    status: str  # implemented | partial | missing | elsewhere
    note: str = ""


BRIEF = (
    BriefRule(1, "R-LDTT", "R-LDTT", "implemented"),
    BriefRule(2, "R-CSTDCS-2024", "R-CSTDCS", "implemented", "the clause from 01/01/2024"),
    BriefRule(3, "R-CSTDCS-2003", "R-CSTDCS", "implemented", "the clause until 31/12/2023"),
    BriefRule(4, "R-CSTDCS-QUOTA", "R-CSTDCS-QUOTA", "implemented", "manual review from 2024"),
    BriefRule(5, "R-CSTD-TINH", "R-CSTD-TINH", "implemented"),
    BriefRule(6, "R-CSTD-TQ", "R-CSTD-TQ", "implemented", "before 2024 unconfirmed"),
    BriefRule(7, "R-BK-BONGANH", "R-BK-74", "partial", "point d only; before 2024 unconfirmed"),
    BriefRule(8, "R-BK-TLD-INDIV", "R-BK-TLD", "partial", "the source page is cut off"),
    BriefRule(
        9, "R-BK-CHUYENDE-QUOTA", "R-QUOTA", "partial", "per LĐLĐ tỉnh as it forwards and "
        "nationwide (`quota: {level, nationwide}`); the article's exceptions are not encoded",
    ),
    BriefRule(10, "R-NO-DOUBLE-SAME-LEVEL", "R-NO-DOUBLE-SAME-LEVEL", "implemented"),
    BriefRule(11, "R-ONE-ACHIEVEMENT", "R-ONE-ACHIEVEMENT", "implemented"),
    BriefRule(12, "R-LDST-VALUE", "R-LDST", "implemented", "after 1564/2014 unconfirmed"),
    BriefRule(13, "R-XSD-CO", "R-ATVSLD", "partial", "no previous-year award condition"),
    BriefRule(14, "R-CDCS-GRADABLE", "R-CDCS-OPERATING", "implemented"),
    BriefRule(
        15, "R-REGISTERED", "R-REGISTERED", "implemented",
        "the plan's registration day (25/01 by default) marks a registration late; a late one "
        "counts only where the award's rule accepts it",
    ),
    BriefRule(
        16, "R-EXCLUSIONS", "R-ABSENCE, R-MONTHS-EMPLOYED, R-DISCIPLINE, R-REGISTERED",
        "implemented", "a local rule; maternity leave is left out of the absence count by the form",
    ),
    BriefRule(
        17, "R-TRAINING", "R-LDTT, R-MONTHS-EMPLOYED", "implemented",
        "12 months rated khá or better count as LĐTT; fewer add to the months worked",
    ),
    BriefRule(18, "R-NVL-ONCE / R-KNC-ONCE", "R-NVL-ONCE, R-KNC-ONCE", "partial",
              "once only; the KNC's 10 years of union work (a local rule) is not checked"),
    BriefRule(
        19, "R-VOTE-LEGACY", "rules/vote.py, workflow/votes.py", "implemented", "absent members' "
        "written votes counted by the dated `vote.absent_in_writing`; the minutes print the ballot",
    ),
    BriefRule(
        20, "R-HDTDKT-SIZE", "workflow/votes.py (check_council_size)", "partial",
        "≤ 9 members from QĐ 2106/2017; the chair is not checked (no council roster yet)",
    ),
    BriefRule(21, "R-BONUS", "rules/money.py", "implemented", "lương cơ sở from 01/05/2016"),
    BriefRule(
        22, "R-REVOKE", "the revoke event (workflow/events.py)", "partial",
        "money and award to recover are not tracked",
    ),
)  # fmt: skip


def _day(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "—"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    lines = [
        "# Eligibility rules: clauses, dates and sources",
        "",
        "Generated from `rules/` by `make docs` (`python -m rules.docs`); a test fails when this",
        "file and the code disagree. Edit the code, not this file.",
        "",
        "On any date a rule applies the one clause in force, or, when no clause is known for",
        'that date, answers **"cần xem xét thủ công"** (manual review): never a pass. A clause',
        "is *implemented* as its source reads, *partial* (part of its test is encoded; the note",
        "says what the reviewer must still judge), *unconfirmed* (its text was not read: the",
        "earlier text's test is applied, and the reviewer sees that) or *local* (a local",
        "rulebook's rule, applied where a campaign lists it).",
        "",
        "## The brief's 22 rules (sources.md §7)",
        "",
        "| # | rule in the brief | here | status | note |",
        "|---:|---|---|---|---|",
    ]
    lines += [
        f"| {b.number} | {b.name} | {b.where or '—'} | {b.status} | {_cell(b.note)} |"
        for b in BRIEF
    ]
    lines += [
        "",
        "## Every rule's clauses",
        "",
        "| rule | title | clause | from | to | status | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule_id, r in sorted(RULES.items()):
        for c in r.clauses:
            lines.append(
                f"| `{rule_id}` | {r.title} | {_cell(c.clause)} | {_day(c.valid_from)} "
                f"| {_day(c.valid_to)} | {c.status.value} | {_cell(c.note)} |"
            )
    lines += [
        "",
        "## Where the brief and the law differ (the law wins)",
        "",
        "- The brief states R-LDTT, R-CSTD-TINH, R-ONE-ACHIEVEMENT and the Bằng khen rule from",
        "  Law 06/2022, in force from 01/01/2024. A title or award for 2017–2023 is judged under",
        "  the law of its time (Law 15/2003 and Decree 91/2017), so each rule has a clause for",
        "  each; where the earlier text was not read, that clause is marked *unconfirmed*.",
        "- The brief's example decisions cite Law 06/2022 and Decree 98/2023; a decision signed",
        "  before 01/01/2024 cites Law 15/2003 (amended 2005, 2013) and Decree 91/2017 instead,",
        "  and the union Quy chế in force on its signing day (1564/2014, 2106/2017, 1689/2019,",
        "  999/2024).",
        "- The brief's lương cơ sở starts at 01/07/2023; the decrees before it (47/2016, 47/2017,",
        "  72/2018, 38/2019) give every seed campaign's year its own amount.",
        "- The brief sets the ≤ 4 thematic proposals on each LĐLĐ tỉnh forwarding to the Tổng Liên",
        "  đoàn (QĐ 1689/2019, Điều 15), not on each CĐCS: the quota is counted at that tier.",
    ]
    lines += [
        "",
        "## Lương cơ sở (the base of every bonus)",
        "",
        "| from | to | amount | decree |",
        "|---|---|---:|---|",
    ]
    lines += [
        f"| {_day(p.valid_from)} | {_day(p.valid_to)} | {vnd(p.value)} | {p.source} |"
        for p in PARAMS
        if p.name == "luong_co_so"
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
