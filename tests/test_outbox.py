"""The outbox sender: Telegram's flood limits, retries, permanent failures — and a crash
(SIGKILL) or a stop in the middle of a broadcast, after which every alert is delivered
exactly once by the restarted bot."""

from __future__ import annotations

import asyncio
import base64
import inspect
import io
import json
import signal
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from bot.alerts import AlertService
from bot.clock import Clock
from bot.incidents import IncidentService
from bot.outbox import Limits, Pacer
from bot.settings import Settings
from storage.db import Database, utc_iso
from storage.models import ChatPurpose
from storage.repositories import Repositories
from tests.botapi import BotAPIError, Call, FakeBotAPI
from tests.broadcast import LEADER, one_burglary, watch_groups
from tests.test_cli import cli_env

GROUPS = 40
STOP_AT = 15


def test_pacer_spaces_messages_and_respects_the_group_limit() -> None:
    now = [0.0]
    pacer = Pacer(Limits(overall=30, overall_period=1.0, per_group=20, group_period=60.0),
                  monotonic=lambda: now[0])
    sent = 0
    while now[0] < 1.0:
        if pacer.overall_delay() <= 0:
            pacer.record(-sent - 1)
            sent += 1
        now[0] += 0.001
    assert 29 <= sent <= 30  # evenly spaced, never more than 30 in a second
    for _ in range(20):
        now[0] += 1
        assert pacer.chat_delay(-500) == 0
        pacer.record(-500)
    assert pacer.chat_delay(-500) > 30  # the 21st message to one group waits for the minute
    assert pacer.chat_delay(-501) == 0  # other groups do not


def test_pacer_keeps_its_pace_when_each_send_is_a_little_late() -> None:
    """The claim after the wait takes a moment; over a broadcast that must not add up, and
    the sliding window (real times) still never lets more than the limit through."""
    now = [0.0]
    pacer = Pacer(Limits(overall=30, overall_period=1.0, per_group=20, group_period=60.0),
                  monotonic=lambda: now[0])
    moments = []
    while now[0] < 10.0:
        if pacer.overall_delay() <= 0:
            now[0] += 0.004  # the claim: 4 ms between the wait and the send
            pacer.record(-len(moments) - 1)
            moments.append(now[0])
        now[0] += 0.0005
    assert len(moments) >= 295  # ~30 a second; drifting by 4 ms each would give ~268
    assert max(sum(1 for m in moments if start <= m < start + 1.0)
               for start in moments) <= 30
    # An album of six counts as six messages: five more fit in that group's minute... and
    # the overall window makes room for six.
    album = Pacer(Limits(overall=30, overall_period=1.0, per_group=20, group_period=60.0),
                  monotonic=lambda: now[0])
    for _ in range(14):
        album.record(-9)
    assert album.chat_delay(-9, 6) == 0
    album.record(-9, 6)
    assert album.chat_delay(-9) > 50


async def test_a_map_for_many_groups_is_stored_and_uploaded_once(app, botapi) -> None:
    repos = app.bot_data.repos
    project_id, chats = await watch_groups(repos, 5, app.bot_data.clock.now(), with_map=True)
    for n, chat_id in enumerate(chats):
        botapi.group(chat_id, f"Buurtpreventie {n + 1}")
    await app.bot_data.incidents.import_file(project_id, one_burglary(), "export.csv",
                                             user_id=None)
    for _ in range(100):
        if len([c for c in botapi.calls_to("sendPhoto") if c.ok]) == len(chats):
            break
        await asyncio.sleep(0.05)
    photos = [c for c in botapi.calls_to("sendPhoto") if c.ok]
    assert sorted(c.params["chat_id"] for c in photos) == sorted(chats)
    uploads = [c for c in photos if c.files]
    assert len(uploads) == 1  # the first upload; the others send Telegram's file id
    [uploaded] = uploads[0].files.values()
    assert uploaded.data.startswith(b"\x89PNG")
    file_id = photos[-1].params["photo"]
    assert isinstance(file_id, str) and botapi.file_bytes(file_id) == uploaded.data
    assert await repos.db.fetchval("SELECT COUNT(*) FROM outbox_files") == 1

    # A group linked later to the same, unchanged zone gets the alert with its map too.
    late = chats[-1] - 1
    botapi.group(late, "Buurtpreventie laat")
    [area] = await repos.projects.areas(project_id)
    await repos.chats.link(late, project_id, ChatPurpose.NEIGHBOURHOOD_WATCH, "Laat",
                           (area.id,), LEADER, app.bot_data.clock.now(), language="nl")
    report = await app.bot_data.alerts.refresh(project_id)
    assert report.queued == 1 and report.new == 0
    photo = await botapi.wait_for("sendPhoto", lambda c: c.params.get("chat_id") == late)
    assert photo.ok and photo.params["photo"] == file_id  # same bytes: stored, uploaded once


