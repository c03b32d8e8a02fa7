"""Pages written per audited transition on SQLite, counted in the write-ahead log (issue 19).

Every page an event changes (a table's, each index's) is appended to the WAL at its commit,
so the log's growth over a run, with checkpoints held off, is what the events wrote: a count
that, unlike a shared VM's wall clock, does not drift. The script populates a scratch
database as ``bench/transitions.py`` does, runs one warm-up batch of its script, then counts.

Usage: ``.venv/bin/python bench/wal_pages.py [--events 1500]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) in sys.path:  # as bench/instructions.py: the project's packages, not this folder's
    sys.path.remove(str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench.instructions import scripted  # noqa: E402

FRAME_HEADER = 24  # bytes before each page in the WAL (sqlite.org/fileformat.html)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1500, help="transitions counted")
    args = parser.parse_args(argv)
    path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    with scripted(args.events, path) as (session, measured):
        raw = session.connection().connection.driver_connection
        session.commit()
        raw.execute("PRAGMA wal_autocheckpoint = 0")  # this connection writes every event
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        events = measured()
        # Only this connection may have written: another would checkpoint by itself, and the
        # log's growth would undercount.
        if session.connection().connection.driver_connection is not raw:
            raise SystemExit("the events ran on another connection: nothing counted")
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]
        frames = os.path.getsize(f"{path}-wal") / (page_size + FRAME_HEADER)
    print(f"{frames / events:.2f} pages written per transition ({events} counted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
