"""End to end: every command, in every kind of chat, by every kind of person, with what
people really type after it (nothing, garbage, huge numbers, impossible dates, markup, a
4,000-character paste) gets an answer — never an error, never silence, never a raw
placeholder — on the demo database, where every command has data to work on. And every
button, pressed with callback data a modified client made up, is answered without error."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.commands import COMMANDS, Cmd
from bot.demo_data import DemoData
from bot.i18n import _, use_locale
from tests.botapi import FakeBotAPI
from tests.conftest import demo_bot, invitation_payload, link_code

# What people type after a command, each a different way to get parsing wrong. The
# placeholder-like "{name}" also checks that no text typed by a user is ever .format()ed.
ARGS = (
    "",
    "xyz",
    "0",
    "-1",
    "99999999999999999999",
    "31-02-2026 25:61",
    "A99999",
    "<b>vet</b> & {name} %s </i>",
    "| | | |",
    "🙂 Ëlla's café",
    "x" * 4000,
)
FEW = ("", "xyz", "A99999", "<b>vet</b> & {name} %s </i>", "x" * 4000)
# Commands that change who is asking or where (another project, another language, the
# group's link) come last, so the others run against the full demo project.
LAST = (Cmd.NEW_PROJECT, Cmd.PROJECT, Cmd.LANGUAGE, Cmd.UNLINK)
ORDER = ([s for s in COMMANDS if s.names not in LAST]
         + [s for s in COMMANDS if s.names in LAST])
ERROR_REPLIES = ("Sorry, something went wrong on my side. Please try again; if it keeps "
                 "happening, tell your project leader.",
                 "Sorry, something went wrong. Please try again.")
ANSWERS = ("sendMessage", "sendPhoto", "sendMediaGroup", "sendDocument", "editMessageText")
# A {placeholder} left in an answer: a message that was not formatted (the test's own
# "{name}" may come back inside what a user typed, e.g. a decision in the minutes).
RAW = re.compile(r"\{(?!name\})[a-z_]+\}")


class Checker:
    """Sends one update at a time, waits until the bot is done with it and records what
    went wrong: an error logged, an error reply, no answer, a raw placeholder."""

    def __init__(self, botapi: FakeBotAPI, caplog: pytest.LogCaptureFixture) -> None:
        self.botapi = botapi
        self.caplog = caplog
        caplog.set_level(logging.ERROR)
        with use_locale("nl"):
            self.error_texts = ERROR_REPLIES + tuple(_(m) for m in ERROR_REPLIES)
        self.problems: list[str] = []
        self.sent = 0

    def _answers(self, since: int) -> list[str]:
        """The texts of the messages and alerts the bot sent since the mark."""
        out = []
        for call in self.botapi.calls[since:]:
            p = call.params
            if call.method == "sendMediaGroup":
                out.append(" ".join(str(m.get("caption", "")) for m in p.get("media", [])))
            elif call.method in ANSWERS or call.method == "answerCallbackQuery":
                out.append(str(p.get("text") or p.get("caption") or ""))
        return out

    async def check(self, where: str, send: Callable[[], dict[str, Any]], *,
                    answer: bool = True) -> dict[str, Any]:
        """Run ``send`` (it injects one update, and returns it) and record what went wrong;
        ``answer``: silence is one of those things."""
        since, logged = self.botapi.mark(), len(self.caplog.records)
        update = send()
        await self.botapi.settle(idle=0.005, timeout=30)
        self.sent += 1
        errors = [r for r in self.caplog.records[logged:] if r.levelno >= logging.ERROR]
        for record in errors[:1]:
            self.problems.append(f"{where}: logged {record.getMessage()!r} "
                                 f"{record.exc_info[1] if record.exc_info else ''!r}")
        answers = self._answers(since)
        if answer and not answers:
            self.problems.append(f"{where}: no answer")
        for text in answers:
            if any(e in text for e in self.error_texts):
                self.problems.append(f"{where}: error reply")
            if RAW.search(text):
                self.problems.append(f"{where}: raw placeholder in {text[:100]!r}")
        return update

    async def cancel(self, user: dict[str, Any], chat: dict[str, Any] | None = None) -> None:
        """End any dialogue the last update opened, so the next one starts clean."""
        self.botapi.send_text(user, "/annuleren", chat)
        await self.botapi.settle(idle=0.005, timeout=30)

    async def send(self, user: dict[str, Any], chat: dict[str, Any] | None, text: str,
                   *, cancel: bool = True) -> None:
        """A command: it must be answered."""
        where = f"{text[:50]!r} by {user['first_name']} in {(chat or {}).get('title', 'private')}"
        await self.check(where, functools.partial(self.botapi.send_text, user, text, chat))
        if cancel:
            await self.cancel(user, chat)


@pytest.fixture
async def demo(tmp_path: Path, botapi: FakeBotAPI) -> AsyncIterator[tuple[dict, DemoData]]:
    """The bot on the demo database, its project leader joined with the demo's invitation."""
    async with demo_bot(tmp_path, botapi) as (counts, data):
        leader = botapi.user(42, "Anna", language_code="nl")
        botapi.send_text(leader, f"/start inv_{counts['invite_code']}")
        await botapi.next_message(42)
        yield counts, data


