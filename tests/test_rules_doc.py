"""docs/rules.md is what the code says: every rule's dated clauses and the brief's 22 rules."""

from __future__ import annotations

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
