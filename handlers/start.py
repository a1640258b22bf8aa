"""``/start``: explain the bot, or join a partnership through an invitation deep link."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.access import GROUP_TYPES
from bot.commands import CB, Cmd
from bot.context import WijkApp, WijkContext
from bot.errors import UserError
from bot.i18n import _, use_locale
from bot.labels import role_label
from bot.partnership import INVITE_PAYLOAD_PREFIX
from handlers.common import Command, esc, forget_access, get_access, keyboard, person, reply
from storage.models import Member

log = logging.getLogger(__name__)


def intro() -> str:
    return _(
        "Hello! I am <b>wijkbot</b>, the assistant of your local-safety partnership.\n\n"
        "Partners register the actions they agreed and what they yielded, I show what is "
        "still open per partner, prepare the steering information and the agenda of the "
        "fortnightly meeting, and warn neighbourhood watch groups when burglars are active "
        "— without ever sharing personal data."
    )


def resident_note() -> str:
    """For residents who open the bot from their buurtpreventie group: they need no
    account and no project; the invitation and /newproject are not for them."""
    return _("Member of a neighbourhood watch group? Then there is nothing to do here: I "
             "post the alerts and prevention advice in your group.")


async def start(update: Update, context: WijkContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    if chat.type in GROUP_TYPES:
        access = await get_access(update, context)
        if access.link is None:
            await reply(update, intro() + "\n\n" + link_instructions(context))
        else:
            await reply(update, _("I am active in this group. /help shows what you can do."))
        return
    payload = context.args[0] if context.args else ""
    if payload.startswith(INVITE_PAYLOAD_PREFIX):
        await join(update, context, payload[len(INVITE_PAYLOAD_PREFIX):])
        return
    access = await get_access(update, context)
    if access.memberships:
        projects = ", ".join(f"<b>{esc(m.project_name)}</b>" for m in access.memberships)
        await reply(update, _("Welcome back! Your projects: {projects}.\n/help shows what you "
                              "can do.").format(projects=projects))
        return
    await reply(
        update,
        intro() + "\n\n" + _(
            "To join your partnership, open the invitation link your project leader sent "
            "you. Are you the project leader and starting a new partnership? Tap the button "
            "or send /newproject."
        ) + "\n\n" + resident_note(),
        markup=keyboard([[(_("Start a new partnership"), f"{CB.NEW_PROJECT}:start")]]),
    )


def link_instructions(context: WijkContext) -> str:
    return _(
        "To link this group to a project, a project leader sends me /link in a private "
        "chat and then types the code here: <code>/link@{bot} CODE</code>."
    ).format(bot=esc(context.bot.username))


async def join(update: Update, context: WijkContext, code: str) -> None:
    try:
        member = await context.partnership.redeem_invitation(code, person(update))
    except UserError as err:
        await reply(update, err.render())
        return
    forget_access(context)
    await reply(
        update,
        _("Welcome to <b>{project}</b>! You joined as {role} for {partner}.\n"
          "/help shows what you can do.").format(
            project=esc(member.project_name), role=role_label(member.role),
            partner=esc(member.partner_name),
        ),
    )
    await _tell_inviter(context, member)


async def _tell_inviter(context: WijkContext, member: Member) -> None:
    """Let the person who sent the invitation know it was used (in their language)."""
    if member.invited_by is None:
        return
    inviter = await context.repos.users.get(member.invited_by)
    if inviter is None:
        return
    with use_locale(inviter.preferred_language(context.settings.language)):
        text = _("{name} joined {project} as {role} for {partner}.").format(
            name=esc(member.user_name), project=esc(member.project_name),
            role=role_label(member.role), partner=esc(member.partner_name),
        )
    try:
        await context.bot.send_message(inviter.id, text, parse_mode=ParseMode.HTML)
    except TelegramError:  # the inviter may have blocked the bot; joining still succeeded
        log.info("could not notify inviter %s", inviter.id)


def register(app: WijkApp) -> None:
    app.add_handler(Command(Cmd.START, start))
