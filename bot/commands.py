"""Command names, callback-data prefixes and the command catalogue.

The catalogue drives both ``/help`` (filtered by what the asker may do in that chat) and
the command menus registered with Telegram's ``setMyCommands`` per language and scope.
Every command has a Dutch name and, where it differs, an English alias; both always work.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_
from bot.permissions import ChatKind, Permission, allowed_chats


class Cmd:
    """Command names: Dutch first, English alias second."""

    START = ("start",)
    HELP = ("help", "hulp")
    LANGUAGE = ("taal", "language")
    NEW_PROJECT = ("nieuwproject", "newproject")
    PROJECT = ("project",)
    AREA = ("gebied", "area")
    PARTNER = ("partner",)
    INVITE = ("uitnodigen", "invite")
    LINK = ("koppelen", "link")
    UNLINK = ("ontkoppelen", "unlink")
    CANCEL = ("annuleren", "cancel")


class CB:
    """Callback-data prefixes (callback data is ``<prefix>:<fields…>``, at most 64 bytes)."""

    LANGUAGE = "lang"
    CHOOSE_PROJECT = "prj"
    NEW_PROJECT = "np"
    INVITE = "inv"
    LINK = "lnk"
    PAGE = "pg"


@dataclass(frozen=True, slots=True)
class CommandSpec:
    names: tuple[str, ...]
    permission: Permission
    description: str  # msgid, translated at use
    usage: str | None = None  # msgid with the argument syntax, e.g. "<kind> <name>"

    @property
    def name(self) -> str:
        return self.names[0]

    def name_for(self, language: str) -> str:
        """The command as shown in a language's menu: English alias for English users."""
        return self.names[1] if language == "en" and len(self.names) > 1 else self.names[0]


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(Cmd.START, Permission.HELP, N_("what this bot does; join with an invitation")),
    CommandSpec(Cmd.HELP, Permission.HELP, N_("what you can do here")),
    CommandSpec(Cmd.PROJECT, Permission.VIEW_PROJECT,
                N_("project overview; switch project"), N_("[project name]")),
    CommandSpec(Cmd.NEW_PROJECT, Permission.CREATE_PROJECT, N_("start a new partnership"),
                N_("[name | municipality]")),
    CommandSpec(Cmd.AREA, Permission.MANAGE_AREAS, N_("list or add areas"),
                N_("[<kind> <name> | CBS code | homes | parent area]")),
    CommandSpec(Cmd.PARTNER, Permission.MANAGE_PARTNERS, N_("list or add partners"),
                N_("[<kind> <name>]")),
    CommandSpec(Cmd.INVITE, Permission.INVITE, N_("invite someone to join a partner"),
                N_("[<partner> | <role> | multi | <days>]")),
    CommandSpec(Cmd.LINK, Permission.LINK_GROUP, N_("link a group chat to the project"),
                N_("[operational | neighbourhoodwatch <area>, …] or, in the group, <code>")),
    CommandSpec(Cmd.UNLINK, Permission.UNLINK_GROUP, N_("unlink this group from the project")),
    CommandSpec(Cmd.LANGUAGE, Permission.SET_LANGUAGE, N_("switch language (Nederlands/English)"),
                N_("[nl|en]")),
)

BY_NAME: dict[str, CommandSpec] = {name: spec for spec in COMMANDS for name in spec.names}


def menu_for(chat_kinds: frozenset[ChatKind]) -> list[CommandSpec]:
    """Commands that apply in any of these chat kinds (for a ``setMyCommands`` scope)."""
    return [
        spec for spec in COMMANDS
        if allowed_chats(spec.permission) & chat_kinds
        # /language also works in linked groups (to set the group's language) for leaders
        or (spec.names == Cmd.LANGUAGE and ChatKind.OPERATIONAL in chat_kinds)
    ]
