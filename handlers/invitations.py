"""``/invite`` (``/invite``): a deep link that joins someone to a partner with a role.

With buttons: partner → role → validity. Or in one line:
``/invite politie | wijkagent [| meermalig] [| 14]``. The buttons carry all choices in
their callback data, so the flow survives a restart of the bot.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler
from telegram.helpers import create_deep_linked_url

from bot.access import Access
from bot.commands import CB, Cmd
from bot.context import WijkApp, WijkContext
from bot.errors import UserError
from bot.i18n import N_, _, format_date
from bot.labels import ROLE_WORDS, role_label, typed_words, word_key
from bot.partnership import INVITE_DEFAULT_DAYS, INVITE_PAYLOAD_PREFIX
from bot.permissions import Permission
from handlers.common import (
    Command,
    command_text,
    edit_or_reply,
    esc,
    guard,
    keyboard,
    reply,
    reply_usage,
)
from storage.models import Invitation, Role

# validity key -> (single use, days)
VALIDITY = {"1": (True, INVITE_DEFAULT_DAYS), "m7": (False, 7), "m30": (False, 30)}
VALIDITY_LABELS = {
    "1": N_("One person, valid 7 days"),
    "m7": N_("Several people, valid 7 days"),
    "m30": N_("Several people, valid 30 days"),
}
MULTI_WORDS = {"meermalig", "multi", "multiple", "several", "meerdere"}
SINGLE_WORDS = {"eenmalig", "single", "once"}


def invitation_text(context: WijkContext, invitation: Invitation, partner: str) -> str:
    url = create_deep_linked_url(context.bot.username, INVITE_PAYLOAD_PREFIX + invitation.code)
    who = (_("one person") if invitation.single_use
           else _("several people (e.g. a whole team)"))
    return _(
        "Invitation for <b>{partner}</b> as {role}, for {who}, valid until {date}.\n"
        "Send this link to the person who should join:\n{url}"
    ).format(partner=esc(partner), role=role_label(invitation.role), who=who,
             date=format_date(invitation.expires_at, "long"), url=esc(url))


@guard(Permission.INVITE)
async def invite_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    text = command_text(update)
    if not text:
        partners = await context.repos.projects.partners(access.project_id)
        rows = [[(p.name, f"{CB.INVITE}:{access.project_id}:{p.id}")] for p in partners]
        await reply(update, _("Invite someone for which partner?"), markup=keyboard(rows))
        return
    parts = [p.strip() for p in text.split("|")]
    if len(parts) < 2:
        await reply_usage(update, _("Give the partner and the role, separated by “|”."))
        return
    partner = await context.partnership.find_partner(access.project_id, parts[0])
    role = ROLE_WORDS.get(word_key(parts[1]))
    if role is None:
        await reply_usage(update, _("Unknown role “{role}”. Roles: {roles}.").format(
            role=esc(parts[1]), roles=", ".join(typed_words(Role))))
        return
    single_use, days = True, INVITE_DEFAULT_DAYS
    for option in parts[2:]:
        word = option.lower().removesuffix("d").removesuffix(" dagen").removesuffix(" days")
        if option.lower() in MULTI_WORDS:
            single_use = False
        elif option.lower() in SINGLE_WORDS:
            single_use = True
        elif word.strip().isdigit():
            days = int(word.strip())
        else:
            await reply_usage(update, _("I do not understand “{text}”.").format(text=esc(option)))
            return
    invitation = await context.partnership.create_invitation(
        access.user_id, access.project_id, partner.id, role, single_use=single_use, days=days
    )
    await reply(update, invitation_text(context, invitation, partner.name))


@guard(Permission.INVITE, needs_project=False)
async def invite_step(update: Update, context: WijkContext, access: Access) -> None:
    """Buttons: ``inv:<project>:<partner>[:<role>[:<validity>]]``."""
    query = update.callback_query
    assert query is not None and query.data is not None and access.user_id is not None
    fields = query.data.split(":")[1:]
    try:
        project_id, partner_id = int(fields[0]), int(fields[1])
        role = Role(fields[2]) if len(fields) > 2 else None
        validity = fields[3] if len(fields) > 3 else None
    except (IndexError, ValueError):
        await query.answer()
        return
    partner = await context.repos.projects.partner(partner_id)
    if partner is None or partner.project_id != project_id:
        raise UserError(N_("Unknown partner."))
    prefix = f"{CB.INVITE}:{project_id}:{partner_id}"
    await query.answer()
    if role is None:
        rows = [[(role_label(r), f"{prefix}:{r.value}")] for r in Role]
        await edit_or_reply(update, _("{partner}: which role?").format(partner=esc(partner.name)),
                            markup=keyboard(rows))
        return
    if validity not in VALIDITY:
        rows = [[(_(label), f"{prefix}:{role.value}:{key}")]
                for key, label in VALIDITY_LABELS.items()]
        await edit_or_reply(update, _("{partner}, {role}: who may use the link?").format(
            partner=esc(partner.name), role=role_label(role)), markup=keyboard(rows))
        return
    single_use, days = VALIDITY[validity]
    invitation = await context.partnership.create_invitation(
        access.user_id, project_id, partner_id, role, single_use=single_use, days=days
    )
    await edit_or_reply(update, invitation_text(context, invitation, partner.name))


def register(app: WijkApp) -> None:
    app.add_handler(Command(Cmd.INVITE, invite_command))
    app.add_handler(CallbackQueryHandler(invite_step, pattern=rf"^{CB.INVITE}:"))


