"""``/newproject``: the guided dialogue (or one line) that creates a partnership, and
``/project``: the overview of the current project and switching between projects."""

from __future__ import annotations

import warnings
from collections import Counter

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.access import Access
from bot.commands import CB, Cmd
from bot.context import WijkApp, WijkContext
from bot.errors import UserError
from bot.i18n import _, format_number, ngettext
from bot.labels import area_kind_label, partner_kind_label, purpose_label, role_label
from bot.permissions import ChatKind, Permission
from handlers.common import (
    ANSWER,
    Command,
    cancel_dialogue,
    command_text,
    denial,
    edit_or_reply,
    esc,
    forget_access,
    get_access,
    guard,
    keyboard,
    one_at_a_time,
    person,
    reply,
    reply_paged,
    reply_usage,
)
from storage.models import AreaKind

# The dialogue is tracked per chat and user, not per message: its steps are typed text as
# well as buttons. PTB warns about exactly this combination; it is intended here.
warnings.filterwarnings("ignore", message=r"If 'per_message=False'", category=PTBUserWarning)

NAME, MUNICIPALITY, CONFIRM = range(3)
_DRAFT = "new_project"
DIALOGUE_TIMEOUT = 15 * 60


def _cancel_row() -> list[tuple[str, str]]:
    return [(_("Cancel"), f"{CB.NEW_PROJECT}:cancel")]


async def _refuse_if_not_allowed(update: Update, context: WijkContext) -> bool:
    access = await get_access(update, context)
    if access.can(Permission.CREATE_PROJECT):
        return False
    text = denial(access, Permission.CREATE_PROJECT)
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await reply(update, text)
    return True


async def new_project(update: Update, context: WijkContext) -> int:
    """Entry: ``/newproject`` (dialogue) or ``/newproject name | municipality``."""
    if await _refuse_if_not_allowed(update, context):
        return ConversationHandler.END
    assert context.user_data is not None
    if update.callback_query:
        await update.callback_query.answer()
    text = command_text(update) if update.message else ""
    if text:
        parts = [p.strip() for p in text.split("|")]
        if len(parts) != 2 or not all(parts):
            await reply_usage(update, _("Give the project name and the municipality, "
                                        "separated by “|”."))
            return ConversationHandler.END
        await _create(update, context, parts[0], parts[1])
        return ConversationHandler.END
    context.user_data[_DRAFT] = {}
    await reply(update, _("Let's set up a new partnership. What is the project called? "
                          "(for example “Veilig Wonen Oost”)"),
                markup=keyboard([_cancel_row()]))
    return NAME


async def got_name(update: Update, context: WijkContext) -> int:
    assert update.message is not None and context.user_data is not None
    name = " ".join((update.message.text or "").split())
    if not name or len(name) > 80 or "|" in name:
        await reply(update, _("Please send a name of 1 to 80 characters (without “|”)."),
                    markup=keyboard([_cancel_row()]))
        return NAME
    context.user_data.setdefault(_DRAFT, {})["name"] = name
    await reply(update, _("Which municipality is it for?"), markup=keyboard([_cancel_row()]))
    return MUNICIPALITY


async def got_municipality(update: Update, context: WijkContext) -> int:
    assert update.message is not None and context.user_data is not None
    municipality = " ".join((update.message.text or "").split())
    if not municipality or len(municipality) > 80 or "|" in municipality:
        await reply(update, _("Please send the municipality's name (1 to 80 characters)."),
                    markup=keyboard([_cancel_row()]))
        return MUNICIPALITY
    draft = context.user_data.setdefault(_DRAFT, {})
    draft["municipality"] = municipality
    await reply(
        update,
        _("<b>New project</b>\nName: {name}\nMunicipality: {municipality}\n\n"
          "You will be its project leader. Create it?").format(
            name=esc(draft.get("name", "")), municipality=esc(municipality)),
        markup=keyboard([
            [(_("Create"), f"{CB.NEW_PROJECT}:ok"), (_("Back"), f"{CB.NEW_PROJECT}:back")],
            _cancel_row(),
        ]),
    )
    return CONFIRM