async def _ask(botapi: FakeBotAPI, user: dict[str, Any], text: str,
               chat: dict[str, Any] | None = None) -> str:
    botapi.send_text(user, text, chat)
    return str((await botapi.next_message(chat["id"] if chat else user["id"]))["text"])


async def _join(botapi: FakeBotAPI, leader: dict[str, Any], user: dict[str, Any],
                partner_and_role: str) -> None:
    invite = await _ask(botapi, leader, f"/uitnodigen {partner_and_role}")
    await _ask(botapi, user, f"/start {invitation_payload(invite)}")
    await botapi.settle(idle=0.05)
    botapi.drain(leader["id"])  # "… joined"


async def _link(botapi: FakeBotAPI, leader: dict[str, Any], chat_id: int, title: str,
                purpose: str) -> dict[str, Any]:
    code = link_code(await _ask(botapi, leader, f"/koppelen {purpose}"))
    group = botapi.group(chat_id, title)
    await _ask(botapi, leader, f"/koppelen@wijkbot_test_bot {code}", group)
    await botapi.settle(idle=0.05)
    botapi.drain(chat_id)
    return group


async def test_every_command_in_a_private_chat(demo, botapi: FakeBotAPI,
                                               caplog: pytest.LogCaptureFixture) -> None:
    """The project leader (every name of every command, every argument), a wijkagent and
    someone who is in no project."""
    leader = botapi.user(42, "Anna", language_code="nl")
    agent = botapi.user(43, "Kees", language_code="nl")
    outsider = botapi.user(44, "Olga", language_code="en")
    await _join(botapi, leader, agent, "Politie basisteam Havendam-Veenland | wijkagent")

    checker = Checker(botapi, caplog)
    for spec in ORDER:
        for args in ARGS:
            await checker.send(leader, None, f"/{spec.name} {args}".strip())
        for name in spec.names[1:]:
            for args in FEW:
                await checker.send(leader, None, f"/{name} {args}".strip())
        for args in FEW:
            await checker.send(agent, None, f"/{spec.name} {args}".strip())
            # Someone in no project has no dialogue to cancel (until /nieuwproject, near
            # the end: what follows it then meets the open dialogue, which is fine too).
            await checker.send(outsider, None, f"/{spec.name} {args}".strip(), cancel=False)
    assert checker.sent > 900
    assert not checker.problems, "\n".join(checker.problems)


