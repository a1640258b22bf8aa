"""Shared plumbing for handlers: per-update locale, permission guard, replies, usage.

Handlers stay thin: they parse, call a service or repository, and reply. This module holds
what they all need so that each capability module reads as just its own logic.
"""

from __future__ import annotations

import contextlib
import functools
import html
import logging
import secrets
from collections.abc import Callable, Collection, Coroutine, Sequence
from datetime import time
from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, filters

from bot.access import GROUP_TYPES, Access, resolve_access
from bot.commands import BY_NAME, CB
from bot.context import WijkApp, WijkContext
from bot.errors import UserError
from bot.i18n import N_, _, normalize_language, set_display_timezone, set_locale
from bot.labels import role_label
from bot.partnership import Person
from bot.permissions import ChatKind, Permission, allowed_chats
from bot.posts import keyboard, plain_text

log = logging.getLogger(__name__)

Handler = Callable[[Update, WijkContext], Coroutine[Any, Any, None]]
GuardedHandler = Callable[[Update, WijkContext, Access], Coroutine[Any, Any, None]]

_ACCESS_KEY = "_wijkbot_access"
PENDING_KEY = "pending_command"
PAGES_KEY = "pages"
# Telegram allows 4096 characters per message; leave room for the page indicator.
PAGE_BUDGET = 3800
_KEPT_PAGINATIONS = 10


def esc(value: object) -> str:
    """Escape user-provided text for Telegram's HTML parse mode."""
    return html.escape(str(value), quote=False)


