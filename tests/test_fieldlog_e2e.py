"""End to end: a wijkagent logs from the street with /melding — kind, text, location,
photo, an action code that counts as a result — and /meldingen lists the logs per area
and kind. Bad input: an empty log, a location far away, a photo that is too large."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.incidents import NewIncident
from tests.conftest import button, fragment, invitation_payload, link_code
from tests.test_incidents_e2e import project_with_analyst

LANGS = ["nl", "en"]
# Inside the Hague (the project's incidents lie around here after the import below).
HERE = (52.08, 4.31)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2000 + b"\xff\xd9"


async def setup(app, people, botapi, lang: str):
    leader, analyst, partner = await project_with_analyst(people, botapi, lang)
    officer = people(500, "Joris", lang)
    invite = await leader.say("/uitnodigen politie | wijkagent")
    await officer.say(f"/start {invitation_payload(invite['text'])}")
    await botapi.next_message(leader.id)
    action = await leader.say("/actie Oostbroek | flyers verspreiden | Politie basisteam Oost "
                              "| week 48-50 | 4 uur")
    assert "A1" in action["text"]
    await botapi.settle()
    botapi.drain(leader.id)
    repos = app.bot_data.repos
    [project] = await repos.projects.list_all()
    return leader, officer, project


async def one_located_burglary(app, project) -> datetime:  # type: ignore[no-untyped-def]
    """Give the project a known extent (a location far outside it is then refused)."""
    moment = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
    await app.bot_data.repos.incidents.add_many(project.id, [NewIncident(
        "x1", moment, moment, street="Dorpsstraat", lat=HERE[0], lon=HERE[1])],
        source="import", created_by=None, now=moment)
    return moment


async def operational_group(botapi, leader, chat_id: int) -> dict:  # type: ignore[no-untyped-def]
    """Link a new group as the project's operational meeting; returns the group chat."""
    menu = await leader.say("/link")
    code = link_code((await leader.press_and_read(menu, button(botapi, menu, suffix=":op")))
                     ["text"])
    group = botapi.group(chat_id, "Overleg Oost")
    await leader.say(f"/link@wijkbot_test_bot {code}", group)
    return group


def kind_button(botapi, message, key: str) -> str:
    return button(botapi, message, suffix=f":kind:{key}")


def location_keys(botapi, message) -> bool:
    """Whether the one-tap location button came with this message."""
    markup = botapi.reply_keyboard(message) or {}
    return [[b.get("request_location") for b in row] for row in markup.get("keyboard", [])] \
        == [[True]]


async def with_buttons(botapi, person, send) -> dict:
    """Do ``send``; return the bot's message that gets its inline buttons by an edit (it
    was sent with a reply keyboard: a message carries one kind of markup)."""
    since = botapi.mark()
    send()
    call = await botapi.wait_for(  # (an edit without markup takes an old draft's buttons)
        "editMessageReplyMarkup",
        lambda c: c.params["chat_id"] == person.id and bool(c.params.get("reply_markup")),
        since=since)
    botapi.drain(person.id)
    return botapi.message(person.id, call.params["message_id"])


async def open_log(botapi, person, command: str = "/log") -> dict:
    """``/log`` in a private chat: the kind menu, with the location one tap away."""
    menu = await with_buttons(botapi, person, lambda: botapi.send_text(person.user, command))
    assert location_keys(botapi, menu)
    return menu


