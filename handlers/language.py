"""``/language`` (``/language``): switch between Dutch and English.

In a private chat it sets the person's own language; in a linked group a project leader
sets the language the bot uses in that group.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.access import GROUP_TYPES
from bot.commands import CB, Cmd
from bot.context import WijkApp, WijkContext
from bot.i18n import _, set_locale
from bot.permissions import Permission
from bot.settings import SUPPORTED_LANGUAGES
from handlers.common import (
    Command,
    denial,
    edit_or_reply,
    get_access,
    keyboard,
    person,
    reply,
    usage,
)

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def _choices() -> list[list[tuple[str, str]]]:
    return [[(LANGUAGE_NAMES[code], f"{CB.LANGUAGE}:{code}") for code in SUPPORTED_LANGUAGES]]


async def _apply(update: Update, context: WijkContext, language: str) -> bool:
    """Store the choice for this person or group; False (with a reply) when not allowed."""
    chat = update.effective_chat
    assert chat is not None
    if chat.type in GROUP_TYPES:
        access = await get_access(update, context)
        if not access.can(Permission.SET_GROUP_LANGUAGE):
            text = denial(access, Permission.SET_GROUP_LANGUAGE)
            if update.callback_query:
                await update.callback_query.answer(text, show_alert=True)
            else:
                await reply(update, text)
            return False
        await context.repos.chats.set_language(chat.id, language)
    else:
        who = person(update)
        await context.repos.users.upsert(who.id, who.first_name, who.last_name, who.username,
                                         who.language_code)
        await context.repos.users.set_language(who.id, language)
    set_locale(language)
    return True


async def language_command(update: Update, context: WijkContext) -> None:
    args = [a.lower() for a in context.args or []]
    if not args:
        await reply(update, _("Choose your language:"), markup=keyboard(_choices()))
        return
    if len(args) != 1 or args[0] not in SUPPORTED_LANGUAGES:
        await reply(update, _("Unknown language.") + "\n" + usage("taal"))
        return
    if await _apply(update, context, args[0]):
        await reply(update, _("From now on I speak English with you."))


async def language_chosen(update: Update, context: WijkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    language = query.data.split(":", 1)[1]
    if language not in SUPPORTED_LANGUAGES:
        await query.answer()
        return
    if await _apply(update, context, language):
        await query.answer()
        await edit_or_reply(update, _("From now on I speak English with you."))


def register(app: WijkApp) -> None:
    app.add_handler(Command(Cmd.LANGUAGE, language_command))
    app.add_handler(CallbackQueryHandler(language_chosen, pattern=rf"^{CB.LANGUAGE}:"))
