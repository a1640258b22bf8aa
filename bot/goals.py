"""Project goals ("at most 120 burglaries in 2027", "incidence below 8 per 1,000 homes")
and how the project is doing against them, for every steering pack and agenda."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from bot.access import require_member
from bot.clock import Clock
from bot.errors import UserError
from bot.i18n import N_, _, format_number
from bot.permissions import ChatKind, Permission
from storage.models import AreaKind
from storage.repositories import Repositories


@dataclass(frozen=True, slots=True)
class Goal:
    max_burglaries: int | None = None
    year: int | None = None
    max_incidence: float | None = None


def goal_lines(goal: Goal, incidents: pd.DataFrame, homes: int | None, today: date) -> list[str]:
    """One sentence per goal, in the current locale. ``incidents`` needs ``occurred_from``."""
    lines: list[str] = []
    moments = pd.to_datetime(incidents["occurred_from"], utc=True) if len(incidents) else None
    if goal.max_burglaries is not None and goal.year is not None:
        start = pd.Timestamp(date(goal.year, 1, 1), tz="UTC")
        end = pd.Timestamp(min(today, date(goal.year, 12, 31)) + timedelta(days=1), tz="UTC")
        count = 0 if moments is None else int(((moments >= start) & (moments < end)).sum())
        elapsed = (min(today, date(goal.year, 12, 31)) - date(goal.year, 1, 1)).days + 1
        if elapsed <= 0:
            lines.append(_("Goal {year}: at most {max} burglaries (the year has not started)."
                           ).format(year=goal.year, max=format_number(goal.max_burglaries)))
        else:
            days = 366 if goal.year % 4 == 0 else 365
            projected = round(count * days / elapsed)
            on_track = projected <= goal.max_burglaries
            lines.append((_("Goal {year}: at most {max} burglaries — {count} so far, on course "
                            "for about {projected}: on track.") if on_track else
                          _("Goal {year}: at most {max} burglaries — {count} so far, on course "
                            "for about {projected}: above the goal.")).format(
                year=goal.year, max=format_number(goal.max_burglaries),
                count=format_number(count), projected=format_number(projected)))
    if goal.max_incidence is not None:
        if not homes:
            lines.append(_("Goal: incidence below {max} per 1,000 homes — add the number of "
                           "homes per neighbourhood (/area) to track it.").format(
                max=format_number(goal.max_incidence)))
        else:
            since = pd.Timestamp(today - timedelta(days=365), tz="UTC")
            count = 0 if moments is None else int((moments >= since).sum())
            rate = round(count / homes * 1000, 1)
            lines.append((_("Goal: incidence below {max} per 1,000 homes — last 12 months "
                            "{rate}: on track.") if rate < goal.max_incidence else
                          _("Goal: incidence below {max} per 1,000 homes — last 12 months "
                            "{rate}: above the goal.")).format(
                max=format_number(goal.max_incidence), rate=format_number(rate)))
    return lines


class GoalService:
    def __init__(self, repos: Repositories, clock: Clock) -> None:
        self.repos = repos
        self.clock = clock

    async def get(self, project_id: int) -> Goal:
        row = await self.repos.projects.goal(project_id)
        if row is None:
            return Goal()
        return Goal(row["max_burglaries"], row["goal_year"], row["max_incidence"])

    async def set(self, user_id: int, project_id: int, chat: ChatKind,
                  words: list[str]) -> Goal:
        """``max 120 2027`` and/or ``incidentie 8`` / ``incidence 8``, in one command too
        (``max 120 2027 incidentie 8``, also with "|" or "en"/"and" between)."""
        await require_member(self.repos, user_id, project_id, Permission.MANAGE_MEETINGS, chat)
        goal = await self.get(project_id)
        lowered = [w.lower().replace(",", ".") for word in words for w in word.split("|")]
        tokens = [w for w in lowered if w and w not in ("en", "and", "&")]
        seen: set[str] = set()
        try:
            if not tokens:
                raise ValueError
            index = 0
            while index < len(tokens):
                head = tokens[index]
                if head in ("max", "maximaal", "hoogstens") and "max" not in seen:
                    count, year = int(tokens[index + 1]), int(tokens[index + 2])
                    if not (0 <= count <= 100_000 and 2000 <= year <= 2100):
                        raise ValueError
                    goal = Goal(count, year, goal.max_incidence)
                    seen.add("max")
                    index += 3
                elif head in ("incidentie", "incidence") and "rate" not in seen:
                    rate = float(tokens[index + 1])
                    if not 0 < rate < 1000:
                        raise ValueError
                    goal = Goal(goal.max_burglaries, goal.year, rate)
                    seen.add("rate")
                    index += 2
                else:
                    raise ValueError
        except (ValueError, IndexError):
            raise UserError(N_("Write a goal like “max 120 2027” (at most 120 burglaries in "
                               "2027) or “incidence 8” (per 1,000 homes).")) from None
        await self.repos.projects.set_goal(project_id, goal.max_burglaries, goal.year,
                                           goal.max_incidence, user_id, self.clock.now())
        return goal

    async def lines(self, project_id: int, incidents: pd.DataFrame, today: date) -> list[str]:
        goal = await self.get(project_id)
        return goal_lines(goal, incidents, await self.homes(project_id), today)

    async def homes(self, project_id: int) -> int | None:
        total = sum(a.homes or 0 for a in await self.repos.projects.areas(project_id)
                    if a.kind is AreaKind.BUURT)
        return total or None
