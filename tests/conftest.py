"""Fixtures: a fake Bot API server, the real wijkbot Application running against it with
long polling, a controllable clock, and a small driver for people talking to the bot."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from bot.app import build_application
from bot.clock import FixedClock
from bot.context import WijkApp
from bot.demo import store_demo
from bot.demo_data import DemoData, generate_demo
from bot.i18n import _, locales_dir, use_locale
from bot.settings import Settings
from storage.db import Database
from tests.botapi import FakeBotAPI, run_application

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, ISO week 48


@pytest.fixture
async def botapi() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def settings(tmp_path: Path, botapi: FakeBotAPI) -> Settings:
    return Settings(
        token=botapi.token,
        database=tmp_path / "wijkbot.sqlite",
        bot_api_url=botapi.base_url,
        bot_file_url=botapi.base_file_url,
    )


@pytest.fixture
async def app(settings: Settings, clock: FixedClock) -> AsyncIterator[WijkApp]:
    application = build_application(settings, clock=clock)
    application.bot_data.reminder_catch_up_s = None  # test_reminders_e2e covers it
    async with run_application(application):
        yield application


@contextlib.asynccontextmanager
async def demo_bot(tmp_path: Path, botapi: FakeBotAPI
                   ) -> AsyncIterator[tuple[dict[str, Any], DemoData]]:
    """The bot running on the demo database (a project with actions, incidents, meetings);
    yields what :func:`bot.demo.store_demo` stored (with the project leader's invitation
    code) and the demo data."""
    path = tmp_path / "demo.sqlite"
    data = generate_demo(date(2026, 11, 23))
    db = await Database(path).connect()
    try:
        counts = await store_demo(db, data, now=START)
    finally:
        await db.close()
    settings = Settings(token=botapi.token, database=path, bot_api_url=botapi.base_url,
                        bot_file_url=botapi.base_file_url)
    application = build_application(settings, clock=FixedClock(START))
    application.bot_data.reminder_catch_up_s = None
    async with run_application(application):
        yield counts, data


class Person:
    """Someone with a Telegram account who talks to the bot in tests."""

    def __init__(self, server: FakeBotAPI, user_id: int, first_name: str,
                 language: str | None = "nl") -> None:
        self.server = server
        self.user = server.user(user_id, first_name, language_code=language)
        self.id = user_id

    async def say(self, text: str, chat: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a message and return the bot's next message in that chat."""
        self.server.send_text(self.user, text, chat)
        return await self.server.next_message(chat["id"] if chat else self.id)

    async def press(self, message: dict[str, Any], data: str) -> None:
        """Press an inline button; wait until the bot has answered the callback."""
        since = self.server.mark()
        self.server.press_button(self.user, message, data)
        await self.server.wait_for("answerCallbackQuery", since=since)

    async def press_and_read(self, message: dict[str, Any], data: str) -> dict[str, Any]:
        """Press a button whose answer replaces the message; return the edited message."""
        since = self.server.mark()
        self.server.press_button(self.user, message, data)
        call = await self.server.wait_for("editMessageText", since=since)
        return {"text": call.params["text"], "message_id": call.params.get("message_id"),
                "chat": message["chat"], "reply_markup": call.params.get("reply_markup"),
                "from": message.get("from")}


@pytest.fixture
def people(botapi: FakeBotAPI):  # type: ignore[no-untyped-def]
    def make(user_id: int, first_name: str, language: str | None = "nl") -> Person:
        return Person(botapi, user_id, first_name, language)

    return make


def find_data(server: FakeBotAPI, message: dict[str, Any], prefix: str) -> str:
    """The callback data of the first button starting with ``prefix``."""
    for data in server.button_data(message):
        if data.startswith(prefix):
            return data
    raise AssertionError(f"no button {prefix!r} in {server.button_data(message)}")


def button(server: FakeBotAPI, message: dict[str, Any], *, label: str | None = None,
           suffix: str | None = None) -> str:
    """Callback data of the button with this label (ignoring a ✅/▫️ mark) or data suffix."""
    pairs = list(zip(server.button_data(message), server.button_texts(message), strict=True))
    for data, text in pairs:
        if (label is not None and text.split(" ", 1)[-1] == label) or text == label:
            return data
        if suffix is not None and data.endswith(suffix):
            return data
    raise AssertionError(f"no button {label or suffix!r} in {pairs}")


def invitation_payload(text: str) -> str:
    match = re.search(r"\?start=(inv_[A-Za-z0-9_-]+)", text)
    assert match, f"no invitation link in {text!r}"
    return match.group(1)


def link_code(text: str) -> str:
    match = re.search(r"@\w+ ([A-Z0-9]{6})", text)
    assert match, f"no link code in {text!r}"
    return match.group(1)


@functools.cache
def _message_ids() -> tuple[str, ...]:
    with (locales_dir() / "messages.pot").open("rb") as fh:
        return tuple(m.id for m in read_po(fh) if isinstance(m.id, str) and m.id)


def fragment(lang: str, prefix: str) -> str:
    """The longest literal piece (between placeholders, tags and line breaks) of the
    translation of the message id starting with ``prefix``: text the user must see."""
    matches = [m for m in _message_ids() if m.startswith(prefix)]
    assert matches, f"{prefix!r} matches no message id"
    pieces = set()
    for msgid in matches:
        with use_locale(lang):
            text = _(msgid)
        if lang != "en":
            assert text != msgid, f"no {lang} translation for {msgid!r}"
        pieces.add(max(re.split(r"\{[^}]*\}|<[^>]+>|\n", text), key=len).strip())
    assert len(pieces) == 1, f"{prefix!r} is ambiguous: {sorted(pieces)}"
    piece = pieces.pop()
    assert len(piece) >= 4, f"fragment too short to be meaningful: {piece!r}"
    return piece
