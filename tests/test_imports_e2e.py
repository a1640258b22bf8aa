"""End to end: /importen (/imports) lists the imports and removes a wrong file as a whole —
only for those who may import, after asking once more, without touching registrations or
other imports; the command line does the same."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.i18n import _, format_date_range, format_number, ngettext, use_locale
from storage.db import Database
from storage.incidents import ImportLog
from storage.repositories import Repositories
from tests.conftest import link_code
from tests.test_cli import wijkbot
from tests.test_incidents_e2e import DATA, LANGS, project_with_analyst, t, tr

COMMAND = {"nl": "/importen", "en": "/imports"}


async def upload(botapi, person, name: str) -> str:  # type: ignore[no-untyped-def]
    """Send a file from tests/data/import; the final report (the status message, edited)."""
    since = botapi.mark()
    botapi.send_document(person.user, name, (DATA / name).read_bytes(), "text/csv")
    await botapi.next_message(person.id)
    call = await botapi.wait_for(
        "editMessageText", lambda c: name in c.params.get("text", "")
        and "…" not in c.params.get("text", "").split("\n")[0], since=since, timeout=30)
    return str(call.params["text"])


def count_text(lang: str, singular: str, plural: str, n: int, **params: object) -> str:
    with use_locale(lang):
        return ngettext(singular, plural, n).format(count=n, **params)


@pytest.mark.parametrize("lang", LANGS)
async def test_a_wrong_file_is_removed_as_a_whole(app, people, botapi, lang) -> None:
    leader, analyst, partner = await project_with_analyst(people, botapi, lang)
    [project] = await app.bot_data.repos.projects.list_all()
    count = app.bot_data.repos.incidents.count
    report = await upload(botapi, analyst, "overlap_a.csv")
    # The report says how to undo it, with the import's number.
    assert tr(lang, "Wrong file? /imports removes import #{number} as a whole.",
              number=1) in report
    assert await count(project.id) == 6
    # The second file shares three rows with the first: those stay the first import's.
    await upload(botapi, analyst, "overlap_b.csv")
    assert await count(project.id) == 9
    # And a burglary registered by hand, which no import removal may touch.
    await leader.say(("/inbraak" if lang == "nl" else "/burglary")
                     + " Kerkstraat 40 | gisteren 21:30")
    assert await count(project.id) == 10

    listing = await analyst.say(COMMAND[lang])
    text = listing["text"]
    assert text.index("#2") < text.index("#1")  # newest first
    assert "overlap_a.csv" in text and "overlap_b.csv" in text and "Sanne" in text
    assert count_text(lang, "{count} duplicate skipped", "{count} duplicates skipped", 3) in text
    with use_locale(lang):  # what each file covers (of the rows it added)
        assert format_date_range(date(2026, 1, 2), date(2026, 1, 30)) in text
        assert format_date_range(date(2026, 2, 3), date(2026, 2, 12)) in text
    assert botapi.button_texts(listing) == ["🗑 #2 overlap_b.csv", "🗑 #1 overlap_a.csv"]
    remove_first = next(d for d in botapi.button_data(listing) if d.endswith(":1"))

    # The button asks first; "keep it" goes back to the list and deletes nothing.
    question = await analyst.press_and_read(listing, remove_first)
    assert question["text"].startswith(tr(lang, "Remove import #{number}?", number=1))
    assert count_text(lang, "Its {count} burglary is deleted: charts, forecasts, key points "
                      "and alerts no longer count it. The import log keeps a note, and the "
                      "file can be imported again later.",
                      "Its {count} burglaries are deleted: charts, forecasts, key points and "
                      "alerts no longer count them. The import log keeps a note, and the file "
                      "can be imported again later.", 6) in question["text"]
    assert botapi.button_texts(question) == [tr(lang, "🗑 Yes, remove #{number}", number=1),
                                             t(lang, "✖️ No, keep it")]
    kept = await analyst.press_and_read(question, next(
        d for d in botapi.button_data(question) if ":ls:" in d))
    assert "overlap_a.csv" in kept["text"] and len(botapi.button_data(kept)) == 2
    assert await count(project.id) == 10

    # A second list, opened meanwhile, with its own confirmation (pressed below, too late).
    stale = await analyst.press_and_read(await analyst.say(COMMAND[lang]), remove_first)
    question = await analyst.press_and_read(kept, remove_first)
    confirm = next(d for d in botapi.button_data(question) if ":ok:" in d)
    done = await analyst.press_and_read(question, confirm)
    assert done["text"].startswith("🗑 " + count_text(
        lang, "Import #{number} ({filename}) removed: {count} burglary deleted.",
        "Import #{number} ({filename}) removed: {count} burglaries deleted.", 6,
        number=1, filename="overlap_a.csv"))
    # The later file skipped three of these rows as known: they are gone too, and it says so.
    assert count_text(
        lang, "{count} later import held rows that were known already (skipped as "
        "duplicates or taken as corrections); any of them that were rows of this file are gone "
        "now too. Import that file again to bring them back.",
        "{count} later imports held rows that were known already (skipped as duplicates or "
        "taken as corrections); any of them that were rows of this file are gone now too. "
        "Import those files again to bring them back.", 1) in done["text"]
    assert not botapi.button_data(done)
    assert await count(project.id) == 4  # overlap_b's three own rows and the registration
    sources = await app.bot_data.db.fetchall(
        "SELECT source, import_id FROM incidents ORDER BY id")
    assert sorted((r[0], r[1]) for r in sources) == [("import", 2)] * 3 + [("registration",
                                                                            None)]
    audit = await app.bot_data.db.fetchone(
        "SELECT user_id, detail FROM audit_log WHERE entity='import' AND action='removed'")
    assert audit[0] == analyst.id and json.loads(audit[1]) == {
        "file": "overlap_a.csv", "removed": 6, "restored_registrations": 0,
        "corrections_undone": 0}

    # The list keeps the removed import, struck through, with who removed it; no button.
    again = await analyst.say(COMMAND[lang])
    removed_line = next(line for line in again["text"].split("\n") if line.startswith("🗑 "))
    assert removed_line.endswith(tr(lang, "(by {name})", name="Sanne"))
    assert count_text(lang, "removed {when}: {count} burglary deleted",
                      "removed {when}: {count} burglaries deleted", 6,
                      when="23-11-2026, 10:00" if lang == "nl" else "23/11/2026, 10:00"
                      ) in removed_line
    assert any(e.get("type") == "strikethrough" for e in again.get("entities", []))
    assert botapi.button_texts(again) == ["🗑 #2 overlap_b.csv"]
    # The other confirmation, pressed now, removes nothing more.
    botapi.press_button(analyst.user, stale, confirm)
    refused = await botapi.wait_for("answerCallbackQuery",
                                    lambda c: c.params.get("show_alert") is True)
    assert refused.params["text"] == tr(lang, "Import #{number} has already been removed.",
                                        number=1)
    assert await count(project.id) == 4
    # The same file imported again brings all its rows back (their keys are free again).
    await upload(botapi, analyst, "overlap_a.csv")
    assert await count(project.id) == 10


async def test_only_those_who_may_import_see_or_remove_imports(app, people, botapi) -> None:
    leader, analyst, partner = await project_with_analyst(people, botapi, "nl")
    [project] = await app.bot_data.repos.projects.list_all()
    await upload(botapi, analyst, "overlap_a.csv")
    # The project leader may (the same right as importing) ...
    listing = await leader.say("/importen")
    assert botapi.button_texts(listing) == ["🗑 #1 overlap_a.csv"]
    remove = botapi.button_data(listing)[0]
    # ... a partner may not: not by command, nor with a button's data.
    denied = await partner.say("/importen")
    assert "overlap_a.csv" not in denied["text"] and not botapi.button_data(denied)
    botapi.press_forged(partner.user, denied, remove.replace(":rm:", ":ok:"))
    refused = await botapi.wait_for("answerCallbackQuery",
                                    lambda c: c.params.get("show_alert") is True)
    assert "overlap_a.csv" not in refused.params["text"]
    assert await app.bot_data.repos.incidents.count(project.id) == 6
    # Not in the operational group either: the list names files and people.
    menu = await leader.say("/koppelen")
    code_message = await leader.press_and_read(menu, next(
        d for d in botapi.button_data(menu) if d.endswith(":op")))
    group = botapi.group(-7401, "Overleg")
    await leader.say(f"/koppelen@wijkbot_test_bot {link_code(code_message['text'])}", group)
    in_group = await leader.say("/importen", group)
    assert "overlap_a.csv" not in in_group["text"] and not botapi.button_data(in_group)
    # Words other than an import's number get the usage.
    extra = await leader.say("/importen alles")
    assert t("nl", "Give the number of an import, e.g. “#3”.") in extra["text"]
    assert "/importen [#3]" in extra["text"] and not botapi.button_data(extra)


async def test_an_older_import_is_found_by_its_number(app, people, botapi) -> None:
    """A fortnightly routine makes dozens of imports: the list shows the latest ten and
    says so; /imports with a number shows (and offers to remove) any older one."""
    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    for n in range(1, 13):
        since = botapi.mark()
        name = f"week{n:02d}.csv"
        data = f"Pleegdatum;Straat;Huisnummer\n{n:02d}-10-2026 10:00;Kerkstraat;{n}\n".encode()
        botapi.send_document(analyst.user, name, data, "text/csv")
        await botapi.next_message(analyst.id)
        await botapi.wait_for("editMessageText", lambda c, name=name: name in c.params.get(
            "text", "") and "…" not in c.params.get("text", "").split("\n")[0], since=since,
            timeout=30)
    listing = await analyst.say("/imports")
    assert "week12.csv" in listing["text"] and "week03.csv" in listing["text"]
    assert "week02.csv" not in listing["text"]
    assert count_text("en", "The latest {shown} of {count} import are listed; /imports with a "
                      "number (e.g. /imports {number}) shows an older one.",
                      "The latest {shown} of {count} imports are listed; /imports with a "
                      "number (e.g. /imports {number}) shows an older one.", 12, shown=10,
                      number=2) in listing["text"]
    older = await analyst.say("/imports #1")
    assert "week01.csv" in older["text"] and "week12.csv" not in older["text"]
    assert botapi.button_texts(older) == ["🗑 #1 week01.csv"]
    question = await analyst.press_and_read(older, botapi.button_data(older)[0])
    done = await analyst.press_and_read(question, next(
        d for d in botapi.button_data(question) if ":ok:" in d))
    assert done["text"].startswith("🗑 Import #1 (week01.csv) removed")
    [project] = await app.bot_data.repos.projects.list_all()
    assert await app.bot_data.repos.incidents.count(project.id) == 11
    missing = await analyst.say("/imports 99")
    assert tr("en", "There is no import #{number} in this project.", number=99) \
        in missing["text"]


async def upload_bytes(botapi, person, name: str, data: bytes) -> str:  # type: ignore[no-untyped-def]
    since = botapi.mark()
    botapi.send_document(person.user, name, data, "text/csv")
    await botapi.next_message(person.id)
    call = await botapi.wait_for(
        "editMessageText", lambda c: name in c.params.get("text", "")
        and "…" not in c.params.get("text", "").split("\n")[0], since=since, timeout=30)
    return str(call.params["text"])


CBS_HEAD = '"Soort misdrijf";"Wijken en buurten";"Perioden";"Geregistreerde misdrijven (aantal)"\n'


def cbs_table(rows: list[tuple[str, str, int]]) -> bytes:
    """A StatLine download: (buurt code, "2026 januari", count) rows of crime 1.1.1."""
    return (CBS_HEAD + "".join(f'"1.1.1 Diefstal/inbraak woning";"Buurt ({code})";"{month}";'
                               f'"{n}"\n' for code, month, n in rows)).encode("utf-8")


async def test_monthly_counts_are_removed_and_earlier_ones_come_back(app, people,
                                                                     botapi) -> None:
    """A CBS table can be removed like an incident export: its counts stop counting, and
    where an earlier table had a count of the same neighbourhood and month, that one is in
    use again."""
    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    [project] = await app.bot_data.repos.projects.list_all()
    repos = app.bot_data.repos

    async def in_use() -> dict[tuple[int, int], int]:
        return {(r["year"], r["month"]): r["count"]
                for r in await repos.incidents.monthly_rows(project.id)}

    await upload_bytes(botapi, analyst, "cbs_2026.csv", cbs_table([
        ("BU99990101", "2026 januari", 3), ("BU99990101", "2026 februari", 1)]))
    await upload_bytes(botapi, analyst, "cbs_fout.csv", cbs_table([
        ("BU99990101", "2026 februari", 40), ("BU99990101", "2026 maart", 50)]))
    assert await in_use() == {(2026, 1): 3, (2026, 2): 40, (2026, 3): 50}
    listing = await analyst.say("/imports")
    assert "CBS monthly counts" in listing["text"]
    [fout, first] = await app.bot_data.incidents.imports(project.id)
    assert (fout.filename, fout.present, fout.removable) == ("cbs_fout.csv", 2, True)
    assert (first.present, first.imported) == (1, 2)  # February is the later file's now
    assert f"imp:rm:{project.id}:{fout.id}" in botapi.button_data(listing)
    ask = await analyst.press_and_read(listing, f"imp:rm:{project.id}:{fout.id}")
    assert "Its 2 monthly counts no longer count in the trend" in ask["text"]
    done = await analyst.press_and_read(ask, f"imp:ok:{project.id}:{fout.id}")
    assert done["text"].startswith(
        "🗑 Import #2 (cbs_fout.csv) removed: 2 monthly counts no longer count.")
    assert "For 1 neighbourhood-month the count of an earlier file is in use again." \
        in done["text"]
    assert await in_use() == {(2026, 1): 3, (2026, 2): 1}
    listing = await analyst.say("/imports")
    assert "removed" in listing["text"] and "2 monthly counts no longer used" \
        in listing["text"]
    # Pressed again (another analyst, an old question): said, nothing changes.
    botapi.press_forged(analyst.user, listing, f"imp:ok:{project.id}:{fout.id}")
    again = await botapi.wait_for("answerCallbackQuery",
                                  lambda c: c.params.get("show_alert") is True)
    assert "has already been removed" in again.params["text"]
    assert await in_use() == {(2026, 1): 3, (2026, 2): 1}


async def test_a_cbs_table_of_other_neighbourhoods_is_refused(app, people, botapi) -> None:
    """A table of a whole municipality keeps only the project's neighbourhoods; one of none
    of them is refused, and a broken CBS table gets the CBS reader's answer (not the
    incident reader's "no date column")."""
    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    [project] = await app.bot_data.repos.projects.list_all()
    refused = await upload(botapi, analyst, "cbs_statline_labels.csv")
    assert tr("en", "None of the neighbourhoods in the file is one of this project's "
                    "({ours}).", ours="Oostbroek (BU99990101)") in refused
    assert "date" not in refused
    assert await app.bot_data.repos.incidents.monthly_rows(project.id) == []
    mixed = await upload_bytes(botapi, analyst, "gemeente.csv", cbs_table([
        ("BU99990101", "2026 januari", 3), ("BU99990199", "2026 januari", 7),
        ("BU99990198", "2026 januari", 9)]))
    assert tr("en", "Rows about neighbourhoods outside this project were left out: {count} "
                    "(for example {examples}).", count=2,
              examples="“BU99990199”, “BU99990198”") in mixed
    assert [r["count"] for r in await app.bot_data.repos.incidents.monthly_rows(
        project.id)] == [3]
    broken = await upload_bytes(botapi, analyst, "fietsen.csv", (CBS_HEAD + (
        '"1.4.5 Diefstal van brom-, snor-, fietsen";"Buurt (BU99990101)";"2026 januari";'
        '"40"\n')).encode("utf-8"))
    assert tr("en", "The file has no rows for crime type {crime}.",
              crime="1.1.1 Diefstal/inbraak woning") in broken


