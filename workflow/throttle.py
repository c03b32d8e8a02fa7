"""Login throttling that slows guessing down without locking people out.

Failed logins are counted per account, per client address and per known device, each as a
leaky bucket in the database (shared by every worker and host): one failure is forgotten for
each quiet ``leak`` interval after the last one. While a bucket holds fewer than ``free``
failures attempts go straight through; after that each attempt must wait a delay that
doubles up to ``max_delay``; at ``limit`` failures the bucket is locked for ``lock``
(minutes, not hours). Nothing is ever locked for longer, and:

- a **known device** (a signed cookie the web layer sets after a successful login with that
  username, in the spirit of OWASP's "device cookies") is judged by its own bucket only, so
  its owner still logs in while strangers have throttled the account or the office address;
- an attempt is **counted before the password is checked**: its buckets are read, judged and
  incremented under a row lock in one transaction (``SELECT … FOR UPDATE`` on PostgreSQL,
  ``BEGIN IMMEDIATE`` on SQLite), and a success gives the count back. Concurrent attempts
  therefore never pass more than the limit allows, whatever the number of workers.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workflow.clock import utcnow
from workflow.models import LoginThrottle
from workflow.transaction import transaction


@dataclass(frozen=True)
class Policy:
    free: int  # failures that cost nothing
    limit: int  # failures that lock the bucket for ``lock``
    base_delay: timedelta  # the wait after ``free`` failures, doubled by each further one
    max_delay: timedelta
    lock: timedelta
    leak: timedelta  # one failure is forgotten per quiet interval of this length

    def delay(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        steps = min(failures - self.free, 20)  # 2**20 × base is far past any max_delay
        return min(self.base_delay * (1 << steps), self.max_delay)


ACCOUNT = Policy(
    free=3,
    limit=10,
    base_delay=timedelta(seconds=2),
    max_delay=timedelta(minutes=1),
    lock=timedelta(minutes=15),
    leak=timedelta(minutes=5),
)
# One address may hide a whole office (NAT): more room, shorter waits, a shorter lock and
# faster forgetting. Its owners' known devices are not affected at all.
ADDRESS = Policy(
    free=20,
    limit=60,
    base_delay=timedelta(seconds=1),
    max_delay=timedelta(seconds=10),
    lock=timedelta(minutes=5),
    leak=timedelta(minutes=1),
)
# A known device has its own budget: a stolen device cookie is not a free pass either.
DEVICE = Policy(
    free=5,
    limit=10,
    base_delay=timedelta(seconds=1),
    max_delay=timedelta(seconds=30),
    lock=timedelta(minutes=15),
    leak=timedelta(minutes=5),
)
POLICIES = {"account": ACCOUNT, "address": ADDRESS, "device": DEVICE}
# The names tests and operators know: the failures that lock an account or an address.
PER_ACCOUNT = ACCOUNT.limit
PER_ADDRESS = ADDRESS.limit
# Rows quiet for longer than this have leaked empty under every policy: they are dropped.
FORGET_AFTER = timedelta(hours=2)


class Throttled(Exception):
    """The attempt is refused before the password is checked; try again after ``wait``."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__(f"too many failed logins; retry in {wait}")
        self.wait = wait

    @property
    def seconds(self) -> int:
        return max(1, math.ceil(self.wait.total_seconds()))


@dataclass(frozen=True)
class Attempt:
    """The buckets an attempt was counted in, to give back if the password was right."""

    buckets: tuple[tuple[str, str], ...]


def account_key(username: str) -> str:
    return username.strip().casefold()[:80]


