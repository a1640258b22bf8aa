"""What every project-scoped service shares: repositories, the clock, the partnership's
time zone, "today" in that zone, the one membership check, the check that a shared
location lies in (or near) the project, and where in the project's areas a place lies."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.access import require_member
from bot.clock import Clock
from bot.errors import UserError
from bot.i18n import N_, format_number
from bot.incident_import import haversine_km
from bot.permissions import ChatKind, Permission
from charts.zones import near_polygon
from storage.models import Area, AreaKind, Member
from storage.repositories import Repositories

# A shared location this far outside the project's incident geography is a mistake (or a
# phone's stale default), not a place in the partnership's area.
FAR_KM = 5.0
# How alike (difflib's ratio) a typed name and a known one must be to be offered as “did
# you mean”: catches a dropped, doubled or swapped letter in names of 8+ letters.
SIMILAR = 0.8


def close_names(name: str, names: Iterable[str]) -> list[str]:
    """The names that look like ``name`` (a typo), best first, at most three; empty when
    ``name`` is one of them (case and spacing aside) or nothing looks like it."""
    folded = {n.casefold(): n for n in names}
    key = " ".join(name.split()).casefold()
    if not key or key in folded:
        return []
    return [folded[m] for m in difflib.get_close_matches(key, list(folded), n=3,
                                                         cutoff=SIMILAR)]


def unknown_area(name: str, areas: Sequence[Area]) -> UserError:
    """The error for an area name the project does not have, naming the areas it looks like
    (“Molenkwartir” → Molenkwartier), so that a typo costs one look, not a search."""
    similar = close_names(name, (a.name for a in areas))
    if similar:
        return UserError(N_("Unknown area “{name}”. Did you mean: {matches}?"), name=name,
                         matches=", ".join(similar))
    return UserError(N_("Unknown area “{name}”. /project lists the areas."), name=name)


@dataclass(frozen=True, slots=True)
class Place:
    """Where a street or location lies among the project's areas."""

    located: Area | None    # the outline the location lies in (a buurt before a wijk)
    street: Area | None     # the street's own area
    known: Area | None      # else: the buurt the street's earlier burglaries were in
    buurt: Area | None      # the neighbourhood, from the areas above and their parents
    wijk: Area | None


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
        km = float(haversine_km(lat, lon, near_lat, near_lon))
        if km > FAR_KM:
            raise UserError(N_("This location lies {km} km outside the project area. Share a "
                               "location in the area, or type the street."),
                            km=lambda: format_number(round(km, 1)))

    async def known_streets(self, project_id: int) -> set[str]:
        """The project's street names: its street areas and the streets of its burglaries."""
        names = {a.name for a in await self.repos.projects.areas(project_id)
                 if a.kind is AreaKind.STRAAT}
        return names | set(await self.repos.incidents.streets(project_id))

    async def similar_streets(self, project_id: int, street: str) -> list[str]:
        """Known streets that look like ``street`` when it is not one itself (a typo:
        “Molenaarlaan” for Molenaarslaan), best first."""
        return close_names(street, await self.known_streets(project_id))

    async def place(self, project_id: int, street: str | None,
                    xy: tuple[float, float] | None, *,
                    areas: list[Area] | None = None) -> Place:
        """The areas a street and/or a location (RD New metres) lie in; callers choose
        which one counts as *the* area, but buurt and wijk are the same for all.
        ``areas``: the project's areas, when the caller has them already."""
        if areas is None:
            areas = await self.repos.projects.areas(project_id)
        by_id = {a.id: a for a in areas}
        located = street_area = known = None
        if xy is not None:
            by_name = {a.name: a for a in areas}
            outlines = await self.repos.projects.outlines(project_id)
            inside = [by_name[name] for name, polygon in outlines.items()
                      if name in by_name and near_polygon(xy[0], xy[1], polygon, 0.0)]
            located = min(inside, key=lambda a: a.kind is not AreaKind.BUURT, default=None)
        if street:
            folded = street.casefold()
            street_area = next((a for a in areas if a.kind is AreaKind.STRAAT
                                and a.name.casefold() == folded), None)
            if street_area is None and located is None:  # only then is it needed
                name = await self.repos.incidents.buurt_of_street(project_id, street)
                known = next((a for a in areas if name and a.kind is AreaKind.BUURT
                              and a.name.casefold() == name.casefold()), None)

        def up(area: Area | None, kind: AreaKind) -> Area | None:
            seen: set[int] = set()
            while area is not None and area.id not in seen:
                if area.kind is kind:
                    return area
                seen.add(area.id)
                area = by_id.get(area.parent_id) if area.parent_id is not None else None
            return None

        chain = (street_area, located, known)
        return Place(located=located, street=street_area, known=known,
                     buurt=next((b for a in chain if (b := up(a, AreaKind.BUURT))), None),
                     wijk=next((w for a in chain if (w := up(a, AreaKind.WIJK))), None))