def test_imports_on_the_command_line(tmp_path: Path) -> None:
    proc = wijkbot(tmp_path, "demo", "--as-of", "2026-11-23", "--out", "demo.sqlite")
    assert proc.returncode == 0, proc.stderr
    db = tmp_path / "demo.sqlite"
    export = DATA / "bvh_export_cp1252.csv"  # Den Haag: the demo town lies in Delft, nearby
    env = {"WIJKBOT_DATABASE": str(db)}
    proc = wijkbot(tmp_path, "import", "incidents", str(export), "--project", "1", **env)
    assert proc.returncode == 0, proc.stderr
    assert "wijkbot imports --project 1 --remove " in proc.stdout  # how to undo it
    with sqlite3.connect(db) as conn:
        before = conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]
        [(import_id, imported)] = conn.execute("SELECT id, imported FROM imports").fetchall()
    assert imported > 0
    listing = wijkbot(tmp_path, "imports", "--project", "1", **env)
    assert listing.returncode == 0, listing.stderr
    assert f"#{import_id}" in listing.stdout and "bvh_export_cp1252.csv" in listing.stdout
    assert "--remove N" in listing.stdout and "<b>" not in listing.stdout
    removed = wijkbot(tmp_path, "imports", "--project", "1", "--remove", str(import_id), **env)
    assert removed.returncode == 0, removed.stderr
    assert f"Import #{import_id}" in removed.stdout
    with sqlite3.connect(db) as conn:
        after = conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]
        demo = conn.execute("SELECT COUNT(*) FROM incidents WHERE source='demo'").fetchone()[0]
    assert after == before - imported == demo
    # Twice: a clear refusal, nothing changes.
    twice = wijkbot(tmp_path, "imports", "--project", "1", "--remove", str(import_id), **env)
    assert twice.returncode != 0 and "Traceback" not in twice.stderr
    assert f"#{import_id}" in twice.stderr
    unknown = wijkbot(tmp_path, "imports", "--project", "1", "--remove", "99", **env)
    assert unknown.returncode != 0 and "#99" in unknown.stderr


