"""The analytics frame kept in memory per project: read once, read again after every change
to the project's incidents — whoever made it, in this process or another."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from bot.incidents import IncidentService
from bot.permissions import ChatKind
from storage.db import Database
from storage.incidents import ImportLog, NewIncident
from storage.models import PartnerKind, Role
from storage.repositories import Repositories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
async def setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = await Database(tmp_path / "w.sqlite").connect()
    repos = Repositories(db)
    await repos.users.upsert(1, "Kees", None, None, "nl")
    project = await repos.projects.create("Veilig Oost", "Havendam", 1)
    police = await repos.projects.add_partner(project.id, "Politie Oost", PartnerKind.POLITIE)
    await repos.members.add(project.id, 1, police.id, Role.WIJKAGENT)
    service = IncidentService(repos, FixedClock(NOW), ZoneInfo("Europe/Amsterdam"))
    reads: list[int] = []
    read = repos.incidents.analysis_rows

    async def counted(project_id: int):  # type: ignore[no-untyped-def]
        reads.append(project_id)
        return await read(project_id)

    repos.incidents.analysis_rows = counted  # type: ignore[method-assign]
    yield db, repos, service, project.id, reads
    await db.close()


def incident(key: str, street: str, days_ago: int = 1) -> NewIncident:
    at = NOW - timedelta(days=days_ago)
    return NewIncident(key, at, at, street=street, buurt="Oostbroek")


async def test_the_frame_is_read_once_until_the_incidents_change(setup) -> None:
    db, repos, service, project_id, reads = setup
    await repos.incidents.add_many(project_id, [incident("a", "Dorpsstraat")],
                                   source="import", created_by=1, now=NOW)
    first = await service.frame(project_id)
    again = await service.frame(project_id)
    assert list(again["street"]) == ["Dorpsstraat"] and len(reads) == 1
    # Each caller gets its own copy: changing one changes nothing for the next.
    first.loc[0, "street"] = "Elders"
    assert list((await service.frame(project_id))["street"]) == ["Dorpsstraat"]
    assert (await service.frame(project_id, "oostbroek"))["street"].tolist() == ["Dorpsstraat"]
    assert len(reads) == 1
    # A registration is read; re-importing known rows (nothing inserted) is not a change.
    registered = await service.register(
        1, project_id, ChatKind.PRIVATE, occurred_from=NOW - timedelta(hours=3),
        occurred_to=NOW - timedelta(hours=2), street="Kerkstraat", house_number="4",
        attempt=False, modus_operandi=None)
    assert sorted((await service.frame(project_id))["street"]) == ["Dorpsstraat", "Kerkstraat"]
    assert await repos.incidents.add_many(project_id, [incident("a", "Dorpsstraat")],
                                          source="import", created_by=1, now=NOW) == 0
    await service.frame(project_id)
    assert len(reads) == 2
    # Withdrawn and registered again at once: the new row may get the withdrawn one's id
    # and the count is the same as before, yet the frame must show the new street.
    await service.withdraw(1, project_id, ChatKind.PRIVATE, registered.key)
    assert list((await service.frame(project_id))["street"]) == ["Dorpsstraat"]
    await service.register(
        1, project_id, ChatKind.PRIVATE, occurred_from=NOW - timedelta(hours=3),
        occurred_to=NOW - timedelta(hours=2), street="Molenweg", house_number="4",
        attempt=False, modus_operandi=None)
    assert sorted((await service.frame(project_id))["street"]) == ["Dorpsstraat", "Molenweg"]


async def test_an_import_removed_or_added_elsewhere_is_seen(setup, tmp_path: Path) -> None:
    db, repos, service, project_id, reads = setup
    import_id = await repos.incidents.log_import(
        ImportLog(project_id, 1, "x.csv", "incidents", 2, 0, 0, 0), NOW)
    await repos.incidents.add_many(project_id, [incident("b", "Havenkade"),
                                                incident("c", "Havenkade", 3)],
                                   source="import", created_by=1, now=NOW, import_id=import_id)
    assert len(await service.frame(project_id)) == 2
    await service.remove_import(project_id, import_id, user_id=None)
    assert (await service.frame(project_id)).empty
    # Another process (the command line's import) writes to the same database file.
    other = await Database(tmp_path / "w.sqlite").connect()
    try:
        await Repositories(other).incidents.add_many(
            project_id, [incident("d", "Eikenlaan")], source="import", created_by=None,
            now=NOW)
    finally:
        await other.close()
    assert list((await service.frame(project_id))["street"]) == ["Eikenlaan"]
    assert len(reads) == 3
