"""Instructions per audited transition, counted by valgrind's callgrind (issue 19).

A shared VM's wall clock drifts by a third between runs, which hides a 5 % change;
callgrind counts the same instructions for the same code whatever the neighbours do. The
script populates a scratch SQLite database as ``bench/transitions.py`` does, runs one warm-up
batch of its script, then switches counting on for ``--events`` transitions only.

Usage: ``.venv/bin/python bench/instructions.py [--events 400]`` (valgrind must be installed;
the run takes about a minute).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
# As bench/transitions.py: this folder's rules.py and transitions.py would shadow the packages
# of those names; the project root takes its place.
if str(HERE) in sys.path:  # run as a script (bench/wal_pages.py imports it as bench.instructions)
    sys.path.remove(str(HERE))
sys.path.insert(0, str(HERE.parent))

from sqlalchemy.orm import Session  # noqa: E402

INSIDE = "KHENTHUONG_UNDER_CALLGRIND"  # set when this script runs under valgrind


def load_transitions_bench() -> ModuleType:
    """bench/transitions.py, under a name of its own: "transitions" is the state machine
    library it benchmarks against (it takes its own folder off sys.path for that)."""
    sys.path.insert(0, str(HERE))  # which it takes off again as it loads
    spec = importlib.util.spec_from_file_location("bench_transitions", HERE / "transitions.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=400, help="transitions counted")
    return parser.parse_args(argv)


@contextmanager
def scripted(events: int, path: Path) -> Iterator[tuple[Session, Callable[[], int]]]:
    """A scratch SQLite database at ``path`` populated as ``bench/transitions.py`` does and
    warmed up by one batch of its script; yields the session and the batch to measure, about
    ``events`` transitions (whole scripts), which answers how many it made."""
    from workflow import service

    bench = load_transitions_bench()
    per_batch = events // len(bench.SCRIPT)
    url = f"sqlite:///{path}"
    with bench.migrated_engine(url) as engine, Session(engine, expire_on_commit=False) as session:
        clock = bench.Clock()
        world = bench.populate(session, 2 * per_batch, "not a real hash", clock)

        def batch(ids: list[int]) -> int:
            for nomination_id in ids:
                version = 1
                for event, who, data in bench.SCRIPT:
                    version = service.fire(
                        session, nomination_id, event, world.users[who],
                        expected_version=version, now=clock(), **data,
                    ).version  # fmt: skip
            return len(ids) * len(bench.SCRIPT)

        batch(world.nomination_ids[:per_batch])
        yield session, lambda: batch(world.nomination_ids[per_batch:])


def counted(events: int) -> None:
    """Under valgrind: populate, warm up, then count ``events`` transitions."""
    with scripted(events, Path(tempfile.mkdtemp()) / "bench.sqlite3") as (_, measured):
        control = ["callgrind_control", "-i"]
        subprocess.run([*control, "on", str(os.getpid())], check=True, capture_output=True)  # noqa: S603
        measured()
        subprocess.run([*control, "off", str(os.getpid())], check=True, capture_output=True)  # noqa: S603


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if os.environ.get(INSIDE):
        counted(args.events)
        return 0
    out = Path(tempfile.mkdtemp()) / "callgrind.out"
    subprocess.run(  # noqa: S603
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",  # noqa: S607
         sys.executable, __file__, "--events", str(args.events)],
        env={**os.environ, INSIDE: "1"}, check=True, capture_output=True,
    )  # fmt: skip
    total = re.search(r"^totals: (\d+)", out.read_text(), re.MULTILINE)
    if total is None:
        print("callgrind counted nothing", file=sys.stderr)
        return 1
    events = args.events // 5 * 5  # whole scripts of five transitions (bench/transitions.py)
    print(f"{int(total[1]) / events / 1e6:.2f} M instructions per transition ({events} counted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
