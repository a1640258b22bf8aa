"""Storage: pragmas, migrations, transactions, repositories, backup."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from storage.db import Database, migration_files, parse_utc, utc_iso
from storage.models import AreaKind, ChatPurpose, PartnerKind, Role
from storage.repositories import Repositories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database(tmp_path / "test.sqlite").connect()
    yield database
    await database.close()


async def test_pragmas_and_schema_version(db: Database) -> None:
    assert (await db.fetchval("PRAGMA journal_mode")).lower() == "wal"
    assert await db.fetchval("PRAGMA foreign_keys") == 1
    assert await db.fetchval("PRAGMA busy_timeout") >= 1000
    assert await db.schema_version() == len(migration_files())
    rows = await db.fetchall("SELECT version, name FROM schema_version ORDER BY version")
    assert [r["version"] for r in rows] == list(range(1, len(rows) + 1))


async def test_migrate_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "again.sqlite"
    first = Database(path)
    await first.connect()
    await first.close()
    second = Database(path)
    await second.connect(migrate=False)
    assert await second.migrate() == []
    await second.close()


async def test_failed_transaction_leaves_nothing(db: Database) -> None:
    repos = Repositories(db)
    await repos.users.upsert(1, "Anna")
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction():
            project = await repos.projects.create("Veilig Oost", "Havendam", 1)
            await repos.projects.add_area(project.id, "Oostbroek", AreaKind.BUURT)
            await repos.projects.add_area(project.id, "oostbroek", AreaKind.BUURT)  # duplicate
    assert await repos.projects.list_all() == []
    assert await db.fetchval("SELECT COUNT(*) FROM areas") == 0


async def test_concurrent_transactions_do_not_interleave(db: Database) -> None:
    """Two tasks writing at once: each transaction commits or rolls back as a whole."""
    repos = Repositories(db)
    await repos.users.upsert(1, "Anna")

    async def good() -> None:
        async with db.transaction():
            p = await repos.projects.create("P-good", "Havendam", 1)
            await asyncio.sleep(0.01)  # yield to the other task mid-transaction
            await repos.projects.add_partner(p.id, "Politie", PartnerKind.POLITIE)

    async def bad() -> None:
        async with db.transaction():
            await repos.projects.create("P-bad", "Havendam", 1)
            await asyncio.sleep(0.01)
            raise RuntimeError("boom")

    results = await asyncio.gather(good(), bad(), return_exceptions=True)
    assert isinstance(results[1], RuntimeError)
    names = [p.name for p in await repos.projects.list_all()]
    assert names == ["P-good"]
    assert await db.fetchval("SELECT COUNT(*) FROM partners") == 1


async def test_foreign_keys_enforced(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute(
            "INSERT INTO areas(project_id, name, kind, created_at) VALUES (999, 'x', 'buurt', ?)",
            (utc_iso(NOW),),
        )


async def test_timestamps_are_utc(db: Database) -> None:
    repos = Repositories(db)
    await repos.users.upsert(7, "Bram")
    project = await repos.projects.create("Veilig", "Havendam", 7)
    raw = await db.fetchval("SELECT created_at FROM projects WHERE id=?", (project.id,))
    assert raw.endswith("Z")
    assert project.created_at.tzinfo == UTC
    amsterdam = datetime(2026, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert utc_iso(amsterdam).startswith("2026-07-01T10:00:00")
    assert parse_utc(utc_iso(amsterdam)) == amsterdam
    with pytest.raises(ValueError):
        utc_iso(datetime(2026, 1, 1))


async def test_partnership_repositories_round_trip(db: Database) -> None:
    repos = Repositories(db)
    await repos.users.upsert(1, "Anna", "de Vries", "anna", "nl")
    await repos.users.upsert(2, "Bram", None, None, "en")
    project = await repos.projects.create("Veilig Oost", "Havendam", 1)
    wijk = await repos.projects.add_area(project.id, "Oost", AreaKind.WIJK, "WK999901")
    buurt = await repos.projects.add_area(project.id, "Oostbroek", AreaKind.BUURT,
                                          "BU99990101", 1450, wijk.id)
    gemeente = await repos.projects.add_partner(project.id, "Gemeente Havendam",
                                                PartnerKind.GEMEENTE)
    politie = await repos.projects.add_partner(project.id, "Politie Oost", PartnerKind.POLITIE)
    await repos.members.add(project.id, 1, gemeente.id, Role.PROJECTLEIDER)
    await repos.members.add(project.id, 2, politie.id, Role.WIJKAGENT, invited_by=1)

    assert [a.name for a in await repos.projects.areas(project.id)] == ["Oost", "Oostbroek"]
    assert (await repos.projects.area_by_name(project.id, "OOSTBROEK")) == buurt
    assert buurt.parent_id == wijk.id and buurt.homes == 1450
    member = await repos.members.get(project.id, 2)
    assert member is not None
    assert (member.role, member.partner_name, member.invited_by) == (Role.WIJKAGENT,
                                                                      "Politie Oost", 1)
    assert [m.user_name for m in await repos.members.for_project(project.id)] == [
        "Anna de Vries", "Bram"]

    code_expiry = NOW + timedelta(hours=1)
    await repos.chats.create_code("ABC234", project.id, ChatPurpose.NEIGHBOURHOOD_WATCH,
                                  (buurt.id,), 1, NOW, code_expiry)
    assert await repos.chats.use_code("ABC234", -100, NOW) is True
    assert await repos.chats.use_code("ABC234", -100, NOW) is False  # only once
    linked = await repos.chats.link(-100, project.id, ChatPurpose.NEIGHBOURHOOD_WATCH,
                                    "Buurtapp Oostbroek", (buurt.id,), 1, NOW)
    assert linked.area_ids == (buurt.id,)
    with pytest.raises(sqlite3.IntegrityError):  # one active link per chat
        await repos.chats.link(-100, project.id, ChatPurpose.OPERATIONAL, "x", (), 1, NOW)
    assert await repos.chats.migrate(-100, -1001) is True
    assert (await repos.chats.active(-1001)) is not None
    assert await repos.chats.end(-1001, "removed", NOW) is True
    assert await repos.chats.active(-1001) is None


async def test_backup_copies_live_database(db: Database, tmp_path: Path) -> None:
    repos = Repositories(db)
    await repos.users.upsert(1, "Anna")
    await repos.projects.create("Veilig Oost", "Havendam", 1)
    target = tmp_path / "backup" / "copy.sqlite"
    await db.backup(target)
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT name FROM projects").fetchall() == [("Veilig Oost",)]


async def test_open_pages_include_actions_without_partner(db: Database) -> None:
    from datetime import date

    from storage.actions import NewAction

    repos = Repositories(db)
    await repos.users.upsert(1, "Anna")
    project = await repos.projects.create("Veilig Oost", "Havendam", 1)
    police = await repos.projects.add_partner(project.id, "Politie", PartnerKind.POLITIE)
    wardens = await repos.projects.add_partner(project.id, "Stadstoezicht",
                                               PartnerKind.STADSTOEZICHT)
    week = (date(2026, 11, 16), date(2026, 11, 22))
    await repos.actions.create(project.id, NewAction("a", period_start=week[0],
                                                     period_end=week[1],
                                                     partners=[(police.id, "open", None)]),
                               created_by=1, now=NOW)
    await repos.actions.create(project.id, NewAction("b", partners=[
        (police.id, "done", None), (wardens.id, "open", None)]), created_by=1, now=NOW)
    orphan = await repos.actions.create(project.id, NewAction("c"), created_by=1, now=NOW)
    today = date(2026, 11, 23)
    counts = {(r["name"], r["open"], r["overdue"] or 0)
              for r in await repos.actions.open_counts(project.id, today)}
    assert counts == {("Politie", 1, 1), ("Stadstoezicht", 1, 0), (None, 1, 0)}
    rows = await repos.actions.open_rows(project.id, offset=0, limit=10)
    assert [(r["partner_name"], r["what"]) for r in rows] == [
        ("Politie", "a"), ("Stadstoezicht", "b"), (None, "c")]
    assert [r["what"] for r in await repos.actions.open_rows(project.id, offset=1, limit=1)] \
        == ["b"]
    only = await repos.actions.open_rows(project.id, offset=0, limit=10, partner_id=wardens.id)
    assert [r["what"] for r in only] == ["b"]
    # Giving the orphan a partner takes it out of the partner-less group.
    await repos.actions.add_partner(orphan.id, wardens.id, user_id=1, now=NOW)
    rows = await repos.actions.open_rows(project.id, offset=0, limit=10)
    assert [(r["partner_name"], r["what"]) for r in rows][-1] == ("Stadstoezicht", "c")


async def test_search_finds_every_matching_action(db: Database) -> None:
    """Hundreds of actions match a short search in a project of some years: all are found
    (newest first), not the latest 200 counted as if they were all."""
    from storage.actions import NewAction

    repos = Repositories(db)
    await repos.users.upsert(1, "Anna")
    project = await repos.projects.create("Veilig Oost", "Havendam", 1)
    for n in range(240):
        await repos.actions.create(project.id, NewAction(f"Flyer {n}_%" if n % 10 else
                                                         f"Sloten {n}"), created_by=1, now=NOW)
    found = await repos.actions.search(project.id, "flyer")
    assert len(found) == 216 and found[0].number > found[-1].number
    assert [a.what for a in await repos.actions.search(project.id, "_%")] == [
        a.what for a in found]  # LIKE's wildcards are searched as text


async def test_an_import_is_removed_once_even_when_asked_twice_at_once(db: Database) -> None:
    """Two analysts (or two taps) removing the same import: one removal, one 'already'."""
    from storage.incidents import ImportLog, NewIncident

    repos = Repositories(db)
    await repos.users.upsert(1, "Sanne", None, None, "nl")
    project = await repos.projects.create("Veilig Oost", "Havendam", 1)
    import_id = await repos.incidents.log_import(
        ImportLog(project.id, 1, "export.csv", "incidents", 2, 0, 0, 0), NOW)
    await repos.incidents.add_many(project.id, [
        NewIncident(f"k{i}", NOW - timedelta(days=i), NOW - timedelta(days=i), street="Dorpsstraat")
        for i in (1, 2)], source="import", created_by=1, now=NOW, import_id=import_id)
    await repos.incidents.add_many(project.id, [NewIncident("reg", NOW, NOW, street="Kade")],
                                   source="registration", created_by=1, now=NOW)
    results = await asyncio.gather(
        repos.incidents.remove_import(project.id, import_id, 1, NOW),
        repos.incidents.remove_import(project.id, import_id, 1, NOW))
    assert sorted(results, key=str) == [(2, 0, 0), None]
    assert await repos.incidents.count(project.id) == 1  # the registration stays
    [entry] = await repos.incidents.imports(project.id)
    assert (entry["removed"], entry["by"], entry["present"]) == (2, "Sanne", 0)
