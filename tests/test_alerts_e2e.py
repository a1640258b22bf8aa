"""End to end: an imported burglary becomes a hotspot and exactly one alert in the right
buurtpreventie group; approval mode; updates, follow-ups, the per-area limit; a group that
is gone; /hotspots; and nothing for buurtpreventie members to query."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.clock import FixedClock
from handlers.alerts import JOB
from storage.models import ChatPurpose
from tests.conftest import START, button, fragment
from tests.test_incidents_e2e import project_with_analyst

LANGS = ["nl", "en"]
HEADER = ("Registratienummer;Pleegdatum van;Pleegtijd van;Pleegdatum tot;Pleegtijd tot;"
          "Pleeglocatie straat;Huisnummer;Postcode;Buurtnaam;CBS buurtcode;Wijknaam;"
          "Pleeggemeente;Poging j/n;Wijze van binnenkomst;X-coördinaat;Y-coördinaat")
# Oostbroek and Westhaven lie about 2 km apart (RD New metres).
EAST = (81_000.0, 455_000.0)
WEST = (79_000.0, 455_000.0)


def export(rows: list[tuple]) -> bytes:
    """A police export: (nr, date, time, street, number, buurt, code, attempt, mo, x, y)."""
    lines = [HEADER]
    for nr, day, at, until, street, number, buurt, code, attempt, mo, x, y in rows:
        lines.append(f"{nr};{day};{at};{day};{until};{street};{number};2591AB;{buurt};{code};"
                     f"Oost;Den Haag;{attempt};{mo};{x:.0f};{y:.0f}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def burglary(nr: str, *, where=EAST, street="Dorpsstraat", number="47", buurt="Oostbroek",
             code="BU99990101", day="22-11-2026", at="21:30", mo="Braak achterdeur",
             attempt="n", until: str | None = None) -> tuple:
    return (nr, day, at, until or at, street, number, buurt, code, attempt, mo,
            where[0], where[1])


async def watch_setup(app, people, botapi, lang: str):
    """A project with two neighbourhoods, each with its own buurtpreventie group."""
    leader, analyst, partner = await project_with_analyst(people, botapi, lang)
    await leader.say("/gebied buurt Westhaven | BU99990102 | 900")
    repos = app.bot_data.repos
    [project] = await repos.projects.list_all()
    areas = {a.name: a for a in await repos.projects.areas(project.id)}
    east = botapi.group(-7001, "Buurtpreventie Oostbroek")
    west = botapi.group(-7002, "Buurtpreventie Westhaven")
    for chat, area in ((east, "Oostbroek"), (west, "Westhaven")):
        await repos.chats.link(chat["id"], project.id, ChatPurpose.NEIGHBOURHOOD_WATCH,
                               chat["title"], (areas[area].id,), leader.id, START,
                               language=lang)
    return leader, analyst, project, east, west


async def upload(botapi, analyst, name: str, data: bytes) -> None:
    since = botapi.mark()
    botapi.send_document(analyst.user, name, data, "text/csv")
    await botapi.wait_for("editMessageText", lambda c: name in c.params.get("text", "")
                          and "…" not in c.params.get("text", ""), since=since, timeout=30)


async def run_daily_detection(app) -> None:
    """Run the scheduled daily job now (the clock was moved, the job queue was not)."""
    [job] = app.job_queue.get_jobs_by_name(JOB)
    await job.run(app)


def body(message: dict) -> str:
    return message.get("text") or message.get("caption") or ""


@pytest.mark.parametrize("lang", LANGS)
async def test_imported_burglary_alerts_exactly_the_right_group(app, people, botapi,
                                                                lang) -> None:
    leader, analyst, project, east, west = await watch_setup(app, people, botapi, lang)
    await upload(botapi, analyst, "week47.csv", export([burglary("PL0001")]))
    alert = await botapi.next_message(east["id"], timeout=10)
    text = body(alert)
    assert "Dorpsstraat" in text and "Oostbroek" in text
    assert fragment(lang, "Burglary alert: {place}") in text
    assert fragment(lang, "See something happening? Follow SAAR") in text
    assert not re.search(r"\b47\b", text)  # no house number
    assert "21:30" not in text
    assert "photo" in alert  # the small map
    await botapi.settle()
    assert botapi.drain(west["id"]) == []
    assert botapi.drain(east["id"]) == []
    # The same export again: nothing new, no second alert.
    await upload(botapi, analyst, "week47.csv", export([burglary("PL0001")]))
    await botapi.settle()
    assert botapi.drain(east["id"]) == [] and botapi.drain(west["id"]) == []
    # A second burglary 100 m away: the zone grows, the alert is updated in place.
    since = botapi.mark()
    near = (EAST[0] + 100, EAST[1])
    await upload(botapi, analyst, "week47b.csv",
                 export([burglary("PL0002", where=near, street="Kerkstraat", number="3")]))
    edit = await botapi.wait_for("editMessageCaption", since=since, timeout=10)
    assert edit.params["chat_id"] == east["id"]
    assert edit.params["message_id"] == alert["message_id"]
    assert "Kerkstraat" in edit.params["caption"]
    assert fragment(lang, "Updated {date}") in edit.params["caption"]
    await botapi.settle()
    assert botapi.drain(east["id"]) == [] and botapi.drain(west["id"]) == []
    hotspots = await app.bot_data.repos.alerts.hotspots(project.id)
    assert [h.n_incidents for h in hotspots] == [2]


async def test_approval_mode_holds_the_alert_until_the_project_leader_approves(
        app, people, botapi) -> None:
    leader, analyst, project, east, west = await watch_setup(app, people, botapi, "en")
    card = await leader.say("/alerts")
    assert "automatic" in card["text"]
    # A number out of range is named with the range (a sign is no reason to call it "not a
    # whole number"); a word is not a number; nothing changes.
    assert "-5 is outside the range 50–2000." in (await leader.say("/alerts radius -5"))["text"]
    assert "“far” is not a whole number." in (await leader.say("/alerts radius far"))["text"]
    assert (await app.bot_data.repos.alerts.settings(project.id)).radius_m == 200
    switched = await leader.press_and_read(card, button(botapi, card, suffix=":mode"))
    assert "approval first" in switched["text"]
    await upload(botapi, analyst, "week47.csv", export([burglary("PL0001")]))
    request = await botapi.next_message(leader.id, timeout=10)
    assert "An alert is waiting for your approval" in request["text"]
    assert "Buurtpreventie Oostbroek" in request["text"]
    await botapi.settle()
    assert botapi.drain(east["id"]) == []  # held back
    decided = await leader.press_and_read(request, button(botapi, request,
                                                          label="Send the alert"))
    assert "Approved: the alert is being sent." in decided["text"]
    assert not decided["reply_markup"]  # decided once, the buttons are gone
    alert = await botapi.next_message(east["id"], timeout=10)
    assert "Dorpsstraat" in body(alert)
    await botapi.settle()
    assert botapi.drain(west["id"]) == [] and botapi.drain(east["id"]) == []


async def test_rejected_alert_is_never_sent(app, people, botapi) -> None:
    leader, analyst, project, east, west = await watch_setup(app, people, botapi, "en")
    await leader.say("/alerts approval")
    await upload(botapi, analyst, "week47.csv", export([burglary("PL0001")]))
    request = await botapi.next_message(leader.id, timeout=10)
    await leader.press(request, button(botapi, request, label="Do not send"))
    await botapi.settle()
    assert botapi.drain(east["id"]) == []
    views = await leader.say("/hotspots")
    assert "not sent (decided by the project leader)" in views["text"]


async def test_zone_expiry_sends_a_follow_up_and_the_per_area_limit(app, people, botapi,
                                                                    clock: FixedClock) -> None:
    leader, analyst, project, east, west = await watch_setup(app, people, botapi, "en")
    await upload(botapi, analyst, "a.csv", export([burglary("PL0001")]))
    alert = await botapi.next_message(east["id"], timeout=10)
    # Another zone in the same neighbourhood a day later, 600 m away: held back (72 h).
    clock.advance(timedelta(days=1))
    far = (EAST[0] + 600, EAST[1] + 200)
    await upload(botapi, analyst, "b.csv", export([burglary(
        "PL0002", where=far, street="Molenweg", number="8", day="23-11-2026", at="08:00",
        until="10:00")]))
    await botapi.settle()
    assert botapi.drain(east["id"]) == []
    views = await leader.say("/hotspots")
    assert "held back" in views["text"] and "Molenweg" in views["text"]
    # Times as registered, in Europe/Amsterdam and Babel's format; one day is one date.
    assert "Molenweg 8 — 23/11/2026, 08:00–10:00" in views["text"]
    assert "Dorpsstraat 47 — 22/11/2026, 21:30" in views["text"]
    assert "1 burglary, 23 Nov\n" in views["text"] and "UTC" not in views["text"]
    # Fifteen days after the first burglary its zone has ended: a follow-up, as a reply.
    clock.advance(timedelta(days=14))
    await run_daily_detection(app)
    follow_up = await botapi.next_message(east["id"], timeout=10)
    assert "has ended" in follow_up["text"] and "Dorpsstraat" in follow_up["text"]
    assert follow_up["reply_to_message"]["message_id"] == alert["message_id"]


async def test_of_zones_found_together_the_freshest_alerts_first(app, people, botapi) -> None:
    """An export with an older and a newer zone in one neighbourhood: the per-area limit
    lets one alert through now, and it is the one about the latest burglary (its risk
    lasts longest); the other waits for the interval."""
    leader, analyst, project, east, west = await watch_setup(app, people, botapi, "en")
    far = (EAST[0] + 600, EAST[1] + 200)
    await upload(botapi, analyst, "both.csv", export([
        burglary("PL0001", street="Dorpsstraat", day="12-11-2026"),
        burglary("PL0002", street="Dorpsstraat", number="49", day="12-11-2026"),
        burglary("PL0003", where=far, street="Molenweg", number="8", day="22-11-2026")]))
    alert = await botapi.next_message(east["id"], timeout=10)
    assert "Molenweg" in body(alert) and "Dorpsstraat" not in body(alert)
    await botapi.settle()
    assert botapi.drain(east["id"]) == []
    views = await leader.say("/hotspots")
    assert "held back" in views["text"] and "Dorpsstraat" in views["text"]


async def test_group_that_left_is_unlinked_and_nothing_is_lost(app, people, botapi) -> None:
    leader, analyst, project, east, west = await watch_setup(app, people, botapi, "en")
    # The bot was removed from the east group while it was not looking (no update).
    botapi._bot_status[east["id"]] = "kicked"
    await upload(botapi, analyst, "a.csv", export([
        burglary("PL0001"),
        burglary("PL0002", where=WEST, street="Havenkade", number="4", buurt="Westhaven",
                 code="BU99990102")]))
    west_alert = await botapi.next_message(west["id"], timeout=10)
    assert "Havenkade" in body(west_alert)
    repos = app.bot_data.repos
    for _ in range(50):
        if await repos.chats.active(east["id"]) is None:
            break
        await botapi.settle(idle=0.1)
    assert await repos.chats.active(east["id"]) is None
    counts = await repos.outbox.counts()
    assert counts.get("failed") == 1 and counts.get("sent") == 1
    # /hotspots still names the group the alert was meant for, not its chat id.
    views = (await leader.say("/hotspots"))["text"]
    assert "Buurtpreventie Oostbroek (no longer linked)" in views
    assert str(east["id"]) not in views


async def test_buurtpreventie_members_can_query_nothing(app, people, botapi) -> None:
    leader, analyst, project, east, west = await watch_setup(app, people, botapi, "en")
    await upload(botapi, analyst, "a.csv", export([burglary("PL0001")]))
    await botapi.next_message(east["id"], timeout=10)
    resident = people(900, "Bewoner", "en")
    for command in ("/hotspots", "/logs", "/incidents", "/open", "/steering", "/agenda",
                    "/log quiet street"):
        answer = await resident.say(command, east)
        assert "Dorpsstraat" not in answer["text"] and "PL0001" not in answer["text"]
    # Not even a project leader gets data in a buurtpreventie group.
    answer = await leader.say("/hotspots", east)
    assert "Dorpsstraat" not in answer["text"]
    # /help there does not tell the residents who the police officer or the chair is:
    # everyone gets the residents' answer; the leader's own commands come privately.
    for_residents = (await resident.say("/help", east))["text"]
    assert fragment("en", "In this neighbourhood watch group I only post") in for_residents
    assert "/unlink" not in for_residents
    for member in (leader, analyst):
        assert (await member.say("/help", east))["text"] == for_residents
    private = await botapi.next_message(leader.id, timeout=10)
    assert "/unlink" in private["text"] and "Buurtpreventie Oostbroek" in private["text"]


async def test_a_group_linked_during_a_zone_is_alerted_at_once(app, people, botapi) -> None:
    """A buurtpreventie group linked while a zone of raised risk is active in its area gets
    the alert right away, not at the next day's detection."""
    from tests.conftest import link_code

    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    await upload(botapi, analyst, "a.csv", export([burglary("PL0001")]))
    await botapi.settle()
    code = link_code((await leader.say("/link neighbourhoodwatch Oostbroek"))["text"])
    group = botapi.group(-7101, "Buurtpreventie Oostbroek")
    linked = await leader.say(f"/link@wijkbot_test_bot {code}", group)
    assert "neighbourhood watch group" in linked["text"]
    alert = await botapi.next_message(group["id"], timeout=10)
    assert "Dorpsstraat" in body(alert) and "47" not in body(alert)


