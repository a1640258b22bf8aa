"""Reporting on actions: ``/gedaan``, ``/resultaat``, ``/nietgedaan``, ``/vervallen``,
``/uitstellen``, ``/wijzig``, the buttons on every action card, and replies to a card.

Buttons carry the action's version, so a press on an outdated card (someone else changed
the action meanwhile) is refused with the current card instead of overwriting.
"""

from __future__ import annotations

import contextlib
import re

from telegram import ForceReply, Message, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from bot.access import Access
from bot.actions import FIELDS_HINT
from bot.commands import CB, Cmd
from bot.context import WijkApp, WijkContext
from bot.errors import UserError
from bot.i18n import N_, _
from bot.permissions import Permission
from handlers.actions import send_card
from handlers.common import Command, command_text, esc, get_access, guard, reply, reply_usage, tell
from storage.actions import Action

_PENDING = "pending_replies"   # prompt message id -> (operation, action id)
# Replies to cards are taken before the dialogues (group 0) see them.
CARD_REPLIES_GROUP = -1
_KEPT_PROMPTS = 50


def _split(update: Update) -> tuple[str, str]:
    code, _sep, rest = command_text(update).partition(" ")
    return code, rest.strip()


async def _confirm(update: Update, context: WijkContext, action: Action, msgid: str) -> None:
    await reply(update, _(msgid).format(code=action.code))
    await send_card(update, context, action)


@guard(Permission.UPDATE_ACTION)
async def done_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    code, note = _split(update)
    if not code:
        await reply_usage(update)
        return
    action = await context.actions.report(access.user_id, access.project_id, code, "done", note,
                                          access.chat_kind)
    await _confirm(update, context, action, N_("{code} reported done. Thank you!"))


@guard(Permission.UPDATE_ACTION)
async def result_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    code, text = _split(update)
    if not code or not text:
        await reply_usage(update, _("Give the action number and the result."))
        return
    action = await context.actions.add_result(access.user_id, access.project_id, code, text,
                                              access.chat_kind)
    await _confirm(update, context, action, N_("Result added to {code}."))


async def _with_reason(update: Update, context: WijkContext, access: Access,
                       status: str, msgid: str) -> None:
    assert access.project_id is not None and access.user_id is not None
    code, reason = _split(update)
    if not code or not reason:
        await reply_usage(update, _("Give the action number and a reason."))
        return
    action = await context.actions.report(access.user_id, access.project_id, code, status,
                                          reason, access.chat_kind)
    await _confirm(update, context, action, msgid)


@guard(Permission.UPDATE_ACTION)
async def not_done_command(update: Update, context: WijkContext, access: Access) -> None:
    await _with_reason(update, context, access, "not_done", N_("{code} reported not done."))


@guard(Permission.UPDATE_ACTION)
async def void_command(update: Update, context: WijkContext, access: Access) -> None:
    await _with_reason(update, context, access, "cancelled", N_("{code} cancelled."))


@guard(Permission.UPDATE_ACTION)
async def postpone_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    code, weeks_text = _split(update)
    if not code:
        await reply_usage(update)
        return
    if weeks_text and not re.fullmatch(r"[-+]?\d+", weeks_text):
        await reply_usage(update, _("“{text}” is not a number of weeks.").format(
            text=esc(weeks_text[:20])))
        return
    weeks = int(weeks_text or 1)
    if not 1 <= weeks <= 26:
        await reply_usage(update, _("Postpone by 1 to 26 weeks."))
        return
    action = await context.actions.postpone(access.user_id, access.project_id, code,
                                            access.chat_kind, weeks=weeks)
    await _confirm(update, context, action, N_("{code} postponed."))


@guard(Permission.UPDATE_ACTION)
async def edit_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    parts = command_text(update).split(maxsplit=2)
    if len(parts) < 3:
        await reply_usage(update, _(FIELDS_HINT))
        return
    action = await context.actions.edit(access.user_id, access.project_id, parts[0], parts[1],
                                        parts[2], access.chat_kind)
    await _confirm(update, context, action, N_("{code} changed."))


# -- card buttons and replies ------------------------------------------------------------


