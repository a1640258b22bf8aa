"""Which reminders are due: the last-week reminder per action and partner member, and
the weekly overdue digest for project leaders.

Exactly-once delivery: a reminder is *claimed* in the database (a unique row) before it is
sent; the sender releases the claim when sending fails for a transient reason, so it is
retried on the next run. A restart therefore neither repeats nor forgets a reminder; the
daily run and the catch-up run at start-up may overlap safely.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.clock import Clock
from bot.periods import week_of
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

    async def claim_due(self) -> list[Reminder]:
        """Reminders for actions whose period ends this week, claimed for sending."""
        week = week_of(self.today())
        rows = await self.repos.actions.due_reminders(week.start, week.end)
        now = self.clock.now()
        claimed: list[Reminder] = []
        actions: dict[int, Action | None] = {}
        for row in rows:
            if not await self.repos.actions.mark_reminded(
                row["action_id"], row["partner_id"], row["user_id"],
                date.fromisoformat(row["period_end"]), now,
            ):
                continue  # another run claimed it first
            if row["action_id"] not in actions:
                actions[row["action_id"]] = await self.repos.actions.get(row["action_id"])
            action = actions[row["action_id"]]
            if action is None:
                continue
            user = await self.repos.users.get(row["user_id"])
            claimed.append(Reminder(row["user_id"], user.preferred_language("") or None
                                    if user else None, action, row["partner_id"]))
        return claimed

    async def release(self, reminder: Reminder) -> None:
        """Sending failed for a transient reason: let a later run try again."""
        assert reminder.action.period_end is not None
        await self.repos.actions.unmark_reminded(reminder.action.id, reminder.partner_id,
                                                 reminder.user_id, reminder.action.period_end)

    async def claim_digests(self) -> list[Digest]:
        """This week's overdue summary for every project leader, once per ISO week."""
        today = self.today()
        iso = today.isocalendar()
        now = self.clock.now()
        digests: list[Digest] = []
        for project in await self.repos.projects.list_all():
            open_actions = await self.repos.actions.open_actions(project.id)
            overdue = tuple(a for a in open_actions
                            if a.period_end is not None and a.period_end < today)
            if not overdue:
                continue
            for leader in await self.repos.members.with_role(project.id, Role.PROJECTLEIDER):
                user = await self.repos.users.get(leader.user_id)
                if user is None or not await self.repos.actions.mark_digest(
                        project.id, leader.user_id, iso.year, iso.week, now):
                    continue
                digests.append(Digest(leader.user_id, user.preferred_language("") or None,
                                      project.id, project.name, overdue, iso.year, iso.week))
        return digests

    async def release_digest(self, digest: Digest) -> None:
        await self.repos.actions.unmark_digest(digest.project_id, digest.user_id, digest.year,
                                               digest.week)


def by_partner(actions: tuple[Action, ...]) -> dict[str, list[Action]]:
    grouped: dict[str, list[Action]] = defaultdict(list)
    for action in actions:
        for partner in action.partners:
            if partner.status == "open":
                grouped[partner.name].append(action)
    return dict(sorted(grouped.items()))
