"""The aiosqlite connection: pragmas, migrations, transactions and small query helpers.

One connection serves the whole bot. aiosqlite runs it on a worker thread, so concurrent
coroutines would otherwise interleave statements and one coroutine's write could land in
another's open transaction. An :class:`asyncio.Lock` therefore serialises access, and a
context variable remembers which task holds the transaction so repository calls made
inside ``async with db.transaction():`` run without re-acquiring the lock.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
_MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Row = sqlite3.Row
Params = Sequence[Any] | dict[str, Any]


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_iso(moment: datetime) -> str:
    """Serialise an aware datetime as an ISO-8601 UTC string (the only stored time format)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every packaged migration, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_RE.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


class Database:
    """Owns the connection. Open with :meth:`connect`, close with :meth:`close`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._owner: ContextVar[bool] = ContextVar(f"db_tx_{id(self)}", default=False)

    # -- lifecycle -----------------------------------------------------------------------

    async def connect(self, *, migrate: bool = True) -> Database:
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # Opened once here first: a path that cannot be opened then fails cleanly, while
        # aiosqlite's worker thread, after a failed open, may still call back into an event
        # loop that has been closed by then (wijkbot's commands each run their own loop).
        sqlite3.connect(self.path).close()
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, sqlite3 must not.
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA synchronous=NORMAL")
        self._conn = conn
        if migrate:
            await self.migrate()
        return self

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def __aenter__(self) -> Database:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("database is not connected")
        return self._conn

    # -- migrations ----------------------------------------------------------------------

    async def schema_version(self) -> int:
        row = await self.fetchone(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'"
        )
        if row is None:
            return 0
        row = await self.fetchone("SELECT MAX(version) AS v FROM schema_version")
        return int(row["v"] or 0) if row else 0

    async def migrate(self) -> list[str]:
        """Apply pending migrations, each atomically; return the names applied."""
        applied: list[str] = []
        async with self._lock:
            await self.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            async with self.conn.execute("SELECT MAX(version) FROM schema_version") as cur:
                row = await cur.fetchone()
            current = int(row[0] or 0) if row else 0
            for version, name, sql in migration_files():
                if version <= current:
                    continue
                # executescript() commits first and runs the script verbatim, so the
                # migration and its version row go in one explicit transaction.
                script = (
                    "BEGIN IMMEDIATE;\n"
                    f"{sql}\n"
                    "INSERT INTO schema_version(version, name, applied_at) VALUES "
                    f"({version}, '{name}', '{utc_iso(utc_now())}');\n"
                    "COMMIT;"
                )
                try:
                    await self.conn.executescript(script)
                except sqlite3.Error:
                    if self.conn.in_transaction:
                        await self.conn.execute("ROLLBACK")
                    log.exception("migration %s failed; database left at version %s", name, current)
                    raise
                current = version
                applied.append(name)
                log.info("applied migration %s", name)
        return applied

    # -- transactions and queries -------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        """Run the enclosed statements atomically (``BEGIN IMMEDIATE`` … ``COMMIT``).

        Nested use inside the same task joins the outer transaction.
        """
        if self._owner.get():
            yield self
            return
        async with self._lock:
            token = self._owner.set(True)
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self
                except BaseException:
                    await self.conn.execute("ROLLBACK")
                    raise
                else:
                    await self.conn.execute("COMMIT")
            finally:
                self._owner.reset(token)

    @asynccontextmanager
    async def _access(self) -> AsyncIterator[aiosqlite.Connection]:
        if self._owner.get():
            yield self.conn
        else:
            async with self._lock:
                yield self.conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        async with self._access() as conn, conn.execute(sql, params) as cur:
            return cur.rowcount

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT; return the new row's id."""
        async with self._access() as conn, conn.execute(sql, params) as cur:
            if not cur.rowcount or cur.lastrowid is None:
                raise sqlite3.IntegrityError("nothing was inserted")
            return int(cur.lastrowid)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self._access() as conn:
            await conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self._access() as conn, conn.execute(sql, params) as cur:
            return await cur.fetchone()

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._access() as conn, conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def backup(self, target: str | Path) -> None:
        """Copy the live database to ``target`` with SQLite's online backup API."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        async with self._access() as conn:
            dest = await aiosqlite.connect(target)
            try:
                await conn.backup(dest)
            finally:
                await dest.close()
