"""End to end: group language, supergroup migration, unlinking, a group that disappears,
and the demo database explored from Telegram."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from bot.app import build_application
from bot.clock import FixedClock
from bot.demo import store_demo
from bot.demo_data import generate_demo
from bot.settings import Settings
from storage.db import Database, utc_iso
from tests.botapi import FakeBotAPI, run_application
from tests.conftest import START, button, link_code


async def linked_group(leader, botapi, chat_id: int = -5001, *, type: str = "group"):
    await leader.say("/nieuwproject Veilig Wonen Oost | Havendam")
    menu = await leader.say("/koppelen")
    code = link_code((await leader.press_and_read(menu, button(botapi, menu, suffix=":op")))
                     ["text"])
    group = botapi.group(chat_id, "Overleg Oost", type=type)
    await leader.say(f"/koppelen@wijkbot_test_bot {code}", group)
    return group


async def test_group_language_is_set_by_the_project_leader(app, people, botapi) -> None:
    leader = people(100, "Anna", "nl")
    group = await linked_group(leader, botapi)
    member = people(200, "Kees", "nl")
    refused = await member.say("/taal en", group)
    assert "Deze groep is niet" not in refused["text"]
    assert refused["text"] != "From now on I speak English with you."
    switched = await leader.say("/taal en", group)
    assert switched["text"] == "From now on I speak English with you."
    # The group now speaks English to everyone, whatever their own language.
    reply = await member.say("/help", group)
    assert "What you can do here" in reply["text"]
    # The leader's private chat keeps Dutch.
    private = await leader.say("/help")
    assert "Wat je hier kunt doen" in private["text"]


async def test_supergroup_migration_keeps_the_link(app, people, botapi) -> None:
    leader = people(101, "Anna", "nl")
    group = await linked_group(leader, botapi, -5002)
    supergroup = botapi.migrate_group(group, -1005002)
    await botapi.settle()
    repos = app.bot_data.repos
    assert await repos.chats.active(-5002) is None
    link = await repos.chats.active(-1005002)
    assert link is not None and link.purpose.value == "operationeel"
    overview = await leader.say("/project", supergroup)
    assert "Veilig Wonen Oost" in overview["text"]


async def test_unlink(app, people, botapi) -> None:
    leader = people(102, "Anna", "en")
    group = await linked_group(leader, botapi, -5003)
    refused = await people(202, "Kees", "en").say("/unlink", group)
    assert "project leader" in refused["text"] or "not a member" in refused["text"]
    assert await app.bot_data.repos.chats.active(-5003) is not None
    done = await leader.say("/ontkoppelen", group)
    assert "no longer linked" in done["text"]
    assert await app.bot_data.repos.chats.active(-5003) is None
    # Now unlinked: the group gets the explanation, not data.
    after = await leader.say("/project", group)
    assert "not linked" in after["text"]


async def test_group_that_disappears_is_unlinked(app, people, botapi) -> None:
    leader = people(103, "Anna", "nl")
    group = await linked_group(leader, botapi, -5004)
    botapi.fail_next("sendMessage", 403, "Forbidden: bot was kicked from the group chat",
                     chat_id=-5004)
    since = botapi.mark()
    botapi.send_text(leader.user, "/project", group)
    await botapi.wait_for("sendMessage", lambda c: c.params.get("chat_id") == -5004,
                          since=since)
    await botapi.settle()
    assert await app.bot_data.repos.chats.active(-5004) is None


async def test_added_to_unknown_group_stores_nothing(app, people, botapi) -> None:
    stranger = people(104, "Onbekend", "en")
    group = botapi.group(-5005, "Random")
    botapi.add_bot_to_group(stranger.user, group)
    explanation = await botapi.next_message(-5005)
    assert "/link@wijkbot_test_bot" in explanation["text"]
    stranger_talks = await stranger.say("/help", group)
    assert "/link" in stranger_talks["text"]
    db = app.bot_data.db
    for table in ("users", "linked_chats", "chat_projects", "audit_log"):
        assert await db.fetchval(f"SELECT COUNT(*) FROM {table}") == 0, table


async def test_demo_database_can_be_explored_from_telegram(tmp_path: Path,
                                                           botapi: FakeBotAPI) -> None:
    path = tmp_path / "demo.sqlite"
    db = await Database(path).connect()
    counts = await store_demo(db, generate_demo(date(2026, 11, 23)), now=START)
    # What partners reported is stored as the bot stores it: every done, not done or
    # cancelled status by a member of that partner, within the action's life, with history.
    try:
        reports = await db.fetchall(
            "SELECT ap.status, ap.updated_at, a.created_at, h.user_id,"
            " (SELECT COUNT(*) FROM members m WHERE m.user_id = h.user_id"
            "  AND m.partner_id = ap.partner_id) AS by_partner"
            " FROM action_partners ap JOIN actions a ON a.id = ap.action_id"
            " JOIN partners p ON p.id = ap.partner_id"
            " LEFT JOIN action_history h ON h.action_id = a.id AND h.field = 'status:' || p.name"
            " WHERE ap.status != 'open'")
        assert len(reports) >= 10
        for r in reports:
            assert r["user_id"] is not None and r["by_partner"] == 1, dict(r)
            assert r["created_at"] < r["updated_at"] <= utc_iso(START), dict(r)
    finally:
        await db.close()
    settings = Settings(token=botapi.token, database=path, bot_api_url=botapi.base_url,
                        bot_file_url=botapi.base_file_url)
    app = build_application(settings, clock=FixedClock(START))
    async with run_application(app):
        me = botapi.user(42, "Demo", language_code="nl")
        botapi.send_text(me, f"/start inv_{counts['invite_code']}")
        welcome = await botapi.next_message(42)
        assert "projectleider" in welcome["text"]
        botapi.send_text(me, "/project")
        overview = await botapi.next_message(42)
        assert "Havendam" in overview["text"] and "Oostbroek" in overview["text"]
        assert "Politie basisteam" in overview["text"]
        # /status shows work done lately (the demo's last two weeks are not empty).
        botapi.send_text(me, "/status")
        status = await botapi.wait_for("sendMessage", lambda c: "Status" in c.params["text"])
        done = [int(n) for n in re.findall(r"(\d+) uitgevoerd in deze periode",
                                           status.params["text"])]
        assert len(done) == counts["partners"] and sum(done) >= 3


async def test_long_answers_are_paged_not_cut(app, people, botapi) -> None:
    leader = people(105, "Anna", "en")
    await leader.say("/newproject Veilig Wonen Oost | Havendam")
    for i in range(120):
        botapi.send_text(leader.user, f"/area street Een heel lange straatnaam nummer {i:03d}")
    for _ in range(120):
        await botapi.next_message(105)
    first = await leader.say("/area")
    assert len(first["text"]) <= 4096
    assert botapi.button_texts(first)[-1] == "▶"
    assert "nummer 000" in first["text"]
    seen = first["text"]
    page = first
    while "▶" in botapi.button_texts(page):
        page = await leader.press_and_read(page, botapi.button_data(page)[-1])
        assert len(page["text"]) <= 4096
        seen += page["text"]
    for i in range(120):
        assert f"nummer {i:03d}" in seen  # every line is on some page


async def test_answers_in_a_group_quote_the_question(app, people, botapi) -> None:
    """Several partners may ask at once in a group: each answer quotes its question."""
    leader = people(100, "Anna")
    group = await linked_group(leader, botapi)
    await botapi.settle(idle=0.05)
    botapi.drain(group["id"])
    asked = botapi.send_text(leader.user, "/agenda", group)
    answer = await botapi.next_message(group["id"])
    assert answer["reply_to_message"]["message_id"] == asked["message"]["message_id"]
    # A private chat has one asker: no quotes there.
    assert "reply_to_message" not in await leader.say("/agenda")
