"""The action / monitoring framework (appendix 4): actions, partner statuses, results and
the change history that makes every change attributable."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from storage.db import Database, Row, parse_utc, utc_iso
from storage.models import ActionSummary

STATUSES = ("open", "done", "not_done", "cancelled")
# Fields a person may edit, with their column names.
EDITABLE = ("area_id", "problem", "what", "aim", "type", "target", "period_start",
            "period_end", "capacity", "notes", "expected_effect")


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


@dataclass(frozen=True, slots=True)
class ActionPartner:
    partner_id: int
    name: str
    status: str
    reason: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ActionResult:
    id: int
    partner_id: int | None
    partner_name: str | None
    text: str
    quantity: float | None
    unit: str | None
    created_by: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    user_id: int | None
    user_name: str
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class Action:
    id: int
    project_id: int
    number: int
    area_id: int | None
    area_name: str | None
    problem: str
    what: str
    aim: str
    type: str | None
    target: str | None
    period_start: date | None
    period_end: date | None
    capacity: str
    notes: str
    expected_effect: date | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int
    meeting_id: int | None = None
    partners: tuple[ActionPartner, ...] = ()
    results: tuple[ActionResult, ...] = ()

    @property
    def code(self) -> str:
        return f"A{self.number}"

    @property
    def partner_ids(self) -> tuple[int, ...]:
        return tuple(p.partner_id for p in self.partners)

    def status_of(self, partner_id: int) -> str | None:
        return next((p.status for p in self.partners if p.partner_id == partner_id), None)

    @property
    def is_open(self) -> bool:
        return any(p.status == "open" for p in self.partners) or not self.partners


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _t(value: str) -> datetime:
    moment = parse_utc(value)
    assert moment is not None
    return moment


_SELECT = (
    "SELECT a.*, ar.name AS area_name FROM actions a"
    " LEFT JOIN areas ar ON ar.id = a.area_id"
)


class ActionRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- writing -------------------------------------------------------------------------

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
            action_id = await self.db.insert(
                "INSERT INTO actions(project_id, number, area_id, problem, what, aim, type,"
                " target, period_start, period_end, capacity, notes, expected_effect,"
                " created_by, created_at, updated_at, partnerless)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    project_id, number, action.area_id, action.problem, action.what, action.aim,
                    action.type, action.target,
                    action.period_start.isoformat() if action.period_start else None,
                    action.period_end.isoformat() if action.period_end else None,
                    action.capacity, action.notes,
                    action.expected_effect.isoformat() if action.expected_effect else None,
                    created_by, stamp, stamp, int(not action.partners),
                ),
            )
            await self.db.executemany(
                "INSERT INTO action_partners(action_id, partner_id, status, reason, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [(action_id, pid, status, reason, stamp)
                 for pid, status, reason in action.partners],
            )
            await self.db.executemany(
                "INSERT INTO action_results(action_id, project_id, partner_id, text, quantity,"
                " unit, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(action_id, project_id, pid, text, qty, unit, created_by, stamp)
                 for pid, text, qty, unit in action.results],
            )
            await self._history(action_id, now, created_by, "created", None, action.what)
        return ActionSummary(action_id, number, action.what, action.period_start,
                             action.period_end)

    async def _history(self, action_id: int, now: datetime, user_id: int | None, field: str,
                       old: object, new: object) -> None:
        await self.db.execute(
            "INSERT INTO action_history(action_id, at, user_id, field, old_value, new_value)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (action_id, utc_iso(now), user_id, field,
             None if old is None else str(old), None if new is None else str(new)),
        )

    async def update_fields(self, action: Action, changes: dict[str, object], *,
                            user_id: int | None, now: datetime) -> bool:
        """Apply ``changes`` if nobody changed the action since ``action.version`` was read.

        Returns False (and changes nothing) on a concurrent modification.
        """
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        values = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in changes.items()}
        async with self.db.transaction():
            sets = ", ".join(f"{column}=?" for column in values)
            changed = await self.db.execute(
                f"UPDATE actions SET {sets}, version=version+1, updated_at=?"
                " WHERE id=? AND version=?",
                (*values.values(), utc_iso(now), action.id, action.version),
            )
            if changed != 1:
                return False
            for column, new in values.items():
                old = getattr(action, column)
                old = old.isoformat() if isinstance(old, date) else old
                if old != new:
                    await self._history(action.id, now, user_id, column, old, new)
        return True

    async def set_status(self, action: Action, partner_ids: Iterable[int], status: str,
                         reason: str | None, *, user_id: int | None, now: datetime) -> None:
        """Set the status of some responsible partners (one transaction, with history)."""
        if status not in STATUSES:
            raise ValueError(status)
        async with self.db.transaction():
            for partner_id in partner_ids:
                old = await self.db.fetchval(
                    "SELECT status FROM action_partners WHERE action_id=? AND partner_id=?",
                    (action.id, partner_id),
                )
                if old is None:
                    continue
                await self.db.execute(
                    "UPDATE action_partners SET status=?, reason=?, updated_at=?"
                    " WHERE action_id=? AND partner_id=?",
                    (status, reason, utc_iso(now), action.id, partner_id),
                )
                name = await self.db.fetchval("SELECT name FROM partners WHERE id=?",
                                              (partner_id,))
                await self._history(action.id, now, user_id, f"status:{name}", old,
                                    status if not reason else f"{status}: {reason}")
            await self._touch(action.id, now)

    async def add_partner(self, action_id: int, partner_id: int, *, user_id: int | None,
                          now: datetime) -> None:
        async with self.db.transaction():
            await self.db.execute(
                "INSERT OR IGNORE INTO action_partners(action_id, partner_id, status,"
                " updated_at) VALUES (?, ?, 'open', ?)", (action_id, partner_id, utc_iso(now)))
            name = await self.db.fetchval("SELECT name FROM partners WHERE id=?", (partner_id,))
            await self.db.execute("UPDATE actions SET partnerless=0 WHERE id=?", (action_id,))
            await self._history(action_id, now, user_id, "partner", None, name)
            await self._touch(action_id, now)

    async def add_result(self, action_id: int, partner_id: int | None, text: str,
                         quantity: float | None, unit: str | None, *, user_id: int | None,
                         now: datetime) -> int:
        async with self.db.transaction():
            result_id = await self.db.insert(
                "INSERT INTO action_results(action_id, project_id, partner_id, text, quantity,"
                " unit, created_by, created_at) SELECT ?, project_id, ?, ?, ?, ?, ?, ?"
                " FROM actions WHERE id = ?",
                (action_id, partner_id, text, quantity, unit, user_id, utc_iso(now), action_id),
            )
            await self._history(action_id, now, user_id, "result", None, text)
            await self._touch(action_id, now)
        return result_id

    async def _touch(self, action_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE actions SET updated_at=?, version=version+1 WHERE id=?",
            (utc_iso(now), action_id),
        )

    # -- reading -------------------------------------------------------------------------

    def _action(self, row: Row, partners: tuple[ActionPartner, ...],
                results: tuple[ActionResult, ...]) -> Action:
        return Action(
            id=row["id"], project_id=row["project_id"], number=row["number"],
            area_id=row["area_id"], area_name=row["area_name"], problem=row["problem"],
            what=row["what"], aim=row["aim"], type=row["type"], target=row["target"],
            period_start=_d(row["period_start"]), period_end=_d(row["period_end"]),
            capacity=row["capacity"], notes=row["notes"],
            expected_effect=_d(row["expected_effect"]), created_by=row["created_by"],
            created_at=_t(row["created_at"]), updated_at=_t(row["updated_at"]),
            version=row["version"], meeting_id=row["meeting_id"], partners=partners,
            results=results,
        )

    async def _load(self, rows: list[Row], *, with_results: bool = True) -> list[Action]:
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        partners: dict[int, list[ActionPartner]] = {i: [] for i in ids}
        results: dict[int, list[ActionResult]] = {i: [] for i in ids}
        # Chunked IN lists keep us under SQLite's variable limit for big projects.
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            marks = ",".join("?" * len(chunk))
            for r in await self.db.fetchall(
                "SELECT ap.*, p.name FROM action_partners ap JOIN partners p"
                f" ON p.id = ap.partner_id WHERE ap.action_id IN ({marks})"
                " ORDER BY p.name COLLATE NOCASE", chunk,
            ):
                partners[r["action_id"]].append(ActionPartner(
                    r["partner_id"], r["name"], r["status"], r["reason"], _t(r["updated_at"])))
            if with_results:
                for r in await self.db.fetchall(
                    "SELECT res.*, p.name AS partner_name FROM action_results res"
                    " LEFT JOIN partners p ON p.id = res.partner_id"
                    f" WHERE res.action_id IN ({marks}) ORDER BY res.id", chunk,
                ):
                    results[r["action_id"]].append(ActionResult(
                        r["id"], r["partner_id"], r["partner_name"], r["text"], r["quantity"],
                        r["unit"], r["created_by"], _t(r["created_at"])))
        return [self._action(r, tuple(partners[r["id"]]), tuple(results[r["id"]]))
                for r in rows]

    async def get(self, action_id: int) -> Action | None:
        rows = await self.db.fetchall(_SELECT + " WHERE a.id=?", (action_id,))
        loaded = await self._load(rows)
        return loaded[0] if loaded else None

    async def by_number(self, project_id: int, number: int) -> Action | None:
        rows = await self.db.fetchall(_SELECT + " WHERE a.project_id=? AND a.number=?",
                                      (project_id, number))
        loaded = await self._load(rows)
        return loaded[0] if loaded else None

    async def open_actions(self, project_id: int, partner_id: int | None = None) -> list[Action]:
        """Actions with at least one open partner status (or no partner at all)."""
        params: list[object] = [project_id]
        partner_clause = ""
        if partner_id is not None:
            partner_clause = " AND ap.partner_id=?"
            params.append(partner_id)
        rows = await self.db.fetchall(
            _SELECT + " WHERE a.project_id=? AND (EXISTS (SELECT 1 FROM action_partners ap"
            " WHERE ap.action_id = a.id AND ap.status='open'" + partner_clause + ")"
            + ("" if partner_id is not None else
               " OR NOT EXISTS (SELECT 1 FROM action_partners ap2 WHERE ap2.action_id = a.id)")
            + ") ORDER BY a.period_end IS NULL, a.period_end, a.number",
            params,
        )
        return await self._load(rows, with_results=False)

    async def open_counts(self, project_id: int, today: date,
                          partner_id: int | None = None) -> list[Row]:
        """Per responsible partner (NULL: no partner): open and overdue counts."""
        rows = await self.db.fetchall(
            "SELECT p.id AS partner_id, p.name,"
            " (SELECT COUNT(*) FROM action_partners ap WHERE ap.partner_id = p.id"
            "  AND ap.status = 'open') AS open,"
            " (SELECT COUNT(*) FROM action_partners ap JOIN actions a ON a.id = ap.action_id"
            "  WHERE ap.partner_id = p.id AND ap.status = 'open' AND a.period_end < ?) AS overdue"
            " FROM partners p WHERE p.project_id = ?"
            + (" AND p.id = ?" if partner_id is not None else "")
            + " ORDER BY p.name COLLATE NOCASE",
            (today.isoformat(), project_id,
             *((partner_id,) if partner_id is not None else ())),
        )
        result = [r for r in rows if r["open"]]
        if partner_id is None:
            orphans = await self.db.fetchone(
                "SELECT NULL AS partner_id, NULL AS name, COUNT(*) AS open,"
                " SUM(a.period_end < ?) AS overdue FROM actions a WHERE a.project_id = ?"
                " AND a.partnerless = 1",
                (today.isoformat(), project_id),
            )
            if orphans is not None and orphans["open"]:
                result.append(orphans)
        return result

    async def open_rows(self, project_id: int, *, offset: int, limit: int,
                        partner_id: int | None = None) -> list[Row]:
        """One page of (partner × open action) rows: by partner, most overdue first;
        actions without a partner last."""
        partner_clause = " AND p.id = ?" if partner_id is not None else ""
        params: tuple[object, ...] = (project_id,) + (
            (partner_id,) if partner_id is not None else ())
        orphans = ""
        if partner_id is None:
            orphans = (" UNION ALL SELECT NULL, NULL, 1, a.id, a.period_end IS NULL,"
                       " a.period_end, a.number"
                       " FROM actions a WHERE a.project_id = ? AND a.partnerless = 1")
            params += (project_id,)
        # Sort and cut on the keys only; fetch the texts for the page's rows alone.
        return await self.db.fetchall(
            "SELECT page.partner_id, page.partner_name, a.number, a.what, a.period_start,"
            " a.period_end, ar.name AS area_name FROM ("
            " SELECT ap.partner_id, p.name AS partner_name, 0 AS orphan, a.id AS action_id,"
            " a.period_end IS NULL AS no_period, a.period_end, a.number"
            " FROM partners p JOIN action_partners ap"
            " ON ap.partner_id = p.id AND ap.status = 'open' JOIN actions a ON a.id = ap.action_id"
            " WHERE p.project_id = ?" + partner_clause + orphans +
            " ORDER BY orphan, partner_name COLLATE NOCASE, no_period, period_end,"
            " number LIMIT ? OFFSET ?) page JOIN actions a ON a.id = page.action_id"
            " LEFT JOIN areas ar ON ar.id = a.area_id"
            " ORDER BY page.orphan, page.partner_name COLLATE NOCASE,"
            " page.no_period, page.period_end, page.number",
            (*params, limit, offset),
        )

    async def for_partner(self, project_id: int, partner_id: int) -> list[Action]:
        rows = await self.db.fetchall(
            _SELECT + " WHERE a.project_id=? AND a.id IN (SELECT action_id FROM"
            " action_partners WHERE partner_id=?) ORDER BY a.number DESC",
            (project_id, partner_id),
        )
        return await self._load(rows)

    async def all(self, project_id: int) -> list[Action]:
        rows = await self.db.fetchall(_SELECT + " WHERE a.project_id=? ORDER BY a.number",
                                      (project_id,))
        return await self._load(rows)

    async def search(self, project_id: int, text: str) -> list[Action]:
        """Every action whose text, area or results contain ``text``, newest first (no
        limit: the heading counts them and the reply is paged)."""
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = await self.db.fetchall(
            _SELECT + " WHERE a.project_id=? AND (a.what LIKE ? ESCAPE '\\'"
            " OR a.problem LIKE ? ESCAPE '\\' OR a.aim LIKE ? ESCAPE '\\'"
            " OR a.notes LIKE ? ESCAPE '\\' OR a.capacity LIKE ? ESCAPE '\\'"
            " OR ar.name LIKE ? ESCAPE '\\' OR a.id IN (SELECT action_id FROM action_results"
            " WHERE text LIKE ? ESCAPE '\\')) ORDER BY a.number DESC",
            (project_id, like, like, like, like, like, like, like),
        )
        return await self._load(rows)

    async def changed_between(self, project_id: int, start: datetime,
                              end: datetime) -> set[int]:
        """Ids of the project's actions with a change (status, result, field, partner —
        not their creation) recorded from ``start`` to ``end``: from the history, so a
        later change does not hide an earlier one."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT h.action_id FROM action_history h"
            " JOIN actions a ON a.id = h.action_id"
            " WHERE a.project_id=? AND h.field <> 'created' AND h.at >= ? AND h.at <= ?",
            (project_id, utc_iso(start), utc_iso(end)))
        return {r[0] for r in rows}

    async def history(self, action_id: int) -> list[HistoryEntry]:
        rows = await self.db.fetchall(
            "SELECT h.*, TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, ''))"
            " AS user_name FROM action_history h LEFT JOIN users u ON u.id = h.user_id"
            " WHERE h.action_id=? ORDER BY h.id", (action_id,),
        )
        return [HistoryEntry(_t(r["at"]), r["user_id"], r["user_name"] or "", r["field"],
                             r["old_value"], r["new_value"]) for r in rows]

    async def partner_summary(self, project_id: int, today: date,
                              since: date) -> list[Row]:
        """Per partner: open, overdue, done since ``since``, and last activity."""
        return await self.db.fetchall(
            "SELECT p.id AS partner_id, p.name,"
            " (SELECT COUNT(*) FROM action_partners ap WHERE ap.partner_id = p.id"
            "  AND ap.status = 'open') AS open,"
            " (SELECT COUNT(*) FROM action_partners ap JOIN actions a ON a.id = ap.action_id"
            "  WHERE ap.partner_id = p.id AND ap.status = 'open' AND a.period_end < ?) AS overdue,"
            " (SELECT COUNT(*) FROM action_partners ap WHERE ap.partner_id = p.id"
            "  AND ap.status = 'done' AND ap.updated_at >= ?) AS done_recent,"
            " (SELECT COUNT(*) FROM action_partners ap WHERE ap.partner_id = p.id"
            "  AND ap.status = 'done') AS done_total,"
            " (SELECT MAX(ap.updated_at) FROM action_partners ap WHERE ap.partner_id = p.id)"
            "  AS last_activity"
            " FROM partners p WHERE p.project_id = ? ORDER BY p.name COLLATE NOCASE",
            (today.isoformat(), since.isoformat(), project_id),
        )

    async def result_totals(self, project_id: int) -> list[Row]:
        """Summed quantities per partner and unit."""
        return await self.db.fetchall(
            "SELECT COALESCE(p.name, '') AS partner, t.unit, t.total, t.results FROM ("
            " SELECT partner_id, unit, SUM(quantity) AS total, COUNT(*) AS results"
            " FROM action_results WHERE project_id=? AND quantity IS NOT NULL"
            " GROUP BY partner_id, unit) t LEFT JOIN partners p ON p.id = t.partner_id"
            " ORDER BY p.name COLLATE NOCASE, t.total DESC",
            (project_id,),
        )

    async def count(self, project_id: int) -> int:
        return int(await self.db.fetchval(
            "SELECT COUNT(*) FROM actions WHERE project_id=?", (project_id,)))

    async def count_open_overdue(self, project_id: int, today: date) -> int:
        return int(await self.db.fetchval(
            "SELECT COUNT(DISTINCT a.id) FROM actions a JOIN action_partners ap"
            " ON ap.action_id = a.id WHERE a.project_id=? AND ap.status='open'"
            " AND a.period_end < ?", (project_id, today.isoformat())))

    # -- reminders -----------------------------------------------------------------------

    async def due_reminders(self, week_start: date, week_end: date) -> list[Row]:
        """Open partner statuses whose period ends this week, per member to remind, not
        yet reminded for this period end, members who did not pause reminders."""
        return await self.db.fetchall(
            "SELECT a.id AS action_id, a.project_id, a.number, a.period_end, ap.partner_id,"
            " m.user_id FROM actions a JOIN action_partners ap ON ap.action_id = a.id"
            " JOIN members m ON m.partner_id = ap.partner_id AND m.project_id = a.project_id"
            " JOIN users u ON u.id = m.user_id"
            " WHERE ap.status='open' AND a.period_end BETWEEN ? AND ?"
            " AND u.reminders_paused = 0 AND m.role != 'meelezer'"
            " AND NOT EXISTS (SELECT 1 FROM reminders_sent r WHERE r.action_id = a.id"
            " AND r.partner_id = ap.partner_id AND r.user_id = m.user_id"
            " AND r.period_end = a.period_end)"
            " ORDER BY m.user_id, a.period_end, a.number",
            (week_start.isoformat(), week_end.isoformat()),
        )

    async def mark_reminded(self, action_id: int, partner_id: int, user_id: int,
                            period_end: date, now: datetime) -> bool:
        """Claim a reminder; False if it was already claimed (so it is sent once)."""
        changed = await self.db.execute(
            "INSERT OR IGNORE INTO reminders_sent(action_id, partner_id, user_id, period_end,"
            " sent_at) VALUES (?, ?, ?, ?, ?)",
            (action_id, partner_id, user_id, period_end.isoformat(), utc_iso(now)),
        )
        return changed > 0

    async def mark_digest(self, project_id: int, user_id: int, year: int, week: int,
                          now: datetime) -> bool:
        changed = await self.db.execute(
            "INSERT OR IGNORE INTO digests_sent(project_id, user_id, iso_year, iso_week,"
            " sent_at) VALUES (?, ?, ?, ?, ?)", (project_id, user_id, year, week, utc_iso(now)))
        return changed > 0
