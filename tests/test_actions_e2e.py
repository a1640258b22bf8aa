"""End to end: the action framework as partners and the project leader use it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.i18n import _, ngettext, use_locale
from tests.conftest import button, invitation_payload

LANGS = ["nl", "en"]
CMD = {
    "nl": {"action": "/actie", "open": "/openstaand", "done": "/gedaan", "result": "/resultaat",
           "notdone": "/nietgedaan", "void": "/vervallen", "edit": "/wijzig", "mine": "/mijnacties",
           "search": "/zoek", "postpone": "/uitstellen"},
    "en": {"action": "/action", "open": "/open", "done": "/done", "result": "/result",
           "notdone": "/notdone", "void": "/void", "edit": "/edit", "mine": "/myactions",
           "search": "/search", "postpone": "/postpone"},
}


def t(lang: str, msgid: str, **params: object) -> str:
    with use_locale(lang):
        text = _(msgid).format(**params)
    if lang == "nl":
        with use_locale("nl"):
            assert _(msgid) != msgid, f"no Dutch translation for {msgid!r}"
    return re.sub(r"<[^>]+>", "", text)


async def partnership(people, botapi, lang: str):
    """A project with two areas, three partners, a leader, a wardens member and an observer."""
    leader = people(100, "Anna", lang)
    warden = people(200, "Dennis", lang)
    police = people(300, "Kees", lang)
    observer = people(400, "Mees", lang)
    await leader.say(f"{'/nieuwproject' if lang == 'nl' else '/newproject'} Veilig Wonen Oost "
                     "| Havendam")
    await leader.say("/gebied wijk Oost")
    await leader.say("/gebied buurt Oostbroek | BU99990101 | 1450 | Oost")
    await leader.say("/partner stadstoezicht Stadstoezicht Havendam")
    await leader.say("/partner politie Politie basisteam Oost")
    for person, partner, role in ((warden, "Stadstoezicht Havendam", "partner"),
                                  (police, "Politie basisteam Oost", "wijkagent"),
                                  (observer, "Politie basisteam Oost", "meelezer")):
        invite = await leader.say(f"/uitnodigen {partner} | {role}")
        await person.say(f"/start {invitation_payload(invite['text'])}")
        await botapi.next_message(leader.id)  # "… joined"
    return leader, warden, police, observer


@pytest.mark.parametrize("lang", LANGS)
async def test_register_by_one_line_and_see_it_open(app, people, botapi, lang) -> None:
    leader, warden, police, observer = await partnership(people, botapi, lang)
    c = CMD[lang]
    confirm = await warden.say(f"{c['action']} Oostbroek | extra avondronde achterpaden | "
                               "stadstoezicht | wk 48-49 | 2 pers 19-23u")
    assert t(lang, "Action <b>{code}</b> registered.", code="A1") in confirm["text"]
    card = await botapi.next_message(warden.id)
    assert "A1" in card["text"] and "extra avondronde achterpaden" in card["text"]
    assert "wk 48-49" in card["text"] and "Stadstoezicht Havendam" in card["text"]
    assert botapi.button_data(card)  # done / result / postpone / not done

    overview = await leader.say(c["open"])
    assert "Stadstoezicht Havendam" in overview["text"] and "A1" in overview["text"]
    status = await leader.say("/status")
    assert "Stadstoezicht Havendam" in status["text"]
    # Dates in the locale's own order; partners without any activity say so plainly.
    since, idle = {"nl": ("(uitgevoerd sinds 16 nov)", "periode — nog geen activiteit"),
                   "en": ("(done since 16 Nov)", "period — no activity yet")}[lang]
    assert since in status["text"] and idle in status["text"]

    # The partner reports it done with a numeric result.
    done = await warden.say(f"{c['done']} A1")
    assert t(lang, "{code} reported done. Thank you!", code="A1") in done["text"]
    await botapi.next_message(warden.id)  # the updated card
    result = await warden.say(f"{c['result']} A1 12 sloten vervangen")
    assert t(lang, "Result added to {code}.", code="A1") in result["text"]
    card = await botapi.next_message(warden.id)
    assert "12 sloten vervangen" in card["text"]
    repos = app.bot_data.repos
    [project] = await repos.projects.list_all()
    action = await repos.actions.by_number(project.id, 1)
    assert action is not None
    assert [(r.quantity, r.unit) for r in action.results] == [(12.0, "sloten")]
    assert [p.status for p in action.partners] == ["done"]
    totals = await leader.say("/status")
    assert "12" in totals["text"] and "sloten" in totals["text"]
    nothing_open = await leader.say(c["open"])
    assert "A1" not in nothing_open["text"]
    # The partner's own list says plainly that nothing is open, then lists the history.
    mine = await warden.say(c["mine"])
    assert t(lang, "Nothing open.") in mine["text"] and "0" not in mine["text"].split("\n")[1]
    assert "A1" in mine["text"].split(t(lang, "Done, not done or cancelled:"))[1]
    police_mine = await police.say(c["mine"])  # a partner without any action
    assert t(lang, "None yet. Register one with /action.") in police_mine["text"]
    assert t(lang, "Nothing open.") not in police_mine["text"]


@pytest.mark.parametrize("lang", LANGS)
async def test_register_by_dialogue(app, people, botapi, lang) -> None:
    leader, warden, police, observer = await partnership(people, botapi, lang)
    step = await police.say(CMD[lang]["action"])
    assert "1" in step["text"]
    step = await police.press_and_read(step, button(botapi, step, label="Oostbroek"))
    step = await police.press_and_read(step, button(botapi, step, suffix=":skip"))  # problem
    # what: from the catalogue
    step = await police.press_and_read(step, button(botapi, step, suffix=":cat:domein"))
    step = await police.press_and_read(step, button(botapi, step, suffix=":pick:rounds"))
    assert step["text"]  # aim
    aim = step
    botapi.send_text(police.user, "20 adressen controleren")
    aim_done = await botapi.next_message(police.id)  # type step
    assert botapi.button_data(aim_done) and not botapi.button_data(aim)  # one live prompt
    # Back returns to the aim step, then forward again.
    back = await police.press_and_read(aim_done, button(botapi, aim_done, suffix=":back"))
    botapi.send_text(police.user, "25 adressen controleren")
    step = await botapi.next_message(police.id)
    step = await police.press_and_read(step, button(botapi, step, suffix=":type:proactie"))
    step = await police.press_and_read(step, button(botapi, step, suffix=":target:dader"))
    # partners: own partner preselected; add wardens
    assert any(text.startswith("✅") and "Politie" in text for text in botapi.button_texts(step))
    step = await police.press_and_read(step, button(botapi, step,
                                                    label="Stadstoezicht Havendam"))
    step = await police.press_and_read(step, button(botapi, step, suffix=":pdone"))
    # period: typed, with a bad value first
    botapi.send_text(police.user, "wk 54")
    retry = await botapi.next_message(police.id)
    assert t(lang, "Week {week} does not exist: weeks run from 1 to 52 or 53.", week=54) \
        in retry["text"]
    botapi.send_text(police.user, "wk 52-2")
    step = await botapi.next_message(police.id)
    botapi.send_text(police.user, "2 pers., 19–23 u")
    step = await botapi.next_message(police.id)
    step = await police.press_and_read(step, button(botapi, step, suffix=":skip"))  # notes
    summary = await police.press_and_read(step, button(botapi, step, suffix=":effect:2"))
    assert "wk 52-2" in summary["text"] and "25 adressen" in summary["text"]
    since = botapi.mark()
    botapi.press_button(police.user, summary, button(botapi, summary, suffix=":save"))
    saved = await botapi.next_message(police.id)
    assert t(lang, "Action <b>{code}</b> registered.", code="A1") in saved["text"]
    await botapi.wait_for("answerCallbackQuery", since=since)
    [project] = await app.bot_data.repos.projects.list_all()
    action = await app.bot_data.repos.actions.by_number(project.id, 1)
    assert action is not None
    assert action.area_name == "Oostbroek" and action.type == "proactie"
    assert action.target == "dader" and action.aim == "25 adressen controleren"
    assert {p.name for p in action.partners} == {"Politie basisteam Oost",
                                                  "Stadstoezicht Havendam"}
    assert action.period_start.isocalendar().week == 52
    assert action.period_end.isocalendar()[:2] == (2027, 2)
    assert back["text"]
    # A dialogue ended with a typed /cancel saves nothing and leaves no live buttons.
    await botapi.settle()
    botapi.drain(police.id)
    step = await police.say(CMD[lang]["action"])
    assert botapi.button_data(step)
    cancelled = await police.say("/annuleren" if lang == "nl" else "/cancel")
    assert t(lang, "Cancelled. Nothing was saved.") in cancelled["text"]
    assert not botapi.button_data(step)
    assert await app.bot_data.repos.actions.by_number(project.id, 2) is None


@pytest.mark.parametrize("lang", LANGS)
async def test_permissions_and_bad_input(app, people, botapi, lang) -> None:
    leader, warden, police, observer = await partnership(people, botapi, lang)
    c = CMD[lang]
    await warden.say(f"{c['action']} Oostbroek | extra ronde | stadstoezicht | wk 48")
    await botapi.next_message(warden.id)
    # The police did not agree to A1: they cannot change it. The observer only reads.
    refused = await police.say(f"{c['done']} A1")
    assert "A1" in refused["text"] and "Politie basisteam Oost" in refused["text"]
    observer_try = await observer.say(f"{c['action']} Oost | iets | politie | wk 48")
    assert "A2" not in observer_try["text"]
    assert (await observer.say(f"{c['action']} A1"))["text"].startswith("A1")
    unknown = await warden.say(f"{c['done']} A99")
    assert t(lang, "There is no action A{number} in this project.", number=99) \
        in unknown["text"]
    [project] = await app.bot_data.repos.projects.list_all()
    [before] = [a.period_end for a in await app.bot_data.repos.actions.all(project.id)]
    not_a_code = await warden.say(f"{c['done']} banaan")
    assert "banaan" in not_a_code["text"]
    for bad, msgid, params in (
        ("Oost | x | stadstoezicht | wk 54", "Week {week} does not exist: weeks run from 1 "
         "to 52 or 53.", {"week": 54}),
        ("Oost | x | stadstoezicht | wk 5-3", "Week {end} comes before week {start}. For a "
         "period across the year end write e.g. “wk 52-2”.", {"start": 5, "end": 3}),
        ("Oost | x | bakkerij | wk 48", "Unknown partner “{name}”. See /partner for the "
         "list.", {"name": "bakkerij"}),
        ("Oost | x | stadstoetzicht | wk 48", "Unknown partner “{name}”. Did you mean: "
         "{matches}?", {"name": "stadstoetzicht", "matches": "Stadstoezicht Havendam"}),
        ("Oost | x | Politie basisteam Ost | wk 48", "Unknown partner “{name}”. Did you "
         "mean: {matches}?", {"name": "Politie basisteam Ost",
                              "matches": "Politie basisteam Oost"}),
        ("Westbroek | x | stadstoezicht | wk 48", "Unknown area “{name}”. /project lists the "
         "areas.", {"name": "Westbroek"}),
        # A slip in the year is not stored as an action in year 26 or 9999.
        ("Oost | x | stadstoezicht | 23-11-0026", "{year} is not a year I can use: write one "
         "from {first} to {last} (or two digits, like 26).",
         {"year": "0026", "first": 2000, "last": 2036}),
        ("Oost | x | stadstoezicht | wk 48 9999", "{year} is not a year I can use: write one "
         "from {first} to {last} (or two digits, like 26).",
         {"year": "9999", "first": 2000, "last": 2036}),
    ):
        answer = await warden.say(f"{c['action']} {bad}")
        assert t(lang, msgid, **params) in answer["text"], answer["text"]
    empty = await warden.say(f"{c['action']} Oost |  | stadstoezicht")
    assert "A2" not in empty["text"]
    too_long = await warden.say(f"{c['action']} Oost | {'x' * 301} | stadstoezicht")
    assert "301" in too_long["text"]
    # Postponing: a word is not a number of weeks; a negative number is out of range.
    word = await warden.say(f"{c['postpone']} A1 soon")
    assert t(lang, "“{text}” is not a number of weeks.", text="soon") in word["text"]
    negative = await warden.say(f"{c['postpone']} A1 -2")
    assert t(lang, "Postpone by 1 to 26 weeks.") in negative["text"]
    # A note with "done" is called a note, not a reason; nothing is marked done.
    long_note = await warden.say(f"{c['done']} A1 {'x' * 1001}")
    assert t(lang, "The {what} is too long ({length} characters, at most {max}).",
             what=t(lang, "note"), length=1001, max=1000) in long_note["text"]
    no_reason = await warden.say(f"{c['notdone']} A1")
    assert "A1" in no_reason["text"] or "/" in no_reason["text"]
    assert await app.bot_data.repos.actions.count(project.id) == 1  # nothing half-written
    [action] = await app.bot_data.repos.actions.all(project.id)
    assert {p.status for p in action.partners} == {"open"} and action.period_end == before


async def test_concurrent_edits_on_an_old_card(app, people, botapi) -> None:
    leader, warden, police, observer = await partnership(people, botapi, "en")
    await warden.say("/action Oost | extra ronde | stadstoezicht | wk 48")
    card = await botapi.next_message(warden.id)
    # Meanwhile the leader postpones it.
    await leader.say("/postpone A1")
    # The warden presses "done" on the card that is now outdated.
    since = botapi.mark()
    done_button = botapi.button_data(card)[0]
    assert done_button.startswith("ac:done:")
    botapi.press_button(warden.user, card, done_button)
    answer = await botapi.wait_for("answerCallbackQuery", since=since)
    assert "changed by someone else" in answer.params.get("text", "")
    [project] = await app.bot_data.repos.projects.list_all()
    action = await app.bot_data.repos.actions.by_number(project.id, 1)
    assert action is not None and [p.status for p in action.partners] == ["open"]
    history = await app.bot_data.repos.actions.history(action.id)
    assert [h.field for h in history] == ["created", "period_end"]


async def test_reply_to_card_adds_result_and_history_is_shown(app, people, botapi,
                                                             clock) -> None:
    leader, warden, police, observer = await partnership(people, botapi, "nl")
    await warden.say("/actie Oost | flyers verspreiden | stadstoezicht | wk 48")
    card = await botapi.next_message(warden.id)
    clock.advance(timedelta(hours=2))
    warden.server.send_text(warden.user, "40 flyers verspreid", reply_to=card)
    confirm = await botapi.next_message(warden.id)
    assert "A1" in confirm["text"]
    shown = await leader.say("/actie A1")
    assert "40 flyers verspreid" in shown["text"]
    assert "Dennis" in shown["text"]  # the history says who did what
    search = await observer.say("/zoek flyers")
    assert "A1" in search["text"]
    mine = await warden.say("/mijnacties")
    assert "A1" in mine["text"]


@pytest.mark.parametrize("lang", LANGS)
async def test_export_opens_with_openpyxl_with_appendix_4_columns(app, people, botapi,
                                                                  lang) -> None:
    import csv
    import io

    import openpyxl

    leader, warden, police, observer = await partnership(people, botapi, lang)
    await warden.say(f"{CMD[lang]['action']} Oostbroek | extra avondronde | stadstoezicht + "
                     "politie | wk 48-49 | 2 pers 19-23u")
    await botapi.next_message(warden.id)
    await warden.say(f"{CMD[lang]['result']} A1 12 sloten vervangen")
    await botapi.next_message(warden.id)
    since = botapi.mark()
    botapi.send_text(leader.user, "/export")
    xlsx = await botapi.wait_for("sendDocument", since=since)
    csv_call = await botapi.wait_for("sendDocument", since=xlsx.index + 1)
    upload = next(iter(xlsx.files.values()))
    assert upload.filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(upload.data)).worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    for header in ("Problem area", "Problem", "Action (what)", "Aim", "Type", "Target",
                   "Partner", "Period", "Capacity", "Notes", "Executed", "Expected effect",
                   "Results"):
        assert t(lang, header) in cells, header
    assert cells.count("A1") == 2  # one row per action × partner
    assert "wk 48-49" in cells and "12 sloten vervangen" in cells
    text = next(iter(csv_call.files.values())).data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";" if lang == "nl" else ","))
    assert table[0][1] == t(lang, "Problem area") and len(table) == 3
    # An observer may export (read-only); in a group nobody gets the file.
    refused_group = await leader.say("/export", botapi.group(-9, "x"))
    assert "A1" not in refused_group["text"]


async def test_edit_fields_and_history(app, people, botapi) -> None:
    leader, warden, police, observer = await partnership(people, botapi, "nl")
    await warden.say("/actie Oost | extra ronde | stadstoezicht | wk 48")
    await botapi.next_message(warden.id)
    changed = await warden.say("/wijzig A1 periode wk 49-50")
    assert "A1" in changed["text"]
    card = await botapi.next_message(warden.id)
    assert "wk 49-50" in card["text"]
    await warden.say("/wijzig A1 typering proactie")
    await botapi.next_message(warden.id)
    await warden.say("/wijzig A1 partner politie")
    card = await botapi.next_message(warden.id)
    assert "Politie basisteam Oost" in card["text"]
    unknown = await warden.say("/wijzig A1 kleur blauw")
    assert "kleur" in unknown["text"]
    assert "toelichting" in unknown["text"]  # with the fields there are
    usage = await warden.say("/wijzig A1")
    assert "/wijzig" in usage["text"]
    [project] = await app.bot_data.repos.projects.list_all()
    action = await app.bot_data.repos.actions.by_number(project.id, 1)
    assert action is not None and action.type == "proactie"
    history = [h.field for h in await app.bot_data.repos.actions.history(action.id)]
    assert history == ["created", "period_start", "period_end", "type", "partner"]
    await warden.say("/wijzig A1 gebied Oostbroek")
    await botapi.next_message(warden.id)
    shown = await leader.say("/actie A1")
    # The history reads as the card does: dates in the locale, names, labels; no codes.
    assert "Dennis" in shown["text"] and "2026-11-30" not in shown["text"]
    assert "einde periode “29 nov 2026” → “13 dec 2026”" in shown["text"]
    assert "typering “—” → “proactie”" in shown["text"]
    assert "gebied “Oost” → “Oostbroek”" in shown["text"]


async def test_open_actions_are_paged_and_filtered(app, people, botapi) -> None:
    leader, warden, police, observer = await partnership(people, botapi, "en")
    for i in range(70):
        who = "stadstoezicht" if i % 2 else "politie"
        botapi.send_text(leader.user, f"/action Oost | ronde {i:02d} | {who} | wk 46")
    for _reply in range(140):  # confirmation + card each
        await botapi.next_message(leader.id)
    first = await leader.say("/open")
    assert "70 outstanding actions" in first["text"]
    assert "2 weeks overdue" in first["text"]
    assert botapi.button_texts(first)[-1] == "▶"
    seen = first["text"]
    page = first
    while "▶" in botapi.button_texts(page):
        page = await leader.press_and_read(page, botapi.button_data(page)[-1])
        seen += page["text"]
    assert all(f"ronde {i:02d}" in seen for i in range(70))
    only = await leader.say("/open politie")
    assert "35 outstanding actions" in only["text"]
    assert "Stadstoezicht" not in only["text"]


async def test_reply_to_card_acts_on_that_cards_project_only(app, people, botapi) -> None:
    """A card belongs to its action: with another project selected meanwhile, a reply to
    the card still goes to the card's own action, not to the same number elsewhere."""
    leader, warden, police, observer = await partnership(people, botapi, "nl")
    await leader.say("/actie Oost | flyers verspreiden | stadstoezicht | wk 48")
    card = await botapi.next_message(leader.id)
    await leader.say("/nieuwproject Veilig Wonen West | Havendam")
    await leader.say("/gebied wijk West")
    await leader.say("/partner politie Politie West")
    await leader.say("/actie West | camera plaatsen | politie | wk 48")
    await botapi.next_message(leader.id)
    repos = app.bot_data.repos
    east, west = sorted(p.id for p in await repos.projects.list_all())
    assert await repos.chats.chosen_project(leader.id) == west

    botapi.send_text(leader.user, "40 flyers verspreid", reply_to=card)
    confirm = await botapi.next_message(leader.id)
    assert confirm["text"] == t("nl", "Result added to {code}.", code="A1")
    shown = await botapi.next_message(leader.id)
    assert "flyers verspreiden" in shown["text"] and "40 flyers verspreid" in shown["text"]
    east_a1 = await repos.actions.by_number(east, 1)
    west_a1 = await repos.actions.by_number(west, 1)
    assert east_a1 is not None and [r.text for r in east_a1.results] == ["40 flyers verspreid"]
    assert west_a1 is not None and west_a1.results == ()


