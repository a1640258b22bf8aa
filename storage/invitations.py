"""Invitations: deep-link codes that join a user to a partner with a role."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database, Row, parse_utc, utc_iso
from storage.models import Invitation, Role


def _invitation(row: Row) -> Invitation:
    expires, created = parse_utc(row["expires_at"]), parse_utc(row["created_at"])
    assert expires is not None and created is not None
    return Invitation(
        code=row["code"],
        project_id=row["project_id"],
        partner_id=row["partner_id"],
        role=Role(row["role"]),
        single_use=bool(row["single_use"]),
        expires_at=expires,
        created_by=row["created_by"],
        created_at=created,
        revoked_at=parse_utc(row["revoked_at"]),
        uses=row["uses"],
    )


class InvitationRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self,
        code: str,
        project_id: int,
        partner_id: int,
        role: Role,
        *,
        single_use: bool,
        expires_at: datetime,
        created_by: int,
        now: datetime,
    ) -> Invitation:
        await self.db.execute(
            "INSERT INTO invitations(code, project_id, partner_id, role, single_use, expires_at,"
            " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (code, project_id, partner_id, role.value, int(single_use), utc_iso(expires_at),
             created_by, utc_iso(now)),
        )
        invitation = await self.get(code)
        assert invitation is not None
        return invitation

    async def get(self, code: str) -> Invitation | None:
        row = await self.db.fetchone(
            "SELECT i.*, (SELECT COUNT(*) FROM invitation_uses u WHERE u.code = i.code) AS uses"
            " FROM invitations i WHERE i.code=?",
            (code,),
        )
        return _invitation(row) if row else None

    async def record_use(self, code: str, user_id: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO invitation_uses(code, user_id, used_at) VALUES (?, ?, ?)",
            (code, user_id, utc_iso(now)),
        )

    async def revoke(self, code: str, now: datetime) -> None:
        await self.db.execute(
            "UPDATE invitations SET revoked_at=? WHERE code=? AND revoked_at IS NULL",
            (utc_iso(now), code),
        )

    async def open_for_project(self, project_id: int, now: datetime) -> list[Invitation]:
        rows = await self.db.fetchall(
            "SELECT i.*, (SELECT COUNT(*) FROM invitation_uses u WHERE u.code = i.code) AS uses"
            " FROM invitations i WHERE i.project_id=? AND i.revoked_at IS NULL AND i.expires_at > ?"
            " ORDER BY i.created_at",
            (project_id, utc_iso(now)),
        )
        return [inv for inv in map(_invitation, rows) if not (inv.single_use and inv.uses)]