def test_counts_say_burglaries_and_attempts_as_they_are() -> None:
    """“3 burglaries and attempts” for three burglaries was vague: the counts say which."""
    from bot.alert_text import incident_count
    from bot.i18n import use_locale

    with use_locale("en"):
        assert incident_count(3, 0) == "3 burglaries"
        assert incident_count(1, 1) == "1 attempted burglary"
        assert incident_count(3, 1) == "3 burglaries, of which 1 attempt"
    with use_locale("nl"):
        assert incident_count(1, 0) == "1 inbraak"
        assert incident_count(2, 2) == "2 pogingen tot inbraak"
        assert incident_count(4, 2) == "4 inbraken, waarvan 2 pogingen"


async def test_the_export_of_a_registered_burglary_alerts_nobody_again(app, people,
                                                                       botapi) -> None:
    """A burglary registered from the street alerts its group at once; when the police
    export brings the same burglary two days later, its row takes the registration's place
    and the zone carries on as it was: no second alert, no update for a 'second' burglary."""
    leader, analyst, project, east, west = await watch_setup(app, people, botapi, "en")
    await leader.say("/area street Dorpsstraat | Oostbroek")
    await analyst.say("/burglary Dorpsstraat 47 | 22-11 21:30")
    alert = await botapi.next_message(east["id"], timeout=10)
    assert "Dorpsstraat" in body(alert)
    await botapi.settle()
    assert botapi.drain(east["id"]) == [] and botapi.drain(west["id"]) == []
    [zone] = await app.bot_data.repos.alerts.hotspots(project.id)

    since = botapi.mark()
    await upload(botapi, analyst, "week47.csv", export([burglary("PL0001")]))
    await botapi.settle()
    assert await app.bot_data.repos.incidents.count(project.id) == 1
    assert botapi.drain(east["id"]) == [] and botapi.drain(west["id"]) == []
    assert not [c for c in botapi.calls[since:] if c.method.startswith("editMessage")
                and c.params.get("chat_id") == east["id"]]
    [after] = await app.bot_data.repos.alerts.hotspots(project.id)
    assert (after.key, after.n_incidents, after.incident_ids) == (zone.key, 1,
                                                                  zone.incident_ids)


