"""Linked group chats, one-time link codes, and the project chosen per chat."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database, Row, parse_utc, utc_iso
from storage.models import ChatPurpose, LinkCode, LinkedChat


class ChatRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- link codes ----------------------------------------------------------------------

    async def create_code(
        self,
        code: str,
        project_id: int,
        purpose: ChatPurpose,
        area_ids: tuple[int, ...],
        created_by: int,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        async with self.db.transaction():
            await self.db.execute(
                "INSERT INTO link_codes(code, project_id, purpose, created_by, created_at,"
                " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                (code, project_id, purpose.value, created_by, utc_iso(now), utc_iso(expires_at)),
            )
            await self.db.executemany(
                "INSERT INTO link_code_areas(code, area_id) VALUES (?, ?)",
                [(code, a) for a in area_ids],
            )

    async def get_code(self, code: str) -> LinkCode | None:
        row = await self.db.fetchone("SELECT * FROM link_codes WHERE code=?", (code,))
        if row is None:
            return None
        areas = await self.db.fetchall(
            "SELECT area_id FROM link_code_areas WHERE code=? ORDER BY area_id", (code,)
        )
        expires = parse_utc(row["expires_at"])
        assert expires is not None
        return LinkCode(
            code=row["code"],
            project_id=row["project_id"],
            purpose=ChatPurpose(row["purpose"]),
            area_ids=tuple(a["area_id"] for a in areas),
            created_by=row["created_by"],
            expires_at=expires,
            used_at=parse_utc(row["used_at"]),
        )

    async def use_code(self, code: str, chat_id: int, now: datetime) -> bool:
        """Mark a code used; False if someone else used it first (checked atomically)."""
        changed = await self.db.execute(
            "UPDATE link_codes SET used_at=?, used_chat=? WHERE code=? AND used_at IS NULL",
            (utc_iso(now), chat_id, code),
        )
        return changed == 1

    # -- linked chats --------------------------------------------------------------------

    async def _linked(self, row: Row | None) -> LinkedChat | None:
        if row is None:
            return None
        areas = await self.db.fetchall(
            "SELECT area_id FROM linked_chat_areas WHERE linked_chat_id=? ORDER BY area_id",
            (row["id"],),
        )
        linked_at = parse_utc(row["linked_at"])
        assert linked_at is not None
        return LinkedChat(
            id=row["id"],
            chat_id=row["chat_id"],
            project_id=row["project_id"],
            purpose=ChatPurpose(row["purpose"]),
            title=row["title"],
            language=row["language"],
            area_ids=tuple(a["area_id"] for a in areas),
            linked_by=row["linked_by"],
            linked_at=linked_at,
        )

    async def link(
        self,
        chat_id: int,
        project_id: int,
        purpose: ChatPurpose,
        title: str,
        area_ids: tuple[int, ...],
        linked_by: int,
        now: datetime,
        language: str | None = None,
    ) -> LinkedChat:
        async with self.db.transaction():
            link_id = await self.db.insert(
                "INSERT INTO linked_chats(chat_id, project_id, purpose, title, language,"
                " linked_by, linked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (chat_id, project_id, purpose.value, title, language, linked_by, utc_iso(now)),
            )
            await self.db.executemany(
                "INSERT INTO linked_chat_areas(linked_chat_id, area_id) VALUES (?, ?)",
                [(link_id, a) for a in area_ids],
            )
            linked = await self.active(chat_id)
        assert linked is not None
        return linked

    async def active(self, chat_id: int) -> LinkedChat | None:
        row = await self.db.fetchone(
            "SELECT * FROM linked_chats WHERE chat_id=? AND ended_at IS NULL", (chat_id,)
        )
        return await self._linked(row)

    async def for_project(self, project_id: int) -> list[LinkedChat]:
        rows = await self.db.fetchall(
            "SELECT * FROM linked_chats WHERE project_id=? AND ended_at IS NULL ORDER BY linked_at",
            (project_id,),
        )
        result = []
        for row in rows:
            linked = await self._linked(row)
            assert linked is not None
            result.append(linked)
        return result

    async def titles(self, project_id: int) -> dict[int, tuple[str, bool]]:
        """Every link the project ever had, current or ended: link id → (group title,
        still linked). Alerts keep naming the group they went to after it was unlinked."""
        rows = await self.db.fetchall(
            "SELECT id, title, ended_at FROM linked_chats WHERE project_id=?", (project_id,))
        return {r["id"]: (r["title"], r["ended_at"] is None) for r in rows}

    async def end(self, chat_id: int, reason: str, now: datetime) -> bool:
        changed = await self.db.execute(
            "UPDATE linked_chats SET ended_at=?, end_reason=? WHERE chat_id=? AND ended_at IS NULL",
            (utc_iso(now), reason, chat_id),
        )
        return changed > 0

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> bool:
        """A group became a supergroup and got a new id: carry the link over."""
        changed = await self.db.execute(
            "UPDATE linked_chats SET chat_id=? WHERE chat_id=? AND ended_at IS NULL",
            (new_chat_id, old_chat_id),
        )
        return changed > 0

    async def set_language(self, chat_id: int, language: str) -> None:
        await self.db.execute(
            "UPDATE linked_chats SET language=? WHERE chat_id=? AND ended_at IS NULL",
            (language, chat_id),
        )

    # -- project choice per chat -------------------------------------------------------

    async def chosen_project(self, chat_id: int) -> int | None:
        return await self.db.fetchval(
            "SELECT project_id FROM chat_projects WHERE chat_id=?", (chat_id,)
        )

    async def choose_project(self, chat_id: int, project_id: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO chat_projects(chat_id, project_id, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT(chat_id) DO UPDATE SET project_id=excluded.project_id,"
            " updated_at=excluded.updated_at",
            (chat_id, project_id, utc_iso(now)),
        )
