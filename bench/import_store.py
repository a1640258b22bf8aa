"""Benchmark: storing a 100,000-row police export, and what the bot's other users notice.

    .venv/bin/python bench/import_store.py [--rows 100000]

``bench/import_incidents.py`` measures reading a file; this one measures the rest of an
import through :meth:`bot.incidents.IncidentService.import_file` into a fresh SQLite
project: comparing the rows with the stored incidents (by key, for corrections, and by
address and time for rows under another key — :mod:`bot.corrections`) and saving them.
Three imports of the same generated export (:func:`bench.import_incidents.make_export`):

* ``first``    into an empty project: every row new;
* ``again``    the same file: every row known by its registration number;
* ``no ids``   the same export without its registration-number column: every row has
  another key, and is found as the same burglary by its address and time.

Printed per import: wall time, what the report says, and — the figure that matters for a
bot that serves everyone from one event loop — the longest stall of that loop (a task
that wakes every 10 ms measures how late it wakes). The CPU work runs in worker threads;
the stall that is left is mostly the worker threads holding the GIL.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.import_incidents import make_export  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.incidents import IncidentService  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.repositories import Repositories  # noqa: E402

TICK_S = 0.01


async def _ticker(late: list[float]) -> None:
    last = time.perf_counter()
    while True:
        await asyncio.sleep(TICK_S)
        now = time.perf_counter()
        late.append(now - last - TICK_S)
        last = now


async def run(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database(Path(tmp) / "bench.sqlite").connect()
        try:
            repos = Repositories(db)
            await repos.users.upsert(1, "Bench", None, None, "en")
            project = await repos.projects.create("Bench", "Den Haag", 1)
            service = IncidentService(repos, FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC)),
                                      ZoneInfo("Europe/Amsterdam"))
            numbered, plain = make_export(rows, with_id=True), make_export(rows, with_id=False)
            print(f"{rows:,} rows; longest event-loop stall measured with a {TICK_S * 1000:.0f} ms "
                  "ticker")
            for name, data in (("first", numbered), ("again", numbered), ("no ids", plain)):
                late: list[float] = []
                ticker = asyncio.create_task(_ticker(late))
                start = time.perf_counter()
                report = await service.import_file(project.id, data, "export.csv",
                                                   user_id=None)
                took = time.perf_counter() - start
                ticker.cancel()
                print(f"  {name:8} {took:6.2f} s   imported {report.imported:>7,}   known "
                      f"{report.already_known:>7,}   corrected {report.corrected:>5,}   "
                      f"longest stall {max(late, default=0.0) * 1000:5.0f} ms")
        finally:
            await db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    asyncio.run(run(args.rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
