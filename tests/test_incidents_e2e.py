"""End to end: importing police exports in chat, /inbraak, and /sturing delivering the
steering pack as a media group plus key points — in Dutch and English."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from bot.errors import UserError
from bot.i18n import Msgid, _, format_date, ngettext, use_locale
from bot.incidents import IncidentService
from handlers.common import esc
from handlers.steering import split_date
from storage.db import Database
from storage.models import AreaKind, ChatPurpose
from storage.repositories import Repositories
from tests.botapi import FakeBotAPI
from tests.conftest import START, demo_bot, fragment, invitation_payload, link_code

DATA = Path(__file__).parent / "data" / "import"
LANGS = ["nl", "en"]


def t(lang: str, prefix: str) -> str:
    return fragment(lang, prefix)


def registered(lang: str, count: int) -> str:
    with use_locale(lang):
        return ngettext("Burglary registered. The project now has {count} registered burglary.",
                        "Burglary registered. The project now has {count} registered "
                        "burglaries.", count).format(count=count)


def tr(lang: str, msgid: str, **params: object) -> str:
    """The whole translation of ``msgid`` with its parameters filled in."""
    with use_locale(lang):
        return _(msgid).format(**{k: _(v) if isinstance(v, Msgid) else v
                                  for k, v in params.items()})


async def project_with_analyst(people, botapi, lang: str):
    leader = people(100, "Anna", lang)
    analyst = people(300, "Sanne", lang)
    partner = people(400, "Dennis", lang)
    await leader.say(f"{'/nieuwproject' if lang == 'nl' else '/newproject'} Veilig Wonen Oost "
                     "| Den Haag")
    await leader.say("/gebied buurt Oostbroek | BU99990101 | 1450")
    await leader.say("/partner politie Politie basisteam Oost")
    for person, role in ((analyst, "analist"), (partner, "partner")):
        invite = await leader.say(f"/uitnodigen politie | {role}")
        await person.say(f"/start {invitation_payload(invite['text'])}")
        await botapi.next_message(leader.id)
    return leader, analyst, partner


@pytest.mark.parametrize("lang", LANGS)
async def test_import_a_messy_police_export_in_chat(app, people, botapi, lang) -> None:
    leader, analyst, partner = await project_with_analyst(people, botapi, lang)
    data = (DATA / "bvh_export_cp1252.csv").read_bytes()
    botapi.send_document(analyst.user, "bvh_export_cp1252.csv", data, "text/csv")
    status = await botapi.next_message(analyst.id)
    report_call = await botapi.wait_for(
        "editMessageText", lambda c: "bvh_export_cp1252.csv" in c.params.get("text", "")
        and "…" not in c.params.get("text", ""), timeout=30)
    report = report_call.params["text"]
    assert status["message_id"] == report_call.params["message_id"]  # one message, edited
    [project] = await app.bot_data.repos.projects.list_all()
    stored = await app.bot_data.repos.incidents.count(project.id)
    assert stored > 0
    assert str(stored) in report
    # Re-sending the same file adds nothing: every row is a known duplicate.
    botapi.send_document(analyst.user, "bvh_export_cp1252.csv", data, "text/csv")
    await botapi.next_message(analyst.id)
    again = await botapi.wait_for(
        "editMessageText", lambda c: c.index > report_call.index
        and "bvh_export_cp1252.csv" in c.params.get("text", "")
        and "…" not in c.params.get("text", ""), timeout=30)
    assert await app.bot_data.repos.incidents.count(project.id) == stored
    # The export repeats one row; all others were imported the first time. Plural forms
    # follow the count ("1 dubbele rij", "9 dubbele rijen").
    with use_locale(lang):
        skipped = ngettext(
            "{count} duplicate skipped ({in_file} twice in the file, {known} already "
            "imported before).",
            "{count} duplicates skipped ({in_file} twice in the file, {known} already "
            "imported before).", stored + 1).format(count=stored + 1, in_file=1, known=stored)
    assert skipped in again.params["text"]
    with use_locale(lang):
        once = ngettext(
            "{count} duplicate skipped ({in_file} twice in the file, {known} already "
            "imported before).",
            "{count} duplicates skipped ({in_file} twice in the file, {known} already "
            "imported before).", 1).format(count=1, in_file=1, known=0)
    assert once in report  # the singular form for one
    # A partner may not import police data.
    botapi.send_document(partner.user, "x.csv", data, "text/csv")
    refused = await botapi.next_message(partner.id)
    assert "bvh" not in refused["text"]
    assert await app.bot_data.repos.incidents.count(project.id) == stored


@pytest.mark.parametrize(("name", "content", "expect"), [
    ("leeg.csv", b"", "The file “{filename}” is empty."),
    ("foto.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,
     "“{filename}” is not a CSV or Excel file (it looks like"),
    ("oud.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
     "“{filename}” is an old Excel file (.xls)."),
])
async def test_bad_uploads_get_a_precise_answer_and_change_nothing(app, people, botapi, name,
                                                                   content, expect) -> None:
    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    botapi.send_document(analyst.user, name, content, "text/csv")
    await botapi.next_message(analyst.id)
    call = await botapi.wait_for("editMessageText",
                                 lambda c: "Nothing was imported" in c.params.get("text", ""),
                                 timeout=30)
    assert t("en", expect) in call.params["text"]
    [project] = await app.bot_data.repos.projects.list_all()
    assert await app.bot_data.repos.incidents.count(project.id) == 0


async def test_oversized_upload_is_refused_before_download(app, people, botapi) -> None:
    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    botapi.send_document(analyst.user, "huge.csv", b"a;b\n" * (21 * 1024 * 1024 // 4 + 10),
                         "text/csv")
    answer = await botapi.next_message(analyst.id)
    assert "at most 20 MB" in answer["text"]
    assert not botapi.calls_to("getFile")


async def test_ten_percent_bad_rows(app, people, botapi) -> None:
    leader, analyst, partner = await project_with_analyst(people, botapi, "nl")
    botapi.send_document(analyst.user, "ten_percent_bad.csv",
                         (DATA / "ten_percent_bad.csv").read_bytes(), "text/csv")
    await botapi.next_message(analyst.id)
    call = await botapi.wait_for(
        "editMessageText", lambda c: "ten_percent_bad.csv" in c.params.get("text", "")
        and "…" not in c.params.get("text", "").split("\n")[0], timeout=30)
    text = call.params["text"]
    rows = re.findall(r"rij (\d+)", text)
    assert rows, text
    [project] = await app.bot_data.repos.projects.list_all()
    imported = await app.bot_data.repos.incidents.count(project.id)
    assert imported > 0 and len(rows) <= imported // 5


async def test_a_second_export_with_other_headers_imports_too(app, people, botapi) -> None:
    """The mapping saved with the first import must not refuse a differently laid-out
    export later (a Dutch police export first, then one with English headers)."""
    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    [project] = await app.bot_data.repos.projects.list_all()
    counts = []
    # The English file's places lie in Amsterdam, ~57 km from the first file's: moved to
    # Delft, next to them (a project covers one area: test_an_export_of_another_area_…).
    english = re.sub(rb"52\.\d+,4\.\d+", b"52.0100,4.3600",
                     (DATA / "english_comma.csv").read_bytes())
    for name, data in (("ten_percent_bad.csv", (DATA / "ten_percent_bad.csv").read_bytes()),
                       ("english_comma.csv", english)):
        botapi.send_document(analyst.user, name, data, "text/csv")
        await botapi.next_message(analyst.id)
        call = await botapi.wait_for(
            "editMessageText", lambda c, n=name: n in c.params.get("text", "")
            and "…" not in c.params.get("text", "").split("\n")[0], timeout=30)
        assert "Nothing was imported" not in call.params["text"], call.params["text"]
        counts.append(await app.bot_data.repos.incidents.count(project.id))
    assert 0 < counts[0] < counts[1]


async def attempt_question(botapi: FakeBotAPI, chat_id: int, since: int) -> dict:
    """The question after the place: sent with the location keyboard removed, then given
    its buttons by an edit (a message carries one kind of markup)."""
    call = await botapi.wait_for("editMessageReplyMarkup",
                                 lambda c: c.params["chat_id"] == chat_id, since=since)
    question = botapi.message(chat_id, call.params["message_id"])
    assert botapi.reply_keyboard(question) == {"remove_keyboard": True}
    botapi.drain(chat_id)
    return question


def location_button(botapi: FakeBotAPI, message: dict) -> dict:
    """The one button of the one-tap location keyboard under ``message``."""
    markup = botapi.reply_keyboard(message)
    assert markup is not None and markup.get("one_time_keyboard") is True
    [[button]] = markup["keyboard"]
    assert button["request_location"] is True
    return button


async def project_with_officer(people, botapi, lang: str, *areas: str):  # type: ignore[no-untyped-def]
    """A project with these areas (``/gebied`` arguments), a police partner and a wijkagent."""
    leader = people(100, "Anna", lang)
    officer = people(200, "Kees", lang)
    await leader.say("/nieuwproject Veilig Wonen Oost | Havendam")
    for area in areas:
        await leader.say(f"/gebied {area}")
    await leader.say("/partner politie Politie")
    invite = await leader.say("/uitnodigen politie | wijkagent")
    await officer.say(f"/start {invitation_payload(invite['text'])}")
    await botapi.next_message(leader.id)
    return leader, officer


@pytest.mark.parametrize("lang", LANGS)
async def test_register_a_burglary(app, people, botapi, lang) -> None:
    leader, officer = await project_with_officer(people, botapi, lang, "straat Dorpsstraat")
    command = "/inbraak" if lang == "nl" else "/burglary"
    # The one-line form, with the modus operandi in the officer's own language; the reply
    # shows how the line was understood.
    sneak_in = "insluiping" if lang == "nl" else "Sneak-in"
    saved = await officer.say(f"{command} Dorpsstraat 12 | 22-11 21:30 | poging | {sneak_in}")
    assert registered(lang, 1) in saved["text"]  # the singular for one
    when = {"nl": "22-11-2026, 21:30", "en": "22/11/2026, 21:30"}[lang]
    assert tr(lang, "When: {when}", when=when) + "\n" in saved["text"]
    assert tr(lang, "Modus operandi: {mo}", mo=Msgid("sneak-in")) in saved["text"]
    # A typo in the attempt part is refused, not read as "no".
    typo = await officer.say(f"{command} Dorpsstraat 14 | 22-11 21:30 | pogign")
    assert "pogign" in typo["text"] and "✅" not in typo["text"]
    # With buttons and a shared location. Each answered question becomes its answer.
    ask = await officer.say(command)
    ask_where_call = botapi.mark()
    botapi.press_button(officer.user, ask, next(d for d in botapi.button_data(ask)
                                            if d.endswith(":night")))
    await botapi.wait_for("sendMessage", lambda c: c.params.get("chat_id") == 200,
                          since=ask_where_call)
    answered = botapi.current(ask)
    assert not botapi.button_data(answered)  # no second tap on an old button
    night = {"nl": "22-11-2026, 18:00 – 23-11-2026, 07:00",
             "en": "22/11/2026, 18:00 – 23/11/2026, 07:00"}[lang]
    assert tr(lang, "When: {when}", when=night) in answered["text"]
    # Where? On a phone in the street: one tap shares the location.
    where = await botapi.next_message(200)
    assert location_button(botapi, where)["text"] == "📍 " + t(lang, "Share my location")
    since = botapi.mark()
    botapi.send_location(officer.user, 52.07, 4.30)
    attempt = await attempt_question(botapi, 200, since)
    assert tr(lang, "Where: {where}", where=Msgid("shared location")) in attempt["text"]
    mo = await officer.press_and_read(attempt, botapi.button_data(attempt)[1])
    assert tr(lang, "Attempt: {answer}", answer=Msgid("no")) in mo["text"]
    assert botapi.button_texts(mo)[:2] == {"nl": ["Braak achterdeur", "Braak voordeur"],
                                           "en": ["Forced back door", "Forced front door"]}[lang]
    botapi.press_button(officer.user, mo, botapi.button_data(mo)[0])
    done = await botapi.next_message(200)
    assert registered(lang, 2) in done["text"]
    record = botapi.current(attempt)
    assert not botapi.button_data(record)
    assert tr(lang, "Modus operandi: {mo}", mo=Msgid("forced back door")) in record["text"]
    [project] = await app.bot_data.repos.projects.list_all()
    rows = await app.bot_data.db.fetchall(
        "SELECT street, house_number, attempt, modus_operandi, x_rd, area_id FROM incidents"
        " WHERE project_id=? ORDER BY id", (project.id,))
    assert len(rows) == 2
    assert (rows[0]["street"], rows[0]["house_number"], rows[0]["attempt"]) == (
        "Dorpsstraat", "12", 1)
    assert rows[0]["modus_operandi"] == "insluiping"  # one key, whatever the language
    assert rows[0]["area_id"] is not None  # matched to the street area
    assert rows[1]["x_rd"] is not None and rows[1]["modus_operandi"] == "braak achterdeur"
    assert rows[1]["attempt"] == 0
    future = await officer.say(f"{command} Dorpsstraat 3 | 31-12-2030 21:30")
    assert "2030" in future["text"] and "✅" not in future["text"]  # refused, with the date
    # A shared location far from the project's burglaries (Amsterdam, not The Hague) is a
    # mistake: refused, and the dialogue still waits for the place.
    ask = await officer.say(command)
    await officer.press(ask, next(d for d in botapi.button_data(ask) if d.endswith(":now")))
    await botapi.next_message(200)
    botapi.send_location(officer.user, 52.37, 4.89)
    far = await botapi.next_message(200)
    assert t(lang, "This location lies {km} km outside") in far["text"]
    location_button(botapi, far)  # back, to share the right place
    assert await app.bot_data.repos.incidents.count(project.id) == 2
    since = botapi.mark()
    botapi.send_text(officer.user, "Dorpsstraat 20")  # typed: the keyboard goes all the same
    answer = await attempt_question(botapi, 200, since)
    assert botapi.button_data(answer)  # on to the attempt question
    # Typing /cancel ends it: nothing saved, and the open question's buttons go dead.
    cancelled = await officer.say("/annuleren" if lang == "nl" else "/cancel")
    assert t(lang, "Cancelled. Nothing was saved.") in cancelled["text"]
    assert botapi.reply_keyboard(cancelled) == {"remove_keyboard": True}
    assert not botapi.button_data(answer)
    assert await app.bot_data.repos.incidents.count(project.id) == 2


@pytest.mark.parametrize(("now", "text", "expected"), [
    # (local now, typed, expected local window)
    ("2026-11-23 10:00", "21:30", ("2026-11-22 21:30", "2026-11-22 21:30")),  # last night
    ("2026-11-23 10:00", "10:30", ("2026-11-23 10:30", "2026-11-23 10:30")),  # the clock's slack
    ("2026-11-23 10:00", "08:00-17:30", ("2026-11-23 08:00", "2026-11-23 10:00")),  # up to now
    ("2026-11-23 10:00", "22:00-06:30", ("2026-11-22 22:00", "2026-11-23 06:30")),  # overnight
    # A window without a date that has not begun yet is yesterday's, never one ahead.
    ("2026-11-23 07:30", "08:00-17:30", ("2026-11-22 08:00", "2026-11-22 17:30")),
    ("2026-11-23 21:30", "22:00-06:00", ("2026-11-22 22:00", "2026-11-23 06:00")),
    ("2026-11-23 10:00", "23-11 10:30-12:00", ("2026-11-23 10:30", "2026-11-23 10:30")),
    ("2026-11-23 10:00", "23-11 07:15", ("2026-11-23 07:15", "2026-11-23 07:15")),
    ("2026-01-02 10:00", "31-12 23:00", ("2025-12-31 23:00", "2025-12-31 23:00")),  # last year
    ("2026-03-01 10:00", "20-12 12:00", ("2025-12-20 12:00", "2025-12-20 12:00")),  # nearer
    ("2026-11-23 10:00", "20-06 12:00", ("2026-06-20 12:00", "2026-06-20 12:00")),
    # Day words, in Dutch or English, with or without a time.
    ("2026-11-23 10:00", "gisteren 21:30", ("2026-11-22 21:30", "2026-11-22 21:30")),
    ("2026-11-23 10:00", "Vandaag  03:00", ("2026-11-23 03:00", "2026-11-23 03:00")),
    ("2026-11-23 10:00", "yesterday 22:00-06:30", ("2026-11-22 22:00", "2026-11-23 06:30")),
    ("2026-11-23 10:00", "eergisteren", ("2026-11-21 00:00", "2026-11-22 00:00")),
    ("2026-11-23 10:00", "vandaag", ("2026-11-23 00:00", "2026-11-23 10:00")),
    ("2026-11-23 10:00", "vannacht", ("2026-11-22 18:00", "2026-11-23 07:00")),
    ("2026-11-23 10:00", "last night", ("2026-11-22 18:00", "2026-11-23 07:00")),
    ("2026-11-23 10:00", "nu", ("2026-11-23 10:00", "2026-11-23 10:00")),
])
def test_parse_when_means_what_the_officer_means(now, text, expected) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from handlers.incidents import parse_when

    tz = ZoneInfo("Europe/Amsterdam")
    local = datetime.fromisoformat(now).replace(tzinfo=tz)
    start, end = parse_when(text, local)
    assert (start.strftime("%Y-%m-%d %H:%M"), end.strftime("%Y-%m-%d %H:%M")) == expected


def test_parse_when_refuses_an_explicit_future_date() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.errors import UserError
    from handlers.incidents import parse_when

    now = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    with pytest.raises(UserError) as info, use_locale("nl"):
        parse_when("31-12-2030 21:30", now)
    with use_locale("nl"):
        assert info.value.render() == "De datum 31-12-2030, 21:30 ligt in de toekomst."
    # A date without a year two days ahead is a slip, not a burglary of a year ago.
    with pytest.raises(UserError) as info, use_locale("nl"):
        parse_when("25-11 10:00", now)
    with use_locale("nl"):
        assert info.value.render() == "De datum 25-11-2026, 10:00 ligt in de toekomst."
    # “Today” is explicit too: a later hour is not moved to yesterday.
    with pytest.raises(UserError, match="future"):
        parse_when("vandaag 23:00", now)
    for wrong in ("gisteren 23-11 21:30", "morgen 21:30", "vandaag om half tien"):
        with pytest.raises(UserError, match="yesterday 21:30"):
            parse_when(wrong, now)


def test_quick_windows_never_end_in_the_future() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from handlers.incidents import _day_window, _night_window

    tz = ZoneInfo("Europe/Amsterdam")
    early = datetime(2026, 11, 23, 6, 30, tzinfo=tz)
    assert _day_window(early) == (datetime(2026, 11, 22, 8, 0, tzinfo=tz),
                                  datetime(2026, 11, 22, 18, 0, tzinfo=tz))
    assert _night_window(early) == (datetime(2026, 11, 22, 18, 0, tzinfo=tz), early)
    noon = datetime(2026, 11, 23, 12, 0, tzinfo=tz)
    assert _day_window(noon) == (datetime(2026, 11, 23, 8, 0, tzinfo=tz), noon)
    assert _night_window(noon) == (datetime(2026, 11, 22, 18, 0, tzinfo=tz),
                                   datetime(2026, 11, 23, 7, 0, tzinfo=tz))


@pytest.mark.parametrize("lang", LANGS)
async def test_steering_pack_as_media_group(tmp_path: Path, botapi: FakeBotAPI, lang) -> None:
    async with demo_bot(tmp_path, botapi) as (counts, _data):
        invite_code = counts["invite_code"]
        me = botapi.user(42, "Demo", language_code=lang)
        botapi.send_text(me, f"/start inv_{invite_code}")
        await botapi.next_message(42)
        since = botapi.mark()
        botapi.send_text(me, "/sturing" if lang == "nl" else "/steering")
        group = await botapi.wait_for("sendMediaGroup", since=since, timeout=60)
        media = group.params["media"]
        assert len(media) == 6 and all(m["type"] == "photo" for m in media)
        assert all(f.data.startswith(b"\x89PNG") for f in group.files.values())
        photos = [await botapi.next_message(42) for _ in media]
        assert all("photo" in p for p in photos)
        summary = await botapi.next_message(42, timeout=30)
        assert "Focus woninginbraak Havendam" in summary["text"]
        assert t(lang, "<b>Steering information") in summary["text"]
        assert len(summary["text"].splitlines()) >= 4
        # One area only, and an unknown area.
        since = botapi.mark()
        botapi.send_text(me, "/sturing Molenkwartier")
        group = await botapi.wait_for("sendMediaGroup", since=since, timeout=60)
        for _ in group.params["media"]:
            await botapi.next_message(42)
        assert "Molenkwartier" in (await botapi.next_message(42, timeout=30))["text"]
        since = botapi.mark()
        botapi.send_text(me, "/sturing Molenkwartir")
        typo = await botapi.next_message(42, timeout=30)
        assert tr(lang, "Unknown area “{name}”. Did you mean: {matches}?", name="Molenkwartir",
                  matches="Molenkwartier") in typo["text"]
        # Answered at once: no "sending photo…" first.
        assert not [c for c in botapi.calls[since:] if c.method == "sendChatAction"]

        # The pack as it looked on an earlier day (what the last meeting saw).
        since = botapi.mark()
        botapi.send_text(me, ("/sturing" if lang == "nl" else "/steering") + " 9-11")
        group = await botapi.wait_for("sendMediaGroup", since=since, timeout=60)
        for _ in group.params["media"]:
            await botapi.next_message(42)
        earlier = (await botapi.next_message(42, timeout=30))["text"]
        with use_locale(lang):
            assert earlier.split("\n")[0].endswith(format_date(date(2026, 11, 9), "long"))
        db = await Database(tmp_path / "demo.sqlite").connect()
        try:
            service = IncidentService(Repositories(db), FixedClock(START),
                                      ZoneInfo("Europe/Amsterdam"))
            points = await service.key_points(1, date(2026, 11, 9), language=lang)
            today = await service.key_points(1, date(2026, 11, 23), language=lang)
        finally:
            await db.close()
        assert points != today and all(esc(p) in earlier for p in points)
        # A day that does not exist, or lies ahead: a clear answer and no pack.
        since = botapi.mark()
        botapi.send_text(me, "/sturing Molenkwartier 31-02-2026")
        assert tr(lang, "{text} is not a valid date.", text="31-02-2026") in (
            await botapi.next_message(42))["text"]
        botapi.send_text(me, "/sturing 1-1-2027")
        ahead = (await botapi.next_message(42))["text"]
        with use_locale(lang):
            long_today = format_date(date(2026, 11, 23), "long")
        assert tr(lang, "A steering pack looks back, so its date cannot lie after today "
                  "({today}).", today=long_today) in ahead
        assert not [c for c in botapi.calls[since:] if c.method == "sendMediaGroup"]


def test_a_date_at_the_end_of_the_steering_command() -> None:
    today = date(2026, 11, 23)
    assert split_date("Molenkwartier 9-11", today) == ("Molenkwartier", date(2026, 11, 9))
    assert split_date("9-11-2025", today) == ("", date(2025, 11, 9))
    assert split_date("Oude Haven 2026-01-31", today) == ("Oude Haven", date(2026, 1, 31))
    # Day and month only: the latest such day up to today.
    assert split_date("20-12", today) == ("", date(2025, 12, 20))
    # ... but a day just ahead is a slip for that day (then refused as ahead), not a pack
    # of a year ago.
    assert split_date("24-11", today) == ("", date(2026, 11, 24))
    # The ways people write dates: a two-digit year, slashes, dots.
    assert split_date("Oostbroek 9-11-26", today) == ("Oostbroek", date(2026, 11, 9))
    assert split_date("9/11", today) == ("", date(2026, 11, 9))
    assert split_date("Oostbroek 9.11.2025", today) == ("Oostbroek", date(2025, 11, 9))
    # Not a date at the end: all of it is the area.
    assert split_date("Wijk 5", today) == ("Wijk 5", None)
    assert split_date("2e Industriestraat", today) == ("2e Industriestraat", None)
    with pytest.raises(UserError):
        split_date("29-2-2026", today)


def _answered(botapi: FakeBotAPI, chat_id: int, since: int) -> int:
    """The position in the call log of the first message sent to ``chat_id`` after ``since``."""
    return next(i for i, c in enumerate(botapi.calls) if i >= since and c.ok
                and c.method == "sendMessage" and c.params.get("chat_id") == chat_id)


async def test_others_are_answered_while_a_pack_is_made(tmp_path: Path, botapi) -> None:
    """A steering pack takes seconds; meanwhile the bot keeps answering everybody else
    (before, updates were handled one at a time, so all waited for the pack)."""
    async with demo_bot(tmp_path, botapi) as (counts, _data):
        invite_code = counts["invite_code"]
        me, other = botapi.user(42, "Demo", language_code="en"), botapi.user(43, "Piet")
        botapi.send_text(me, f"/start inv_{invite_code}")
        await botapi.next_message(42)
        since = botapi.mark()
        botapi.send_text(me, "/steering")
        botapi.send_text(other, "/help")
        group = await botapi.wait_for("sendMediaGroup", since=since, timeout=60)
        assert _answered(botapi, 43, since) < botapi.calls.index(group)


async def test_others_are_answered_while_a_file_is_imported(app, people, botapi) -> None:
    leader, analyst, partner = await project_with_analyst(people, botapi, "nl")
    # 40,000 rows: a few seconds of reading, checking and hotspot detection.
    rows = "".join(f"{1 + i % 28:02d}-{1 + i % 12:02d}-2025;Straat {i % 300};{i};J;"
                   f"{81000 + i % 997};{455000 + i % 991}\n" for i in range(40_000))
    data = ("Pleegdatum;Straat;Huisnummer;Poging;X;Y\n" + rows).encode()
    since = botapi.mark()
    botapi.send_document(analyst.user, "groot.csv", data, "text/csv")
    botapi.send_text(partner.user, "/help")
    report = await botapi.wait_for(
        "editMessageText", lambda c: "groot.csv" in c.params.get("text", "")
        and "…" not in c.params.get("text", "").split("\n")[0], timeout=60, since=since)
    assert "40.000 inbraken geïmporteerd" in report.params["text"], report.params["text"]
    assert _answered(botapi, partner.id, since) < botapi.calls.index(report)


async def test_incident_detail_only_for_allowed_roles_and_never_in_groups(app, people,
                                                                          botapi) -> None:
    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    officer = people(500, "Kees", "en")
    invite = await leader.say("/invite politie | wijkagent")
    await officer.say(f"/start {invitation_payload(invite['text'])}")
    await botapi.next_message(leader.id)
    await officer.say("/burglary Dorpsstraat 12a | 22-11 21:30 | attempt | insluiping")
    await officer.say("/burglary Dorpsstraat 14 | 21-11 08:00-17:30")  # out at work
    detailed = await analyst.say("/incidents")
    assert "Dorpsstraat 12a" in detailed["text"] and "22/11/2026, 21:30" in detailed["text"]
    assert "sneak-in" in detailed["text"]
    assert "21/11/2026, 08:00–17:30 · Dorpsstraat 14" in detailed["text"]  # the window
    plain = await partner.say("/incidents")
    assert "Dorpsstraat" in plain["text"]
    assert "12a" not in plain["text"] and "9:30" not in plain["text"]
    assert "sneak-in" not in plain["text"]
    # In the operational group even the analyst gets street level only.
    menu = await leader.say("/link")
    code_message = await leader.press_and_read(menu, next(d for d in botapi.button_data(menu)
                                                      if d.endswith(":op")))
    group = botapi.group(-7001, "Overleg")
    code = re.search(r"@\w+ ([A-Z0-9]{6})", code_message["text"]).group(1)  # type: ignore[union-attr]
    await leader.say(f"/link@wijkbot_test_bot {code}", group)
    in_group = await analyst.say("/incidents", group)
    assert "Dorpsstraat" in in_group["text"] and "12a" not in in_group["text"]


async def test_cbs_open_data_import(app, people, botapi) -> None:
    leader, analyst, partner = await project_with_analyst(people, botapi, "nl")
    for name, code in (("Burgwallen-Oude Zijde", "BU03630000"),
                       ("Burgwallen-Nieuwe Zijde", "BU03630001")):
        await leader.say(f"/gebied buurt {name} | {code}")
    data = (DATA / "cbs_statline_labels.csv").read_bytes()
    botapi.send_document(analyst.user, "cbs.csv", data, "text/csv")
    await botapi.next_message(analyst.id)
    call = await botapi.wait_for("editMessageText",
                                 lambda c: "cbs.csv" in c.params.get("text", "")
                                 and "…" not in c.params.get("text", "").split("\n")[0],
                                 timeout=30)
    assert t("nl", "<b>Import of") in call.params["text"]
    assert "maandcijfer" in call.params["text"]
    [project] = await app.bot_data.repos.projects.list_all()
    rows = await app.bot_data.repos.incidents.monthly_rows(project.id)
    assert rows and all(r["count"] >= 0 for r in rows)
    assert await app.bot_data.repos.incidents.count(project.id) == 0


async def test_a_problem_that_options_solve_says_how_to_give_them(app, people, botapi) -> None:
    """Coordinates in an unknown system: the answer says to send the file again with the
    coordinate system in its caption, and doing so imports it."""
    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    [project] = await app.bot_data.repos.projects.list_all()
    data = (b"Pleegdatum;Straat;X;Y\n"
            b"01-11-2026 21:30;Main St;494207,4;5456007,8\n"
            b"03-11-2026 02:10;Oak St;494099,2;5451027,8\n")

    async def upload(caption: str | None) -> str:
        since = len(botapi.calls)
        botapi.send_document(analyst.user, "utm.csv", data, "text/csv", caption=caption)
        await botapi.next_message(analyst.id)
        call = await botapi.wait_for(
            "editMessageText", lambda c: "utm.csv" in c.params.get("text", "")
            and "…" not in c.params.get("text", "").split("\n")[0], timeout=30, since=since)
        return str(call.params["text"])

    refused = await upload(None)
    assert t("en", "Cannot tell which coordinate system") in refused
    assert refused.endswith(tr(
        "en", "ℹ️ Send the file again with the missing details in its caption (the text you "
        "can add when you send a file), for example: <code>crs=EPSG:28992 "
        "tz=Europe/Amsterdam date=Pleegdatum</code>"))
    assert await app.bot_data.repos.incidents.count(project.id) == 0
    imported = await upload("crs=EPSG:26910 tz=America/Vancouver")
    assert "2 burglaries imported." in imported
    assert await app.bot_data.repos.incidents.count(project.id) == 2
    # A problem no option solves (an empty file) gets no such hint.
    since = len(botapi.calls)
    botapi.send_document(analyst.user, "leeg.csv", b"", "text/csv")
    await botapi.next_message(analyst.id)
    empty = await botapi.wait_for("editMessageText", lambda c: "leeg.csv" in c.params.get(
        "text", ""), timeout=30, since=since)
    assert "caption" not in empty.params["text"]


async def test_an_export_of_another_area_is_refused_whole(app, people, botapi) -> None:
    """A project covers one area: Vancouver rows sent to a project whose burglaries lie in
    the Netherlands are refused whole (before, they were stored, and every map and forecast
    grid stretched from Den Haag to Vancouver: minutes of work after each import)."""
    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    [project] = await app.bot_data.repos.projects.list_all()

    async def upload(name: str, data: bytes, caption: str | None = None) -> str:
        since = len(botapi.calls)
        botapi.send_document(analyst.user, name, data, "text/csv", caption=caption)
        await botapi.next_message(analyst.id)
        call = await botapi.wait_for(
            "editMessageText", lambda c: name in c.params.get("text", "")
            and "…" not in c.params.get("text", "").split("\n")[0], timeout=30, since=since)
        return str(call.params["text"])

    assert "Nothing was imported" not in await upload(
        "ten_percent_bad.csv", (DATA / "ten_percent_bad.csv").read_bytes())
    before = await app.bot_data.repos.incidents.count(project.id)
    refused = await upload("utm.csv", b"Pleegdatum;Straat;X;Y\n"
                           b"01-11-2026 21:30;Main St;494207,4;5456007,8\n"
                           b"03-11-2026 02:10;Oak St;494099,2;5451027,8\n",
                           "crs=EPSG:26910 tz=America/Vancouver")
    assert refused.startswith("<b>Nothing was imported from utm.csv.</b>\n2 of 2 places lie "
                              "more than 50 km from this project's incidents, for example "
                              "(494207, 5456008) at 7,7"), refused
    assert "import this file into a project of its own" in refused
    assert "caption" not in refused  # no option makes it right
    assert await app.bot_data.repos.incidents.count(project.id) == before


async def test_a_registered_burglary_gets_its_buurt_and_wijk(app, people, botapi) -> None:
    """A street registration counts in its neighbourhood (the analytics count per buurt)
    and a shared location in the outline it lies in, as an imported row would."""
    from bot.incidents import wgs84_to_rd

    leader = people(100, "Anna", "nl")
    officer = people(200, "Kees", "nl")
    await leader.say("/nieuwproject Veilig Wonen Oost | Den Haag")
    repos = app.bot_data.repos
    [project] = await repos.projects.list_all()
    wijk = await repos.projects.add_area(project.id, "Oost", AreaKind.WIJK)
    buurt = await repos.projects.add_area(project.id, "Oostbroek", AreaKind.BUURT,
                                          cbs_code="BU05180101", parent_id=wijk.id)
    street = await repos.projects.add_area(project.id, "Dorpsstraat", AreaKind.STRAAT,
                                           parent_id=buurt.id)
    other = await repos.projects.add_area(project.id, "Westhaven", AreaKind.BUURT)
    x, y = wgs84_to_rd(52.07, 4.30)
    await repos.projects.set_geometry(other.id, [(x - 300, y - 300), (x + 300, y - 300),
                                                 (x + 300, y + 300), (x - 300, y + 300)])
    await leader.say("/partner politie Politie")
    invite = await leader.say("/uitnodigen politie | wijkagent")
    await officer.say(f"/start {invitation_payload(invite['text'])}")
    await botapi.next_message(leader.id)
    saved = await officer.say("/inbraak dorpsstraat 12 | gisteren 21:30 | poging")
    assert registered("nl", 1) in saved["text"]
    ask = await officer.say("/inbraak")
    botapi.press_button(officer.user, ask, next(d for d in botapi.button_data(ask)
                                                if d.endswith(":night")))
    await botapi.next_message(200)
    since = botapi.mark()
    botapi.send_location(officer.user, 52.07, 4.30)
    attempt = await attempt_question(botapi, 200, since)
    mo = await officer.press_and_read(attempt, botapi.button_data(attempt)[1])
    botapi.press_button(officer.user, mo, botapi.button_data(mo)[0])
    assert registered("nl", 2) in (await botapi.next_message(200))["text"]
    rows = await repos.db.fetchall(
        "SELECT street, buurt, buurt_code, wijk, municipality, area_id FROM incidents"
        " ORDER BY id")
    assert [tuple(r) for r in rows] == [
        ("Dorpsstraat", "Oostbroek", "BU05180101", "Oost", "Den Haag", street.id),
        (None, "Westhaven", None, None, "Den Haag", other.id)]
    frame = await app.bot_data.incidents.frame(project.id, "Oost")
    assert len(frame) == 1  # /sturing Oost counts it
    listed = await officer.say("/incidenten oost")  # and /incidenten of the wijk lists it
    assert "Dorpsstraat 12" in listed["text"] and "Westhaven" not in listed["text"]
    with use_locale("nl"):  # the heading names the area, as the project spells it
        heading = ngettext("<b>{count} burglary in {area} in the last two weeks</b>",
                           "<b>{count} burglaries in {area} in the last two weeks</b>",
                           1).format(count=1, area="Oost")
    assert listed["text"].startswith(re.sub(r"<[^>]+>", "", heading))
    # A typo is named, with the area it looks like, instead of “0 burglaries”.
    typo = await officer.say("/incidenten Oostbrok")
    assert tr("nl", "Unknown area “{name}”. Did you mean: {matches}?", name="Oostbrok",
              matches="Oostbroek") in typo["text"]


async def test_recent_incidents_of_an_area_among_many(app, people, botapi) -> None:
    """/incidents of one street when the project has more burglaries in two weeks than the
    list shows: the street's own are all found and counted, not only those among the
    latest of the whole project; a street known only from the incidents is a place too."""
    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    rows = [f"{20 - i // 30}-11-2026 {i % 24:02d}:00;Appelstraat;{i};N\n" for i in range(240)]
    rows += [f"{10 + i % 2}-11-2026 {i % 24:02d}:00;Perenstraat;{i};N\n" for i in range(12)]
    data = ("Pleegdatum;Straat;Huisnummer;Poging\n" + "".join(rows)).encode()
    since = botapi.mark()
    botapi.send_document(analyst.user, "veel.csv", data, "text/csv")
    await botapi.next_message(analyst.id)  # "Reading veel.csv…", then edited into the report
    await botapi.wait_for("editMessageText", lambda c: "veel.csv" in c.params.get("text", "")
                          and "…" not in c.params.get("text", "").split("\n")[0],
                          timeout=30, since=since)
    with use_locale("en"):
        heading = ngettext("<b>{count} burglary in {area} in the last two weeks</b>",
                           "<b>{count} burglaries in {area} in the last two weeks</b>",
                           12).format(count=12, area="Perenstraat")
    pears = await analyst.say("/incidents perenstraat")
    assert pears["text"].startswith(re.sub(r"<[^>]+>", "", heading))
    assert pears["text"].count("· Perenstraat ") == 12
    page = await analyst.say("/incidents")
    assert page["text"].startswith("252 burglaries")
    seen = page["text"]
    while "▶" in botapi.button_texts(page):  # too long for one message: paged by buttons
        page = await analyst.press_and_read(page, botapi.button_data(page)[-1])
        seen += "\n" + page["text"]
    assert seen.count("• ") == 200  # the latest 200, and a word about the rest
    assert "· Appelstraat 23 ·" in seen and "· Perenstraat" not in seen
    assert fragment("en", "<i>The latest {shown} are listed;") in seen


@pytest.mark.parametrize("lang", LANGS)
async def test_a_mistyped_street_is_offered_the_known_one(app, people, botapi, lang) -> None:
    """A street the project does not know, but that looks like one it does, is asked about
    before anything is saved; a street it does not know at all is saved with a warning that
    it counts for no neighbourhood."""
    leader, officer = await project_with_officer(
        people, botapi, lang, "buurt Molenkwartier", "straat Molenaarslaan | | | Molenkwartier")
    repos = app.bot_data.repos
    [project] = await repos.projects.list_all()
    command = "/inbraak" if lang == "nl" else "/burglary"
    offered = tr(lang, "“{street}” is not a street of this project. Did you mean:",
                 street="Molenaarlaan")
    keep = tr(lang, "No, keep “{street}”", street="Molenaarlaan")
    unknown = t(lang, "⚠️ {street} is not a known street of this project")

    # The one-line form waits for the choice; nothing is saved meanwhile.
    ask = await officer.say(f"{command} Molenaarlaan 12 | 22-11 21:30 | poging")
    assert offered in ask["text"] and "✅" not in ask["text"]
    assert botapi.button_texts(ask)[:2] == ["Molenaarslaan", keep]
    assert await repos.incidents.count(project.id) == 0
    botapi.press_button(officer.user, ask, botapi.button_data(ask)[0])
    done = await botapi.next_message(200)
    assert registered(lang, 1) in done["text"] and unknown not in done["text"]
    record = botapi.current(ask)
    assert not botapi.button_data(record)  # the question became the record
    assert tr(lang, "Where: {where}", where="Molenaarslaan 12") in record["text"]
    # Kept as typed: saved, with the warning.
    ask = await officer.say(f"{command} Molenaarlaan 14 | 22-11 21:30")
    botapi.press_button(officer.user, ask, botapi.button_data(ask)[1])
    done = await botapi.next_message(200)
    assert registered(lang, 2) in done["text"] and unknown in done["text"]
    # Cancelled: nothing saved. A street that resembles nothing: saved with the warning.
    ask = await officer.say(f"{command} Molenaarslan 16 | 22-11 21:30")
    assert botapi.button_texts(ask)[0] == "Molenaarslaan"
    cancelled = await officer.press_and_read(ask, botapi.button_data(ask)[-1])
    assert t(lang, "Cancelled. Nothing was saved.") in cancelled["text"]
    saved = await officer.say(f"{command} Kerkweg 3 | 22-11 21:30")
    assert registered(lang, 3) in saved["text"] and unknown in saved["text"]
    # Two lines waiting at once: each question saves its own line.
    first = await officer.say(f"{command} Molenaarslan 20 | 22-11 21:30")
    second = await officer.say(f"{command} Molenaarslan 22 | 22-11 21:30")
    botapi.press_button(officer.user, second, botapi.button_data(second)[0])
    assert registered(lang, 4) in (await botapi.next_message(200))["text"]
    botapi.press_button(officer.user, first, botapi.button_data(first)[0])
    assert registered(lang, 5) in (await botapi.next_message(200))["text"]
    assert tr(lang, "Where: {where}", where="Molenaarslaan 20") in botapi.current(first)["text"]

    # The dialogue asks the same, between the place and the attempt question.
    ask = await officer.say(command)
    await officer.press(ask, next(d for d in botapi.button_data(ask) if d.endswith(":now")))
    await botapi.next_message(200)
    since = botapi.mark()
    botapi.send_text(officer.user, "Molenaarslan 18")
    call = await botapi.wait_for("editMessageReplyMarkup",
                                 lambda c: c.params["chat_id"] == 200, since=since)
    question = botapi.message(200, call.params["message_id"])
    assert botapi.reply_keyboard(question) == {"remove_keyboard": True}
    assert botapi.button_texts(question)[0] == "Molenaarslaan"
    botapi.drain(200)
    attempt = await officer.press_and_read(question, botapi.button_data(question)[0])
    assert tr(lang, "Where: {where}", where="Molenaarslaan 18") in attempt["text"]
    mo = await officer.press_and_read(attempt, botapi.button_data(attempt)[1])
    botapi.press_button(officer.user, mo, botapi.button_data(mo)[0])
    done = await botapi.next_message(200)
    assert registered(lang, 6) in done["text"] and unknown not in done["text"]
    rows = await repos.db.fetchall("SELECT street, house_number, buurt FROM incidents ORDER BY id")
    assert [tuple(r) for r in rows] == [
        ("Molenaarslaan", "12", "Molenkwartier"), ("Molenaarlaan", "14", None),
        ("Kerkweg", "3", None), ("Molenaarslaan", "22", "Molenkwartier"),
        ("Molenaarslaan", "20", "Molenkwartier"), ("Molenaarslaan", "18", "Molenkwartier")]


async def test_a_registration_does_not_wait_for_hotspot_detection(app, people, botapi) -> None:
    """Hotspot detection after a registration (a second or more on a large project) runs as
    a task of its own: the wijkagent's confirmation and others' answers do not wait."""
    import asyncio

    leader, officer = await project_with_officer(people, botapi, "nl", "straat Dorpsstraat")
    release, detected = asyncio.Event(), asyncio.Event()

    async def slow_detection(project_id: int) -> None:
        await release.wait()  # as long as the test wants: no timing involved
        detected.set()

    app.bot_data.incidents.after_change.append(slow_detection)
    botapi.send_text(officer.user, "/inbraak Dorpsstraat 3 | gisteren 21:30")
    botapi.send_text(leader.user, "/help")
    saved = await botapi.next_message(officer.id, timeout=10)
    assert registered("nl", 1) in saved["text"]
    await botapi.next_message(leader.id, timeout=10)
    assert not detected.is_set()
    release.set()
    await asyncio.wait_for(detected.wait(), 10)  # and it does run


@pytest.mark.parametrize("lang", LANGS)
async def test_a_registration_made_by_mistake_is_withdrawn(app, people, botapi, clock,
                                                           lang) -> None:
    """The one who registered a burglary can withdraw it with the button under the
    confirmation, within a day; nobody else can, and imported rows never go this way."""
    from datetime import timedelta

    leader, officer = await project_with_officer(people, botapi, lang, "straat Dorpsstraat")
    command = "/inbraak" if lang == "nl" else "/burglary"
    [project] = await app.bot_data.repos.projects.list_all()
    count = app.bot_data.repos.incidents.count
    kept = await officer.say(f"{command} Dorpsstraat 3 | gisteren 21:30")
    # The second one in the operational group, where others see the button too.
    menu = await leader.say("/koppelen")
    code_message = await leader.press_and_read(menu, next(
        d for d in botapi.button_data(menu) if d.endswith(":op")))
    group = botapi.group(-7301, "Overleg")
    await leader.say(f"/koppelen@wijkbot_test_bot {link_code(code_message['text'])}", group)
    wrong = await officer.say(f"{command} Dorpsstraat 5 | gisteren 21:30", group)
    assert await count(project.id) == 2
    undo = next(d for d in botapi.button_data(wrong) if ":undo:" in d)
    assert botapi.button_texts(wrong) == [t(lang, "↩️ Withdraw (registered by mistake)")]
    # Somebody else (the project leader) cannot.
    since = botapi.mark()
    botapi.press_button(leader.user, wrong, undo)
    refused = await botapi.wait_for("answerCallbackQuery", since=since)
    assert refused.params["text"] == tr(
        lang, "This burglary can no longer be withdrawn: only the one who registered it can, "
              "within a day.")
    assert await count(project.id) == 2
    # The officer can: the confirmation says so, and the figures no longer count it.
    withdrawn = await officer.press_and_read(wrong, undo)
    with use_locale(lang):
        assert withdrawn["text"].startswith("↩️ " + ngettext(
            "Withdrawn: this burglary is no longer registered. The project now has {count} "
            "registered burglary.", "Withdrawn: this burglary is no longer registered. The "
            "project now has {count} registered burglaries.", 1).format(count=1))
    assert "Dorpsstraat 5" in withdrawn["text"]  # what was withdrawn, struck through
    assert not botapi.button_data(withdrawn)
    # A quick second tap (it reached the bot before the button went): done already.
    since = botapi.mark()
    botapi.press_forged(officer.user, wrong, undo)
    again = await botapi.wait_for("answerCallbackQuery", since=since)
    assert again.params.get("text") == t(lang, "This burglary has already been withdrawn.")
    rows = await app.bot_data.db.fetchall("SELECT house_number FROM incidents")
    assert [r[0] for r in rows] == ["3"]
    # A day later, no more.
    clock.advance(timedelta(hours=25))
    since = botapi.mark()
    botapi.press_button(officer.user, kept, next(d for d in botapi.button_data(kept)
                                                 if ":undo:" in d))
    late = await botapi.wait_for("answerCallbackQuery", since=since)
    assert late.params.get("show_alert") is True
    assert await count(project.id) == 1


async def test_someone_elses_street_choice_in_a_group_is_left_alone(app, people,
                                                                    botapi) -> None:
    """In the operational group, the street question of one officer's one-line /inbraak
    is theirs: another member's press gets an alert and the question keeps its buttons."""
    leader, officer = await project_with_officer(
        people, botapi, "nl", "buurt Molenkwartier", "straat Molenaarslaan | | | Molenkwartier")
    repos = app.bot_data.repos
    [project] = await repos.projects.list_all()
    group = botapi.group(-4400, "Operationeel overleg")
    await repos.chats.link(group["id"], project.id, ChatPurpose.OPERATIONAL, group["title"],
                           (), leader.id, app.bot_data.clock.now())
    ask = await officer.say("/inbraak Molenaarlaan 12 | 22-11 21:30", group)
    choices = botapi.button_data(ask)
    assert len(choices) == 3  # the suggestion, keep as typed, cancel
    since = botapi.mark()
    botapi.press_button(leader.user, ask, choices[0])
    answer = await botapi.wait_for("answerCallbackQuery", since=since)
    assert answer.params.get("show_alert") and answer.params["text"] == tr(
        "nl", "This dialogue has ended, or it is someone else's. Start your own with the "
        "command.")
    assert botapi.button_data(botapi.current(ask)) == choices
    assert await repos.incidents.count(project.id) == 0
    # The officer's own press still saves the line.
    botapi.press_button(officer.user, ask, choices[0])
    assert registered("nl", 1) in (await botapi.next_message(group["id"]))["text"]


