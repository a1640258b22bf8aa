"""The project aggregate: a project with its areas and partner organisations."""

from __future__ import annotations

import json
from datetime import datetime

from storage.db import Database, Row, parse_utc, utc_iso, utc_now
from storage.models import Area, AreaKind, Partner, PartnerKind, Project


def _project(row: Row) -> Project:
    created = parse_utc(row["created_at"])
    assert created is not None
    return Project(
        id=row["id"],
        name=row["name"],
        municipality=row["municipality"],
        meeting_rhythm=row["meeting_rhythm"],
        created_by=row["created_by"],
        created_at=created,
    )


def _area(row: Row) -> Area:
    return Area(
        id=row["id"],
        project_id=row["project_id"],
        name=row["name"],
        kind=AreaKind(row["kind"]),
        cbs_code=row["cbs_code"],
        homes=row["homes"],
        parent_id=row["parent_id"],
    )


def _partner(row: Row) -> Partner:
    return Partner(
        id=row["id"], project_id=row["project_id"], name=row["name"], kind=PartnerKind(row["kind"])
    )


class ProjectRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- projects ------------------------------------------------------------------------

    async def create(self, name: str, municipality: str, created_by: int | None) -> Project:
        project_id = await self.db.insert(
            "INSERT INTO projects(name, municipality, created_by, created_at) VALUES (?, ?, ?, ?)",
            (name, municipality, created_by, utc_iso(utc_now())),
        )
        project = await self.get(project_id)
        assert project is not None
        return project

    async def get(self, project_id: int) -> Project | None:
        row = await self.db.fetchone("SELECT * FROM projects WHERE id=?", (project_id,))
        return _project(row) if row else None

    async def exists(self, name: str, municipality: str) -> bool:
        return bool(
            await self.db.fetchval(
                "SELECT 1 FROM projects WHERE name=? COLLATE NOCASE"
                " AND municipality=? COLLATE NOCASE",
                (name, municipality),
            )
        )

    async def list_all(self) -> list[Project]:
        return [_project(r) for r in await self.db.fetchall("SELECT * FROM projects ORDER BY id")]

    # -- areas ---------------------------------------------------------------------------

    async def add_area(
        self,
        project_id: int,
        name: str,
        kind: AreaKind,
        cbs_code: str | None = None,
        homes: int | None = None,
        parent_id: int | None = None,
    ) -> Area:
        area_id = await self.db.insert(
            "INSERT INTO areas(project_id, name, kind, cbs_code, homes, parent_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (project_id, name, kind.value, cbs_code, homes, parent_id, utc_iso(utc_now())),
        )
        row = await self.db.fetchone("SELECT * FROM areas WHERE id=?", (area_id,))
        assert row is not None
        return _area(row)

    async def areas(self, project_id: int) -> list[Area]:
        rows = await self.db.fetchall(
            "SELECT * FROM areas WHERE project_id=? ORDER BY"
            " CASE kind WHEN 'wijk' THEN 0 WHEN 'buurt' THEN 1 WHEN 'straat' THEN 2 ELSE 3 END,"
            " name COLLATE NOCASE",
            (project_id,),
        )
        return [_area(r) for r in rows]

    async def area_by_name(self, project_id: int, name: str) -> Area | None:
        row = await self.db.fetchone(
            "SELECT * FROM areas WHERE project_id=? AND name=? COLLATE NOCASE", (project_id, name)
        )
        return _area(row) if row else None

    # -- regions ---------------------------------------------------------------------------

    async def join_region(self, project_id: int, name: str, now: datetime) -> int:
        await self.db.execute(
            "INSERT OR IGNORE INTO regions(name, created_at) VALUES (?, ?)", (name, utc_iso(now)))
        region_id = int(await self.db.fetchval(
            "SELECT id FROM regions WHERE name=? COLLATE NOCASE", (name,)))
        await self.db.execute("UPDATE projects SET region_id=? WHERE id=?",
                              (region_id, project_id))
        return region_id

    async def region_of(self, project_id: int) -> Row | None:
        return await self.db.fetchone(
            "SELECT r.* FROM regions r JOIN projects p ON p.region_id = r.id WHERE p.id=?",
            (project_id,))

    async def region_projects(self, region_id: int) -> list[Project]:
        rows = await self.db.fetchall(
            "SELECT * FROM projects WHERE region_id=? ORDER BY municipality COLLATE NOCASE",
            (region_id,))
        return [_project(r) for r in rows]

    async def regions(self) -> list[Row]:
        return await self.db.fetchall("SELECT * FROM regions ORDER BY name")

    async def claim_tactical(self, region_id: int, user_id: int, period: str,
                             now: datetime) -> bool:
        changed = await self.db.execute(
            "INSERT OR IGNORE INTO tactical_sent(region_id, user_id, period, sent_at)"
            " VALUES (?, ?, ?, ?)", (region_id, user_id, period, utc_iso(now)))
        return changed > 0

    # -- goals -------------------------------------------------------------------------------

    async def goal(self, project_id: int) -> Row | None:
        return await self.db.fetchone("SELECT * FROM project_goals WHERE project_id=?",
                                      (project_id,))

    async def set_goal(self, project_id: int, max_burglaries: int | None, year: int | None,
                       max_incidence: float | None, user_id: int | None,
                       now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO project_goals(project_id, max_burglaries, goal_year, max_incidence,"
            " updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(project_id) DO"
            " UPDATE SET max_burglaries=excluded.max_burglaries, goal_year=excluded.goal_year,"
            " max_incidence=excluded.max_incidence, updated_by=excluded.updated_by,"
            " updated_at=excluded.updated_at",
            (project_id, max_burglaries, year, max_incidence, user_id, utc_iso(now)))

    async def set_geometry(self, area_id: int, outline: list[tuple[float, float]]) -> None:
        await self.db.execute("UPDATE areas SET geometry=? WHERE id=?",
                              (json.dumps([[round(x, 1), round(y, 1)] for x, y in outline]),
                               area_id))

    async def outlines(self, project_id: int) -> dict[str, list[tuple[float, float]]]:
        """Area name -> outline (RD New metres), for the areas that have one."""
        rows = await self.db.fetchall(
            "SELECT name, geometry FROM areas WHERE project_id=? AND geometry IS NOT NULL",
            (project_id,))
        return {r["name"]: [(float(x), float(y)) for x, y in json.loads(r["geometry"])]
                for r in rows}

    async def area(self, area_id: int) -> Area | None:
        row = await self.db.fetchone("SELECT * FROM areas WHERE id=?", (area_id,))
        return _area(row) if row else None

    # -- partners ------------------------------------------------------------------------

    async def add_partner(self, project_id: int, name: str, kind: PartnerKind) -> Partner:
        partner_id = await self.db.insert(
            "INSERT INTO partners(project_id, name, kind, created_at) VALUES (?, ?, ?, ?)",
            (project_id, name, kind.value, utc_iso(utc_now())),
        )
        partner = await self.partner(partner_id)
        assert partner is not None
        return partner

    async def partner(self, partner_id: int) -> Partner | None:
        row = await self.db.fetchone("SELECT * FROM partners WHERE id=?", (partner_id,))
        return _partner(row) if row else None

    async def partners(self, project_id: int) -> list[Partner]:
        rows = await self.db.fetchall(
            "SELECT * FROM partners WHERE project_id=? ORDER BY name COLLATE NOCASE", (project_id,)
        )
        return [_partner(r) for r in rows]

    async def partner_by_name(self, project_id: int, name: str) -> Partner | None:
        row = await self.db.fetchone(
            "SELECT * FROM partners WHERE project_id=? AND name=? COLLATE NOCASE",
            (project_id, name),
        )
        return _partner(row) if row else None
