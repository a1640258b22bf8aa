"""On the demo data: the effect notes on the agenda (bot.effects.EffectService.sentences)
appear once a week after an action has passed, not after a day or two; an area's steering
pack has the incidence of its own homes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from bot.clock import FixedClock
from bot.demo import store_demo
from bot.demo_data import generate_demo
from bot.effects import MIN_AGENDA_DAYS, EffectService
from bot.incidents import IncidentService
from storage.db import Database
from storage.models import AreaKind, Project
from storage.repositories import Repositories

AS_OF = date(2026, 11, 23)


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[tuple[Repositories, Project, IncidentService]]:
    """The demo project in a database of its own, with its incident service."""
    db = await Database(tmp_path / "demo.sqlite").connect()
    try:
        now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        await store_demo(db, generate_demo(AS_OF), now=now)
        repos = Repositories(db)
        [project] = await repos.projects.list_all()
        yield repos, project, IncidentService(repos, FixedClock(now),
                                              ZoneInfo("Europe/Amsterdam"))
    finally:
        await db.close()


async def test_agenda_effect_notes_wait_a_week(demo) -> None:
    repos, project, incidents = demo
    effects = EffectService(repos, incidents)
    reviews = {a.code: r for a, r in await effects.reviews(project.id, AS_OF)}
    early = {code for code, r in reviews.items() if not r.ready and r.days < MIN_AGENDA_DAYS}
    later = {code for code, r in reviews.items() if r.ready or r.days >= MIN_AGENDA_DAYS}
    # The demo has both: an action that ended days ago, and older ones.
    assert early and later, reviews
    by_id = {a.id: a.code for a, _r in await effects.reviews(project.id, AS_OF)}
    shown = {by_id[i] for i in await effects.sentences(project.id, AS_OF, "nl")}
    assert shown == later
    # A week on, the early ones have their note too.
    week_on = AS_OF + timedelta(days=MIN_AGENDA_DAYS)
    assert early <= {by_id[i] for i in await effects.sentences(project.id, week_on, "nl")}


async def test_an_area_pack_has_the_incidence_of_its_own_homes(demo) -> None:
    """/sturing Oude Haven: burglaries of the last year in that buurt per 1,000 of *its*
    homes (not of the whole project's); a wijk's pack counts its buurten's homes; a street
    pack has no incidence at all."""
    repos, project, service = demo
    areas = await repos.projects.areas(project.id)
    buurt = next(a for a in areas if a.kind is AreaKind.BUURT and a.homes)
    frame = await service.frame(project.id, buurt.name)
    start = pd.Timestamp(AS_OF - timedelta(days=364), tz="Europe/Amsterdam")
    moments = pd.to_datetime(frame["occurred_from"]).dt.tz_convert("Europe/Amsterdam")
    year = int(((moments >= start)
                & (moments < pd.Timestamp(AS_OF + timedelta(days=1),
                                          tz="Europe/Amsterdam"))).sum())
    assert year > 0
    pack = await service.steering(project.id, AS_OF, language="nl", area=buurt.name,
                                  render=False)
    assert pack.trend.homes == buurt.homes
    assert pack.trend.per_1000_homes is not None
    assert abs(pack.trend.per_1000_homes - year / buurt.homes * 1000) < 1.0
    whole = await service.steering(project.id, AS_OF, language="nl", render=False)
    assert whole.trend.homes == sum(a.homes or 0 for a in areas if a.kind is AreaKind.BUURT)
    wijk = next((a for a in areas if a.kind is AreaKind.WIJK), None)
    if wijk is not None:
        pack = await service.steering(project.id, AS_OF, language="nl", area=wijk.name,
                                      render=False)
        assert pack.trend.homes is not None
        assert pack.trend.homes < whole.trend.homes
    street = frame["street"].dropna().iloc[0]
    pack = await service.steering(project.id, AS_OF, language="nl", area=street,
                                  render=False)
    assert pack.trend.homes is None and pack.trend.per_1000_homes is None
