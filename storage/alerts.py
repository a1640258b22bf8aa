"""Hotspots, the alerts sent about them to buurtpreventie groups, and the alert settings
per project."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from storage.db import Database, Row, parse_utc, utc_iso


@dataclass(frozen=True, slots=True)
class AlertSettings:
    mode: str = "auto"            # auto | approval
    radius_m: int = 200
    window_days: int = 14
    min_interval_h: int = 72
    follow_up: bool = True
    with_map: bool = True


SETTING_COLUMNS = ("mode", "radius_m", "window_days", "min_interval_h", "follow_up",
                   "with_map")


@dataclass(slots=True)
class HotspotRecord:
    """A zone of raised risk, as stored (street/neighbourhood level only)."""

    key: str
    kind: str                      # near_repeat | above_expected
    streets: list[str]
    buurten: list[str]
    area_ids: list[int]
    n_incidents: int
    n_attempts: int
    band: str | None
    mo: list[str]
    grid_x: float | None
    grid_y: float | None
    first_day: date
    last_day: date
    expires_on: date
    expected_high: int | None = None
    incident_ids: list[int] = field(default_factory=list)
    id: int | None = None
    status: str = "active"
    approval: str = "none"
    detected_at: datetime | None = None


def _hotspot(row: Row) -> HotspotRecord:
    return HotspotRecord(
        id=row["id"], key=row["key"], kind=row["kind"], status=row["status"],
        streets=json.loads(row["streets"]), buurten=json.loads(row["buurten"]),
        area_ids=json.loads(row["area_ids"]), n_incidents=row["n_incidents"],
        n_attempts=row["n_attempts"], band=row["band"], mo=json.loads(row["mo"]),
        grid_x=row["grid_x"], grid_y=row["grid_y"],
        first_day=date.fromisoformat(row["first_day"]),
        last_day=date.fromisoformat(row["last_day"]),
        expires_on=date.fromisoformat(row["expires_on"]), expected_high=row["expected_high"],
        approval=row["approval"], detected_at=parse_utc(row["detected_at"]),
        incident_ids=json.loads(row["incident_ids"]),
    )


@dataclass(frozen=True, slots=True)
class AlertRecord:
    id: int
    hotspot_id: int
    linked_chat_id: int
    chat_id: int
    status: str
    n_incidents: int
    outbox_id: int | None
    follow_up_id: int | None
    created_at: datetime


def _alert(row: Row) -> AlertRecord:
    created = parse_utc(row["created_at"])
    assert created is not None
    return AlertRecord(
        id=row["id"], hotspot_id=row["hotspot_id"], linked_chat_id=row["linked_chat_id"],
        chat_id=row["chat_id"], status=row["status"], n_incidents=row["n_incidents"],
        outbox_id=row["outbox_id"], follow_up_id=row["follow_up_id"], created_at=created,
    )


class AlertRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- settings --------------------------------------------------------------------------

    async def settings(self, project_id: int) -> AlertSettings:
        row = await self.db.fetchone("SELECT * FROM alert_settings WHERE project_id=?",
                                     (project_id,))
        if row is None:
            return AlertSettings()
        return AlertSettings(mode=row["mode"], radius_m=row["radius_m"],
                             window_days=row["window_days"],
                             min_interval_h=row["min_interval_h"],
                             follow_up=bool(row["follow_up"]), with_map=bool(row["with_map"]))

    async def save_settings(self, project_id: int, settings: AlertSettings, user_id: int | None,
                            now: datetime) -> None:
        values = (settings.mode, settings.radius_m, settings.window_days,
                  settings.min_interval_h, int(settings.follow_up), int(settings.with_map))
        await self.db.execute(
            "INSERT INTO alert_settings(project_id, mode, radius_m, window_days, min_interval_h,"
            " follow_up, with_map, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(project_id) DO UPDATE SET mode=excluded.mode,"
            " radius_m=excluded.radius_m, window_days=excluded.window_days,"
            " min_interval_h=excluded.min_interval_h, follow_up=excluded.follow_up,"
            " with_map=excluded.with_map, updated_by=excluded.updated_by,"
            " updated_at=excluded.updated_at",
            (project_id, *values, user_id, utc_iso(now)))

    # -- hotspots --------------------------------------------------------------------------

    async def hotspots(self, project_id: int, *, active_only: bool = True) -> list[HotspotRecord]:
        sql = "SELECT * FROM hotspots WHERE project_id=?"
        if active_only:
            sql += " AND status='active'"
        rows = await self.db.fetchall(sql + " ORDER BY n_incidents DESC, id", (project_id,))
        return [_hotspot(r) for r in rows]

    async def hotspot(self, hotspot_id: int) -> HotspotRecord | None:
        row = await self.db.fetchone("SELECT * FROM hotspots WHERE id=?", (hotspot_id,))
        return _hotspot(row) if row else None

    async def save_hotspot(self, project_id: int, h: HotspotRecord, now: datetime) -> int:
        """Insert or update by key; returns the id. An ended zone that flares up again
        within its key becomes active again."""
        values = (h.kind, json.dumps(h.streets, ensure_ascii=False),
                  json.dumps(h.buurten, ensure_ascii=False), json.dumps(h.area_ids),
                  json.dumps(h.incident_ids),
                  h.n_incidents, h.n_attempts, h.expected_high, h.band,
                  json.dumps(h.mo, ensure_ascii=False), h.grid_x, h.grid_y,
                  h.first_day.isoformat(), h.last_day.isoformat(), h.expires_on.isoformat())
        await self.db.execute(
            "INSERT INTO hotspots(project_id, key, kind, streets, buurten, area_ids,"
            " incident_ids, n_incidents, n_attempts, expected_high, band, mo, grid_x, grid_y,"
            " first_day, last_day, expires_on, approval, detected_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(project_id, key) DO UPDATE SET kind=excluded.kind,"
            " streets=excluded.streets, buurten=excluded.buurten, area_ids=excluded.area_ids,"
            " incident_ids=excluded.incident_ids,"
            " n_incidents=excluded.n_incidents, n_attempts=excluded.n_attempts,"
            " expected_high=excluded.expected_high, band=excluded.band, mo=excluded.mo,"
            " grid_x=excluded.grid_x, grid_y=excluded.grid_y, first_day=excluded.first_day,"
            " last_day=excluded.last_day, expires_on=excluded.expires_on, status='active',"
            " ended_at=NULL, updated_at=excluded.updated_at",
            (project_id, h.key, *values, h.approval, utc_iso(now), utc_iso(now)))
        hotspot_id = await self.db.fetchval(
            "SELECT id FROM hotspots WHERE project_id=? AND key=?", (project_id, h.key))
        return int(hotspot_id)

    async def end_hotspot(self, hotspot_id: int, status: str, now: datetime) -> None:
        await self.db.execute(
            "UPDATE hotspots SET status=?, ended_at=? WHERE id=? AND status='active'",
            (status, utc_iso(now), hotspot_id))

    async def set_approval(self, hotspot_id: int, approval: str, user_id: int | None,
                           now: datetime, *, only_if: str | None = None) -> bool:
        sql = "UPDATE hotspots SET approval=?, decided_by=?, updated_at=? WHERE id=?"
        params: tuple[Any, ...] = (approval, user_id, utc_iso(now), hotspot_id)
        if only_if is not None:
            sql += " AND approval=?"
            params += (only_if,)
        return await self.db.execute(sql, params) == 1

    # -- alerts ----------------------------------------------------------------------------

    async def alerts_for(self, hotspot_id: int) -> list[AlertRecord]:
        rows = await self.db.fetchall("SELECT * FROM alerts WHERE hotspot_id=? ORDER BY id",
                                      (hotspot_id,))
        return [_alert(r) for r in rows]

    async def add_alert(self, hotspot_id: int, linked_chat_id: int, chat_id: int, status: str,
                        n_incidents: int, now: datetime, outbox_id: int | None = None) -> int:
        return await self.db.insert(
            "INSERT INTO alerts(hotspot_id, linked_chat_id, chat_id, status, n_incidents,"
            " outbox_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (hotspot_id, linked_chat_id, chat_id, status, n_incidents, outbox_id, utc_iso(now),
             utc_iso(now)))

    async def queue_alerts(self, hotspot_id: int, rows: list[tuple[int, int, int | None, int]],
                           n_incidents: int, now: datetime) -> None:
        """Alerts of one hotspot put in the outbox, as ``(linked chat, chat id, existing alert
        id or None, outbox id)``: new rows inserted, existing ones (held back or awaiting
        approval until now) updated — two statements however many groups."""
        stamp = utc_iso(now)
        await self.db.executemany(
            "INSERT INTO alerts(hotspot_id, linked_chat_id, chat_id, status, n_incidents,"
            " outbox_id, created_at, updated_at) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?)",
            [(hotspot_id, linked, chat_id, n_incidents, outbox_id, stamp, stamp)
             for linked, chat_id, alert_id, outbox_id in rows if alert_id is None])
        await self.db.executemany(
            "UPDATE alerts SET status='queued', n_incidents=?, outbox_id=?, updated_at=?"
            " WHERE id=?", [(n_incidents, outbox_id, stamp, alert_id)
                            for _linked, _chat, alert_id, outbox_id in rows
                            if alert_id is not None])

    async def update_alert(self, alert_id: int, now: datetime, **values: Any) -> None:
        allowed = {"status", "n_incidents", "outbox_id", "follow_up_id"}
        assert set(values) <= allowed, values
        sets = ", ".join(f"{k}=?" for k in values)
        await self.db.execute(f"UPDATE alerts SET {sets}, updated_at=? WHERE id=?",
                              (*values.values(), utc_iso(now), alert_id))

    async def recent_alerts(self, project_id: int,
                            since: datetime) -> dict[int, list[tuple[int, set[int]]]]:
        """Per group: the hotspots it got an alert about (sent or on its way) since
        ``since``, with their areas — for the per-area limit, read once per detection."""
        rows = await self.db.fetchall(
            "SELECT a.linked_chat_id, a.hotspot_id, a.created_at, h.area_ids FROM alerts a"
            " JOIN hotspots h ON h.id=a.hotspot_id WHERE h.project_id=? AND a.created_at >= ?"
            " AND a.status IN ('queued', 'awaiting', 'ended')", (project_id, utc_iso(since)))
        out: dict[int, list[tuple[int, set[int]]]] = {}
        for row in rows:
            out.setdefault(row["linked_chat_id"], []).append(
                (row["hotspot_id"], set(json.loads(row["area_ids"]))))
        return out

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        await self.db.execute("UPDATE alerts SET chat_id=? WHERE chat_id=?",
                              (new_chat_id, old_chat_id))

    async def project_of(self, hotspot_id: int) -> int:
        return int(await self.db.fetchval("SELECT project_id FROM hotspots WHERE id=?",
                                          (hotspot_id,)))