@pytest.mark.parametrize(("text", "expected"), [
    ("25:00", "25:00 is not a valid time: hours run from 0 to 23, minutes from 0 to 59."),
    ("22-11 21:75", "21:75 is not a valid time: hours run from 0 to 23, minutes from 0 to 59."),
    ("31-02 21:30", "31-02 21:30 is not a valid date."),
    ("22-11-0026 21:30", "0026 is not a year I can use: write one from 2000 to 2036 (or two "
                         "digits, like 26)."),
])
def test_parse_when_names_what_is_wrong(text: str, expected: str) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from handlers.incidents import parse_when

    now = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    with pytest.raises(UserError) as info, use_locale("en"):
        parse_when(text, now)
    with use_locale("en"):
        assert info.value.render() == expected


async def test_a_long_import_report_is_split_not_cut(app, people, botapi) -> None:
    """Rejected rows with long values make a report over one message: it goes on in a
    second message, between whole lines, instead of being cut off inside its HTML."""
    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    rows = [f"2{i % 9}-10-2026 21:30;Dorpsstraat {i}" for i in range(200)]
    rows += [f"3{i % 2}-02-2026 {'nacht ' * 40};Dorpsstraat {i}" for i in range(25)]
    data = ("Pleegdatum;Straat\n" + "\n".join(rows) + "\n").encode()
    since = botapi.mark()
    botapi.send_document(analyst.user, "lang.csv", data, "text/csv")
    await botapi.next_message(analyst.id)  # the status message
    call = await botapi.wait_for("editMessageText",
                                 lambda c: "Import of lang.csv" in c.params.get("text", ""),
                                 since=since, timeout=30)
    first = call.params["text"]
    rest = await botapi.next_message(analyst.id)
    assert len(first) <= 4096 and "200 burglaries imported" in first
    assert rest["text"].startswith("• row ")
    assert "… and 5 more" in first + rest["text"]  # all of it, nothing cut mid-line
