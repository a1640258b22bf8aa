"""Linking group chats to a project, and following the bot's membership of groups.

A group is linked only when a project leader types a one-time code in it. The code is
requested in a private chat with ``/link`` (operational meeting, or neighbourhood watch
for chosen areas). When the bot is added to an unknown group it explains this and stores
nothing; when it is removed, or the group is gone, the link ends.
"""

from __future__ import annotations

import logging

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import CallbackQueryHandler, ChatMemberHandler, MessageHandler
from telegram.ext import filters as f

from bot.access import GROUP_TYPES, Access
from bot.commands import CB, Cmd
from bot.context import WijkApp, WijkContext
from bot.errors import UserError
from bot.i18n import _, get_locale, normalize_language, use_locale
from bot.labels import PURPOSE_WORDS, purpose_label, word_key
from bot.partnership import LINK_CODE_HOURS
from bot.permissions import Permission
from bot.services import unknown_area
from handlers.common import (
    Command,
    command_text,
    edit_or_reply,
    esc,
    get_access,
    guard,
    keyboard,
    person,
    reply,
    reply_usage,
)
from handlers.start import intro, link_instructions
from storage.models import AreaKind, ChatPurpose

log = logging.getLogger(__name__)
_SELECTION = "link_area_selection"
# Area buttons in the neighbourhood watch picker (Telegram allows 100 buttons at most).
MAX_AREA_BUTTONS = 60
_PURPOSE_KEYS = {"op": ChatPurpose.OPERATIONAL, "bp": ChatPurpose.NEIGHBOURHOOD_WATCH}


def code_text(context: WijkContext, code: str, purpose: ChatPurpose, areas: list[str]) -> str:
    where = f" ({esc(', '.join(areas))})" if areas else ""
    return _(
        "Link code for a group of kind <b>{purpose}</b>{where}:\n\n"
        "<code>/link@{bot} {code}</code>\n\n"
        "Add me to the group and type this line there yourself. The code works once and "
        "expires in {hours} hours."
    ).format(purpose=purpose_label(purpose), where=where, bot=esc(context.bot.username),
             code=code, hours=LINK_CODE_HOURS)


