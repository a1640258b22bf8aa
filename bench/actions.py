"""Benchmark: bot-side processing time of /openstaand, /status and a one-line /actie with
10,000 actions and 50,000 history rows in the database.

The real Application processes real Update objects (handlers, permission checks, SQL,
text rendering, pagination); only the HTTP round trip to Telegram is replaced by a
request object that answers at once, so the figures exclude the network. A trivial echo
handler is measured in the same run as the floor. Target: p99 < 50 ms for each.

    .venv/bin/python bench/actions.py [--runs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import MessageHandler, filters
from telegram.request import BaseRequest, RequestData

from bot.app import build_application
from bot.clock import FixedClock
from bot.settings import Settings
from storage.db import Database, utc_iso
from storage.models import AreaKind, PartnerKind, Role
from storage.repositories import Repositories

TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwx"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LEADER, PARTNER_USER = 1, 2


class InstantRequest(BaseRequest):
    """Answers every Bot API call at once with a plausible result: no network."""

    def __init__(self) -> None:
        self.message_id = 0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         **_kwargs: Any) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        result: Any = True
        if endpoint == "getMe":
            result = {"id": 123456, "is_bot": True, "first_name": "Wijkbot",
                      "username": "wijkbot_bench_bot", "can_join_groups": True}
        elif endpoint.startswith("send") or endpoint.startswith("edit"):
            self.message_id += 1
            result = {"message_id": self.message_id, "date": int(time.time()),
                      "chat": {"id": params.get("chat_id", 1), "type": "private"},
                      "text": str(params.get("text", ""))}
        return 200, json.dumps({"ok": True, "result": result}).encode()


async def populate(path: Path, actions: int, history: int) -> None:
    rng = random.Random(7)
    db = await Database(path).connect()
    repos = Repositories(db)
    await repos.users.upsert(LEADER, "Anna")
    await repos.users.upsert(PARTNER_USER, "Dennis")
    project = await repos.projects.create("Bench", "Havendam", LEADER)
    partners = [await repos.projects.add_partner(project.id, f"Partner {i}", kind)
                for i, kind in enumerate(list(PartnerKind))]
    await repos.members.add(project.id, LEADER, partners[0].id, Role.PROJECTLEIDER)
    await repos.members.add(project.id, PARTNER_USER, partners[4].id, Role.PARTNER)
    areas = [await repos.projects.add_area(project.id, f"Buurt {i}", AreaKind.BUURT)
             for i in range(12)]
    stamp = utc_iso(NOW)
    async with db.transaction():
        action_rows, partner_rows, result_rows = [], [], []
        for n in range(1, actions + 1):
            start = date(2025, 1, 6) + timedelta(weeks=rng.randrange(0, 100))
            action_rows.append((n, project.id, n, rng.choice(areas).id, "probleem",
                                f"actie {n} extra surveillance", "doel", "preventie", "domein",
                                start.isoformat(), (start + timedelta(days=13)).isoformat(),
                                "2 pers", "", None, LEADER, stamp, stamp))
            for partner in rng.sample(partners, rng.choice((1, 1, 2))):
                status = rng.choices(("open", "done", "not_done"), (3, 6, 1))[0]
                partner_rows.append((n, partner.id, status, None, stamp))
            if rng.random() < 0.5:
                result_rows.append((n, project.id, None, f"{rng.randint(1, 40)} flyers",
                                    rng.randint(1, 40), "flyers", LEADER, stamp))
        await db.executemany(
            "INSERT INTO actions(id, project_id, number, area_id, problem, what, aim, type,"
            " target, period_start, period_end, capacity, notes, expected_effect, created_by,"
            " created_at, updated_at, partnerless) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0)",
            action_rows)
        await db.executemany(
            "INSERT OR IGNORE INTO action_partners(action_id, partner_id, status, reason,"
            " updated_at) VALUES (?,?,?,?,?)", partner_rows)
        await db.executemany(
            "INSERT INTO action_results(action_id, project_id, partner_id, text, quantity, unit,"
            " created_by, created_at) VALUES (?,?,?,?,?,?,?,?)", result_rows)
        await db.executemany(
            "INSERT INTO action_history(action_id, at, user_id, field, old_value, new_value)"
            " VALUES (?,?,?,?,?,?)",
            [(rng.randint(1, actions), stamp, LEADER, "notes", "a", "b") for _ in range(history)])
    await db.close()


def update(bot: Any, update_id: int, user_id: int, text: str) -> Update:
    command = text.split()[0]
    return Update.de_json({
        "update_id": update_id,
        "message": {"message_id": update_id, "date": int(NOW.timestamp()), "text": text,
                    "chat": {"id": user_id, "type": "private", "first_name": "X"},
                    "from": {"id": user_id, "is_bot": False, "first_name": "X",
                             "language_code": "nl"},
                    "entities": [{"type": "bot_command", "offset": 0,
                                  "length": len(command)}]}}, bot)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def main(runs: int, actions: int, history: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite"
        t0 = time.perf_counter()
        await populate(path, actions, history)
        print(f"populated {actions} actions, {history} history rows in "
              f"{time.perf_counter() - t0:.1f} s")
        settings = Settings(token=TOKEN, database=path)
        app = build_application(settings, clock=FixedClock(NOW), request=InstantRequest())
        app.bot_data.reminder_catch_up_s = None

        async def echo(update: Update, context: Any) -> None:
            assert update.effective_chat is not None
            await update.effective_chat.send_message("echo")

        app.add_handler(MessageHandler(filters.Regex("^/echo"), echo), group=-2)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        cases = {
            "echo (floor)": (PARTNER_USER, "/echo"),
            "/openstaand": (LEADER, "/openstaand"),
            "/status": (LEADER, "/status"),
            "/actie one line": (PARTNER_USER, "/actie Buurt 3 | extra avondronde achterpaden |"
                                " Partner 4 | wk 48-49 | 2 pers 19-23u"),
        }
        timings: dict[str, list[float]] = {name: [] for name in cases}
        uid = 0
        for _round in range(runs):
            for name, (user, text) in cases.items():
                uid += 1
                upd = update(app.bot, uid, user, text)
                # Stay under Telegram's 30 messages/s so the rate limiter never holds a
                # message back: that wait is flood control, not processing.
                await asyncio.sleep(0.04)
                start = time.perf_counter()
                await app.process_update(upd)
                timings[name].append((time.perf_counter() - start) * 1000)
        floor = statistics.median(timings["echo (floor)"])
        print(f"\n{'case':<18}{'median ms':>11}{'p99 ms':>9}{'x echo':>9}  target p99 < 50 ms")
        for name, values in timings.items():
            med, p99 = statistics.median(values), percentile(values, 99)
            verdict = "" if name.startswith("echo") else ("ok" if p99 < 50 else "MISSED")
            print(f"{name:<18}{med:>11.2f}{p99:>9.2f}{med / floor:>9.1f}  {verdict}")
        assert app.post_shutdown is not None
        await app.shutdown()
        await app.post_shutdown(app)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--history", type=int, default=50_000)
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.actions, args.history))
