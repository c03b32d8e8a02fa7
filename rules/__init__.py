"""Eligibility rules checked against campaign criteria (pure functions, no Flask, no DB).

Importing this package registers every rule; :func:`evaluate_all` runs an award type's
rule list against a :class:`Context`. The workflow reaches the rules through
``workflow.eligibility``.
"""

from rules import collective, individual, process
from rules.context import Aggregates, Context, Prior, Target
from rules.registry import RULES, evaluate, evaluate_all, reads_counts, reads_history
from rules.results import Result, Severity, Source, Status

__all__ = [
    "RULES", "Aggregates", "Context", "Prior", "Result", "Severity", "Source", "Status",
    "Target", "collective", "evaluate", "evaluate_all", "individual", "process", "reads_counts",
    "reads_history",
]  # fmt: skip
