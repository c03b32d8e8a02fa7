"""Schemathesis against the running app: generated requests to every operation as each role.

Each generated request must get a non-5xx answer that conforms to the documented schema.
The bounded run here sends well over 2,000 requests; ``FUZZ_EXAMPLES`` raises it for the
long run recorded in docs/api-fuzzing.md.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from workflow import tokens

ROLES = ["officer1", "rev_br1", "council_prov", "decider_prov", "auditor_prov", "admin"]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "22"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_generated_requests_never_fail_the_server_or_the_schema(app, world):
    for nid in (world.nominate(), world.nominate("officer2")):
        world.fire(nid, "submit", "officer1" if nid == 1 else "officer2")
    bearer = {
        name: {"Authorization": f"Bearer {tokens.issue(world.session, world.user(name))[0]}"}
        for name in ROLES
    }
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    sent: Counter[str] = Counter()
    failures: list[str] = []

    def make_test(operation: Any, role: str) -> Any:
        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case: schemathesis.Case) -> None:
            headers = dict(bearer[role])
            if operation.path == "/api/v1/tokens/current":
                # Revoking must not end the shared token: give it one of its own.
                own = tokens.issue(world.session, world.user(role))[0]
                headers = {"Authorization": f"Bearer {own}"}
            sent[operation.label] += 1
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except Exception as exc:  # collected, then reported all together
                failures.append(f"{role} {operation.label}: {exc}")
                raise

        return exercise

    for result in schema.get_all_operations():
        for role in ROLES:
            try:
                make_test(result.ok(), role)()
            except Exception:  # noqa: S112 - every failure is already in `failures`
                continue
    total = sum(sent.values())
    print(f"schemathesis: {total} requests over {len(sent)} operations x {len(ROLES)} roles")
    assert not failures, "\n\n".join(failures[:5])
    assert total >= 2000, sent
    assert len(sent) == len(list(schema.get_all_operations()))