async def confirm(update: Update, context: WijkContext) -> int:
    query = update.callback_query
    assert query is not None and context.user_data is not None
    await query.answer()
    if query.data == f"{CB.NEW_PROJECT}:back":
        await edit_or_reply(update, _("Which municipality is it for?"),
                            markup=keyboard([_cancel_row()]))
        return MUNICIPALITY
    draft = context.user_data.pop(_DRAFT, {})
    if "name" not in draft or "municipality" not in draft:
        await edit_or_reply(update, _("This dialogue has expired. Start again with "
                                      "/newproject."))
        return ConversationHandler.END
    await query.edit_message_reply_markup(None)
    await _create(update, context, draft["name"], draft["municipality"])
    return ConversationHandler.END


async def _create(update: Update, context: WijkContext, name: str, municipality: str) -> None:
    try:
        member = await context.partnership.create_project(person(update), name, municipality)
    except UserError as err:
        await reply(update, err.render())
        return
    forget_access(context)
    await reply(
        update,
        _("Project <b>{project}</b> created. You are its project leader for {partner}.\n\n"
          "Next steps:\n"
          "• /area — add the neighbourhoods and streets (e.g. <code>/area neighbourhood "
          "Oostbroek | BU99010001 | 1450</code>)\n"
          "• /partner — add the partners (e.g. <code>/partner police Politie basisteam "
          "Oost</code>)\n"
          "• /invite — invite people to join a partner\n"
          "• /link — link the group chat of your operational meeting").format(
            project=esc(member.project_name), partner=esc(member.partner_name)),
    )


async def cancel(update: Update, context: WijkContext) -> int:
    return await cancel_dialogue(update, context, _DRAFT)