async def link_command(update: Update, context: WijkContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    if chat.type in GROUP_TYPES:
        await link_in_group(update, context)
    else:
        await request_code(update, context)


async def link_in_group(update: Update, context: WijkContext) -> None:
    """``/link CODE`` typed in a group. The service checks the code and the role."""
    chat = update.effective_chat
    assert chat is not None
    code = command_text(update)
    if not code:
        access = await get_access(update, context)
        if access.link is not None:
            await reply(update, _("This group is already linked. Unlink it first with "
                                  "/unlink."))
        else:
            await reply(update, link_instructions(context))
        return
    try:
        linked = await context.partnership.link_group(
            code, chat_id=chat.id, title=chat.title or "", person=person(update),
            language=get_locale(),
        )
    except UserError as err:
        await reply(update, err.render())
        return
    project = await context.partnership.project(linked.project_id)
    if linked.purpose is ChatPurpose.OPERATIONAL:
        text = _("This group is now the <b>operational meeting</b> of {project}. Partners can "
                 "use their commands here; /help shows them.")
    else:
        text = _("This group is now a <b>neighbourhood watch group</b> of {project}. I will "
                 "post alerts and prevention advice here — never personal data.")
    await reply(update, text.format(project=esc(project.name)))
    if linked.purpose is ChatPurpose.NEIGHBOURHOOD_WATCH:
        # A zone of raised risk that is active now reaches the new group at once, not at
        # tomorrow's daily detection (its own task: it may draw maps).
        context.application.create_task(context.alerts.refresh(linked.project_id))


@guard(Permission.LINK_GROUP)
async def request_code(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    text = command_text(update)
    if not text:
        pid = access.project_id
        await reply(update, _("What kind of group do you want to link?"), markup=keyboard([
            [(purpose_label(ChatPurpose.OPERATIONAL), f"{CB.LINK}:{pid}:op")],
            [(purpose_label(ChatPurpose.NEIGHBOURHOOD_WATCH), f"{CB.LINK}:{pid}:bp")],
        ]))
        return
    purpose_word, _sep, rest = text.partition(" ")
    purpose = PURPOSE_WORDS.get(word_key(purpose_word))
    if purpose is None:
        await reply_usage(update, _("Say which kind of group: operational or "
                                    "neighbourhoodwatch."))
        return
    area_ids: list[int] = []
    names: list[str] = []
    for name in (n.strip() for n in rest.replace("|", ",").split(",")):
        if not name:
            continue
        area = await context.repos.projects.area_by_name(access.project_id, name)
        if area is None:
            areas = await context.repos.projects.areas(access.project_id)
            await reply_usage(update, unknown_area(name, areas).render())
            return
        area_ids.append(area.id)
        names.append(area.name)
    code = await context.partnership.create_link_code(
        access.user_id, access.project_id, purpose, tuple(area_ids)
    )
    await reply(update, code_text(context, code, purpose, names))


@guard(Permission.LINK_GROUP, needs_project=False)
async def link_step(update: Update, context: WijkContext, access: Access) -> None:
    """Buttons: ``lnk:<project>:op`` | ``lnk:<project>:bp`` | ``…:t:<area>`` | ``…:done``."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.chat_data is not None
    assert access.user_id is not None
    fields = query.data.split(":")[1:]
    try:
        project_id = int(fields[0])
        step = fields[1]
    except (IndexError, ValueError):
        await query.answer()
        return
    if step == "op":
        code = await context.partnership.create_link_code(
            access.user_id, project_id, ChatPurpose.OPERATIONAL
        )
        await query.answer()
        await edit_or_reply(update, code_text(context, code, ChatPurpose.OPERATIONAL, []))
        return
    areas = await context.repos.projects.areas(project_id)
    selection: set[int] = context.chat_data.setdefault(_SELECTION, set())
    if step == "bp":
        selection.clear()
    elif step == "t" and len(fields) > 2 and fields[2].isdigit():
        selection ^= {int(fields[2])}
    elif step == "done":
        chosen = [a for a in areas if a.id in selection]
        if not chosen:
            await query.answer(_("Tap at least one area first."), show_alert=True)
            return
        code = await context.partnership.create_link_code(
            access.user_id, project_id, ChatPurpose.NEIGHBOURHOOD_WATCH,
            tuple(a.id for a in chosen),
        )
        selection.clear()
        await query.answer()
        await edit_or_reply(update, code_text(context, code, ChatPurpose.NEIGHBOURHOOD_WATCH,
                                              [a.name for a in chosen]))
        return
    if not areas:
        await query.answer()
        await edit_or_reply(update, _("This project has no areas yet. Add them with /area "
                                      "first."))
        return
    await query.answer()
    # Districts and neighbourhoods as buttons, two to a row (a group usually covers a
    # buurt); streets, and whatever does not fit Telegram's 100 buttons, are typed.
    shown = [a for a in areas if a.kind in (AreaKind.WIJK, AreaKind.BUURT)] or areas
    shown = shown[:MAX_AREA_BUTTONS]
    buttons = [(("✅ " if a.id in selection else "▫️ ") + a.name,
                f"{CB.LINK}:{project_id}:t:{a.id}") for a in shown]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(_("Done"), f"{CB.LINK}:{project_id}:done")])
    text = _("Which areas does this neighbourhood watch group cover? Tap to select, then "
             "Done.")
    if len(shown) < len(areas):
        text += "\n" + _("Streets and other areas can be typed, for example: <code>/link "
                         "neighbourhoodwatch {area}</code>").format(
            area=esc(next(a.name for a in areas if a not in shown)))
    await edit_or_reply(update, text, markup=keyboard(rows))


@guard(Permission.UNLINK_GROUP, needs_project=False)
async def unlink_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.user_id is not None
    link = await context.partnership.unlink_group(access.user_id, access.chat_id,
                                                  access.chat_kind)
    project = await context.partnership.project(link.project_id)
    await reply(update, _("This group is no longer linked to {project}.").format(
        project=esc(project.name)))


async def my_membership_changed(update: Update, context: WijkContext) -> None:
    """The bot was added to or removed from a group."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type not in GROUP_TYPES:
        return
    before, after = change.old_chat_member.status, change.new_chat_member.status
    present = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR,
               ChatMemberStatus.RESTRICTED}
    if after in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        by = change.from_user.id if change.from_user else None
        if await context.partnership.chat_gone(change.chat.id, "removed", by):
            log.info("bot removed from linked chat %s; link ended", change.chat.id)
        return
    if after in present and before not in present:
        if await context.repos.chats.active(change.chat.id) is not None:
            return
        # Explain in the language of whoever added the bot; store nothing about the group.
        adder = change.from_user.language_code if change.from_user else None
        with use_locale(normalize_language(adder, default=context.settings.language)):
            text = intro() + "\n\n" + link_instructions(context)
        await context.bot.send_message(change.chat.id, text, parse_mode="HTML")


async def group_migrated(update: Update, context: WijkContext) -> None:
    message = update.effective_message
    if message is not None and message.migrate_to_chat_id:
        await context.partnership.chat_migrated(message.chat.id, message.migrate_to_chat_id)


def register(app: WijkApp) -> None:
    app.add_handler(Command(Cmd.LINK, link_command))
    app.add_handler(CallbackQueryHandler(link_step, pattern=rf"^{CB.LINK}:"))
    app.add_handler(Command(Cmd.UNLINK, unlink_command))
    app.add_handler(ChatMemberHandler(my_membership_changed, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(f.StatusUpdate.MIGRATE, group_migrated))


