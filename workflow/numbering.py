"""Document numbers as offices write them: "05/QĐ-LĐLĐ", "12/TTr-CĐVC".

Each issuing unit counts each kind of document from 01 every calendar year (Decree
30/2020/NĐ-CP, art. 15). The counter row is incremented inside the issuing transaction:
a rollback gives the number back (no gaps), and a concurrent issuer waits on the row.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from workflow.models import NumberCounter, Unit


class DocumentKind(StrEnum):
    """The abbreviation of the kind of document, as printed in its number."""

    DECISION = "QĐ"
    PROPOSAL = "TTr"
    MINUTES = "BB"
    REGISTER = "SỔ"  # entries in the register of awards (not printed as a document number)


def next_serial(
    session: Session, unit_id: int, kind: DocumentKind, year: int, count: int = 1
) -> int:
    """The next number of this kind for this unit and year, taken in the caller's
    transaction; with ``count``, the last of that many consecutive numbers taken at once."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(NumberCounter)
        .values(unit_id=unit_id, kind=kind.value, year=year, last=count)
        .on_conflict_do_update(
            index_elements=["unit_id", "kind", "year"],
            set_={"last": NumberCounter.last + count},
        )
        .returning(NumberCounter.last)
    )
    return int(session.execute(statement).scalar_one())


def document_number(serial: int, kind: DocumentKind, unit: Unit) -> str:
    """ "05/QĐ-LĐLĐ": two digits at least, the kind, the unit's own abbreviation."""
    return f"{serial:02d}/{kind.value}-{unit.abbreviation}"
