"""End to end: reminders in the period's last week, exactly once, across restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import build_application
from handlers.reminders import JOB_DAILY
from tests.botapi import FakeBotAPI, run_application
from tests.conftest import invitation_payload


def reminders_sent(botapi: FakeBotAPI, chat_id: int) -> list[dict[str, Any]]:
    """The reminder messages (⏰) the bot sent to one chat."""
    return [m for m in botapi.sent(chat_id) if "⏰" in m.get("text", "")]


async def setup_project(people, botapi):
    leader = people(100, "Anna", "nl")
    warden = people(200, "Dennis", "en")
    colleague = people(201, "Tomasz", "nl")
    await leader.say("/nieuwproject Veilig Wonen Oost | Havendam")
    await leader.say("/partner stadstoezicht Stadstoezicht Havendam")
    invite = await leader.say("/uitnodigen Stadstoezicht Havendam | partner | meermalig")
    for person in (warden, colleague):
        await person.say(f"/start {invitation_payload(invite['text'])}")
        await botapi.next_message(leader.id)
    return leader, warden, colleague


async def run_daily_job(app) -> None:
    [job] = app.job_queue.get_jobs_by_name(JOB_DAILY)
    await job.run(app)


async def test_reminder_fires_in_the_last_week_exactly_once(app, people, botapi, clock,
                                                            settings) -> None:
    leader, warden, colleague = await setup_project(people, botapi)
    # Agreed in week 48 for weeks 49-50: the reminder is due in week 50.
    await warden.say("/action | extra avondronde | stadstoezicht | wk 49-50")
    await botapi.next_message(warden.id)
    await colleague.say("/herinneringen pauze")

    await run_daily_job(app)  # week 48: nothing due yet
    await botapi.settle()
    assert not reminders_sent(botapi, warden.id)

    clock.set(datetime(2026, 12, 7, 8, 0, tzinfo=UTC))  # Monday of week 50
    mark = botapi.mark()
    await run_daily_job(app)
    reminder = await botapi.next_message(warden.id)
    assert "A1" in reminder["text"] and "ends this week" in reminder["text"]
    assert [b.split(":")[1] for b in botapi.button_data(reminder)] == ["done", "res", "post",
                                                                       "nd"]
    await run_daily_job(app)  # the same day again: nothing new
    await botapi.settle()
    to_members = [c for c in botapi.calls_to("sendMessage")[0:] if c.index >= mark
                  and c.params.get("chat_id") in (200, 201)]
    assert len(to_members) == 1  # once, and not to the member who paused reminders

    # The overdue digest goes to the project leader once per week.
    clock.set(datetime(2026, 12, 14, 8, 0, tzinfo=UTC))  # week 51: A1 is overdue
    await run_daily_job(app)
    digest = await botapi.next_message(leader.id)
    assert "A1" in digest["text"] and "Stadstoezicht Havendam" in digest["text"]
    await run_daily_job(app)
    await botapi.settle()
    assert [m for m in botapi.sent(leader.id) if "A1" in m.get("text", "")] == [digest]

    # Pressing "postpone" on the reminder moves the period: a new last week, a new reminder.
    since = botapi.mark()
    botapi.press_button(warden.user, reminder, botapi.button_data(reminder)[2])
    answer = await botapi.wait_for("answerCallbackQuery", since=since)
    assert "changed" not in answer.params.get("text", "")


async def test_restart_neither_repeats_nor_loses_a_reminder(tmp_path, people, botapi, clock,
                                                            settings) -> None:
    app = build_application(settings, clock=clock)
    app.bot_data.reminder_catch_up_s = None
    async with run_application(app):
        leader, warden, colleague = await setup_project(people, botapi)
        await warden.say("/action | flyers | stadstoezicht | wk 48")
        await botapi.next_message(warden.id)
    # The bot was down when the daily run would have happened; at start-up it catches up.
    clock.advance(timedelta(hours=30))
    for _restart in range(2):
        app = build_application(settings, clock=clock)
        app.bot_data.reminder_catch_up_s = 0.1
        async with run_application(app):
            await botapi.wait_for("getUpdates")
            await botapi.settle(idle=0.5)
    reminders = reminders_sent(botapi, 200)
    assert len(reminders) == 1
    reminders_colleague = reminders_sent(botapi, 201)
    assert len(reminders_colleague) == 1


async def test_failed_delivery_is_retried_by_the_outbox(app, people, botapi, clock) -> None:
    leader, warden, colleague = await setup_project(people, botapi)
    await warden.say("/action | flyers | stadstoezicht | wk 48")
    await botapi.next_message(warden.id)
    botapi.fail_next("sendMessage", 500, "Internal Server Error", chat_id=200)
    await run_daily_job(app)
    await botapi.settle()
    assert not reminders_sent(botapi, 200)
    outbox = app.bot_data.repos.outbox
    assert (await outbox.counts()).get("pending") == 1  # waiting for its backoff
    await run_daily_job(app)  # a second run queues nothing new
    assert (await outbox.counts()).get("pending") == 1
    clock.advance(timedelta(seconds=3))  # the backoff has passed: the outbox sends it
    app.bot_data.outbox.wake()
    reminder = await botapi.next_message(200)
    assert "⏰" in reminder["text"]
    await botapi.settle()
    assert len(reminders_sent(botapi, 200)) == 1


async def test_a_user_who_blocked_the_bot_is_not_retried(app, people, botapi, clock) -> None:
    leader, warden, colleague = await setup_project(people, botapi)
    await warden.say("/action | flyers | stadstoezicht | wk 48")
    await botapi.next_message(warden.id)
    botapi.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=200)
    await run_daily_job(app)
    await botapi.settle()
    clock.advance(timedelta(minutes=30))
    app.bot_data.outbox.wake()
    await run_daily_job(app)
    await botapi.settle()
    assert not reminders_sent(botapi, 200)
    assert len(reminders_sent(botapi, 201)) == 1
    counts = await app.bot_data.repos.outbox.counts()
    assert counts.get("failed") == 1 and not counts.get("pending")