async def test_only_cards_take_replies_even_during_an_action_form(app, people,
                                                                  botapi) -> None:
    leader, warden, police, observer = await partnership(people, botapi, "nl")
    await warden.say("/actie Oost | flyers verspreiden | stadstoezicht | wk 48")
    card = await botapi.next_message(warden.id)
    # A bot message that merely mentions the code is no card: nothing is saved.
    mention = await warden.say("/openstaand")
    assert "A1" in mention["text"]
    botapi.send_text(warden.user, "12 sloten", reply_to=mention)
    hint = await botapi.next_message(warden.id)
    assert hint["text"] == t("nl", "Reply to an action card (it starts with its number, like "
                                   "A12) to add a result.")
    [project] = await app.bot_data.repos.projects.list_all()
    action = await app.bot_data.repos.actions.by_number(project.id, 1)
    assert action is not None and action.results == ()

    # While a /actie form is open, a reply to a card is still a result for that card,
    # and the form carries on with its own question afterwards.
    form = await warden.say("/actie")
    botapi.send_text(warden.user, "20 flyers verspreid", reply_to=card)
    assert (await botapi.next_message(warden.id))["text"] == t(
        "nl", "Result added to {code}.", code="A1")
    await botapi.next_message(warden.id)  # the card
    action = await app.bot_data.repos.actions.by_number(project.id, 1)
    assert action is not None and [r.text for r in action.results] == ["20 flyers verspreid"]
    assert botapi.current(form)["text"] == form["text"]  # the form untouched
    cancelled = await warden.say("/annuleren")
    assert "A2" not in cancelled["text"]