async def test_an_export_takes_the_place_of_the_registrations_it_holds(app, people,
                                                                       botapi) -> None:
    """A burglary registered from the street with /burglary and later in the police export
    counts once: the export's row replaces the registration (under its id, so a hotspot
    zone on it carries on); removing the import brings the registration back."""
    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    [project] = await app.bot_data.repos.projects.list_all()
    db, count = app.bot_data.db, app.bot_data.repos.incidents.count
    confirmations = [await analyst.say(f"/burglary {line}") for line in (
        "Dorpsstraat 12a | 22-11 21:30 | attempt | insluiping",
        "Kerkstraat | 21-11 08:00-17:30",  # no house number
        "Dorpsstraat 40 | 20-11 10:00")]   # not in the export
    registered = {r[0]: r[1] for r in await db.fetchall(
        "SELECT id, source_key FROM incidents ORDER BY id")}
    assert len(registered) == 3
    export = (b"Pleegdatum van;Pleegdatum tot;Straat;Huisnummer;Poging;Modus operandi\n"
              b"22-11-2026 21:00;22-11-2026 23:00;DORPSSTRAAT;12 A;J;Insluiping\n"
              b"21-11-2026;;Kerkstraat;7;N;Braak\n"
              b"15-11-2026 10:00;;Molenweg;3;N;Braak\n")

    async def send() -> str:
        since = botapi.mark()
        botapi.send_document(analyst.user, "export.csv", export, "text/csv")
        await botapi.next_message(analyst.id)
        call = await botapi.wait_for(
            "editMessageText", lambda c: "export.csv" in c.params.get("text", "")
            and "…" not in c.params.get("text", "").split("\n")[0], since=since, timeout=30)
        return str(call.params["text"])

    report = await send()
    assert count_text("en", "{count} burglary imported.", "{count} burglaries imported.",
                      3) in report
    assert count_text(
        "en", "{count} of them had been registered with /burglary already: the export's row "
        "takes the place of that registration, so the burglary counts once.",
        "{count} of them had been registered with /burglary already: the export's rows take "
        "the place of those registrations, so each burglary counts once.", 2) in report
    assert await count(project.id) == 4
    rows = {r[0]: tuple(r[1:]) for r in await db.fetchall(
        "SELECT id, source, import_id, street, house_number, modus_operandi, occurred_from"
        " FROM incidents")}
    dorp, kerk, forty = registered  # the registrations' ids carry on, with the export's data
    assert rows[dorp] == ("import", 1, "DORPSSTRAAT", "12a", "Insluiping",
                          "2026-11-22T20:00:00.000000Z")
    assert rows[kerk][:5] == ("import", 1, "Kerkstraat", "7", "Braak")
    assert rows[forty][:2] == ("registration", None)
    # The police's record now: its ↩️ Withdraw says why it no longer can.
    since = botapi.mark()
    botapi.press_button(analyst.user, confirmations[0], next(
        d for d in botapi.button_data(confirmations[0]) if ":undo:" in d))
    refused = await botapi.wait_for("answerCallbackQuery", since=since)
    assert refused.params["text"] == tr(
        "en", "This burglary is in the police export of import #{number} now; the export's row "
        "has taken the place of the registration, so it can no longer be withdrawn.", number=1)
    assert await count(project.id) == 4
    # The same file again adds nothing and replaces nothing.
    again = await send()
    assert "of them had been registered" not in again and await count(project.id) == 4
    listing = await analyst.say("/imports")
    assert count_text("en", "{count} registration replaced", "{count} registrations replaced",
                      2) in listing["text"]

    # Removing the import: its three rows go, the two registrations come back as they were.
    remove = next(d for d in botapi.button_data(listing) if d.endswith(":1"))
    question = await analyst.press_and_read(listing, remove)
    assert count_text(
        "en", "{count} of them had replaced a burglary registered with /burglary; that "
        "registration comes back as it was.",
        "{count} of them had replaced burglaries registered with /burglary; those "
        "registrations come back as they were.", 2) in question["text"]
    done = await analyst.press_and_read(question, next(
        d for d in botapi.button_data(question) if ":ok:" in d))
    assert count_text(
        "en", "{count} burglary registered with /burglary that this file had replaced is back "
        "as it was registered.",
        "{count} burglaries registered with /burglary that this file had replaced are back as "
        "they were registered.", 2) in done["text"]
    assert {r[0]: r[1] for r in await db.fetchall(
        "SELECT id, source_key FROM incidents WHERE source='registration'")} == registered
    assert await count(project.id) == 3
    assert await db.fetchval("SELECT COUNT(*) FROM superseded_registrations") == 0


