"""Reminders: the last-week reminder to responsible partners, the weekly overdue digest to
project leaders, and ``/herinneringen`` (``/reminders``) to pause or resume them.

Jobs run daily at 09:00 in the partnership's time zone (APScheduler through PTB's job
queue, correct across daylight saving), and once shortly after start-up to catch up on
anything that fell due while the bot was down. They queue messages in the outbox, which
delivers them (:mod:`bot.outbox`).
"""

from __future__ import annotations

from datetime import time

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.access import Access
from bot.action_text import action_line, card
from bot.commands import CB, Cmd
from bot.context import WijkApp, WijkContext
from bot.i18n import _, use_locale
from bot.permissions import Permission
from bot.posts import text_post
from bot.reminders import ReminderService, by_partner
from handlers.actions import card_buttons
from handlers.common import (
    Command,
    command_text,
    edit_or_reply,
    esc,
    guard,
    keyboard,
    reply,
    reply_usage,
    schedule_daily,
    split_pages,
)

RUN_AT = time(9, 0)
JOB_DAILY = "reminders-daily"
JOB_CATCH_UP = "reminders-catch-up"


def service(context: WijkContext) -> ReminderService:
    return ReminderService(context.repos, context.clock, context.actions.today)


async def send_reminders(context: WijkContext) -> int:
    """Queue every due reminder that was not queued yet. Returns how many were queued."""
    reminders = service(context)
    queued = 0
    for reminder in await reminders.due():
        today = context.actions.today()
        with use_locale(reminder.language or context.settings.language):
            text = _("⏰ <b>{code}</b> ends this week. Is it done? Report it with the buttons "
                     "or reply to this message with a result.").format(
                code=reminder.action.code) + "\n\n" + card(reminder.action, today)
            payload = text_post(text, card_buttons(reminder.action))
        queued += await reminders.queue(reminder, payload)
    return queued


async def send_digests(context: WijkContext) -> int:
    reminders = service(context)
    queued = 0
    for digest in await reminders.digests():
        today = context.actions.today()
        with use_locale(digest.language or context.settings.language):
            lines = [_("📋 <b>{project}</b>: overdue actions this week").format(
                project=esc(digest.project_name))]
            for partner, actions in by_partner(digest.overdue).items():
                lines += ["", f"<b>{esc(partner)}</b>"]
                lines += [action_line(a, today) for a in actions]
        # A long digest is split over several messages, never cut off.
        queued += await reminders.queue_digest(
            digest, [text_post(part) for part in split_pages(lines)])
    return queued


async def reminder_job(context: WijkContext) -> None:
    """The outbox delivers what this queues (within the limits, retried, exactly once)."""
    if await send_reminders(context) + await send_digests(context):
        context.outbox.wake()


@guard(Permission.MANAGE_REMINDERS, needs_project=False)
async def reminders_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.user_id is not None
    word = command_text(update).lower()
    if word in ("pauze", "pause", "uit", "off"):
        paused = True
    elif word in ("aan", "on", "resume", "hervat"):
        paused = False
    elif not word:
        paused_now = await context.repos.users.reminders_paused(access.user_id)
        state = _("paused") if paused_now else _("on")
        await reply(update, _("Your reminders are {state}.").format(state=state),
                    markup=keyboard([[(_("Pause"), f"{CB.REMINDERS}:pause"),
                                      (_("Resume"), f"{CB.REMINDERS}:on")]]))
        return
    else:
        await reply_usage(update)
        return
    await context.repos.users.set_reminders_paused(access.user_id, paused)
    await reply(update, _("Reminders paused.") if paused else _("Reminders are on again."))


@guard(Permission.MANAGE_REMINDERS, needs_project=False)
async def reminders_button(update: Update, context: WijkContext, access: Access) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and access.user_id is not None
    paused = query.data.endswith(":pause")
    await context.repos.users.set_reminders_paused(access.user_id, paused)
    await query.answer()
    await edit_or_reply(update, _("Reminders paused.") if paused
                        else _("Reminders are on again."))


def register(app: WijkApp) -> None:
    app.add_handler(Command(Cmd.REMINDERS, reminders_command))
    app.add_handler(CallbackQueryHandler(reminders_button, pattern=rf"^{CB.REMINDERS}:"))


def schedule(app: WijkApp) -> None:
    """Called from post_init, when the settings (time zone) and the database are ready."""
    schedule_daily(app, reminder_job, RUN_AT, JOB_DAILY, catch_up_name=JOB_CATCH_UP)
