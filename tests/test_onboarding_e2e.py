"""End to end: the real Application, long polling a local Bot API server.

A project leader creates a project, adds areas and partners, invites a partner who joins
by deep link, and links groups — in Dutch and in English — plus every way that can go wrong.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.i18n import _, ngettext, use_locale
from bot.labels import area_kind_label, role_label
from storage.models import AreaKind, Role
from tests.conftest import button, find_data, fragment, invitation_payload, link_code

LANGS = ["nl", "en"]
NEW_PROJECT = {"nl": "/nieuwproject", "en": "/newproject"}
AREA = {"nl": "/gebied", "en": "/area"}
INVITE = {"nl": "/uitnodigen", "en": "/invite"}
LINK = {"nl": "/koppelen", "en": "/link"}


def expect(lang: str, msgid: str, **params: object) -> str:
    """The full translated message as the user sees it (HTML tags removed)."""
    with use_locale(lang):
        text = _(msgid).format(**params)
    _require_message_id(msgid)
    return re.sub(r"<[^>]+>", "", text)


def _require_message_id(msgid: str) -> None:
    """Tests must quote real message ids, or they would compare English with English."""
    with use_locale("nl"):
        assert _(msgid) != msgid, f"not a message id of the catalog: {msgid!r}"


async def create_project(leader, lang: str, name: str = "Veilig Wonen Oost",
                         municipality: str = "Havendam") -> None:
    reply = await leader.say(f"{NEW_PROJECT[lang]} {name} | {municipality}")
    assert fragment(lang, "Project <b>{project}</b> created. You are its project leader for "
                          "{partner}.\n\n") in reply["text"], reply["text"]


@pytest.mark.parametrize("lang", LANGS)
async def test_start_explains_the_bot_to_a_stranger(app, people, botapi, lang) -> None:
    stranger = people(501, "Sanne", lang)
    reply = await stranger.say("/start")
    assert "wijkbot" in reply["text"]
    assert fragment(lang, "To join your partnership, open the invitation link your project "
                          "leader sent you.") in reply["text"]
    assert find_data(botapi, reply, "np:start")
    # A resident who came from a buurtpreventie group learns there is nothing to set up.
    resident = fragment(lang, "Member of a neighbourhood watch group? Then there is nothing "
                              "to do here")
    assert resident in reply["text"]
    assert resident in (await stranger.say("/help"))["text"]
    if lang == "nl":
        assert "uitnodiging" in reply["text"]  # really Dutch, not the English message id


@pytest.mark.parametrize("lang", LANGS)
async def test_project_leader_creates_a_project_by_dialogue(app, people, botapi, lang) -> None:
    leader = people(100, "Anna", lang)
    ask_name = await leader.say(NEW_PROJECT[lang])
    assert fragment(lang, "Let's set up a new partnership. What is the project called? "
                          "(for example “Veilig Wonen Oost”)") in ask_name["text"]
    ask_municipality = await leader.say("Veilig Wonen Oost")
    assert fragment(lang, "Which municipality is it for?") in ask_municipality["text"]
    card = await leader.say("Havendam")
    assert "Veilig Wonen Oost" in card["text"] and "Havendam" in card["text"]
    # Back, then the municipality again, then confirm.
    back = await leader.press_and_read(card, "np:back")
    assert fragment(lang, "Which municipality is it for?") in back["text"]
    card = await leader.say("Havendam")
    since = botapi.mark()
    botapi.press_button(leader.user, card, "np:ok")
    done = await botapi.next_message(leader.id)
    assert fragment(lang, "Project <b>{project}</b> created.") in done["text"]
    await botapi.wait_for("answerCallbackQuery", since=since)

    repos = app.bot_data.repos
    [member] = await repos.members.for_user(100)
    assert member.role is Role.PROJECTLEIDER
    assert member.project_name == "Veilig Wonen Oost"
    assert member.partner_name == "Gemeente Havendam"


@pytest.mark.parametrize("lang", LANGS)
async def test_dialogue_can_be_cancelled_and_saves_nothing(app, people, botapi, lang) -> None:
    leader = people(101, "Anna", lang)
    await leader.say(NEW_PROJECT[lang])
    await leader.say("Half af")
    reply = await leader.say("/cancel" if lang == "en" else "/annuleren")
    assert reply["text"] == fragment(lang, "Cancelled. Nothing was saved.")
    assert await app.bot_data.repos.projects.list_all() == []
    # After cancelling, plain text is not taken as a municipality.
    stray = await leader.say("Havendam")
    assert expect(lang, "I did not understand that. /help shows what you can do.") \
        == stray["text"]
    # One word that names a command, typed without the slash, gets that command.
    word = await leader.say("Help" if lang == "en" else "vergadering")
    assert word["text"] == expect(
        lang, "I did not understand that. Did you mean /{command} ({description})?",
        command="help" if lang == "en" else "overleg",
        description=expect(lang, "what you can do here" if lang == "en"
                           else "meeting schedule: rhythm, dates, skip, move, lead time"))
    # A location (or photo) outside a dialogue gets a hint, once: not each live update.
    shared = botapi.send_location(leader.user, 52.07, 4.30, live_period=900)
    hint = await botapi.next_message(leader.id)
    assert fragment(lang, "What should I do with this?") in hint["text"]
    since = botapi.mark()
    botapi.edit_location(shared["message"], 52.071, 4.301)
    botapi.send_text(leader.user, "Havendam")
    await botapi.wait_for("sendMessage", since=since)
    [answer] = botapi.drain(leader.id)  # updates run in order: the edit got no answer
    assert expect(lang, "I did not understand that. /help shows what you can do.") \
        == answer["text"]


@pytest.mark.parametrize("lang", LANGS)
async def test_one_line_project_and_bad_input(app, people, lang) -> None:
    leader = people(102, "Anna", lang)
    bad = await leader.say(f"{NEW_PROJECT[lang]} only a name")
    assert fragment(lang, "Usage: {command}") in bad["text"]
    assert "|" in bad["text"]
    await create_project(leader, lang)
    duplicate = await leader.say(f"{NEW_PROJECT[lang]} veilig wonen oost | havendam")
    assert fragment(lang, "A project called “{name}” already exists in {municipality}.") \
        in duplicate["text"]
    too_long = await leader.say(f"{NEW_PROJECT[lang]} {'x' * 81} | Havendam")
    with use_locale(lang):
        what = _("project name")
    assert expect(lang, "The {what} is too long ({length} characters, at most {max}).",
                  what=what, length=81, max=80) in too_long["text"]
    assert len(await app.bot_data.repos.projects.list_all()) == 1
    # A command that takes nothing is not answered as if the words were not there.
    status = await leader.say("/status Woonstad")
    assert expect(lang, "{command} takes nothing after it, so “{text}” was not understood.",
                  command="/status", text="Woonstad") in status["text"]
    assert expect(lang, "Usage: {command}", command="/status") in status["text"]
    assert "Woonstad" not in (await leader.say("/status"))["text"]  # and without: the status
    # What the user typed is shown as typed, also when it looks like HTML (it once broke the
    # answer: “something went wrong” instead of the reason), and a near miss is named.
    await leader.say(f"{AREA[lang]} buurt Centrum")
    odd = await leader.say(f"{AREA[lang]} buurt Oostbroek | | | <b>Centrum")
    assert "“<b>Centrum”" in odd["text"]
    near = await leader.say(f"{AREA[lang]} buurt Oostbroek | | | Centrm")
    assert expect(lang, "Unknown area “{name}”. Did you mean: {matches}?", name="Centrm",
                  matches="Centrum") in near["text"]


@pytest.mark.parametrize("lang", LANGS)
async def test_areas_and_partners(app, people, lang) -> None:
    leader = people(103, "Anna", lang)
    await create_project(leader, lang)
    kind = "buurt" if lang == "nl" else "neighbourhood"
    ok = await leader.say(f"{AREA[lang]} wijk Oost | WK999901")
    assert "Oost" in ok["text"]
    ok = await leader.say(f"{AREA[lang]} {kind} Oostbroek | BU99990101 | 1.450 | Oost")
    assert "Oostbroek" in ok["text"]
    listing = await leader.say(AREA[lang])
    assert "Oostbroek" in listing["text"] and "BU99990101" in listing["text"]
    assert ("1.450" if lang == "nl" else "1,450") in listing["text"]  # Babel number format
    street = "straat" if lang == "nl" else "street"
    for name in ("Kerkstraat", "Molenweg"):
        ok = await leader.say(f"{AREA[lang]} {street} {name} | Oostbroek")
        assert name in ok["text"]
    # The overview lists the districts and neighbourhoods and counts the streets apart.
    overview = await leader.say("/project")
    with use_locale(lang):
        two = ngettext("{count} street", "{count} streets", 2).format(count=2)
        buurt = area_kind_label(AreaKind.BUURT)
    assert expect(lang, "<b>Areas</b> ({count}, with {streets})", count=2, streets=two) \
        in overview["text"]
    assert "Kerkstraat" not in overview["text"]
    assert f"Oostbroek — {buurt} (in Oost, BU99990101, " in overview["text"]

    bad_kind = await leader.say(f"{AREA[lang]} kasteel Oostbroek")
    assert fragment(lang, "Start with the kind of area: {kinds}.") in bad_kind["text"]
    assert ("wijk, buurt, straat, hotspot" if lang == "nl"
            else "district, neighbourhood, street, hotspot") in bad_kind["text"]
    assert fragment(lang, "Usage: {command}") in bad_kind["text"]
    bad_code = await leader.say(f"{AREA[lang]} {kind} Westhaven | BU12")
    assert "BU12" in bad_code["text"]
    duplicate = await leader.say(f"{AREA[lang]} {kind} oostbroek")
    assert fragment(lang, "There is already an area called “{name}”.") in duplicate["text"]
    unknown_parent = await leader.say(f"{AREA[lang]} straat Dorpsstraat | Nergenshuizen")
    assert expect(lang, "Unknown area “{name}”. /project lists the areas.",
                  name="Nergenshuizen") in unknown_parent["text"]

    police = "politie" if lang == "nl" else "police"
    added = await leader.say(f"/partner {police} Politie basisteam Oost")
    assert "Politie basisteam Oost" in added["text"]
    bad_partner = await leader.say("/partner bakkerij De Gouden Krakeling")
    assert fragment(lang, "Start with the kind of partner: {kinds}.") in bad_partner["text"]
    assert ("gemeente, politie, om" if lang == "nl"
            else "municipality, police, prosecutor") in bad_partner["text"]
    no_name = await leader.say(f"/partner {police}")  # the kind is there, the name is not
    assert fragment(lang, "Give the partner's name after the kind") in no_name["text"]
    assert f"/partner {police} Politie basisteam Oost" in no_name["text"]

    repos = app.bot_data.repos
    [project] = await repos.projects.list_all()
    assert [a.name for a in await repos.projects.areas(project.id)] == [
        "Oost", "Oostbroek", "Kerkstraat", "Molenweg"]
    oostbroek = await repos.projects.area_by_name(project.id, "Oostbroek")
    assert oostbroek is not None and oostbroek.homes == 1450
    assert {p.name for p in await repos.projects.partners(project.id)} == {
        "Gemeente Havendam", "Politie basisteam Oost"}


@pytest.mark.parametrize("lang", LANGS)
async def test_invitation_by_buttons_and_join_by_deep_link(app, people, botapi, lang) -> None:
    leader = people(104, "Anna", lang)
    other_lang = "en" if lang == "nl" else "nl"
    officer = people(204, "Kees", other_lang)
    await create_project(leader, lang)
    await leader.say("/partner politie Politie basisteam Oost")

    menu = await leader.say(INVITE[lang])
    assert fragment(lang, "Invite someone for which partner?") in menu["text"]
    roles = await leader.press_and_read(menu, button(botapi, menu, label="Politie basisteam Oost"))
    validity = await leader.press_and_read(roles, button(botapi, roles, suffix=":wijkagent"))
    link = await leader.press_and_read(validity, button(botapi, validity, suffix=":1"))
    assert "https://t.me/wijkbot_test_bot?start=inv_" in link["text"]
    payload = invitation_payload(link["text"])

    welcome = await officer.say(f"/start {payload}")
    # The new member is greeted in *their* language, the leader is told in *theirs*.
    assert fragment(other_lang, "Welcome to <b>{project}</b>! You joined as {role} for "
                                "{partner}.") in welcome["text"]
    notice = await botapi.next_message(leader.id)
    assert "Kees" in notice["text"] and "Veilig Wonen Oost" in notice["text"]

    member = await app.bot_data.repos.members.get(
        (await app.bot_data.repos.projects.list_all())[0].id, 204)
    assert member is not None and member.role is Role.WIJKAGENT
    assert member.partner_name == "Politie basisteam Oost"

    # The same single-use link cannot be used by someone else, nor twice by the officer.
    intruder = people(304, "Piet", lang)
    refused = await intruder.say(f"/start {payload}")
    assert fragment(lang, "This invitation has already been used.") in refused["text"]
    again = await officer.say(f"/start {payload}")
    assert fragment(other_lang, "You are already a member of “{project}” as {role}.") \
        in again["text"]
    assert await app.bot_data.repos.members.get(member.project_id, 304) is None


@pytest.mark.parametrize("lang", LANGS)
async def test_invitations_expire_and_multi_use(app, people, botapi, clock, lang) -> None:
    leader = people(105, "Anna", lang)
    await create_project(leader, lang)
    await leader.say("/partner woningcorporatie Woonstede")
    multi = "meermalig" if lang == "nl" else "multi"
    reply = await leader.say(f"{INVITE[lang]} Woonstede | partner | {multi} | 7")
    team_payload = invitation_payload(reply["text"])
    single = invitation_payload((await leader.say(f"{INVITE[lang]} woningcorporatie | meelezer"))
                                ["text"])
    for user_id, name in ((205, "Fatima"), (206, "Jeroen")):
        joined = await people(user_id, name, lang).say(f"/start {team_payload}")
        assert fragment(lang, "Welcome to <b>{project}</b>!") in joined["text"]
        notice = await botapi.next_message(leader.id)  # the leader hears who joined
        assert name in notice["text"]

    clock.advance(timedelta(days=8))
    late = await people(207, "Lotte", lang).say(f"/start {single}")
    assert fragment(lang, "This invitation has expired.") in late["text"]
    late_team = await people(208, "Ruud", lang).say(f"/start {team_payload}")
    assert fragment(lang, "This invitation has expired.") in late_team["text"]
    bogus = await people(209, "Eva", lang).say("/start inv_doesnotexist")
    assert fragment(lang, "This invitation link is not valid.") in bogus["text"]

    bad_role = await leader.say(f"{INVITE[lang]} Woonstede | burgemeester")
    assert fragment(lang, "Unknown role “{role}”. Roles: {roles}.") in bad_role["text"]
    # The roles to type, in the user's language.
    assert ("projectleider, partner, wijkagent" if lang == "nl"
            else "leader, partner, officer") in bad_role["text"]
    bad_partner = await leader.say(f"{INVITE[lang]} Bakkerij | partner")
    assert fragment(lang, "Unknown partner “{name}”. See") in bad_partner["text"]
    too_long = await leader.say(f"{INVITE[lang]} Woonstede | partner | 365")
    assert fragment(lang, "An invitation is valid for 1 to {max} days.") in too_long["text"]
    project_id = (await app.bot_data.repos.projects.list_all())[0].id
    members = await app.bot_data.repos.members.for_project(project_id)
    assert sorted(m.user_id for m in members) == [105, 205, 206]


@pytest.mark.parametrize("lang", LANGS)
async def test_link_operational_group(app, people, botapi, lang) -> None:
    leader = people(106, "Anna", lang)
    await create_project(leader, lang)
    group = botapi.group(-1001, "Operationeel overleg Oost")

    # Added to a group it does not know: the bot explains, and stores nothing.
    botapi.add_bot_to_group(leader.user, group)
    explanation = await botapi.next_message(-1001)
    assert "/koppelen@wijkbot_test_bot" in explanation["text"] or \
        "/link@wijkbot_test_bot" in explanation["text"]
    assert await app.bot_data.repos.chats.active(-1001) is None

    menu = await leader.say(LINK[lang])
    code_message = await leader.press_and_read(menu, button(botapi, menu, suffix=":op"))
    code = link_code(code_message["text"])

    # A stranger typing the code in the group cannot link it.
    stranger = people(406, "Onbekend", lang)
    refused = await stranger.say(f"{LINK[lang]}@wijkbot_test_bot {code}", group)
    assert fragment(lang, "Only a project leader of this project can link a group.") \
        in refused["text"]
    linked = await leader.say(f"{LINK[lang]}@wijkbot_test_bot {code.lower()}", group)
    assert "Veilig Wonen Oost" in linked["text"]
    link = await app.bot_data.repos.chats.active(-1001)
    assert link is not None and link.purpose.value == "operationeel"
    assert link.language == lang

    reuse = await leader.say(f"{LINK[lang]}@wijkbot_test_bot {code}", botapi.group(-1002, "X"))
    assert fragment(lang, "This link code has already been used.") in reuse["text"]
    assert await app.bot_data.repos.chats.active(-1002) is None

    # In the linked group, members see the project; removal ends the link.
    overview = await leader.say("/project", group)
    assert "Veilig Wonen Oost" in overview["text"]
    botapi.remove_bot_from_group(leader.user, group)
    await botapi.settle()
    assert await app.bot_data.repos.chats.active(-1001) is None


@pytest.mark.parametrize("lang", LANGS)
async def test_link_neighbourhood_watch_group_with_areas(app, people, botapi, lang) -> None:
    leader = people(107, "Anna", lang)
    await create_project(leader, lang)
    await leader.say(f"{AREA[lang]} buurt Oostbroek")
    await leader.say(f"{AREA[lang]} buurt Westhaven")
    await leader.say(f"{AREA[lang]} straat Kerkstraat")
    menu = await leader.say(LINK[lang])
    areas = await leader.press_and_read(menu, button(botapi, menu, suffix=":bp"))
    assert fragment(lang, "Which areas does this neighbourhood watch group cover?") \
        in areas["text"]
    # Neighbourhoods as buttons, two to a row; a street is typed (the hint names one).
    assert [len(row) for row in areas["reply_markup"]["inline_keyboard"]] == [2, 1]
    assert not any("Kerkstraat" in label for label in botapi.button_texts(areas))
    assert "Kerkstraat</code>" in areas["text"]
    # Done before anything is chosen: an alert, no code.
    since = botapi.mark()
    botapi.press_button(leader.user, areas, button(botapi, areas, suffix=":done"))
    alert = await botapi.wait_for("answerCallbackQuery", since=since)
    assert alert.params["text"] == fragment(lang, "Tap at least one area first.")
    assert alert.params["show_alert"] is True
    toggled = await leader.press_and_read(areas, button(botapi, areas, label="Oostbroek"))
    assert any(t.startswith("✅") and t.endswith("Oostbroek")
               for t in botapi.button_texts(toggled))
    code_message = await leader.press_and_read(toggled, button(botapi, toggled, suffix=":done"))
    assert "Oostbroek" in code_message["text"] and "Westhaven" not in code_message["text"]
    group = botapi.group(-2001, "Buurtpreventie Oostbroek", type="supergroup")
    await leader.say(f"{LINK[lang]}@wijkbot_test_bot {link_code(code_message['text'])}", group)
    link = await app.bot_data.repos.chats.active(-2001)
    assert link is not None and link.purpose.value == "buurtpreventie"
    assert len(link.area_ids) == 1

    # Nobody can query anything in a neighbourhood watch group, not even the leader.
    refused = await leader.say("/project", group)
    assert fragment(lang, "This is a neighbourhood watch group: I post alerts and prevention "
                          "advice here, but cannot answer questions.") in refused["text"]
    assert "Oostbroek" not in refused["text"]

    # One-line form, and its bad input.
    code_line = await leader.say(f"{LINK[lang]} buurtpreventie Westhaven")
    assert "Westhaven" in code_line["text"]
    unknown = await leader.say(f"{LINK[lang]} buurtpreventie Nergenshuizen")
    assert expect(lang, "Unknown area “{name}”. /project lists the areas.",
                  name="Nergenshuizen") in unknown["text"]
    no_area = await leader.say(f"{LINK[lang]} buurtpreventie")
    assert fragment(lang, "A neighbourhood watch group needs at least one area.") \
        in no_area["text"]


async def test_area_picker_fits_telegrams_button_limit(app, people, botapi) -> None:
    """A municipality-wide project with 150 neighbourhoods: the picker shows what fits in
    one keyboard (Telegram refuses more than 100 buttons) and says the rest can be typed."""
    leader = people(117, "Anna", "en")
    await create_project(leader, "en")
    [project] = await app.bot_data.repos.projects.list_all()
    for number in range(150):
        await app.bot_data.repos.projects.add_area(project.id, f"Buurt {number:03d}",
                                                   AreaKind.BUURT)
    menu = await leader.say(LINK["en"])
    areas = await leader.press_and_read(menu, button(botapi, menu, suffix=":bp"))
    labels = botapi.button_texts(areas)
    assert len(labels) <= 100 and "▫️ Buurt 000" in labels and labels[-1] == "Done"
    assert "Buurt 149" not in " ".join(labels)
    assert "/link neighbourhoodwatch Buurt" in areas["text"]


@pytest.mark.parametrize("lang", LANGS)
async def test_permissions_and_help_by_role(app, people, botapi, lang) -> None:
    leader = people(108, "Anna", lang)
    await create_project(leader, lang)
    await leader.say("/partner politie Politie Oost")
    payload = invitation_payload((await leader.say(f"{INVITE[lang]} politie | meelezer"))["text"])
    observer = people(208, "Mees", lang)
    await observer.say(f"/start {payload}")
    assert "Mees" in (await botapi.next_message(leader.id))["text"]

    refused = await observer.say(f"{AREA[lang]} buurt Oostbroek")
    with use_locale(lang):
        role = role_label(Role.MEELEZER)
    assert refused["text"] == expect(lang, "As {role} you cannot do this. Ask your project "
                                           "leader.", role=role)
    leader_help = await leader.say("/help")
    observer_help = await observer.say("/help")
    assert f"{INVITE[lang]}" in leader_help["text"]
    assert f"{INVITE[lang]} " not in observer_help["text"]
    assert "/project" in observer_help["text"]
    # Under headings, in a fixed order; a heading only where the role has a command.
    lines = leader_help["text"].split("\n")
    headings = [expect(lang, h) for h in ("Getting started", "Project, partners and groups",
                                          "Actions", "Steering information", "Meetings",
                                          "On the street", "Neighbourhood watch", "Settings")]
    assert [line for line in lines if line in headings] == headings
    assert lines[lines.index(headings[1]) + 1].startswith("/project")
    assert expect(lang, "Project, partners and groups") in observer_help["text"]

    stranger = people(408, "Nina", lang)
    nothing = await stranger.say("/project")
    assert fragment(lang, "You are not a member of a partnership yet.") in nothing["text"]
    assert "Veilig Wonen Oost" not in nothing["text"]
    stranger_help = await stranger.say("/help")
    assert "/project" not in stranger_help["text"]
    assert expect(lang, "Actions") not in stranger_help["text"].split("\n")  # none of them

    group = botapi.group(-3001, "Onbekende groep")
    unlinked = await stranger.say("/project", group)
    assert fragment(lang, "This group is not linked to a project, so I cannot help here yet.") \
        in unlinked["text"]
    unknown = await leader.say("/vliegtuig")
    assert fragment(lang, "I do not know that command.") in unknown["text"]
    # A word for a command that is called differently, or a typo: the one probably meant,
    # by its name in the user's language, with what it does; nothing is run.
    meant = await leader.say("/vergadering")
    meeting = "/overleg" if lang == "nl" else "/meeting"
    assert meant["text"] == expect(
        lang, "I do not know /{typed}. Did you mean /{command} ({description})? /help shows "
        "what you can do.", typed="vergadering", command=meeting[1:],
        description=expect(lang, "meeting schedule: rhythm, dates, skip, move, lead time"))
    typo = await leader.say("/stuing@WijkBot Oost")
    assert ("/sturing" if lang == "nl" else "/steering") in typo["text"]
    assert "/stuing" in typo["text"] and "@" not in typo["text"]


async def test_person_in_two_projects_is_asked_which(app, people, botapi) -> None:
    leader = people(109, "Anna", "nl")
    await create_project(leader, "nl", "Project Noord", "Havendam")
    await create_project(leader, "nl", "Project Zuid", "Havendam")
    switched = await leader.say("/project Project Noord")
    assert switched["text"].startswith("Project Noord")
    switch = await botapi.next_message(109)  # offers the other project
    assert botapi.button_texts(switch) == [expect("nl", "Switch to {project}",
                                                  project="Project Zuid")]
    # A chat with no remembered choice (e.g. the chosen project was left): the bot asks.
    await app.bot_data.db.execute("DELETE FROM chat_projects WHERE chat_id=?", (109,))
    question = await leader.say("/gebied buurt Centrum")
    assert "Centrum" not in question["text"]
    assert "Project Noord" in botapi.button_texts(question)
    botapi.press_button(leader.user, question, button(botapi, question, label="Project Zuid"))
    done = await botapi.next_message(109)
    assert "Centrum" in done["text"]  # the original command resumed in the chosen project
    repos = app.bot_data.repos
    projects = {p.name: p.id for p in await repos.projects.list_all()}
    assert await repos.projects.area_by_name(projects["Project Zuid"], "Centrum") is not None
    assert await repos.projects.area_by_name(projects["Project Noord"], "Centrum") is None


async def test_language_switch(app, people) -> None:
    user = people(110, "Tom", "nl")
    reply = await user.say("/taal en")
    assert reply["text"] == "From now on I speak English with you."
    assert "What you can do here" in (await user.say("/help"))["text"]
    assert "What you can do here" in (await user.say("/hulp"))["text"]  # an alias
    back = await user.say("/language nl")
    assert back["text"] == fragment("nl", "From now on I speak English with you.")
    assert back["text"] != "From now on I speak English with you."
    bad = await user.say("/taal fr")
    assert fragment("nl", "Unknown language.") in bad["text"]


async def test_command_menus_registered_per_language_and_scope(app, botapi) -> None:
    nl_private = [c["command"] for c in botapi.commands("all_private_chats", "nl")]
    en_private = [c["command"] for c in botapi.commands("all_private_chats", "en")]
    assert "nieuwproject" in nl_private and "newproject" in en_private
    assert "uitnodigen" in nl_private and "invite" in en_private
    assert "help" in nl_private and "help" in en_private and "hulp" not in en_private
    groups = [c["command"] for c in botapi.commands("all_group_chats", "nl")]
    assert "koppelen" in groups and "nieuwproject" not in groups
    assert botapi.commands("default", "")  # users with another app language see Dutch


async def test_internal_error_gets_a_polite_answer(app, people, botapi) -> None:
    user = people(111, "Tom", "en")
    botapi.fail_next("sendMessage", 400, "Bad Request: something unexpected", chat_id=111)
    botapi.send_text(user.user, "/help")
    sorry = await botapi.next_message(111)
    assert sorry["text"].startswith("Sorry, something went wrong")
    assert "Bad Request" not in sorry["text"]


def test_suggestions_name_real_commands_only() -> None:
    """Every synonym leads to a command of the catalogue and is not a command itself (it
    would never be unknown); unrelated words get no guess."""
    from bot.commands import BY_NAME, SYNONYMS, suggest
    for word, names in SYNONYMS.items():
        assert word not in BY_NAME and names[0] in BY_NAME, word
        spec = suggest(word)
        assert spec is not None and spec.names == names
    assert suggest("acties").names[0] == "openstaand"  # a synonym beats the close "actie"
    assert suggest("actei").names[0] == "actie"  # a typo
    assert suggest("vliegtuig") is None and suggest("x") is None
    from bot.commands import named
    assert named("Open!").names[0] == "openstaand" and named("notulen").names[0] == "verslag"
    assert named("opne") is None  # plain text: no guessing at typos