async def test_unlinking_a_group_cancels_what_still_waits_for_it(app, people, botapi,
                                                                 clock: FixedClock) -> None:
    """An alert held up by Telegram's flood control when the group is unlinked is not
    delivered after all: the link's end cancels the group's waiting messages."""
    import asyncio

    leader, analyst, _project, east, _west = await watch_setup(app, people, botapi, "en")
    # Two 429s: the rate limiter's one retry meets the second, so the alert goes back to
    # the outbox to wait there (a request already on its way cannot be called back).
    botapi.fail_next("sendPhoto", 429, "Too Many Requests: retry after 1", retry_after=1,
                     chat_id=east["id"], times=2)
    since = botapi.mark()
    await upload(botapi, analyst, "week47.csv", export([burglary("PL0001")]))
    for _attempt in range(2):
        call = await botapi.wait_for("sendPhoto", lambda c: c.params.get("chat_id") == east["id"],
                                     since=since, timeout=10)
        since = botapi.calls.index(call) + 1
    for _wait in range(50):
        status = await app.bot_data.db.fetchval(
            "SELECT status FROM outbox WHERE chat_id=? ORDER BY id LIMIT 1", (east["id"],))
        if status == "pending":
            break
        await asyncio.sleep(0.02)
    assert status == "pending"
    unlinked = await leader.say("/unlink", east)
    assert fragment("en", "This group is no longer linked") in unlinked["text"]
    waiting = await app.bot_data.db.fetchall(
        "SELECT status FROM outbox WHERE chat_id=? AND status IN ('pending', 'sending')",
        (east["id"],))
    assert [r["status"] for r in waiting] == []
    since = botapi.mark()
    clock.advance(timedelta(seconds=10))
    await asyncio.sleep(3)
    await botapi.settle()
    assert not [c for c in botapi.calls[since:] if c.ok and c.params.get("chat_id") == east["id"]
                and c.method in ("sendPhoto", "sendMessage")]


