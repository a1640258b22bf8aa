"""Proves that the fake Bot API (tests/botapi.py) carries a real PTB Application."""

from __future__ import annotations

import asyncio
import io
import struct
import time
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

try:
    from tests.botapi import Call, FakeBotAPI, run_application
except ImportError:  # tests/ itself is on sys.path (pytest's default rootdir insertion)
    from botapi import Call, FakeBotAPI, run_application  # type: ignore[no-redef]

pytestmark = pytest.mark.asyncio

Context = ContextTypes.DEFAULT_TYPE
AnyApp = Application[Any, Any, Any, Any, Any, Any]


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


def build_app(api: FakeBotAPI, *, rate_limiter: Any = None) -> AnyApp:
    builder = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
    )
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    return builder.build()


def bare_bot(api: FakeBotAPI, token: str | None = None) -> Bot:
    return Bot(token or api.token, base_url=api.base_url, base_file_url=api.base_file_url)


async def echo(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(" ".join(context.args or []) or "(leeg)")


async def menu(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ja", callback_data="ja"),
                InlineKeyboardButton("Nee", callback_data="nee"),
            ]
        ]
    )
    await update.effective_message.reply_text("Doorgaan?", reply_markup=keyboard)


async def choice(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"Gekozen: {query.data}")
    await query.edit_message_text(f"Je koos <b>{query.data}</b>", parse_mode="HTML")


# ---------------------------------------------------------------------------- round trips


async def test_command_and_callback_round_trip(api: FakeBotAPI) -> None:
    app = build_app(api)
    app.add_handler(CommandHandler("echo", echo))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CallbackQueryHandler(choice))
    async with run_application(app):
        jan = api.user(1001, "Jan", username="jan_de_vries")
        update = api.send_text(jan, "/echo hallo wereld 👋")
        assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
        reply = await api.next_message(1001)
        assert reply["text"] == "hallo wereld 👋"
        assert reply["from"]["is_bot"] and reply["from"]["username"] == "wijkbot_test_bot"

        api.send_text(jan, "/menu")
        question = await api.next_message(1001)
        assert api.button_data(question) == ["ja", "nee"]
        assert api.button_texts(question) == ["Ja", "Nee"]
        since = api.mark()
        pressed = api.press_button(jan, question, "nee")
        answer = await api.callback_answer(pressed)
        assert answer["text"] == "Gekozen: nee"
        edit = await api.wait_for("editMessageText", since=since)
        assert edit.params["text"] == "Je koos <b>nee</b>"  # as the bot sent it
        assert edit.result["text"] == "Je koos nee"  # as Telegram shows it
        assert edit.result["entities"] == [{"type": "bold", "offset": 8, "length": 3}]
        assert "edit_date" in edit.result
        # the keyboard is gone after an edit without reply_markup, just like on Telegram
        assert api.button_data(question) == []
        with pytest.raises(AssertionError, match="available: \\[\\]"):
            api.press_button(jan, question, "ja")
    assert api.internal_errors == []


async def test_press_button_lists_available_data(api: FakeBotAPI) -> None:
    app = build_app(api)
    app.add_handler(CommandHandler("menu", menu))
    async with run_application(app):
        jan = api.user(1001)
        api.send_text(jan, "/menu")
        question = await api.next_message(1001)
        with pytest.raises(AssertionError, match=r"'ja', 'nee'"):
            api.press_button(jan, question, "misschien")