def person(update: Update) -> Person:
    user = update.effective_user
    assert user is not None
    return Person(user.id, user.first_name, user.last_name, user.username, user.language_code)


Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def location_keyboard(placeholder: str) -> ReplyKeyboardMarkup:
    """A one-tap "share my location" button under the text field, for someone in the
    street with a phone (the alternative is 📎 → Location → send, three taps). Telegram
    allows this button in private chats only. One-time: it folds away once tapped; it is
    removed (:data:`NO_KEYBOARD`) by the answer once the place is known
    (:func:`reply_dropping_keyboard`) and when the dialogue is cancelled."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton("📍 " + _("Share my location"), request_location=True)]],
        resize_keyboard=True, one_time_keyboard=True, input_field_placeholder=placeholder,
    )


NO_KEYBOARD = ReplyKeyboardRemove()


async def reply(update: Update, text: str, *, markup: Markup | None = None) -> Message | None:
    """Answer in the chat the update came from (HTML, no link previews). In a group, the
    answer to a message quotes it: there, several people may ask at once."""
    chat = update.effective_chat
    if chat is None:
        return None
    asked = update.message  # a new message: not an edit, not a button press
    quote = (ReplyParameters(message_id=asked.message_id, allow_sending_without_reply=True)
             if asked is not None and chat.type in GROUP_TYPES else None)
    return await chat.send_message(
        text, parse_mode=ParseMode.HTML, reply_markup=markup,
        disable_web_page_preview=True, reply_parameters=quote,
    )


async def reply_with_keyboards(update: Update, text: str, markup: InlineKeyboardMarkup,
                               keys: ReplyKeyboardMarkup | ReplyKeyboardRemove,
                               ) -> Message | None:
    """Answer with inline buttons *and* set or fold away the reply keyboard under the text
    field (``keys``: :func:`location_keyboard` or :data:`NO_KEYBOARD`). A message carries
    one kind of markup, so it is sent with ``keys`` and the buttons are added by editing
    it."""
    message = await reply(update, text, markup=keys)
    if message is None:
        return None
    edited = await message.edit_reply_markup(markup)
    return edited if isinstance(edited, Message) else message


async def reply_dropping_keyboard(update: Update, text: str,
                                  markup: InlineKeyboardMarkup) -> Message | None:
    """Answer with inline buttons and fold away a reply keyboard such as
    :func:`location_keyboard`."""
    return await reply_with_keyboards(update, text, markup, NO_KEYBOARD)


async def edit_or_reply(
    update: Update, text: str, *, markup: InlineKeyboardMarkup | None = None
) -> None:
    """For button presses: replace the message that carried the button."""
    query = update.callback_query
    if query is not None and query.message is not None:
        try:
            await query.edit_message_text(
                text, parse_mode=ParseMode.HTML, reply_markup=markup,
                disable_web_page_preview=True,
            )
        except BadRequest as err:
            # A double tap (or the current page's own button) changes nothing; that is fine.
            if "not modified" not in str(err).lower():
                raise
    else:
        await reply(update, text, markup=markup)


def split_pages(lines: Sequence[str], budget: int = PAGE_BUDGET) -> list[str]:
    """Group whole lines into pages of at most ``budget`` characters.

    Lines are never cut, so HTML tags (which our messages keep within one line) stay
    balanced; a single over-long line is split on its own as a last resort.
    """
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        while len(line) > budget:  # pathological: split an over-long line hard
            if current:
                pages.append("\n".join(current))
                current, size = [], 0
            pages.append(line[:budget])
            line = line[budget:]
        if current and size + len(line) + 1 > budget:
            pages.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current or not pages:
        pages.append("\n".join(current))
    return pages


def _page_markup(token: str, index: int, total: int) -> InlineKeyboardMarkup:
    row = []
    if index > 0:
        row.append(("◀", f"{CB.PAGE}:{token}:{index - 1}"))
    row.append((f"{index + 1}/{total}", f"{CB.PAGE}:{token}:{index}"))
    if index < total - 1:
        row.append(("▶", f"{CB.PAGE}:{token}:{index + 1}"))
    return keyboard([row])


async def drop_buttons(message: Message | None, text: str | None = None) -> None:
    """Take the inline buttons off an earlier bot message of a dialogue (and, with ``text``,
    turn it into its answer), so that the chat keeps one live set of buttons and reads as a
    record. A message too old to edit, or deleted, is left as it is."""
    if message is None:
        return
    with contextlib.suppress(TelegramError):
        if text is None:
            await message.edit_reply_markup(reply_markup=None)
        else:
            await message.edit_text(text, parse_mode=ParseMode.HTML,
                                    disable_web_page_preview=True)


async def reply_paged(update: Update, context: WijkContext, lines: Sequence[str]) -> None:
    """Reply with ``lines``; if they do not fit in one message, page through them with
    buttons instead of cutting anything off."""
    pages = split_pages(lines)
    if len(pages) == 1:
        await reply(update, pages[0])
        return
    assert context.chat_data is not None
    stored: dict[str, list[str]] = context.chat_data.setdefault(PAGES_KEY, {})
    token = secrets.token_hex(4)
    stored[token] = pages
    for old in list(stored)[:-_KEPT_PAGINATIONS]:  # keep memory bounded per chat
        del stored[old]
    await reply(update, pages[0], markup=_page_markup(token, 0, len(pages)))


PageRenderer = Callable[[Update, WijkContext, dict[str, Any], int],
                       Coroutine[Any, Any, tuple[str, int]]]
_RENDERERS: dict[str, PageRenderer] = {}


def pager(kind: str) -> Callable[[PageRenderer], PageRenderer]:
    """Register a renderer that produces page ``n`` (text, number of pages) on demand, for
    lists too large to compute in full (the query reads only that page)."""

    def decorate(render: PageRenderer) -> PageRenderer:
        _RENDERERS[kind] = render
        return render

    return decorate


async def reply_pager(update: Update, context: WijkContext, kind: str,
                      params: dict[str, Any]) -> None:
    text, pages = await _RENDERERS[kind](update, context, params, 0)
    if pages <= 1:
        await reply(update, text)
        return
    assert context.chat_data is not None
    stored: dict[str, Any] = context.chat_data.setdefault(PAGES_KEY, {})
    token = secrets.token_hex(4)
    stored[token] = {"kind": kind, "params": params}
    for old in list(stored)[:-_KEPT_PAGINATIONS]:
        del stored[old]
    await reply(update, text, markup=_page_markup(token, 0, pages))


async def _turn_page(update: Update, context: WijkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and context.chat_data is not None
    try:
        _prefix, token, index_text = query.data.split(":")
        index = int(index_text)
    except ValueError:
        await query.answer()
        return
    stored = context.chat_data.get(PAGES_KEY, {}).get(token)
    if isinstance(stored, dict):  # rendered on demand
        try:
            text, total = await _RENDERERS[stored["kind"]](update, context, stored["params"],
                                                           index)
        except UserError as err:
            await tell(update, err.render())
            return
        await query.answer()
        await edit_or_reply(update, text, markup=_page_markup(token, min(index, total - 1),
                                                              total))
        return
    if stored is None or not 0 <= index < len(stored):
        await query.answer(_("This list has expired; please send the command again."),
                           show_alert=True)
        return
    await query.answer()
    await edit_or_reply(update, stored[index], markup=_page_markup(token, index, len(stored)))


def command_text(update: Update) -> str:
    """Everything after ``/command`` (keeps ``|`` separators and spacing inside fields)."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    if not text.startswith("/"):
        return text.strip()
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def command_name(update: Update) -> str:
    message = update.effective_message
    text = (message.text or "") if message else ""
    return text.split(maxsplit=1)[0].lstrip("/").split("@")[0].lower() if text else ""


