"""Registered burglaries and attempts (confidential police data)."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database, Row, utc_iso


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


#: The columns of an incident, as the table of superseded registrations has them too.
_COLUMNS = ("id, project_id, source_key, occurred_from, occurred_to, street, house_number,"
            " postcode, buurt, buurt_code, wijk, municipality, attempt, modus_operandi, x_rd,"
            " y_rd, lat, lon, area_id, source, created_by, created_at, import_id, x_m, y_m")
# What an export's row brings to the registration it replaces: all but the id; the position
# only when the export has one (a location shared on the street beats none), the area only
# when the export's row lies in one.
_TAKEN = ("source_key", "occurred_from", "occurred_to", "street", "house_number", "postcode",
          "buurt", "buurt_code", "wijk", "municipality", "attempt", "modus_operandi", "source",
          "created_by", "created_at", "import_id")
_POSITION = ("x_rd", "y_rd", "lat", "lon", "x_m", "y_m")
# What a correction by a later export may change, and so what is kept to undo it.
_CORRECTABLE = ("occurred_from", "occurred_to", "street", "house_number", "postcode", "buurt",
                "buurt_code", "wijk", "municipality", "attempt", "modus_operandi", "x_rd",
                "y_rd", "lat", "lon", "area_id", "x_m", "y_m")
_KEYS_PER_QUERY = 500  # well below SQLite's limit on bound parameters
#: How many imports a listing shows by default (the latest; /importen finds older ones by
#: their number, the command line with --all).
IMPORTS_LISTED = 10


@dataclass(frozen=True, slots=True)
class ImportLog:
    project_id: int
    user_id: int | None
    filename: str
    kind: str            # incidents | monthly
    rows_read: int
    imported: int
    duplicates: int
    rejected: int


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
        metric: tuple[Any, Any] | None = None,  # x and y sequences or numpy arrays
        area_ids: Sequence[int | None] | None = None,
        import_id: int | None = None,
        skip: Collection[int] = (),
    ) -> int:
        """Insert all incidents in one transaction; duplicates (same source_key) are skipped.

        ``metric`` gives planar metres per incident (for non-RD sources); ``area_ids`` the
        project area each incident belongs to; ``skip`` the positions of incidents known
        under another key (see :func:`bot.corrections.same_burglaries`). Returns the number
        of rows inserted.
        """
        stamp = utc_iso(now)

        def rows() -> Iterator[tuple[object, ...]]:
            for index, i in enumerate(incidents):
                if index in skip:
                    continue
                x_m = y_m = None
                if metric is not None:
                    x_m, y_m = _finite(metric[0][index]), _finite(metric[1][index])
                area_id = area_ids[index] if area_ids is not None else i.area_id
                yield (
                    project_id, i.source_key, utc_iso(i.occurred_from), utc_iso(i.occurred_to),
                    i.street, i.house_number, i.postcode, i.buurt, i.buurt_code, i.wijk,
                    i.municipality, int(i.attempt), i.modus_operandi, _finite(i.x_rd),
                    _finite(i.y_rd), _finite(i.lat), _finite(i.lon), area_id, source,
                    created_by, stamp, x_m, y_m, import_id,
                )

        async with self.db.transaction():
            before = await self.count(project_id)
            await self.db.executemany(
                "INSERT OR IGNORE INTO incidents(project_id, source_key, occurred_from,"
                " occurred_to, street, house_number, postcode, buurt, buurt_code, wijk,"
                " municipality, attempt, modus_operandi, x_rd, y_rd, lat, lon, area_id, source,"
                " created_by, created_at, x_m, y_m, import_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows(),
            )
            after = await self.count(project_id)
            if after != before:
                await self._bump_version(project_id)
        return after - before

    async def _bump_version(self, project_id: int) -> None:
        """Raise the project's incidents version; inside the changing transaction."""
        await self.db.execute(
            "UPDATE projects SET incidents_version = incidents_version + 1 WHERE id=?",
            (project_id,))

    async def version(self, project_id: int) -> int:
        """Changes with every insert or delete of the project's incidents (never repeats)."""
        return int(await self.db.fetchval(
            "SELECT incidents_version FROM projects WHERE id=?", (project_id,)) or 0)

    async def analysis_rows(self, project_id: int) -> list[Row]:
        """What the analytics need — never house numbers or postcodes."""
        return await self.db.fetchall(
            "SELECT occurred_from, occurred_to, street, buurt, wijk, attempt, modus_operandi,"
            " COALESCE(x_rd, x_m) AS x, COALESCE(y_rd, y_m) AS y FROM incidents"
            " WHERE project_id=? ORDER BY occurred_from",
            (project_id,),
        )

    async def recent(self, project_id: int, since: datetime) -> list[Row]:
        """The incidents since ``since``, latest first, with their detail; callers decide
        what may be shown. (No limit: callers filter by area, which has to see them all.)"""
        return await self.db.fetchall(
            "SELECT occurred_from, occurred_to, street, house_number, buurt, wijk, attempt,"
            " modus_operandi FROM incidents WHERE project_id=? AND occurred_from >= ?"
            " ORDER BY occurred_from DESC",
            (project_id, utc_iso(since)),
        )

    async def place_name(self, project_id: int, name: str) -> str | None:
        """The name as the incidents spell it, of the street, buurt or wijk called ``name``
        (in any case) that any incident lies in; ``None`` when none does."""
        return await self.db.fetchval(
            "SELECT CASE WHEN street=?1 COLLATE NOCASE THEN street"
            " WHEN buurt=?1 COLLATE NOCASE THEN buurt ELSE wijk END FROM incidents"
            " WHERE project_id=?2 AND (street=?1 COLLATE NOCASE OR buurt=?1 COLLATE NOCASE"
            " OR wijk=?1 COLLATE NOCASE) LIMIT 1",
            (name, project_id))

    async def places_between(self, project_id: int, start: datetime, end: datetime, *,
                             import_id: int | None = None) -> list[Row]:
        """The registrations (``import_id`` None) or one import's incidents whose time window
        touches ``start``–``end``: id, window, street, house number, position (x, y)."""
        which = "source='registration'" if import_id is None else "import_id=?"
        return await self.db.fetchall(
            "SELECT id, occurred_from, occurred_to, street, house_number,"
            " COALESCE(x_rd, x_m) AS x, COALESCE(y_rd, y_m) AS y FROM incidents"
            f" WHERE project_id=? AND {which} AND occurred_from <= ? AND occurred_to >= ?",
            (project_id, *(() if import_id is None else (import_id,)), utc_iso(end),
             utc_iso(start)))

    async def supersede(self, project_id: int, import_id: int,
                        pairs: Sequence[tuple[int, int]]) -> None:
        """Let each imported incident take the place of the registration it is (pairs of
        registration id, imported id): the registration keeps its id and gets the import's
        data; as it was, it is kept for :meth:`remove_import` to bring back."""
        async with self.db.transaction():
            for registration, imported in pairs:
                await self.db.execute(
                    f"INSERT INTO superseded_registrations(replaced_by, {_COLUMNS})"
                    f" SELECT ?, {_COLUMNS} FROM incidents WHERE id=? AND project_id=?"
                    " AND source='registration'", (import_id, registration, project_id))
                row = await self.db.fetchone(
                    f"SELECT {', '.join(_TAKEN + _POSITION)}, area_id FROM incidents"
                    " WHERE id=? AND project_id=? AND import_id=?",
                    (imported, project_id, import_id))
                assert row is not None, (imported, import_id)
                # First out of the way: the registration takes over its unique source_key.
                await self.db.execute("DELETE FROM incidents WHERE id=?", (imported,))
                located = any(row[c] is not None for c in _POSITION)
                columns = _TAKEN + (_POSITION if located else ())
                await self.db.execute(
                    f"UPDATE incidents SET {', '.join(f'{c}=?' for c in columns)},"
                    " area_id=COALESCE(?, area_id) WHERE id=?",
                    (*(row[c] for c in columns), row["area_id"], registration))
            await self.db.execute("UPDATE imports SET replaced=? WHERE id=?",
                                  (len(pairs), import_id))
            if pairs:
                await self._bump_version(project_id)

    async def known(self, project_id: int, keys: Sequence[str]) -> list[Row]:
        """The stored incidents with these source keys: id, source key and every column a
        correction may change (:mod:`bot.corrections`)."""
        out: list[Row] = []
        for a in range(0, len(keys), _KEYS_PER_QUERY):
            chunk = keys[a:a + _KEYS_PER_QUERY]
            out += await self.db.fetchall(
                f"SELECT id, source_key, {', '.join(_CORRECTABLE)} FROM incidents"
                f" WHERE project_id=? AND source_key IN ({','.join('?' * len(chunk))})",
                (project_id, *chunk))
        return out

    async def overlapping(self, project_id: int, start: datetime, end: datetime) -> list[Row]:
        """The incidents (not registrations by hand) whose time window touches
        ``start``–``end``, as :meth:`known` reads them."""
        return await self.db.fetchall(
            f"SELECT id, source_key, {', '.join(_CORRECTABLE)} FROM incidents"
            " WHERE project_id=? AND source <> 'registration' AND occurred_from <= ?"
            " AND occurred_to >= ?", (project_id, utc_iso(end), utc_iso(start)))

    async def rekey(self, project_id: int, pairs: Sequence[tuple[int, str]]) -> None:
        """Give incidents known by a hash of their details the registration number a later
        export has for them (pairs of incident id and new key), so that the exports after
        it find and correct them by that number. Removing that export leaves the number:
        it is still the same burglary's."""
        if pairs:
            await self.db.executemany(
                "UPDATE incidents SET source_key=? WHERE id=? AND project_id=?",
                [(key, incident_id, project_id) for incident_id, key in pairs])

    async def correct(self, project_id: int, import_id: int,
                      found: Sequence[tuple[int, Mapping[str, object]]]) -> None:
        """Apply a later export's corrections (pairs of incident id and the changed
        columns): the incident keeps its id and import; its details as they were are kept
        for :meth:`remove_import` of ``import_id`` to put back."""
        async with self.db.transaction():
            for incident_id, changes in found:
                columns = [c for c in _CORRECTABLE if c in changes]
                if not columns:
                    continue
                await self.db.execute(
                    f"INSERT INTO corrected_incidents(corrected_by, id, project_id,"
                    f" {', '.join(_CORRECTABLE)}) SELECT ?, id, project_id,"
                    f" {', '.join(_CORRECTABLE)} FROM incidents WHERE id=? AND project_id=?",
                    (import_id, incident_id, project_id))
                await self.db.execute(
                    f"UPDATE incidents SET {', '.join(f'{c}=?' for c in columns)}"
                    " WHERE id=? AND project_id=?",
                    (*(changes[c] for c in columns), incident_id, project_id))
            await self.db.execute("UPDATE imports SET corrected=? WHERE id=?",
                                  (len(found), import_id))
            if found:
                await self._bump_version(project_id)

    async def _undo_corrections(self, project_id: int, import_id: int) -> int:
        """Put back what ``import_id`` corrected; the number of incidents. Where a later
        import corrected the same incident again, that one's kept details become these
        (so undoing it later goes back to before both) and the incident stays as it is:
        the later export holds the incident too and is the newer word on it (it is not
        known which of its values merely agreed with this import's, as those were no
        change to record)."""
        undone = 0
        for row in await self.db.fetchall(
                f"SELECT id, {', '.join(_CORRECTABLE)} FROM corrected_incidents"
                " WHERE corrected_by=? AND project_id=?", (import_id, project_id)):
            values = tuple(row[c] for c in _CORRECTABLE)
            assignments = ", ".join(f"{c}=?" for c in _CORRECTABLE)
            later = await self.db.fetchval(
                "SELECT MIN(corrected_by) FROM corrected_incidents WHERE id=?"
                " AND corrected_by > ?", (row["id"], import_id))
            if later is not None:
                await self.db.execute(
                    f"UPDATE corrected_incidents SET {assignments} WHERE id=?"
                    " AND corrected_by=?", (*values, row["id"], later))
            else:
                undone += await self.db.execute(
                    f"UPDATE incidents SET {assignments} WHERE id=? AND project_id=?",
                    (*values, row["id"], project_id))
        await self.db.execute("DELETE FROM corrected_incidents WHERE corrected_by=?",
                              (import_id,))
        return undone

    async def zone_rows(self, project_id: int, since: datetime) -> list[Row]:
        """Recent incidents for near-repeat zones: position and street, no house number."""
        return await self.db.fetchall(
            "SELECT id, occurred_from, occurred_to, street, buurt, area_id, attempt,"
            " modus_operandi, COALESCE(x_rd, x_m) AS x, COALESCE(y_rd, y_m) AS y"
            " FROM incidents WHERE project_id=? AND occurred_to >= ? ORDER BY id",
            (project_id, utc_iso(since)),
        )

    async def by_ids(self, project_id: int, ids: Sequence[int]) -> list[Row]:
        """Incidents with their detail; callers check VIEW_INCIDENT_DETAIL first."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return await self.db.fetchall(
            "SELECT id, occurred_from, occurred_to, street, house_number, buurt, attempt,"
            f" modus_operandi FROM incidents WHERE project_id=? AND id IN ({marks})"
            " ORDER BY occurred_from DESC", (project_id, *ids))

    async def withdraw_registration(self, project_id: int, source_key: str, user_id: int,
                                    since: datetime) -> bool:
        """Delete a burglary this user registered by hand at or after ``since``; whether
        there was one (imported rows are never deleted this way)."""
        async with self.db.transaction():
            deleted = await self.db.execute(
                "DELETE FROM incidents WHERE project_id=? AND source_key=?"
                " AND source='registration' AND created_by=? AND created_at >= ?",
                (project_id, source_key, user_id, utc_iso(since)))
            if deleted:
                await self._bump_version(project_id)
        return bool(deleted)

    async def replaced_by(self, project_id: int, source_key: str) -> int | None:
        """The import whose row took the place of this registration, if one did."""
        return await self.db.fetchval(
            "SELECT replaced_by FROM superseded_registrations WHERE project_id=?"
            " AND source_key=?", (project_id, source_key))

    async def streets(self, project_id: int) -> list[str]:
        rows = await self.db.fetchall(
            "SELECT DISTINCT street FROM incidents WHERE project_id=? AND street IS NOT NULL",
            (project_id,))
        return [r[0] for r in rows]

    async def buurt_of_street(self, project_id: int, street: str) -> str | None:
        return await self.db.fetchval(
            "SELECT buurt FROM incidents WHERE project_id=? AND street=? COLLATE NOCASE"
            " AND buurt IS NOT NULL GROUP BY buurt ORDER BY COUNT(*) DESC LIMIT 1",
            (project_id, street))

    async def lat_lon_box(self, project_id: int) -> tuple[float, float, float, float] | None:
        """(south, west, north, east) of the project's located incidents."""
        row = await self.db.fetchone(
            "SELECT MIN(lat), MIN(lon), MAX(lat), MAX(lon) FROM incidents WHERE project_id=?"
            " AND lat IS NOT NULL AND lon IS NOT NULL", (project_id,))
        if row is None or row[0] is None:
            return None
        return float(row[0]), float(row[1]), float(row[2]), float(row[3])

    async def log_import(self, log: ImportLog, now: datetime) -> int:
        return await self.db.insert(
            "INSERT INTO imports(project_id, user_id, filename, kind, at, rows_read, imported,"
            " duplicates, rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (log.project_id, log.user_id, log.filename, log.kind, utc_iso(now), log.rows_read,
             log.imported, log.duplicates, log.rejected),
        )

    async def finish_import(self, import_id: int, imported: int, duplicates: int) -> None:
        await self.db.execute("UPDATE imports SET imported=?, duplicates=? WHERE id=?",
                              (imported, duplicates, import_id))

    async def import_count(self, project_id: int) -> int:
        return int(await self.db.fetchval("SELECT COUNT(*) FROM imports WHERE project_id=?",
                                          (project_id,)))

    async def imports(self, project_id: int, limit: int | None = IMPORTS_LISTED,
                      only: int | None = None) -> list[Row]:
        """The project's latest ``limit`` imports (None: all; or import ``only``), newest
        first, each with the
        name of who imported it (``by``, NULL for the command line), of who removed it
        (``removed_by_name``), how many of its incidents are in the data now (``present``),
        how many of its corrections of earlier incidents are in force (``corrections``: not
        corrected again by a later import), how many of a CBS import's monthly counts are in
        use (``months``: not replaced by a later import)
        and when the first and the last of its incidents happened (``first``, ``last``)."""
        # The latest imports first, then one pass over each one's incidents for all three
        # figures.
        return await self.db.fetchall(
            "SELECT i.id, i.filename, i.kind, i.at, i.imported, i.duplicates,"
            " i.rejected, i.removed_at, i.removed, i.replaced, i.corrected,"
            " (SELECT COUNT(*) FROM corrected_incidents c WHERE c.corrected_by = i.id"
            "  AND NOT EXISTS (SELECT 1 FROM corrected_incidents l WHERE l.id = c.id"
            "  AND l.corrected_by > c.corrected_by)) AS corrections, u.first_name AS by,"
            " r.first_name AS removed_by_name, COUNT(n.id) AS present,"
            " (SELECT COUNT(*) FROM monthly_counts m WHERE m.import_id = i.id) AS months,"
            " MIN(n.occurred_from) AS first, MAX(n.occurred_from) AS last"
            " FROM (SELECT * FROM imports WHERE project_id=?"
            f"{'' if only is None else ' AND id=?'} ORDER BY id DESC LIMIT ?) i"
            " LEFT JOIN incidents n ON n.import_id = i.id"
            " LEFT JOIN users u ON u.id = i.user_id"
            " LEFT JOIN users r ON r.id = i.removed_by"
            " GROUP BY i.id ORDER BY i.id DESC",
            (project_id, *(() if only is None else (only,)), -1 if limit is None else limit))

    async def import_entry(self, project_id: int, import_id: int) -> Row | None:
        return await self.db.fetchone(
            "SELECT id, filename, kind FROM imports WHERE project_id=? AND id=?",
            (project_id, import_id))

    async def later_overlaps(self, project_id: int, import_id: int) -> int:
        """Incident imports after this one that skipped or corrected rows already known
        (some of those may have been this import's)."""
        return int(await self.db.fetchval(
            "SELECT COUNT(*) FROM imports WHERE project_id=? AND id > ? AND kind='incidents'"
            " AND (duplicates > 0 OR corrected > 0) AND removed_at IS NULL",
            (project_id, import_id)))

    async def remove_import(self, project_id: int, import_id: int, user_id: int | None,
                            now: datetime) -> tuple[int, int, int] | None:
        """Delete the incidents an import added, bring back the registrations it replaced,
        put back the details of incidents it corrected and mark it removed (one
        transaction): the number of incidents deleted, of registrations back and of
        incidents with their earlier details back; None when it had been removed already
        (two taps, two analysts). Other imports' incidents are never deleted."""
        async with self.db.transaction():
            if not await self.db.execute(
                    "UPDATE imports SET removed_at=?, removed_by=? WHERE project_id=? AND id=?"
                    " AND removed_at IS NULL", (utc_iso(now), user_id, project_id, import_id)):
                return None
            undone = await self._undo_corrections(project_id, import_id)
            # Later corrections of incidents that go now have nothing left to undo.
            await self.db.execute(
                "DELETE FROM corrected_incidents WHERE id IN (SELECT id FROM incidents"
                " WHERE project_id=? AND import_id=?)", (project_id, import_id))
            deleted = await self.db.execute(
                "DELETE FROM incidents WHERE project_id=? AND import_id=?",
                (project_id, import_id))
            # The registrations this import had replaced are back, as they were.
            restored = await self.db.execute(
                f"INSERT INTO incidents({_COLUMNS}) SELECT {_COLUMNS}"
                " FROM superseded_registrations WHERE replaced_by=?", (import_id,))
            await self.db.execute("DELETE FROM superseded_registrations WHERE replaced_by=?",
                                  (import_id,))
            if deleted or undone:
                await self._bump_version(project_id)
            await self.db.execute("UPDATE imports SET removed=? WHERE id=?",
                                  (deleted, import_id))
        return deleted, restored, undone

    async def saved_mapping(self, project_id: int) -> Row | None:
        return await self.db.fetchone("SELECT * FROM import_mappings WHERE project_id=?",
                                      (project_id,))

    async def save_mapping(self, project_id: int, mapping_json: str, crs: str | None,
                           timezone: str | None, user_id: int | None, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO import_mappings(project_id, mapping, crs, timezone, updated_by,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(project_id) DO UPDATE SET"
            " mapping=excluded.mapping, crs=excluded.crs, timezone=excluded.timezone,"
            " updated_by=excluded.updated_by, updated_at=excluded.updated_at",
            (project_id, mapping_json, crs, timezone, user_id, utc_iso(now)),
        )

    async def add_monthly(self, project_id: int, import_id: int,
                          counts: Sequence[tuple[str, str, int, int, int]]) -> int:
        """(buurt code, name, year, month, count) of one CBS import; a later import of the
        same neighbourhood and month is the one in use. Returns how many of them are new
        (no count in use for their neighbourhood and month before)."""
        async with self.db.transaction():
            before = int(await self.db.fetchval(
                "SELECT COUNT(*) FROM monthly_counts WHERE project_id=?", (project_id,)))
            await self.db.executemany(
                "INSERT INTO monthly_import_counts(import_id, project_id, buurt_code,"
                " buurt_name, year, month, count) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(import_id, project_id, *c) for c in counts],
            )
            after = int(await self.db.fetchval(
                "SELECT COUNT(*) FROM monthly_counts WHERE project_id=?", (project_id,)))
        return after - before

    async def remove_monthly_import(self, project_id: int, import_id: int,
                                    user_id: int | None, now: datetime,
                                    ) -> tuple[int, int] | None:
        """Mark a CBS import removed (one transaction): the number of its counts that were
        in use, and of those, how many neighbourhood-months now use an earlier import's
        count again; None when it had been removed already."""
        async with self.db.transaction():
            in_use = int(await self.db.fetchval(
                "SELECT COUNT(*) FROM monthly_counts WHERE project_id=? AND import_id=?",
                (project_id, import_id)))
            if not await self.db.execute(
                    "UPDATE imports SET removed_at=?, removed_by=?, removed=? WHERE project_id=?"
                    " AND id=? AND removed_at IS NULL",
                    (utc_iso(now), user_id, in_use, project_id, import_id)):
                return None
            back = int(await self.db.fetchval(
                "SELECT COUNT(*) FROM monthly_counts m WHERE m.project_id=? AND EXISTS ("
                " SELECT 1 FROM monthly_import_counts c WHERE c.import_id=?"
                " AND c.buurt_code=m.buurt_code AND c.year=m.year AND c.month=m.month)",
                (project_id, import_id)))
        return in_use, back

    async def monthly_rows(self, project_id: int) -> list[Row]:
        return await self.db.fetchall(
            "SELECT buurt_code, buurt_name, year, month, count FROM monthly_counts"
            " WHERE project_id=? ORDER BY year, month", (project_id,))

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


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None