async def test_replies_to_an_alert_in_a_watch_group_get_no_answer(app, people,
                                                                  botapi) -> None:
    """Residents talk about an alert by replying to it; that is not a question to the bot
    (nor is another bot's reply), so the bot stays quiet."""
    leader, analyst, project, east, west = await watch_setup(app, people, botapi, "nl")
    await upload(botapi, analyst, "a.csv", export([burglary("PL0001")]))
    alert = await botapi.next_message(east["id"], timeout=10)
    resident = botapi.user(7100, "Els")
    other_bot = {**botapi.user(7101, "Groepsbot"), "is_bot": True}
    botapi.send_text(resident, "Wij lopen vanavond een extra ronde.", east, reply_to=alert)
    botapi.send_text(other_bot, "Bericht opgeslagen.", east, reply_to=alert)
    botapi.send_text(leader.user, "Dank voor het melden!", east, reply_to=alert)
    await botapi.settle()
    assert botapi.drain(east["id"]) == []


async def test_alert_settings_card_keeps_to_its_project(app, people, botapi) -> None:
    leader, analyst, project, east, west = await watch_setup(app, people, botapi, "en")
    card = await leader.say("/alerts")
    assert card["text"].startswith(f"Neighbourhood watch alerts — {project.name}")
    await leader.say("/newproject Veilig Wonen West | Havendam")
    repos = app.bot_data.repos
    other = next(p for p in await repos.projects.list_all() if p.id != project.id)
    assert await repos.chats.chosen_project(leader.id) == other.id
    # The old card's button changes the card's project, not the one selected now.
    switched = await leader.press_and_read(card, button(botapi, card, suffix=":mode"))
    assert "approval first" in switched["text"] and project.name in switched["text"]
    assert (await repos.alerts.settings(project.id)).mode == "approval"
    assert (await repos.alerts.settings(other.id)).mode == "auto"
    # Settings written the way the usage shows them, with its separators.
    changed = await leader.say("/alerts radius 300 | days 21 | follow-up off")
    assert other.name in changed["text"]
    settings = await repos.alerts.settings(other.id)
    assert (settings.radius_m, settings.window_days, settings.follow_up) == (300, 21, False)
    missing = await leader.say("/alerts days")
    assert "Write a value after “days”." in missing["text"]