@pytest.mark.parametrize("lang", LANGS)
async def test_officer_logs_with_location_photo_and_action(app, people, botapi, lang) -> None:
    leader, officer, project = await setup(app, people, botapi, lang)
    menu = await open_log(botapi, officer, "/melding" if lang == "nl" else "/log")
    draft = await officer.press_and_read(menu, kind_button(botapi, menu, "preventieadvies"))
    assert fragment(lang, "Prevention advice") in draft["text"]
    botapi.send_text(officer.user, "Flyers bezorgd in Dorpsstraat, bewoners positief. A1")
    shown = await botapi.next_message(officer.id)
    assert fragment(lang, "counts as a result of {code}") in shown["text"]
    botapi.send_location(officer.user, *HERE, live_period=900)
    shown = await botapi.next_message(officer.id)
    assert fragment(lang, "live location") in shown["text"]
    botapi.send_photo(officer.user, JPEG, caption="")
    shown = await botapi.next_message(officer.id)
    assert "📷" in shown["text"]
    # Only the newest copy of the draft carries buttons: no Save on an outdated draft.
    assert not botapi.button_data(menu)
    assert [m for m in botapi.sent(officer.id) if botapi.button_data(m)] == [shown]
    since = botapi.mark()
    botapi.press_button(officer.user, shown, button(botapi, shown, suffix=":save"))
    await botapi.wait_for("answerCallbackQuery", since=since)
    saved = await botapi.next_message(officer.id)
    assert fragment(lang, "Logged: {kind}") in saved["text"]
    assert "A1" in saved["text"]
    # The saved draft stays as the record of what was logged, without buttons or the hint.
    record = botapi.current(shown)
    assert not botapi.button_data(record) and "📷" in record["text"]
    assert fragment(lang, "Add text, a location") not in record["text"]
    repos = app.bot_data.repos
    action = await repos.actions.by_number(project.id, 1)
    assert action is not None and len(action.results) == 1
    assert "Flyers bezorgd" in action.results[0].text
    [log] = await repos.field_logs.for_action(action.id)
    assert log.live and log.lat == pytest.approx(HERE[0]) and log.photos == 1
    assert log.kind == "preventieadvies" and log.partner_name == "Politie basisteam Oost"
    listing = await leader.say("/meldingen" if lang == "nl" else "/logs")
    assert fragment(lang, "Per area and kind") in listing["text"]
    assert "Flyers bezorgd" in listing["text"] and "A1" in listing["text"]


async def test_one_line_log_in_the_operational_group_and_per_area(app, people, botapi) -> None:
    leader, officer, project = await setup(app, people, botapi, "en")
    group = await operational_group(botapi, leader, -6001)
    saved = await officer.say("/log surveillance Oostbroek quiet evening, gates closed", group)
    assert "Logged: Surveillance round" in saved["text"]
    listing = await officer.say("/logs Oostbroek 7", group)
    assert "Field logs in Oostbroek, last 7 days" in listing["text"]
    assert "gates closed" in listing["text"]
    one_day = await officer.say("/logs Oostbroek 1", group)
    assert one_day["text"].startswith("Field logs in Oostbroek, last 1 day\n")
    other = await officer.say("/logs Westhaven", group)
    assert "Unknown area" in other["text"]
    # A long period is a period out of range, not part of the area's name.
    too_long = await officer.say("/logs Oostbroek 99999", group)
    assert too_long["text"] == "The period is 1 to 366 days."
    # The draft agenda's item 2 says what each partner logged since the last meeting.
    await leader.say("/meeting date 30-11-2026 10:00")
    await botapi.settle()
    botapi.drain(leader.id)
    botapi.send_text(leader.user, "/agenda")
    await botapi.settle()
    agenda = "\n".join(m.get("text", "") for m in botapi.drain(leader.id))
    assert "Field logs since the last meeting" in agenda
    assert "Politie basisteam Oost: 1 field log (1 × Surveillance round)" in agenda


def test_steering_and_agenda_lines() -> None:
    from bot.fieldlog import area_lines, count_by_area_kind, field_work_lines
    from bot.i18n import use_locale
    from storage.field_logs import FieldLog

    def log(kind: str, area: str | None, partner: str) -> FieldLog:
        return FieldLog(1, 1, 5, "Joris", 2, partner, kind, "", None, None, None, None, None,
                        False, None, area, None, None, datetime(2026, 11, 20, tzinfo=UTC),
                        overview_area=area)

    logs = [log("surveillance", "Oostbroek", "Politie"), log("surveillance", "Oostbroek",
                                                            "Politie"),
            log("gesprek", "Westhaven", "Woonstad")]
    with use_locale("en"):
        assert area_lines(count_by_area_kind(logs)) == [
            "3 field logs in the last two weeks — Oostbroek: 2 × Surveillance round; "
            "Westhaven: 1 × Conversation with residents"]
        assert field_work_lines(logs) == [
            "Politie: 2 field logs (2 × Surveillance round)",
            "Woonstad: 1 field log (1 × Conversation with residents)"]
        assert area_lines([]) == []
        # Several kinds in one area: the area once, its kinds together.
        assert area_lines([("Oostbroek", "surveillance", 2), ("Westhaven", "gesprek", 1),
                           ("Oostbroek", "gebrek", 1)]) == [
            "4 field logs in the last two weeks — Oostbroek: 2 × Surveillance round, "
            "1 × Lighting or greenery defect; Westhaven: 1 × Conversation with residents"]


