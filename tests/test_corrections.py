"""A later police export that holds an incident again with other details corrects it
(:mod:`bot.corrections`): the rules on hand-made rows, then end to end — the report, the
import log, and removing a correcting import (also one in the middle of a chain)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.corrections import (
    Correction,
    FileRow,
    address,
    corrections,
    field_counts,
    minute,
    same_burglaries,
)
from bot.i18n import _, format_date_range, format_number, format_window, use_locale
from bot.incidents import CORRECTIONS_LISTED, ImportReport
from charts.text import mo_label
from handlers.incidents import report_text
from storage.incidents import NewIncident
from tests.test_imports_e2e import count_text
from tests.test_incidents_e2e import LANGS, project_with_analyst, tr


def stored(**values: Any) -> dict[str, Any]:
    """An incident as ``IncidentRepository.known`` reads it."""
    row: dict[str, Any] = {
        "id": 7, "source_key": "id:PL1", "occurred_from": "2026-11-01T19:00:00.000000Z",
        "occurred_to": "2026-11-01T19:00:00.000000Z", "street": "Dorpsstraat",
        "house_number": "12", "postcode": "2611AB", "buurt": "Oostbroek", "buurt_code": None,
        "wijk": None, "municipality": "Delft", "attempt": 1, "modus_operandi": "Onbekend",
        "x_rd": 85_000.0, "y_rd": 446_000.0, "lat": 52.0, "lon": 4.36, "area_id": 3,
        "x_m": None, "y_m": None}
    row.update(values)
    return row


def later(start: str = "2026-11-01T19:00", end: str | None = None,
          **values: Any) -> NewIncident:
    """The same incident (same key) in a later export."""
    fields: dict[str, Any] = {
        "street": "Dorpsstraat", "house_number": "12", "postcode": "2611AB",
        "buurt": "Oostbroek", "municipality": "Delft", "attempt": True,
        "modus_operandi": "Onbekend", "x_rd": 85_000.0, "y_rd": 446_000.0, "lat": 52.0,
        "lon": 4.36}
    fields.update(values)
    at = datetime.fromisoformat(start).replace(tzinfo=UTC)
    until = datetime.fromisoformat(end).replace(tzinfo=UTC) if end else at
    return NewIncident("id:PL1", at, until, **fields)


def fix(new: NewIncident, row: dict[str, Any] | None = None, *, has_attempt: bool = True,
        area_id: int | None = None) -> list[Correction]:
    return corrections([(row or stored(), (new, None, None, area_id))],
                       has_attempt=has_attempt)


def test_the_same_details_are_no_correction_whatever_their_spelling() -> None:
    assert fix(later()) == []
    assert fix(later(street=" DORPSSTRAAT ", modus_operandi="onbekend")) == []


def test_a_new_value_corrects_and_an_empty_one_erases_nothing() -> None:
    [c] = fix(later(modus_operandi="Flipperen", attempt=False), area_id=4)
    assert c.id == 7 and c.fields == {"modus_operandi", "attempt"}
    assert c.changes == {"modus_operandi": "Flipperen", "attempt": 0, "area_id": 4}
    # An export without an MO, street or coordinates keeps the stored ones ...
    assert fix(later(modus_operandi=None, street=None, house_number="", x_rd=None,
                     y_rd=None, lat=None, lon=None)) == []
    # ... and one without an attempt column says nothing about attempts.
    assert fix(later(attempt=False), has_attempt=False) == []


def test_a_narrower_or_moved_window_corrects_a_wider_one_does_not() -> None:
    # A file with dates only: the whole day around the known time is less precise.
    assert fix(later("2026-11-01T00:00", "2026-11-01T23:00")) == []
    [narrowed] = fix(later("2026-11-01T20:00", "2026-11-01T21:00"),
                     stored(occurred_to="2026-11-01T22:00:00.000000Z"))
    assert narrowed.fields == {"time"}
    assert narrowed.changes == {"occurred_from": "2026-11-01T20:00:00.000000Z",
                                "occurred_to": "2026-11-01T21:00:00.000000Z"}
    [moved] = fix(later("2026-11-02T19:00"))
    assert moved.fields == {"time"}


def test_a_position_corrects_from_a_metre_and_fills_in_a_missing_one() -> None:
    assert fix(later(x_rd=85_000.4, y_rd=446_000.4)) == []
    [moved] = fix(later(x_rd=85_030.0, y_rd=446_040.0, lat=52.0003, lon=4.3604))
    assert moved.fields == {"position"}
    assert moved.changes == {"x_rd": 85_030.0, "y_rd": 446_040.0, "lat": 52.0003,
                             "lon": 4.3604, "x_m": None, "y_m": None}
    # A source in another system (metres in x_m, y_m) where none was known.
    unplaced = stored(x_rd=None, y_rd=None, lat=None, lon=None)
    new = later(x_rd=None, y_rd=None, lat=49.25, lon=-123.1)
    [found] = corrections([(unplaced, (new, 491_000.0, 5_456_000.0, None))],
                          has_attempt=True)
    assert found.changes["x_m"] == 491_000.0 and found.changes["lat"] == 49.25


def at(moment: str) -> int:
    return minute(datetime.fromisoformat(moment).replace(tzinfo=UTC))


def file_row(position: int, start: str, end: str | None = None, street: str = "Dorpsstraat",
             number: str = "12", numbered: bool = False, mo: str = "Onbekend",
             attempt: bool = True) -> FileRow:
    place = address(street, number)
    assert place is not None
    return FileRow(position, at(start), at(end or start), place, numbered, mo, attempt)


def test_the_same_address_at_an_overlapping_time_is_the_same_burglary_once() -> None:
    assert address("Dorpsstraat", "12 A") == address("DORPSSTRAAT ", "12a")
    # Without a house number, or with text where it should be, a place holds many.
    assert address("Dorpsstraat", None) is None
    assert address("Dorpsstraat", "ong.") is None
    assert address(None, "12") is None
    first = stored(id=1, source_key="h:aaa")  # 1 Nov 19:00 UTC, Dorpsstraat 12
    other = stored(id=2, source_key="h:bbb", house_number="14")
    # Two rows of a file at one address and time, one stored: one of them is it.
    assert same_burglaries([first, other], [file_row(0, "2026-11-01T19:00"),
                                            file_row(1, "2026-11-01T19:00")]) == [(first, 0)]
    # A window that overlaps is the same burglary (the police widened or moved it) ...
    assert same_burglaries([first], [file_row(4, "2026-11-01T18:00", "2026-11-01T23:00")]) \
        == [(first, 4)]
    # ... one that does not is another (a repeat burglary days later).
    assert same_burglaries([first], [file_row(4, "2026-11-04T19:00")]) == []
    # Of two rows that could be it, the closest in time is; each stored one matches once.
    wide, exact = (file_row(0, "2026-11-01T12:00", "2026-11-01T23:00"),
                   file_row(1, "2026-11-01T19:00"))
    assert same_burglaries([first], [wide, exact]) == [(first, 1)]
    # Two burglaries in one flat at one time: the MO and attempt flag tell which is which.
    flat = [stored(id=6, source_key="h:f1", modus_operandi="Braak", attempt=0),
            stored(id=7, source_key="h:f2", modus_operandi="Flipperen", attempt=0)]
    rows = [file_row(0, "2026-11-01T19:00", mo="flipperen", attempt=False),
            file_row(1, "2026-11-01T19:00", mo="Braak", attempt=False)]
    assert sorted((r["id"], p) for r, p in same_burglaries(flat, rows)) == [(6, 1), (7, 0)]
    # Two registration numbers are two burglaries, whatever the address; a number and a
    # hash may be one.
    numbered = stored(id=3, source_key="id:PL9")
    assert same_burglaries([numbered], [file_row(5, "2026-11-01T19:00", numbered=True)]) == []
    assert same_burglaries([numbered], [file_row(5, "2026-11-01T19:00")]) == [(numbered, 5)]
    assert same_burglaries([first], [file_row(5, "2026-11-01T19:00", numbered=True)]) == [
        (first, 5)]


def test_field_counts_most_first_then_in_the_order_of_the_labels() -> None:
    found = [Correction(1, {}, frozenset({"modus_operandi", "time"})),
             Correction(2, {}, frozenset({"modus_operandi"})),
             Correction(3, {}, frozenset({"attempt"}))]
    assert list(field_counts(found).items()) == [("modus_operandi", 2), ("time", 1),
                                                 ("attempt", 1)]


# -- end to end --------------------------------------------------------------------------

HEADER = "Registratienummer;Pleegdatum van;Pleegdatum tot;Straat;Huisnummer;Poging;Modus operandi"
FIRST = [  # the export of 9 November
    "PL1;01-11-2026 20:00;;Dorpsstraat;12;J;Onbekend",
    "PL2;02-11-2026 21:00;;Kerkstraat;7;N;Braak",
    "PL3;03-11-2026;;Molenweg;3;N;Insluiping",
]
SECOND = [  # two weeks later: PL1 turned out a burglary by flipping, PL3's time is known
    "PL1;01-11-2026 20:00;;Dorpsstraat;12;N;Flipperen",
    "PL2;02-11-2026;;Kerkstraat;7;N;",  # dates only, no MO: nothing new
    "PL3;03-11-2026 14:00;;MOLENWEG;3;N;Insluiping",
    "PL4;12-11-2026 19:00;;Kerkstraat;9;N;Braak",
]
THIRD = ["PL1;01-11-2026 20:00;;Dorpsstraat;12;N;Insluiping"]  # MO corrected once more


async def send(botapi, analyst, name: str, rows: list[str]) -> str:  # type: ignore[no-untyped-def]
    since = botapi.mark()
    botapi.send_document(analyst.user, name, "\n".join([HEADER, *rows]).encode(), "text/csv")
    await botapi.next_message(analyst.id)
    call = await botapi.wait_for(
        "editMessageText", lambda c: name in c.params.get("text", "")
        and "…" not in c.params.get("text", "").split("\n")[0], since=since, timeout=30)
    return str(call.params["text"])


def fields_text(lang: str, *pairs: tuple[str, int]) -> str:
    with use_locale(lang):
        return ", ".join(_("{field} {count}×").format(field=_(label), count=format_number(n))
                         for label, n in pairs)


@pytest.mark.parametrize("lang", LANGS)
async def test_a_later_export_corrects_what_it_holds_and_removing_it_undoes_that(
        app, people, botapi, lang) -> None:
    leader, analyst, partner = await project_with_analyst(people, botapi, lang)
    [project] = await app.bot_data.repos.projects.list_all()
    db = app.bot_data.db

    async def details() -> dict[str, tuple[Any, ...]]:
        return {r[0][3:]: tuple(r[1:]) for r in await db.fetchall(
            "SELECT source_key, attempt, modus_operandi, street, occurred_from, occurred_to,"
            " import_id FROM incidents")}

    await send(botapi, analyst, "export_1.csv", FIRST)
    first = await details()
    report = await send(botapi, analyst, "export_2.csv", SECOND)
    # What the file covers, from its earliest to its latest burglary (all of its rows).
    with use_locale(lang):
        assert tr(lang, "Period: {period}", period=format_date_range(
            date(2026, 11, 1), date(2026, 11, 12))) in report.split("\n")[1]
    assert count_text(lang, "{count} burglary imported.", "{count} burglaries imported.",
                      1) in report
    assert count_text(lang, "{count} duplicate skipped ({in_file} twice in the file, {known} "
                      "already imported before).", "{count} duplicates skipped ({in_file} "
                      "twice in the file, {known} already imported before).", 1, in_file=0,
                      known=1) in report
    assert count_text(
        lang, "{count} burglary imported before has other details in this file; the newer "
        "details count from now on ({fields}).",
        "{count} burglaries imported before have other details in this file; the newer "
        "details count from now on ({fields}).", 2, fields=fields_text(
            lang, ("time", 1), ("attempt or burglary", 1), ("modus operandi", 1))) in report
    # Each one listed: its registration number and address, and what it was and is now.
    with use_locale(lang):
        pl1 = (f"• PL1 · Dorpsstraat 12: {_('attempt')} → {_('burglary')}, "
               f"{_('modus operandi')} {mo_label('Onbekend')} → {mo_label('Flipperen')}")
        day = datetime(2026, 11, 2, 23, 0, tzinfo=UTC)  # 3 November, local
        pl3 = (f"• PL3 · Molenweg 3: {_('time')} "
               f"{format_window(day, day + timedelta(hours=23, minutes=59))} → "
               f"{format_window(day + timedelta(hours=14), day + timedelta(hours=14))}")
    assert pl1 in report.split("\n") and pl3 in report.split("\n")
    second = await details()
    # PL1: the new attempt flag and MO; PL3: the time (its spelling stays); PL2 as it was.
    # Each stays the first import's incident.
    assert second["PL1"][:3] == (0, "Flipperen", "Dorpsstraat") and second["PL1"][-1] == 1
    assert second["PL3"][2:] == ("Molenweg", "2026-11-03T13:00:00.000000Z",
                                 "2026-11-03T13:00:00.000000Z", 1)
    assert second["PL2"] == first["PL2"] and second["PL4"][-1] == 2
    assert len(second) == 4
    # The analytics count the newer details.
    frame = await app.bot_data.incidents.frame(project.id)
    assert sorted(frame["modus_operandi"].dropna()) == ["Braak", "Braak", "Flipperen",
                                                        "Insluiping"]

    await send(botapi, analyst, "export_3.csv", THIRD)
    assert (await details())["PL1"][:2] == (0, "Insluiping")
    listing = await analyst.say("/importen" if lang == "nl" else "/imports")
    lines = listing["text"].split("\n")
    assert count_text(lang, "{count} burglary corrected", "{count} burglaries corrected",
                      2) in lines[lines.index(next(x for x in lines if "export_2.csv" in x)) + 1]
    assert count_text(lang, "{count} burglary corrected", "{count} burglaries corrected",
                      1) in lines[lines.index(next(x for x in lines if "export_3.csv" in x)) + 1]
    # The third file only corrected: it can be removed all the same (to undo that).
    assert len(botapi.button_data(listing)) == 3

    # Removing the second file: its own row goes; PL3 gets its date-only window back; PL1
    # stays as the third file has it, and removing that one later goes back to the first.
    question = await analyst.press_and_read(listing, next(
        d for d in botapi.button_data(listing) if d.endswith(":2")))
    assert count_text(
        lang, "{count} burglary imported before that this file corrected gets its earlier "
        "details back.", "{count} burglaries imported before that this file corrected get "
        "their earlier details back.", 1) in question["text"]
    done = await analyst.press_and_read(question, next(
        d for d in botapi.button_data(question) if ":ok:" in d))
    assert count_text(
        lang, "{count} burglary that this file had corrected has its earlier details back.",
        "{count} burglaries that this file had corrected have their earlier details back.",
        1) in done["text"]
    third = await details()
    assert third["PL3"] == first["PL3"] and third["PL1"][:2] == (0, "Insluiping")
    assert "PL4" not in third

    listing = await analyst.say("/importen" if lang == "nl" else "/imports")
    question = await analyst.press_and_read(listing, next(
        d for d in botapi.button_data(listing) if d.endswith(":3")))
    # Nothing of its own to delete: only the correction is mentioned.
    assert "export_3.csv" in question["text"] and count_text(
        lang, "Its {count} burglary is deleted: charts, forecasts, key points and alerts no "
        "longer count it. The import log keeps a note, and the file can be imported again "
        "later.", "Its {count} burglaries are deleted: charts, forecasts, key points and "
        "alerts no longer count them. The import log keeps a note, and the file can be "
        "imported again later.", 0) not in question["text"]
    await analyst.press_and_read(question, next(
        d for d in botapi.button_data(question) if ":ok:" in d))
    assert await details() == {k: v for k, v in first.items()}
    assert await db.fetchval("SELECT COUNT(*) FROM corrected_incidents") == 0


async def test_removing_the_corrected_import_leaves_nothing_to_undo(app, people,
                                                                    botapi) -> None:
    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    [project] = await app.bot_data.repos.projects.list_all()
    await send(botapi, analyst, "export_1.csv", FIRST)
    await send(botapi, analyst, "export_2.csv", SECOND)
    service = app.bot_data.incidents
    removed = await service.remove_import(project.id, 1, user_id=None)
    assert (removed.removed, removed.undone) == (3, 0)
    assert removed.later_overlaps == 1  # the second file's corrections were of these rows
    assert await app.bot_data.db.fetchval("SELECT COUNT(*) FROM corrected_incidents") == 0
    # The second import has its own row left and no correction to undo any more.
    removed = await service.remove_import(project.id, 2, user_id=None)
    assert (removed.removed, removed.undone, removed.total) == (1, 0, 0)


PLAIN = "Pleegdatum van;Pleegdatum tot;Straat;Huisnummer;Poging;Modus operandi"


async def test_without_registration_numbers_the_address_and_time_tell(app, people,
                                                                      botapi) -> None:
    """Exports without a registration number column: a corrected row is the burglary it
    corrects, not a second one; and when a later export has the numbers the earlier one
    lacked, its rows are the same burglaries too (and carry their number from then on)."""
    leader, analyst, partner = await project_with_analyst(people, botapi, "en")
    [project] = await app.bot_data.repos.projects.list_all()
    db, count = app.bot_data.db, app.bot_data.repos.incidents.count

    async def send_plain(name: str, rows: list[str], header: str = PLAIN) -> str:
        since = botapi.mark()
        botapi.send_document(analyst.user, name, "\n".join([header, *rows]).encode(),
                             "text/csv")
        await botapi.next_message(analyst.id)
        call = await botapi.wait_for(
            "editMessageText", lambda c: name in c.params.get("text", "")
            and "…" not in c.params.get("text", "").split("\n")[0], since=since, timeout=30)
        return str(call.params["text"])

    # Two burglaries in one flat at the same time, and one in a block without a number.
    first = ["01-11-2026 20:00;;Dorpsstraat;12;J;Onbekend",
             "01-11-2026 20:00;;Dorpsstraat;12;N;Braak",
             "02-11-2026 21:00;;Kerkstraat;;N;Braak"]
    await send_plain("plain_1.csv", first)
    assert await count(project.id) == 3
    # The police established the first one's MO; the burglary without a house number
    # changed too, and cannot be told from another one: it is new.
    report = await send_plain("plain_2.csv", [
        "01-11-2026 20:00;;Dorpsstraat;12;J;Flipperen",
        "01-11-2026 20:00;;Dorpsstraat;12;N;Braak",
        "02-11-2026 21:00;;Kerkstraat;;N;Insluiping"])
    assert count_text("en", "{count} burglary imported.", "{count} burglaries imported.",
                      1) in report
    assert count_text(
        "en", "{count} burglary imported before has other details in this file; the newer "
        "details count from now on ({fields}).",
        "{count} burglaries imported before have other details in this file; the newer "
        "details count from now on ({fields}).", 1,
        fields=fields_text("en", ("modus operandi", 1))) in report
    assert await count(project.id) == 4
    assert sorted(r[0] for r in await db.fetchall(
        "SELECT modus_operandi FROM incidents WHERE street='Dorpsstraat'")) == [
        "Braak", "Flipperen"]

    # An export with the registration numbers: the same two burglaries, now numbered ...
    numbered = [f"PL{n};{row}" for n, row in enumerate([
        "01-11-2026 20:00;;Dorpsstraat;12;J;Flipperen",
        "01-11-2026 20:00;;Dorpsstraat;12;N;Braak"], 1)]
    report = await send_plain("numbered.csv", numbered, "Registratienummer;" + PLAIN)
    assert count_text("en", "{count} burglary imported.", "{count} burglaries imported.",
                      0) in report
    assert await count(project.id) == 4
    keys = {r[0] for r in await db.fetchall(
        "SELECT source_key FROM incidents WHERE street='Dorpsstraat'")}
    assert keys == {"id:PL1", "id:PL2"}
    # ... so that the next one corrects them by their number, whatever else changed.
    report = await send_plain("numbered_2.csv", [
        "PL1;01-11-2026 20:00;01-11-2026 22:00;Dorpsstraat;12;N;Flipperen"],
        "Registratienummer;" + PLAIN)
    assert await count(project.id) == 4 and "attempt or burglary" in report
    # And an export without numbers again adds none of them a second time.
    before = await db.fetchall("SELECT id, source_key, modus_operandi FROM incidents")
    report = await send_plain("plain_3.csv", [
        "01-11-2026 20:00;01-11-2026 22:00;Dorpsstraat;12;N;Flipperen",
        "01-11-2026 20:00;;Dorpsstraat;12;N;Braak"])
    assert await count(project.id) == 4 and "have other details" not in report
    assert await db.fetchall("SELECT id, source_key, modus_operandi FROM incidents") == before


def test_the_report_lists_the_first_corrections_and_counts_the_rest() -> None:
    [one] = fix(later(modus_operandi="Braak"))
    report = ImportReport(filename="x.csv", kind="incidents", rows_read=7, imported=0,
                          duplicates_in_file=0, already_known=0, corrected=7,
                          corrected_fields={"modus_operandi": 7},
                          corrected_examples=[one] * CORRECTIONS_LISTED)
    with use_locale("en"):
        lines = report_text(report).split("\n")
        assert lines.count(f"• PL1 · Dorpsstraat 12: modus operandi {mo_label('Onbekend')} → "
                           f"{mo_label('Braak')}") == CORRECTIONS_LISTED
        assert _("… and {count} more").format(count=2) in lines
