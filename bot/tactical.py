"""The tactical level: a region of several projects (municipalities) and the bimonthly
summary for its working group — per municipality the burglaries against the goal, the
incidence per 1,000 homes, actions per partner, open escalations, successes and bottlenecks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

from bot.effects import EffectService
from bot.errors import UserError
from bot.goals import GoalService
from bot.i18n import N_, ngettext
from bot.incidents import IncidentService
from bot.labels import word_key
from bot.permissions import ChatKind, Permission
from bot.posts import Payload
from bot.services import ProjectService
from bot.tactical_docs import MunicipalityRow, PartnerLine, RegionSummary
from charts.effect import effect_sentence

PERIOD_DAYS = 61   # "every two months"


class TacticalService(ProjectService):
    async def join(self, user_id: int, project_id: int, chat: ChatKind, name: str) -> int:
        await self.member(user_id, project_id, Permission.MANAGE_MEETINGS, chat)
        name = " ".join(name.split())
        if not name or len(name) > 80 or not word_key(name):
            raise UserError(N_("Give the region's name (1 to 80 characters)."))
        return await self.repos.projects.join_region(project_id, name, self.clock.now())

    @staticmethod
    def outbox_key(region_id: int, user_id: int, period: str) -> str:
        return f"tactical:{region_id}:{user_id}:{period}"

    async def queued(self, region_id: int, user_id: int, period: str) -> bool:
        """Whether this leader's summary of ``period`` is already in the outbox."""
        return await self.repos.outbox.exists(
            self.outbox_key(region_id, user_id, period) + ":0")

    async def queue_summary(self, region_id: int, user_id: int, period: str, project_id: int,
                            posts: list[Payload]) -> bool:
        """Record the leader's summary of ``period`` and queue its messages (a sequence) in
        one transaction; False if it was recorded before."""
        now = self.clock.now()
        async with self.repos.db.transaction():
            if not await self.repos.projects.claim_tactical(region_id, user_id, period, now):
                return False
            await self.repos.outbox.enqueue_sequence(
                self.outbox_key(region_id, user_id, period), user_id, posts, now=now,
                project_id=project_id)
        return True

    async def region(self, user_id: int, project_id: int, chat: ChatKind) -> int:
        await self.member(user_id, project_id, Permission.VIEW_REGION, chat)
        row = await self.repos.projects.region_of(project_id)
        if row is None:
            raise UserError(N_("This project is not part of a region yet. A project leader "
                               "sets it with /region and the region's name, e.g. /region "
                               "Haaglanden."))
        return int(row["id"])

    async def summary(self, region_id: int, language: str) -> RegionSummary:
        """Every project of the region, as of today."""
        today = self.today()
        rows = []
        region_name = ""
        for row in await self.repos.projects.regions():
            if row["id"] == region_id:
                region_name = row["name"]
        for project in await self.repos.projects.region_projects(region_id):
            rows.append(await self._row(project.id, project.name, project.municipality, today,
                                        language))
        return RegionSummary(region=region_name, period_start=today - timedelta(
            days=PERIOD_DAYS), period_end=today, generated_at=self.clock.now(),
            municipalities=tuple(rows))

    async def _row(self, project_id: int, name: str, municipality: str, today: date,
                   language: str) -> MunicipalityRow:
        incidents = IncidentService(self.repos, self.clock, self.tz)
        frame = await incidents.frame(project_id)
        moments = frame["occurred_from"] if len(frame) else None
        end = datetime.combine(today + timedelta(days=1), datetime.min.time(), self.tz)
        last = previous = 0
        if moments is not None:
            last = int(((moments >= end - timedelta(days=365)) & (moments < end)).sum())
            previous = int(((moments >= end - timedelta(days=730))
                            & (moments < end - timedelta(days=365))).sum())
        goals = GoalService(self.repos, self.clock)
        goal = await goals.get(project_id)
        homes = await goals.homes(project_id)
        partners = await self.repos.actions.partner_summary(
            project_id, today, today - timedelta(days=PERIOD_DAYS))
        escalations = await self.repos.meetings.notes(project_id, "escalation", unresolved=True)
        successes = await self._successes(project_id, frame, today, language)
        overdue = sum(int(p["overdue"] or 0) for p in partners)
        bottlenecks = []
        if overdue:
            bottlenecks.append(ngettext("{count} action is overdue.",
                                        "{count} actions are overdue.", overdue).format(
                count=overdue))
        idle = [p["name"] for p in partners if (p["open"] or 0) and not (p["done_recent"] or 0)]
        if idle:
            bottlenecks.append(ngettext(
                "No action done in the last two months by {partners}.",
                "No action done in the last two months by {partners}.",
                len(idle)).format(partners=", ".join(idle)))
        lines = await goals.lines(project_id, frame, today)
        return MunicipalityRow(
            project=name, municipality=municipality, burglaries_12m=last,
            previous_12m=previous, incidence=round(last / homes * 1000, 1) if homes else None,
            goal=" ".join(lines) or None,
            goal_max=goal.max_burglaries if goal.year == today.year else None,
            partners=tuple(PartnerLine(p["name"], int(p["open"] or 0), int(p["overdue"] or 0),
                                       int(p["done_recent"] or 0)) for p in partners),
            escalations=tuple(n.text for n in escalations),
            successes=tuple(successes), bottlenecks=tuple(bottlenecks),
        )

    async def _successes(self, project_id: int, frame: pd.DataFrame, today: date,
                         language: str) -> list[str]:
        """Executed actions whose effect review shows significantly fewer burglaries."""
        effects = EffectService(self.repos, IncidentService(self.repos, self.clock, self.tz))
        return [f"{action.code} {action.what}: {effect_sentence(review, language)}"
                for action, review in await effects.reviews(project_id, today, frame)
                if review.verdict == "fewer"]
