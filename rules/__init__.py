"""Eligibility rules checked against campaign criteria (pure functions, no Flask, no DB).

Rules plug into the workflow through :mod:`workflow.eligibility`.
"""