def test_the_command_line_lists_the_latest_imports_or_all(tmp_path: Path) -> None:
    """Like /imports: the latest ten and how many there are; ``--all`` lists every one."""
    path = tmp_path / "w.sqlite"

    async def fill() -> None:
        db = await Database(path).connect()
        repos = Repositories(db)
        await repos.users.upsert(1, "Sanne", None, None, "en")
        project = await repos.projects.create("Veilig Oost", "Havendam", 1)
        for n in range(1, 13):
            await repos.incidents.log_import(ImportLog(
                project.id, 1, f"week{n:02d}.csv", "incidents", 5, 5, 0, 0),
                datetime(2026, 9, n, tzinfo=UTC))
        await db.close()

    asyncio.run(fill())
    env = {"WIJKBOT_DATABASE": str(path), "WIJKBOT_LANGUAGE": "en"}
    latest = wijkbot(tmp_path, "imports", "--project", "1", **env)
    assert latest.returncode == 0, latest.stderr
    assert "week12.csv" in latest.stdout and "week03.csv" in latest.stdout
    assert "week02.csv" not in latest.stdout
    assert count_text("en", "The latest {shown} of {count} import are listed; --all lists "
                      "every one.", "The latest {shown} of {count} imports are listed; --all "
                      "lists every one.", 12, shown=10) in latest.stdout
    every = wijkbot(tmp_path, "imports", "--project", "1", "--all", **env)
    assert every.returncode == 0, every.stderr
    assert "week01.csv" in every.stdout and "--all" not in every.stdout


