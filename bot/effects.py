"""Effect review of executed actions: burglaries in the action's area before and after,
against the same change in the rest of the municipality (see :mod:`charts.effect`)."""

from __future__ import annotations

import asyncio
from datetime import date

import pandas as pd

from bot.errors import UserError
from bot.i18n import N_
from bot.incidents import IncidentService
from charts.effect import EffectReview, effect_review, effect_sentence
from storage.actions import Action
from storage.models import AreaKind
from storage.repositories import Repositories

MIN_AGENDA_DAYS = 7
_COLUMN = {AreaKind.BUURT: "buurt", AreaKind.WIJK: "wijk", AreaKind.STRAAT: "street",
           AreaKind.HOTSPOT: "street"}


class EffectService:
    def __init__(self, repos: Repositories, incidents: IncidentService) -> None:
        self.repos = repos
        self.incidents = incidents

    async def review(self, project_id: int, action: Action, as_of: date,
                     frame: pd.DataFrame | None = None) -> EffectReview:
        if action.area_id is None or action.period_start is None or action.period_end is None:
            raise UserError(N_("{code} needs an area and a period for an effect review."),
                            code=action.code)
        area = await self.repos.projects.area(action.area_id)
        if area is None:
            raise UserError(N_("Unknown area."))
        if frame is None:
            frame = await self.incidents.frame(project_id)
        return await asyncio.to_thread(
            effect_review, frame, area_mask_column=_COLUMN[area.kind], area_values=[area.name],
            period_start=action.period_start, period_end=action.period_end,
            expected_effect=action.expected_effect, as_of=as_of, tz=str(self.incidents.tz))

    async def reviews(self, project_id: int, as_of: date,
                      frame: pd.DataFrame | None = None) -> list[tuple[Action, EffectReview]]:
        """Every executed action with an area and period whose expected-effect moment has
        passed, with its review (the incidents are read once)."""
        if frame is None:
            frame = await self.incidents.frame(project_id)
        result = []
        for action in await self.repos.actions.all(project_id):
            executed = any(p.status == "done" for p in action.partners)
            moment = action.expected_effect or action.period_end
            if not executed or action.area_id is None or action.period_start is None \
                    or moment is None or moment > as_of:
                continue
            result.append((action, await self.review(project_id, action, as_of, frame)))
        return result

    async def sentences(self, project_id: int, as_of: date, language: str,
                        frame: pd.DataFrame | None = None) -> dict[int, str]:
        """The effect sentence per action for the agenda and the minutes: only once at
        least a week after the action has passed (or the whole after window, if shorter).
        A day or two of data says nothing and would only crowd the agenda; ``/effect``
        still shows such an early review on request."""
        return {action.id: effect_sentence(review, language)
                for action, review in await self.reviews(project_id, as_of, frame)
                if review.ready or review.days >= MIN_AGENDA_DAYS}