async def timed_out(update: Update, context: WijkContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(_DRAFT, None)


# -- /project ---------------------------------------------------------------------------


@guard(Permission.VIEW_PROJECT, needs_project=False)
async def project_command(update: Update, context: WijkContext, access: Access) -> None:
    wanted = command_text(update)
    if wanted and access.chat_kind is ChatKind.PRIVATE:
        matches = [m for m in access.memberships if m.project_name.casefold() == wanted.casefold()]
        if not matches:
            await reply_usage(update, _("You are not a member of a project called “{name}”.")
                              .format(name=esc(wanted)))
            return
        chat = update.effective_chat
        assert chat is not None
        await context.partnership.choose_project(matches[0].user_id, chat.id,
                                                 matches[0].project_id)
        forget_access(context)
        access = await get_access(update, context)
    if access.member is None:
        rows = [[(m.project_name, f"{CB.CHOOSE_PROJECT}:{m.project_id}")]
                for m in access.memberships]
        await reply(update, _("You are in several projects. Which one is this about?"),
                    markup=keyboard(rows))
        return
    await reply_paged(update, context, await overview(context, access))
    switch = _switch_keyboard(access)
    if switch is not None:
        await reply(update, _("Switch project:"), markup=switch)


def _switch_keyboard(access: Access) -> InlineKeyboardMarkup | None:
    if access.chat_kind is not ChatKind.PRIVATE or len(access.memberships) < 2:
        return None
    return keyboard([[(_("Switch to {project}").format(project=m.project_name),
                       f"{CB.CHOOSE_PROJECT}:{m.project_id}")]
                     for m in access.memberships if m.project_id != access.project_id])


async def overview(context: WijkContext, access: Access) -> list[str]:
    assert access.member is not None
    repos = context.repos
    project_id = access.member.project_id
    project = await context.partnership.project(project_id)
    areas = await repos.projects.areas(project_id)
    partners = await repos.projects.partners(project_id)
    members = await repos.members.for_project(project_id)
    chats = await repos.chats.for_project(project_id)
    lines = [
        _("<b>{project}</b> — municipality of {municipality}").format(
            project=esc(project.name), municipality=esc(project.municipality)),
        _("You: {role} for {partner}").format(role=role_label(access.member.role),
                                             partner=esc(access.member.partner_name)),
        "",
    ]
    names = {a.id: a.name for a in areas}
    # Streets can run into the hundreds: count them per parent area instead of listing them,
    # and in the heading apart from the areas that are listed.
    streets = Counter(a.parent_id for a in areas if a.kind is AreaKind.STRAAT)
    listed = format_number(len(areas) - streets.total())
    if streets:
        lines.append(_("<b>Areas</b> ({count}, with {streets})").format(
            count=listed, streets=ngettext("{count} street", "{count} streets", streets.total())
            .format(count=format_number(streets.total()))))
    else:
        lines.append(_("<b>Areas</b> ({count})").format(count=listed))
    for area in areas:
        if area.kind is AreaKind.STRAAT:
            continue
        extra = []
        if area.parent_id:
            extra.append(_("in {area}").format(area=esc(names.get(area.parent_id, "?"))))
        if area.cbs_code:
            extra.append(esc(area.cbs_code))
        if area.homes is not None:
            extra.append(_("{homes} homes").format(homes=format_number(area.homes)))
        if streets[area.id]:
            extra.append(ngettext("{count} street", "{count} streets", streets[area.id])
                         .format(count=format_number(streets[area.id])))
        suffix = f" ({', '.join(extra)})" if extra else ""
        lines.append(f"• {esc(area.name)} — {area_kind_label(area.kind)}{suffix}")
    if streets[None]:
        lines.append("• " + ngettext("{count} street", "{count} streets", streets[None])
                     .format(count=format_number(streets[None])))
    if not areas:
        lines.append(_("none yet — add them with /area"))
    lines += ["", _("<b>Partners</b> ({count})").format(count=format_number(len(partners)))]
    for partner in partners:
        people = [m for m in members if m.partner_id == partner.id]
        names_list = ", ".join(f"{esc(m.user_name)} ({role_label(m.role)})" for m in people)
        count = ngettext("{count} member", "{count} members", len(people)).format(
            count=format_number(len(people)))
        lines.append(f"• {esc(partner.name)} — {partner_kind_label(partner.kind)}, {count}"
                     + (f": {names_list}" if names_list else ""))
    lines += ["", _("<b>Linked groups</b> ({count})").format(count=format_number(len(chats)))]
    for chat in chats:
        area_names = ", ".join(esc(names.get(a, "?")) for a in chat.area_ids)
        lines.append(f"• {esc(chat.title)} — {purpose_label(chat.purpose)}"
                     + (f" ({area_names})" if area_names else ""))
    if not chats:
        lines.append(_("none yet — link one with /link"))
    return lines


def register(app: WijkApp) -> None:
    text = filters.TEXT & ~filters.COMMAND & ANSWER
    app.add_handler(
        ConversationHandler(
            entry_points=[
                Command(Cmd.NEW_PROJECT, one_at_a_time(new_project)),
                CallbackQueryHandler(one_at_a_time(new_project),
                                     pattern=rf"^{CB.NEW_PROJECT}:start$"),
            ],
            states={
                NAME: [MessageHandler(text, got_name)],
                MUNICIPALITY: [MessageHandler(text, got_municipality)],
                CONFIRM: [CallbackQueryHandler(confirm, pattern=rf"^{CB.NEW_PROJECT}:(ok|back)$")],
                ConversationHandler.TIMEOUT: [MessageHandler(filters.ALL, timed_out)],
            },
            fallbacks=[
                Command(Cmd.CANCEL, cancel),
                CallbackQueryHandler(cancel, pattern=rf"^{CB.NEW_PROJECT}:cancel$"),
            ],
            conversation_timeout=DIALOGUE_TIMEOUT,
            allow_reentry=True,  # so that one_at_a_time answers the command again
            name="new_project",
        )
    )
    app.add_handler(Command(Cmd.PROJECT, project_command))