async def test_a_long_import_says_when_it_reads_and_when_it_saves(app, people, botapi) -> None:
    """One status message, edited: the rows read, then that the rows are being saved (on
    a large file that takes longer than the reading), then the report."""
    leader, analyst, partner = await project_with_analyst(people, botapi, "nl")
    rows = [f"{1 + n % 28:02d}-{1 + n % 10:02d}-2026 {n % 24:02d}:00;Kerkstraat;{n + 1}"
            for n in range(1_500)]
    data = "\n".join(["Pleegdatum;Straat;Huisnummer", *rows]).encode()
    since = botapi.mark()
    botapi.send_document(analyst.user, "groot.csv", data, "text/csv")
    status = await botapi.next_message(analyst.id)
    final = await botapi.wait_for("editMessageText", lambda c: "groot.csv" in c.params.get(
        "text", "") and "…" not in c.params["text"].split("\n")[0], since=since, timeout=60)
    edits = [c.params for c in botapi.calls[since:]
             if c.method == "editMessageText" and c.index <= final.index]
    assert {e["message_id"] for e in edits} == {status["message_id"]}
    with use_locale("nl"):
        read_all = _("Reading {filename}… {done} of {total} rows").format(
            filename="groot.csv", done=format_number(1_500), total=format_number(1_500))
        saving = ngettext("Saving {count} row of {filename}…",
                          "Saving {count} rows of {filename}…", 1_500).format(
            count=format_number(1_500), filename="groot.csv")
    texts = [e["text"] for e in edits]
    assert texts.index(read_all) < texts.index(saving) < len(texts) - 1
    with use_locale("nl"):
        imported = ngettext("{count} burglary imported.", "{count} burglaries imported.",
                            1_500).format(count=format_number(1_500))
    assert imported in texts[-1]


