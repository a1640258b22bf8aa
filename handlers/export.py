"""``/export``: the action framework as an Excel workbook (appendix-4 layout) and as CSV,
sent as documents in a private chat, headers in the user's language."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update

from bot.access import Access
from bot.commands import Cmd
from bot.context import WijkApp, WijkContext
from bot.export import actions_csv, actions_workbook, export_filename
from bot.i18n import _, format_number, get_locale, ngettext
from bot.permissions import Permission
from handlers.common import Command, guard, reply


@guard(Permission.EXPORT_ACTIONS)
async def export_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and update.effective_chat is not None
    project = await context.partnership.project(access.project_id)
    rows = await context.actions.export_rows(access.project_id)
    language, now = get_locale(), context.clock.now()
    # Building a workbook is CPU work: keep it off the event loop.
    workbook, table = await asyncio.gather(
        asyncio.to_thread(actions_workbook, rows, project=project.name,
                          municipality=project.municipality, language=language,
                          generated_at=now),
        asyncio.to_thread(actions_csv, rows, language=language),
    )
    caption = ngettext("{count} row (action × partner)", "{count} rows (action × partner)",
                       len(rows)).format(count=format_number(len(rows)))
    chat = update.effective_chat
    await chat.send_document(
        InputFile(workbook, filename=export_filename(project.name, now, "xlsx",
                                                     language=language)),
        caption=caption)
    await chat.send_document(
        InputFile(table, filename=export_filename(project.name, now, "csv", language=language)),
        caption=_("The same table as CSV."))
    if not rows:
        await reply(update, _("The action framework is still empty. Register actions with "
                              "/action."))


def register(app: WijkApp) -> None:
    # Building and sending two files: a task of its own, like /sturing (see there).
    app.add_handler(Command(Cmd.EXPORT, export_command, block=False))
