"""Benchmark (not a test): import a list of 5,000 rows from .xlsx on SQLite.

Timed, each step as the officer triggers it: ``imports.preview`` (read the workbook, validate
every row with marshmallow, look for duplicates, store the checked batch) and
``imports.confirm`` (create every valid row as a draft with its first audit link, one
transaction). The workbook is written beforehand with openpyxl from the app's own template.

Run: ``.venv/bin/python bench/import.py [--rows N] [--repeat R]``.
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
from datetime import UTC, datetime
from pathlib import Path

# Run as a script, bench/ would shadow installed packages; import the project instead.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from tests.databases import migrate  # noqa: E402
from tests.factories import demo_definition  # noqa: E402
from workflow import campaigns, import_sheets, imports  # noqa: E402
from workflow.accounts import assign_role, create_unit, create_user  # noqa: E402
from workflow.db import make_engine  # noqa: E402

CAMPAIGN = "TDYN-2025-DLK"
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh", "Đức", "Thu")
GIVEN = ("An", "Bình", "Cường", "Dung", "Giang", "Hòa", "Lan", "Mai", "Nam", "Phúc", "Quế")


def workbook(session: Session, rows: int) -> bytes:
    """The app's template, filled with ``rows`` individuals (a few cells wrong on purpose)."""
    rng = random.Random(2025)
    wb = load_workbook(io.BytesIO(import_sheets.template(session, CAMPAIGN)))
    ws = wb["Danh sách"]
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "STT")
    headers = [c.value for c in ws[header_row]]
    codes = ("LDTT", "CSTDCS", "GK_CDCTT")
    for i in range(rows):
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)} {i}"
        values = {
            "STT": i + 1,
            "Họ và tên / Tên tập thể (*)": name,
            "Mã hình thức khen thưởng (*)": rng.choice(codes),
            "Chức vụ": "Chuyên viên",
            "Ngày sinh": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1965, 2000)}",
            "Giới tính": rng.choice(("Nam", "Nữ")),
            "Số CCCD / mã đoàn viên": f"0011{i:08d}",
            "Đăng ký thi đua": "Có",
            "Số ngày nghỉ": rng.randint(0, 30),
            "Số tháng công tác trong năm": 12,
            "Xếp loại năm 2025": rng.choice(("HTXSNV", "HTTNV", "HTTNV", "HTNV")),
            "Xếp loại năm 2024": rng.choice(("HTXSNV", "HTTNV")),
        }
        if i % 250 == 7:
            values["Ngày sinh"] = "31/02/1990"  # some rows are wrong, as in real lists
        ws.append([values.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def one_run(tmp: str, run: int, rows: int) -> tuple[float, float, int]:
    url = f"sqlite:///{tmp}/import-{run}.sqlite3"
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        create_unit(session, "TLD", "TLĐ", "tong_ldld")
        create_unit(session, "DLK", "LĐLĐ tỉnh Đắk Lắk", "ldld_tinh", "TLD")
        create_unit(session, "CDVC", "CĐVC tỉnh", "cd_cap_tren", "DLK")
        create_unit(session, "CS1", "CĐCS Sở Tài chính", "cdcs", "CDVC")
        officer = create_user(session, "officer", "Cán bộ CĐCS", "a long bench password")
        assign_role(session, officer, "officer", "CS1")
        campaigns.import_campaign(session, demo_definition())
        session.commit()
        content = workbook(session, rows)
        session.rollback()
        start = time.perf_counter()
        batch = imports.preview(
            session, officer, campaign=CAMPAIGN, content=content, filename="ds.xlsx"
        )
        checked = time.perf_counter()
        created = imports.confirm(session, officer, batch.id, now=datetime.now(UTC))
        done = time.perf_counter()
    engine.dispose()
    return checked - start, done - checked, len(created)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("INSTANCE_PATH", tmp)
        for run in range(args.repeat):
            results.append(one_run(tmp, run, args.rows))
    totals = [p + c for p, c, _ in results]
    print(f"Import benchmark: {args.rows:,} rows (.xlsx), SQLite file")
    print(
        f"machine: {platform.platform()}; {os.cpu_count()} CPUs; Python {platform.python_version()}"
    )
    print(f"date:    {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"created: {results[0][2]:,} drafts (the rest had a bad cell)")
    print(
        f"preview (read + validate + store):   median {statistics.median(p for p, _, _ in results):.2f} s"
    )
    print(
        f"confirm (create drafts + audit):     median {statistics.median(c for _, c, _ in results):.2f} s"
    )
    print(f"total:                               median {statistics.median(totals):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in totals)}); target ≤ 10 s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