async def test_group_command_with_bot_username_and_my_chat_member(api: FakeBotAPI) -> None:
    seen: list[str] = []

    async def member_change(update: Update, context: Context) -> None:
        assert update.my_chat_member is not None
        seen.append(update.my_chat_member.new_chat_member.status)

    app = build_app(api)
    app.add_handler(CommandHandler("echo", echo))
    app.add_handler(ChatMemberHandler(member_change, ChatMemberHandler.MY_CHAT_MEMBER))
    async with run_application(app):
        piet = api.user(1002, "Piet")
        buurt = api.group(-4001, "Buurtpreventie Noord")
        api.add_bot_to_group(piet, buurt, status="administrator")
        api.send_text(piet, "/echo@wijkbot_test_bot samen", buurt)
        assert (await api.next_message(-4001))["text"] == "samen"
        api.remove_bot_from_group(piet, buurt)
        await api.settle()
        assert seen == ["administrator", "kicked"]
        with pytest.raises(Forbidden, match="kicked"):
            await app.bot.send_message(-4001, "nog daar?")
        with pytest.raises(AssertionError, match="not in chat"):
            api.send_text(piet, "hallo?", buurt)


async def test_updates_are_delivered_once(api: FakeBotAPI) -> None:
    texts: list[str] = []

    async def record(update: Update, context: Context) -> None:
        assert update.effective_message is not None and update.effective_message.text
        texts.append(update.effective_message.text)

    app = build_app(api)
    app.add_handler(MessageHandler(filters.TEXT, record))
    async with run_application(app):
        jan = api.user(1001)
        for text in ("een", "twee", "drie"):
            api.send_text(jan, text)
        await api.settle(idle=0.2)
        assert texts == ["een", "twee", "drie"]
        assert api.pending_updates() == []  # confirmed through offset
        api.send_text(jan, "vier")
        await api.settle(idle=0.2)
    assert texts == ["een", "twee", "drie", "vier"]


async def test_get_updates_offset_and_long_poll_raw(api: FakeBotAPI) -> None:
    jan = api.user(1001)
    url = f"{api.base_url}{api.token}/getUpdates"
    async with aiohttp.ClientSession() as session:
        first = api.send_text(jan, "a")
        second = api.send_text(jan, "b")
        body = await (await session.post(url, data={"timeout": "0"})).json()
        assert [u["update_id"] for u in body["result"]] == [first["update_id"], second["update_id"]]
        body = await (await session.post(url, data={"offset": str(first["update_id"] + 1)})).json()
        assert [u["update_id"] for u in body["result"]] == [second["update_id"]]  # first confirmed
        body = await (
            await session.post(url, json={"offset": second["update_id"] + 1, "limit": 1})
        ).json()
        assert body == {"ok": True, "result": []}

        # a long poll returns as soon as an update arrives
        asyncio.get_running_loop().call_later(0.1, api.send_text, jan, "c")
        started = time.monotonic()
        body = await (
            await session.get(url, params={"offset": str(second["update_id"] + 1), "timeout": "5"})
        ).json()
        assert body["result"][0]["message"]["text"] == "c"
        assert time.monotonic() - started < 2


async def test_request_encodings_are_decoded(api: FakeBotAPI) -> None:
    api.user(1001)
    base = f"{api.base_url}{api.token}"
    async with aiohttp.ClientSession() as session:
        body = await (
            await session.post(f"{base}/sendMessage", json={"chat_id": "1001", "text": "123"})
        ).json()
        assert body["ok"] and body["result"]["text"] == "123"
        body = await (
            await session.get(f"{base}/sendMessage", params={"chat_id": "1001", "text": "[1]"})
        ).json()
        assert body["ok"] and body["result"]["text"] == "[1]"
        markup = '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'
        body = await (
            await session.post(
                f"{base}/sendMessage", data={"chat_id": "1001", "text": "x", "reply_markup": markup}
            )
        ).json()
        assert body["result"]["reply_markup"] == {
            "inline_keyboard": [[{"text": "A", "callback_data": "a"}]]
        }
    calls = api.calls_to("sendMessage")
    assert [c.params["chat_id"] for c in calls] == [1001, 1001, 1001]
    assert calls[0].params["text"] == "123" and calls[1].params["text"] == "[1]"
    assert isinstance(calls[2].params["reply_markup"], dict)