async def test_bad_input_keeps_the_draft(app, people, botapi) -> None:
    leader, officer, project = await setup(app, people, botapi, "en")
    repos = app.bot_data.repos
    moment = await one_located_burglary(app, project)
    menu = await open_log(botapi, officer)
    draft = await officer.press_and_read(menu, kind_button(botapi, menu, "verdacht"))
    # Saving an empty log is refused.
    since = botapi.mark()
    botapi.press_button(officer.user, draft, button(botapi, draft, suffix=":save"))
    refused = await botapi.wait_for("answerCallbackQuery", since=since)
    empty = refused.params.get("text") or (await botapi.next_message(officer.id))["text"]
    assert "This log is empty" in empty
    # A location in Amsterdam is far outside the project.
    botapi.send_location(officer.user, 52.37, 4.89)
    far = await botapi.next_message(officer.id)
    assert "km outside the project area" in far["text"]
    # An image file over 10 MB.
    botapi.send_document(officer.user, "big.jpg", b"\xff\xd8" + b"\x00" * (11 * 1024 * 1024),
                         "image/jpeg")
    big = await botapi.next_message(officer.id)
    assert "at most 10 MB" in big["text"]
    # Ten photos; an eleventh is refused, and its caption with it.
    for number in range(11):
        botapi.send_photo(officer.user, JPEG, caption=f"photo {number + 1}")
        shown = await botapi.next_message(officer.id)
    assert fragment("en", "At most {max} photos per log.") in shown["text"]
    assert "photo 10" in shown["text"] and "photo 11" not in shown["text"]
    # The draft survived: add text and save.
    botapi.send_text(officer.user, "Two men checking door handles")
    shown = await botapi.next_message(officer.id)
    since = botapi.mark()
    botapi.press_button(officer.user, shown, button(botapi, shown, suffix=":save"))
    await botapi.wait_for("answerCallbackQuery", since=since)
    saved = await botapi.next_message(officer.id)
    assert "Logged: Suspicious situation" in saved["text"]
    logs = await repos.field_logs.between(project.id, moment, datetime(2027, 1, 1, tzinfo=UTC))
    assert [log.text for log in logs] == [
        "\n".join([*(f"photo {n}" for n in range(1, 11)), "Two men checking door handles"])]
    assert logs[0].lat is None and logs[0].photos == 10


async def test_observer_cannot_log(app, people, botapi) -> None:
    leader, officer, project = await setup(app, people, botapi, "en")
    reader = people(600, "Mila", "en")
    invite = await leader.say("/invite politie | meelezer")
    await reader.say(f"/start {invitation_payload(invite['text'])}")
    answer = await reader.say("/log surveillance all quiet")
    assert "Logged" not in answer["text"]
    assert await app.bot_data.repos.field_logs.between(
        project.id, project.created_at, project.created_at.replace(year=2030)) == []


async def test_steering_pack_counts_the_field_logs(app, people, botapi) -> None:
    leader, officer, project = await setup(app, people, botapi, "en")
    await leader.say("/area street Kerkstraat | | | Oostbroek")
    await officer.say("/log surveillance Oostbroek quiet evening, gates closed")
    await officer.say("/log gebrek Oostbroek lamp post out at the playground")
    # Placed in a street of Oostbroek: it counts in Oostbroek, not on a line of its own.
    placed = await officer.say("/log surveillance Kerkstraat back gates checked")
    assert "area Kerkstraat" in placed["text"]
    await leader.say("/burglary Dorpsstraat 3 | 22-11 21:30 | attempt")  # data for the pack
    await botapi.settle()
    botapi.drain(leader.id)
    mark = botapi.mark()
    botapi.send_text(leader.user, "/steering")
    await botapi.wait_for("sendMediaGroup", since=mark, timeout=30)
    await botapi.settle(timeout=30)
    summary = "\n".join(m.get("text", "") for m in botapi.drain(leader.id))
    assert ("3 field logs in the last two weeks — Oostbroek: 2 × Surveillance round, "
            "1 × Lighting or greenery defect") in summary
    listing = await leader.say("/logs")
    assert "• Oostbroek — Surveillance round: 2" in listing["text"]
    assert "Kerkstraat —" not in listing["text"]


