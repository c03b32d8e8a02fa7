"""docs/rules.md is what the code says: every rule's dated clauses and the brief's 22 rules."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rules.docs import BRIEF, markdown
from rules.registry import RULES

DOC = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def test_docs_rules_md_is_generated_from_the_code():
    assert DOC.read_text(encoding="utf-8") == markdown(), "run `make docs` and commit the result"


def test_the_brief_table_covers_its_22_rules_and_names_only_registered_rules():
    assert [b.number for b in BRIEF] == list(range(1, 23))
    for b in BRIEF:
        named = [w.strip() for w in b.where.split(",") if w.strip().startswith("R-")]
        assert all(rule_id in RULES for rule_id in named), b
        assert (b.status == "missing") == (b.where == ""), b


def test_every_clause_is_listed_with_its_dates():
    text = markdown()
    for rule_id, r in RULES.items():
        for clause in r.clauses:
            assert (
                f"| `{rule_id}` | {r.title} | {clause.clause.replace('|', chr(92) + '|')} |" in text
            )


def test_every_rule_has_an_english_title_and_english_names_its_missing_facts() -> None:
    """An English checklist names each rule and each missing fact in English (it showed
    "R-ABSENCE: R-ABSENCE: missing facts (absent_days)")."""
    from rules.context import Context
    from rules.registry import FACT_LABELS, evaluate

    for rule_id, r in RULES.items():
        assert r.title_en not in ("", r.title), rule_id
        assert rule_id not in r.title_en
    needed = {fact for r in RULES.values() for fact in r.needs}
    assert needed <= FACT_LABELS.keys()
    result = evaluate(
        "R-ABSENCE", Context(facts={}, year=2026, reference_date=date(2026, 12, 31), award="CSTDCS")
    )
    assert (
        result.message_en == "Days of absence in the year: missing information (days of absence)."
    )
    assert result.message_vi == "Số ngày nghỉ trong năm: thiếu thông tin (số ngày nghỉ)."


def test_every_clause_note_reads_in_english_too() -> None:
    """An English checklist showed "Partly checked: Chỉ điểm d; các điểm a–c do Hội đồng…"."""
    from rules.results import NOTES_EN

    notes = {c.note for r in RULES.values() for c in r.clauses if c.note}
    assert notes
    assert notes <= NOTES_EN.keys(), sorted(notes - NOTES_EN.keys())
    assert set(NOTES_EN) <= notes  # no translation of a note no rule has any more