async def test_wrong_token_and_unknown_method(api: FakeBotAPI) -> None:
    with pytest.raises(InvalidToken):
        async with bare_bot(api, token="999:WRONG-token-abcdefghijklmnopqrstuvw"):
            pass
    assert api.calls[-1].status == 401
    async with aiohttp.ClientSession() as session:
        response = await session.post(f"{api.base_url}{api.token}/fooBar")
        assert response.status == 404
        assert await response.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }


# ---------------------------------------------------------------------------- files


async def test_send_document_multipart_and_download(api: FakeBotAPI) -> None:
    async def export(update: Update, context: Context) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_document(
            document=io.BytesIO(b"wijk;aantal\nNoord;3\n"),
            filename="rapport.csv",
            caption="Rapport",
        )

    async def received(update: Update, context: Context) -> None:
        message = update.effective_message
        assert message is not None and message.document is not None
        file = await message.document.get_file()
        data = await file.download_as_bytearray()
        await message.reply_text(f"{message.document.file_name}: {bytes(data).decode()}")

    app = build_app(api)
    app.add_handler(CommandHandler("export", export))
    app.add_handler(MessageHandler(filters.Document.ALL, received))
    async with run_application(app):
        jan = api.user(1001)
        api.send_text(jan, "/export")
        call = await api.wait_for("sendDocument")
        upload = call.files["document"]
        assert upload.filename == "rapport.csv" and upload.data == b"wijk;aantal\nNoord;3\n"
        document = (await api.next_message(1001))["document"]
        assert document["file_name"] == "rapport.csv"
        assert document["mime_type"] == "text/csv"
        assert document["file_size"] == len(upload.data)
        assert api.file_bytes(document["file_id"]) == upload.data

        api.send_document(jan, "melding.txt", b"inbraak", "text/plain")
        assert (await api.next_message(1001))["text"] == "melding.txt: inbraak"


async def test_send_media_group(api: FakeBotAPI) -> None:
    jan = api.user(1001)
    async with bare_bot(api) as bot:
        messages = await bot.send_media_group(
            1001,
            [
                InputMediaPhoto(png(40, 30), caption="<b>Kaart</b> noord", parse_mode="HTML"),
                InputMediaPhoto(png(8, 8)),
            ],
        )
    assert len(messages) == 2
    assert messages[0].media_group_id and messages[0].media_group_id == messages[1].media_group_id
    assert messages[0].caption == "Kaart noord"
    assert messages[0].photo[-1].width == 40 and messages[0].photo[-1].height == 30
    call = api.calls_to("sendMediaGroup")[0]
    assert sorted(len(f.data) for f in call.files.values()) == sorted(
        [len(png(40, 30)), len(png(8, 8))]
    )
    assert [m["message_id"] for m in api.sent(jan["id"])] == [1, 2]
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        async with bare_bot(api) as bot:
            await bot.send_photo(1001, b"not an image")


# ---------------------------------------------------------------------------- failures


async def test_fail_next_forbidden_and_retry_after(api: FakeBotAPI) -> None:
    api.user(1001)
    api.user(1002)
    async with bare_bot(api) as bot:
        api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=1002)
        await bot.send_message(1001, "gaat goed")  # other chat: unaffected
        with pytest.raises(Forbidden, match="blocked by the user"):
            await bot.send_message(1002, "hallo")
        await bot.send_message(1002, "weer goed")  # only once

        api.fail_next(
            "sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3, times=2
        )
        for _ in range(2):
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(1001, "te snel")
            assert "3 seconds" in str(info.value) or "0:00:03" in str(info.value)
        await bot.send_message(1001, "weer goed")
    assert [m["text"] for m in api.sent()] == ["gaat goed", "weer goed", "weer goed"]


async def test_realistic_chat_errors(api: FakeBotAPI) -> None:
    jan = api.user(1001)
    old = api.group(-4001, "Wijkteam")
    async with bare_bot(api) as bot:
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(5555, "wie?")
        new = api.migrate_group(old, -1001234567890)
        with pytest.raises(ChatMigrated) as migrated:
            await bot.send_message(-4001, "hallo")
        assert migrated.value.new_chat_id == new["id"]
        await bot.send_message(new["id"], "hallo supergroep")
        api.block_bot(jan)
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_message(1001, "hallo")


