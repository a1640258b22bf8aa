"""The effect notes on the agenda (bot.effects.EffectService.sentences) on the demo data:
an action's effect appears once a week after it has passed, not after a day or two."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from bot.demo import store_demo
from bot.demo_data import generate_demo
from bot.effects import MIN_AGENDA_DAYS, EffectService
from bot.incidents import IncidentService
from storage.db import Database
from storage.repositories import Repositories

AS_OF = date(2026, 11, 23)


async def test_agenda_effect_notes_wait_a_week(tmp_path: Path) -> None:
    db = await Database(tmp_path / "demo.sqlite").connect()
    try:
        now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        await store_demo(db, generate_demo(AS_OF), now=now)
        repos = Repositories(db)
        [project] = await repos.projects.list_all()
        incidents = IncidentService(repos, FixedClock(now), ZoneInfo("Europe/Amsterdam"))
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
    finally:
        await db.close()
