"""End to end with a controlled clock: the pre-meeting post arrives at its moment with the
agenda text and .docx, exactly once across restarts; check-ins go only to partners with due
actions; decisions and escalations appear in the next agenda; bad schedules are refused."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta

import docx

from bot.app import build_application
from handlers.meetings import catch_up, job_name
from tests.botapi import run_application
from tests.conftest import START, button, invitation_payload, link_code

GROUP = -8001


async def operational_group(people, botapi):
    """A project with two partners, an operational group and a fortnightly meeting."""
    leader = people(100, "Anna", "en")
    warden = people(200, "Dennis", "en")
    police = people(300, "Kees", "en")
    await leader.say("/newproject Veilig Wonen Oost | Havendam")
    await leader.say("/partner wardens Stadstoezicht Havendam")
    await leader.say("/partner police Politie Oost")
    for person, partner in ((warden, "Stadstoezicht Havendam"), (police, "Politie Oost")):
        invite = await leader.say(f"/invite {partner} | partner")
        await person.say(f"/start {invitation_payload(invite['text'])}")
        await botapi.next_message(leader.id)
    group = botapi.group(GROUP, "Operationeel overleg Oost")
    menu = await leader.say("/link")
    code = link_code((await leader.press_and_read(menu, button(botapi, menu, suffix=":op")))
                     ["text"])
    await leader.say(f"/link@wijkbot_test_bot {code}", group)
    return leader, warden, police, group


def posts(botapi, since: int = 0):
    return [c for c in botapi.calls[since:] if c.params.get("chat_id") == GROUP
            and c.method in ("sendMessage", "sendDocument") and c.ok]


def assert_due_at(job, moment: datetime, clock) -> None:  # type: ignore[no-untyped-def]
    """The job waits as long, on the system's clock, as ``moment`` lies ahead on the bot's
    (the tests' clock stands still at its own date, whatever today is)."""
    waits = job.next_t - datetime.now(UTC)
    assert abs(waits - (moment - clock.now())) < timedelta(seconds=30), (waits, moment)


async def test_schedule_post_once_and_restart(app, people, botapi, clock, settings) -> None:
    leader, warden, police, group = await operational_group(people, botapi)
    # Monday 23 Nov 2026, 10:00 local: meetings every other Monday from 7 December.
    reply = await leader.say("/meeting every 2 weeks monday 10:00 from 7-12-2026", group)
    assert "Monday, 7 December 2026, 10:00" in reply["text"]
    await warden.say("/action | extra avondronde | wardens | wk 49")  # due before the meeting
    await botapi.next_message(warden.id)
    await leader.say("/goal max 120 2027")
    await leader.say("/burglary Dorpsstraat 3 | 22-11 21:30 | attempt")  # data for the pack
    recorded = await warden.say("/decision extra rondes ook in het weekend", group)
    # The meeting's moment without seconds (CLDR's medium time would say 10:00:00).
    assert recorded["text"] == "Decision recorded for the meeting of 7 Dec 2026, 10:00."
    await police.say("/escalation camerabeelden sneller delen", group)
    await botapi.settle()
    [project] = await app.bot_data.repos.projects.list_all()
    [first, *_rest] = await app.bot_data.repos.meetings.upcoming(project.id, START)
    assert first.post_at.isoformat() == "2026-12-03T08:00:00+00:00"  # Thu 09:00 local
    [job] = app.job_queue.get_jobs_by_name(job_name("post", first.id))
    assert_due_at(job, first.post_at, clock)

    clock.set(first.post_at)
    mark = botapi.mark()
    await job.run(app)
    await botapi.settle()
    sent = posts(botapi, mark)
    [charts] = [c for c in botapi.calls[mark:] if c.method == "sendMediaGroup"]
    assert charts.params["chat_id"] == GROUP and len(charts.params["media"]) == 6
    texts = "\n".join(c.params.get("text", "") for c in sent)
    assert "Operational meeting" in texts
    assert "extra rondes ook in het weekend" in texts          # decision → item 6
    assert "camerabeelden sneller delen" in texts             # escalation → item 5
    assert "at most 120 burglaries" in texts                  # the goal, tracked
    assert "A1" in texts and "Stadstoezicht Havendam" in texts  # item 2 / 4
    [document] = [c for c in sent if c.method == "sendDocument"]
    upload = next(iter(document.files.values()))
    assert upload.filename.endswith(".docx")
    paragraphs = "\n".join(p.text for p in docx.Document(io.BytesIO(upload.data)).paragraphs)
    assert "extra rondes ook in het weekend" in paragraphs

    await job.run(app)  # a second run of the same moment posts nothing
    app.job_queue.run_once(catch_up, when=0)  # nor does a catch-up
    await asyncio.sleep(0.2)
    await botapi.settle()
    assert len(posts(botapi, mark)) == len(sent)

    # An action agreed on the meeting's day is linked to the meeting and in its minutes.
    clock.set(first.starts_at + timedelta(minutes=30))
    botapi.drain(GROUP)
    registered = await police.say("/action | buurtpreventie-wandeling | police | wk 50", group)
    assert "A2" in registered["text"], registered["text"]
    [project] = await app.bot_data.repos.projects.list_all()
    agreed = await app.bot_data.repos.actions.by_number(project.id, 2)
    assert agreed is not None and agreed.meeting_id == first.id
    # An action given a result at the meeting is an updated action of its minutes, also
    # after it changed again days later.
    await botapi.settle()
    botapi.drain(GROUP)
    for day, flyers in ((0, 12), (5, 30)):
        clock.set(first.starts_at + timedelta(days=day, minutes=40))
        result = await warden.say(f"/result A1 {flyers} flyers", group)
        assert "A1" in result["text"], result["text"]
    mark = botapi.mark()
    botapi.send_text(leader.user, "/minutes", group)
    await botapi.settle()
    minutes = "\n".join(c.params.get("text", "") for c in posts(botapi, mark))
    assert "A2" in minutes or "buurtpreventie-wandeling" in minutes
    updated = minutes.split("Updated actions")[1].split("Key points")[0]
    assert "A1" in updated and "A2" not in updated and "nothing yet" not in updated
    # Section 3a: the key points of the steering information the meeting received.
    analysis = minutes.split("Key points of the operational analysis")[1]
    assert "1 burglary" in analysis.split("\n")[1] and "nothing yet" not in analysis
    clock.set(first.post_at)

    # Check-ins the day before go only to the partner with a due action.
    clock.set(first.checkin_at)
    mark = botapi.mark()
    [checkin] = app.job_queue.get_jobs_by_name(job_name("checkin", first.id))
    await checkin.run(app)
    await botapi.settle()
    private = [c.params["chat_id"] for c in botapi.calls[mark:]
               if c.method == "sendMessage" and c.params.get("chat_id") in (200, 300)]
    assert private == [200]


async def test_restart_before_and_after_the_post(tmp_path, people, botapi, clock,
                                                 settings) -> None:
    app = build_application(settings, clock=clock)
    app.bot_data.reminder_catch_up_s = None
    async with run_application(app):
        leader, warden, police, group = await operational_group(people, botapi)
        await leader.say("/meeting every 2 weeks monday 10:00 from 7-12-2026", group)
        await botapi.settle()
    # Restarted before the moment: the job is rebuilt from the database and posts once.
    app = build_application(settings, clock=clock)
    app.bot_data.reminder_catch_up_s = 0.1
    async with run_application(app):
        await asyncio.sleep(0.3)
        [project] = await app.bot_data.repos.projects.list_all()
        [first] = (await app.bot_data.repos.meetings.upcoming(project.id, START))[:1]
        [job] = app.job_queue.get_jobs_by_name(job_name("post", first.id))
        assert_due_at(job, first.post_at, clock)
        clock.set(first.post_at)
        mark = botapi.mark()
        await job.run(app)
        await job.run(app)
        await botapi.settle()
        assert len([c for c in posts(botapi, mark)
                    if "Operational meeting" in c.params.get("text", "")]) == 1
    # A second project schedule (another rhythm) to check the catch-up path below.
    clock.set(START)
    app = build_application(settings, clock=clock)
    app.bot_data.reminder_catch_up_s = None
    async with run_application(app):
        await leader.say("/meeting every 2 weeks monday 10:00 from 14-12-2026", group)
        await botapi.settle()
    # Down when the post was due (Thursday 09:00); back on Friday: it posts once.
    clock.set(datetime(2026, 12, 11, 7, 0, tzinfo=UTC))
    mark = botapi.mark()
    for _restart in range(2):
        app = build_application(settings, clock=clock)
        app.bot_data.reminder_catch_up_s = 0.1
        async with run_application(app):
            await botapi.wait_for("getUpdates", since=botapi.mark())
            await botapi.settle(idle=0.5)
    headers = [c for c in posts(botapi, mark) if "Operational meeting" in
               c.params.get("text", "")]
    assert len(headers) == 1
    # After the meeting has passed nothing is posted for it any more.
    clock.set(datetime(2026, 12, 15, 7, 0, tzinfo=UTC))
    mark = botapi.mark()
    app = build_application(settings, clock=clock)
    app.bot_data.reminder_catch_up_s = 0.1
    async with run_application(app):
        await botapi.settle(idle=0.5)
    assert not [c for c in posts(botapi, mark) if "Operational meeting" in
                c.params.get("text", "")]


async def test_bad_schedules_and_rights(app, people, botapi, clock) -> None:
    leader, warden, police, group = await operational_group(people, botapi)
    impossible = await leader.say("/meeting date 31-02-2027 10:00", group)
    assert "31-02-2027" in impossible["text"]
    past = await leader.say("/meeting date 1-11-2026 10:00", group)
    assert "passed" in past["text"]
    refused = await warden.say("/meeting every 2 weeks monday 10:00", group)
    assert "project leader" in refused["text"]
    unlinked = await leader.say("/decision iets", botapi.group(-8999, "Los"))
    assert "not linked" in unlinked["text"]
    [project] = await app.bot_data.repos.projects.list_all()
    assert await app.bot_data.repos.meetings.upcoming(project.id, START) == []
    # A moved meeting gets new moments; a skipped one is not posted.
    await leader.say("/meeting every 2 weeks monday 10:00 from 7-12-2026", group)
    moved = await leader.say("/meeting move 7-12-2026 8-12-2026 14:00", group)
    assert "8 December 2026" in moved["text"]
    await leader.say("/meeting skip 21-12-2026", group)
    upcoming = await app.bot_data.repos.meetings.upcoming(project.id, START)
    assert upcoming[0].starts_at == datetime(2026, 12, 8, 13, 0, tzinfo=UTC)
    assert all(m.starts_at.date().isoformat() != "2026-12-21" for m in upcoming)
    assert timedelta(0) < upcoming[0].starts_at - upcoming[0].post_at


async def test_attendance_buttons_and_effect_command(app, people, botapi, clock) -> None:
    leader, warden, police, group = await operational_group(people, botapi)
    await leader.say("/meeting every 2 weeks monday 10:00 from 7-12-2026", group)
    clock.set(datetime(2026, 12, 7, 9, 30, tzinfo=UTC))  # during the meeting
    botapi.drain(GROUP)
    sheet = await leader.say("/attendance", group)
    assert "meeting of 7 Dec 2026, 10:00. Tap" in sheet["text"]
    police_button = button(botapi, sheet, label="Politie Oost")
    edited = await leader.press_and_read(sheet, police_button)
    assert any(t.startswith("✅") and t.endswith("Politie Oost")
               for t in botapi.button_texts(edited))
    refused = await warden.say("/attendance", group)
    assert "project leader" in refused["text"]
    [project] = await app.bot_data.repos.projects.list_all()
    meeting = await app.bot_data.meetings.current(project.id)
    assert meeting is not None
    present = await app.bot_data.repos.meetings.attendance(meeting.id)
    assert list(present.values()) == [True]
    minutes = await leader.say("/minutes", group)
    assert "✅ Politie Oost" in minutes["text"]
    # Ten days later (the next meeting is on 21 December) they are still the last minutes.
    clock.set(datetime(2026, 12, 17, 12, 0, tzinfo=UTC))
    await botapi.settle()  # the .docx of the minutes above
    botapi.drain(GROUP)
    later = await leader.say("/minutes", group)
    assert "7 December 2026" in later["text"] and "✅ Politie Oost" in later["text"]
    clock.set(datetime(2026, 12, 7, 9, 30, tzinfo=UTC))
    # /effect: an action needs an area and a period for a review.
    await warden.say("/action | flyers | wardens | wk 49")
    await botapi.next_message(warden.id)
    answer = await warden.say("/effect A1")
    assert "needs an area" in answer["text"]
    unknown = await warden.say("/effect A9")
    assert "no action A9" in unknown["text"]


async def test_the_post_goes_through_the_outbox_in_order(app, people, botapi, clock) -> None:
    """A transient failure in the middle of the pre-meeting post is retried by the outbox
    without anything overtaking it; a group that removed the bot gets nothing more."""
    leader, warden, police, group = await operational_group(people, botapi)
    await leader.say("/meeting every 2 weeks monday 10:00 from 7-12-2026", group)
    await leader.say("/burglary Dorpsstraat 3 | 22-11 21:30 | attempt")
    await botapi.settle()
    [project] = await app.bot_data.repos.projects.list_all()
    [first, second, *_rest] = await app.bot_data.repos.meetings.upcoming(project.id, START)
    clock.set(first.post_at)
    mark = botapi.mark()
    botapi.fail_next("sendMediaGroup", 502, "Bad Gateway", chat_id=GROUP)
    [job] = app.job_queue.get_jobs_by_name(job_name("post", first.id))
    await job.run(app)
    await botapi.settle()
    done = [c.method for c in botapi.calls[mark:] if c.params.get("chat_id") == GROUP and c.ok]
    assert done == ["sendMessage"]  # the header; the agenda waits for the charts
    clock.advance(timedelta(seconds=3))  # past the backoff
    app.bot_data.outbox.wake()
    await botapi.wait_for("sendDocument", since=mark)
    await botapi.settle()
    done = [c.method for c in botapi.calls[mark:] if c.params.get("chat_id") == GROUP and c.ok]
    assert done[:2] == ["sendMessage", "sendMediaGroup"]
    assert done[-1] == "sendDocument" and set(done[2:-1]) == {"sendMessage"}
    assert await app.bot_data.repos.outbox.counts() == {"sent": len(done)}

    # The next post to a group that removed the bot: the link ends, nothing else is tried.
    clock.set(second.post_at)
    mark = botapi.mark()
    botapi.fail_next("sendMessage", 403, "Forbidden: bot was kicked from the supergroup chat",
                     chat_id=GROUP)
    [job] = app.job_queue.get_jobs_by_name(job_name("post", second.id))
    await job.run(app)
    await botapi.settle()
    assert [c.ok for c in botapi.calls[mark:] if c.params.get("chat_id") == GROUP] == [False]
    assert await app.bot_data.repos.chats.active(GROUP) is None
    counts = await app.bot_data.repos.outbox.counts()
    assert counts["failed"] == 1 and counts["cancelled"] == len(done) - 1


async def test_a_meeting_planned_after_its_post_moment_gets_its_pack_at_once(
        app, people, botapi, clock) -> None:
    """Planned on Monday for Tuesday: the pack moment (two working days before) has passed;
    the pack and the check-ins go out now, not at the next restart. A second meeting on
    that day is refused."""
    leader, warden, police, group = await operational_group(people, botapi)
    await warden.say("/action | extra avondronde | wardens | wk 47")  # due: a check-in
    await botapi.next_message(warden.id)
    await leader.say("/burglary Dorpsstraat 3 | 22-11 21:30 | attempt")  # data for the pack
    mark = botapi.mark()
    planned = await leader.say("/meeting date 24-11-2026 14:00", group)
    assert "24 November 2026" in planned["text"]
    pack = await botapi.wait_for("sendMediaGroup", lambda c: c.params["chat_id"] == GROUP,
                                 since=mark, timeout=30)
    assert len(pack.params["media"]) == 6
    await botapi.wait_for("sendMessage", lambda c: c.params["chat_id"] == warden.id
                          and "A1" in c.params.get("text", ""), since=mark, timeout=10)
    await botapi.settle()
    botapi.drain(GROUP)
    twice = await leader.say("/meeting date 24-11-2026 16:00", group)
    assert twice["text"] == ("There is already a meeting on 24-11-2026. To change its time, "
                             "move it: “move 24-11-2026 24-11-2026 14:00”.")
    [project] = await app.bot_data.repos.projects.list_all()
    assert len(await app.bot_data.repos.meetings.upcoming(project.id, START)) == 1


async def test_weekly_rhythm_and_bad_rhythms(app, people, botapi, clock) -> None:
    leader, warden, police, group = await operational_group(people, botapi)
    negative = await leader.say("/meeting every -1 weeks monday 10:00", group)
    assert "A meeting rhythm is every 1 to 8 weeks." in negative["text"]
    await leader.say("/meeting every week monday 10:00 from 7-12-2026", group)
    [project] = await app.bot_data.repos.projects.list_all()
    first, second, *_rest = await app.bot_data.repos.meetings.upcoming(project.id, START)
    assert second.starts_at - first.starts_at == timedelta(weeks=1)


async def test_an_old_attendance_sheet_corrects_its_own_meeting(app, people, botapi,
                                                                clock) -> None:
    leader, warden, police, group = await operational_group(people, botapi)
    await leader.say("/meeting every 2 weeks monday 10:00 from 7-12-2026", group)
    clock.set(datetime(2026, 12, 7, 9, 30, tzinfo=UTC))
    botapi.drain(GROUP)
    sheet = await leader.say("/attendance", group)
    # At the next meeting, someone taps the old sheet (scrolled up in the group).
    clock.set(datetime(2026, 12, 21, 9, 30, tzinfo=UTC))
    await botapi.settle()
    botapi.drain(GROUP)
    await leader.press_and_read(sheet, button(botapi, sheet, label="Politie Oost"))
    [project] = await app.bot_data.repos.projects.list_all()
    meetings = {m.starts_at.day: m for m in await app.bot_data.repos.meetings.upcoming(
        project.id, START)}
    old = await app.bot_data.repos.meetings.attendance(meetings[7].id)
    now = await app.bot_data.repos.meetings.attendance(meetings[21].id)
    assert list(old.values()) == [True] and now == {}