async def _prepare(db_path: Path) -> list[int]:
    """Groups and one imported burglary: the outbox holds one alert per group."""
    async with Database(db_path) as db:
        repos = Repositories(db)
        clock = Clock()
        settings = Settings(database=db_path)
        project_id, chats = await watch_groups(repos, GROUPS, clock.now())
        incidents = IncidentService(repos, clock, settings.tz)
        alerts = AlertService(repos, clock, settings.tz)
        incidents.after_change.append(alerts.refresh)
        # Yesterday evening: the bot in the subprocess runs on the system's clock, so the
        # burglary must be recent on that clock, whatever day the tests run.
        yesterday = clock.now().astimezone(settings.tz).date() - timedelta(days=1)
        await incidents.import_file(project_id, one_burglary(f"{yesterday:%d-%m-%Y}"),
                                    "export.csv", user_id=None)
        assert (await repos.outbox.counts()) == {"pending": GROUPS}
    return chats


async def _outbox(db_path: Path) -> dict[str, int]:
    async with Database(db_path) as db:
        return await Repositories(db).outbox.counts()


@pytest.mark.parametrize("how", ["sigkill", "sigterm"])
async def test_crash_or_stop_mid_broadcast_delivers_every_alert_exactly_once(
        tmp_path: Path, how: str) -> None:
    db_path = tmp_path / "wijkbot.sqlite"
    chats = await _prepare(db_path)
    async with FakeBotAPI(enforce_limits=True) as server:
        for n, chat_id in enumerate(chats):
            server.group(chat_id, f"Buurtpreventie {n + 1}")
        builtin = server._methods["sendmessage"][1]
        process: asyncio.subprocess.Process | None = None
        calls = 0

        async def send(call: Call) -> object:
            nonlocal calls
            if call.params.get("chat_id", 0) < 0:
                calls += 1
                if calls == STOP_AT and process is not None:
                    if how == "sigkill":
                        # The bot dies with this request in flight; Telegram never got it.
                        process.kill()
                        await process.wait()
                        raise BotAPIError(502, "Bad Gateway")
                    process.send_signal(signal.SIGTERM)  # a stop: this request completes
            result = builtin(call)
            return await result if inspect.isawaitable(result) else result

        server.on("sendMessage", send)
        env = cli_env(tmp_path, TELEGRAM_BOT_TOKEN=server.token, WIJKBOT_DATABASE=str(db_path),
                      WIJKBOT_BOT_API_URL=server.base_url,
                      WIJKBOT_BOT_FILE_URL=server.base_file_url)

        async def start() -> asyncio.subprocess.Process:
            return await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)

        process = await start()
        _out, first_err = await asyncio.wait_for(process.communicate(), timeout=60)
        assert process.returncode == (-signal.SIGKILL if how == "sigkill" else 0), first_err
        midway = await _outbox(db_path)
        delivered = {c: len(server.drain(c)) for c in chats}
        if how == "sigkill":
            assert sum(delivered.values()) == STOP_AT - 1
        else:  # the stop lets requests in flight finish (and maybe one more start)
            assert sum(delivered.values()) >= STOP_AT
        assert midway.get("pending", 0) > 0  # the broadcast really was interrupted
        if how == "sigkill":
            assert midway.get("sending") == 1  # the request that never arrived
        server.on("sendMessage", None)

        process = await start()
        try:
            for _ in range(300):
                if (await _outbox(db_path)).get("sent") == GROUPS:
                    break
                await asyncio.sleep(0.1)
        finally:
            process.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(process.communicate(), timeout=30)
        assert "Traceback" not in err.decode()
        for chat_id in chats:
            delivered[chat_id] += len(server.drain(chat_id))
        assert set(delivered.values()) == {1}, delivered  # every group exactly once
        assert await _outbox(db_path) == {"sent": GROUPS}
        assert server.rate_limit_violations == 0


async def test_older_and_broken_rows(app, botapi) -> None:
    """A row queued before photos were stored apart (inline base64) is still sent; a row
    whose payload cannot be sent is marked failed and the rest is delivered."""
    repos = app.bot_data.repos
    now = app.bot_data.clock.now()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, format="PNG")
    data = buffer.getvalue()
    group = botapi.group(-7001, "Oud")
    await repos.db.execute(
        "INSERT INTO outbox(dedupe_key, chat_id, method, payload, next_attempt_at, created_at)"
        " VALUES ('old', ?, 'send', ?, ?, ?)",
        (group["id"], json.dumps({"photo": base64.b64encode(data).decode(), "text": "oud"}),
         utc_iso(now), utc_iso(now)))
    await repos.outbox.enqueue("broken", group["id"], {"no": "text"}, now=now)
    await repos.outbox.enqueue("after", group["id"], {"text": "daarna"}, now=now)
    app.bot_data.outbox.wake()
    await botapi.wait_for("sendMessage", lambda c: c.params.get("chat_id") == group["id"])
    [photo] = [c for c in botapi.calls_to("sendPhoto") if c.params.get("chat_id") == group["id"]]
    assert photo.ok and next(iter(photo.files.values())).data == data
    await botapi.settle()
    assert await repos.outbox.counts() == {"sent": 2, "failed": 1}
