"""Benchmark: the analytics frame of a project with 50,000 incidents, read from SQLite
against kept in memory (:meth:`bot.incidents.IncidentService.frame`).

    .venv/bin/python bench/frame.py [--incidents 50000] [--runs 5]

Every /sturing, /agenda, meeting post and hotspot check starts from this frame. Printed
(medians): reading it from the database (a new service each run, so nothing is kept), and
asking for it again while the incidents are unchanged (one version query and a copy).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from steering import region  # noqa: E402

from bot.clock import FixedClock  # noqa: E402
from bot.incidents import IncidentService  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.incidents import NewIncident  # noqa: E402
from storage.repositories import Repositories  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Amsterdam")


async def run(n: int, runs: int, folder: Path) -> None:
    df, _homes, _polygons = region(n)
    db = await Database(folder / "bench.sqlite").connect()
    try:
        repos = Repositories(db)
        await repos.users.upsert(1, "Analist", None, None, "nl")
        project = await repos.projects.create("Bench", "Havendam", 1)
        await repos.incidents.add_many(project.id, [
            NewIncident(f"k{i}", r.occurred_from.to_pydatetime(), r.occurred_to.to_pydatetime(),
                        street=r.street, buurt=r.buurt, wijk=r.wijk, attempt=bool(r.attempt),
                        modus_operandi=r.modus_operandi, x_rd=float(r.x_rd),
                        y_rd=float(r.y_rd))
            for i, r in enumerate(df.itertuples())], source="import", created_by=1, now=NOW)
        read, kept = [], []
        for _ in range(runs):
            service = IncidentService(repos, FixedClock(NOW), TZ)
            start = time.perf_counter()
            frame = await service.frame(project.id)
            read.append(time.perf_counter() - start)
            start = time.perf_counter()
            again = await service.frame(project.id)
            kept.append(time.perf_counter() - start)
            assert len(frame) == len(again) == len(df)
        r, k = statistics.median(read) * 1000, statistics.median(kept) * 1000
        print(f"incidents: {len(df):,}")
        print(f"frame read from SQLite (median of {runs}): {r:8.1f} ms")
        print(f"frame kept in memory, unchanged data:   {k:8.1f} ms  ({r / k:.0f}× faster)")
    finally:
        await db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.incidents, args.runs, Path(folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
