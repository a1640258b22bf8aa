"""A message as a JSON payload: built once, then either sent at once (the answer to a
command) or stored in the outbox and sent by :class:`bot.outbox.OutboxSender` (alerts and
scheduled posts). One builder per kind of message, one function that sends a payload, so a
meeting pack looks the same whether someone asked for it or the schedule posted it.

Payload keys: ``text`` (HTML; the caption for a photo or document), ``buttons`` (rows of
``[label, callback data]``), ``photo`` / ``document`` (base64 bytes, with ``filename``),
``media`` (an album: a list of ``{"photo", "caption", "filename"}``), ``reply_to`` (the
outbox id of a message to reply to; resolved by the sender).
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaPhoto,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode

Payload = dict[str, Any]
Buttons = list[list[list[str]]]
# A photo or document value as the sender sees it: bytes to upload or Telegram's file id.
FileResolver = Callable[[Any], bytes | str]

ALBUM_SIZE = 10        # Telegram's maximum number of photos in one media group
CAPTION_LIMIT = 1024


def plain_text(text: str) -> str:
    """Telegram HTML as plain text (tags dropped, entities decoded): for a terminal, a
    .txt file and a button's pop-up alert, which show no formatting."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def buttons_of(markup: InlineKeyboardMarkup | None) -> Buttons | None:
    """Inline callback buttons as JSON rows (URL buttons are not used in stored posts)."""
    if markup is None:
        return None
    return [[[button.text, str(button.callback_data)] for button in row]
            for row in markup.inline_keyboard]


def keyboard(rows: Sequence[Sequence[Sequence[str]]]) -> InlineKeyboardMarkup:
    """Inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def markup_of(rows: Buttons | None) -> InlineKeyboardMarkup | None:
    return keyboard(rows) if rows else None


def text_post(text: str, markup: InlineKeyboardMarkup | None = None) -> Payload:
    payload: Payload = {"text": text}
    if markup is not None:
        payload["buttons"] = buttons_of(markup)
    return payload


def photo_post(png: bytes, caption: str = "") -> Payload:
    return {"photo": _b64(png), "text": caption[:CAPTION_LIMIT]}


def album_posts(figures: list[tuple[str, bytes, str]]) -> list[Payload]:
    """Charts as media groups of at most ten, each photo with its (plain text) caption."""
    items = [{"photo": _b64(png), "caption": caption[:CAPTION_LIMIT], "filename": name}
             for name, png, caption in figures]
    return [{"media": items[start:start + ALBUM_SIZE]}
            for start in range(0, len(items), ALBUM_SIZE)]


def document_post(data: bytes, filename: str, caption: str = "") -> Payload:
    return {"document": _b64(data), "filename": filename, "text": caption[:CAPTION_LIMIT]}


def weight(payload: Payload) -> int:
    """How many messages Telegram counts against its flood limits (an album: one each)."""
    return len(payload.get("media") or ()) or 1


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: int                 # the first message (of an album)
    file_ids: tuple[str, ...] = ()  # Telegram's ids of the photos/documents, in order


def _inline(value: Any) -> bytes | str:
    return base64.b64decode(value)


def _photo_id(message: Message) -> str:
    return message.photo[-1].file_id if message.photo else ""


async def send_post(bot: Bot, chat_id: int, payload: Payload, *,
                    reply_to: int | None = None, resolve: FileResolver = _inline) -> Sent:
    """Send one payload. ``resolve`` turns a photo or document value into bytes or a file
    id (default: the payload's own base64; the outbox passes its stored files)."""
    markup = markup_of(payload.get("buttons"))
    reply = (ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
             if reply_to else None)
    message: Message
    media = payload.get("media") or []
    if len(media) >= 2:
        album = [InputMediaPhoto(resolve(item["photo"]), caption=item["caption"],
                                 filename=item["filename"]) for item in media]
        messages = await bot.send_media_group(chat_id, album, reply_parameters=reply)
        return Sent(messages[0].message_id, tuple(_photo_id(m) for m in messages))
    if media:  # an album of one is a photo (Telegram wants 2-10 items in a media group)
        payload = {"photo": media[0]["photo"], "text": media[0]["caption"], "plain": True}
    if payload.get("photo"):
        message = await bot.send_photo(
            chat_id, resolve(payload["photo"]), caption=payload.get("text") or None,
            parse_mode=None if payload.get("plain") else ParseMode.HTML, reply_markup=markup,
            reply_parameters=reply)
        return Sent(message.message_id, (_photo_id(message),))
    if payload.get("document"):
        data = resolve(payload["document"])
        message = await bot.send_document(
            chat_id, InputFile(data, filename=payload["filename"]) if isinstance(data, bytes)
            else data, caption=payload.get("text") or None, parse_mode=ParseMode.HTML,
            reply_markup=markup, reply_parameters=reply)
        return Sent(message.message_id,
                    (message.document.file_id if message.document else "",))
    message = await bot.send_message(
        chat_id, payload["text"], parse_mode=ParseMode.HTML, reply_markup=markup,
        reply_parameters=reply, disable_web_page_preview=True)
    return Sent(message.message_id)


async def send_posts(bot: Bot, chat_id: int, payloads: list[Payload]) -> None:
    """Send a sequence at once, in order (a command's answer)."""
    for payload in payloads:
        await send_post(bot, chat_id, payload)