def address_key(address: str) -> str:
    """IPv4 as is; IPv6 by its /64 (one host usually holds a whole /64)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def buckets_for(username: str, address: str, device: str | None) -> list[tuple[str, str]]:
    if device:
        return [("device", device[:128])]
    return sorted([("account", account_key(username)), ("address", address_key(address))])


def _level(row: LoginThrottle, policy: Policy, now: datetime) -> int:
    """The failures still remembered at ``now``."""
    quiet = max(now - row.last_failure_at, timedelta(0))
    return max(0, row.failures - int(quiet / policy.leak))


def _wait(row: LoginThrottle, policy: Policy, now: datetime) -> timedelta:
    """How long ``row`` makes the next attempt wait (zero: it may go ahead)."""
    if row.locked_until is not None and row.locked_until > now:
        return row.locked_until - now
    delay = policy.delay(_level(row, policy, now))
    if not delay:  # (a concurrent attempt that read the clock a moment later may be first)
        return timedelta(0)
    return max(row.last_failure_at + delay - now, timedelta(0))


def _lock_rows(
    session: Session, buckets: list[tuple[str, str]], now: datetime
) -> list[LoginThrottle]:
    """The buckets' rows, created if missing, each locked until the transaction ends. Always
    in the same (sorted) order, so two attempts sharing buckets cannot deadlock."""
    dialect = session.get_bind().dialect.name
    rows = []
    for scope, key in sorted(buckets):
        values = {"scope": scope, "key": key, "failures": 0, "last_failure_at": now}
        if dialect == "postgresql":
            session.execute(pg_insert(LoginThrottle).values(**values).on_conflict_do_nothing())
        elif dialect == "sqlite":
            session.execute(sqlite_insert(LoginThrottle).values(**values).on_conflict_do_nothing())
        row = session.scalar(
            select(LoginThrottle)
            .where(LoginThrottle.scope == scope, LoginThrottle.key == key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if row is None:  # another dialect: create it plainly
            row = LoginThrottle(scope=scope, key=key, failures=0, last_failure_at=now)
            session.add(row)
            session.flush()
        rows.append(row)
    return rows


def begin(
    session: Session,
    username: str,
    address: str,
    device: str | None = None,
    now: datetime | None = None,
) -> Attempt:
    """Count an attempt before its password is checked, or raise :class:`Throttled`.

    ``device`` is the known device's identifier when the client presented a valid device
    cookie for this username: only its own bucket then applies. Commits.
    """
    now = now or utcnow()
    buckets = buckets_for(username, address, device)
    with transaction(session):
        rows = _lock_rows(session, buckets, now)
        wait = max((_wait(row, POLICIES[row.scope], now) for row in rows), default=timedelta(0))
        if wait > timedelta(0):
            raise Throttled(wait)  # rolled back: nothing counted, the password is not looked at
        for row in rows:
            policy = POLICIES[row.scope]
            row.failures = _level(row, policy, now) + 1
            row.last_failure_at = max(row.last_failure_at, now)
            if row.failures >= policy.limit:
                row.locked_until = now + policy.lock
    _forget_old(session, now)
    return Attempt(tuple(buckets))


def succeeded(session: Session, attempt: Attempt, now: datetime | None = None) -> None:
    """The password was right: the account's and the device's buckets start again; the
    address only gets back the one failure this attempt counted (someone else behind it may
    be guessing, and a success of one's own must not reset their count). Commits."""
    now = now or utcnow()
    with transaction(session):
        for row in _lock_rows(session, list(attempt.buckets), now):
            if row.scope == "address":
                policy = POLICIES[row.scope]
                row.failures = max(0, _level(row, policy, now) - 1)
                if row.failures < policy.limit:
                    row.locked_until = None
            else:
                session.delete(row)


def _forget_old(session: Session, now: datetime) -> None:
    """Drop buckets that have leaked empty, skipping any row an attempt holds right now."""
    old = (
        select(LoginThrottle.scope, LoginThrottle.key)
        .where(LoginThrottle.last_failure_at < now - FORGET_AFTER)
        .limit(500)
        .with_for_update(skip_locked=True)
    )
    with transaction(session):
        for scope, key in session.execute(old).all():
            session.execute(
                delete(LoginThrottle).where(LoginThrottle.scope == scope, LoginThrottle.key == key)
            )


def state(
    session: Session, scope: str, key: str, now: datetime | None = None
) -> tuple[int, timedelta]:
    """A bucket's remembered failures and the wait it imposes (for tests and operators)."""
    now = now or utcnow()
    row = session.get(LoginThrottle, (scope, key))
    if row is None:
        return 0, timedelta(0)
    policy = POLICIES[scope]
    return _level(row, policy, now), _wait(row, policy, now)