async def test_html_and_markdown_validation(api: FakeBotAPI) -> None:
    api.user(1001)
    async with bare_bot(api) as bot:
        for bad in (
            "<b>open",
            "regel<br>regel",
            "a < b",
            "<b><i>x</b></i>",
            '<span class="x">y</span>',
            "<p>x</p>",
        ):
            with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
                await bot.send_message(1001, bad, parse_mode="HTML")
        ok = await bot.send_message(
            1001,
            '  👍 <b>Hoi</b> &amp; <a href="https://wijk.nl">link</a> <tg-spoiler>x</tg-spoiler>\n',
            parse_mode="HTML",
        )
        assert ok.text == "👍 Hoi & link x"  # trimmed, markup removed
        assert [(e.type, e.offset, e.length) for e in ok.entities] == [
            ("bold", 3, 3),
            ("text_link", 9, 4),
            ("spoiler", 14, 1),
        ]
        with pytest.raises(BadRequest, match=r"(?i)character '.' is reserved"):
            await bot.send_message(1001, "Prijs: 5.00", parse_mode="MarkdownV2")
        md = await bot.send_message(1001, "*Prijs*: 5\\.00", parse_mode="MarkdownV2")
        assert md.text == "Prijs: 5.00" and md.entities[0].type == "bold"
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(1001, "x" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await bot.send_message(1001, " \n ")
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(
                1001,
                "te lang",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("x", callback_data="é" * 33)]]
                ),
            )
        with pytest.raises(BadRequest, match=r"(?i)not modified"):
            await bot.edit_message_text(
                "*Prijs*: 5\\.00", chat_id=1001, message_id=md.message_id, parse_mode="MarkdownV2"
            )
        edited = await bot.edit_message_text("Prijs: 5.00", chat_id=1001, message_id=md.message_id)
        assert isinstance(edited, Message) and edited.entities == ()  # entities differ: modified


# ---------------------------------------------------------------------------- misc features


async def test_commands_from_post_init_and_helpers(api: FakeBotAPI) -> None:
    async def post_init(application: AnyApp) -> None:
        await application.bot.set_my_commands(
            [BotCommand("start", "Begin"), BotCommand("help", "Hulp")]
        )
        await application.bot.set_my_commands(
            [BotCommand("beheer", "Beheer")], scope=BotCommandScopeChat(-4001), language_code="nl"
        )

    api.group(-4001, "Beheer")
    app = ApplicationBuilder().token(api.token).base_url(api.base_url).post_init(post_init).build()
    async with run_application(app):
        assert [c["command"] for c in api.commands()] == ["start", "help"]
        assert api.commands("chat", "nl", chat_id=-4001) == [
            {"command": "beheer", "description": "Beheer"}
        ]
        assert api.commands("chat", chat_id=-4001) == []
        fetched = await app.bot.get_my_commands()
        assert [c.command for c in fetched] == ["start", "help"]
        chat = await app.bot.get_chat(-4001)
        assert chat.title == "Beheer"
        member = await app.bot.get_chat_member(-4001, api.bot_id)
        assert member.status == "member"


async def test_wait_for_and_next_message_failures_are_descriptive(api: FakeBotAPI) -> None:
    api.user(1001)
    async with bare_bot(api) as bot:
        await bot.send_message(1001, "hallo")
    call: Call = await api.wait_for("sendMessage", lambda c: c.params["text"] == "hallo")
    assert call.ok and call.result["text"] == "hallo"
    with pytest.raises(
        AssertionError, match=r"(?s)no call to sendPhoto.*sendMessage\(chat_id=1001"
    ):
        await api.wait_for("sendPhoto", timeout=0.1)
    assert (await api.next_message(1001))["text"] == "hallo"
    with pytest.raises(AssertionError, match="no new message to chat 1001"):
        await api.next_message(1001, timeout=0.1)