async def test_the_location_is_one_tap_away_in_private(app, people, botapi) -> None:
    """On a phone in the street: the one-tap location button comes with the log's first
    message, comes back when a location is refused, and goes once the place is known, or
    when the log is saved or cancelled. Not in groups (Telegram has it nowhere else)."""
    leader, officer, project = await setup(app, people, botapi, "en")
    repos = app.bot_data.repos
    moment = await one_located_burglary(app, project)
    menu = await open_log(botapi, officer)
    draft = await officer.press_and_read(menu, kind_button(botapi, menu, "surveillance"))
    assert "📍 button below" in draft["text"]
    far = await with_buttons(botapi, officer,
                             lambda: botapi.send_location(officer.user, 52.37, 4.89))
    assert "km outside the project area" in far["text"] and location_keys(botapi, far)
    here = await with_buttons(botapi, officer,
                              lambda: botapi.send_location(officer.user, *HERE))
    assert botapi.reply_keyboard(here) == {"remove_keyboard": True}
    assert "📍 location" in here["text"]
    botapi.send_text(officer.user, "Quiet evening")
    shown = await botapi.next_message(officer.id)
    assert botapi.reply_keyboard(shown) is None  # gone already: nothing to take away
    since = botapi.mark()
    botapi.press_button(officer.user, shown, button(botapi, shown, suffix=":save"))
    await botapi.wait_for("answerCallbackQuery", since=since)
    saved = await botapi.next_message(officer.id)
    assert "Logged: Surveillance round" in saved["text"]
    assert botapi.reply_keyboard(saved) is None
    [log] = await repos.field_logs.between(project.id, moment, datetime(2027, 1, 1, tzinfo=UTC))
    assert log.lat == pytest.approx(HERE[0]) and not log.live

    # Saved without a location: the saved message takes the button away.
    menu = await open_log(botapi, officer)
    draft = await officer.press_and_read(menu, kind_button(botapi, menu, "surveillance"))
    botapi.send_text(officer.user, "Gates closed")
    shown = await botapi.next_message(officer.id)
    botapi.press_button(officer.user, shown, button(botapi, shown, suffix=":save"))
    saved = await botapi.next_message(officer.id)
    assert "Logged: Surveillance round" in saved["text"]
    assert botapi.reply_keyboard(saved) == {"remove_keyboard": True}
    # Cancelled by its button: the buttons go and a new message takes the keyboard away.
    menu = await open_log(botapi, officer)
    botapi.press_button(officer.user, menu, button(botapi, menu, suffix=":cancel"))
    cancelled = await botapi.next_message(officer.id)
    assert "Cancelled. Nothing was saved." in cancelled["text"]
    assert botapi.reply_keyboard(cancelled) == {"remove_keyboard": True}
    assert not botapi.button_data(menu)
    # In a group: no such button, and the hint says how to share a location there.
    group = await operational_group(botapi, leader, -6002)
    panel = await officer.say("/log surveillance", group)
    assert botapi.reply_keyboard(panel) is None and "📎 → Location" in panel["text"]


async def test_codes_and_streets_are_read_with_care(app, people, botapi) -> None:
    """"A4" that is no action of theirs (the motorway) is plain text, not a refusal; a
    street given by hand is a name (not a number) in the project's own spelling."""
    leader, officer, project = await setup(app, people, botapi, "en")
    await one_located_burglary(app, project)  # Dorpsstraat is a known street now
    saved = await officer.say("/log surveillance checked the A4 exit near Oostbroek")
    assert "Logged: Surveillance round" in saved["text"]
    assert fragment("en", "counts as a result of {code}") not in saved["text"]
    repos = app.bot_data.repos
    logs = await repos.field_logs.between(project.id, datetime(2026, 11, 1, tzinfo=UTC),
                                          datetime(2027, 1, 1, tzinfo=UTC))
    assert [(log.text, log.action_id) for log in logs] == [
        ("checked the A4 exit near Oostbroek", None)]

    menu = await open_log(botapi, officer)
    await officer.press_and_read(menu, kind_button(botapi, menu, "verdacht"))
    botapi.send_text(officer.user, "street: 12")
    refused = await botapi.next_message(officer.id)
    assert "“12” is not a street name." in refused["text"]
    botapi.send_text(officer.user, "street: DORPSSTRAAT")
    shown = await botapi.next_message(officer.id)
    assert "Dorpsstraat" in shown["text"] and "DORPSSTRAAT" not in shown["text"]
