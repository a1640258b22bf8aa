"""Registered burglaries and attempts (confidential police data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, utc_iso


@dataclass(frozen=True, slots=True)
class NewIncident:
    source_key: str
    occurred_from: datetime
    occurred_to: datetime
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    buurt: str | None = None
    buurt_code: str | None = None
    wijk: str | None = None
    municipality: str | None = None
    attempt: bool = False
    modus_operandi: str | None = None
    x_rd: float | None = None
    y_rd: float | None = None
    lat: float | None = None
    lon: float | None = None
    area_id: int | None = None


class IncidentRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_many(
        self,
        project_id: int,
        incidents: Sequence[NewIncident],
        *,
        source: str,
        created_by: int | None,
        now: datetime,
    ) -> int:
        """Insert all incidents in one transaction; duplicates (same source_key) are skipped.

        Returns the number of rows actually inserted.
        """
        rows = [
            (
                project_id, i.source_key, utc_iso(i.occurred_from), utc_iso(i.occurred_to),
                i.street, i.house_number, i.postcode, i.buurt, i.buurt_code, i.wijk,
                i.municipality, int(i.attempt), i.modus_operandi, i.x_rd, i.y_rd, i.lat, i.lon,
                i.area_id, source, created_by, utc_iso(now),
            )
            for i in incidents
        ]
        async with self.db.transaction():
            before = await self.count(project_id)
            await self.db.executemany(
                "INSERT OR IGNORE INTO incidents(project_id, source_key, occurred_from,"
                " occurred_to, street, house_number, postcode, buurt, buurt_code, wijk,"
                " municipality, attempt, modus_operandi, x_rd, y_rd, lat, lon, area_id, source,"
                " created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            after = await self.count(project_id)
        return after - before

    async def count(self, project_id: int) -> int:
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM incidents WHERE project_id=?", (project_id,)
            )
        )

    async def span(self, project_id: int) -> tuple[datetime, datetime] | None:
        row = await self.db.fetchone(
            "SELECT MIN(occurred_from) AS a, MAX(occurred_from) AS b FROM incidents"
            " WHERE project_id=?",
            (project_id,),
        )
        if row is None or row["a"] is None:
            return None
        return (
            datetime.fromisoformat(row["a"].replace("Z", "+00:00")),
            datetime.fromisoformat(row["b"].replace("Z", "+00:00")),
        )
