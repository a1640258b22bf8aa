"""Field logs: what wijkagenten and partners did or saw on their round (/melding)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, Row, parse_utc, utc_iso


@dataclass(frozen=True, slots=True)
class Photo:
    file_id: str
    file_unique_id: str
    width: int | None = None
    height: int | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class FieldLog:
    id: int
    project_id: int
    user_id: int
    user_name: str
    partner_id: int | None
    partner_name: str | None
    kind: str
    text: str
    street: str | None
    lat: float | None
    lon: float | None
    x_rd: float | None
    y_rd: float | None
    live: bool
    area_id: int | None
    area_name: str | None
    action_id: int | None
    action_number: int | None
    created_at: datetime
    photos: int = 0
    # Where the log counts in overviews: a street area's buurt (so one neighbourhood is
    # one line, however the logs were placed), otherwise the area itself.
    overview_area: str | None = None


def _log(row: Row) -> FieldLog:
    created = parse_utc(row["created_at"])
    assert created is not None
    return FieldLog(
        id=row["id"], project_id=row["project_id"], user_id=row["user_id"],
        user_name=" ".join(p for p in (row["first_name"], row["last_name"]) if p),
        partner_id=row["partner_id"], partner_name=row["partner_name"], kind=row["kind"],
        text=row["text"], street=row["street"], lat=row["lat"], lon=row["lon"],
        x_rd=row["x_rd"], y_rd=row["y_rd"], live=bool(row["live"]), area_id=row["area_id"],
        area_name=row["area_name"], action_id=row["action_id"],
        action_number=row["action_number"], created_at=created, photos=row["photos"],
        overview_area=row["overview_area"],
    )


_SELECT = (
    "SELECT f.*, u.first_name, u.last_name, p.name AS partner_name, a.name AS area_name,"
    " CASE WHEN a.kind = 'straat' AND pa.kind = 'buurt' THEN pa.name ELSE a.name END"
    "  AS overview_area,"
    " ac.number AS action_number,"
    " (SELECT COUNT(*) FROM field_log_photos ph WHERE ph.field_log_id=f.id) AS photos"
    " FROM field_logs f JOIN users u ON u.id=f.user_id"
    " LEFT JOIN partners p ON p.id=f.partner_id LEFT JOIN areas a ON a.id=f.area_id"
    " LEFT JOIN areas pa ON pa.id=a.parent_id"
    " LEFT JOIN actions ac ON ac.id=f.action_id"
)


class FieldLogRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, *, project_id: int, user_id: int, partner_id: int | None, kind: str,
                  text: str, street: str | None, lat: float | None, lon: float | None,
                  x_rd: float | None, y_rd: float | None, live: bool, area_id: int | None,
                  action_id: int | None, chat_id: int | None, photos: Sequence[Photo],
                  now: datetime) -> int:
        async with self.db.transaction():
            log_id = await self.db.insert(
                "INSERT INTO field_logs(project_id, user_id, partner_id, kind, text, street,"
                " lat, lon, x_rd, y_rd, live, area_id, action_id, chat_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (project_id, user_id, partner_id, kind, text, street, lat, lon, x_rd, y_rd,
                 int(live), area_id, action_id, chat_id, utc_iso(now)))
            await self.db.executemany(
                "INSERT INTO field_log_photos(field_log_id, position, file_id, file_unique_id,"
                " width, height, size) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(log_id, n, p.file_id, p.file_unique_id, p.width, p.height, p.size)
                 for n, p in enumerate(photos)])
        return log_id

    async def get(self, log_id: int) -> FieldLog | None:
        row = await self.db.fetchone(_SELECT + " WHERE f.id=?", (log_id,))
        return _log(row) if row else None

    async def photos(self, log_id: int) -> list[Photo]:
        rows = await self.db.fetchall(
            "SELECT * FROM field_log_photos WHERE field_log_id=? ORDER BY position", (log_id,))
        return [Photo(r["file_id"], r["file_unique_id"], r["width"], r["height"], r["size"])
                for r in rows]

    async def between(self, project_id: int, start: datetime, end: datetime, *,
                      area_ids: Sequence[int] | None = None) -> list[FieldLog]:
        sql = _SELECT + " WHERE f.project_id=? AND f.created_at >= ? AND f.created_at < ?"
        params: list[object] = [project_id, utc_iso(start), utc_iso(end)]
        if area_ids is not None:
            sql += f" AND f.area_id IN ({','.join('?' * len(area_ids))})"
            params += list(area_ids)
        rows = await self.db.fetchall(sql + " ORDER BY f.created_at DESC, f.id DESC",
                                      tuple(params))
        return [_log(r) for r in rows]

    async def for_action(self, action_id: int) -> list[FieldLog]:
        rows = await self.db.fetchall(_SELECT + " WHERE f.action_id=? ORDER BY f.created_at",
                                      (action_id,))
        return [_log(r) for r in rows]