async def test_the_trend_counts_the_cbs_months_of_the_area_it_shows(app, people,
                                                                    botapi) -> None:
    """A neighbourhood's pack uses that neighbourhood's monthly counts (by code), a wijk's
    those of its buurten, the whole project's those of all of its buurten and no others."""
    from storage.incidents import NewIncident
    from storage.models import AreaKind

    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    repos = app.bot_data.repos
    [project] = await repos.projects.list_all()
    wijk = await repos.projects.add_area(project.id, "Oost", AreaKind.WIJK)
    await leader.say("/area neighbourhood Westhaven | BU99990102 | 900 | Oost")
    moment = datetime(2026, 11, 20, 20, tzinfo=UTC)
    areas = {a.name: a.id for a in await repos.projects.areas(project.id)}
    await repos.incidents.add_many(project.id, [
        NewIncident(f"x{n}", moment, moment, street="Dorpsstraat", buurt=buurt, wijk="Oost",
                    area_id=areas[buurt])
        for n, buurt in enumerate(("Oostbroek", "Westhaven"))],
        source="import", created_by=None, now=moment)
    report = await upload_bytes(botapi, analyst, "cbs.csv", cbs_table([
        ("BU99990101", "2024 januari", 3), ("BU99990102", "2024 januari", 5)]))
    assert "cbs.csv" in report
    # A count of another neighbourhood stored before imports kept to the project's own.
    [entry] = await app.bot_data.incidents.imports(project.id)
    await repos.db.execute(
        "INSERT INTO monthly_import_counts(import_id, project_id, buurt_code, buurt_name,"
        " year, month, count) VALUES (?, ?, 'BU03630000', 'Burgwallen', 2024, 1, 100)",
        (entry.id, project.id))

    async def january(area: str | None) -> float:
        pack = await app.bot_data.incidents.steering(project.id, date(2026, 11, 23),
                                                     language="en", area=area, render=False)
        return float(pack.trend.monthly.set_index("month").loc[date(2024, 1, 1), "count"])

    assert await january("Oostbroek") == 3
    assert await january("Westhaven") == 5
    assert await january(None) == 8
    await repos.db.execute("UPDATE areas SET parent_id=? WHERE name='Oostbroek'", (wijk.id,))
    assert await january("Oost") == 8
