"""The outbox: messages written in the same transaction as the fact they report and sent
by :class:`bot.outbox.OutboxSender`, so that a crash or restart neither loses nor repeats
them.

States: ``pending`` (due at ``next_attempt_at``) → ``sending`` (claimed; the request is in
flight) → ``sent``; or ``failed`` (permanent error or too many attempts) / ``cancelled``.
A row left in ``sending`` by a crash is *in doubt* and goes back to ``pending`` at start-up
(see :meth:`OutboxRepository.recover`).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database, Row, parse_utc, utc_iso


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    dedupe_key: str
    project_id: int | None
    chat_id: int
    method: str          # send | edit
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    message_id: int | None
    last_error: str | None
    after_id: int | None = None   # the row this one waits for (a sequence)


def file_refs(payload: dict[str, Any]) -> list[int]:
    """The stored files a payload refers to, in the order Telegram returns them."""
    values = [payload.get("photo"), payload.get("document"),
              *(item.get("photo") for item in payload.get("media") or ())]
    return [v["file"] for v in values if isinstance(v, dict)]


def _item(row: Row) -> OutboxItem:
    due = parse_utc(row["next_attempt_at"])
    assert due is not None
    return OutboxItem(
        id=row["id"], dedupe_key=row["dedupe_key"], project_id=row["project_id"],
        chat_id=row["chat_id"], method=row["method"], payload=json.loads(row["payload"]),
        status=row["status"], attempts=row["attempts"], next_attempt_at=due,
        message_id=row["message_id"], last_error=row["last_error"], after_id=row["after_id"],
    )


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def enqueue(self, dedupe_key: str, chat_id: int, payload: dict[str, Any], *,
                      now: datetime, project_id: int | None = None,
                      method: str = "send", after: int | None = None) -> int | None:
        """Add a message unless one with ``dedupe_key`` exists; returns the new id or None.
        With ``after`` it is not sent before that row is done (sent, failed or cancelled).
        Photos and documents are stored once in ``outbox_files`` (see :meth:`with_files`)."""
        payload = await self.with_files(payload, now)
        new_id = await self.db.fetchval(
            "INSERT INTO outbox(dedupe_key, project_id, chat_id, method, payload,"
            " next_attempt_at, created_at, after_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(dedupe_key) DO NOTHING RETURNING id",
            (dedupe_key, project_id, chat_id, method, json.dumps(payload, ensure_ascii=False),
             utc_iso(now), utc_iso(now), after),
        )
        return int(new_id) if new_id is not None else None

    async def enqueue_many(self, rows: list[tuple[str, int, dict[str, Any]]], *,
                           now: datetime, project_id: int | None = None) -> dict[str, int]:
        """Many independent messages ``(dedupe key, chat id, payload)`` in two statements (a
        broadcast to hundreds of groups); returns the row id per key, old or new."""
        prepared: dict[int, dict[str, Any]] = {}  # one file conversion per shared payload
        values = []
        for key, chat_id, payload in rows:
            if id(payload) not in prepared:
                prepared[id(payload)] = await self.with_files(payload, now)
            values.append((key, project_id, chat_id,
                           json.dumps(prepared[id(payload)], ensure_ascii=False),
                           utc_iso(now), utc_iso(now)))
        await self.db.executemany(
            "INSERT INTO outbox(dedupe_key, project_id, chat_id, method, payload,"
            " next_attempt_at, created_at) VALUES (?, ?, ?, 'send', ?, ?, ?)"
            " ON CONFLICT(dedupe_key) DO NOTHING", values)
        ids: dict[str, int] = {}
        keys = [key for key, _chat, _payload in rows]
        for start in range(0, len(keys), 500):  # SQLite's limit on host parameters
            chunk = keys[start:start + 500]
            for row in await self.db.fetchall(
                    f"SELECT id, dedupe_key FROM outbox WHERE dedupe_key IN"
                    f" ({','.join('?' * len(chunk))})", tuple(chunk)):
                ids[row["dedupe_key"]] = row["id"]
        return ids

    async def enqueue_sequence(self, key: str, chat_id: int, payloads: list[dict[str, Any]],
                               *, now: datetime, project_id: int | None = None) -> list[int]:
        """Messages that must arrive in this order (keys ``key:0``, ``key:1``, …); a key
        already present keeps its row, so enqueueing the same sequence twice adds nothing."""
        ids: list[int] = []
        previous: int | None = None
        for index, payload in enumerate(payloads):
            dedupe = f"{key}:{index}"
            new_id = await self.enqueue(dedupe, chat_id, payload, now=now,
                                        project_id=project_id, after=previous)
            if new_id is None:
                previous = await self.db.fetchval(
                    "SELECT id FROM outbox WHERE dedupe_key=?", (dedupe,))
            else:
                ids.append(new_id)
                previous = new_id
        return ids

    async def exists(self, dedupe_key: str) -> bool:
        return await self.db.fetchval(
            "SELECT 1 FROM outbox WHERE dedupe_key=?", (dedupe_key,)) is not None

    async def with_files(self, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Inline base64 photos and documents replaced by references to ``outbox_files``."""
        out = dict(payload)
        for key in ("photo", "document"):
            if isinstance(out.get(key), str):
                out[key] = {"file": await self._store_file(out[key], now)}
        if out.get("media"):
            out["media"] = [
                item | {"photo": {"file": await self._store_file(item["photo"], now)}}
                if isinstance(item.get("photo"), str) else item for item in out["media"]]
        return out

    async def _store_file(self, encoded: str, now: datetime) -> int:
        data = base64.b64decode(encoded)
        digest = hashlib.sha256(data).hexdigest()
        await self.db.execute(
            "INSERT INTO outbox_files(sha256, data, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT(sha256) DO NOTHING", (digest, data, utc_iso(now)))
        file_id = await self.db.fetchval("SELECT id FROM outbox_files WHERE sha256=?",
                                         (digest,))
        return int(file_id)

    async def files(self, ids: list[int]) -> dict[int, tuple[bytes, str | None]]:
        """Stored files by id: the bytes and, once uploaded, Telegram's file id."""
        if not ids:
            return {}
        rows = await self.db.fetchall(
            f"SELECT id, data, telegram_file_id FROM outbox_files WHERE id IN"
            f" ({','.join('?' * len(ids))})", tuple(ids))
        return {r["id"]: (bytes(r["data"]), r["telegram_file_id"]) for r in rows}

    async def uploaded(self, file_ref: int, telegram_file_id: str) -> None:
        """Telegram has the file: later messages send its id instead of the bytes."""
        await self.db.execute(
            "UPDATE outbox_files SET telegram_file_id=? WHERE id=? AND telegram_file_id IS NULL",
            (telegram_file_id, file_ref))

    async def get(self, item_id: int) -> OutboxItem | None:
        row = await self.db.fetchone("SELECT * FROM outbox WHERE id=?", (item_id,))
        return _item(row) if row else None

    async def due(self, now: datetime, limit: int = 200) -> list[OutboxItem]:
        # A row of a sequence waits for the one before it; ``sending`` is not done yet.
        rows = await self.db.fetchall(
            "SELECT o.* FROM outbox o LEFT JOIN outbox p ON p.id = o.after_id"
            " WHERE o.status='pending' AND o.next_attempt_at <= ?"
            " AND (o.after_id IS NULL OR p.status IN ('sent', 'failed', 'cancelled'))"
            " ORDER BY o.next_attempt_at, o.id LIMIT ?", (utc_iso(now), limit))
        return [_item(r) for r in rows]

    async def next_due(self) -> datetime | None:
        # Rows waiting for their predecessor are not counted: that one's outcome wakes the
        # sender.
        value = await self.db.fetchval(
            "SELECT MIN(o.next_attempt_at) FROM outbox o LEFT JOIN outbox p ON p.id = o.after_id"
            " WHERE o.status='pending'"
            " AND (o.after_id IS NULL OR p.status IN ('sent', 'failed', 'cancelled'))")
        return parse_utc(value)

    async def claim(self, item_id: int) -> bool:
        """pending → sending; False if the row is no longer pending."""
        changed = await self.db.execute(
            "UPDATE outbox SET status='sending', attempts=attempts+1"
            " WHERE id=? AND status='pending'", (item_id,))
        return changed == 1

    async def mark_sent(self, item_id: int, message_id: int | None, now: datetime) -> None:
        await self.db.execute(
            "UPDATE outbox SET status='sent', message_id=COALESCE(?, message_id), sent_at=?,"
            " last_error=NULL WHERE id=?", (message_id, utc_iso(now), item_id))

    async def retry_later(self, item_id: int, due: datetime, error: str, *,
                          count_attempt: bool = True) -> None:
        await self.db.execute(
            "UPDATE outbox SET status='pending', next_attempt_at=?, last_error=?,"
            " attempts=attempts-? WHERE id=?",
            (utc_iso(due), error[:500], 0 if count_attempt else 1, item_id))

    async def mark_failed(self, item_id: int, error: str) -> None:
        await self.db.execute(
            "UPDATE outbox SET status='failed', last_error=? WHERE id=?", (error[:500], item_id))

    async def cancel_pending(self, chat_id: int, reason: str) -> int:
        """A chat is gone: what is still waiting for it will never arrive."""
        return await self.db.execute(
            "UPDATE outbox SET status='cancelled', last_error=? WHERE chat_id=?"
            " AND status='pending'", (reason, chat_id))

    async def update_payload(self, item_id: int, payload: dict[str, Any], *,
                             now: datetime) -> bool:
        """Change a message that has not been sent yet; False once it is on its way."""
        payload = await self.with_files(payload, now)
        changed = await self.db.execute(
            "UPDATE outbox SET payload=? WHERE id=? AND status='pending'",
            (json.dumps(payload, ensure_ascii=False), item_id))
        return changed == 1

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        await self.db.execute("UPDATE outbox SET chat_id=? WHERE chat_id=? AND status='pending'",
                              (new_chat_id, old_chat_id))

    async def recover(self) -> int:
        """At start-up: rows a crash left in flight are sent again (see the module)."""
        return await self.db.execute(
            "UPDATE outbox SET status='pending', last_error='in doubt after restart'"
            " WHERE status='sending'")

    async def counts(self) -> dict[str, int]:
        rows = await self.db.fetchall("SELECT status, COUNT(*) FROM outbox GROUP BY status")
        return {r[0]: r[1] for r in rows}