async def card_button(update: Update, context: WijkContext) -> None:
    """A button on a card acts on *that card's* action, whatever project is selected here;
    the service checks the person's rights in the action's own project."""
    query = update.callback_query
    assert query is not None and query.data is not None
    try:
        _prefix, op, action_id, version = query.data.split(":")
        action = await context.repos.actions.get(int(action_id))
        expected = int(version)
    except ValueError:
        await query.answer()
        return
    if action is None:
        await tell(update, _("This action no longer exists."))
        return
    access = await get_access(update, context)
    if access.user_id is None:
        await query.answer()
        return
    user_id, project_id, code, chat = access.user_id, action.project_id, action.code, \
        access.chat_kind
    try:
        if op == "done":
            action = await context.actions.report(user_id, project_id, code, "done",
                                                  None, chat, expected_version=expected)
        elif op == "post":
            action = await context.actions.postpone(user_id, project_id, code, chat,
                                                    expected_version=expected)
        elif op in ("res", "nd"):
            # Check the right to change it before asking for text.
            await context.actions.report_allowed(user_id, project_id, code, chat)
            await query.answer()
            prompt = (_("Reply to this message with the result for {code} (e.g. “12 locks "
                        "replaced”).") if op == "res"
                      else _("Reply to this message with the reason why {code} was not done."))
            message = await context.bot.send_message(
                query.message.chat.id if query.message else access.chat_id,
                prompt.format(code=code), parse_mode=ParseMode.HTML,
                reply_markup=ForceReply(selective=True))
            _remember_prompt(context, message.message_id, op, action.id)
            return
        else:
            await query.answer()
            return
    except UserError as err:
        # Outdated card or no right: explain and show the action as it is now.
        await query.answer(err.render()[:200], show_alert=True)
        current = await context.repos.actions.get(int(action_id))
        if current is not None:
            await send_card(update, context, current, edit=True)
        return
    await query.answer(_("Saved."))
    await send_card(update, context, action, edit=True)


def _remember_prompt(context: WijkContext, message_id: int, op: str, action_id: int) -> None:
    assert context.chat_data is not None
    pending: dict[int, tuple[str, int]] = context.chat_data.setdefault(_PENDING, {})
    pending[message_id] = (op, action_id)
    for old in list(pending)[:-_KEPT_PROMPTS]:
        del pending[old]


def _card_target(message: Message, context: WijkContext) -> tuple[str, int] | None:
    """What a reply is about: (operation, action id) for a reply to one of our prompts or
    to an action card, else ``None``. A card is recognised by its own buttons (which name
    the action), so this survives a restart and never guesses from a code in the text."""
    original = message.reply_to_message
    if original is None or original.from_user is None or \
            original.from_user.id != context.bot.id:
        return None
    assert context.chat_data is not None
    pending = context.chat_data.get(_PENDING, {}).get(original.message_id)
    if pending is not None:
        return pending
    markup = original.reply_markup
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            data = button.callback_data
            if isinstance(data, str) and data.startswith(f"{CB.ACTION_CARD}:"):
                with contextlib.suppress(ValueError):
                    return "res", int(data.split(":")[2])
    return None


async def reply_to_card(update: Update, context: WijkContext) -> None:
    """A reply to an action card adds a result; a reply to a prompt does what it asked.

    Runs before the dialogues (its own handler group): a reply to a card is meant for
    that card even while an /actie form is open. Anything else passes on untouched.
    """
    message = update.effective_message
    if message is None or not message.text or message.text.startswith("/"):
        return
    target = _card_target(message, context)
    if target is None:
        return
    op, action_id = target
    try:
        await _report_reply(update, context, message, op, action_id)
    except UserError as err:
        await tell(update, err.render())
    raise ApplicationHandlerStop


async def _report_reply(update: Update, context: WijkContext, message: Message, op: str,
                        action_id: int) -> None:
    assert context.chat_data is not None and message.reply_to_message is not None
    access = await get_access(update, context)
    action = await context.repos.actions.get(action_id)
    if action is None:
        raise UserError(N_("This action no longer exists."))
    if access.user_id is None:
        return
    project_id, code, text = action.project_id, action.code, message.text or ""
    if op == "nd":
        action = await context.actions.report(access.user_id, project_id, code, "not_done",
                                              text, access.chat_kind)
        await _confirm(update, context, action, N_("{code} reported not done."))
    else:
        action = await context.actions.add_result(access.user_id, project_id, code, text,
                                                  access.chat_kind)
        await _confirm(update, context, action, N_("Result added to {code}."))
    context.chat_data.get(_PENDING, {}).pop(message.reply_to_message.message_id, None)


async def reply_elsewhere(update: Update, context: WijkContext) -> None:
    """In a private chat, a reply to another of our messages: say how results are added."""
    await reply(update, _("Reply to an action card (it starts with its number, like A12) to "
                          "add a result."))


class _RepliesToMe(filters.MessageFilter):
    """New text replies (not commands) to one of this bot's own messages."""

    def filter(self, message: Message) -> bool:
        original = message.reply_to_message
        return bool(original is not None and original.from_user is not None
                    and original.from_user.id == message.get_bot().id and message.text
                    and not message.text.startswith("/"))


def register(app: WijkApp) -> None:
    app.add_handler(Command(Cmd.DONE, done_command))
    app.add_handler(Command(Cmd.RESULT, result_command))
    app.add_handler(Command(Cmd.NOT_DONE, not_done_command))
    app.add_handler(Command(Cmd.VOID, void_command))
    app.add_handler(Command(Cmd.POSTPONE, postpone_command))
    app.add_handler(Command(Cmd.EDIT, edit_command))
    app.add_handler(CallbackQueryHandler(card_button, pattern=rf"^{CB.ACTION_CARD}:"))
    replies = _RepliesToMe() & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(replies, reply_to_card), group=CARD_REPLIES_GROUP)
    app.add_handler(MessageHandler(replies & filters.ChatType.PRIVATE, reply_elsewhere))
