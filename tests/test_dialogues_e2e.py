"""End to end: the step-by-step dialogues (/melding, /inbraak, /actie, /nieuwproject) on a
phone. One at a time: a second one (or the same command again) is answered with which one
is open and nothing typed so far is lost; an edited message or a moving live location is
no new answer; a dialogue's button pressed after it ended gets an answer, not a spinner."""

from __future__ import annotations

import re

import pytest

from tests.conftest import fragment
from tests.test_fieldlog_e2e import (
    HERE,
    kind_button,
    one_located_burglary,
    open_log,
    operational_group,
    setup,
    with_buttons,
)
from tests.test_incidents_e2e import project_with_officer

LANGS = ["nl", "en"]
CMD = {"nl": {"log": "/melding", "burglary": "/inbraak", "action": "/actie"},
       "en": {"log": "/log", "burglary": "/burglary", "action": "/action"}}


@pytest.mark.parametrize("lang", LANGS)
async def test_one_dialogue_at_a_time(app, people, botapi, lang) -> None:
    _leader, officer, _project = await setup(app, people, botapi, lang)
    cmd = CMD[lang]
    menu = await open_log(botapi, officer, cmd["log"])
    await officer.press_and_read(menu, kind_button(botapi, menu, "surveillance"))
    # Another dialogue, and the same one again: said which one is open, none started.
    for command in (cmd["burglary"], f"{cmd['burglary']} Dorpsstraat 3 | 21:30",
                    cmd["log"], cmd["action"]):
        busy = await officer.say(command)
        assert fragment(lang, "You are still writing a field log") in busy["text"], command
        assert not botapi.button_data(busy)
    # The open log goes on: the next text is its text, not a burglary's place.
    botapi.send_text(officer.user, "Dorpsstraat rustig")
    shown = await botapi.next_message(officer.id)
    assert "Dorpsstraat rustig" in shown["text"]
    cancelled = await officer.say("/cancel")
    assert fragment(lang, "Cancelled. Nothing was saved.") in cancelled["text"]
    # Closed: now /inbraak opens, and /melding is refused while it is open.
    ask = await officer.say(cmd["burglary"])
    assert any(d.endswith(":night") for d in botapi.button_data(ask))
    busy = await officer.say(cmd["log"])
    assert fragment(lang, "You are still registering a burglary") in busy["text"]
    await officer.say("/cancel")
    assert await app.bot_data.db.fetchval("SELECT COUNT(*) FROM field_logs") == 0
    assert await app.bot_data.db.fetchval("SELECT COUNT(*) FROM incidents") == 0


@pytest.mark.parametrize("lang", LANGS)
async def test_edits_and_live_location_updates_are_no_answers(app, people, botapi,
                                                              lang) -> None:
    _leader, officer, _project = await setup(app, people, botapi, lang)
    menu = await open_log(botapi, officer, CMD[lang]["log"])
    await officer.press_and_read(menu, kind_button(botapi, menu, "surveillance"))
    typed = botapi.send_text(officer.user, "rustig")["message"]
    await botapi.next_message(officer.id)
    location = botapi.send_location(officer.user, *HERE, live_period=900)["message"]
    draft = await botapi.next_message(officer.id)
    assert fragment(lang, "live location") in draft["text"]
    # Telegram sends every new position of a live location as an edit, every few seconds;
    # and someone may correct a typed text. Neither posts the draft again: a corrected text
    # replaces what it said in the draft on screen.
    since = botapi.mark()
    for step in range(3):
        botapi.edit_location(location, HERE[0] + 0.0001 * step, HERE[1])
    botapi.edit_text(typed, "rustig in de straat")
    await botapi.settle()
    assert [c for c in botapi.calls[since:]
            if c.method.startswith("send") and c.params.get("chat_id") == officer.id] == []
    shown = botapi.current(draft)["text"]
    assert "rustig in de straat" in shown and "rustig\nrustig" not in shown
    since = botapi.mark()
    botapi.press_button(officer.user, draft, next(d for d in botapi.button_data(draft)
                                                  if d.endswith(":save")))
    await botapi.wait_for("answerCallbackQuery", since=since)
    await botapi.next_message(officer.id)
    logs = await app.bot_data.db.fetchall("SELECT text FROM field_logs")
    assert [r["text"] for r in logs] == ["rustig in de straat"]