def usage(command: str) -> str:
    """The usage line of a command, translated: ``Usage: /area <kind> <name> …``."""
    spec = BY_NAME[command]
    syntax = f" {_(spec.usage)}" if spec.usage else ""
    return _("Usage: {command}").format(command=f"<code>/{esc(command)}{esc(syntax)}</code>")


async def reply_usage(update: Update, problem: str | None = None) -> None:
    name = command_name(update)
    lines = [problem] if problem else []
    if name in BY_NAME:
        lines.append(usage(name))
    await reply(update, "\n".join(lines) or _("That did not work."))


async def cancel_dialogue(update: Update, context: WijkContext, draft_key: str | None, *,
                          prompt: Message | None = None, keyboard_shown: bool = False) -> int:
    """End a dialogue: drop its draft (``user_data[draft_key]``) and say nothing was saved.

    On a Cancel button the message that carried it becomes the answer. On a typed /cancel
    the open ``prompt``'s buttons go dead (so an old one cannot be tapped), and a reply
    keyboard such as :func:`location_keyboard` goes too."""
    if context.user_data is not None and draft_key is not None:
        context.user_data.pop(draft_key, None)
    if update.callback_query and keyboard_shown:
        # An edit cannot take a reply keyboard away: the buttons go, a new message says it.
        await update.callback_query.answer()
        message = update.callback_query.message
        await drop_buttons(message if isinstance(message, Message) else None)
        await reply(update, _("Cancelled. Nothing was saved."), markup=NO_KEYBOARD)
    elif update.callback_query:
        await update.callback_query.answer()
        await edit_or_reply(update, _("Cancelled. Nothing was saved."))
    else:
        await drop_buttons(prompt)
        await reply(update, _("Cancelled. Nothing was saved."), markup=NO_KEYBOARD)
    return ConversationHandler.END


# -- one dialogue at a time -------------------------------------------------------------------

# What a dialogue takes as an answer: new messages only. An edited message (and every
# position update of a live location, which Telegram sends as edits) is no new answer.
ANSWER = filters.UpdateType.MESSAGE


class Command(CommandHandler[Any, Any]):
    """A command of this bot: answered for new messages only. (PTB's CommandHandler also
    runs a command again when its message is edited, so a corrected "/resultaat A1 13"
    would add a second result.) An edit reaches an open dialogue's edit step, if it has
    one, or :func:`edited_command`."""

    def __init__(self, command: str | Collection[str], callback: Any, **kwargs: Any) -> None:
        super().__init__(command, callback, filters=ANSWER, **kwargs)


async def edited_command(update: Update, context: WijkContext) -> None:
    """An edited command: not carried out again, and said so. (Registered for private
    chats: in a group the edit may be of a command for another bot, and nobody asked.)"""
    await reply(update, _("You edited a command. I do not carry out edited commands "
                          "again: what the first one did stands. Send the command as a new "
                          "message if it still needs doing."))


# The dialogues (ConversationHandler names) and how to tell someone one is still open.
BUSY = {
    "action_form": N_("You are still registering an action. Finish it first, or stop it "
                      "with /cancel, then send your command again."),
    "burglary": N_("You are still registering a burglary. Finish it first, or stop it with "
                   "/cancel, then send your command again."),
    "field_log": N_("You are still writing a field log. Save it first, or stop it with "
                    "/cancel, then send your command again."),
    "new_project": N_("You are still creating a project. Finish it first, or stop it with "
                      "/cancel, then send your command again."),
}
BUSY_ANY = N_("You are still in the middle of a dialogue. Finish it first, or stop it with "
              "/cancel, then send your command again.")


def open_dialogue(update: Update, context: WijkContext) -> str | None:
    """The name of the dialogue this person has open in this chat, if any.

    PTB keeps each ConversationHandler's states to itself (``_conversations``, keyed like
    ``_get_key``); there is no public way to ask, and two dialogues open at once would
    take each other's answers (the first registered gets every text)."""
    for group in context.application.handlers.values():
        for handler in group:
            if isinstance(handler, ConversationHandler):
                try:
                    key = handler._get_key(update)
                except RuntimeError:  # an update without chat or user
                    continue
                if key in handler._conversations:
                    return handler.name
    return None


