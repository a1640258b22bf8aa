"""``/help``: only what the asker's role may do in this chat, with usage lines."""

from __future__ import annotations

from telegram import Update

from bot.commands import COMMANDS, Cmd
from bot.context import WijkApp, WijkContext
from bot.i18n import _, get_locale
from bot.labels import purpose_label, role_label
from bot.permissions import ChatKind, Permission, can
from handlers.common import Command, esc, get_access, reply
from handlers.start import resident_note
from storage.models import Role


async def help_command(update: Update, context: WijkContext) -> None:
    access = await get_access(update, context)
    language = get_locale()
    lines: list[str] = []
    # In a buurtpreventie group the residents read along: who is the police officer or
    # the chair is not theirs to learn from the bot.
    if access.member is not None and access.chat_kind is not ChatKind.NEIGHBOURHOOD:
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
    role = access.role
    if access.needs_project_choice:
        # Show what the person could do in any of their projects; the command asks which.
        roles: set[Role | None] = {m.role for m in access.memberships}
    else:
        roles = {role}
    section = None
    for spec in COMMANDS:
        permitted = any(can(r, spec.permission, access.chat_kind) for r in roles)
        if spec.names == Cmd.LANGUAGE and access.chat_kind is not ChatKind.PRIVATE:
            permitted = any(can(r, Permission.SET_GROUP_LANGUAGE, access.chat_kind)
                            for r in roles)
        if spec.names == Cmd.LINK and access.chat_kind is ChatKind.UNLINKED_GROUP:
            permitted = True  # typing the code is checked against the code's project
        if not permitted:
            continue
        if spec.section != section:  # a heading above each section's first permitted one
            section = spec.section
            lines += ["", f"<b>{esc(_(section))}</b>"]
        name = spec.name_for(language)
        syntax = f" {esc(_(spec.usage))}" if spec.usage else ""
        lines.append(f"/{name}{syntax} — {esc(_(spec.description))}")
    if access.chat_kind is ChatKind.PRIVATE and access.member is None and not access.memberships:
        lines.append("")
        lines.append(_("To join a partnership, open the invitation link your project leader "
                       "sent you."))
        lines.append(resident_note())
    if access.chat_kind is ChatKind.NEIGHBOURHOOD:
        lines.append("")
        lines.append(_("In this neighbourhood watch group I only post alerts and prevention "
                       "advice."))
    await reply(update, "\n".join(lines))


def register(app: WijkApp) -> None:
    app.add_handler(Command(Cmd.HELP, help_command))