async def test_a_card_with_a_long_history_still_fits_with_its_buttons(app, people,
                                                                     botapi, clock) -> None:
    leader, warden, police, observer = await partnership(people, botapi, "nl")
    await warden.say("/actie Oost | flyers verspreiden | stadstoezicht | wk 48")
    await botapi.next_message(warden.id)
    repos = app.bot_data.repos
    [project] = await repos.projects.list_all()
    action = await repos.actions.by_number(project.id, 1)
    assert action is not None
    for week in range(120):
        await repos.actions.add_result(action.id, action.partner_ids[0],
                                       f"ronde {week:03d}: 40 flyers in de Oostbroekbuurt "
                                       "verspreid en drie bewoners gesproken", 40, "flyers",
                                       user_id=warden.id, now=clock.now())
    await warden.say("/wijzig A1 toelichting " + "lange toelichting " * 55)
    card = await botapi.next_message(warden.id)
    assert len(card["text"]) <= 4096 and botapi.button_data(card)  # one message, buttons
    assert "ronde 119" in card["text"] and "ronde 000" not in card["text"]
    assert "eerdere regels niet getoond" in card["text"]
    # The buttons and replies work on it as on any card.
    botapi.send_text(warden.user, "nog 10 flyers", reply_to=card)
    assert "A1" in (await botapi.next_message(warden.id))["text"]
    again = await botapi.next_message(warden.id)
    assert "nog 10 flyers" in again["text"] and botapi.button_data(again)


