"""Register the command menus with Telegram (``setMyCommands``) per language and scope."""

from __future__ import annotations

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeDefault,
)

from bot.commands import menu_for
from bot.i18n import _, use_locale
from bot.permissions import ChatKind
from bot.settings import SUPPORTED_LANGUAGES

_SCOPES: tuple[tuple[BotCommandScope, frozenset[ChatKind]], ...] = (
    (BotCommandScopeDefault(), frozenset({ChatKind.PRIVATE})),
    (BotCommandScopeAllPrivateChats(), frozenset({ChatKind.PRIVATE})),
    (BotCommandScopeAllGroupChats(), frozenset({ChatKind.OPERATIONAL, ChatKind.UNLINKED_GROUP})),
)


def menu(language: str, chat_kinds: frozenset[ChatKind]) -> list[BotCommand]:
    with use_locale(language):
        return [
            BotCommand(spec.name_for(language), _(spec.description)[:256])
            for spec in menu_for(chat_kinds)
        ]


async def register_menus(bot: Bot, default_language: str) -> None:
    """One menu per scope for each language, plus the default language without a code
    (what Telegram shows users whose app language has no menu of its own)."""
    for scope, kinds in _SCOPES:
        await bot.set_my_commands(menu(default_language, kinds), scope=scope)
        for language in SUPPORTED_LANGUAGES:
            await bot.set_my_commands(menu(language, kinds), scope=scope,
                                      language_code=language)
