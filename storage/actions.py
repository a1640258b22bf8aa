"""The action / monitoring framework (appendix 4): actions, partner statuses, results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from storage.db import Database, utc_iso
from storage.models import ActionSummary


@dataclass(frozen=True, slots=True)
class NewAction:
    what: str
    area_id: int | None = None
    problem: str = ""
    aim: str = ""
    type: str | None = None
    target: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    capacity: str = ""
    notes: str = ""
    expected_effect: date | None = None
    # (partner_id, status, reason)
    partners: Sequence[tuple[int, str, str | None]] = field(default_factory=tuple)
    # (partner_id, text, quantity, unit)
    results: Sequence[tuple[int | None, str, float | None, str | None]] = field(
        default_factory=tuple
    )


class ActionRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, project_id: int, action: NewAction, *, created_by: int | None,
                     now: datetime) -> ActionSummary:
        """Create an action with its partners and results atomically; number it A<n>."""
        stamp = utc_iso(now)
        async with self.db.transaction():
            number = int(
                await self.db.fetchval(
                    "SELECT COALESCE(MAX(number), 0) + 1 FROM actions WHERE project_id=?",
                    (project_id,),
                )
            )
            action_id = await self.db.execute(
                "INSERT INTO actions(project_id, number, area_id, problem, what, aim, type,"
                " target, period_start, period_end, capacity, notes, expected_effect,"
                " created_by, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    project_id, number, action.area_id, action.problem, action.what, action.aim,
                    action.type, action.target,
                    action.period_start.isoformat() if action.period_start else None,
                    action.period_end.isoformat() if action.period_end else None,
                    action.capacity, action.notes,
                    action.expected_effect.isoformat() if action.expected_effect else None,
                    created_by, stamp, stamp,
                ),
            )
            await self.db.executemany(
                "INSERT INTO action_partners(action_id, partner_id, status, reason, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [(action_id, pid, status, reason, stamp)
                 for pid, status, reason in action.partners],
            )
            await self.db.executemany(
                "INSERT INTO action_results(action_id, partner_id, text, quantity, unit,"
                " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(action_id, pid, text, qty, unit, created_by, stamp)
                 for pid, text, qty, unit in action.results],
            )
            await self.db.execute(
                "INSERT INTO action_history(action_id, at, user_id, field, old_value, new_value)"
                " VALUES (?, ?, ?, 'created', NULL, ?)",
                (action_id, stamp, created_by, action.what),
            )
        return ActionSummary(action_id, number, action.what, action.period_start,
                             action.period_end)

    async def count(self, project_id: int) -> int:
        return int(
            await self.db.fetchval("SELECT COUNT(*) FROM actions WHERE project_id=?", (project_id,))
        )

    async def count_open_overdue(self, project_id: int, today: date) -> int:
        return int(
            await self.db.fetchval(
                "SELECT COUNT(DISTINCT a.id) FROM actions a JOIN action_partners ap"
                " ON ap.action_id = a.id WHERE a.project_id=? AND ap.status='open'"
                " AND a.period_end < ?",
                (project_id, today.isoformat()),
            )
        )
