"""``/sturing [gebied] [datum]`` (``/steering``): the steering pack in the chat — the charts
as one media group and the key points as text — of today or, with a date, as it looked
then (what the last meeting saw). Computed off the event loop."""

from __future__ import annotations

import re
from datetime import date

from telegram import Update
from telegram.constants import ChatAction

from bot.access import Access
from bot.commands import Cmd
from bot.context import WijkApp, WijkContext
from bot.fieldlog import area_lines, pack_counts
from bot.goals import GoalService
from bot.i18n import (
    _,
    format_date,
    format_number,
    format_window,
    get_locale,
    ngettext,
)
from bot.periods import date_of
from bot.permissions import Permission
from bot.posts import album_posts, send_posts
from charts.pack import key_points_text
from charts.text import mo_label
from handlers.common import Command, command_text, esc, guard, reply, reply_paged

# A date at the end: 9-11-2026, 9-11-26, 9/11, 9.11 (the latest such day up to today) or
# 2026-11-09.
_DATE = re.compile(r"(?:^|\s)(?:(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2,4}))?"
                   r"|(\d{4})-(\d{1,2})-(\d{1,2}))$")


def split_date(text: str, today: date) -> tuple[str, date | None]:
    """The text without a date at its end, and that date (None: no date given)."""
    match = _DATE.search(text.strip())
    if match is None:
        return text.strip(), None
    day, month, year, iso_year, iso_month, iso_day = match.groups()
    if iso_year:
        year, month, day = iso_year, iso_month, iso_day
    return text.strip()[:match.start()].strip(), date_of(day, month, year, today, past=True)


@guard(Permission.VIEW_STEERING)
async def steering_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and update.effective_chat is not None
    today = context.incidents.today()
    name, day = split_date(command_text(update), today)
    # Found here, so that a typo is answered before "sending photo…" shows.
    area = await context.incidents.area(access.project_id, name) if name else None
    chat = update.effective_chat
    as_of = day or today
    context.incidents.check_pack_day(as_of)  # answered before "sending photo…" too
    await chat.send_action(ChatAction.UPLOAD_PHOTO)
    frame = await context.incidents.frame(access.project_id)  # read once: pack and goals
    pack = await context.incidents.steering(access.project_id, as_of, language=get_locale(),
                                            area=area, frame=frame)
    await send_posts(context.bot, chat.id, album_posts(pack.figures))
    project = await context.partnership.project(access.project_id)
    title = _("<b>Steering information {project}</b>{area}, {date}").format(
        project=esc(project.name), area=f" — {esc(area.name)}" if area else "",
        date=format_date(as_of, "long"))
    points = key_points_text(pack, get_locale())
    points += await GoalService(context.repos, context.clock).lines(access.project_id, frame,
                                                                    as_of)
    points += area_lines(pack_counts(pack))
    await reply(update, "\n".join([title, *("• " + esc(p) for p in points)]))


@guard(Permission.VIEW_STEERING)
async def incidents_command(update: Update, context: WijkContext, access: Access) -> None:
    """Recent burglaries; house numbers, exact times and MO only where the asker's role and
    the chat allow (the permissions module decides)."""
    assert access.project_id is not None and access.user_id is not None
    found = await context.incidents.recent(access.user_id, access.project_id,
                                           access.chat_kind, area=command_text(update) or None)
    rows, detail = found.rows, found.detail
    count = format_number(found.count)
    if found.area:
        lines = [ngettext("<b>{count} burglary in {area} in the last two weeks</b>",
                          "<b>{count} burglaries in {area} in the last two weeks</b>",
                          found.count).format(count=count, area=esc(found.area))]
    else:
        lines = [ngettext("<b>{count} burglary in the last two weeks</b>",
                          "<b>{count} burglaries in the last two weeks</b>",
                          found.count).format(count=count)]
    for row in rows:
        kind = _("attempt") if row["attempt"] else _("burglary")
        if detail:
            where = " ".join(p for p in (row["street"], row["house_number"]) if p)
            when = format_window(row["day"], row["to"])  # a window as the police had it
            mo = f" · {esc(mo_label(row['mo']))}" if row.get("mo") else ""
            lines.append(f"• {when} · {esc(where or row['buurt'] or '?')} · {kind}{mo}")
        else:
            where = row["street"] or row["buurt"] or "?"
            lines.append(f"• {format_date(row['day'], 'medium')} · {esc(where)} · {kind}")
    if found.count > len(rows):
        lines.append(_("<i>The latest {shown} are listed; /steering shows them all per "
                       "street and neighbourhood.</i>").format(shown=format_number(len(rows))))
    if not detail:
        lines.append(_("<i>House numbers, times and modus operandi are only shown to the "
                       "police, the analyst and the project leader, in a private chat.</i>"))
    await reply_paged(update, context, lines)


def register(app: WijkApp) -> None:
    # A pack takes seconds: run it as a task of its own, so that nobody else's update
    # waits for it (PTB handles updates one at a time, which the dialogues rely on).
    app.add_handler(Command(Cmd.STEERING, steering_command, block=False))
    app.add_handler(Command(Cmd.INCIDENTS, incidents_command))
