"""What every project-scoped service shares: repositories, the clock, the partnership's
time zone, "today" in that zone, and the one membership check."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from bot.access import require_member
from bot.clock import Clock
from bot.permissions import ChatKind, Permission
from storage.models import Member
from storage.repositories import Repositories


class ProjectService:
    def __init__(self, repos: Repositories, clock: Clock, tz: ZoneInfo) -> None:
        self.repos = repos
        self.clock = clock
        self.tz = tz

    def today(self) -> date:
        """The local date in the partnership's time zone."""
        return self.clock.now().astimezone(self.tz).date()

    async def member(self, user_id: int, project_id: int, permission: Permission,
                     chat: ChatKind) -> Member:
        return await require_member(self.repos, user_id, project_id, permission, chat)
