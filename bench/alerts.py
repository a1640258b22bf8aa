"""Benchmark: one burglary touching 200 buurtpreventie groups — the time from the import
to the last alert delivered, against a local Bot API server that enforces Telegram's flood
limits (30 messages/s overall, 20/min per group; 429 answers otherwise).

The floor is set by those limits: ``groups ÷ 30`` seconds. Target: at most 1.2× the floor
and zero 429 answers. Everything is real — the import, hotspot detection, the alert texts
(and, with ``--map``, the map PNGs), the outbox, the sender, PTB's AIORateLimiter and HTTP
to the server — nothing is mocked.

    .venv/bin/python bench/alerts.py [--groups 200] [--map]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

# The fake Bot API server lives with the tests; run from anywhere.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_application
from bot.clock import FixedClock
from bot.settings import Settings
from tests.botapi import FakeBotAPI, run_application
from tests.broadcast import one_burglary, watch_groups

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OVERALL_PER_S = 30


async def run(groups: int, with_map: bool) -> dict[str, float]:
    async with FakeBotAPI(enforce_limits=True) as server:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(token=server.token, database=Path(tmp) / "bench.sqlite",
                                bot_api_url=server.base_url, bot_file_url=server.base_file_url)
            app = build_application(settings, clock=FixedClock(NOW))
            app.bot_data.reminder_catch_up_s = None
            async with run_application(app):
                repos = app.bot_data.repos
                assert repos is not None and app.bot_data.incidents is not None
                project_id, chats = await watch_groups(repos, groups, NOW, with_map=with_map)
                for n, chat_id in enumerate(chats):
                    server.group(chat_id, f"Buurtpreventie {n + 1}")
                await server.settle()
                wanted = set(chats)
                method = "sendPhoto" if with_map else "sendMessage"

                def delivered() -> int:
                    return sum(1 for c in server.calls_to(method)
                               if c.ok and c.params.get("chat_id") in wanted)

                start = time.perf_counter()
                report = await app.bot_data.incidents.import_file(
                    project_id, one_burglary(), "export.csv", user_id=None)
                assert report.imported == 1
                queued = time.perf_counter() - start
                while delivered() < groups:
                    if time.perf_counter() - start > 30 + groups:
                        raise SystemExit(f"only {delivered()} of {groups} alerts delivered")
                    await asyncio.sleep(0.005)
                elapsed = time.perf_counter() - start
                per_chat = [len(server.drain(c)) for c in chats]
        return {"groups": groups, "elapsed": elapsed, "queued": queued,
                "floor": groups / OVERALL_PER_S, "violations": server.rate_limit_violations,
                "duplicates": sum(n - 1 for n in per_chat if n > 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--map", action="store_true", help="send each alert with its map")
    args = parser.parse_args()
    result = asyncio.run(run(args.groups, args.map))
    ratio = result["elapsed"] / result["floor"]
    print(f"alerts to {result['groups']:.0f} groups{' with map' if args.map else ''}")
    print(f"  import → outbox (detection, texts{', maps' if args.map else ''}): "
          f"{result['queued']:.2f} s")
    print(f"  import → last alert delivered: {result['elapsed']:.2f} s")
    print(f"  floor set by the limits ({result['groups']:.0f} ÷ {OVERALL_PER_S}/s): "
          f"{result['floor']:.2f} s")
    print(f"  ratio: {ratio:.2f}× the floor (target ≤ 1.2×)")
    print(f"  429 answers: {result['violations']:.0f} (target 0); duplicates: "
          f"{result['duplicates']:.0f}")


if __name__ == "__main__":
    main()
