"""A fake Telegram Bot API server for end-to-end tests of the bot.

:class:`FakeBotAPI` is a small aiohttp server on ``127.0.0.1`` (random free port) that
speaks enough of the Telegram Bot API for a *real* :class:`telegram.ext.Application`
(python-telegram-bot 22.x) to run against it with long polling. Tests inject updates as
if users did something (send a text, press an inline button, share a location, add the
bot to a group, ...) and read back everything the bot sent. Nothing is mocked inside
the bot: requests go through PTB's real HTTP stack and are decoded like Telegram would.

Typical use (``tests/`` is on ``sys.path`` under pytest's default import mode, so
``from botapi import ...`` works; ``from tests.botapi import ...`` works when the project
root is on ``sys.path``, e.g. with ``python -m pytest``)::

    from telegram.ext import ApplicationBuilder
    from botapi import FakeBotAPI, run_application

    async def test_start() -> None:
        async with FakeBotAPI() as api:
            app = (
                ApplicationBuilder()
                .token(api.token)
                .base_url(api.base_url)
                .base_file_url(api.base_file_url)
                .build()
            )
            register_handlers(app)                     # the project's own setup
            async with run_application(app):
                jan = api.user(1001, "Jan")            # a User dict; private chat id == 1001
                api.send_text(jan, "/start")
                reply = await api.next_message(jan["id"])
                assert "Welkom" in reply["text"]
                since = api.mark()
                api.press_button(jan, reply, api.button_data(reply)[0])
                edit = await api.wait_for("editMessageText", since=since)
                assert edit.result["text"] == "..."   # text as Telegram shows it
                await api.settle()                     # bot idle, all updates processed

What it does, in short:

* **Requests** are decoded from ``application/x-www-form-urlencoded``, ``multipart/form-data``
  (uploaded files become :class:`UploadedFile`), JSON bodies and query strings. JSON-encoded
  values (``reply_markup``, ``entities``, ``commands``, ``media``, ...) are decoded back to
  objects, numbers/booleans to ``int``/``float``/``bool``; free-text parameters (``text``,
  ``caption``, ...) always stay strings. Every request is recorded as a :class:`Call` in
  :attr:`FakeBotAPI.calls` (``call.params`` as the bot sent them, ``call.result`` as the
  server answered).
* **Responses** are realistic Bot API objects: ``Message`` with ``message_id`` (counting per
  chat), ``date``, ``chat``, ``from`` = the bot, the text with ``parse_mode`` markup turned
  into ``entities`` and surrounding whitespace trimmed (as Telegram does; URLs, commands,
  mentions and hashtags are detected too), ``reply_markup`` for inline keyboards,
  ``reply_to_message``, ``edit_date``, ``media_group_id`` ...
* **Validation** like the real server: empty / too long texts and captions, HTML (only the
  tags Telegram allows, balanced), MarkdownV2 (reserved characters must be escaped),
  ``callback_data`` <= 64 bytes, text-only inline buttons, "message is not modified",
  answering a callback query twice, unknown chats ("chat not found"), chats the bot was
  kicked from or left (403), users that blocked the bot (403), migrated groups
  (``ChatMigrated``), photos that are not images, ... These checks catch real bugs.
  Note that PTB capitalises the descriptions: match error texts case-insensitively.
* **State** like Telegram's: editing a message without ``reply_markup`` removes its inline
  keyboard; ``leaveChat`` produces a ``my_chat_member`` update for the bot; commands,
  descriptions and menu buttons can be read back (:meth:`FakeBotAPI.commands`, ...).
  Registered groups count the bot as a member unless it was removed or left.
* **Failures** can be scripted with :meth:`FakeBotAPI.fail_next`; ``enforce_limits=True``
  answers 429 like Telegram's flood control (see :class:`RateLimits`).
* :func:`run_application` runs an ``Application`` exactly like ``run_polling`` does, but
  inside the test's event loop, and shuts it down quickly. While it runs, errors the
  application logs (e.g. exceptions in handlers) are collected and shown in the failure
  messages of :meth:`FakeBotAPI.wait_for`, :meth:`~FakeBotAPI.next_message` and
  :meth:`~FakeBotAPI.settle` (also :meth:`FakeBotAPI.logged_errors`), and ``settle`` also
  waits until the application has processed every fetched update.

Conventions: chats and users are plain Bot API dicts (``api.user(...)``, ``api.group(...)``);
a user's private chat has the user's id. Message dicts handed to tests are copies;
:meth:`FakeBotAPI.current` gives the latest version of a message after edits. A server
instance belongs to one event loop (create one per test). Unknown methods answer 404 like
Telegram; tests can add or override methods with :meth:`FakeBotAPI.on`. Errors inside the fake
server itself (bugs in this helper) are answered with HTTP 500 and re-raised as
``AssertionError`` when the ``async with`` block ends.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dtm
import inspect
import itertools
import json
import logging
import math
import mimetypes
import re
import socket
import struct
import sys
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import MethodType, TracebackType
from typing import TYPE_CHECKING, Any, ClassVar

from aiohttp import web

if TYPE_CHECKING:
    from telegram.ext import Application

__all__ = [
    "BotAPIError",
    "Call",
    "FakeBotAPI",
    "RateLimits",
    "UploadedFile",
    "run_application",
]

JSONDict = dict[str, Any]
MethodHandler = Callable[["Call"], Any]

_LOGGER = logging.getLogger(__name__)

# Importable as ``botapi`` (tests/ on sys.path) and as ``tests.botapi``: make both names refer to
# this one module so that the registry of running applications is shared.
for _alias in ("botapi", "tests.botapi"):
    sys.modules.setdefault(_alias, sys.modules[__name__])

#: Update types Telegram delivers when ``allowed_updates`` was never set (or set to ``[]``).
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

#: Parameters that are free text (or file ids / URLs) and must never be JSON-decoded.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "title",
        "description",
        "short_description",
        "name",
        "action",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "question",
        "question_parse_mode",
        "explanation",
        "explanation_parse_mode",
        "first_name",
        "last_name",
        "phone_number",
        "vcard",
        "address",
        "foursquare_id",
        "foursquare_type",
        "google_place_id",
        "google_place_type",
        "payload",
        "provider_token",
        "currency",
        "start_parameter",
        "file_id",
        "photo",
        "document",
        "video",
        "audio",
        "voice",
        "animation",
        "video_note",
        "sticker",
        "thumbnail",
        "language_code",
        "secret_token",
        "ip_address",
        "custom_title",
        "invite_link",
        "query",
        "result_id",
        "next_offset",
        "switch_pm_text",
        "switch_pm_parameter",
        "game_short_name",
        "custom_emoji_id",
        "sticker_set_name",
        "text_parse_mode",
        "tag",
    }
)

_INT_RE = re.compile(r"-?\d+\Z")
_FLOAT_RE = re.compile(r"-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?\Z")

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

_MEDIA_KINDS = (
    "photo",
    "video",
    "animation",
    "audio",
    "document",
    "voice",
    "video_note",
    "sticker",
)

_FILE_PREFIX = {
    "photo": "AgACAgQAAxkBAAI",
    "document": "BQACAgQAAxkBAAI",
    "video": "BAACAgQAAxkBAAI",
    "audio": "CQACAgQAAxkBAAI",
    "voice": "AwACAgQAAxkBAAI",
    "animation": "CgACAgQAAxkBAAI",
    "sticker": "CAACAgQAAxkBAAI",
    "video_note": "DQACAgQAAxkBAAI",
}
_FILE_DIR = {
    "photo": "photos",
    "document": "documents",
    "video": "videos",
    "audio": "music",
    "voice": "voice",
    "animation": "animations",
    "sticker": "stickers",
    "video_note": "video_notes",
}

#: Message content keys copied by forwardMessage / copyMessage.
_CONTENT_KEYS = (
    "text",
    "entities",
    "caption",
    "caption_entities",
    "photo",
    "document",
    "video",
    "animation",
    "audio",
    "voice",
    "video_note",
    "sticker",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
    "media_group_id",
)


# --------------------------------------------------------------------------------------
# small public data types
# --------------------------------------------------------------------------------------


class BotAPIError(Exception):
    """An error answer of the Bot API (``{"ok": false, ...}``).

    Raise it from a custom method handler (see :meth:`FakeBotAPI.on`) to answer with an error.
    """

    def __init__(
        self, error_code: int, description: str, parameters: JSONDict | None = None
    ) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JSONDict:
        body: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body


def _bad_request(description: str, parameters: JSONDict | None = None) -> BotAPIError:
    return BotAPIError(400, f"Bad Request: {description}", parameters)


@dataclass
class UploadedFile:
    """A file part of a ``multipart/form-data`` request."""

    filename: str
    content_type: str
    data: bytes
    field: str = ""

    @property
    def size(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return (
            f"UploadedFile(field={self.field!r}, filename={self.filename!r}, "
            f"content_type={self.content_type!r}, size={len(self.data)})"
        )


@dataclass
class Call:
    """One HTTP request to the fake Bot API, in arrival order.

    ``params`` holds the decoded parameters, ``files`` the uploaded files by multipart part
    name (``"document"``, ``"photo"`` or the ``attach://`` name for media groups). ``status``
    and ``response`` are filled in when the server answered (``done`` is then true).
    """

    method: str
    params: JSONDict
    files: dict[str, UploadedFile]
    at: float
    index: int = -1
    http_method: str = "POST"
    status: int | None = None
    response: JSONDict | None = None
    done: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))

    @property
    def result(self) -> Any:
        """The ``result`` of a successful answer (``None`` otherwise)."""
        return self.response.get("result") if self.response else None

    @property
    def error(self) -> str | None:
        """The error ``description`` if the server answered with an error."""
        if self.response and not self.response.get("ok"):
            return str(self.response.get("description"))
        return None

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def text(self) -> str | None:
        """``text`` or ``caption`` parameter as sent by the bot (with markup, if any)."""
        value = self.params.get("text", self.params.get("caption"))
        return None if value is None else str(value)

    def short(self, width: int = 70) -> str:
        """A one-line description, used in failure messages."""
        parts = []
        for key, value in self.params.items():
            if self.method == "getUpdates" and key == "allowed_updates":
                continue
            if key in ("reply_markup",) and isinstance(value, dict):
                data = _markup_summary(value)
                parts.append(f"{key}={data}")
                continue
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            if len(text) > width:
                text = text[: width - 3] + "..."
            parts.append(f"{key}={text!r}" if isinstance(value, str) else f"{key}={text}")
        if self.files:
            parts.append(
                "files=" + ",".join(f"{k}:{f.filename}({f.size}B)" for k, f in self.files.items())
            )
        if not self.done:
            outcome = "(pending)"
        elif self.response is None:
            outcome = "(no answer: client went away)"
        elif self.response.get("ok"):
            result = self.response.get("result")
            if self.method == "getUpdates" and isinstance(result, list):
                outcome = f"-> {len(result)} update(s)"
            else:
                outcome = "-> ok"
        else:
            outcome = f"-> {self.response.get('error_code')} {self.response.get('description')}"
        return f"#{self.index} {self.method}({', '.join(parts)}) {outcome}"


@dataclass
class RateLimits:
    """Flood limits applied with ``enforce_limits=True`` (sliding windows, like Telegram's
    published limits). Counted are messages sent or edited: ``send*`` (except
    ``sendChatAction``; a media group counts per item), ``edit*``, ``copyMessage(s)`` and
    ``forwardMessage(s)``. Negative chat ids are groups, positive ones private chats."""

    overall_per_second: int = 30
    group_per_minute: int = 20
    private_per_second: int = 1


def _markup_summary(markup: JSONDict) -> str:
    if "inline_keyboard" in markup:
        rows = markup.get("inline_keyboard") or []
        return (
            "inline["
            + " | ".join(
                ", ".join(
                    f"{b.get('text')!r}:{b.get('callback_data', b.get('url', '?'))!r}"
                    for b in row
                    if isinstance(b, dict)
                )
                for row in rows
                if isinstance(row, list)
            )
            + "]"
        )
    if "keyboard" in markup:
        rows = markup.get("keyboard") or []
        return (
            "keyboard["
            + " | ".join(
                ", ".join(repr(b.get("text") if isinstance(b, dict) else b) for b in row)
                for row in rows
                if isinstance(row, list)
            )
            + "]"
        )
    return json.dumps(markup)


# --------------------------------------------------------------------------------------
# helpers: waiting, decoding, text
# --------------------------------------------------------------------------------------


class _Pulse:
    """Wake-up-all signal: waiters grab the current event, ``fire`` sets it and starts a new one."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float | None) -> bool:
        event = self._event  # grabbed before the first suspension: no lost wake-ups
        if seconds is not None and seconds <= 0:
            return False
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            return False
        return True


class _Window:
    """Sliding-window counter."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.times: deque[float] = deque()

    def wait_time(self, now: float, weight: int = 1) -> float:
        while self.times and self.times[0] <= now - self.period:
            self.times.popleft()
        weight = min(weight, self.limit)
        if len(self.times) + weight <= self.limit:
            return 0.0
        index = min(len(self.times) - 1, max(0, len(self.times) + weight - self.limit - 1))
        return max(self.times[index] + self.period - now, 0.001) if self.times else self.period

    def add(self, now: float, weight: int = 1) -> None:
        self.times.extend([now] * weight)


def _decode_value(key: str, value: Any) -> Any:
    """Undo PTB's encoding of one parameter (non-strings are sent JSON-encoded)."""
    if not isinstance(value, str) or key in _STRING_PARAMS:
        return value
    text = value.strip()
    if not text:
        return value
    if text[0] in "{[":
        try:
            return json.loads(text)
        except ValueError:
            return value
    if text in ("true", "false"):
        return text == "true"
    if _INT_RE.match(text):
        return int(text)
    if _FLOAT_RE.match(text):
        return float(text)
    return value


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _now() -> int:
    return int(time.time())


class _TextBuilder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0  # in UTF-16 code units
        self.entities: list[JSONDict] = []

    def emit(self, text: str) -> None:
        self.parts.append(text)
        self.pos += _utf16_len(text)

    def entity(self, type_: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            self.entities.append(
                {"type": type_, "offset": start, "length": self.pos - start, **extra}
            )

    def result(self) -> tuple[str, list[JSONDict]]:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), entities


def _entity_error(message: str) -> BotAPIError:
    return _bad_request(f"can't parse entities: {message}")


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class _TelegramHTMLParser(HTMLParser):
    """Parses Telegram's HTML subset into plain text + entities; errors like Telegram's."""

    def __init__(self, raw: str) -> None:
        super().__init__(convert_charrefs=False)
        self.raw = raw
        self.line_starts = [0] + [i + 1 for i, c in enumerate(raw) if c == "\n"]
        self.out = _TextBuilder()
        # (tag, start, attrs, byte offset)
        self.stack: list[tuple[str, int, dict[str, str | None], int]] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _byte_offset(self, extra_chars: int = 0) -> int:
        return len(self.raw[: self._offset() + extra_chars].encode())

    def handle_data(self, data: str) -> None:
        index = data.find("<")
        if index >= 0:
            match = re.match(r"</?([^\s>/]*)", data[index:])
            name = match.group(1) if match else ""
            raise _entity_error(
                f'Unsupported start tag "{name}" at byte offset {self._byte_offset(index)}'
            )
        self.out.emit(data)

    def handle_entityref(self, name: str) -> None:
        start = self._offset()
        if self.raw.startswith(f"&{name};", start):
            self.out.emit(_HTML_NAMED_ENTITIES.get(name, f"&{name};"))
        else:
            self.out.emit(f"&{name}")

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in "xX" else int(name)
            self.out.emit(chr(code))
        except (ValueError, OverflowError):
            self.out.emit(f"&#{name};")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        offset = self._byte_offset()
        if tag not in _HTML_TAGS:
            raise _entity_error(f'Unsupported start tag "{tag}" at byte offset {offset}')
        attributes = dict(attrs)
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise _entity_error(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        if tag == "tg-emoji" and not attributes.get("emoji-id"):
            raise _entity_error(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
            )
        if tag == "code" and self.stack and self.stack[-1][0] == "pre":
            language = attributes.get("class") or ""
            if language.startswith("language-"):
                self.stack[-1][2]["language"] = language[len("language-") :]
            attributes["__in_pre__"] = "1"
        self.stack.append((tag, self.out.pos, attributes, offset))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise _entity_error(f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}')

    def handle_endtag(self, tag: str) -> None:
        offset = self._byte_offset()
        if not self.stack:
            raise _entity_error(f"Unexpected end tag at byte offset {offset}")
        open_tag, start, attrs, _ = self.stack.pop()
        if open_tag != tag:
            raise _entity_error(
                f"Unmatched end tag at byte offset {offset}, "
                f'expected "</{open_tag}>", found "</{tag}>"'
            )
        kind = _HTML_TAGS[tag]
        if kind == "text_link":
            href = attrs.get("href")
            if href:
                self.out.entity("text_link", start, url=href)
        elif kind == "code":
            if "__in_pre__" not in attrs:
                self.out.entity("code", start)
        elif kind == "pre":
            language = attrs.get("language")
            if language:
                self.out.entity("pre", start, language=language)
            else:
                self.out.entity("pre", start)
        elif kind == "blockquote":
            self.out.entity(
                "expandable_blockquote" if "expandable" in attrs else "blockquote", start
            )
        elif kind == "custom_emoji":
            self.out.entity("custom_emoji", start, custom_emoji_id=attrs.get("emoji-id"))
        else:
            self.out.entity(kind, start)

    def _unsupported(self, what: str) -> None:
        raise _entity_error(f'Unsupported start tag "{what}" at byte offset {self._byte_offset()}')

    def handle_comment(self, data: str) -> None:
        self._unsupported("!--")

    def handle_decl(self, decl: str) -> None:
        self._unsupported("!" + decl.split(" ")[0])

    def handle_pi(self, data: str) -> None:
        self._unsupported("?")

    def unknown_decl(self, data: str) -> None:
        self._unsupported("!")

    def parse(self) -> tuple[str, list[JSONDict]]:
        self.feed(self.raw)
        self.close()
        if self.stack:
            raise _entity_error(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"'
            )
        return self.out.result()


def _parse_html(text: str) -> tuple[str, list[JSONDict]]:
    return _TelegramHTMLParser(text).parse()


_MDV2_SPECIAL = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def _parse_markdown_v2(text: str) -> tuple[str, list[JSONDict]]:
    """MarkdownV2 as described in the Bot API docs (modelled on tdlib's parser)."""
    out = _TextBuilder()
    stack: list[tuple[str, int, int, JSONDict]] = []  # kind, start, byte offset, extra
    quote_start: int | None = None
    i, n = 0, len(text)

    def byte_offset(index: int) -> int:
        return len(text[:index].encode())

    def toggle(kind: str, index: int) -> None:
        if stack and stack[-1][0] == kind:
            _, start, _, extra = stack.pop()
            out.entity(kind, start, **extra)
        else:
            stack.append((kind, out.pos, byte_offset(index), {}))

    def reserved(char: str) -> BotAPIError:
        return _entity_error(
            f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
        )

    while i < n:
        char = text[i]
        top = stack[-1][0] if stack else None
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.emit(text[i + 1])
            i += 2
            continue
        if top in ("code", "pre"):
            if char == "`":
                if top == "pre" and text.startswith("```", i):
                    _, start, _, pre_extra = stack.pop()
                    out.entity("pre", start, **pre_extra)
                    i += 3
                    continue
                if top == "code":
                    _, start, _, _ = stack.pop()
                    out.entity("code", start)
                    i += 1
                    continue
                raise reserved(char)
            out.emit(char)
            i += 1
            continue
        if char == "\n" and quote_start is not None and not text.startswith(">", i + 1):
            out.entity("blockquote", quote_start)
            quote_start = None
            out.emit(char)
            i += 1
            continue
        if char == ">" and (i == 0 or text[i - 1] == "\n"):
            if quote_start is None:
                quote_start = out.pos
            i += 1
            continue
        if char not in _MDV2_SPECIAL:
            out.emit(char)
            i += 1
            continue
        if char == "*":
            toggle("bold", i)
            i += 1
        elif char == "_":
            if text.startswith("__", i):
                toggle("underline", i)
                i += 2
            else:
                toggle("italic", i)
                i += 1
        elif char == "~":
            toggle("strikethrough", i)
            i += 1
        elif char == "|" and text.startswith("||", i):
            toggle("spoiler", i)
            i += 2
        elif char == "`":
            if text.startswith("```", i):
                j = i + 3
                newline = text.find("\n", j)
                extra: JSONDict = {}
                if newline != -1 and re.fullmatch(r"[\w+#.\-]+", text[j:newline]):
                    extra = {"language": text[j:newline]}
                    j = newline + 1
                elif newline == j:
                    j += 1
                stack.append(("pre", out.pos, byte_offset(i), extra))
                i = j
            else:
                stack.append(("code", out.pos, byte_offset(i), {}))
                i += 1
        elif char == "[":
            stack.append(("text_link", out.pos, byte_offset(i), {}))
            i += 1
        elif char == "!" and text.startswith("![", i):
            stack.append(("custom_emoji", out.pos, byte_offset(i), {}))
            i += 2
        elif char == "]" and top in ("text_link", "custom_emoji"):
            kind, start, start_byte, _ = stack.pop()
            i += 1
            if i >= n or text[i] != "(":
                raise _entity_error(f"Can't find end of a URL at byte offset {byte_offset(i)}")
            j = i + 1
            url_chars: list[str] = []
            while j < n and text[j] != ")":
                if text[j] == "\\" and j + 1 < n:
                    url_chars.append(text[j + 1])
                    j += 2
                else:
                    url_chars.append(text[j])
                    j += 1
            if j >= n:
                raise _entity_error(f"Can't find end of a URL at byte offset {byte_offset(i)}")
            url = "".join(url_chars)
            i = j + 1
            if kind == "custom_emoji":
                match = re.match(r"tg://emoji\?id=(\d+)", url)
                if not match:
                    raise _entity_error(
                        "Custom emoji URL must have an emoji identifier "
                        f"at byte offset {start_byte}"
                    )
                out.entity("custom_emoji", start, custom_emoji_id=match.group(1))
            else:
                out.entity("text_link", start, url=url)
        else:
            raise reserved(char)
    if stack:
        kind, _, start_byte, _ = stack[-1]
        raise _entity_error(
            f"Can't find end of {_MDV2_NAMES[kind]} entity at byte offset {start_byte}"
        )
    if quote_start is not None:
        out.entity("blockquote", quote_start)
    return out.result()


def _parse_markdown(text: str) -> tuple[str, list[JSONDict]]:
    """Legacy ``Markdown`` parse mode."""
    out = _TextBuilder()
    i, n = 0, len(text)
    kinds = {"*": "bold", "_": "italic", "`": "code"}
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.emit(text[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            out.emit(char)
            i += 1
            continue
        error = _entity_error(
            f"Can't find end of the entity starting at byte offset {len(text[:i].encode())}"
        )
        if char == "[":
            close = text.find("]", i + 1)
            if close == -1 or not text.startswith("(", close + 1):
                raise error
            end = text.find(")", close + 2)
            if end == -1:
                raise error
            start = out.pos
            out.emit(text[i + 1 : close])
            out.entity("text_link", start, url=text[close + 2 : end])
            i = end + 1
        elif char == "`" and text.startswith("```", i):
            end = text.find("```", i + 3)
            if end == -1:
                raise error
            inner = text[i + 3 : end]
            extra: JSONDict = {}
            first, sep, rest = inner.partition("\n")
            if sep and first and re.fullmatch(r"[\w+#.\-]+", first):
                extra["language"] = first
                inner = rest
            start = out.pos
            out.emit(inner)
            out.entity("pre", start, **extra)
            i = end + 3
        else:
            end = text.find(char, i + 1)
            if end == -1:
                raise error
            start = out.pos
            out.emit(text[i + 1 : end])
            out.entity(kinds[char], start)
            i = end + 1
    return out.result()


_TRIM_CHARS = " \t\n\r"


def _trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Telegram strips leading/trailing whitespace and adjusts the entities."""
    stripped_left = text.lstrip(_TRIM_CHARS)
    lead = _utf16_len(text[: len(text) - len(stripped_left)])
    result = stripped_left.rstrip(_TRIM_CHARS)
    total = _utf16_len(result)
    adjusted: list[JSONDict] = []
    for entity in entities:
        if not isinstance(entity, dict):
            continue
        try:
            start = int(entity["offset"]) - lead
            end = start + int(entity["length"])
        except (KeyError, TypeError, ValueError):
            raise _bad_request("can't parse entities: entity offset/length is invalid") from None
        start, end = max(start, 0), min(end, total)
        if end > start:
            adjusted.append({**entity, "offset": start, "length": end - start})
    return result, adjusted


_COMMAND_RE = re.compile(r"(?:^|(?<=\s))/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")
_URL_RE = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'}]")
_MENTION_RE = re.compile(r"(?:^|(?<=[^\w@/]))@[A-Za-z][A-Za-z0-9_]{3,31}\b")
_HASHTAG_RE = re.compile(r"(?:^|(?<=[^\w#/&]))#\w*[^\W\d]\w*")


def _detect_entities(text: str) -> list[JSONDict]:
    """The entities Telegram's client-side detection adds to user texts."""
    found: list[tuple[int, int, str]] = []
    for kind, regex in (
        ("url", _URL_RE),
        ("bot_command", _COMMAND_RE),
        ("mention", _MENTION_RE),
        ("hashtag", _HASHTAG_RE),
    ):
        for match in regex.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e, _ in found):
                continue
            found.append((start, end, kind))
    found.sort()
    return [
        {"type": kind, "offset": _utf16_len(text[:start]), "length": _utf16_len(text[start:end])}
        for start, end, kind in found
    ]


_EXCLUSIVE_ENTITIES = frozenset(
    {
        "code", "pre", "text_link", "text_mention", "url", "email", "mention", "hashtag",
        "cashtag", "bot_command", "custom_emoji", "phone_number",
    }
)  # fmt: skip


def _with_detected_entities(text: str, entities: list[JSONDict]) -> list[JSONDict]:
    """Telegram also marks URLs, commands, mentions and hashtags in messages of bots."""
    taken = [
        (e["offset"], e["offset"] + e["length"])
        for e in entities
        if e.get("type") in _EXCLUSIVE_ENTITIES
    ]
    detected = [
        e
        for e in _detect_entities(text)
        if not any(e["offset"] < end and start < e["offset"] + e["length"] for start, end in taken)
    ]
    if not detected:
        return entities
    return sorted(entities + detected, key=lambda e: (e["offset"], -e["length"]))


def _image_kind(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:2] == b"BM":
        return "bmp"
    return None


def _image_size(data: bytes) -> tuple[int, int] | None:
    kind = _image_kind(data)
    try:
        if kind == "png" and len(data) >= 24:
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if kind == "gif" and len(data) >= 10:
            width, height = struct.unpack("<HH", data[6:10])
            return int(width), int(height)
        if kind == "bmp" and len(data) >= 26:
            width, height = struct.unpack("<ii", data[18:26])
            return abs(int(width)), abs(int(height))
        if kind == "jpeg":
            i = 2
            while i + 9 < len(data):
                if data[i] != 0xFF:
                    i += 1
                    continue
                marker = data[i + 1]
                if marker in (0xD8, 0x01, 0xFF) or 0xD0 <= marker <= 0xD7:
                    i += 1 if marker == 0xFF else 2
                    continue
                seg_len = struct.unpack(">H", data[i + 2 : i + 4])[0]
                if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                    height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                    return int(width), int(height)
                i += 2 + seg_len
    except struct.error:
        return None
    return None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    kind: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    def as_file(self) -> JSONDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class _Failure:
    method: str
    error_code: int
    description: str
    retry_after: int | None
    chat_id: int | None
    times: int
    parameters: JSONDict = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# the server
# --------------------------------------------------------------------------------------


class FakeBotAPI:
    """Local fake of the Telegram Bot API. See the module docstring for an overview.

    Use as ``async with FakeBotAPI() as api:`` (or call :meth:`start` / :meth:`stop`).
    """

    def __init__(
        self,
        token: str = "123456:TEST-token-abcdefghijklmnopqrstuvwx",
        bot_id: int = 123456,
        bot_username: str = "wijkbot_test_bot",
        bot_name: str = "Wijkbot",
        *,
        enforce_limits: bool = False,
        rate_limits: RateLimits | None = None,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.enforce_limits = enforce_limits
        self.rate_limits = rate_limits or RateLimits()
        self.port: int = 0

        #: Every request, in arrival order.
        self.calls: list[Call] = []
        #: Exceptions raised inside the fake server (bugs of the helper, answered with 500).
        self.internal_errors: list[BaseException] = []
        #: Updates dropped because they were not in ``allowed_updates`` or by
        #: ``drop_pending_updates``.
        self.dropped_updates: list[JSONDict] = []
        #: Answers to callback queries by callback query id (the answerCallbackQuery params).
        self.callback_answers: dict[str, JSONDict] = {}

        self._runner: web.AppRunner | None = None
        self._closing = False
        self._calls_pulse = _Pulse()
        self._updates_pulse = _Pulse()
        self._sent_pulse = _Pulse()
        self._activity_pulse = _Pulse()

        self._update_ids = itertools.count(1)
        self._updates: list[JSONDict] = []
        self._delivered_upto = 0
        self._poll_generation = 0
        self._allowed_updates: frozenset[str] | None = None
        self._webhook_url = ""
        self._inflight = 0
        self._last_activity = time.monotonic()

        self._users: dict[int, JSONDict] = {}
        self._chats: dict[int, JSONDict] = {}
        self._bot_status: dict[int, str] = {}
        self._member_status: dict[tuple[int, int], str] = {}
        self._blocked_by: set[int] = set()
        self._migrated: dict[int, int] = {}

        self._message_ids: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._reply_keyboards: dict[tuple[int, int], JSONDict] = {}
        self._sent: list[JSONDict] = []
        self._sent_by_chat: dict[int, list[JSONDict]] = {}
        self._cursors: dict[int, int] = {}
        self._media_group_ids = itertools.count(13_000_000_000_000_001)
        self._callback_ids = itertools.count(4_300_000_000_000_000_001)
        self._open_queries: dict[str, JSONDict] = {}

        self._file_counter = itertools.count(1)
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}

        self._commands: dict[tuple[str, Any, Any, str], list[JSONDict]] = {}
        self._menu_buttons: dict[Any, JSONDict] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        self._admin_rights: dict[bool, JSONDict] = {}

        self._failures: list[_Failure] = []
        self._rate_violations = 0
        self._overall_window = _Window(self.rate_limits.overall_per_second, 1.0)
        self._chat_windows: dict[int, _Window] = {}

        self._custom: dict[str, tuple[str, MethodHandler]] = {}
        self._methods: dict[str, tuple[str, MethodHandler]] = {}
        for name, handler in self._builtin_methods().items():
            self._methods[name.lower()] = (name, handler)

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def bot_user(self) -> JSONDict:
        """The bot's ``User`` dict as it appears in messages."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("FakeBotAPI is already running")
        self._closing = False
        # events belong to the loop that runs the server
        self._calls_pulse = _Pulse()
        self._updates_pulse = _Pulse()
        self._sent_pulse = _Pulse()
        self._activity_pulse = _Pulse()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_path)
        runner = web.AppRunner(
            app,
            handle_signals=False,
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=0.5,
        )
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
            site = web.SockSite(runner, sock)
            await site.start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self._runner = runner

    async def stop(self) -> None:
        """Stop the server; pending long polls are answered at once."""
        self._closing = True
        self._updates_pulse.fire()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
        if exc_type is None and self.internal_errors:
            raise AssertionError(
                f"the fake Bot API failed internally {len(self.internal_errors)} time(s); "
                f"first error: {self.internal_errors[0]!r}"
            ) from self.internal_errors[0]

    def __repr__(self) -> str:
        return f"<FakeBotAPI port={self.port} calls={len(self.calls)} sent={len(self._sent)}>"

    # ------------------------------------------------------------------ people and chats

    def user(
        self,
        user_id: int,
        first_name: str = "Jan",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "nl",
        is_premium: bool | None = None,
    ) -> JSONDict:
        """A Telegram ``User`` dict; registers the user and their private chat with the bot."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        if is_premium is not None:
            user["is_premium"] = is_premium
        self._users[user_id] = copy.deepcopy(user)
        self._chats[user_id] = self.private_chat(user)
        return user

    def private_chat(self, user: JSONDict) -> JSONDict:
        chat: JSONDict = {
            "id": user["id"],
            "type": "private",
            "first_name": user.get("first_name", ""),
        }
        for key in ("last_name", "username"):
            if user.get(key):
                chat[key] = user[key]
        return chat

    def group(
        self, chat_id: int, title: str, *, type: str = "group", username: str | None = None
    ) -> JSONDict:
        """A group ``Chat`` dict (negative id; ``type`` "group" or "supergroup"); registers it.

        The bot counts as a member of registered groups unless it was removed
        (:meth:`remove_bot_from_group`) or left."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative (supergroups: -100...)")
        if type not in ("group", "supergroup", "channel"):
            raise ValueError(f"unsupported chat type {type!r}")
        chat: JSONDict = {"id": chat_id, "type": type, "title": title}
        if username:
            chat["username"] = username
        self._chats[chat_id] = copy.deepcopy(chat)
        return chat

    def set_member_status(self, chat: JSONDict, user: JSONDict, status: str) -> None:
        """What getChatMember / getChatAdministrators report for ``user`` in ``chat``:
        "creator", "administrator", "member", "restricted", "left" or "kicked"."""
        self._register_chat(chat)
        self._register_user(user)
        self._member_status[(chat["id"], user["id"])] = status

    def bot_status(self, chat_id: int) -> str:
        """The bot's membership status in a chat ("member" unless changed)."""
        return self._bot_status.get(chat_id, "member")

    # ------------------------------------------------------------------ injecting updates

    def inject_update(self, update_type: str, payload: JSONDict) -> JSONDict:
        """Enqueue an arbitrary update (``{"update_id": n, update_type: payload}``)."""
        update: JSONDict = {
            "update_id": next(self._update_ids),
            update_type: copy.deepcopy(payload),
        }
        self._updates.append(update)
        self._touch()
        self._updates_pulse.fire()
        return copy.deepcopy(update)

    def send_text(
        self,
        user: JSONDict,
        text: str,
        chat: JSONDict | None = None,
        *,
        reply_to: JSONDict | None = None,
    ) -> JSONDict:
        """A user sends a text (commands, mentions, URLs and hashtags get entities)."""
        fields: JSONDict = {"text": text}
        entities = _detect_entities(text)
        if entities:
            fields["entities"] = entities
        return self._user_message(user, chat, fields, reply_to=reply_to)

    def send_custom(
        self,
        user: JSONDict,
        content: JSONDict,
        chat: JSONDict | None = None,
        *,
        reply_to: JSONDict | None = None,
    ) -> JSONDict:
        """A user message with arbitrary content fields (e.g. ``{"contact": {...}}``)."""
        return self._user_message(user, chat, dict(content), reply_to=reply_to)

    def edit_text(self, message: JSONDict, text: str) -> JSONDict:
        """The user edits one of their text messages (an ``edited_message`` update)."""
        current = self._lookup_user_message(message)
        current["text"] = text
        entities = _detect_entities(text)
        current.pop("entities", None)
        if entities:
            current["entities"] = entities
        current["edit_date"] = _now()
        return self.inject_update("edited_message", current)

    def send_location(
        self,
        user: JSONDict,
        latitude: float,
        longitude: float,
        chat: JSONDict | None = None,
        *,
        live_period: int | None = None,
        horizontal_accuracy: float | None = None,
    ) -> JSONDict:
        location: JSONDict = {"latitude": float(latitude), "longitude": float(longitude)}
        if live_period is not None:
            location["live_period"] = live_period
        if horizontal_accuracy is not None:
            location["horizontal_accuracy"] = horizontal_accuracy
        return self._user_message(user, chat, {"location": location})

    def edit_location(self, message: JSONDict, latitude: float, longitude: float) -> JSONDict:
        """A live location moves (``edited_message`` update for a ``send_location`` message)."""
        current = self._lookup_user_message(message)
        if "location" not in current:
            raise AssertionError("edit_location needs a message created by send_location")
        current["location"] = {
            **current["location"],
            "latitude": float(latitude),
            "longitude": float(longitude),
        }
        current["edit_date"] = _now()
        return self.inject_update("edited_message", current)

    def send_document(
        self,
        user: JSONDict,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        chat: JSONDict | None = None,
        *,
        caption: str | None = None,
    ) -> JSONDict:
        """A user sends a file; getFile and the download URL work for it."""
        stored = self._store_file("document", content, file_name=filename, mime_type=mime_type)
        fields: JSONDict = {"document": self._media_object("document", stored)}
        self._add_caption(fields, caption)
        return self._user_message(user, chat, fields)

    def send_photo(
        self,
        user: JSONDict,
        content: bytes,
        chat: JSONDict | None = None,
        *,
        caption: str | None = None,
    ) -> JSONDict:
        stored = self._store_file("photo", content, mime_type="image/jpeg")
        fields: JSONDict = {"photo": self._photo_sizes(stored)}
        self._add_caption(fields, caption)
        return self._user_message(user, chat, fields)

    def press_button(self, user: JSONDict, message: JSONDict, data: str) -> JSONDict:
        """The user presses the inline button with ``callback_data == data`` on a bot message
        (its current version, after edits). Returns the ``callback_query`` update."""
        current = self._current_or_fail(message)
        available = self.button_data(current)
        if data not in available:
            raise AssertionError(
                f"message {current['message_id']} in chat {current['chat']['id']} has no button "
                f"with callback_data {data!r}; available: {available!r} "
                f"(texts: {self.button_texts(current)!r})"
            )
        if current["chat"]["type"] == "private" and current["chat"]["id"] != user["id"]:
            raise AssertionError(
                f"user {user['id']} can't press buttons in the private chat "
                f"of {current['chat']['id']}"
            )
        self._register_user(user)
        query_id = str(next(self._callback_ids))
        query: JSONDict = {
            "id": query_id,
            "from": copy.deepcopy(user),
            "message": current,
            "chat_instance": str(abs(current["chat"]["id"]) * 7919 + 1_000_000_007),
            "data": data,
        }
        self._open_queries[query_id] = query
        return self.inject_update("callback_query", query)

    def press_forged(self, user: JSONDict, message: JSONDict, data: str) -> JSONDict:
        """A modified client sends callback data no button of the message carries (Telegram
        does not check it against the keyboard): what the bot must withstand."""
        current = self._current_or_fail(message)
        self._register_user(user)
        query_id = str(next(self._callback_ids))
        query: JSONDict = {"id": query_id, "from": copy.deepcopy(user), "message": current,
                           "chat_instance": "1", "data": data}
        self._open_queries[query_id] = query
        return self.inject_update("callback_query", query)

    def button_data(self, message: JSONDict) -> list[str]:
        """``callback_data`` of the message's current inline keyboard, row by row."""
        current = self._current_or_fail(message)
        rows = (current.get("reply_markup") or {}).get("inline_keyboard") or []
        return [b["callback_data"] for row in rows for b in row if "callback_data" in b]

    def button_texts(self, message: JSONDict) -> list[str]:
        """Texts of the current inline keyboard, or of the reply keyboard sent with it."""
        current = self._current_or_fail(message)
        rows = (current.get("reply_markup") or {}).get("inline_keyboard")
        if rows is None:
            key = (current["chat"]["id"], current["message_id"])
            rows = self._reply_keyboards.get(key, {}).get("keyboard") or []
        return [b["text"] if isinstance(b, dict) else str(b) for row in rows for b in row]

    def add_bot_to_group(
        self,
        by_user: JSONDict,
        chat: JSONDict,
        *,
        status: str = "member",
        with_service_message: bool = False,
    ) -> JSONDict:
        """``my_chat_member`` update: the bot goes from "left" to ``status``.
        ``with_service_message`` also enqueues the ``new_chat_members`` message (like Telegram)."""
        chat = self._register_chat(chat)
        self._register_user(by_user)
        old = self._bot_status.get(chat["id"])
        old_status = old if old in ("left", "kicked") else "left"
        self._bot_status[chat["id"]] = status
        update = self._my_chat_member(chat, by_user, old_status, status)
        if with_service_message:
            self._user_message(by_user, chat, {"new_chat_members": [self.bot_user]})
        return update

    def remove_bot_from_group(
        self, by_user: JSONDict, chat: JSONDict, *, kicked: bool = True
    ) -> JSONDict:
        """``my_chat_member`` update: the bot becomes "kicked" (or "left"). Later sends to the
        chat fail with 403 like on Telegram."""
        chat = self._register_chat(chat)
        self._register_user(by_user)
        old_status = self._bot_status.get(chat["id"], "member")
        new_status = "kicked" if kicked else "left"
        self._bot_status[chat["id"]] = new_status
        return self._my_chat_member(chat, by_user, old_status, new_status)

    def block_bot(self, user: JSONDict) -> JSONDict:
        """The user blocks the bot (``my_chat_member`` in the private chat; sends then fail 403)."""
        self._register_user(user)
        self._blocked_by.add(user["id"])
        return self._my_chat_member(self.private_chat(user), user, "member", "kicked")

    def unblock_bot(self, user: JSONDict) -> JSONDict:
        self._register_user(user)
        self._blocked_by.discard(user["id"])
        return self._my_chat_member(self.private_chat(user), user, "kicked", "member")

    def member_joined(self, user: JSONDict, chat: JSONDict) -> JSONDict:
        """A ``new_chat_members`` service message in a group."""
        self._member_status[(chat["id"], user["id"])] = "member"
        return self._user_message(user, chat, {"new_chat_members": [copy.deepcopy(user)]})

    def member_left(self, user: JSONDict, chat: JSONDict) -> JSONDict:
        """A ``left_chat_member`` service message in a group."""
        self._member_status[(chat["id"], user["id"])] = "left"
        return self._user_message(user, chat, {"left_chat_member": copy.deepcopy(user)})

    def migrate_group(
        self, chat: JSONDict, new_chat_id: int, *, by_user: JSONDict | None = None
    ) -> JSONDict:
        """The group becomes a supergroup. Enqueues the ``migrate_to_chat_id`` message in the old
        group and the ``migrate_from_chat_id`` message in the new supergroup (as Telegram does);
        requests for the old id then fail with ``ChatMigrated``. Returns the new chat dict."""
        old = self._register_chat(chat)
        if new_chat_id >= 0:
            raise ValueError("supergroup ids are negative (-100...)")
        sender = by_user or {"id": 777000, "is_bot": False, "first_name": "Telegram"}
        new_chat = self.group(new_chat_id, old.get("title", ""), type="supergroup")
        if old["id"] in self._bot_status:
            self._bot_status[new_chat_id] = self._bot_status[old["id"]]
        for (chat_id, user_id), status in list(self._member_status.items()):
            if chat_id == old["id"]:
                self._member_status[(new_chat_id, user_id)] = status
        self._user_message(sender, old, {"migrate_to_chat_id": new_chat_id})
        self._migrated[old["id"]] = new_chat_id
        self._user_message(sender, new_chat, {"migrate_from_chat_id": old["id"]})
        return new_chat

    # ------------------------------------------------------------------ failure simulation

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (optionally only those for ``chat_id``)
        with an error, e.g. ``(403, "Forbidden: bot was blocked by the user")`` or
        ``(429, "Too Many Requests: retry after 3", retry_after=3)``."""
        parameters: JSONDict = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        self._failures.append(
            _Failure(method, error_code, description, retry_after, chat_id, times, parameters)
        )

    def on(self, method: str, handler: MethodHandler | None) -> None:
        """Add or override a Bot API method: ``handler(call)`` returns the ``result`` (may be a
        coroutine) or raises :class:`BotAPIError`. ``None`` removes the override."""
        if handler is None:
            self._custom.pop(method.lower(), None)
        else:
            self._custom[method.lower()] = (method, handler)

    @property
    def rate_limit_violations(self) -> int:
        """How many 429 answers ``enforce_limits`` produced."""
        return self._rate_violations

    # ------------------------------------------------------------------ records

    def mark(self) -> int:
        """The current number of calls; pass as ``since`` to :meth:`wait_for`."""
        return len(self.calls)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def sent(self, chat_id: int | None = None) -> list[JSONDict]:
        """Messages the bot sent (as returned at sending time), in order."""
        source = self._sent if chat_id is None else self._sent_by_chat.get(chat_id, [])
        return copy.deepcopy(source)

    def texts(self, chat_id: int | None = None) -> list[str]:
        """``text`` (or ``caption``) of every message the bot sent, in order."""
        return [str(m.get("text", m.get("caption", ""))) for m in self.sent(chat_id)]

    def message(self, chat_id: int, message_id: int) -> JSONDict:
        """The current version of any message (after edits)."""
        try:
            return copy.deepcopy(self._messages[(chat_id, message_id)])
        except KeyError:
            raise AssertionError(f"no message {message_id} in chat {chat_id}") from None

    def current(self, message: JSONDict) -> JSONDict:
        """The current version of ``message`` (after edits)."""
        return self.message(message["chat"]["id"], message["message_id"])

    def is_deleted(self, message: JSONDict) -> bool:
        return (message["chat"]["id"], message["message_id"]) in self._deleted

    def reply_keyboard(self, message: JSONDict) -> JSONDict | None:
        """The ``ReplyKeyboardMarkup`` / ``ReplyKeyboardRemove`` / ``ForceReply`` sent with a
        message (Telegram does not echo those in the Message)."""
        markup = self._reply_keyboards.get((message["chat"]["id"], message["message_id"]))
        return copy.deepcopy(markup)

    def commands(
        self,
        scope_type: str = "default",
        language_code: str = "",
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> list[JSONDict]:
        """The commands set with setMyCommands for this scope and language."""
        key = (scope_type, chat_id, user_id, language_code or "")
        return copy.deepcopy(self._commands.get(key, []))

    def description(self, kind: str = "description", language_code: str = "") -> str:
        """What setMyDescription ("description"), setMyShortDescription
        ("short_description") or setMyName ("name") stored."""
        return self._descriptions.get((kind, language_code or ""), "")

    def menu_button(self, chat_id: int | None = None) -> JSONDict:
        return copy.deepcopy(self._menu_buttons.get(chat_id, {"type": "commands"}))

    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by the bot (offset)."""
        return copy.deepcopy(self._updates)

    def file_bytes(self, file_id: str) -> bytes:
        """Bytes of a file known to the server (uploaded by the bot or injected)."""
        try:
            return self._files[file_id].data
        except KeyError:
            raise AssertionError(f"unknown file_id {file_id!r}") from None

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        since: int = 0,
    ) -> Call:
        """The first answered call of ``method`` (case-insensitive) with index >= ``since`` that
        matches ``predicate`` (a predicate raising KeyError/IndexError/TypeError counts as no
        match). Waits for it; raises AssertionError listing the calls on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        wanted = method.lower()
        first_open = since
        while True:
            index = first_open
            contiguous = True
            while index < len(self.calls):
                call = self.calls[index]
                if call.done:
                    if call.method.lower() == wanted and _matches(predicate, call):
                        return call
                    if contiguous:
                        first_open = index + 1
                else:
                    contiguous = False
                index += 1
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = f"{method}" + (" matching the predicate" if predicate else "")
                raise AssertionError(
                    f"no call to {what} (since #{since}) within {timeout}s.\n{self.diagnostics()}"
                )
            await self._calls_pulse.wait(remaining)

    async def next_message(
        self,
        chat_id: int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSONDict:
        """The next message the bot sent to ``chat_id`` that no earlier ``next_message`` call
        returned (a per-chat cursor)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            messages = self._sent_by_chat.get(chat_id, [])
            cursor = self._cursors.get(chat_id, 0)
            if cursor < len(messages):
                self._cursors[chat_id] = cursor + 1
                return copy.deepcopy(messages[cursor])
            remaining = deadline - loop.time()
            if remaining <= 0:
                sent = [m.get("text", m.get("caption", "<media>")) for m in messages]
                raise AssertionError(
                    f"the bot sent no new message to chat {chat_id} within {timeout}s "
                    f"({cursor} message(s) already taken: {sent!r}).\n{self.diagnostics()}"
                )
            await self._sent_pulse.wait(remaining)

    def drain(self, chat_id: int) -> list[JSONDict]:
        """All messages to ``chat_id`` not yet taken by :meth:`next_message`; moves the cursor."""
        messages = self._sent_by_chat.get(chat_id, [])
        cursor = self._cursors.get(chat_id, 0)
        self._cursors[chat_id] = len(messages)
        return copy.deepcopy(messages[cursor:])

    async def callback_answer(
        self,
        update: JSONDict,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSONDict:
        """Wait until the bot answered the callback query of a :meth:`press_button` update and
        return the answerCallbackQuery parameters."""
        query_id = update["callback_query"]["id"]
        call = await self.wait_for(
            "answerCallbackQuery",
            lambda c: str(c.params.get("callback_query_id")) == query_id and c.ok,
            timeout=timeout,
        )
        return dict(call.params)

    async def settle(self, idle: float = 0.3, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot is quiet: every injected update was fetched, no request is being
        handled, no request arrived for ``idle`` seconds (long polls that return nothing don't
        count) and - for applications started with :func:`run_application` against this server -
        every fetched update was processed and all ``Application.create_task`` tasks finished."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            undelivered = [u for u in self._updates if u["update_id"] > self._delivered_upto]
            busy = [app for app in self._applications() if _app_busy(app)]
            quiet = time.monotonic() - self._last_activity
            if not undelivered and not self._inflight and not busy and quiet >= idle:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                hint = ""
                if undelivered:
                    hint += (
                        f"{len(undelivered)} update(s) were never fetched "
                        f"(is the Application running? see run_application): "
                        f"{[u['update_id'] for u in undelivered]}; "
                    )
                if busy:
                    hint += "the application is still processing updates or tasks; "
                raise AssertionError(
                    f"the bot did not settle within {timeout}s; {hint}"
                    f"requests in flight: {self._inflight}.\n{self.diagnostics()}"
                )
            waiters: list[Awaitable[Any]] = [self._activity_pulse.wait(remaining)]
            for app in busy:
                waiters.extend(_app_waiters(app))
            wait = remaining
            if not (undelivered or self._inflight or busy):
                wait = min(remaining, idle - quiet)
            await _first_of(waiters, max(wait, 0.001))

    def _applications(self) -> list[Application]:  # type: ignore[type-arg]
        prefix = self.base_url + self.token
        return [
            app
            for app, _ in _RUNNING_APPS.values()
            if str(getattr(app.bot, "base_url", "")) == prefix
        ]

    def logged_errors(self) -> list[str]:
        """Errors that applications run with :func:`run_application` against this server logged
        (e.g. exceptions in handlers without an error handler), oldest first."""
        prefix = self.base_url + self.token
        lines: list[str] = []
        for app, log in _RUNNING_APPS.values():
            if str(getattr(app.bot, "base_url", "")) == prefix:
                lines.extend(log.lines())
        return lines

    def diagnostics(self) -> str:
        """Calls so far plus errors logged by the application: used in failure messages."""
        text = f"Calls so far:\n{self.describe_calls(since=0)}"
        errors = self.logged_errors()
        if errors:
            text += "\nErrors logged by the application:\n" + "\n".join(
                "  " + line for line in errors[-10:]
            )
        return text

    def describe_calls(self, since: int = 0, limit: int = 60) -> str:
        """Readable list of the calls (runs of getUpdates collapsed)."""
        lines: list[str] = []
        polls = 0
        for call in self.calls[since:]:
            if call.method == "getUpdates" and call.ok and not call.result:
                polls += 1
                continue
            if polls:
                lines.append(f"   ... {polls} empty getUpdates")
                polls = 0
            lines.append("  " + call.short())
        if polls:
            lines.append(f"   ... {polls} empty getUpdates")
        if not lines:
            return "  (none)"
        if len(lines) > limit:
            lines = [f"   ... {len(lines) - limit} earlier line(s) omitted", *lines[-limit:]]
        return "\n".join(lines)

    # ------------------------------------------------------------------ HTTP plumbing

    def _touch(self) -> None:
        self._last_activity = time.monotonic()
        self._activity_pulse.fire()

    async def _parse_request(
        self, request: web.Request
    ) -> tuple[JSONDict, dict[str, UploadedFile]]:
        params: JSONDict = {k: _decode_value(k, v) for k, v in request.query.items()}
        files: dict[str, UploadedFile] = {}
        if not request.can_read_body:
            return params, files
        content_type = request.content_type
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(
                        filename=value.filename,
                        content_type=value.content_type,
                        data=value.file.read(),
                        field=key,
                    )
                elif isinstance(value, (bytes, bytearray)):
                    params[key] = _decode_value(key, bytes(value).decode("utf-8", "replace"))
                else:
                    params[key] = _decode_value(key, value)
            return params, files
        body = await request.read()
        if body.strip():
            try:
                data = json.loads(body)
            except ValueError:
                raise _bad_request("can't parse JSON object") from None
            if not isinstance(data, dict):
                raise _bad_request("JSON object expected")
            for key, value in data.items():
                params[key] = _decode_value(key, value) if isinstance(value, str) else value
        return params, files

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _handle_api(self, request: web.Request) -> web.Response:
        raw_method = request.match_info["method"]
        entry = self._custom.get(raw_method.lower()) or self._methods.get(raw_method.lower())
        call = Call(
            method=entry[0] if entry else raw_method,
            params={},
            files={},
            at=time.monotonic(),
            index=len(self.calls),
            http_method=request.method,
        )
        self.calls.append(call)
        is_poll = call.method == "getUpdates"
        if not is_poll:
            self._inflight += 1
            self._touch()
        status, body = 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        try:
            try:
                call.params, call.files = await self._parse_request(request)
                status, body = await self._dispatch(request.match_info["token"], call, entry)
            except BotAPIError as exc:
                status, body = exc.error_code, exc.to_json()
            call.status, call.response = status, body
            return web.json_response(body, status=status, dumps=_dumps)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug in this helper
            _LOGGER.exception("fake Bot API failed on %s", call.method)
            self.internal_errors.append(exc)
            status = 500
            body = {
                "ok": False,
                "error_code": 500,
                "description": f"Internal Server Error: {exc!r}",
            }
            call.status, call.response = status, body
            return web.json_response(body, status=500)
        finally:
            call.done = True
            if not is_poll:
                self._inflight -= 1
            if not is_poll or (call.response and call.response.get("result")):
                self._touch()
            self._calls_pulse.fire()

    async def _dispatch(
        self, token: str, call: Call, entry: tuple[str, MethodHandler] | None
    ) -> tuple[int, JSONDict]:
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if entry is None:
            return 404, {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        failure = self._take_failure(call)
        if failure is not None:
            return failure.error_code, BotAPIError(
                failure.error_code, failure.description, failure.parameters
            ).to_json()
        if self.enforce_limits:
            limited = self._check_rate_limits(call)
            if limited is not None:
                return 429, limited
        result = entry[1](call)
        if inspect.isawaitable(result):
            result = await result
        return 200, {"ok": True, "result": result}

    def _take_failure(self, call: Call) -> _Failure | None:
        for failure in self._failures:
            if failure.method.lower() != call.method.lower():
                continue
            if (
                failure.chat_id is not None
                and _as_int(call.params.get("chat_id")) != failure.chat_id
            ):
                continue
            failure.times -= 1
            if failure.times <= 0:
                self._failures.remove(failure)
            return failure
        return None

    def _check_rate_limits(self, call: Call) -> JSONDict | None:
        name = call.method
        counted = (
            (name.startswith("send") and name != "sendChatAction")
            or name.startswith("edit")
            or name in ("copyMessage", "copyMessages", "forwardMessage", "forwardMessages")
        )
        if not counted:
            return None
        weight = 1
        if name == "sendMediaGroup" and isinstance(call.params.get("media"), list):
            weight = max(1, len(call.params["media"]))
        now = time.monotonic()
        windows = [self._overall_window]
        chat_id = _as_int(call.params.get("chat_id"))
        if chat_id is not None:
            window = self._chat_windows.get(chat_id)
            if window is None:
                window = (
                    _Window(self.rate_limits.group_per_minute, 60.0)
                    if chat_id < 0
                    else _Window(self.rate_limits.private_per_second, 1.0)
                )
                self._chat_windows[chat_id] = window
            windows.append(window)
        wait = max(w.wait_time(now, weight) for w in windows)
        if wait > 0:
            self._rate_violations += 1
            retry_after = max(1, math.ceil(wait))
            return BotAPIError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            ).to_json()
        for window in windows:
            window.add(now, weight)
        return None

    # ------------------------------------------------------------------ internals: state

    def _register_user(self, user: JSONDict) -> JSONDict:
        if user["id"] not in self._users:
            self._users[user["id"]] = copy.deepcopy(user)
            self._chats.setdefault(user["id"], self.private_chat(user))
        return self._users[user["id"]]

    def _register_chat(self, chat: JSONDict) -> JSONDict:
        if chat["id"] not in self._chats:
            self._chats[chat["id"]] = copy.deepcopy(chat)
        return self._chats[chat["id"]]

    def _next_message_id(self, chat_id: int) -> int:
        value = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = value
        return value

    def _user_message(
        self,
        user: JSONDict,
        chat: JSONDict | None,
        fields: JSONDict,
        *,
        reply_to: JSONDict | None = None,
    ) -> JSONDict:
        self._register_user(user)
        chat = self._register_chat(chat or self.private_chat(user))
        if chat["id"] in self._migrated and "migrate_to_chat_id" not in fields:
            raise AssertionError(
                f"group {chat['id']} was migrated to supergroup {self._migrated[chat['id']]}; "
                "send to the new chat"
            )
        status = self._bot_status.get(chat["id"])
        if status in ("left", "kicked"):
            raise AssertionError(
                f"the bot is not in chat {chat['id']} (status {status!r}); "
                "messages there would not reach it"
            )
        if chat["type"] == "private" and chat["id"] != user["id"]:
            raise AssertionError("a private chat only contains messages of its own user")
        message: JSONDict = {
            "message_id": self._next_message_id(chat["id"]),
            "from": copy.deepcopy(user),
            "chat": copy.deepcopy(chat),
            "date": _now(),
            **copy.deepcopy(fields),
        }
        if reply_to is not None:
            key = (reply_to["chat"]["id"], reply_to["message_id"])
            replied = copy.deepcopy(self._messages.get(key, reply_to))
            replied.pop("reply_to_message", None)
            message["reply_to_message"] = replied
        self._messages[(chat["id"], message["message_id"])] = copy.deepcopy(message)
        return self.inject_update("message", message)

    def _lookup_user_message(self, message: JSONDict) -> JSONDict:
        key = (message["chat"]["id"], message["message_id"])
        if key not in self._messages:
            raise AssertionError(f"unknown message {key}")
        current = self._messages[key]
        if current.get("from", {}).get("id") == self.bot_id:
            raise AssertionError("that is a message of the bot, not of a user")
        return current

    def _current_or_fail(self, message: JSONDict) -> JSONDict:
        try:
            key = (message["chat"]["id"], message["message_id"])
        except (KeyError, TypeError):
            raise AssertionError(f"not a Message dict: {message!r}") from None
        if key in self._deleted:
            raise AssertionError(f"message {key[1]} in chat {key[0]} was deleted by the bot")
        current = self._messages.get(key)
        if current is None:
            raise AssertionError(f"unknown message {key[1]} in chat {key[0]}")
        return copy.deepcopy(current)

    def _my_chat_member(
        self, chat: JSONDict, by_user: JSONDict, old_status: str, new_status: str
    ) -> JSONDict:
        payload = {
            "chat": copy.deepcopy(chat),
            "from": copy.deepcopy(by_user),
            "date": _now(),
            "old_chat_member": _member_dict(self.bot_user, old_status),
            "new_chat_member": _member_dict(self.bot_user, new_status),
        }
        return self.inject_update("my_chat_member", payload)

    def _add_caption(self, fields: JSONDict, caption: str | None) -> None:
        if caption:
            fields["caption"] = caption
            entities = _detect_entities(caption)
            if entities:
                fields["caption_entities"] = entities

    def _store_file(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> _StoredFile:
        number = next(self._file_counter)
        extension = ""
        if file_name and "." in file_name:
            extension = file_name.rsplit(".", 1)[1]
        elif mime_type:
            extension = (mimetypes.guess_extension(mime_type) or "").lstrip(".")
        if kind == "photo":
            extension = "jpg"
        path = f"{_FILE_DIR.get(kind, 'documents')}/file_{number}" + (
            f".{extension}" if extension else ""
        )
        size = _image_size(data) if kind in ("photo", "sticker") else None
        stored = _StoredFile(
            file_id=f"{_FILE_PREFIX.get(kind, 'BQACAgQAAxkBAAI')}{number:06d}",
            file_unique_id=f"AgAD{number:06d}",
            file_path=path,
            data=bytes(data),
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
            width=size[0] if size else None,
            height=size[1] if size else None,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _photo_sizes(self, stored: _StoredFile) -> list[JSONDict]:
        width, height = stored.width or 1280, stored.height or 960
        scale = min(1.0, 90 / max(width, height, 1))
        thumb = self._store_file("photo", stored.data, mime_type="image/jpeg")
        thumb.width = max(1, round(width * scale))
        thumb.height = max(1, round(height * scale))
        sizes = []
        for item, w, h in ((thumb, thumb.width, thumb.height), (stored, width, height)):
            sizes.append(
                {
                    "file_id": item.file_id,
                    "file_unique_id": item.file_unique_id,
                    "file_size": len(item.data),
                    "width": w,
                    "height": h,
                }
            )
        return sizes

    def _media_object(self, kind: str, stored: _StoredFile) -> JSONDict:
        base: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if kind in ("document", "video", "audio", "animation", "voice") and stored.mime_type:
            base["mime_type"] = stored.mime_type
        if kind in ("document", "video", "audio", "animation") and stored.file_name:
            base["file_name"] = stored.file_name
        if kind in ("video", "animation"):
            base.update(width=stored.width or 640, height=stored.height or 360, duration=1)
        elif kind in ("audio", "voice"):
            base["duration"] = 1
        elif kind == "video_note":
            base.update(length=240, duration=1)
        elif kind == "sticker":
            base.update(
                type="regular",
                width=stored.width or 512,
                height=stored.height or 512,
                is_animated=False,
                is_video=False,
            )
        return base

    # ------------------------------------------------------------------ internals: checks

    def _chat_for(self, value: Any, *, require_member: bool = True) -> JSONDict:
        if value is None or value == "":
            raise _bad_request("chat_id is empty")
        chat: JSONDict | None = None
        if isinstance(value, str) and value.startswith("@"):
            wanted = value[1:].lower()
            for candidate in self._chats.values():
                if str(candidate.get("username", "")).lower() == wanted:
                    chat = candidate
                    break
        else:
            chat_id = _as_int(value)
            if chat_id is None:
                raise _bad_request("chat not found")
            if chat_id in self._migrated:
                raise _bad_request(
                    "group chat was upgraded to a supergroup chat",
                    {"migrate_to_chat_id": self._migrated[chat_id]},
                )
            chat = self._chats.get(chat_id)
        if chat is None:
            raise _bad_request("chat not found")
        if require_member:
            if chat["type"] == "private":
                if chat["id"] in self._blocked_by:
                    raise BotAPIError(403, "Forbidden: bot was blocked by the user")
            else:
                status = self._bot_status.get(chat["id"], "member")
                kind = (
                    "supergroup chat"
                    if chat["type"] == "supergroup"
                    else ("channel chat" if chat["type"] == "channel" else "group chat")
                )
                if status == "kicked":
                    raise BotAPIError(403, f"Forbidden: bot was kicked from the {kind}")
                if status == "left":
                    raise BotAPIError(403, f"Forbidden: bot is not a member of the {kind}")
        return chat

    def _format_text(
        self,
        params: JSONDict,
        *,
        text_key: str,
        entities_key: str,
        parse_mode_key: str = "parse_mode",
        limit: int,
        required: bool,
    ) -> tuple[str | None, list[JSONDict]]:
        raw = params.get(text_key)
        if raw is None or raw == "":
            if required:
                raise _bad_request("message text is empty")
            return None, []
        text = str(raw)
        parse_mode = params.get(parse_mode_key)
        if parse_mode:
            mode = str(parse_mode).lower()
            if mode == "html":
                text, entities = _parse_html(text)
            elif mode == "markdownv2":
                text, entities = _parse_markdown_v2(text)
            elif mode == "markdown":
                text, entities = _parse_markdown(text)
            else:
                raise _bad_request(f'unsupported parse_mode "{parse_mode}"')
        else:
            entities = params.get(entities_key) or []
            if not isinstance(entities, list):
                raise _bad_request("can't parse entities JSON object")
        text, entities = _trim(text, entities)
        if not text:
            if required:
                raise _bad_request("message text is empty")
            return None, []
        if len(text) > limit:
            raise _bad_request(
                "message is too long" if text_key == "text" else "message caption is too long"
            )
        return text, _with_detected_entities(text, entities)

    def _check_markup(self, markup: Any, *, inline_only: bool = False) -> JSONDict | None:
        """Validate reply_markup; returns what Telegram echoes in the Message (inline only)."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    self._check_inline_button(button)
            # Telegram's limits: 100 buttons, 8 in a row, about 10 kB of markup JSON.
            if (sum(len(row) for row in rows) > 100 or any(len(row) > 8 for row in rows)
                    or len(json.dumps(rows, ensure_ascii=False).encode()) > 10_240):
                raise _bad_request("reply markup is too long")
            if not any(rows):
                return None
            return {"inline_keyboard": copy.deepcopy(rows)}
        if inline_only:
            raise _bad_request("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad_request(
                    'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    text = button.get("text") if isinstance(button, dict) else button
                    if not isinstance(text, str) or not text:
                        raise _bad_request("can't parse keyboard button: Text must be non-empty")
            return None
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return None
        raise _bad_request("can't parse reply keyboard markup JSON object")

    def _check_inline_button(self, button: Any) -> None:
        if not isinstance(button, dict):
            raise _bad_request(
                "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
            )
        text = button.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad_request(
                "BUTTON_TEXT_INVALID"
                if text is not None
                else "can't parse inline keyboard button: Text must be a String"
            )
        actions = [key for key in _INLINE_BUTTON_ACTIONS if key in button]
        if not actions:
            raise _bad_request(
                "can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                raise _bad_request("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not url or any(ch.isspace() for ch in url):
                raise _bad_request("BUTTON_URL_INVALID")

    def _reply_to(self, chat: JSONDict, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if reply is None:
            return None
        if not isinstance(reply, dict) or "message_id" not in reply:
            raise _bad_request("can't parse reply parameters JSON object")
        reply_chat = (
            _as_int(reply.get("chat_id")) if reply.get("chat_id") is not None else chat["id"]
        )
        key = (
            reply_chat if reply_chat is not None else chat["id"],
            _as_int(reply["message_id"]) or 0,
        )
        if key not in self._messages or key in self._deleted:
            if reply.get("allow_sending_without_reply"):
                return None
            raise _bad_request("message to be replied not found")
        replied = copy.deepcopy(self._messages[key])
        replied.pop("reply_to_message", None)
        return replied

    def _base_message(self, chat: JSONDict, call: Call) -> JSONDict:
        message: JSONDict = {
            "message_id": self._next_message_id(chat["id"]),
            "from": self.bot_user,
            "chat": copy.deepcopy(chat),
            "date": _now(),
        }
        if call.params.get("message_thread_id") is not None:
            message["message_thread_id"] = call.params["message_thread_id"]
        if call.params.get("protect_content"):
            message["has_protected_content"] = True
        return message

    def _finish_message(
        self,
        message: JSONDict,
        call: Call,
        chat: JSONDict,
        *,
        markup: Any = None,
        reply: JSONDict | None = None,
    ) -> JSONDict:
        """Attach reply/markup, store as a bot message and return the API result."""
        if reply is not None:
            message["reply_to_message"] = reply
        echoed = self._check_markup(markup)
        if echoed is not None:
            message["reply_markup"] = echoed
        key = (chat["id"], message["message_id"])
        if isinstance(markup, dict) and "inline_keyboard" not in markup:
            self._reply_keyboards[key] = copy.deepcopy(markup)
        self._messages[key] = copy.deepcopy(message)
        self._sent.append(copy.deepcopy(message))
        self._sent_by_chat.setdefault(chat["id"], []).append(copy.deepcopy(message))
        self._sent_pulse.fire()
        return message

    def _resolve_input_file(self, call: Call, kind: str, value: Any, index: int = 0) -> _StoredFile:
        upload: UploadedFile | None = None
        if value is None:
            upload = call.files.get(kind)
        elif isinstance(value, str) and value.startswith("attach://"):
            upload = call.files.get(value[len("attach://") :])
            if upload is None:
                raise _bad_request(
                    f'can\'t find attached file "{value}"'
                    if not index
                    else f"failed to send message #{index} with the error message "
                    '"can\'t find attached file"'
                )
        elif isinstance(value, str):
            if value in self._files:
                return self._files[value]
            if value.startswith(("http://", "https://")):
                name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
                return self._store_file(
                    kind, b"", file_name=name, mime_type=mimetypes.guess_type(name)[0]
                )
            raise _bad_request("wrong file identifier/HTTP URL specified")
        if upload is None:
            raise _bad_request(f"there is no {kind} in the request")
        if not upload.data:
            raise _bad_request("file must be non-empty")
        if kind == "photo" and _image_kind(upload.data) is None:
            raise _bad_request("IMAGE_PROCESS_FAILED")
        mime = upload.content_type
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(upload.filename or "")[0] or "application/octet-stream"
        if kind == "photo":
            mime = "image/jpeg"
        return self._store_file(
            kind, upload.data, file_name=upload.filename or None, mime_type=mime
        )

    def _edit_target(self, call: Call) -> tuple[JSONDict | None, tuple[int, int] | None]:
        params = call.params
        if params.get("inline_message_id"):
            return None, None
        chat = self._chat_for(params.get("chat_id"))
        message_id = _as_int(params.get("message_id"))
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        key = (chat["id"], message_id)
        if key not in self._messages or key in self._deleted:
            raise _bad_request("message to edit not found")
        message = self._messages[key]
        if message.get("from", {}).get("id") != self.bot_id:
            raise _bad_request("message can't be edited")
        return message, key

    def _commit_edit(self, key: tuple[int, int], before: JSONDict, after: JSONDict) -> JSONDict:
        if _content(before) == _content(after):
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        after["edit_date"] = _now()
        self._messages[key] = after
        return copy.deepcopy(after)

    # ------------------------------------------------------------------ Bot API methods

    def _builtin_methods(self) -> dict[str, MethodHandler]:
        accept = self._m_accept
        methods: dict[str, MethodHandler] = {
            "getMe": self._m_get_me,
            "getUpdates": self._m_get_updates,
            "deleteWebhook": self._m_delete_webhook,
            "setWebhook": self._m_set_webhook,
            "getWebhookInfo": self._m_get_webhook_info,
            "logOut": accept,
            "close": accept,
            "sendMessage": self._m_send_message,
            "sendPhoto": self._m_send_media,
            "sendDocument": self._m_send_media,
            "sendVideo": self._m_send_media,
            "sendAudio": self._m_send_media,
            "sendVoice": self._m_send_media,
            "sendAnimation": self._m_send_media,
            "sendSticker": self._m_send_media,
            "sendVideoNote": self._m_send_media,
            "sendMediaGroup": self._m_send_media_group,
            "sendLocation": self._m_send_location,
            "sendVenue": self._m_send_venue,
            "sendContact": self._m_send_contact,
            "sendPoll": self._m_send_poll,
            "sendDice": self._m_send_dice,
            "forwardMessage": self._m_forward_message,
            "copyMessage": self._m_copy_message,
            "sendChatAction": self._m_send_chat_action,
            "editMessageText": self._m_edit_message_text,
            "editMessageCaption": self._m_edit_message_caption,
            "editMessageReplyMarkup": self._m_edit_message_reply_markup,
            "editMessageMedia": self._m_edit_message_media,
            "deleteMessage": self._m_delete_message,
            "deleteMessages": self._m_delete_messages,
            "answerCallbackQuery": self._m_answer_callback_query,
            "setMyCommands": self._m_set_my_commands,
            "getMyCommands": self._m_get_my_commands,
            "deleteMyCommands": self._m_delete_my_commands,
            "getChat": self._m_get_chat,
            "getChatMember": self._m_get_chat_member,
            "getChatAdministrators": self._m_get_chat_administrators,
            "getChatMemberCount": self._m_get_chat_member_count,
            "leaveChat": self._m_leave_chat,
            "getFile": self._m_get_file,
            "setChatMenuButton": self._m_set_chat_menu_button,
            "getChatMenuButton": self._m_get_chat_menu_button,
            "setMyDescription": self._m_set_description,
            "getMyDescription": self._m_get_description,
            "setMyShortDescription": self._m_set_description,
            "getMyShortDescription": self._m_get_description,
            "setMyName": self._m_set_description,
            "getMyName": self._m_get_description,
            "setMyDefaultAdministratorRights": self._m_set_admin_rights,
            "getMyDefaultAdministratorRights": self._m_get_admin_rights,
            "pinChatMessage": self._m_chat_accept,
            "unpinChatMessage": self._m_chat_accept,
            "unpinAllChatMessages": self._m_chat_accept,
            "setMessageReaction": self._m_chat_accept,
            "banChatMember": self._m_chat_accept,
            "unbanChatMember": self._m_chat_accept,
            "restrictChatMember": self._m_chat_accept,
            "promoteChatMember": self._m_chat_accept,
            "setChatTitle": self._m_chat_accept,
            "setChatDescription": self._m_chat_accept,
            "exportChatInviteLink": self._m_export_invite_link,
        }
        return methods

    def _m_accept(self, call: Call) -> bool:
        return True

    def _m_chat_accept(self, call: Call) -> bool:
        self._chat_for(call.params.get("chat_id"))
        return True

    def _m_get_me(self, call: Call) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": True,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_get_updates(self, call: Call) -> list[JSONDict]:
        params = call.params
        if self._webhook_url:
            raise BotAPIError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _as_int(params.get("offset")) or 0
        limit = min(max(_as_int(params.get("limit")) or 100, 1), 100)
        try:
            timeout = max(0.0, float(params.get("timeout") or 0))
        except (TypeError, ValueError):
            raise _bad_request("wrong timeout specified") from None
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) or None
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        # a newer getUpdates request terminates an older one, like on Telegram
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_pulse.fire()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise BotAPIError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            self._filter_allowed()
            batch = self._updates[:limit]
            if batch:
                self._delivered_upto = max(self._delivered_upto, batch[-1]["update_id"])
                return copy.deepcopy(batch)
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                return []
            await self._updates_pulse.wait(remaining)

    def _filter_allowed(self) -> None:
        kept: list[JSONDict] = []
        for update in self._updates:
            kind = next((k for k in update if k != "update_id"), "")
            allowed = (
                kind in self._allowed_updates
                if self._allowed_updates is not None
                else kind not in _DEFAULT_EXCLUDED_UPDATES
            )
            if allowed:
                kept.append(update)
            else:
                self.dropped_updates.append(update)
        self._updates = kept

    def _m_delete_webhook(self, call: Call) -> bool:
        self._webhook_url = ""
        if call.params.get("drop_pending_updates"):
            self.dropped_updates.extend(self._updates)
            self._updates = []
            self._touch()
        return True

    def _m_set_webhook(self, call: Call) -> bool:
        self._webhook_url = str(call.params.get("url") or "")
        if call.params.get("drop_pending_updates"):
            self.dropped_updates.extend(self._updates)
            self._updates = []
        self._updates_pulse.fire()
        return True

    def _m_get_webhook_info(self, call: Call) -> JSONDict:
        info: JSONDict = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    def _m_send_message(self, call: Call) -> JSONDict:
        params = call.params
        chat = self._chat_for(params.get("chat_id"))
        text, entities = self._format_text(
            params, text_key="text", entities_key="entities", limit=4096, required=True
        )
        reply = self._reply_to(chat, params)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        message = self._base_message(chat, call)
        message["text"] = text
        if entities:
            message["entities"] = entities
        if isinstance(params.get("link_preview_options"), dict):
            message["link_preview_options"] = params["link_preview_options"]
        return self._finish_message(message, call, chat, markup=markup, reply=reply)

    def _caption_fields(self, params: JSONDict) -> JSONDict:
        caption, entities = self._format_text(
            params, text_key="caption", entities_key="caption_entities", limit=1024, required=False
        )
        fields: JSONDict = {}
        if caption:
            fields["caption"] = caption
            if entities:
                fields["caption_entities"] = entities
        if params.get("show_caption_above_media"):
            fields["show_caption_above_media"] = True
        if params.get("has_spoiler"):
            fields["has_media_spoiler"] = True
        return fields

    def _m_send_media(self, call: Call) -> JSONDict:
        kind = re.sub(r"(?<!^)(?=[A-Z])", "_", call.method[len("send") :]).lower()
        params = call.params
        chat = self._chat_for(params.get("chat_id"))
        stored = self._resolve_input_file(call, kind, params.get(kind))
        fields = self._caption_fields(params) if kind not in ("sticker", "video_note") else {}
        reply = self._reply_to(chat, params)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        message = self._base_message(chat, call)
        message.update(self._media_fields(kind, stored))
        message.update(fields)
        return self._finish_message(message, call, chat, markup=markup, reply=reply)

    def _media_fields(self, kind: str, stored: _StoredFile) -> JSONDict:
        if kind == "photo":
            return {"photo": self._photo_sizes(stored)}
        fields: JSONDict = {kind: self._media_object(kind, stored)}
        if kind == "animation":
            fields["document"] = self._media_object("document", stored)
        return fields

    def _m_send_media_group(self, call: Call) -> list[JSONDict]:
        params = call.params
        chat = self._chat_for(params.get("chat_id"))
        media = params.get("media")
        if not isinstance(media, list):
            raise _bad_request("can't parse media JSON object")
        if not 2 <= len(media) <= 10:
            raise _bad_request("wrong number of media in the media group: must be 2-10")
        types = [item.get("type") if isinstance(item, dict) else None for item in media]
        for number, kind in enumerate(types, start=1):
            if kind not in ("photo", "video", "document", "audio"):
                raise _bad_request(
                    f"failed to send message #{number}: unsupported media type {kind!r}"
                )
        if "document" in types and set(types) != {"document"}:
            raise _bad_request("document can't be mixed with other media types")
        if "audio" in types and set(types) != {"audio"}:
            raise _bad_request("audio can't be mixed with other media types")
        reply = self._reply_to(chat, params)
        prepared: list[JSONDict] = []
        for number, item in enumerate(media, start=1):
            stored = self._resolve_input_file(call, item["type"], item.get("media"), index=number)
            fields = self._caption_fields(item)
            prepared.append({**self._media_fields(item["type"], stored), **fields})
        group_id = str(next(self._media_group_ids))
        results = []
        for fields in prepared:
            message = self._base_message(chat, call)
            message["media_group_id"] = group_id
            message.update(fields)
            results.append(self._finish_message(message, call, chat, reply=reply))
        return results

    def _m_send_location(self, call: Call) -> JSONDict:
        params = call.params
        chat = self._chat_for(params.get("chat_id"))
        location = self._location(params)
        for key in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
            if params.get(key) is not None:
                location[key] = params[key]
        message = self._base_message(chat, call)
        message["location"] = location
        markup = params.get("reply_markup")
        self._check_markup(markup)
        return self._finish_message(
            message, call, chat, markup=markup, reply=self._reply_to(chat, params)
        )

    def _location(self, params: JSONDict) -> JSONDict:
        try:
            latitude = float(params["latitude"])
            longitude = float(params["longitude"])
        except (KeyError, TypeError, ValueError):
            raise _bad_request("wrong latitude/longitude specified") from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise _bad_request("wrong latitude/longitude specified")
        return {"latitude": latitude, "longitude": longitude}

    def _m_send_venue(self, call: Call) -> JSONDict:
        params = call.params
        chat = self._chat_for(params.get("chat_id"))
        location = self._location(params)
        if not params.get("title") or not params.get("address"):
            raise _bad_request("title and address must be non-empty")
        venue: JSONDict = {
            "location": location,
            "title": params["title"],
            "address": params["address"],
        }
        for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            if params.get(key):
                venue[key] = params[key]
        message = self._base_message(chat, call)
        message.update(location=location, venue=venue)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        return self._finish_message(
            message, call, chat, markup=markup, reply=self._reply_to(chat, params)
        )

    def _m_send_contact(self, call: Call) -> JSONDict:
        params = call.params
        chat = self._chat_for(params.get("chat_id"))
        if not params.get("phone_number") or not params.get("first_name"):
            raise _bad_request("phone_number and first_name must be non-empty")
        contact = {"phone_number": params["phone_number"], "first_name": params["first_name"]}
        for key in ("last_name", "vcard"):
            if params.get(key):
                contact[key] = params[key]
        message = self._base_message(chat, call)
        message["contact"] = contact
        markup = params.get("reply_markup")
        self._check_markup(markup)
        return self._finish_message(
            message, call, chat, markup=markup, reply=self._reply_to(chat, params)
        )

    def _m_send_poll(self, call: Call) -> JSONDict:
        params = call.params
        chat = self._chat_for(params.get("chat_id"))
        question = params.get("question")
        options = params.get("options")
        if not question:
            raise _bad_request("poll question must be non-empty")
        if not isinstance(options, list) or not 2 <= len(options) <= 12:
            raise _bad_request("poll must have 2-12 options")
        poll = {
            "id": str(next(self._callback_ids)),
            "question": question,
            "options": [
                {
                    "text": o.get("text") if isinstance(o, dict) else str(o),
                    "voter_count": 0,
                    "persistent_id": str(number),
                }
                for number, o in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": bool(params.get("is_closed", False)),
            "is_anonymous": bool(params.get("is_anonymous", True)),
            "type": params.get("type", "regular"),
            "allows_multiple_answers": bool(params.get("allows_multiple_answers", False)),
            "allows_revoting": True,
            "members_only": False,
        }
        message = self._base_message(chat, call)
        message["poll"] = poll
        markup = params.get("reply_markup")
        self._check_markup(markup)
        return self._finish_message(
            message, call, chat, markup=markup, reply=self._reply_to(chat, params)
        )

    def _m_send_dice(self, call: Call) -> JSONDict:
        chat = self._chat_for(call.params.get("chat_id"))
        message = self._base_message(chat, call)
        message["dice"] = {"emoji": call.params.get("emoji") or "🎲", "value": 4}
        return self._finish_message(message, call, chat)

    def _source_message(self, params: JSONDict) -> JSONDict:
        source_chat = self._chat_for(params.get("from_chat_id"), require_member=False)
        key = (source_chat["id"], _as_int(params.get("message_id")) or 0)
        if key not in self._messages or key in self._deleted:
            raise _bad_request(
                "message to forward not found"
                if "message_thread_id" not in params
                else "message not found"
            )
        return self._messages[key]

    def _m_forward_message(self, call: Call) -> JSONDict:
        chat = self._chat_for(call.params.get("chat_id"))
        source = self._source_message(call.params)
        message = self._base_message(chat, call)
        message.update({k: copy.deepcopy(source[k]) for k in _CONTENT_KEYS if k in source})
        message["forward_origin"] = {
            "type": "user",
            "sender_user": source.get("from"),
            "date": source["date"],
        }
        return self._finish_message(message, call, chat)

    def _m_copy_message(self, call: Call) -> JSONDict:
        params = call.params
        chat = self._chat_for(params.get("chat_id"))
        source = self._source_message(params)
        message = self._base_message(chat, call)
        message.update(
            {
                k: copy.deepcopy(source[k])
                for k in _CONTENT_KEYS
                if k in source and k != "media_group_id"
            }
        )
        if "caption" in params:
            message.pop("caption", None)
            message.pop("caption_entities", None)
            message.update(self._caption_fields(params))
        markup = params.get("reply_markup")
        self._check_markup(markup)
        self._finish_message(message, call, chat, markup=markup, reply=self._reply_to(chat, params))
        return {"message_id": message["message_id"]}

    def _m_send_chat_action(self, call: Call) -> bool:
        self._chat_for(call.params.get("chat_id"))
        if call.params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    def _m_edit_message_text(self, call: Call) -> JSONDict | bool:
        params = call.params
        text, entities = self._format_text(
            params, text_key="text", entities_key="entities", limit=4096, required=True
        )
        markup = params.get("reply_markup")
        echoed = self._check_markup(markup, inline_only=True)
        message, key = self._edit_target(call)
        if message is None or key is None:
            return True
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        after = copy.deepcopy(message)
        after["text"] = text
        after.pop("entities", None)
        if entities:
            after["entities"] = entities
        after.pop("reply_markup", None)  # Telegram drops the keyboard unless it is sent again
        if echoed is not None:
            after["reply_markup"] = echoed
        if isinstance(params.get("link_preview_options"), dict):
            after["link_preview_options"] = params["link_preview_options"]
        return self._commit_edit(key, message, after)

    def _m_edit_message_caption(self, call: Call) -> JSONDict | bool:
        params = call.params
        fields = self._caption_fields(params)
        markup = params.get("reply_markup")
        echoed = self._check_markup(markup, inline_only=True)
        message, key = self._edit_target(call)
        if message is None or key is None:
            return True
        if not any(
            kind in message for kind in _MEDIA_KINDS if kind not in ("sticker", "video_note")
        ):
            raise _bad_request("there is no caption in the message to edit")
        after = copy.deepcopy(message)
        for name in ("caption", "caption_entities", "show_caption_above_media"):
            after.pop(name, None)
        after.update(fields)
        after.pop("reply_markup", None)
        if echoed is not None:
            after["reply_markup"] = echoed
        return self._commit_edit(key, message, after)

    def _m_edit_message_reply_markup(self, call: Call) -> JSONDict | bool:
        echoed = self._check_markup(call.params.get("reply_markup"), inline_only=True)
        message, key = self._edit_target(call)
        if message is None or key is None:
            return True
        after = copy.deepcopy(message)
        after.pop("reply_markup", None)
        if echoed is not None:
            after["reply_markup"] = echoed
        return self._commit_edit(key, message, after)

    def _m_edit_message_media(self, call: Call) -> JSONDict | bool:
        media = call.params.get("media")
        if not isinstance(media, dict) or media.get("type") not in (
            "photo",
            "video",
            "document",
            "audio",
            "animation",
        ):
            raise _bad_request("can't parse InputMedia JSON object")
        echoed = self._check_markup(call.params.get("reply_markup"), inline_only=True)
        message, key = self._edit_target(call)
        if message is None or key is None:
            return True
        stored = self._resolve_input_file(call, media["type"], media.get("media"))
        after = copy.deepcopy(message)
        for name in (*_MEDIA_KINDS, "caption", "caption_entities", "reply_markup"):
            after.pop(name, None)
        after.update(self._media_fields(media["type"], stored))
        after.update(self._caption_fields(media))
        if echoed is not None:
            after["reply_markup"] = echoed
        return self._commit_edit(key, message, after)

    def _m_delete_message(self, call: Call) -> bool:
        chat = self._chat_for(call.params.get("chat_id"))
        key = (chat["id"], _as_int(call.params.get("message_id")) or 0)
        if key not in self._messages or key in self._deleted:
            raise _bad_request("message to delete not found")
        message = self._messages[key]
        own = message.get("from", {}).get("id") == self.bot_id
        admin = self._bot_status.get(chat["id"]) in ("administrator", "creator")
        if not own and chat["type"] != "private" and not admin:
            raise _bad_request("message can't be deleted")
        self._deleted.add(key)
        return True

    def _m_delete_messages(self, call: Call) -> bool:
        chat = self._chat_for(call.params.get("chat_id"))
        ids = call.params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad_request("message_ids must contain 1-100 identifiers")
        for message_id in ids:
            key = (chat["id"], _as_int(message_id) or 0)
            if key in self._messages:
                self._deleted.add(key)
        return True

    def _m_answer_callback_query(self, call: Call) -> bool:
        query_id = str(call.params.get("callback_query_id") or "")
        if query_id not in self._open_queries or query_id in self.callback_answers:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = call.params.get("text")
        if text is not None and len(str(text)) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = dict(call.params)
        return True

    def _scope_key(self, params: JSONDict) -> tuple[str, Any, Any, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise _bad_request("can't parse BotCommandScope JSON object")
        valid = {
            "default",
            "all_private_chats",
            "all_group_chats",
            "all_chat_administrators",
            "chat",
            "chat_administrators",
            "chat_member",
        }
        if scope["type"] not in valid:
            raise _bad_request("wrong parameter scope")
        language = str(params.get("language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad_request("invalid language code specified")
        chat_id = scope.get("chat_id")
        return (
            scope["type"],
            _as_int(chat_id) if chat_id is not None else None,
            _as_int(scope.get("user_id")),
            language,
        )

    def _m_set_my_commands(self, call: Call) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand JSON object")
            name = command.get("command")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad_request("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._scope_key(call.params)
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _m_get_my_commands(self, call: Call) -> list[JSONDict]:
        return copy.deepcopy(self._commands.get(self._scope_key(call.params), []))

    def _m_delete_my_commands(self, call: Call) -> bool:
        self._commands.pop(self._scope_key(call.params), None)
        return True

    def _m_get_chat(self, call: Call) -> JSONDict:
        chat = self._chat_for(call.params.get("chat_id"), require_member=False)
        info: JSONDict = {
            **copy.deepcopy(chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }
        if chat["type"] != "private":
            info["permissions"] = {
                "can_send_messages": True,
                "can_send_audios": True,
                "can_send_documents": True,
                "can_send_photos": True,
                "can_send_videos": True,
                "can_send_video_notes": True,
                "can_send_voice_notes": True,
                "can_send_polls": True,
                "can_send_other_messages": True,
                "can_add_web_page_previews": True,
                "can_change_info": False,
                "can_invite_users": True,
                "can_pin_messages": False,
                "can_manage_topics": False,
            }
        return info

    def _member_of(self, chat: JSONDict, user_id: int) -> JSONDict:
        if user_id == self.bot_id:
            return _member_dict(self.bot_user, self._bot_status.get(chat["id"], "member"))
        user = self._users.get(user_id)
        if user is None:
            raise _bad_request("user not found")
        if chat["type"] == "private":
            return _member_dict(user, "member" if chat["id"] == user_id else "left")
        return _member_dict(user, self._member_status.get((chat["id"], user_id), "member"))

    def _m_get_chat_member(self, call: Call) -> JSONDict:
        chat = self._chat_for(call.params.get("chat_id"), require_member=False)
        user_id = _as_int(call.params.get("user_id"))
        if user_id is None:
            raise _bad_request(
                "user_id is empty"
                if call.params.get("user_id") is None
                else "invalid user_id specified"
            )
        return self._member_of(chat, user_id)

    def _m_get_chat_administrators(self, call: Call) -> list[JSONDict]:
        chat = self._chat_for(call.params.get("chat_id"))
        if chat["type"] == "private":
            raise _bad_request("there are no administrators in the private chat")
        admins = [
            self._member_of(chat, user_id)
            for (chat_id, user_id), status in self._member_status.items()
            if chat_id == chat["id"] and status in ("creator", "administrator")
        ]
        if self._bot_status.get(chat["id"]) in ("administrator", "creator"):
            admins.append(self._member_of(chat, self.bot_id))
        return admins

    def _m_get_chat_member_count(self, call: Call) -> int:
        chat = self._chat_for(call.params.get("chat_id"))
        if chat["type"] == "private":
            return 2
        members = {
            user_id
            for (chat_id, user_id), status in self._member_status.items()
            if chat_id == chat["id"] and status not in ("left", "kicked")
        }
        return len(members) + 1

    def _m_leave_chat(self, call: Call) -> bool:
        chat = self._chat_for(call.params.get("chat_id"), require_member=False)
        if chat["type"] == "private":
            raise _bad_request("chat member status can't be changed in private chats")
        old = self._bot_status.get(chat["id"], "member")
        if old in ("left", "kicked"):
            raise BotAPIError(403, "Forbidden: bot is not a member of the group chat")
        self._bot_status[chat["id"]] = "left"
        self._my_chat_member(chat, self.bot_user, old, "left")
        return True

    def _m_get_file(self, call: Call) -> JSONDict:
        stored = self._files.get(str(call.params.get("file_id") or ""))
        if stored is None:
            raise _bad_request("invalid file_id")
        return stored.as_file()

    def _m_set_chat_menu_button(self, call: Call) -> bool:
        chat_id = call.params.get("chat_id")
        if chat_id is not None:
            chat_id = self._chat_for(chat_id)["id"]
        button = call.params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "commands",
            "web_app",
            "default",
        ):
            raise _bad_request("can't parse menu button JSON object")
        self._menu_buttons[chat_id] = copy.deepcopy(button)
        return True

    def _m_get_chat_menu_button(self, call: Call) -> JSONDict:
        chat_id = call.params.get("chat_id")
        return self.menu_button(_as_int(chat_id) if chat_id is not None else None)

    _DESCRIPTION_KINDS: ClassVar[dict[str, tuple[str, int]]] = {
        "setmydescription": ("description", 512),
        "getmydescription": ("description", 512),
        "setmyshortdescription": ("short_description", 120),
        "getmyshortdescription": ("short_description", 120),
        "setmyname": ("name", 64),
        "getmyname": ("name", 64),
    }

    def _m_set_description(self, call: Call) -> bool:
        kind, limit = self._DESCRIPTION_KINDS[call.method.lower()]
        value = str(call.params.get(kind) or "")
        if len(value) > limit:
            raise _bad_request(f"{kind} is too long")
        self._descriptions[(kind, str(call.params.get("language_code") or ""))] = value
        return True

    def _m_get_description(self, call: Call) -> JSONDict:
        kind, _ = self._DESCRIPTION_KINDS[call.method.lower()]
        value = self._descriptions.get((kind, str(call.params.get("language_code") or "")), "")
        if kind == "name" and not value:
            value = self.bot_name
        return {kind: value}

    def _m_set_admin_rights(self, call: Call) -> bool:
        self._admin_rights[bool(call.params.get("for_channels"))] = copy.deepcopy(
            call.params.get("rights") or {}
        )
        return True

    def _m_get_admin_rights(self, call: Call) -> JSONDict:
        rights = {
            "is_anonymous": False,
            "can_manage_chat": False,
            "can_delete_messages": False,
            "can_manage_video_chats": False,
            "can_restrict_members": False,
            "can_promote_members": False,
            "can_change_info": False,
            "can_invite_users": False,
            "can_post_stories": False,
            "can_edit_stories": False,
            "can_delete_stories": False,
        }
        rights.update(self._admin_rights.get(bool(call.params.get("for_channels")), {}))
        return rights

    def _m_export_invite_link(self, call: Call) -> str:
        chat = self._chat_for(call.params.get("chat_id"))
        return f"https://t.me/+fake{abs(chat['id'])}"


# --------------------------------------------------------------------------------------
# module helpers
# --------------------------------------------------------------------------------------


class _ErrorLog(logging.Handler):
    """Collects ERROR records of the ``telegram`` loggers while an application runs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        result = []
        for record in self.records:
            line = f"{record.name}: {record.getMessage()}"
            if record.exc_info and record.exc_info[1] is not None:
                line += f" -> {record.exc_info[1]!r}"
            result.append(line)
        return result


#: Applications currently inside :func:`run_application`, by id.
_RUNNING_APPS: dict[int, tuple[Application, _ErrorLog]] = {}  # type: ignore[type-arg]


def _create_task_tasks(app: Application) -> list[asyncio.Task[Any]]:  # type: ignore[type-arg]
    tasks = getattr(app, "_Application__create_task_tasks", None) or ()
    return [task for task in tasks if not task.done()]


def _app_busy(app: Application) -> bool:  # type: ignore[type-arg]
    unfinished = getattr(app.update_queue, "_unfinished_tasks", 0)
    # wijkbot's outbox sender: messages that can go now, or are on their way.
    outbox = getattr(getattr(app, "bot_data", None), "outbox", None)
    return (bool(unfinished) or bool(_create_task_tasks(app))
            or bool(getattr(outbox, "busy", False)))


def _app_waiters(app: Application) -> list[Awaitable[Any]]:  # type: ignore[type-arg]
    waiters: list[Awaitable[Any]] = [app.update_queue.join()]
    tasks = _create_task_tasks(app)
    if tasks:
        # asyncio.wait never cancels the tasks it waits for
        waiters.append(asyncio.wait(tasks))
    return waiters


async def _first_of(awaitables: list[Awaitable[Any]], timeout: float) -> None:  # noqa: ASYNC109
    """Wait until one of ``awaitables`` finished or ``timeout`` passed; cancel the rest."""
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _matches(predicate: Callable[[Call], bool] | None, call: Call) -> bool:
    if predicate is None:
        return True
    try:
        return bool(predicate(call))
    except (KeyError, IndexError, TypeError):
        return False


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT_RE.match(value.strip()):
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _content(message: JSONDict) -> JSONDict:
    """What counts for "message is not modified"."""
    keys = ("text", "entities", "caption", "caption_entities", "reply_markup", *_MEDIA_KINDS)
    return {k: message.get(k) or None for k in keys}


def _member_dict(user: JSONDict, status: str) -> JSONDict:
    user = copy.deepcopy(user)
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "administrator":
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            "can_manage_chat": True,
            "can_delete_messages": True,
            "can_manage_video_chats": True,
            "can_restrict_members": True,
            "can_promote_members": False,
            "can_change_info": True,
            "can_invite_users": True,
            "can_post_stories": False,
            "can_edit_stories": False,
            "can_delete_stories": False,
            "can_pin_messages": True,
        }
    if status == "restricted":
        return {
            "status": "restricted",
            "user": user,
            "is_member": True,
            "can_change_info": False,
            "can_invite_users": False,
            "can_pin_messages": False,
            "can_send_messages": False,
            "can_send_polls": False,
            "can_send_other_messages": False,
            "can_add_web_page_previews": False,
            "can_manage_topics": False,
            "until_date": 0,
            "can_send_audios": False,
            "can_send_documents": False,
            "can_send_photos": False,
            "can_send_videos": False,
            "can_send_video_notes": False,
            "can_send_voice_notes": False,
            "can_edit_tag": False,
            "can_react_to_messages": False,
        }
    if status == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    if status == "left":
        return {"status": "left", "user": user}
    return {"status": "member", "user": user}


# --------------------------------------------------------------------------------------
# running a real Application
# --------------------------------------------------------------------------------------


@asynccontextmanager
async def run_application(
    app: Application,  # type: ignore[type-arg]
    *,
    poll_timeout: float = 1.0,
    allowed_updates: Iterable[str] | None = None,
    drop_pending_updates: bool | None = None,
    bootstrap_retries: int = 0,
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Run ``app`` like :meth:`Application.run_polling` does, inside the running event loop.

    Startup: initialize (with bootstrap retries) -> ``post_init`` -> (unless ``stop_running()``
    was called in ``post_init``) ``updater.start_polling(poll_interval=0, timeout=poll_timeout,
    allowed_updates=Update.ALL_TYPES)`` -> ``start``. Exit: ``updater.stop`` (if running) ->
    ``stop`` + ``post_stop`` (if running) -> ``shutdown`` -> ``post_shutdown``.

    ``app.stop_running()`` inside a handler does not stop the test's event loop (as it would
    with ``run_polling``); it stops the updater and the application in the background like
    ``run_polling`` would; the rest of the shutdown happens when the block exits.
    """
    from telegram import Update

    if app.updater is None:
        raise RuntimeError("run_application needs an Application with an Updater")
    updater = app.updater
    updates = list(Update.ALL_TYPES if allowed_updates is None else allowed_updates)
    stop_tasks: list[asyncio.Task[None]] = []

    async def stop_running_app() -> None:
        if updater.running:
            await updater.stop()
        if app.running:
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)

    original_stop_running = app.stop_running

    def stop_running(self: Application) -> None:  # type: ignore[type-arg]
        if app.running:
            if not stop_tasks:
                stop_tasks.append(asyncio.get_running_loop().create_task(stop_running_app()))
        else:
            original_stop_running()

    app.stop_running = MethodType(stop_running, app)  # type: ignore[method-assign]
    error_log = _ErrorLog()
    telegram_logger = logging.getLogger("telegram")
    telegram_logger.addHandler(error_log)
    _RUNNING_APPS[id(app)] = (app, error_log)
    try:
        try:
            bootstrap = getattr(app, "_bootstrap_initialize", None)
            if bootstrap is not None:
                await bootstrap(max_retries=bootstrap_retries)
            else:  # pragma: no cover - older/newer PTB
                await app.initialize()
            if app.post_init:
                await app.post_init(app)
            marker = getattr(app, "_Application__stop_running_marker", None)
            if marker is not None and marker.is_set():
                _LOGGER.info("Application received stop signal via `stop_running`. Not starting.")
            else:
                await updater.start_polling(
                    poll_interval=0.0,
                    timeout=dtm.timedelta(seconds=poll_timeout),
                    bootstrap_retries=bootstrap_retries,
                    allowed_updates=updates,
                    drop_pending_updates=drop_pending_updates,
                )
                await app.start()
            yield app
        finally:
            for task in stop_tasks:
                await task
            if updater.running:
                await updater.stop()
            if app.running:
                await app.stop()
                if app.post_stop:
                    await app.post_stop(app)
            await app.shutdown()
            if app.post_shutdown:
                await app.post_shutdown(app)
    finally:
        app.__dict__.pop("stop_running", None)
        _RUNNING_APPS.pop(id(app), None)
        telegram_logger.removeHandler(error_log)
