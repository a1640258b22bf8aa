"""What every project-scoped service shares: repositories, the clock, the partnership's
time zone, "today" in that zone, the one membership check, and the check that a shared
location lies in (or near) the project."""

from __future__ import annotations

import math
from datetime import date
from zoneinfo import ZoneInfo

from bot.access import require_member
from bot.clock import Clock
from bot.errors import UserError
from bot.i18n import N_, format_number
from bot.permissions import ChatKind, Permission
from storage.models import Member
from storage.repositories import Repositories

# A shared location this far outside the project's incident geography is a mistake (or a
# phone's stale default), not a place in the partnership's area.
FAR_KM = 5.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


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

    async def check_location(self, project_id: int, lat: float, lon: float) -> None:
        """Refuse a location far outside the project (a mistake, or a shared default)."""
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise UserError(N_("That is not a valid location."))
        box = await self.repos.incidents.lat_lon_box(project_id)
        if box is None:
            return
        south, west, north, east = box
        near_lat = min(max(lat, south), north)
        near_lon = min(max(lon, west), east)
        km = haversine_km(lat, lon, near_lat, near_lon)
        if km > FAR_KM:
            raise UserError(N_("This location lies {km} km outside the project area. Share a "
                               "location in the area, or type the street."),
                            km=lambda: format_number(round(km, 1)))
