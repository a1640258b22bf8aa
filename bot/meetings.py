"""The fortnightly steering cycle: the meeting schedule, the draft agenda (appendix 3)
filled from the action framework and the steering information, decisions, escalations,
attendance, and the minutes.

Meetings are materialised from the rhythm into rows (a few ahead), so that skipping or
moving one is an update of one row, and posting it is claimed once in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.access import require_member
from bot.action_text import period_of
from bot.clock import Clock
from bot.errors import UserError
from bot.fieldlog import field_work_lines
from bot.i18n import N_
from bot.meeting_docs import Agenda, AgendaAction, Decision, Minutes
from bot.periods import format_period, weeks_overdue
from bot.permissions import ChatKind, Permission
from bot.posts import Payload
from bot.schedule import (
    Rhythm,
    checkin_moment,
    local_moment,
    parse_date,
    parse_rhythm,
    parse_time,
    post_moment,
    rhythm_dates,
)
from bot.services import ProjectService
from storage.actions import Action
from storage.meetings import Meeting, Note, Schedule
from storage.models import ChatPurpose, Role
from storage.repositories import Repositories

HORIZON = 6          # rhythm meetings kept ahead
MAX_NOTE = 1000
# Filler words of a rhythm; "week" itself is left in: "elke week" is weekly.
RHYTHM_WORDS = {"elke", "iedere", "every", "om", "at", "weken", "weeks", "vanaf", "from"}
SUB_DATE = {"datum", "date"}
SUB_SKIP = {"overslaan", "skip"}
SUB_MOVE = {"verplaats", "move"}
SUB_LEAD = {"vooraf", "lead"}


class MeetingService(ProjectService):
    def __init__(self, repos: Repositories, clock: Clock, tz: ZoneInfo) -> None:
        super().__init__(repos, clock, tz)
        self.meetings = repos.meetings

    # -- scheduled posts ---------------------------------------------------------------------

    async def queue_post(self, meeting: Meeting, chat_id: int, posts: list[Payload]) -> bool:
        """Claim the pre-meeting post and put its messages in the outbox, in one transaction
        (in order: a sequence); False if it was claimed before (by another run, or before a
        restart)."""
        now = self.clock.now()
        async with self.repos.db.transaction():
            if not await self.meetings.claim(meeting.id, "post", now):
                return False
            await self.repos.outbox.enqueue_sequence(f"meeting:{meeting.id}:post", chat_id,
                                                     posts, now=now,
                                                     project_id=meeting.project_id)
        return True

    async def queue_checkins(self, meeting: Meeting,
                             checkins: list[tuple[int, int, Payload]]) -> int:
        """Claim the check-ins and queue one message per ``(action id, user id, payload)``;
        returns how many were queued (0 if they were claimed before)."""
        now = self.clock.now()
        queued = 0
        async with self.repos.db.transaction():
            if not await self.meetings.claim(meeting.id, "checkin", now):
                return 0
            for action_id, user_id, payload in checkins:
                if await self.repos.outbox.enqueue(
                        f"meeting:{meeting.id}:checkin:{action_id}:{user_id}", user_id, payload,
                        now=now, project_id=meeting.project_id) is not None:
                    queued += 1
        return queued

    # -- schedule --------------------------------------------------------------------------

    async def _group(self, project_id: int, chat_id: int | None) -> int:
        """The operational group the pack goes to: this group, or the project's only one."""
        links = [c for c in await self.repos.chats.for_project(project_id)
                 if c.purpose is ChatPurpose.OPERATIONAL]
        if chat_id is not None:
            if not any(c.chat_id == chat_id for c in links):
                raise UserError(N_("This group is not linked as the operational meeting of "
                                   "this project."))
            return chat_id
        if len(links) != 1:
            raise UserError(N_("Link the group of the operational meeting first (/link), "
                               "then set the schedule there or here."))
        return links[0].chat_id

    async def configure(self, user_id: int, project_id: int, chat: ChatKind,
                        group_chat_id: int | None, words: Sequence[str]) -> Schedule:
        """Set the rhythm, add a date, skip or move a meeting, or set the lead time."""
        await require_member(self.repos, user_id, project_id, Permission.MANAGE_MEETINGS,
                             chat)
        lowered = [w.lower() for w in words]
        current = await self.meetings.schedule(project_id)
        now = self.clock.now()
        if not lowered:
            raise UserError(N_("Say what to set: a rhythm, a date, a meeting to skip or move, "
                               "or the lead time."))
        head = lowered[0]
        async with self.repos.db.transaction():
            if head in SUB_LEAD:
                if current is None:
                    raise UserError(N_("Set the meeting rhythm or a date first."))
                if len(lowered) < 2 or not lowered[1].isdigit() or int(lowered[1]) > 10:
                    raise UserError(N_("Give the number of working days (0 to 10) before the "
                                       "meeting, and optionally the time, e.g. “2 09:00”."))
                post_time = parse_time(lowered[2]) if len(lowered) > 2 else current.post_time
                schedule = replace(current, lead_days=int(lowered[1]), post_time=post_time)
                await self.meetings.save_schedule(schedule, user_id, now)
                await self._replan_posts(schedule)
                return schedule
            group = await self._group(project_id, group_chat_id)
            base = current or Schedule(project_id, group, None, None, None, None, 2, time(9, 0))
            base = replace(base, chat_id=group)
            if head in SUB_DATE:
                if len(lowered) < 3:
                    raise UserError(N_("Give the date and time, e.g. “date 7-12-2026 10:00”."))
                day, at = parse_date(lowered[1]), parse_time(lowered[2])
                if await self._meeting_on_day(project_id, day) is not None:
                    # One operational meeting a day; a second is nearly always a typo for
                    # another day or a changed time (that is what "move" is for).
                    raise UserError(N_("There is already a meeting on {date}. To change its "
                                       "time, move it: “move {date} {date} 14:00”."),
                                    date=day.strftime("%d-%m-%Y"))
                await self._add(base, day, at, "explicit", None)
                await self.meetings.save_schedule(base, user_id, now)
                return base
            if head in SUB_SKIP or head in SUB_MOVE:
                if len(lowered) < 2:
                    raise UserError(N_("Give the date of the meeting."))
                meeting = await self._meeting_on(project_id, parse_date(lowered[1]))
                if head in SUB_SKIP:
                    await self.meetings.set_status(meeting.id, "skipped")
                    return base
                if len(lowered) < 4:
                    raise UserError(N_("Give the old date, the new date and the time, e.g. "
                                       "“move 21-12-2026 22-12-2026 14:00”."))
                day, at = parse_date(lowered[2]), parse_time(lowered[3])
                starts = self._future(local_moment(day, at, self.tz))
                if not await self.meetings.move(
                        meeting.id, starts, post_moment(day, base.lead_days, base.post_time,
                                                        self.tz),
                        checkin_moment(day, base.post_time, self.tz)):
                    raise UserError(N_("That meeting's pack has already been posted; it can no "
                                       "longer be moved."))
                return base
            rhythm = parse_rhythm([w for w in lowered if w not in RHYTHM_WORDS], self.today())
            self._future(local_moment(rhythm.anchor, rhythm.start_time, self.tz), anchor=True)
            schedule = replace(base, every_weeks=rhythm.every_weeks, weekday=rhythm.weekday,
                               start_time=rhythm.start_time, anchor=rhythm.anchor)
            await self.meetings.save_schedule(schedule, user_id, now)
            await self.meetings.drop_future_rhythm(project_id, now)
            await self.ensure(schedule)
            await self.repos.audit.record(now=now, user_id=user_id, project_id=project_id,
                                          entity="meeting_schedule", entity_id=project_id,
                                          action="set", detail={"words": list(words)})
        return schedule

    def _future(self, moment: datetime, *, anchor: bool = False) -> datetime:
        if moment <= self.clock.now() and not anchor:
            raise UserError(N_("That moment has already passed."))
        return moment

    async def _meeting_on_day(self, project_id: int, day: date) -> Meeting | None:
        """The planned meeting on that local day, if any."""
        start = local_moment(day, time(0), self.tz)
        return await self.meetings.on_local_date(project_id, start, start + timedelta(days=1))

    async def _meeting_on(self, project_id: int, day: date) -> Meeting:
        meeting = await self._meeting_on_day(project_id, day)
        if meeting is None:
            raise UserError(N_("There is no meeting on {date}."), date=day.strftime("%d-%m-%Y"))
        return meeting

    async def _add(self, s: Schedule, day: date, at: time, source: str,
                   rhythm_date: date | None) -> None:
        starts = local_moment(day, at, self.tz)
        if source == "explicit":
            self._future(starts)
        await self.meetings.add(s.project_id, starts, source, rhythm_date,
                                post_moment(day, s.lead_days, s.post_time, self.tz),
                                checkin_moment(day, s.post_time, self.tz))

    async def ensure(self, schedule: Schedule) -> None:
        """Keep the next :data:`HORIZON` meetings of the rhythm materialised."""
        if schedule.every_weeks is None or schedule.start_time is None \
                or schedule.anchor is None or schedule.weekday is None:
            return
        rhythm = Rhythm(schedule.every_weeks, schedule.weekday, schedule.start_time,
                        schedule.anchor)
        for day in rhythm_dates(rhythm, self.today(), HORIZON):
            await self._add(schedule, day, schedule.start_time, "rhythm", day)

    async def _replan_posts(self, schedule: Schedule) -> None:
        for meeting in await self.meetings.upcoming(schedule.project_id, self.clock.now(), 50):
            if meeting.posted_at is None:
                day = meeting.starts_at.astimezone(self.tz).date()
                await self.meetings.move(
                    meeting.id, meeting.starts_at,
                    post_moment(day, schedule.lead_days, schedule.post_time, self.tz),
                    checkin_moment(day, schedule.post_time, self.tz))

    async def upcoming(self, project_id: int) -> list[Meeting]:
        return await self.meetings.upcoming(project_id, self.clock.now())

    async def current(self, project_id: int) -> Meeting | None:
        """The meeting decisions belong to: today's or the last week's, else the next."""
        now = self.clock.now()
        recent = await self.meetings.latest_before(project_id, now + timedelta(hours=12))
        if recent is not None and now - recent.starts_at < timedelta(days=7):
            return recent
        return await self._next(project_id, now) or recent

    async def last_begun(self, project_id: int) -> Meeting | None:
        """The meeting whose minutes /minutes shows: the last one that has begun, else the
        first one planned (its notes are being collected). Unlike :meth:`current` this
        never jumps ahead to the next meeting a week after the last one."""
        now = self.clock.now()
        return (await self.meetings.latest_before(project_id, now)
                or await self._next(project_id, now))

    async def _next(self, project_id: int, now: datetime) -> Meeting | None:
        upcoming = await self.meetings.upcoming(project_id, now, 1)
        return upcoming[0] if upcoming else None

    async def link_new_action(self, project_id: int, action_id: int) -> Meeting | None:
        """An action registered on a meeting's day belongs to that meeting."""
        day = self.today()
        start = local_moment(day, time(0), self.tz)
        meeting = await self.meetings.on_local_date(project_id, start, start + timedelta(days=1))
        if meeting is not None:
            await self.meetings.link_action(action_id, meeting.id)
        return meeting

    # -- during and after ----------------------------------------------------------------

    async def note(self, user_id: int, project_id: int, chat: ChatKind, kind: str,
                   text: str) -> tuple[Note, Meeting | None]:
        await require_member(self.repos, user_id, project_id, Permission.RECORD_NOTES, chat)
        text = text.strip()
        if not text:
            raise UserError(N_("The {what} may not be empty."), what=N_("text"))
        if len(text) > MAX_NOTE:
            raise UserError(N_("The {what} is too long ({length} characters, at most {max})."),
                            what=N_("text"), length=len(text), max=MAX_NOTE)
        meeting = await self.current(project_id)
        note_id = await self.meetings.add_note(project_id, meeting.id if meeting else None,
                                               kind, text, user_id, self.clock.now())
        [note] = [n for n in await self.meetings.notes(project_id, kind) if n.id == note_id]
        return note, meeting

    async def set_attendance(self, user_id: int, meeting: Meeting, chat: ChatKind,
                             partner_id: int, present: bool) -> Meeting:
        """Attendance at *that* meeting (the one the sheet was made for), so an old sheet
        corrects its own meeting and never the one that is current now."""
        project_id = meeting.project_id
        await require_member(self.repos, user_id, project_id, Permission.MANAGE_MEETINGS, chat)
        partner = await self.repos.projects.partner(partner_id)
        if partner is None or partner.project_id != project_id:
            raise UserError(N_("Unknown partner."))
        await self.meetings.set_attendance(meeting.id, partner_id, present, user_id,
                                           self.clock.now())
        return meeting

    # -- documents -----------------------------------------------------------------------

    async def _previous(self, project_id: int, meeting: Meeting) -> Meeting | None:
        return await self.meetings.latest_before(project_id,
                                                 meeting.starts_at - timedelta(minutes=1))

    def _line(self, action: Action, partner_id: int | None, today: date,
              effect: str | None = None) -> AgendaAction:
        owner = next((p for p in action.partners if p.partner_id == partner_id), None)
        return AgendaAction(
            code=action.code, what=action.what, area=action.area_name or "",
            period=format_period(period_of(action)), partner=owner.name if owner else "",
            status=owner.status if owner else "open", reason=owner.reason if owner else None,
            results=tuple(r.text for r in action.results
                          if partner_id is None or r.partner_id in (None, partner_id)),
            overdue_weeks=weeks_overdue(action.period_end, today)
            if owner is not None and owner.status == "open" else 0,
            effect=effect,
        )

    async def agenda(self, project_id: int, meeting: Meeting, analysis: Sequence[str],
                     effects: dict[int, str] | None = None) -> Agenda:
        """The draft agenda in the structure of appendix 3."""
        project = await self.repos.projects.get(project_id)
        assert project is not None
        leaders = await self.repos.members.with_role(project_id, Role.PROJECTLEIDER)
        partners = await self.repos.projects.partners(project_id)
        present = await self.meetings.attendance(meeting.id)
        previous = await self._previous(project_id, meeting)
        since = previous.starts_at if previous else meeting.starts_at - timedelta(weeks=2)
        today = meeting.starts_at.astimezone(self.tz).date()
        actions = await self.repos.actions.all(project_id)
        # 2: what was agreed last time or fell due since, per partner.
        feedback = [
            self._line(a, p.partner_id, today, (effects or {}).get(a.id))
            for a in actions
            if (a.created_at >= since - timedelta(days=1) or (
                a.period_end is not None and since.astimezone(self.tz).date() <= a.period_end
                <= today))
            for p in a.partners
        ]
        # 4: ongoing and due actions, per area.
        agreements = [self._line(a, p.partner_id, today) for a in actions
                      for p in a.partners if p.status == "open"]
        notes = self.meetings.notes
        # 2 also: what partners logged on the street since the last meeting.
        field_logs = await self.repos.field_logs.between(project_id, since, meeting.starts_at)
        return Agenda(
            project=project.name, municipality=project.municipality,
            meeting_at=meeting.starts_at, field_work=tuple(field_work_lines(field_logs)),
            chair=leaders[0].user_name if leaders else "",
            participants=tuple(p.name for p in partners),
            attendance=tuple((p.name, present.get(p.id)) for p in partners),
            feedback=tuple(sorted(feedback, key=lambda x: (x.partner, x.code))),
            analysis=tuple(analysis),
            tactical=tuple(n.text for n in await notes(project_id, "tactical", unresolved=True)),
            agreements=tuple(sorted(agreements, key=lambda x: (x.area, x.code))),
            escalations=tuple(n.text for n in await notes(project_id, "escalation",
                                                          unresolved=True)),
            decisions=tuple(n.text for n in await notes(project_id, "decision", since=since)),
        )

    def analysis_date(self, meeting: Meeting) -> date:
        """The day the steering information discussed at a meeting describes: the day it
        was posted, the lead time before the meeting (else the meeting's own day)."""
        moment = meeting.post_at if meeting.post_at <= meeting.starts_at else meeting.starts_at
        return moment.astimezone(self.tz).date()

    async def minutes(self, project_id: int, meeting: Meeting,
                      analysis: Sequence[str] = ()) -> Minutes:
        """The minutes; ``analysis``: the key points of the steering information of
        :meth:`analysis_date` (the caller computes them: this service has no incidents)."""
        project = await self.repos.projects.get(project_id)
        assert project is not None
        leaders = await self.repos.members.with_role(project_id, Role.PROJECTLEIDER)
        partners = await self.repos.projects.partners(project_id)
        present = await self.meetings.attendance(meeting.id)
        notes = self.meetings.notes
        start = meeting.starts_at - timedelta(hours=12)
        end = meeting.starts_at + timedelta(days=2)
        today = meeting.starts_at.astimezone(self.tz).date()
        actions = await self.repos.actions.all(project_id)
        new = [a for a in actions if a.meeting_id == meeting.id
               or start <= a.created_at <= end]
        # Changed around the meeting, by the history: ``updated_at`` only holds the last
        # change, so an action reported done at the meeting and given a result a week later
        # would drop out of the minutes.
        changed = await self.repos.actions.changed_between(project_id, start, end)
        updated = [a for a in actions if a not in new and a.id in changed]

        def decisions(kind: str) -> tuple[Decision, ...]:
            return tuple(Decision(n.text, n.user_name, n.at) for n in picked[kind])

        picked = {kind: await notes(project_id, kind, meeting_id=meeting.id)
                  for kind in ("decision", "escalation")}
        return Minutes(
            project=project.name, municipality=project.municipality,
            meeting_at=meeting.starts_at, chair=leaders[0].user_name if leaders else "",
            attendance=tuple((p.name, present.get(p.id)) for p in partners),
            decisions=decisions("decision"), escalations=decisions("escalation"),
            analysis=tuple(analysis),
            new_actions=tuple(self._line(a, p.partner_id, today) for a in new
                              for p in a.partners),
            updated_actions=tuple(self._line(a, p.partner_id, today) for a in updated
                                  for p in a.partners),
        )