def one_at_a_time(entry: Callable[[Update, WijkContext], Coroutine[Any, Any, object]]
                  ) -> Callable[[Update, WijkContext], Coroutine[Any, Any, object]]:
    """A dialogue's entry point that refuses while any dialogue (this one too) is open:
    the command is answered with which one and how to end it, and the open one goes on
    untouched — nothing typed so far is lost. (Registered with ``allow_reentry`` so that
    the dialogue's own command reaches it too instead of "unknown command".)"""

    @functools.wraps(entry)
    async def wrapper(update: Update, context: WijkContext) -> object:
        busy = open_dialogue(update, context)
        if busy is not None:
            await tell(update, _(BUSY.get(busy, BUSY_ANY)))
            return None  # the open dialogue keeps its state
        return await entry(update, context)

    return wrapper


async def dialogue_ended(update: Update, context: WijkContext) -> None:
    """A dialogue's button pressed when that dialogue is not open for the presser: it timed
    out, the bot restarted, or it is someone else's (in a group). Said as an alert, and the
    buttons stay: they may be another person's live question."""
    if update.callback_query:
        await update.callback_query.answer(
            plain_text(_("This dialogue has ended, or it is someone else's. Start your own "
                         "with the command.")), show_alert=True)


async def stale_button(update: Update, context: WijkContext | None = None) -> None:
    """A button press no handler understands: a button of an older version of the bot, or
    callback data a modified client made up. Answered, or the button keeps spinning."""
    if update.callback_query:
        await update.callback_query.answer(
            plain_text(_("This button no longer works. Send the command again for a new "
                         "one.")), show_alert=True)


async def tell(update: Update, text: str) -> None:
    """Report a problem: as an alert on a button press, otherwise as a reply."""
    if update.callback_query:
        try:  # an alert is plain text: no tags, no entities
            await update.callback_query.answer(plain_text(text), show_alert=True)
            return
        except BadRequest:  # already answered earlier in this handler
            pass
    await reply(update, text)


# -- per-update preparation ---------------------------------------------------------------


async def prepare_update(update: object, context: WijkContext) -> None:
    """Runs first for every update: choose the language and the display time zone.

    Private chats speak the user's chosen language (``/language``) or their Telegram language;
    linked groups speak the group's language. Nothing is stored for unknown people.
    """
    settings = context.settings
    set_display_timezone(settings.tz)
    if not isinstance(update, Update):
        set_locale(settings.language)
        return
    user, chat = update.effective_user, update.effective_chat
    language: str | None = None
    repos = context.repos
    if chat is not None and chat.type in GROUP_TYPES:
        link = await repos.chats.active(chat.id)
        language = link.language if link else None
    elif user is not None:
        language = await repos.users.language(user.id)
        await repos.users.refresh_if_known(
            user.id, user.first_name, user.last_name, user.username, user.language_code
        )
    if language is None:
        language = normalize_language(
            user.language_code if user else None, default=settings.language
        )
    set_locale(language)


async def get_access(update: Update, context: WijkContext) -> Access:
    """Who is asking from where; computed once per update and cached on the context."""
    cached = getattr(context, _ACCESS_KEY, None)
    if cached is not None:
        return cached
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    access = await resolve_access(
        context.repos, user_id=user.id if user else None, chat_id=chat.id, chat_type=chat.type
    )
    setattr(context, _ACCESS_KEY, access)
    return access


def forget_access(context: WijkContext) -> None:
    if hasattr(context, _ACCESS_KEY):
        delattr(context, _ACCESS_KEY)


def denial(access: Access, permission: Permission) -> str:
    """Explain, without revealing any data, why a request is refused."""
    if access.chat_kind not in allowed_chats(permission):
        if access.chat_kind is ChatKind.UNLINKED_GROUP:
            return _(
                "This group is not linked to a project, so I cannot help here yet. A project "
                "leader can link it: send me /link in a private chat."
            )
        if access.chat_kind is ChatKind.NEIGHBOURHOOD:
            return _(
                "This is a neighbourhood watch group: I post alerts and prevention advice "
                "here, but cannot answer questions. Partners can ask me in a private chat."
            )
        if ChatKind.PRIVATE in allowed_chats(permission):
            return _("Please use this command in a private chat with me.")
        return _("This command does not work in this chat.")
    if access.member is None and not access.memberships:
        return _(
            "You are not a member of a partnership yet. Ask your project leader for an "
            "invitation link, or start a new partnership with /newproject."
        )
    if access.member is None:
        return _("You are not a member of the project this group belongs to.")
    return _("As {role} you cannot do this. Ask your project leader.").format(
        role=role_label(access.member.role)
    )