async def test_every_command_in_groups(demo, botapi: FakeBotAPI,
                                       caplog: pytest.LogCaptureFixture) -> None:
    """The project leader and a stranger in operational groups, a resident in buurtpreventie
    groups. Spread over several groups: Telegram lets a bot post 20 messages a minute in
    one group, and the bot keeps to that (AIORateLimiter)."""
    counts, data = demo
    leader = botapi.user(42, "Anna", language_code="nl")
    stranger = botapi.user(45, "Piet", language_code="nl")
    resident = botapi.user(46, "Ria", language_code="en")
    operational = [await _link(botapi, leader, -7100 - i, f"Overleg {i}", "operationeel")
                   for i in range(10)]
    area = data.buurten[0].name
    watch = [await _link(botapi, leader, -7200 - i, f"Buurtpreventie {i}",
                         f"buurtpreventie {area}") for i in range(4)]

    checker = Checker(botapi, caplog)
    sends = ([(leader, args) for args in ("", "xyz")] + [(stranger, "")])
    turn = 0
    for index, spec in enumerate(ORDER):
        for who, args in sends:
            group = operational[turn % len(operational)]
            turn += 1
            await checker.send(who, group, f"/{spec.name} {args}".strip(), cancel=False)
        group = watch[index % len(watch)]
        await checker.send(resident, group, f"/{spec.name} xyz", cancel=False)
    assert checker.sent == 4 * len(ORDER)
    assert not checker.problems, "\n".join(checker.problems)


def _forgeries(data: str) -> list[str]:
    """What a modified client might send instead of a button's callback data: each field
    after the prefix replaced by zero, a huge number, a negative one, a word or nothing;
    a field fewer; a field more."""
    prefix, *fields = data.split(":")
    out = {data, f"{data}:9", ":".join([prefix, *fields[:-1]]) if fields else f"{prefix}:"}
    for i in range(len(fields)):
        for bad in ("0", "999999999", "-1", "x", ""):
            out.add(":".join([prefix, *fields[:i], bad, *fields[i + 1:]]))
    return sorted(out)


def _shape(data: str) -> tuple[str, ...]:
    """Buttons with the same prefix and kinds of field test the same code."""
    prefix, *fields = data.split(":")
    return (prefix, *("9" if f.lstrip("-").isdigit() else f for f in fields))


async def test_forged_button_presses(demo, botapi: FakeBotAPI,
                                     caplog: pytest.LogCaptureFixture) -> None:
    """Telegram does not check callback data against the keyboard: every button the
    project leader is shown, pressed with forged data, gets an answer and no error."""
    leader = botapi.user(42, "Anna", language_code="nl")
    buttons: dict[tuple[str, ...], tuple[dict[str, Any], str]] = {}
    for command in ("/openstaand", "/mijnacties", "/actie A1", "/actie", "/koppelen", "/taal",
                    "/herinneringen", "/waarschuwingen", "/hotspots", "/importen", "/inbraak",
                    "/melding", "/aanwezig", "/overleg", "/uitnodigen", "/status", "/agenda",
                    "/incidenten", "/nieuwproject Tweede project | Havendam", "/project"):
        seen = len(botapi.sent(42))
        botapi.send_text(leader, command)
        await botapi.settle(idle=0.005, timeout=30)
        # The buttons as shown (some are added by editing the message), before the
        # dialogue is cancelled.
        for message in botapi.sent(42)[seen:]:
            for data in botapi.button_data(botapi.current(message)):
                buttons.setdefault(_shape(data), (message, data))
        botapi.send_text(leader, "/annuleren")
        await botapi.settle(idle=0.005, timeout=30)
    prefixes = {shape[0] for shape in buttons}
    assert len(prefixes) >= 10, " ".join(sorted(prefixes))

    checker = Checker(botapi, caplog)
    for message, data in buttons.values():
        for forged in _forgeries(data):
            # An alert counts as an answer: answerCallbackQuery is checked separately
            # below, as a button press that is not answered keeps spinning.
            since = botapi.mark()
            update = await checker.check(
                f"button {forged!r} (of {data!r})",
                functools.partial(botapi.press_forged, leader, message, forged), answer=False)
            query_id = update["callback_query"]["id"]
            if not any(str(c.params.get("callback_query_id")) == query_id
                       for c in botapi.calls[since:] if c.method == "answerCallbackQuery"):
                checker.problems.append(f"button {forged!r} (of {data!r}): not answered")
            await checker.cancel(leader)
    assert not checker.problems, "\n".join(checker.problems)
    # Data no handler understands (a field short, a made-up prefix) is told so.
    with use_locale("nl"):
        stale = _("This button no longer works. Send the command again for a new one.")
    assert any(c.params.get("text") == stale for c in botapi.calls_to("answerCallbackQuery"))


