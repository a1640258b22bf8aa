"""Privacy: whatever the police export holds — house numbers (also inside the street field),
names of victims and suspects, postcodes, exact times, coordinates — nothing finer than the
street reaches a buurtpreventie group, in any alert, update or follow-up."""

from __future__ import annotations

import json
import random
import re
from datetime import timedelta

from bot.clock import FixedClock
from tests.test_alerts_e2e import HEADER, run_daily_detection, upload, watch_setup
from tests.test_incidents_e2e import project_with_analyst

NAMES = ("Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer")
STREETS = ("Dorpsstraat", "Kerkstraat", "Molenweg", "Havenkade", "Lindelaan", "Beukenhof")


def messy_export(n: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    lines = [HEADER + ";Opmerking"]
    for i in range(n):
        east = rng.random() < 0.6
        x = (81_000 if east else 79_000) + rng.uniform(-700, 700)
        y = 455_000 + rng.uniform(-700, 700)
        street = rng.choice(STREETS)
        number = 1001 + i  # 1001–1300: never a count, date or time
        in_street = rng.random() < 0.3  # exports sometimes put the number in the street,
        more = rng.choice(("", "", ", 1e verdieping", " (achterzijde)", " boven", " 2hg"))
        day = 9 + rng.randrange(14)
        hour, minute = rng.randrange(24), rng.randrange(60)
        name = rng.choice(NAMES)
        mo = rng.choice(("Braak achterdeur", "Insluiping", "Cilinder trekken")) + \
            f" (verdachte {name})"
        buurt, code = ("Oostbroek", "BU99990101") if east else ("Westhaven", "BU99990102")
        lines.append(
            f"PX{i:04d};{day:02d}-11-2026;{hour:02d}:{minute:02d};{day:02d}-11-2026;"
            f"{hour:02d}:{minute:02d};{street + (f' {number}{more}' if in_street else '')};"
            f"{'' if in_street else number};2591 KX;{buurt};{code};Oost;Den Haag;"
            f"{rng.choice('jn')};{mo};{x:.2f};{y:.2f};slachtoffer mevr. {rng.choice(NAMES)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


FORBIDDEN = [
    (re.compile(r"\b1[0-3]\d\d\b"), "house number"),
    (re.compile(r"\b\d{1,2}[:.]\d{2}\b"), "exact time"),
    (re.compile(r"\b2591\b|\bKX\b"), "postcode"),
    (re.compile(r"\b\d{5,}\b"), "coordinate"),
    (re.compile("|".join((*NAMES, "verdachte", "slachtoffer", "mevr"))), "name"),
]


def leaks(text: str) -> list[str]:
    return [f"{what}: {m.group(0)!r}" for pattern, what in FORBIDDEN
            for m in [pattern.search(text)] if m]


async def test_no_personal_detail_reaches_a_neighbourhood_watch_group(
        app, people, botapi, clock: FixedClock) -> None:
    leader, analyst, project, east, west = await watch_setup(app, people, botapi, "nl")
    await upload(botapi, analyst, "export.csv", messy_export(300))
    repos = app.bot_data.repos
    assert await repos.incidents.count(project.id) == 300
    # A week later more burglaries (updates), and after the window the zones end
    # (follow-ups): every kind of message a group can get.
    clock.advance(timedelta(days=2))
    await run_daily_detection(app)
    clock.advance(timedelta(days=30))
    await run_daily_detection(app)
    for _ in range(100):
        counts = await repos.outbox.counts()
        if not counts.get("pending") and not counts.get("sending"):
            break
        await botapi.settle(idle=0.1)
    group_ids = {east["id"], west["id"]}
    texts = []
    for call in botapi.calls:
        params = call.params
        if params.get("chat_id") in group_ids:
            texts += [str(params.get("text") or ""), str(params.get("caption") or "")]
    rows = await repos.db.fetchall("SELECT chat_id, payload FROM outbox")
    for row in rows:
        if row["chat_id"] in group_ids:
            payload = json.loads(row["payload"])
            texts.append(payload.get("text", ""))
            if payload.get("photo"):  # stored once, referred to by every alert
                [(data, _telegram_id)] = (await repos.outbox.files(
                    [payload["photo"]["file"]])).values()
                assert data.startswith(b"\x89PNG")
    sent = [t for t in texts if t]
    assert len(sent) >= 4  # alerts and follow-ups to both groups
    assert any(s in t for t in sent for s in STREETS), sent  # streets are fine
    problems = {t[:80]: leaks(t) for t in sent if leaks(t)}
    assert not problems, problems
    # The hotspot records themselves hold nothing finer either.
    for hotspot in await repos.alerts.hotspots(project.id, active_only=False):
        stored = " ".join([*hotspot.streets, *hotspot.buurten, *hotspot.mo])
        assert not leaks(stored), stored
        if hotspot.grid_x is not None and hotspot.grid_y is not None:
            assert hotspot.grid_x % 250 == 125 and hotspot.grid_y % 250 == 125


async def test_a_partner_sees_streets_without_house_numbers(app, people, botapi) -> None:
    """/incidenten and /hotspots for a role without the right to incident detail: streets,
    also where the export put the number (and more) into the street field."""
    _leader, analyst, partner = await project_with_analyst(people, botapi, "nl")
    await upload(botapi, analyst, "export.csv", messy_export(300))
    await botapi.next_message(analyst.id)  # the import's status message
    since = botapi.mark()
    await partner.say("/incidenten")
    await partner.say("/hotspots")
    await botapi.settle()
    sent = [str(c.params.get("text") or "") for c in botapi.calls[since:]
            if c.params.get("chat_id") == partner.id]
    listing = next(t for t in sent if "Kerkstraat" in t or "Dorpsstraat" in t)
    assert "Kerkstraat" in listing or "Dorpsstraat" in listing
    numbers = re.compile(r"\b1[0-3]\d\d\b|verdieping|achterzijde|boven|2hg")
    assert not [t for t in sent if numbers.search(t)], sent
    # The analyst (who may see detail) still gets the house numbers.
    detail = await analyst.say("/incidenten")
    assert re.search(r"\b1[0-3]\d\d\b", detail["text"]), detail["text"]
