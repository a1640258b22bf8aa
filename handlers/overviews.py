"""What is open, per partner: ``/openstaand``, ``/mijnacties``, ``/status``, ``/zoek``.

Long answers are paged with buttons, never cut off.
"""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.access import Access
from bot.action_text import action_line, open_page_text, status_icon, status_lines
from bot.commands import Cmd
from bot.context import WijkApp, WijkContext
from bot.i18n import _, format_number, ngettext
from bot.permissions import Permission
from handlers.common import (
    Command,
    command_text,
    esc,
    get_access,
    guard,
    pager,
    reply_paged,
    reply_pager,
    reply_usage,
)


@guard(Permission.VIEW_ACTIONS)
async def open_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None
    await reply_pager(update, context, "open", {"project_id": access.project_id,
                                                "partner": command_text(update) or None})


@pager("open")
async def _open_page(update: Update, context: WijkContext, params: dict[str, Any],
                     page: int) -> tuple[str, int]:
    access = await get_access(update, context)
    assert access.user_id is not None
    result = await context.actions.open_page(access.user_id, params["project_id"],
                                             access.chat_kind, partner_text=params["partner"],
                                             page=page)
    return open_page_text(result), result.pages


@guard(Permission.VIEW_ACTIONS)
async def mine_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    member, actions = await context.actions.mine(access.user_id, access.project_id,
                                                 access.chat_kind)
    today = context.actions.today()
    open_ones = [a for a in actions if a.status_of(member.partner_id) == "open"]
    closed = [a for a in actions if a.status_of(member.partner_id) != "open"]
    lines = [_("<b>Actions of {partner}</b>").format(partner=esc(member.partner_name))]
    if open_ones:
        lines.append(ngettext("{count} open:", "{count} open:", len(open_ones)).format(
            count=format_number(len(open_ones))))
        lines += [action_line(a, today) for a in open_ones]
    elif actions:
        lines.append(_("Nothing open."))
    if closed:
        # All of them: reply_paged pages a long history instead of cutting it off.
        lines += ["", _("Done, not done or cancelled:")]
        # Finished for this partner: never "overdue", even while another partner is still
        # busy with it; the mark says how it ended for them.
        lines += [f"{status_icon(a.status_of(member.partner_id))} "
                  + action_line(a, today, overdue=0) for a in closed]
    if not actions:
        lines.append(_("None yet. Register one with /action."))
    await reply_paged(update, context, lines)


@guard(Permission.VIEW_STATUS)
async def status_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    report = await context.actions.status(access.user_id, access.project_id, access.chat_kind)
    project = await context.partnership.project(access.project_id)
    await reply_paged(update, context, status_lines(report, project.name))


@guard(Permission.VIEW_ACTIONS)
async def search_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    text = command_text(update)
    if not text:
        await reply_usage(update)
        return
    found = await context.actions.search(access.user_id, access.project_id, text,
                                         access.chat_kind)
    today = context.actions.today()
    lines = [ngettext("{count} action found for “{text}”:", "{count} actions found for "
                      "“{text}”:", len(found)).format(count=format_number(len(found)),
                                                      text=esc(text))]
    lines += [action_line(a, today) for a in found]
    await reply_paged(update, context, lines)


def register(app: WijkApp) -> None:
    app.add_handler(Command(Cmd.OPEN, open_command))
    app.add_handler(Command(Cmd.MINE, mine_command))
    app.add_handler(Command(Cmd.STATUS, status_command))
    app.add_handler(Command(Cmd.SEARCH, search_command))
