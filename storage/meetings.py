"""Meetings: a project's rhythm, the meetings it produces, attendance, decisions and
escalations. Posting and check-ins are claimed with a conditional UPDATE, in the same
transaction that puts their messages in the outbox, so that they happen once, however often
a job or a restart asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from storage.db import Database, Row, parse_utc, utc_iso


@dataclass(frozen=True, slots=True)
class Schedule:
    project_id: int
    chat_id: int | None
    every_weeks: int | None
    weekday: int | None
    start_time: time | None
    anchor: date | None
    lead_days: int
    post_time: time


@dataclass(frozen=True, slots=True)
class Meeting:
    id: int
    project_id: int
    starts_at: datetime
    status: str
    source: str
    rhythm_date: date | None
    post_at: datetime
    posted_at: datetime | None
    checkin_at: datetime
    checkins_at: datetime | None


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    meeting_id: int | None
    kind: str
    text: str
    user_id: int | None
    user_name: str
    at: datetime
    resolved_at: datetime | None


def _meeting(row: Row) -> Meeting:
    def t(key: str) -> datetime:
        moment = parse_utc(row[key])
        assert moment is not None
        return moment

    return Meeting(row["id"], row["project_id"], t("starts_at"), row["status"], row["source"],
                   date.fromisoformat(row["rhythm_date"]) if row["rhythm_date"] else None,
                   t("post_at"), parse_utc(row["posted_at"]), t("checkin_at"),
                   parse_utc(row["checkins_at"]))


class MeetingRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- schedule --------------------------------------------------------------------------

    async def schedule(self, project_id: int) -> Schedule | None:
        row = await self.db.fetchone("SELECT * FROM meeting_schedules WHERE project_id=?",
                                     (project_id,))
        if row is None:
            return None
        return Schedule(
            row["project_id"], row["chat_id"], row["every_weeks"], row["weekday"],
            time.fromisoformat(row["start_time"]) if row["start_time"] else None,
            date.fromisoformat(row["anchor"]) if row["anchor"] else None,
            row["lead_days"], time.fromisoformat(row["post_time"]),
        )

    async def save_schedule(self, s: Schedule, user_id: int | None, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO meeting_schedules(project_id, chat_id, every_weeks, weekday,"
            " start_time, anchor, lead_days, post_time, updated_by, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(project_id) DO UPDATE SET"
            " chat_id=excluded.chat_id, every_weeks=excluded.every_weeks,"
            " weekday=excluded.weekday, start_time=excluded.start_time, anchor=excluded.anchor,"
            " lead_days=excluded.lead_days, post_time=excluded.post_time,"
            " updated_by=excluded.updated_by, updated_at=excluded.updated_at",
            (s.project_id, s.chat_id, s.every_weeks, s.weekday,
             s.start_time.strftime("%H:%M") if s.start_time else None,
             s.anchor.isoformat() if s.anchor else None, s.lead_days,
             s.post_time.strftime("%H:%M"), user_id, utc_iso(now)),
        )

    async def schedules(self) -> list[Schedule]:
        rows = await self.db.fetchall("SELECT project_id FROM meeting_schedules")
        result = []
        for row in rows:
            schedule = await self.schedule(row["project_id"])
            assert schedule is not None
            result.append(schedule)
        return result

    # -- meetings --------------------------------------------------------------------------

    async def add(self, project_id: int, starts_at: datetime, source: str,
                  rhythm_date: date | None, post_at: datetime, checkin_at: datetime) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO meetings(project_id, starts_at, source, rhythm_date, post_at,"
            " checkin_at) VALUES (?, ?, ?, ?, ?, ?)",
            (project_id, utc_iso(starts_at), source,
             rhythm_date.isoformat() if rhythm_date else None, utc_iso(post_at),
             utc_iso(checkin_at)),
        )

    async def drop_future_rhythm(self, project_id: int, after: datetime) -> None:
        """A new rhythm replaces the old one's meetings that have not been posted yet."""
        await self.db.execute(
            "DELETE FROM meetings WHERE project_id=? AND source='rhythm' AND posted_at IS NULL"
            " AND starts_at > ?", (project_id, utc_iso(after)))

    async def get(self, meeting_id: int) -> Meeting | None:
        row = await self.db.fetchone("SELECT * FROM meetings WHERE id=?", (meeting_id,))
        return _meeting(row) if row else None

    async def upcoming(self, project_id: int, after: datetime, limit: int = 6) -> list[Meeting]:
        rows = await self.db.fetchall(
            "SELECT * FROM meetings WHERE project_id=? AND starts_at > ? AND status='planned'"
            " ORDER BY starts_at LIMIT ?", (project_id, utc_iso(after), limit))
        return [_meeting(r) for r in rows]

    async def latest_before(self, project_id: int, before: datetime) -> Meeting | None:
        row = await self.db.fetchone(
            "SELECT * FROM meetings WHERE project_id=? AND starts_at <= ? AND status='planned'"
            " ORDER BY starts_at DESC LIMIT 1", (project_id, utc_iso(before)))
        return _meeting(row) if row else None

    async def on_local_date(self, project_id: int, start: datetime,
                            end: datetime) -> Meeting | None:
        row = await self.db.fetchone(
            "SELECT * FROM meetings WHERE project_id=? AND starts_at >= ? AND starts_at < ?"
            " AND status='planned' ORDER BY starts_at LIMIT 1",
            (project_id, utc_iso(start), utc_iso(end)))
        return _meeting(row) if row else None

    async def set_status(self, meeting_id: int, status: str) -> None:
        await self.db.execute("UPDATE meetings SET status=? WHERE id=?", (status, meeting_id))

    async def move(self, meeting_id: int, starts_at: datetime, post_at: datetime,
                   checkin_at: datetime) -> bool:
        changed = await self.db.execute(
            "UPDATE meetings SET starts_at=?, post_at=?, checkin_at=?, source='moved'"
            " WHERE id=? AND posted_at IS NULL",
            (utc_iso(starts_at), utc_iso(post_at), utc_iso(checkin_at), meeting_id))
        return changed == 1

    async def due(self, column: str, now: datetime) -> list[Meeting]:
        """Planned meetings whose post (or check-in) moment has come and that are still
        ahead and unclaimed."""
        moment, claimed = {"post": ("post_at", "posted_at"),
                           "checkin": ("checkin_at", "checkins_at")}[column]
        rows = await self.db.fetchall(
            f"SELECT * FROM meetings WHERE status='planned' AND {claimed} IS NULL"
            f" AND {moment} <= ? AND starts_at > ? ORDER BY starts_at",
            (utc_iso(now), utc_iso(now)))
        return [_meeting(r) for r in rows]

    async def claim(self, meeting_id: int, column: str, now: datetime) -> bool:
        claimed = {"post": "posted_at", "checkin": "checkins_at"}[column]
        changed = await self.db.execute(
            f"UPDATE meetings SET {claimed}=? WHERE id=? AND {claimed} IS NULL",
            (utc_iso(now), meeting_id))
        return changed == 1

    async def pending(self, now: datetime) -> list[Meeting]:
        """Every planned meeting still ahead, for rebuilding jobs at start-up."""
        rows = await self.db.fetchall(
            "SELECT * FROM meetings WHERE status='planned' AND starts_at > ?"
            " ORDER BY starts_at", (utc_iso(now),))
        return [_meeting(r) for r in rows]

    # -- attendance and notes ------------------------------------------------------------

    async def set_attendance(self, meeting_id: int, partner_id: int, present: bool,
                             user_id: int | None, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO attendance(meeting_id, partner_id, present, updated_by, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(meeting_id, partner_id) DO UPDATE SET"
            " present=excluded.present, updated_by=excluded.updated_by,"
            " updated_at=excluded.updated_at",
            (meeting_id, partner_id, int(present), user_id, utc_iso(now)))

    async def attendance(self, meeting_id: int) -> dict[int, bool]:
        rows = await self.db.fetchall(
            "SELECT partner_id, present FROM attendance WHERE meeting_id=?", (meeting_id,))
        return {r["partner_id"]: bool(r["present"]) for r in rows}

    async def add_note(self, project_id: int, meeting_id: int | None, kind: str, text: str,
                       user_id: int | None, now: datetime) -> int:
        return await self.db.insert(
            "INSERT INTO meeting_notes(project_id, meeting_id, kind, text, user_id, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (project_id, meeting_id, kind, text, user_id, utc_iso(now)))

    async def notes(self, project_id: int, kind: str, *, meeting_id: int | None = None,
                    since: datetime | None = None, unresolved: bool = False) -> list[Note]:
        clauses, params = ["n.project_id=?", "n.kind=?"], [project_id, kind]
        if meeting_id is not None:
            clauses.append("n.meeting_id=?")
            params.append(meeting_id)
        if since is not None:
            clauses.append("n.at>=?")
            params.append(utc_iso(since))
        if unresolved:
            clauses.append("n.resolved_at IS NULL")
        rows = await self.db.fetchall(
            "SELECT n.*, TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, ''))"
            " AS user_name FROM meeting_notes n LEFT JOIN users u ON u.id = n.user_id WHERE "
            + " AND ".join(clauses) + " ORDER BY n.at", params)
        return [Note(r["id"], r["meeting_id"], r["kind"], r["text"], r["user_id"],
                     r["user_name"] or "", parse_utc(r["at"]) or datetime.min,
                     parse_utc(r["resolved_at"])) for r in rows]

    async def link_action(self, action_id: int, meeting_id: int) -> None:
        await self.db.execute("UPDATE actions SET meeting_id=? WHERE id=?",
                              (meeting_id, action_id))
