"""``/importen``: the project's import log, and removing a wrong file as a whole.

A police export sent to the wrong project, or the wrong export, is confidential data where it
does not belong and skews every chart and alert. The analyst or project leader who may import
may also remove an import: the list shows the latest imports (``/importen 3``: an older one)
with a 🗑 button each; the button asks once more, then every incident that import added is
deleted in one transaction (rows that were already known when it came belong to the import
that added them and stay). A CBS table's monthly counts go the same way; where an earlier
table had a count of the same neighbourhood and month, that one counts again.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.access import Access
from bot.commands import CB, Cmd
from bot.context import WijkApp, WijkContext
from bot.errors import UserError
from bot.i18n import N_, _, format_date_range, format_datetime, format_number, ngettext
from bot.incidents import ImportEntry, RemovedImport
from bot.permissions import Permission
from bot.posts import keyboard
from handlers.common import Command, command_text, edit_or_reply, esc, guard, reply, reply_usage

#: Longest file name on a button; the list shows it whole.
BUTTON_NAME = 28


def _counted(text: str, n: int, **params: object) -> str:
    """``text`` (an ``ngettext`` result for ``n``) with its count and other fields filled."""
    return text.format(count=format_number(n), **params)


def entry_lines(entry: ImportEntry) -> list[str]:
    """Two lines per import: what, when and by whom; then what it did and what is left."""
    head = f"<b>#{entry.id}</b> · {esc(entry.filename)} · {format_datetime(entry.at, 'short')}"
    if entry.by:
        head += f" · {esc(entry.by)}"
    if entry.kind == "monthly":
        body = _counted(ngettext("CBS monthly counts: {count} neighbourhood-month",
                                 "CBS monthly counts: {count} neighbourhood-months",
                                 entry.imported), entry.imported)
    else:
        parts = [_counted(ngettext("{count} burglary imported", "{count} burglaries imported",
                                   entry.imported), entry.imported)]
        if entry.duplicates:
            parts.append(_counted(ngettext("{count} duplicate skipped",
                                           "{count} duplicates skipped", entry.duplicates),
                                  entry.duplicates))
        if entry.replaced:
            parts.append(_counted(ngettext("{count} registration replaced",
                                           "{count} registrations replaced", entry.replaced),
                                  entry.replaced))
        if entry.corrected:
            parts.append(_counted(ngettext("{count} burglary corrected",
                                           "{count} burglaries corrected", entry.corrected),
                                  entry.corrected))
        if entry.rejected:
            parts.append(_counted(ngettext("{count} row rejected", "{count} rows rejected",
                                           entry.rejected), entry.rejected))
        body = ", ".join(parts)
    if entry.removed_at is not None:
        gone = entry.removed or 0
        if entry.kind == "monthly":
            what = ngettext("removed {when}: {count} monthly count no longer used",
                            "removed {when}: {count} monthly counts no longer used", gone)
        else:
            what = ngettext("removed {when}: {count} burglary deleted",
                            "removed {when}: {count} burglaries deleted", gone)
        removed = _counted(what, gone, when=format_datetime(entry.removed_at, "short"))
        if entry.removed_by:
            removed += " " + _("(by {name})").format(name=esc(entry.removed_by))
        body = f"<s>{body}</s>\n🗑 {removed}"
    elif entry.present != entry.imported:
        body += " · " + _counted(ngettext("{count} of them in the data now",
                                          "{count} of them in the data now", entry.present),
                                 entry.present)
    if entry.first is not None and entry.last is not None:  # none left once removed
        # What the file covers is what tells two exports apart.
        body += " · " + format_date_range(entry.first, entry.last)
    return [head, body]


def imports_text(project: str, entries: list[ImportEntry], *,
                 how_to_remove: str | None = None, total: int | None = None,
                 how_to_see_more: str | None = None) -> str:
    """The import log as Telegram HTML; ``how_to_remove`` replaces the line about the 🗑
    buttons (the command line has none); ``total``: how many imports the project has, when
    ``entries`` are the latest of them (then a line says how to see an older one — in the
    chat, or as ``how_to_see_more`` says)."""
    if not entries:
        empty = _("No files have been imported into {project} yet.").format(
            project=esc(project))
        if how_to_remove is None:
            empty += " " + _("Send a police export (CSV or XLSX) to me here to import it.")
        return empty
    lines = [_("📥 <b>Imports of {project}</b> (latest first)").format(project=esc(project)), ""]
    for entry in entries:
        lines += entry_lines(entry)
    if total is not None and total > len(entries) and how_to_see_more is not None:
        lines += ["", how_to_see_more]
    elif total is not None and total > len(entries):
        lines += ["", _counted(ngettext(
            "The latest {shown} of {count} import are listed; /imports with a number (e.g. "
            "/imports {number}) shows an older one.",
            "The latest {shown} of {count} imports are listed; /imports with a number (e.g. "
            "/imports {number}) shows an older one.", total), total,
            shown=format_number(len(entries)), number=min(e.id for e in entries) - 1)]
    if any(e.removable for e in entries):
        lines += ["", how_to_remove or _(
            "🗑 removes an import as a whole: the wrong file, or one meant for another "
            "project. You are asked once more first.")]
    return "\n".join(lines)


def _short(name: str) -> str:
    return name if len(name) <= BUTTON_NAME else name[:BUTTON_NAME - 1] + "…"


def _list_markup(project_id: int, entries: list[ImportEntry]) -> InlineKeyboardMarkup | None:
    rows = [[(f"🗑 #{e.id} {_short(e.filename)}", f"{CB.IMPORTS}:rm:{project_id}:{e.id}")]
            for e in entries if e.removable]
    return keyboard(rows) if rows else None


async def _show_list(update: Update, context: WijkContext, access: Access, project_id: int,
                     *, edit: bool, only: int | None = None) -> None:
    """The latest imports, or import ``only``."""
    assert access.user_id is not None
    entries = await context.incidents.imports(project_id, user_id=access.user_id,
                                              chat=access.chat_kind, only=only)
    if only is not None and not entries:
        raise UserError(N_("There is no import #{number} in this project."), number=only)
    project = await context.partnership.project(project_id)
    total = None if only is not None else await context.repos.incidents.import_count(project_id)
    text = imports_text(project.name, entries, total=total)
    markup = _list_markup(project_id, entries)
    if edit:
        await edit_or_reply(update, text, markup=markup)
    else:
        await reply(update, text, markup=markup)


@guard(Permission.IMPORT_INCIDENTS)
async def imports_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None
    text = command_text(update).strip()
    number = re.fullmatch(r"#?\s*(\d{1,9})", text)
    if text and number is None:
        await reply_usage(update, _("Give the number of an import, e.g. “#3”."))
        return
    await _show_list(update, context, access, access.project_id, edit=False,
                     only=int(number.group(1)) if number else None)


def removed_text(done: RemovedImport) -> str:
    if done.kind == "monthly":
        lines = ["🗑 " + _counted(ngettext(
            "Import #{number} ({filename}) removed: {count} monthly count no longer counts.",
            "Import #{number} ({filename}) removed: {count} monthly counts no longer count.",
            done.removed), done.removed, number=done.id, filename=esc(done.filename))]
        if done.restored:
            lines.append(_counted(ngettext(
                "For {count} neighbourhood-month the count of an earlier file is in use "
                "again.",
                "For {count} neighbourhood-months the counts of an earlier file are in use "
                "again.", done.restored), done.restored))
        return "\n".join(lines)
    lines = [
        "🗑 " + _counted(ngettext(
            "Import #{number} ({filename}) removed: {count} burglary deleted.",
            "Import #{number} ({filename}) removed: {count} burglaries deleted.", done.removed),
            done.removed, number=done.id, filename=esc(done.filename)),
        _counted(ngettext("The project now has {count} registered burglary.",
                          "The project now has {count} registered burglaries.", done.total),
                 done.total),
    ]
    if done.restored:
        lines.append(_counted(ngettext(
            "{count} burglary registered with /burglary that this file had replaced is back "
            "as it was registered.",
            "{count} burglaries registered with /burglary that this file had replaced are "
            "back as they were registered.", done.restored), done.restored))
    if done.undone:
        lines.append(_counted(ngettext(
            "{count} burglary that this file had corrected has its earlier details back.",
            "{count} burglaries that this file had corrected have their earlier details back.",
            done.undone), done.undone))
    if done.later_overlaps:
        lines.append("⚠️ " + _counted(ngettext(
            "{count} later import held rows that were known already (skipped as duplicates "
            "or taken as corrections); any of them that were rows of this file are gone now "
            "too. Import that file again to bring them back.",
            "{count} later imports held rows that were known already (skipped as duplicates "
            "or taken as corrections); any of them that were rows of this file are gone now "
            "too. Import those files again to bring them back.",
            done.later_overlaps), done.later_overlaps))
    return "\n".join(lines)


# Buttons carry their project (the chat's current project may have changed since); the
# service checks IMPORT_INCIDENTS on that project.
@guard(Permission.HELP, needs_project=False)
async def import_button(update: Update, context: WijkContext, access: Access) -> None:
    """``imp:rm:<project>:<import>`` asks, ``imp:ok:…`` removes, ``imp:ls:<project>`` lists."""
    query = update.callback_query
    assert query is not None and query.data is not None and access.user_id is not None
    try:
        _prefix, step, *numbers = query.data.split(":")
        project_id, *rest = (int(n) for n in numbers)
    except ValueError:
        await query.answer()
        return
    if step == "ls" or not rest:
        await query.answer()
        await _show_list(update, context, access, project_id, edit=True)
        return
    import_id = rest[0]
    if step == "rm":
        entries = await context.incidents.imports(project_id, user_id=access.user_id,
                                                  chat=access.chat_kind, only=import_id)
        entry = next((e for e in entries if e.removable), None)
        await query.answer()
        if entry is None:  # removed meanwhile (another tap, another analyst): the list now
            await _show_list(update, context, access, project_id, edit=True)
            return
        question = "\n".join([
            _("Remove import #{number}?").format(number=entry.id),
            *entry_lines(entry), "",
            *([_counted(ngettext(
                "Its {count} monthly count no longer counts in the trend; where an earlier "
                "file had a count of the same neighbourhood and month, that one counts "
                "again. The import log keeps a note.",
                "Its {count} monthly counts no longer count in the trend; where an earlier "
                "file had a count of the same neighbourhood and month, that one counts "
                "again. The import log keeps a note.", entry.present), entry.present)]
              if entry.kind == "monthly" else []),
            *([_counted(ngettext(
                "Its {count} burglary is deleted: charts, forecasts, key points and alerts no "
                "longer count it. The import log keeps a note, and the file can be imported "
                "again later.",
                "Its {count} burglaries are deleted: charts, forecasts, key points and alerts "
                "no longer count them. The import log keeps a note, and the file can be "
                "imported again later.", entry.present), entry.present)]
              if entry.present and entry.kind == "incidents" else []),
            *([_counted(ngettext(
                "{count} burglary imported before that this file corrected gets its earlier "
                "details back.",
                "{count} burglaries imported before that this file corrected get their "
                "earlier details back.", entry.corrections), entry.corrections)]
              if entry.corrections else []),
            *([_counted(ngettext(
                "{count} of them had replaced a burglary registered with /burglary; that "
                "registration comes back as it was.",
                "{count} of them had replaced burglaries registered with /burglary; those "
                "registrations come back as they were.", entry.replaced), entry.replaced)]
              if entry.replaced else [])])
        await edit_or_reply(update, question, markup=keyboard([
            [(_("🗑 Yes, remove #{number}").format(number=entry.id),
              f"{CB.IMPORTS}:ok:{project_id}:{entry.id}")],
            [(_("✖️ No, keep it"), f"{CB.IMPORTS}:ls:{project_id}")]]))
        return
    if step == "ok":
        done = await context.incidents.remove_import(project_id, import_id,
                                                     user_id=access.user_id,
                                                     chat=access.chat_kind)
        await query.answer()
        await edit_or_reply(update, removed_text(done))
        return
    await query.answer()


def register(app: WijkApp) -> None:
    app.add_handler(Command(Cmd.IMPORTS, imports_command))
    app.add_handler(CallbackQueryHandler(import_button, pattern=rf"^{CB.IMPORTS}:"))
