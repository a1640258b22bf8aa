"""Project goals: tracked against the incidents, in words, and set by the project leader."""

from __future__ import annotations

from datetime import date

import pandas as pd

from bot.goals import Goal, goal_lines
from bot.i18n import use_locale
from tests.conftest import invitation_payload


def frame(days: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"occurred_from": pd.to_datetime(days, utc=True)})


def test_goal_lines_project_the_year_and_the_incidence() -> None:
    incidents = frame(["2027-01-10", "2027-02-01", "2027-03-01", "2026-12-31", "2026-06-01"])
    with use_locale("en"):
        [count_line] = goal_lines(Goal(10, 2027), incidents, None, date(2027, 3, 31))
        # 3 in the first 90 days of 2027 → about 12 over the year: above a goal of 10.
        assert "3 so far" in count_line and "about 12" in count_line
        assert "above the goal" in count_line
        [on_track] = goal_lines(Goal(20, 2027), incidents, None, date(2027, 3, 31))
        assert "on track" in on_track
        [rate] = goal_lines(Goal(max_incidence=8), incidents, 1000, date(2027, 3, 31))
        assert "last 12 months 5" in rate and "on track" in rate  # 5 per 1,000 homes
        [missing] = goal_lines(Goal(max_incidence=8), incidents, None, date(2027, 3, 31))
        assert "number of homes" in missing
    with use_locale("nl"):
        [dutch] = goal_lines(Goal(10, 2027), incidents, None, date(2027, 3, 31))
        assert "Goal" not in dutch


async def test_goal_set_by_the_project_leader_only(app, people, botapi) -> None:
    leader = people(100, "Anna", "en")
    partner = people(200, "Kees", "en")
    await leader.say("/newproject Veilig Wonen Oost | Havendam")
    bad = await leader.say("/goal 120")
    assert "max 120 2027" in bad["text"]
    shown = await leader.say("/goal max 120 2027")
    assert "at most 120 burglaries" in shown["text"]
    invite = await leader.say("/invite Gemeente Havendam | partner")
    await partner.say(f"/start {invitation_payload(invite['text'])}")
    refused = await partner.say("/goal max 10 2027")
    assert "120" not in refused["text"] and "10 burglaries" not in refused["text"]
    [project] = await app.bot_data.repos.projects.list_all()
    row = await app.bot_data.repos.projects.goal(project.id)
    assert row is not None and row["max_burglaries"] == 120
    # Both at once, as the README says ("and/or"); a part given twice is refused.
    await botapi.next_message(leader.id)  # "Kees joined"
    both = await leader.say("/goal max 100 2027 | incidence 6,5")
    assert "at most 100 burglaries" in both["text"] and "6.5" in both["text"]
    row = await app.bot_data.repos.projects.goal(project.id)
    assert row is not None and (row["max_burglaries"], row["max_incidence"]) == (100, 6.5)
    twice = await leader.say("/goal incidence 5 incidence 4")
    assert "max 120 2027" in twice["text"]
    row = await app.bot_data.repos.projects.goal(project.id)
    assert row is not None and row["max_incidence"] == 6.5