async def test_stop_running_from_handler(api: FakeBotAPI) -> None:
    async def stop(update: Update, context: Context) -> None:
        context.application.stop_running()

    app = build_app(api)
    app.add_handler(CommandHandler("stop", stop))
    async with run_application(app):
        api.send_text(api.user(1001), "/stop")
        for _ in range(200):
            if not app.running:
                break
            await asyncio.sleep(0.01)
        assert not app.running and not app.updater.running  # type: ignore[union-attr]
    assert "stop_running" not in vars(app)


async def test_settle_waits_for_processing_and_errors_are_reported(api: FakeBotAPI) -> None:
    done: list[str] = []

    async def slow(update: Update, context: Context) -> None:
        await asyncio.sleep(0.4)  # no request to the server meanwhile
        done.append("slow")

    async def broken(update: Update, context: Context) -> None:
        raise RuntimeError("kapot")

    app = build_app(api)
    app.add_handler(CommandHandler("slow", slow))
    app.add_handler(CommandHandler("broken", broken))
    async with run_application(app):
        jan = api.user(1001)
        api.send_text(jan, "/slow")
        await api.settle(idle=0.05)
        assert done == ["slow"]
        api.send_text(jan, "/broken")
        await api.settle(idle=0.05)
        assert any("kapot" in line for line in api.logged_errors())
        with pytest.raises(AssertionError, match=r"(?s)Errors logged by the application.*kapot"):
            await api.next_message(1001, timeout=0.05)


# ---------------------------------------------------------------------------- rate limits


async def test_rate_limiter_application(api: FakeBotAPI) -> None:
    app = build_app(api, rate_limiter=AIORateLimiter())
    app.add_handler(CommandHandler("echo", echo))
    async with run_application(app):
        jan = api.user(1001)
        api.send_text(jan, "/echo met limiter")
        assert (await api.next_message(1001))["text"] == "met limiter"


async def test_enforce_limits() -> None:
    async with FakeBotAPI(enforce_limits=True) as api:
        api.user(1001)
        api.user(1002)
        api.group(-4001, "Groep")
        async with bare_bot(api) as bot:
            await bot.send_message(1001, "een")
            with pytest.raises(RetryAfter):
                await bot.send_message(1001, "twee")  # > 1 message/s in a private chat
            await bot.send_chat_action(1001, "typing")  # not counted
            for number in range(3):
                await bot.send_message(-4001, f"groep {number}")
        assert api.rate_limit_violations == 1

        # PTB's AIORateLimiter retries after the advertised retry_after
        app = build_app(api, rate_limiter=AIORateLimiter(max_retries=2))
        async with app:
            started = time.monotonic()
            await app.bot.send_message(1002, "drie")
            await app.bot.send_message(1002, "vier")
            assert time.monotonic() - started >= 0.9
        assert api.rate_limit_violations == 2
        assert api.texts(1002) == ["drie", "vier"]


async def test_shutdown_is_quick_with_pending_long_poll(api: FakeBotAPI) -> None:
    app = build_app(api)
    async with run_application(app, poll_timeout=30):
        await api.settle(idle=0.1)
        assert any(c.method == "getUpdates" and not c.done for c in api.calls)
        started = time.monotonic()
    assert time.monotonic() - started < 2
    assert not app.running


async def test_server_stop_is_quick_with_waiting_poll() -> None:
    api = FakeBotAPI()
    await api.start()
    url = f"{api.base_url}{api.token}/getUpdates"

    async def poll() -> Any:
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data={"timeout": "30"}) as response,
        ):
            return await response.json()

    task = asyncio.create_task(poll())
    for _ in range(200):
        if api.calls:
            break
        await asyncio.sleep(0.01)
    assert api.calls and not api.calls[0].done
    started = time.monotonic()
    await api.stop()
    assert time.monotonic() - started < 2
    assert (await asyncio.wait_for(task, 2)) == {"ok": True, "result": []}
