"""Reporting on actions: ``/gedaan``, ``/resultaat``, ``/nietgedaan``, ``/vervallen``,
``/uitstellen``, ``/wijzig``, the buttons on every action card, and replies to a card.

Buttons carry the action's version, so a press on an outdated card (someone else changed
the action meanwhile) is refused with the current card instead of overwriting.
"""

from __future__ import annotations

import re

from telegram import ForceReply, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.access import Access
from bot.actions import FIELDS_HINT
from bot.commands import CB, Cmd
from bot.context import WijkApp, WijkContext
from bot.errors import UserError
from bot.i18n import N_, _
from bot.permissions import Permission
from handlers.actions import send_card
from handlers.common import command_text, esc, guard, reply, reply_usage
from storage.actions import Action

_CODE_IN_TEXT = re.compile(r"\bA(\d{1,7})\b")
_PENDING = "pending_replies"   # prompt message id -> (operation, action code)
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


@guard(Permission.UPDATE_ACTION, needs_project=False)
async def card_button(update: Update, context: WijkContext, access: Access) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and access.user_id is not None
    try:
        _prefix, op, action_id, version = query.data.split(":")
        action = await context.repos.actions.get(int(action_id))
        expected = int(version)
    except ValueError:
        await query.answer()
        return
    if action is None:
        raise UserError(N_("This action no longer exists."))
    project_id, code, chat = action.project_id, action.code, access.chat_kind
    try:
        if op == "done":
            action = await context.actions.report(access.user_id, project_id, code, "done",
                                                  None, chat, expected_version=expected)
        elif op == "post":
            action = await context.actions.postpone(access.user_id, project_id, code, chat,
                                                    expected_version=expected)
        elif op in ("res", "nd"):
            # Check the right to change it before asking for text.
            await context.actions.report_allowed(access.user_id, project_id, code, chat)
            await query.answer()
            prompt = (_("Reply to this message with the result for {code} (e.g. “12 locks "
                        "replaced”).") if op == "res"
                      else _("Reply to this message with the reason why {code} was not done."))
            message = await context.bot.send_message(
                query.message.chat.id if query.message else access.chat_id,
                prompt.format(code=code), parse_mode=ParseMode.HTML,
                reply_markup=ForceReply(selective=True))
            _remember_prompt(context, message.message_id, op, code)
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


def _remember_prompt(context: WijkContext, message_id: int, op: str, code: str) -> None:
    assert context.chat_data is not None
    pending: dict[int, tuple[str, str]] = context.chat_data.setdefault(_PENDING, {})
    pending[message_id] = (op, code)
    for old in list(pending)[:-_KEPT_PROMPTS]:
        del pending[old]


@guard(Permission.UPDATE_ACTION)
async def reply_to_bot(update: Update, context: WijkContext, access: Access) -> None:
    """A reply to an action card adds a result; a reply to a prompt does what it asked."""
    message = update.effective_message
    assert message is not None and message.reply_to_message is not None
    assert access.project_id is not None and access.user_id is not None
    assert context.chat_data is not None
    original = message.reply_to_message
    op, code = context.chat_data.get(_PENDING, {}).get(original.message_id, ("res", None))
    if code is None:
        match = _CODE_IN_TEXT.search(original.text or "")
        if match is None:
            await reply(update, _("Reply to an action card (it starts with its number, "
                                  "like A12) to add a result."))
            return
        code = match.group(0)
    text = (message.text or "").strip()
    if op == "nd":
        action = await context.actions.report(access.user_id, access.project_id, code,
                                              "not_done", text, access.chat_kind)
        await _confirm(update, context, action, N_("{code} reported not done."))
    else:
        action = await context.actions.add_result(access.user_id, access.project_id, code,
                                                  text, access.chat_kind)
        await _confirm(update, context, action, N_("Result added to {code}."))
    context.chat_data.get(_PENDING, {}).pop(original.message_id, None)


class _RepliesToBot(filters.MessageFilter):
    """Text replies to one of the bot's own messages."""

    def filter(self, message: Message) -> bool:
        original = message.reply_to_message
        return bool(original is not None and original.from_user is not None
                    and original.from_user.is_bot and message.text
                    and not message.text.startswith("/"))


def register(app: WijkApp) -> None:
    app.add_handler(CommandHandler(Cmd.DONE, done_command))
    app.add_handler(CommandHandler(Cmd.RESULT, result_command))
    app.add_handler(CommandHandler(Cmd.NOT_DONE, not_done_command))
    app.add_handler(CommandHandler(Cmd.VOID, void_command))
    app.add_handler(CommandHandler(Cmd.POSTPONE, postpone_command))
    app.add_handler(CommandHandler(Cmd.EDIT, edit_command))
    app.add_handler(CallbackQueryHandler(card_button, pattern=rf"^{CB.ACTION_CARD}:"))
    app.add_handler(MessageHandler(_RepliesToBot(), reply_to_bot))