@pytest.mark.parametrize("lang", LANGS)
async def test_corrections_to_an_open_log_replace_what_they_said(app, people, botapi,
                                                                 lang) -> None:
    """The /melding line, a text and a "straat:" line edited while the log is open: each
    replaces its own part (the action code and street found in it go or come with it);
    an edit of any other command is not carried out again."""
    _leader, officer, project = await setup(app, people, botapi, lang)
    await one_located_burglary(app, project)  # Dorpsstraat: a street the project knows
    opened: dict = {}
    menu = await with_buttons(botapi, officer, lambda: opened.update(botapi.send_text(
        officer.user, f"{CMD[lang]['log']} Dorpstraat rondje")["message"]))
    await officer.press_and_read(menu, kind_button(botapi, menu, "surveillance"))
    typed = botapi.send_text(officer.user, "flyers voor A1")["message"]
    draft = await botapi.next_message(officer.id)
    assert fragment(lang, "counts as a result of {code}") in draft["text"]
    street = botapi.send_text(officer.user, "straat: Kerkstraat")["message"]
    draft = await botapi.next_message(officer.id)
    assert "🏠 Kerkstraat" in draft["text"]
    since = botapi.mark()
    botapi.edit_text(opened, f"{CMD[lang]['log']} Dorpsstraat rondje")  # a typo corrected
    botapi.edit_text(typed, "flyers bezorgd")                           # no action after all
    botapi.edit_text(street, "rustig")                                  # no street after all
    await botapi.settle()
    assert [c for c in botapi.calls[since:] if c.method.startswith("send")] == []
    shown = botapi.current(draft)["text"]
    assert "Dorpsstraat rondje\nflyers bezorgd\nrustig" in shown
    assert not re.search(r"\b(?:Dorpstraat|A1)\b", shown), shown
    # The street now comes from the text: Dorpsstraat is a street the project knows.
    assert "🏠 Dorpsstraat" in shown and "Kerkstraat" not in shown
    assert botapi.button_data(botapi.current(draft))  # still the live draft
    # An edited command that is not part of the log: not run again, and said so.
    other = botapi.send_text(officer.user, "/help")["message"]
    await botapi.next_message(officer.id)
    botapi.edit_text(other, "/help me")
    said = await botapi.next_message(officer.id)
    assert fragment(lang, "You edited a command. I do not carry out edited commands "
                          "again") in said["text"]
    since = botapi.mark()
    botapi.press_button(officer.user, draft, next(d for d in botapi.button_data(draft)
                                                  if d.endswith(":save")))
    await botapi.wait_for("answerCallbackQuery", since=since)
    await botapi.next_message(officer.id)
    [log] = await app.bot_data.db.fetchall("SELECT text, street, action_id FROM field_logs")
    assert (log["text"], log["street"], log["action_id"]) == (
        "Dorpsstraat rondje\nflyers bezorgd\nrustig", "Dorpsstraat", None)


async def test_an_edited_command_is_not_carried_out_again(app, people, botapi) -> None:
    """Correcting "/result A1 12 …" into "13" would otherwise add a second result."""
    _leader, officer, project = await setup(app, people, botapi, "en")
    sent = botapi.send_text(officer.user, "/result A1 12 sloten vervangen")["message"]
    await botapi.next_message(officer.id)
    await botapi.next_message(officer.id)  # the card
    botapi.edit_text(sent, "/result A1 13 sloten vervangen")
    said = await botapi.next_message(officer.id)
    assert fragment("en", "You edited a command.") in said["text"]
    await botapi.settle()
    assert botapi.drain(officer.id) == []
    action = await app.bot_data.repos.actions.by_number(project.id, 1)
    assert [(r.quantity, r.unit) for r in action.results] == [(12.0, "sloten")]


async def test_editing_an_answer_during_a_burglary_is_no_error(app, people, botapi) -> None:
    _leader, officer = await project_with_officer(people, botapi, "en", "straat Dorpsstraat")
    await officer.say("/burglary")
    typed = botapi.send_text(officer.user, "21:30")["message"]
    await botapi.next_message(200)  # where?
    since = botapi.mark()
    botapi.edit_text(typed, "22:30")
    location = botapi.send_location(officer.user, 52.07, 4.30, live_period=900)["message"]
    await botapi.settle()
    botapi.edit_location(location, 52.0701, 4.3001)
    await botapi.settle()
    sent = [c.params.get("text", "") for c in botapi.calls[since:]
            if c.method == "sendMessage" and c.params.get("chat_id") == 200]
    crashed = fragment("en", "Sorry, something went wrong on my side")
    assert not [t for t in sent if crashed in t], sent
    # The location was the answer to "where?"; its updates asked nothing more.
    assert len([c for c in botapi.calls[since:] if c.params.get("chat_id") == 200
                and c.method in ("sendMessage", "editMessageText")]) <= 2


async def test_a_button_of_an_ended_dialogue_is_answered(app, people, botapi) -> None:
    leader, officer = await project_with_officer(people, botapi, "en", "straat Dorpsstraat")
    ask = await officer.say("/burglary")
    data = next(d for d in botapi.button_data(ask) if d.endswith(":night"))
    await officer.say("/cancel")
    since = botapi.mark()  # a tap that crossed the /cancel (or a dialogue that timed out)
    botapi.press_forged(officer.user, ask, data)
    answer = await botapi.wait_for("answerCallbackQuery", since=since)
    assert fragment("en", "This dialogue has ended") in answer.params.get("text", "")
    assert answer.params.get("show_alert")
    # In a group, someone else pressing an open dialogue's button gets the same answer,
    # and the dialogue goes on for its owner.
    group = await operational_group(botapi, leader, -6001)
    ask = await officer.say("/burglary", group)
    other = people(999, "Iemand", "en")
    since = botapi.mark()
    botapi.press_button(other.user, ask, next(d for d in botapi.button_data(ask)
                                              if d.endswith(":night")))
    answer = await botapi.wait_for("answerCallbackQuery", since=since)
    assert fragment("en", "This dialogue has ended") in answer.params.get("text", "")
    assert botapi.button_data(botapi.current(ask))
    botapi.press_button(officer.user, ask, next(d for d in botapi.button_data(ask)
                                                if d.endswith(":night")))
    where = await botapi.next_message(group["id"])
    assert fragment("en", "Where? Type the street (and number), or share") in where["text"]