async def test_approving_an_alert_whose_zone_ended_says_nothing_is_sent(
        app, people, botapi, clock: FixedClock) -> None:
    leader, analyst, project, east, west = await watch_setup(app, people, botapi, "en")
    await leader.say("/alerts approval")
    await upload(botapi, analyst, "week47.csv", export([burglary("PL0001")]))
    request = await botapi.next_message(leader.id, timeout=10)
    clock.advance(timedelta(days=15))
    await run_daily_detection(app)  # the zone ends before anyone decided
    decided = await leader.press_and_read(request, button(botapi, request,
                                                          label="Send the alert"))
    assert "Approved, but this zone has ended meanwhile, so nothing is sent." in decided["text"]
    await botapi.settle()
    assert botapi.drain(east["id"]) == []


async def test_each_group_gets_the_map_in_its_own_language(app, people, botapi) -> None:
    """The map's legend is text: a Dutch and an English group about the same buurt each
    get it in their language."""
    leader, analyst, project, east, west = await watch_setup(app, people, botapi, "en")
    repos = app.bot_data.repos
    oostbroek = next(a for a in await repos.projects.areas(project.id) if a.name == "Oostbroek")
    dutch = botapi.group(-7003, "Buurtpreventie Oostbroek-Noord")
    await repos.chats.link(dutch["id"], project.id, ChatPurpose.NEIGHBOURHOOD_WATCH,
                           dutch["title"], (oostbroek.id,), leader.id, START, language="nl")
    await upload(botapi, analyst, "a.csv", export([burglary("PL0001")]))
    english_alert = await botapi.next_message(east["id"], timeout=10)
    dutch_alert = await botapi.next_message(dutch["id"], timeout=10)
    assert "Dorpsstraat" in body(english_alert) and "Dorpsstraat" in body(dutch_alert)
    maps = [botapi.file_bytes(alert["photo"][-1]["file_id"])
            for alert in (english_alert, dutch_alert)]
    assert all(png.startswith(b"\x89PNG") for png in maps)
    assert maps[0] != maps[1]  # same place, other words
