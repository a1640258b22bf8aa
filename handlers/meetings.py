"""The fortnightly meeting in chat: ``/overleg`` (schedule), ``/agenda``, ``/besluit``,
``/escalatie``, ``/tactisch``, ``/aanwezig``, ``/verslag`` and ``/effect``, plus the jobs that
post the steering pack and draft agenda before each meeting and send check-ins the day before.

Jobs are rebuilt from the database at start-up (one per meeting and moment) and a catch-up
run posts what fell due while the bot was down if the meeting is still ahead. A post is
claimed in the same transaction that puts its messages in the outbox, so it happens once;
the outbox delivers them in order (:mod:`bot.outbox`).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pandas as pd
from telegram import InputFile, Update
from telegram.ext import Application, CallbackQueryHandler

from bot.access import Access
from bot.commands import CB, Cmd
from bot.context import WijkApp, WijkContext
from bot.effects import EffectService
from bot.errors import UserError
from bot.goals import GoalService
from bot.i18n import N_, _, format_datetime, format_moment, get_locale, use_locale
from bot.meeting_docs import (
    agenda_docx,
    agenda_messages,
    document_filename,
    minutes_docx,
    minutes_messages,
)
from bot.permissions import Permission
from bot.posts import Payload, album_posts, document_post, send_posts, text_post
from charts.effect import effect_sentence
from charts.pack import SteeringPack, key_points_text
from handlers.actions import card_buttons
from handlers.common import (
    Command,
    command_name,
    command_text,
    edit_or_reply,
    esc,
    guard,
    keyboard,
    reply,
    reply_usage,
    stale_button,
    usage,
)
from storage.meetings import Meeting
from storage.models import Role, User

log = logging.getLogger(__name__)
CATCH_UP_S = 2.0


# -- schedule ----------------------------------------------------------------------------


def _schedule_lines(meetings: list[Meeting]) -> list[str]:
    lines = [_("<b>Next meetings</b>")]
    for m in meetings:
        lines.append(_("• {when} — pack and draft agenda: {post}").format(
            when=format_moment(m.starts_at), post=format_datetime(m.post_at, "short")))
    if not meetings:
        lines.append(_("none planned"))
    return lines


@guard(Permission.MANAGE_MEETINGS)
async def meeting_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    words = command_text(update).split()
    if words:
        await context.meetings.configure(
            access.user_id, access.project_id, access.chat_kind,
            access.chat_id if access.link is not None else None, words)
        reschedule(context.application, access.project_id)
    lines = _schedule_lines(await context.meetings.upcoming(access.project_id))
    if not words:
        lines += ["", usage(Cmd.MEETING[0] if get_locale() == "nl" else Cmd.MEETING[1])]
    await reply(update, "\n".join(lines))


# -- agenda and minutes ------------------------------------------------------------------


async def _analysis(context: WijkContext, project_id: int, frame: pd.DataFrame, *,
                    render: bool) -> tuple[list[str], SteeringPack | None]:
    """Key points (and the pack, its charts drawn only if ``render``) of today's steering
    information, if there is incident data."""
    try:
        pack = await context.incidents.steering(
            project_id, context.incidents.today(), language=get_locale(), frame=frame,
            render=render)
    except UserError:
        return [], None
    return key_points_text(pack, get_locale()), pack


def _planned(meeting: Meeting | None) -> Meeting:
    if meeting is None:
        raise UserError(N_("There is no meeting planned. Set one with /meeting."))
    return meeting


async def agenda_posts(context: WijkContext, project_id: int, meeting: Meeting,
                       *, with_pack: bool) -> list[Payload]:
    """The draft agenda as messages and a Word document, after the charts if ``with_pack``
    (in the current locale)."""
    frame = await context.incidents.frame(project_id)  # read once for pack, effects, goals
    today = context.incidents.today()
    # The charts only when they are sent (drawing them is most of a pack's time).
    points, pack = await _analysis(context, project_id, frame, render=with_pack)
    effects = await EffectService(context.repos, context.incidents).sentences(
        project_id, today, get_locale(), frame)
    agenda = await context.meetings.agenda(project_id, meeting, points, effects)
    goals = await GoalService(context.repos, context.clock).lines(project_id, frame, today)
    if goals:
        agenda = replace(agenda, goal=" ".join(goals))
    posts = album_posts(pack.figures) if with_pack and pack is not None else []
    posts += [text_post(part) for part in agenda_messages(agenda, get_locale())]
    posts.append(document_post(
        agenda_docx(agenda, get_locale()),
        document_filename("agenda", agenda.project, meeting.starts_at, get_locale())))
    return posts


@guard(Permission.VIEW_AGENDA)
async def agenda_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None
    upcoming = await context.meetings.upcoming(access.project_id)
    meeting = _planned(upcoming[0] if upcoming else None)
    await send_posts(context.bot, access.chat_id,
                     await agenda_posts(context, access.project_id, meeting, with_pack=False))


@guard(Permission.VIEW_AGENDA)
async def minutes_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None
    meeting = _planned(await context.meetings.last_begun(access.project_id))
    # Section 3a as it was discussed: the steering information the meeting received.
    points = await context.incidents.key_points(
        access.project_id, context.meetings.analysis_date(meeting), language=get_locale())
    minutes = await context.meetings.minutes(access.project_id, meeting, points)
    for part in minutes_messages(minutes, get_locale()):
        await reply(update, part)
    assert update.effective_chat is not None
    await update.effective_chat.send_document(InputFile(
        minutes_docx(minutes, get_locale()),
        filename=document_filename("minutes", minutes.project, meeting.starts_at, get_locale())))


@guard(Permission.VIEW_AGENDA)
async def effect_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    code = command_text(update)
    if not code:
        await reply_usage(update)
        return
    action, _history = await context.actions.card(access.user_id, access.project_id, code,
                                                  access.chat_kind)
    review = await EffectService(context.repos, context.incidents).review(
        access.project_id, action, context.incidents.today())
    await reply(update, f"<b>{action.code}</b> — {esc(action.what)}\n"
                        + esc(effect_sentence(review, get_locale())))


@guard(Permission.MANAGE_MEETINGS)
async def goal_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    service = GoalService(context.repos, context.clock)
    words = command_text(update).split()
    if words:
        await service.set(access.user_id, access.project_id, access.chat_kind, words)
    lines = await service.lines(access.project_id,
                                await context.incidents.frame(access.project_id),
                                context.incidents.today())
    text = [esc(line) for line in lines] or [_("No goal set yet.")]
    if not words:
        text.append(usage(command_name(update)))
    await reply(update, "\n".join(text))


# -- decisions, escalations, attendance --------------------------------------------------


async def _note(update: Update, context: WijkContext, access: Access, kind: str,
                msgid: str) -> None:
    assert access.project_id is not None and access.user_id is not None
    text = command_text(update)
    if not text:
        await reply_usage(update)
        return
    _note_row, meeting = await context.meetings.note(access.user_id, access.project_id,
                                                     access.chat_kind, kind, text)
    when = format_datetime(meeting.starts_at, "medium") if meeting else _("no meeting")
    await reply(update, _(msgid).format(meeting=when))


@guard(Permission.RECORD_NOTES)
async def decision_command(update: Update, context: WijkContext, access: Access) -> None:
    await _note(update, context, access, "decision",
                N_("Decision recorded for the meeting of {meeting}."))


@guard(Permission.RECORD_NOTES)
async def escalation_command(update: Update, context: WijkContext, access: Access) -> None:
    await _note(update, context, access, "escalation",
                N_("Point for the tactical meeting recorded ({meeting})."))


@guard(Permission.RECORD_NOTES)
async def tactical_command(update: Update, context: WijkContext, access: Access) -> None:
    await _note(update, context, access, "tactical",
                N_("Tactical point recorded; it will be on the agenda ({meeting})."))


async def _attendance_view(context: WijkContext, project_id: int,
                           meeting: Meeting) -> tuple[str, list[list[tuple[str, str]]]]:
    present = await context.repos.meetings.attendance(meeting.id)
    rows = []
    for partner in await context.repos.projects.partners(project_id):
        state = present.get(partner.id)
        icon = "✅" if state else "❌" if state is False else "▫️"
        rows.append([(f"{icon} {partner.name}",
                      f"{CB.ATTENDANCE}:{meeting.id}:{partner.id}:{0 if state else 1}")])
    text = _("<b>Attendance</b> — meeting of {when}. Tap a partner to switch.").format(
        when=format_datetime(meeting.starts_at, "medium"))
    return text, rows


@guard(Permission.MANAGE_MEETINGS)
async def attendance_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None
    meeting = _planned(await context.meetings.current(access.project_id))
    text, rows = await _attendance_view(context, access.project_id, meeting)
    await reply(update, text, markup=keyboard(rows))


@guard(Permission.MANAGE_MEETINGS, needs_project=False)
async def attendance_button(update: Update, context: WijkContext, access: Access) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and access.user_id is not None
    try:
        _prefix, meeting_no, partner_no, present = query.data.split(":")
        meeting_id, partner_id = int(meeting_no), int(partner_no)
    except ValueError:
        await stale_button(update)
        return
    meeting = await context.repos.meetings.get(meeting_id)
    if meeting is None:
        raise UserError(N_("This meeting no longer exists."))
    await context.meetings.set_attendance(access.user_id, meeting, access.chat_kind,
                                          partner_id, present == "1")
    await query.answer()
    text, rows = await _attendance_view(context, meeting.project_id, meeting)
    await edit_or_reply(update, text, markup=keyboard(rows))


# -- jobs --------------------------------------------------------------------------------


async def post_meeting(context: WijkContext, meeting_id: int) -> bool:
    """Put the steering pack and the draft agenda into the outbox, once; True if this call
    did. The outbox delivers them in order, also after a restart (:mod:`bot.outbox`)."""
    repos = context.repos
    meeting = await repos.meetings.get(meeting_id)
    now = context.clock.now()
    if meeting is None or meeting.status != "planned" or meeting.starts_at <= now \
            or meeting.posted_at is not None:
        return False
    schedule = await repos.meetings.schedule(meeting.project_id)
    if schedule is None or schedule.chat_id is None:
        return False
    link = await repos.chats.active(schedule.chat_id)
    if link is None:
        log.warning("meeting %s: the operational group is no longer linked", meeting_id)
        return False
    # Built before the transaction: charts and documents take a moment, and a second run
    # that lost the race below simply throws its copy away.
    with use_locale(link.language or context.settings.language):
        header = text_post(
            _("📅 <b>Operational meeting {when}</b>: the steering information and the "
              "draft agenda.").format(when=esc(format_moment(meeting.starts_at))))
        posts = [header, *await agenda_posts(context, meeting.project_id, meeting,
                                            with_pack=True)]
    if not await context.meetings.queue_post(meeting, schedule.chat_id, posts):
        return False  # already posted (by another run, or before a restart)
    context.outbox.wake()
    return True


async def send_checkins(context: WijkContext, meeting_id: int) -> int:
    """The day before: partners with actions due get a private check-in per action, through
    the outbox. Returns how many were queued."""
    repos = context.repos
    meeting = await repos.meetings.get(meeting_id)
    now = context.clock.now()
    if meeting is None or meeting.status != "planned" or meeting.starts_at <= now \
            or meeting.checkins_at is not None:
        return 0
    day = meeting.starts_at.astimezone(context.settings.tz).date()
    # Who may be asked, per partner: members who work on actions and take reminders.
    askable: dict[int, list[User]] = {}
    for member in await repos.members.for_project(meeting.project_id):
        user = await repos.users.get(member.user_id)
        if member.role is Role.MEELEZER or user is None \
                or await repos.users.reminders_paused(member.user_id):
            continue
        askable.setdefault(member.partner_id, []).append(user)
    checkins: list[tuple[int, int, Payload]] = []
    for action in await repos.actions.open_actions(meeting.project_id):
        if action.period_end is None or action.period_end > day:
            continue
        for owner in action.partners:
            if owner.status != "open":
                continue
            for user in askable.get(owner.partner_id, []):
                with use_locale(user.preferred_language(context.settings.language)):
                    text = _("🗓 Tomorrow's meeting ({when}): anything to report on <b>{code}"
                             "</b> — {what}?").format(
                        when=esc(format_datetime(meeting.starts_at, "short")),
                        code=action.code, what=esc(action.what))
                    checkins.append((action.id, user.id,
                                     text_post(text, card_buttons(action))))
    queued = await context.meetings.queue_checkins(meeting, checkins)
    if queued:
        context.outbox.wake()
    return queued


async def _post_job(context: WijkContext) -> None:
    assert context.job is not None and isinstance(context.job.data, int)
    await post_meeting(context, context.job.data)


async def _checkin_job(context: WijkContext) -> None:
    assert context.job is not None and isinstance(context.job.data, int)
    await send_checkins(context, context.job.data)


async def catch_up(context: WijkContext) -> None:
    """What fell due while the bot was down, if the meeting is still ahead (once)."""
    now = context.clock.now()
    for meeting in await context.repos.meetings.due("post", now):
        await post_meeting(context, meeting.id)
    for meeting in await context.repos.meetings.due("checkin", now):
        await send_checkins(context, meeting.id)


def job_name(kind: str, meeting_id: int) -> str:
    return f"meeting-{kind}-{meeting_id}"


def reschedule(app: Application[Any, Any, Any, Any, Any, Any],
               project_id: int | None = None) -> None:
    """(Re)create the jobs of the planned meetings from the database, in the background."""
    assert app.job_queue is not None
    app.job_queue.run_once(_rebuild, when=0, data=project_id, name="meeting-rebuild")


async def _rebuild(context: WijkContext) -> None:
    assert context.job_queue is not None and context.job is not None
    only = context.job.data
    service = context.meetings
    for schedule in await context.repos.meetings.schedules():
        if only is None or schedule.project_id == only:
            await service.ensure(schedule)
    now = context.clock.now()
    for meeting in await context.repos.meetings.pending(now):
        if only is not None and meeting.project_id != only:
            continue
        for kind, moment, done, callback in (
                ("post", meeting.post_at, meeting.posted_at, _post_job),
                ("checkin", meeting.checkin_at, meeting.checkins_at, _checkin_job)):
            name = job_name(kind, meeting.id)
            for job in context.job_queue.get_jobs_by_name(name):
                job.schedule_removal()
            if done is not None:
                continue
            if moment > now:
                # As a delay on the bot's own clock, which decided that the moment lies
                # ahead: the same moment as long as that clock is the system's, and the
                # same decision when it is not (a test's clock).
                # PTB types a context's job queue generically; the callback is ours.
                context.job_queue.run_once(callback, when=moment - now, data=meeting.id,  # type: ignore[arg-type]
                                           name=name)
            elif only is not None:
                # Planned or moved by a command after its moment (a meeting the day after
                # tomorrow): due now, not at the next restart's catch-up.
                context.job_queue.run_once(callback, when=0, data=meeting.id,  # type: ignore[arg-type]
                                           name=name)


def schedule(app: WijkApp) -> None:
    """From post_init: rebuild the meeting jobs, catch up, and keep the horizon filled."""
    assert app.job_queue is not None and app.bot_data.settings is not None
    reschedule(app)
    delay = app.bot_data.reminder_catch_up_s
    if delay is not None:
        app.job_queue.run_once(catch_up, when=delay, name="meeting-catch-up")
    app.job_queue.run_repeating(_rebuild, interval=timedelta(hours=6), first=timedelta(hours=6),
                                name="meeting-horizon")


def register(app: WijkApp) -> None:
    app.add_handler(Command(Cmd.MEETING, meeting_command))
    # The agenda carries a steering pack and a document, the minutes a document: each a
    # task of its own, like /sturing (see there).
    app.add_handler(Command(Cmd.AGENDA, agenda_command, block=False))
    app.add_handler(Command(Cmd.DECISION, decision_command))
    app.add_handler(Command(Cmd.ESCALATION, escalation_command))
    app.add_handler(Command(Cmd.TACTICAL, tactical_command))
    app.add_handler(Command(Cmd.ATTENDANCE, attendance_command))
    app.add_handler(CallbackQueryHandler(attendance_button, pattern=rf"^{CB.ATTENDANCE}:"))
    app.add_handler(Command(Cmd.MINUTES, minutes_command, block=False))
    app.add_handler(Command(Cmd.EFFECT, effect_command))
    app.add_handler(Command(Cmd.GOAL, goal_command))
