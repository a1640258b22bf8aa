"""Telegram users the bot knows (only those who joined, created or configured something)."""

from __future__ import annotations

from storage.db import Database, Row, utc_iso, utc_now
from storage.models import User


def _user(row: Row) -> User:
    return User(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        username=row["username"],
        telegram_language=row["telegram_language"],
        language=row["language"],
    )


class UserRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def upsert(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        telegram_language: str | None = None,
    ) -> None:
        now = utc_iso(utc_now())
        await self.db.execute(
            "INSERT INTO users(id, first_name, last_name, username, telegram_language,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET first_name=excluded.first_name,"
            " last_name=excluded.last_name, username=excluded.username,"
            " telegram_language=excluded.telegram_language, updated_at=excluded.updated_at",
            (user_id, first_name or "", last_name, username, telegram_language, now, now),
        )

    async def refresh_if_known(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        telegram_language: str | None,
    ) -> None:
        """Keep names current for people we already know; never creates a row."""
        await self.db.execute(
            "UPDATE users SET first_name=?, last_name=?, username=?, telegram_language=?,"
            " updated_at=? WHERE id=? AND (first_name IS NOT ? OR last_name IS NOT ?"
            " OR username IS NOT ? OR telegram_language IS NOT ?)",
            (
                first_name or "", last_name, username, telegram_language, utc_iso(utc_now()),
                user_id, first_name or "", last_name, username, telegram_language,
            ),
        )

    async def get(self, user_id: int) -> User | None:
        row = await self.db.fetchone("SELECT * FROM users WHERE id=?", (user_id,))
        return _user(row) if row else None

    async def preferred_language(self, user_id: int, default: str) -> str:
        """The language of a private message to this person: the one chosen with /taal,
        else Telegram's, else ``default`` (also for someone the bot never stored)."""
        user = await self.get(user_id)
        return user.preferred_language(default) if user else default

    async def language(self, user_id: int) -> str | None:
        return await self.db.fetchval("SELECT language FROM users WHERE id=?", (user_id,))

    async def reminders_paused(self, user_id: int) -> bool:
        return bool(await self.db.fetchval(
            "SELECT reminders_paused FROM users WHERE id=?", (user_id,)))

    async def set_reminders_paused(self, user_id: int, paused: bool) -> None:
        await self.db.execute(
            "UPDATE users SET reminders_paused=?, updated_at=? WHERE id=?",
            (int(paused), utc_iso(utc_now()), user_id),
        )

    async def set_language(self, user_id: int, language: str) -> None:
        await self.db.execute(
            "UPDATE users SET language=?, updated_at=? WHERE id=?",
            (language, utc_iso(utc_now()), user_id),
        )
