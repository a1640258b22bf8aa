"""A partnership with many buurtpreventie groups, for the crash test and bench/alerts.py:
one neighbourhood, ``groups`` groups linked to it, and a police export with one burglary
there (which touches all of them)."""

from __future__ import annotations

from datetime import datetime

from storage.alerts import AlertSettings
from storage.models import AreaKind, ChatPurpose
from storage.repositories import Repositories

LEADER = 100
FIRST_CHAT = -100_100_000

HEADER = ("Registratienummer;Pleegdatum van;Pleegtijd van;Pleegdatum tot;Pleegtijd tot;"
          "Pleeglocatie straat;Huisnummer;Postcode;Buurtnaam;CBS buurtcode;Wijknaam;"
          "Pleeggemeente;Poging j/n;Wijze van binnenkomst;X-coördinaat;Y-coördinaat")


def one_burglary(day: str = "22-11-2026") -> bytes:
    row = (f"PL9001;{day};21:30;{day};21:30;Dorpsstraat;47;2591AB;Oostbroek;BU99990101;Oost;"
           "Den Haag;n;Braak achterdeur;81000;455000")
    return f"{HEADER}\n{row}\n".encode()


async def watch_groups(repos: Repositories, groups: int, now: datetime, *,
                       language: str = "nl", with_map: bool = False) -> tuple[int, list[int]]:
    """Create the project and its groups; returns (project id, group chat ids)."""
    await repos.users.upsert(LEADER, "Anna", telegram_language=language)
    project = await repos.projects.create("Veilig Wonen Oost", "Den Haag", LEADER)
    area = await repos.projects.add_area(project.id, "Oostbroek", AreaKind.BUURT,
                                         "BU99990101", 1450)
    await repos.alerts.save_settings(project.id, AlertSettings(with_map=with_map), LEADER, now)
    chats = [FIRST_CHAT - n for n in range(groups)]
    for n, chat_id in enumerate(chats):
        await repos.chats.link(chat_id, project.id, ChatPurpose.NEIGHBOURHOOD_WATCH,
                               f"Buurtpreventie {n + 1}", (area.id,), LEADER, now,
                               language=language)
    return project.id, chats
