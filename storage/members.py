"""Membership: which Telegram user works for which partner, in which role, per project."""

from __future__ import annotations

from storage.db import Database, Row, parse_utc, utc_iso, utc_now
from storage.models import Member, Role

_SELECT = (
    "SELECT m.*, p.name AS project_name, pa.name AS partner_name,"
    " TRIM(u.first_name || ' ' || COALESCE(u.last_name, '')) AS user_name"
    " FROM members m JOIN projects p ON p.id = m.project_id"
    " JOIN partners pa ON pa.id = m.partner_id JOIN users u ON u.id = m.user_id"
)


def _member(row: Row) -> Member:
    joined = parse_utc(row["joined_at"])
    assert joined is not None
    return Member(
        id=row["id"],
        project_id=row["project_id"],
        user_id=row["user_id"],
        partner_id=row["partner_id"],
        role=Role(row["role"]),
        joined_at=joined,
        invited_by=row["invited_by"],
        project_name=row["project_name"],
        partner_name=row["partner_name"],
        user_name=row["user_name"],
    )


class MemberRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        project_id: int,
        user_id: int,
        partner_id: int,
        role: Role,
        invited_by: int | None = None,
    ) -> Member:
        await self.db.execute(
            "INSERT INTO members(project_id, user_id, partner_id, role, invited_by, joined_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (project_id, user_id, partner_id, role.value, invited_by, utc_iso(utc_now())),
        )
        member = await self.get(project_id, user_id)
        assert member is not None
        return member

    async def get(self, project_id: int, user_id: int) -> Member | None:
        row = await self.db.fetchone(
            _SELECT + " WHERE m.project_id=? AND m.user_id=?", (project_id, user_id)
        )
        return _member(row) if row else None

    async def for_user(self, user_id: int) -> list[Member]:
        rows = await self.db.fetchall(
            _SELECT + " WHERE m.user_id=? ORDER BY p.name COLLATE NOCASE", (user_id,)
        )
        return [_member(r) for r in rows]

    async def for_project(self, project_id: int) -> list[Member]:
        rows = await self.db.fetchall(
            _SELECT + " WHERE m.project_id=? ORDER BY pa.name COLLATE NOCASE, user_name",
            (project_id,),
        )
        return [_member(r) for r in rows]

    async def with_role(self, project_id: int, role: Role) -> list[Member]:
        rows = await self.db.fetchall(
            _SELECT + " WHERE m.project_id=? AND m.role=? ORDER BY user_name",
            (project_id, role.value),
        )
        return [_member(r) for r in rows]