async def test_a_card_with_very_long_texts_is_shortened_not_split(app, people,
                                                                  botapi) -> None:
    leader, warden, police, observer = await partnership(people, botapi, "nl")
    await warden.say("/actie Oost | flyers verspreiden | stadstoezicht | wk 48")
    await botapi.next_message(warden.id)
    for field, length in (("probleem", 990), ("doel", 990), ("capaciteit", 990),
                          ("toelichting", 990), ("wat", 290)):
        await warden.say(f"/wijzig A1 {field} " + (f"{field} & meer " * 100)[:length])
        await botapi.next_message(warden.id)
    card = await warden.say("/actie A1")
    assert len(card["text"]) <= 4096 and botapi.button_data(card)
    assert t("nl", "Long texts are shortened here; the export (/export) has them in full.") \
        in card["text"]
    [project] = await app.bot_data.repos.projects.list_all()
    action = await app.bot_data.repos.actions.by_number(project.id, 1)
    assert action is not None and len(action.notes) > 900  # only the card is shortened


async def test_my_finished_actions_are_not_called_overdue(app, people, botapi, clock) -> None:
    leader, warden, police, observer = await partnership(people, botapi, "nl")
    await warden.say("/actie Oost | extra ronde | stadstoezicht + politie | wk 48")
    await botapi.next_message(warden.id)
    await warden.say("/gedaan A1")
    await botapi.next_message(warden.id)
    clock.advance(timedelta(weeks=3))  # the police part is still open, and overdue
    with use_locale("nl"):
        overdue = ngettext("{count} week overdue", "{count} weeks overdue", 3).format(count=3)
    assert overdue in (await police.say("/mijnacties"))["text"]
    mine = await warden.say("/mijnacties")
    finished = mine["text"].split(t("nl", "Done, not done or cancelled:"))[1]
    assert "✅" in finished and "A1" in finished and overdue not in mine["text"]
