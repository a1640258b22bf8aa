"""Audit log: every change to partnership data is attributable to a person."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from storage.db import Database, utc_iso


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self,
        *,
        now: datetime,
        user_id: int | None,
        project_id: int | None,
        entity: str,
        entity_id: object,
        action: str,
        detail: dict[str, Any] | None = None,
    ) -> None:
        await self.db.execute(
            "INSERT INTO audit_log(at, user_id, project_id, entity, entity_id, action, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                utc_iso(now), user_id, project_id, entity,
                None if entity_id is None else str(entity_id), action,
                json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None,
            ),
        )

    async def for_project(self, project_id: int, limit: int = 100) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT * FROM audit_log WHERE project_id=? ORDER BY id DESC LIMIT ?",
            (project_id, limit),
        )
        return [dict(r) for r in rows]

    async def happened(self, project_id: int, entity: str, entity_id: object,
                       action: str) -> bool:
        """Whether ``action`` was recorded for this entity (e.g. a registration withdrawn)."""
        return bool(await self.db.fetchval(
            "SELECT 1 FROM audit_log WHERE project_id=? AND entity=? AND entity_id=?"
            " AND action=? LIMIT 1", (project_id, entity, str(entity_id), action)))