def guard(permission: Permission, *, needs_project: bool = True) -> Callable[[GuardedHandler],
                                                                            Handler]:
    """Decorate a handler so it runs only if the asker may use ``permission`` here.

    With ``needs_project``, a person in several projects who has not chosen one in this
    chat is first asked which project; the command then continues with that choice.
    """

    def decorate(func: GuardedHandler) -> Handler:
        @functools.wraps(func)
        async def wrapper(update: Update, context: WijkContext) -> None:
            if await _refused_arguments(update):
                return
            access = await get_access(update, context)
            if needs_project and access.needs_project_choice:
                await ask_project(update, context, access, func, permission)
                return
            if not access.can(permission):
                if update.callback_query:
                    await update.callback_query.answer(denial(access, permission),
                                                       show_alert=True)
                else:
                    await reply(update, denial(access, permission))
                return
            try:
                await func(update, context, access)
            except UserError as err:
                await tell(update, err.render())

        wrapper.__wrapped_permission__ = permission  # type: ignore[attr-defined]
        return wrapper

    return decorate


async def _refused_arguments(update: Update) -> bool:
    """A command that takes nothing, given something (``/status Woonstad``): say so, with
    its usage, rather than answer as if the words were not there."""
    message = update.message
    if update.callback_query is not None or message is None or \
            not (message.text or "").startswith("/"):
        return False
    spec = BY_NAME.get(command_name(update))
    extra = command_text(update)
    if spec is None or spec.usage is not None or not extra:
        return False
    await reply_usage(update, _("{command} takes nothing after it, so “{text}” was not "
                                "understood.").format(command="/" + command_name(update),
                                                      text=esc(extra[:60])))
    return True


async def ask_project(
    update: Update,
    context: WijkContext,
    access: Access,
    func: GuardedHandler,
    permission: Permission,
) -> None:
    """Ask which project this chat is about, and keep the command to resume afterwards."""
    assert context.chat_data is not None
    context.chat_data[PENDING_KEY] = (func, permission, update, list(context.args or []))
    rows = [[(m.project_name, f"{CB.CHOOSE_PROJECT}:{m.project_id}")] for m in access.memberships]
    await reply(update, _("You are in several projects. Which one is this about?"),
                markup=keyboard(rows))


async def _project_chosen(update: Update, context: WijkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and context.chat_data is not None
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    try:
        project_id = int(query.data.split(":", 1)[1])
        member = await context.partnership.choose_project(user.id, chat.id, project_id)
    except (ValueError, IndexError):
        await query.answer()
        return
    except UserError as err:
        await query.answer(err.render(), show_alert=True)
        return
    await query.answer()
    await edit_or_reply(
        update,
        _("Working on <b>{project}</b> as {role}.").format(
            project=esc(member.project_name), role=role_label(member.role)
        ),
    )
    forget_access(context)
    pending = context.chat_data.pop(PENDING_KEY, None)
    if pending is None:
        return
    func, permission, original, args = pending
    if original.effective_user is None or original.effective_user.id != user.id:
        return  # someone else's command in a shared chat: do not run it for them
    context.args = args
    await guard(permission)(func)(original, context)


def register(app: WijkApp) -> None:
    app.add_handler(CallbackQueryHandler(_project_chosen, pattern=rf"^{CB.CHOOSE_PROJECT}:"))
    app.add_handler(CallbackQueryHandler(_turn_page, pattern=rf"^{CB.PAGE}:"))


def schedule_daily(app: WijkApp, callback: Callable[[WijkContext], Coroutine[Any, Any, None]],
                   at: time, name: str, *, catch_up_name: str, catch_up_after: float = 0.0,
                   ) -> None:
    """Run a job every day at ``at`` in the settings' time zone and, unless catch-up is
    off (``bot_data.reminder_catch_up_s`` is None, as in most tests), once shortly after
    start for what fell due while the bot was down; ``catch_up_after`` seconds later than
    the configured delay orders the catch-up runs of several jobs."""
    assert app.job_queue is not None and app.bot_data.settings is not None
    app.job_queue.run_daily(callback, time=at.replace(tzinfo=app.bot_data.settings.tz),
                            name=name)
    delay = app.bot_data.reminder_catch_up_s
    if delay is not None:
        app.job_queue.run_once(callback, when=delay + catch_up_after, name=catch_up_name)
