"""Benchmark (not a test): import a province's register of 50,000 members from .xlsx on SQLite.

Timed: ``member_import.import_members`` as an administrator of the province triggers it
(stream the workbook, check every row, look for duplicates, insert members and memberships,
vouch for them in the audit chain). Target (issue 15): ≤ 60 s.

Run: ``.venv/bin/python bench/members_import.py [--rows N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

# Run as a script, bench/ would shadow installed packages; import the project instead.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from tests.databases import migrate  # noqa: E402
from tests.factories import build_world  # noqa: E402
from workflow import audit, member_import  # noqa: E402
from workflow.accounts import create_unit  # noqa: E402
from workflow.db import make_engine  # noqa: E402

UNITS = 200
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Thị", "Văn", "Đức", "Minh", "Thu", "Quốc", "Ngọc", "Hữu")
GIVEN = ("Ánh Tuyết", "Bình", "Cường", "Dũng", "Hà", "Hương", "Khôi", "Lan", "Nga", "Phúc")


def workbook(rows: int) -> bytes:
    rng = random.Random(15)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(("Mã đoàn viên", "Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ", "Mã đơn vị"))
    for i in range(rows):
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        born = date(1960 + rng.randrange(45), 1 + rng.randrange(12), 1 + rng.randrange(28))
        ws.append((f"DV{i:06d}", name, born, rng.choice(("Nam", "Nữ")), "Đoàn viên",
                   f"CSB{i % UNITS:03d}"))  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def one_run(tmp: str, run: int, content: bytes) -> tuple[float, int, int]:
    url = f"sqlite:///{tmp}/members-{run}.sqlite3"
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        world = build_world(session)
        for i in range(UNITS):
            create_unit(session, f"CSB{i:03d}", f"Công đoàn cơ sở số {i}", "cdcs", "BR1")
        session.commit()
        admin = world.user("admin")
        start = time.perf_counter()
        report = member_import.import_members(session, admin, content, date(2026, 1, 1),
                                              now=datetime.now(UTC))  # fmt: skip
        elapsed = time.perf_counter() - start
        assert audit.verify(session).ok
    engine.dispose()
    return elapsed, report.created, len(report.duplicates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    content = workbook(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("INSTANCE_PATH", tmp)
        results = [one_run(tmp, run, content) for run in range(args.repeat)]
    times = [t for t, _, _ in results]
    print(f"Members import: {args.rows:,} rows ({len(content) / 1e6:.1f} MB .xlsx), SQLite file")
    print(
        f"machine: {platform.platform()}; {os.cpu_count()} CPUs; Python {platform.python_version()}"
    )
    print(f"created {results[0][1]:,}; likely duplicates reported {results[0][2]:,}")
    print(f"median {statistics.median(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)}); "
          "target ≤ 60 s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
