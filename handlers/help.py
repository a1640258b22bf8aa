"""``/help``: only what the asker's role may do in this chat, with usage lines."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import Forbidden

from bot.access import Access
from bot.commands import COMMANDS, Cmd, CommandSpec
from bot.context import WijkApp, WijkContext
from bot.i18n import _, get_locale, use_locale
from bot.labels import purpose_label, role_label
from bot.permissions import ChatKind, Permission, can
from handlers.common import Command, esc, get_access, reply
from handlers.start import resident_note
from storage.models import Role


def permitted(access: Access, roles: set[Role | None]) -> list[CommandSpec]:
    """The commands any of ``roles`` may use in this chat, in menu order."""
    specs = []
    for spec in COMMANDS:
        allowed = any(can(r, spec.permission, access.chat_kind) for r in roles)
        if spec.names == Cmd.LANGUAGE and access.chat_kind is not ChatKind.PRIVATE:
            allowed = any(can(r, Permission.SET_GROUP_LANGUAGE, access.chat_kind)
                          for r in roles)
        if spec.names == Cmd.LINK and access.chat_kind is ChatKind.UNLINKED_GROUP:
            allowed = True  # typing the code is checked against the code's project
        if allowed:
            specs.append(spec)
    return specs


def command_lines(specs: list[CommandSpec], language: str) -> list[str]:
    """Usage lines of ``specs``, with a heading above each section's first one."""
    lines: list[str] = []
    section = None
    for spec in specs:
        if spec.section != section:
            section = spec.section
            lines += ["", f"<b>{esc(_(section))}</b>"]
        name = spec.name_for(language)
        syntax = f" {esc(_(spec.usage))}" if spec.usage else ""
        lines.append(f"/{name}{syntax} — {esc(_(spec.description))}")
    return lines


async def help_command(update: Update, context: WijkContext) -> None:
    access = await get_access(update, context)
    language = get_locale()
    lines: list[str] = []
    if access.chat_kind is ChatKind.NEIGHBOURHOOD:
        await _watch_group_help(update, context, access, language)
        return
    if access.member is not None:
        lines.append(_("<b>{project}</b> — you are {role} for {partner}.").format(
            project=esc(access.member.project_name), role=role_label(access.member.role),
            partner=esc(access.member.partner_name)))
    elif access.needs_project_choice:
        lines.append(_("You are in several projects; /project chooses which one this chat "
                       "is about."))
    if access.link is not None:
        lines.append(_("This group is linked as: {purpose}.").format(
            purpose=purpose_label(access.link.purpose)))
    lines.append(_("<b>What you can do here</b>"))
    if access.needs_project_choice:
        # Show what the person could do in any of their projects; the command asks which.
        roles: set[Role | None] = {m.role for m in access.memberships}
    else:
        roles = {access.role}
    lines += command_lines(permitted(access, roles), language)
    if access.chat_kind is ChatKind.PRIVATE and access.member is None and not access.memberships:
        lines.append("")
        lines.append(_("To join a partnership, open the invitation link your project leader "
                       "sent you."))
        lines.append(resident_note())
    await reply(update, "\n".join(lines))


async def _watch_group_help(update: Update, context: WijkContext, access: Access,
                            language: str) -> None:
    """In a buurtpreventie group the residents read along: everyone gets the same answer
    there, so it never shows who is the police officer or the chair. A partner who may do
    more in this group (the leader may unlink it) gets that list in a private message."""
    residents = permitted(access, {None})
    lines = [_("<b>What you can do here</b>"), *command_lines(residents, language), "",
             _("In this neighbourhood watch group I only post alerts and prevention advice."),
             _("Partner in the project? Send me /help in a private chat to see your "
               "commands.")]
    await reply(update, "\n".join(lines))
    user = update.effective_user
    if access.member is None or user is None:
        return
    own = permitted(access, {access.role})
    if own == residents:
        return
    # The private message speaks the member's own language, as their private chat does.
    own_language = await context.repos.users.preferred_language(user.id,
                                                                context.settings.language)
    title = update.effective_chat.title if update.effective_chat else None
    with use_locale(own_language):
        text = "\n".join([_("<b>What you can do in {group}</b>").format(
            group=esc(title or "")), *command_lines(own, own_language)])
    # Someone who never started a private chat with the bot keeps the group answer.
    with contextlib.suppress(Forbidden):
        await context.bot.send_message(user.id, text, parse_mode=ParseMode.HTML)


def register(app: WijkApp) -> None:
    app.add_handler(Command(Cmd.HELP, help_command))