def _other_messages(botapi: FakeBotAPI) -> list[tuple[str, Any]]:
    """Everything else people send a bot, as ``(label, send(user, chat))``."""
    def custom(content: dict[str, Any]) -> Any:
        return lambda user, chat: botapi.send_custom(user, content, chat)

    sticker = {"file_id": "stk1", "file_unique_id": "stk1u", "type": "regular", "width": 512,
               "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"}
    voice = {"file_id": "voi1", "file_unique_id": "voi1u", "duration": 3}
    return [
        ("sticker", custom({"sticker": sticker})),
        ("voice", custom({"voice": voice})),
        ("contact", custom({"contact": {"phone_number": "+31612345678", "first_name": "Jan"}})),
        ("dice", custom({"dice": {"emoji": "🎲", "value": 4}})),
        ("video note", custom({"video_note": {"file_id": "vn1", "file_unique_id": "vn1u",
                                              "length": 240, "duration": 4}})),
        # As Telegram sends a venue: with its location.
        ("venue", custom({"location": {"latitude": 52.1, "longitude": 5.1},
                          "venue": {"location": {"latitude": 52.1, "longitude": 5.1},
                                    "title": "Café", "address": "Kerkstraat 1"}})),
        ("emoji", lambda user, chat: botapi.send_text(user, "👍", chat)),
        ("other bot", lambda user, chat: botapi.send_text(user, "/help@otherbot", chat)),
        ("slash", lambda user, chat: botapi.send_text(user, "/", chat)),
        ("location", lambda user, chat: botapi.send_location(user, 52.09, 5.12, chat)),
        ("location 0,0", lambda user, chat: botapi.send_location(user, 0.0, 0.0, chat)),
        ("photo", lambda user, chat: botapi.send_photo(user, b"\xff\xd8 not a jpeg", chat)),
        ("pdf", lambda user, chat: botapi.send_document(user, "notulen.pdf", b"%PDF-1.4 x",
                                                        "application/pdf", chat)),
        ("empty csv", lambda user, chat: botapi.send_document(user, "leeg.csv", b"",
                                                              "text/csv", chat)),
        ("fake xlsx", lambda user, chat: botapi.send_document(
            user, "export.xlsx", b"PK\x03\x04 not a workbook",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", chat)),
        ("garbage csv", lambda user, chat: botapi.send_document(
            user, "export.csv", bytes(range(256)) * 20, "text/csv", chat)),
    ]


async def test_everything_else_people_send(demo, botapi: FakeBotAPI,
                                           caplog: pytest.LogCaptureFixture) -> None:
    """Stickers, voice notes, contacts, files of every kind, photos, locations — in a
    private chat (an answer each: silence leaves people guessing) and in groups (no error;
    a group is not answered for its chatter)."""
    counts, data = demo
    leader = botapi.user(42, "Anna", language_code="nl")
    agent = botapi.user(43, "Kees", language_code="nl")
    outsider = botapi.user(44, "Olga", language_code="en")
    await _join(botapi, leader, agent, "Politie basisteam Havendam-Veenland | wijkagent")
    operational = await _link(botapi, leader, -7300, "Overleg", "operationeel")
    watch = await _link(botapi, leader, -7301, "Buurtpreventie",
                        f"buurtpreventie {data.buurten[0].name}")

    checker = Checker(botapi, caplog)
    for label, send in _other_messages(botapi):
        for user, chat in ((leader, None), (agent, None), (outsider, None),
                           (leader, operational), (agent, watch), (outsider, watch)):
            where = f"{label} by {user['first_name']} in {(chat or {}).get('title', 'private')}"
            await checker.check(where, functools.partial(send, user, chat), answer=chat is None)
    assert not checker.problems, "\n".join(checker.problems)
    # A voice note is told apart: someone in the street may try to dictate a field log.
    with use_locale("nl"):
        recordings = _("I cannot listen to or watch recordings. Please type what you want to "
                       "say; /help shows what you can do.")
    assert botapi.texts(43).count(recordings) == 2  # the voice note and the video note
