"""The outbox sender: Telegram's flood limits, retries, permanent failures — and a crash
(SIGKILL) or a stop in the middle of a broadcast, after which every alert is delivered
exactly once by the restarted bot."""

from __future__ import annotations

import asyncio
import inspect
import signal
import sys
from pathlib import Path

import pytest

from bot.alerts import AlertService
from bot.clock import Clock
from bot.incidents import IncidentService
from bot.outbox import Limits, Pacer
from bot.settings import Settings
from storage.db import Database
from storage.repositories import Repositories
from tests.botapi import BotAPIError, Call, FakeBotAPI
from tests.broadcast import one_burglary, watch_groups
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
        await incidents.import_file(project_id, one_burglary(), "export.csv", user_id=None)
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
