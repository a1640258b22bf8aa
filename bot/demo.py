"""``wijkbot demo``: build a complete demo database offline and explain how to explore it.

The data comes from :mod:`bot.demo_data` (a fictional municipality with five years of
generated burglaries, partners, members and an action framework); this module stores it
through the repositories, exactly as the bot itself would, and prints a summary.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from bot.demo_data import DemoAction, DemoData, generate_demo, last_meeting_day
from bot.effects import EffectService
from bot.fieldlog import area_lines, pack_counts
from bot.i18n import _, format_date, format_number, set_display_timezone, use_locale
from bot.incidents import IncidentService
from bot.labels import role_label
from bot.meeting_docs import (
    WHOLE,
    agenda_docx,
    agenda_messages,
    document_filename,
    minutes_docx,
    minutes_messages,
)
from bot.meetings import MeetingService
from bot.packs import write_pack
from bot.partnership import INVITE_PAYLOAD_PREFIX
from bot.posts import plain_text
from bot.schedule import checkin_moment, post_moment
from charts.pack import key_points_text
from charts.text import fmt_pct
from storage.actions import NewAction
from storage.db import Database
from storage.incidents import NewIncident
from storage.meetings import Schedule
from storage.models import AreaKind, PartnerKind, Role
from storage.repositories import Repositories


def incident_key(*parts: object) -> str:
    """Stable identity of an incident, so storing the same one twice adds nothing."""
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:20]


def _rd_to_wgs84(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
    from pyproj import Transformer

    transformer = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)
    lons, lats = transformer.transform(xs, ys)
    return list(lats), list(lons)


async def store_demo(db: Database, data: DemoData, *, now: datetime) -> dict[str, Any]:
    """Write ``data`` into an empty, migrated database. Returns counts of what was stored."""
    repos = Repositories(db)
    leader = next(m for m in data.members if m.role == Role.PROJECTLEIDER.value)
    async with db.transaction():
        for m in data.members:
            await repos.users.upsert(m.user_id, m.first_name, m.last_name, None, m.language)
            await repos.users.set_language(m.user_id, m.language)
        project = await repos.projects.create(data.project_name, data.municipality, leader.user_id)
        area_ids: dict[str, int] = {}
        for wijk in data.wijken:
            area = await repos.projects.add_area(project.id, wijk.name, AreaKind.WIJK,
                                                 wijk.cbs_code)
            area_ids[wijk.name] = area.id
        for buurt in data.buurten:
            area = await repos.projects.add_area(project.id, buurt.name, AreaKind.BUURT,
                                                 buurt.cbs_code, buurt.homes,
                                                 area_ids.get(buurt.wijk))
            await repos.projects.set_geometry(area.id, list(buurt.polygon))
            area_ids[buurt.name] = area.id
        for street in data.streets:
            if street.name in area_ids:  # a street name shared by two buurten: keep the first
                continue
            area = await repos.projects.add_area(project.id, street.name, AreaKind.STRAAT,
                                                 None, street.homes, area_ids.get(street.buurt))
            area_ids[street.name] = area.id
        partner_ids: dict[str, int] = {}
        for p in data.partners:
            partner = await repos.projects.add_partner(project.id, p.name, PartnerKind(p.kind))
            partner_ids[p.name] = partner.id
        for m in data.members:
            await repos.members.add(project.id, m.user_id, partner_ids[m.partner], Role(m.role),
                                    invited_by=None if m is leader else leader.user_id)

        lats, lons = _rd_to_wgs84([i.x_rd for i in data.incidents],
                                  [i.y_rd for i in data.incidents])
        incidents = [
            NewIncident(
                source_key=incident_key(i.occurred_from.isoformat(), i.street, i.house_number),
                occurred_from=i.occurred_from, occurred_to=i.occurred_to, street=i.street,
                house_number=i.house_number, postcode=i.postcode, buurt=i.buurt,
                buurt_code=i.buurt_code, wijk=i.wijk, municipality=i.municipality,
                attempt=i.attempt, modus_operandi=i.modus_operandi, x_rd=i.x_rd, y_rd=i.y_rd,
                lat=lat, lon=lon, area_id=area_ids.get(i.buurt),
            )
            for i, lat, lon in zip(data.incidents, lats, lons, strict=True)
        ]
        stored_incidents = await repos.incidents.add_many(
            project.id, incidents, source="demo", created_by=None, now=now
        )
        # Who reports for a partner: its first member (the demo's members, in order).
        reporters = {m.partner: m.user_id for m in reversed(data.members)}
        for index, a in enumerate(data.actions):
            created = await repos.actions.create(
                project.id,
                NewAction(
                    what=a.what, area_id=area_ids.get(a.area), problem=a.problem, aim=a.aim,
                    type=a.type, target=a.target, period_start=a.period_start,
                    period_end=a.period_end, capacity=a.capacity, notes=a.notes,
                    expected_effect=a.expected_effect,
                    partners=[(partner_ids[p], "open", None) for p in a.partners],
                ),
                created_by=a.created_by, now=a.created_at,
            )
            await _demo_progress(repos, created.id, a, index, reporters, partner_ids, now)
        # A multi-use project-leader invitation, so whoever runs the demo can join it from
        # their own Telegram account and explore as the project leader.
        gemeente = next(p for p in data.partners if p.kind == PartnerKind.GEMEENTE.value)
        invite_code = "demo_" + secrets.token_urlsafe(9)
        await repos.invitations.create(
            invite_code, project.id, partner_ids[gemeente.name], Role.PROJECTLEIDER,
            single_use=False, expires_at=now + timedelta(days=90), created_by=leader.user_id,
            now=now,
        )
    field_logs = await _demo_field_logs(repos, project.id, data, partner_ids, area_ids, now)
    meetings = await _demo_meetings(repos, project.id, data, partner_ids, leader.user_id, now)
    return {
        "field_logs": field_logs,
        "meetings": meetings,
        "project_id": project.id,
        "areas": len(area_ids),
        "partners": len(partner_ids),
        "members": len(data.members),
        "incidents": stored_incidents,
        "actions": len(data.actions),
        "invite_code": invite_code,
    }


# Demo field logs: what the wijkagenten and wardens did after recent burglaries (data, in
# Dutch like the rest of the demo town).
_FIELD_WORK = (
    ("surveillance", "Extra ronde na inbraak, niets bijzonders gezien"),
    ("preventieadvies", "Bij buren aangebeld, inbraakpreventietips gegeven"),
    ("gesprek", "Gesproken met bewoners over de inbraken in de straat"),
    ("gebrek", "Lantaarnpaal kapot en heg ontneemt zicht op achterpaden"),
    ("surveillance", "Avondsurveillance achterpaden"),
    ("verdacht", "Onbekende man bij garageboxen, doorgegeven aan de meldkamer"),
)


async def _demo_progress(repos: Repositories, action_id: int, a: DemoAction, index: int,
                         reporters: dict[str, int], partner_ids: dict[str, int],
                         now: datetime) -> None:
    """What each partner reported about an action, replayed through the repository the way
    /gedaan, /resultaat, /nietgedaan and /vervallen store it: by a member of that partner,
    on a working day near the end of the action's period (never after ``now``), with its
    history. So /status counts what was done lately and the action history reads true."""
    tz = ZoneInfo("Europe/Amsterdam")
    action = await repos.actions.get(action_id)
    assert action is not None
    for pi, (partner, status, reason) in enumerate(
            zip(a.partners, a.statuses, a.reasons, strict=True)):
        results = [r for r in a.results if r[0] == partner]
        if status == "open" and not results:
            continue
        day = min(a.period_end, now.astimezone(tz).date()) - timedelta(days=(index + pi) % 3)
        day = max(day, a.period_start)
        at = datetime.combine(day, time(9 + (index + 2 * pi) % 8, 15 * (pi % 4)), tzinfo=tz)
        at = max(min(at, now - timedelta(hours=1)), a.created_at + timedelta(minutes=5))
        user_id = reporters.get(partner, a.created_by)
        for _partner, text, quantity, unit in results:
            await repos.actions.add_result(action_id, partner_ids[partner], text, quantity,
                                           unit, user_id=user_id, now=at)
        if status != "open":
            await repos.actions.set_status(action, [partner_ids[partner]], status, reason,
                                           user_id=user_id, now=at)


async def _demo_field_logs(repos: Repositories, project_id: int, data: DemoData,
                           partner_ids: dict[str, int], area_ids: dict[str, int],
                           now: datetime) -> int:
    """Field logs near the burglaries of the last four weeks, a day or two after each, by
    the wijkagenten and the wardens (so the steering map and agenda item 2 show them)."""
    workers = [m for m in data.members
               if m.role == Role.WIJKAGENT.value or m.partner.startswith("Stadstoezicht")]
    since = now - timedelta(days=28)
    recent = [i for i in data.incidents if since <= i.occurred_from < now and i.x_rd][-24:]
    stored = 0
    for n, incident in enumerate(recent):
        when = min(incident.occurred_from + timedelta(days=1 + n % 2, hours=n % 5), now)
        member = workers[n % len(workers)]
        kind, text = _FIELD_WORK[n % len(_FIELD_WORK)]
        x, y = incident.x_rd + (n % 3 - 1) * 60.0, incident.y_rd + (n % 2 * 2 - 1) * 45.0
        [lat], [lon] = _rd_to_wgs84([x], [y])
        await repos.field_logs.add(
            project_id=project_id, user_id=member.user_id,
            partner_id=partner_ids[member.partner], kind=kind, text=text,
            street=incident.street, lat=lat, lon=lon, x_rd=x, y_rd=y, live=False,
            area_id=area_ids.get(incident.buurt), action_id=None, chat_id=None, photos=(),
            now=when)
        stored += 1
    return stored


async def _demo_meetings(repos: Repositories, project_id: int, data: DemoData,
                         partner_ids: dict[str, int], leader_id: int,
                         now: datetime) -> tuple[int, int]:
    """A fortnightly rhythm with a past meeting (attendance, decisions, escalations) and
    the next one, so agenda and minutes have something real to show.

    The meetings are those at which the demo's actions were agreed (:mod:`bot.demo_data`):
    the past one is the latest before the reference date (so its minutes list the actions
    agreed there), the next a fortnight later — on the reference date itself when that is
    a meeting day. The bot, run on that date, materialises the same rhythm and finds these
    two as the last and the next meeting.
    """
    tz = ZoneInfo("Europe/Amsterdam")
    past_day = last_meeting_day(data.as_of)
    if past_day == data.as_of:
        past_day -= timedelta(days=14)  # today's meeting is the next one
    next_day = past_day + timedelta(days=14)
    schedule = Schedule(project_id, None, 2, past_day.weekday(), time(10, 0), past_day, 2,
                        time(9, 0))
    await repos.meetings.save_schedule(schedule, leader_id, now)
    found = []
    for day in (past_day, next_day):
        starts = datetime.combine(day, time(10, 0), tzinfo=tz)
        await repos.meetings.add(project_id, starts, "rhythm", day,
                                 post_moment(day, 2, time(9), tz), checkin_moment(day, time(9),
                                                                                  tz))
        # Looked up by its own start, not by the wall clock: --as-of may lie in the past.
        found.append(await repos.meetings.latest_before(project_id, starts))
    past, upcoming = found
    assert past is not None and upcoming is not None
    at = datetime.combine(past_day, time(11, 30), tzinfo=tz)
    for index, name in enumerate(partner_ids):
        await repos.meetings.set_attendance(past.id, partner_ids[name], index % 5 != 3,
                                            leader_id, at)
    for kind, text in (
        ("decision", "Extra avondrondes in de achterpaden van Molenkwartier tot eind december"),
        ("decision", "Flyeractie ‘Doe de poort op slot’ in de straten rond de nieuwe hotspot"),
        ("escalation", "Camerabeelden van de corporatie sneller delen met de politie"),
        ("tactical", "Budget voor extra verlichting: besluit van het tactisch overleg in "
                     "januari"),
    ):
        await repos.meetings.add_note(project_id, past.id, kind, text, leader_id, at)
    return past.id, upcoming.id


def summary(data: DemoData, counts: dict[str, Any], path: Path, overdue: int) -> str:
    years = sorted({i.occurred_from.year for i in data.incidents})
    homes = sum(b.homes for b in data.buurten)
    attempts = sum(i.attempt for i in data.incidents)
    done = sum(1 for a in data.actions if "done" in a.statuses)
    lines = [
        _("Demo database written to {path}").format(path=path),
        "",
        _("Project: {project} (municipality of {municipality}), reference date {date}").format(
            project=data.project_name, municipality=data.municipality,
            date=format_date(data.as_of, "long")),
        _("Areas: {wijken} districts, {buurten} neighbourhoods, {streets} streets, "
          "{homes} homes").format(wijken=len(data.wijken), buurten=len(data.buurten),
                                  streets=len(data.streets), homes=format_number(homes)),
        _("Partners: {partners}").format(partners=", ".join(p.name for p in data.partners)),
        _("Members: {count}").format(count=counts["members"]),
    ]
    for m in data.members:
        lines.append(f"  - {m.first_name} {m.last_name}: {role_label(Role(m.role))}, {m.partner}")
    lines += [
        _("Burglaries: {count} from {first} to {last}, of which {attempts} attempts "
          "({share})").format(
            count=format_number(counts["incidents"]), first=years[0], last=years[-1],
            attempts=format_number(attempts),
            share=fmt_pct(100 * attempts / max(1, len(data.incidents)), 1)),
        _("Actions: {count} in the action framework, {done} with work done, {overdue} "
          "overdue").format(count=counts["actions"], done=done, overdue=overdue),
        "",
        _("How to explore it:"),
        _("  1. Look inside: sqlite3 {path} 'SELECT buurt, COUNT(*) FROM incidents GROUP BY "
          "buurt'").format(path=path),
        _("  2. Run the bot on it with your own token from @BotFather:"),
        f"     TELEGRAM_BOT_TOKEN=<token> WIJKBOT_DATABASE={path} wijkbot run",
        _("  3. Join as project leader: open https://t.me/<your_bot>?start={payload} and send "
          "/help, /project.").format(payload=INVITE_PAYLOAD_PREFIX + counts["invite_code"]),
    ]
    return "\n".join(lines)


async def _meeting_documents(repos: Repositories, counts: dict[str, Any], points: list[str],
                             now: datetime, tz: ZoneInfo, language: str) -> dict[str, bytes]:
    """The draft agenda of the next meeting and the minutes of the last one, as the chat
    text and as Word documents the chair can edit."""
    meetings = MeetingService(repos, FixedClock(now), tz)
    incidents = IncidentService(repos, FixedClock(now), tz)
    past_id, next_id = counts["meetings"]
    past, upcoming = await repos.meetings.get(past_id), await repos.meetings.get(next_id)
    assert past is not None and upcoming is not None
    project_id = counts["project_id"]
    effects = await EffectService(repos, incidents).sentences(project_id, incidents.today(),
                                                              language)
    agenda = await meetings.agenda(project_id, upcoming, points, effects)
    # Section 3a of the minutes: the steering information that meeting received.
    past_points = await incidents.key_points(project_id, meetings.analysis_date(past),
                                             language=language)
    minutes = await meetings.minutes(project_id, past, past_points)
    files: dict[str, bytes] = {}
    with use_locale(language):
        for name, parts, document in (
            ("agenda", agenda_messages(agenda, language, WHOLE), agenda_docx(agenda, language)),
            ("minutes", minutes_messages(minutes, language, WHOLE),
             minutes_docx(minutes, language)),
        ):
            stem = document_filename(name, agenda.project, (upcoming if name == "agenda"
                                                            else past).starts_at, language)
            files[stem] = document
            text = "\n\n".join(plain_text(p) for p in parts)
            files[stem.replace(".docx", ".txt")] = (text + "\n").encode("utf-8")
    return files


def run_demo(out: Path, *, as_of: date | None = None, seed: int = 2026,
             timezone: str = "Europe/Amsterdam", language: str = "nl") -> int:
    tz = ZoneInfo(timezone)
    now = datetime.now(tz)
    reference = as_of or now.date()
    set_display_timezone(tz)
    data = generate_demo(reference, seed=seed)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)

    pack_dir = out.with_name(out.stem + "-sturing")

    async def build() -> tuple[dict[str, Any], int, int]:
        db = await Database(out).connect()
        try:
            counts = await store_demo(db, data, now=now)
            repos = Repositories(db)
            overdue = await repos.actions.count_open_overdue(counts["project_id"], reference)
            # The steering pack of the reference date, as the meeting would receive it.
            service = IncidentService(repos, FixedClock(now), tz)
            pack = await service.steering(counts["project_id"], reference, language=language)
            points = key_points_text(pack, language) + area_lines(pack_counts(pack))
            documents = await _meeting_documents(repos, counts, points, now, tz, language)
        finally:
            await db.close()
        write_pack(pack, points, pack_dir)
        for name, content in documents.items():
            (pack_dir / name).write_bytes(content)
        return counts, overdue, len(pack.figures)

    counts, overdue, charts = asyncio.run(build())
    print(summary(data, counts, out, overdue))
    print(_("Steering pack of {date}: {charts} charts, key points and numbers in {folder}/")
          .format(date=format_date(reference, "long"), charts=charts, folder=pack_dir))
    print(_("Draft agenda of the next meeting and minutes of the last one (text and .docx) "
            "in {folder}/").format(folder=pack_dir))
    return 0
