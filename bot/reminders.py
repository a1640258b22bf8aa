"""Which reminders are due: the last-week reminder per action and partner member, and
the weekly overdue digest for project leaders.

Exactly-once delivery: a reminder is recorded (a unique row) in the same transaction that
puts its message into the outbox (:mod:`bot.outbox`), which delivers it, retries transient
failures and survives restarts. A second run, or the catch-up run at start-up, finds it
recorded and adds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.clock import Clock
from bot.periods import week_of
from bot.posts import Payload
from storage.actions import Action
from storage.models import Role
from storage.repositories import Repositories


@dataclass(frozen=True, slots=True)
class Reminder:
    user_id: int
    language: str | None
    action: Action
    partner_id: int


@dataclass(frozen=True, slots=True)
class Digest:
    user_id: int
    language: str | None
    project_id: int
    project_name: str
    overdue: tuple[Action, ...]
    year: int
    week: int


class ReminderService:
    def __init__(self, repos: Repositories, clock: Clock, today: Callable[[], date]) -> None:
        self.repos = repos
        self.clock = clock
        self.today = today  # the local date in the partnership's time zone

    async def due(self) -> list[Reminder]:
        """Reminders for actions whose period ends this week, not yet queued."""
        week = week_of(self.today())
        rows = await self.repos.actions.due_reminders(week.start, week.end)
        due: list[Reminder] = []
        actions: dict[int, Action | None] = {}
        for row in rows:
            if row["action_id"] not in actions:
                actions[row["action_id"]] = await self.repos.actions.get(row["action_id"])
            action = actions[row["action_id"]]
            if action is None:
                continue
            user = await self.repos.users.get(row["user_id"])
            due.append(Reminder(row["user_id"], user.preferred_language("") or None
                                if user else None, action, row["partner_id"]))
        return due

    async def queue(self, reminder: Reminder, payload: Payload) -> bool:
        """Record the reminder and put its message in the outbox, together; False if another
        run got there first."""
        action = reminder.action
        assert action.period_end is not None
        async with self.repos.db.transaction():
            if not await self.repos.actions.mark_reminded(
                    action.id, reminder.partner_id, reminder.user_id, action.period_end,
                    self.clock.now()):
                return False
            await self.repos.outbox.enqueue(
                f"reminder:{action.id}:{reminder.partner_id}:{reminder.user_id}:"
                f"{action.period_end.isoformat()}", reminder.user_id, payload,
                now=self.clock.now(), project_id=action.project_id)
        return True

    async def digests(self) -> list[Digest]:
        """This week's overdue summary for every project leader who has not had it."""
        today = self.today()
        iso = today.isocalendar()
        digests: list[Digest] = []
        for project in await self.repos.projects.list_all():
            open_actions = await self.repos.actions.open_actions(project.id)
            overdue = tuple(a for a in open_actions
                            if a.period_end is not None and a.period_end < today)
            if not overdue:
                continue
            for leader in await self.repos.members.with_role(project.id, Role.PROJECTLEIDER):
                user = await self.repos.users.get(leader.user_id)
                if user is None:
                    continue
                digests.append(Digest(leader.user_id, user.preferred_language("") or None,
                                      project.id, project.name, overdue, iso.year, iso.week))
        return digests

    async def queue_digest(self, digest: Digest, payloads: list[Payload]) -> bool:
        """Once per ISO week: record the digest and queue its messages, together."""
        async with self.repos.db.transaction():
            if not await self.repos.actions.mark_digest(
                    digest.project_id, digest.user_id, digest.year, digest.week,
                    self.clock.now()):
                return False
            await self.repos.outbox.enqueue_sequence(
                f"digest:{digest.project_id}:{digest.user_id}:{digest.year}-W{digest.week:02d}",
                digest.user_id, payloads, now=self.clock.now(), project_id=digest.project_id)
        return True


def by_partner(actions: tuple[Action, ...]) -> dict[str, list[Action]]:
    grouped: dict[str, list[Action]] = defaultdict(list)
    for action in actions:
        for partner in action.partners:
            if partner.status == "open":
                grouped[partner.name].append(action)
    return dict(sorted(grouped.items()))
