"""Tests for bot.incident_import: messy police exports in, validated incidents out.

Fixtures live in tests/data/import (see its README); big and binary inputs are made in
memory. Times in the files are local: Europe/Amsterdam unless the test says otherwise
(the Vancouver export is read with tz="America/Vancouver").
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from bot import incident_import as ii
from bot.i18n import use_locale
from bot.incident_import import (
    MAX_FILE_BYTES,
    ColumnMapping,
    ImportProblem,
    ImportResult,
    header_key,
    incident_key,
    normalize_house_number,
    normalize_postcode,
    parse_mapping,
    read_incident_file,
)
from storage.incidents import NewIncident

DATA = Path(__file__).resolve().parent / "data" / "import"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
VANCOUVER = SHARED / "vancouver_2022_residential_break_and_enter.csv"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
AMS = ZoneInfo("Europe/Amsterdam")


def read(data: bytes | str, name: str = "export.csv", **kwargs) -> ImportResult:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    kwargs.setdefault("now", NOW)
    return read_incident_file(raw, name, **kwargs)


def problem(data: bytes | str, name: str = "export.csv", **kwargs) -> ImportProblem:
    with pytest.raises(ImportProblem) as info:
        read(data, name, **kwargs)
    info.value.render()  # every fatal message must render with its parameters
    return info.value


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def by_row(result: ImportResult) -> dict[int, NewIncident]:
    return dict(zip(result.rows, result.incidents, strict=True))


def rendered(result: ImportResult) -> None:
    for item in [*result.rejected, *result.warnings]:
        assert "{" not in item.render()


# --------------------------------------------------------------------------- the BVH export


@pytest.fixture(scope="module")
def bvh() -> ImportResult:
    return read((DATA / "bvh_export_cp1252.csv").read_bytes(), "bvh.csv")


def test_bvh_export_detection(bvh: ImportResult) -> None:
    d = bvh.detected
    assert d["file_type"] == "csv"
    assert d["encoding"] == "cp1252"
    assert d["separator"] == ";"
    assert d["header_row"] == 3  # below a title row and a blank line
    assert d["decimal_comma"] is True
    assert d["crs"] == "EPSG:28992" and d["crs_source"] == "detected"
    assert d["columns"] == {
        "date": "Pleegdatum van",
        "time": "Pleegtijd van",
        "date_to": "Pleegdatum tot",
        "time_to": "Pleegtijd tot",
        "id": "Registratienummer",
        "street": "Pleeglocatie straat",
        "house_number": "Huisnummer",
        "house_number_suffix": "Huisnummer toevoeging",
        "postcode": "Postcode",
        "buurt": "Buurtnaam",
        "buurt_code": "CBS buurtcode",
        "wijk": "Wijknaam",
        "municipality": "Pleeggemeente",
        "attempt": "Poging j/n",
        "modus_operandi": "Wijze van binnenkomst",
        "x": "X-coördinaat",
        "y": "Y-coördinaat",
    }
    assert d["ignored_columns"] == ["Opmerking"]
    assert d["coordinates_withheld"] == 1
    assert bvh.mapping.as_dict() == d["columns"]
    rendered(bvh)


def test_bvh_export_values(bvh: ImportResult) -> None:
    rows = by_row(bvh)
    assert sorted(rows) == [4, 5, 6, 7, 8, 9, 10, 11]  # row 12 blank, row 13 a duplicate
    assert bvh.total_rows == 9
    assert [(d.row, d.first_row) for d in bvh.duplicates] == [(13, 4)]
    assert bvh.duplicates_in_file == 1 and bvh.rejected == []

    r4 = rows[4]
    assert r4.source_key == "id:PL1500-2026000101"
    assert (r4.occurred_from, r4.occurred_to) == (utc(2026, 1, 3, 17, 30), utc(2026, 1, 3, 20, 45))
    assert (r4.street, r4.house_number, r4.postcode) == ("Kerkstraat", "12a", "2491 AB")
    assert (r4.buurt, r4.buurt_code, r4.wijk) == ("Centrum-Oost", "BU05180101", "Centrum")
    assert (r4.municipality, r4.attempt, r4.modus_operandi) == (
        "'s-Gravenhage", False, "Braak achterdeur",
    )  # fmt: skip
    assert (r4.x_rd, r4.y_rd) == (81234.56, 454321.78)
    assert r4.lat == pytest.approx(52.0723, abs=1e-3) and r4.lon == pytest.approx(4.3113, abs=1e-3)
    assert r4.area_id is None

    # Overnight window: an end time without an end date that is earlier than the start.
    r5 = rows[5]
    assert (r5.occurred_from, r5.occurred_to) == (utc(2026, 2, 14, 21), utc(2026, 2, 15, 5))
    assert (r5.house_number, r5.postcode, r5.attempt) == ("7-2", "2491 AB", True)
    # No time at all: the whole (local) day; PC4 postcode kept; 7-digit CBS code repaired;
    # 0,0 coordinates are withheld, not an error.
    r6 = rows[6]
    assert (r6.occurred_from, r6.occurred_to) == (utc(2026, 2, 28, 23), utc(2026, 3, 1, 22, 59))
    assert (r6.street, r6.postcode, r6.buurt_code) == ("Händelstraat", "2492", "BU05180103")
    assert (r6.x_rd, r6.y_rd, r6.lat, r6.lon) == (None, None, None, None)
    # DST: 02:30 on 29 March does not exist -> one hour forward (03:30 CEST = 01:30 UTC);
    # 02:30 on 25 October happens twice -> the first, summer-time, occurrence.
    assert rows[7].occurred_from == rows[7].occurred_to == utc(2026, 3, 29, 1, 30)
    assert rows[7].house_number == "3a" and rows[7].attempt is True
    assert rows[8].occurred_from == rows[8].occurred_to == utc(2026, 10, 25, 0, 30)
    assert rows[8].house_number == "44-hs" and rows[8].street == "Café de Pauwlaan"
    # A datetime in the date column, thousands separators, "Poging" as a value, invalid
    # postcode and CBS code left empty (warned), not rejected.
    r9 = rows[9]
    assert (r9.occurred_from, r9.occurred_to) == (utc(2026, 7, 10, 19, 30), utc(2026, 7, 11, 6, 15))
    assert (r9.attempt, r9.postcode, r9.buurt_code) == (True, None, None)
    assert (r9.x_rd, r9.y_rd) == (81234.56, 454321.78)
    # Slash dates are day-first; "Voltooid" means not an attempt; empty municipality.
    r10 = rows[10]
    assert r10.occurred_from == utc(2026, 8, 5, 7, 5) and r10.attempt is False
    assert r10.municipality is None
    # Registration numbers are compared case- and space-insensitively.
    assert rows[11].source_key == "id:PL1500-2026000108"
    assert rows[11].house_number == "201b"

    warnings = {w.message: w for w in bvh.warnings}
    assert warnings[ii.W_POSTCODES].rows == (9,)
    assert warnings[ii.W_BUURT_CODES].rows == (9,)
    assert "24911" in warnings[ii.W_POSTCODES].render()


def test_bvh_export_default_municipality() -> None:
    result = read((DATA / "bvh_export_cp1252.csv").read_bytes(), default_municipality="Den Haag")
    assert by_row(result)[10].municipality == "Den Haag"
    assert by_row(result)[4].municipality == "'s-Gravenhage"  # the file wins


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_same_export_in_other_encodings(bvh: ImportResult, encoding: str) -> None:
    text = (DATA / "bvh_export_cp1252.csv").read_bytes().decode("cp1252")
    result = read(text.encode(encoding))
    assert result.detected["encoding"] == encoding
    assert list(result.incidents) == list(bvh.incidents)


def test_tab_separated_and_lf_line_ends(bvh: ImportResult) -> None:
    text = (DATA / "bvh_export_cp1252.csv").read_bytes().decode("cp1252")
    text = text.replace('"Buren; niets gezien"', "Buren, niets gezien").replace(";", "\t")
    result = read(text.replace("\r\n", "\n").encode("cp1252"))
    assert result.detected["separator"] == "\t"
    assert list(result.incidents) == list(bvh.incidents)


# --------------------------------------------------------------------------- English, XLSX


def test_english_comma_separated_wgs84() -> None:
    result = read((DATA / "english_comma.csv").read_bytes())
    assert result.detected["separator"] == ","
    assert result.detected["crs"] == "EPSG:4326"
    assert result.detected["columns"]["id"] == "case_id"
    assert result.detected["ignored_columns"] == ["notes"]
    rows = by_row(result)
    a1, a2, a3, a4 = rows[2], rows[3], rows[4], rows[5]
    assert a1.source_key == "id:A-1"
    assert (a1.occurred_from, a1.occurred_to) == (utc(2026, 3, 14, 20, 30), utc(2026, 3, 14, 22))
    assert (a1.lat, a1.lon) == (52.3731, 4.8926)
    # Points in the Netherlands also get RD New coordinates (via pyproj).
    assert a1.x_rd == pytest.approx(121_318, abs=5) and a1.y_rd == pytest.approx(487_362, abs=5)
    assert (a2.occurred_from, a2.occurred_to) == (utc(2026, 4, 2, 6, 15),) * 2  # ISO "T", CEST
    assert (a2.house_number, a2.postcode, a2.attempt) == ("22b", "1013 CD", True)
    assert (a3.occurred_from, a3.occurred_to) == (utc(2026, 5, 19, 22), utc(2026, 5, 20, 21, 59))
    assert a3.modus_operandi is None and a3.attempt is False
    assert (a4.house_number, a4.attempt) == ("9-1", True)
    assert a4.occurred_to == utc(2026, 6, 1, 10, 30)
    assert result.metric_crs == "EPSG:28992"
    assert result.metric_x[0] == pytest.approx(a1.x_rd)


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_with_real_dates_times_and_serials() -> None:
    data = _xlsx(
        {
            "Toelichting": [["Deze export bevat woninginbraken."], ["Bron: BVH"]],
            "Incidenten": [
                ["Inbraken 2026"],
                [],
                ["Zaaknummer", "Pleegdatum", "Pleegtijd", "Straat", "Huisnr", "Postcode",
                 "Poging", "X", "Y"],
                ["Z-1", datetime(2026, 11, 2, 21, 30), None, "Kerkstraat", 12.0, "2491AB",
                 "J", 81234.5, 454321.25],
                ["Z-2", date(2026, 11, 3), time(8, 15), "Molenweg", 7, "2492 CD", "N",
                 81300, 454400],
                [],
                ["Z-3", 46331, None, "Dorpsstraat", "3a", None, False, None, None],
                ["Z-4", 46331.875, None, "Dorpsstraat", 4, None, True, None, None],
            ],
        }
    )  # fmt: skip
    result = read(data, "export.xlsx")
    assert result.detected["file_type"] == "xlsx"
    assert result.detected["sheet"] == "Incidenten"
    assert result.detected["header_row"] == 3
    rows = by_row(result)
    assert sorted(rows) == [4, 5, 7, 8]  # the empty sheet row 6 keeps the numbering
    assert rows[4].occurred_from == rows[4].occurred_to == utc(2026, 11, 2, 20, 30)
    assert rows[4].house_number == "12" and rows[4].postcode == "2491 AB"
    assert (rows[4].x_rd, rows[4].y_rd) == (81234.5, 454321.25)
    assert rows[5].occurred_from == utc(2026, 11, 3, 7, 15)
    # Excel serial 46331 is 2026-11-05; .875 is 21:00.
    assert (rows[7].occurred_from, rows[7].occurred_to) == (
        utc(2026, 11, 4, 23),
        utc(2026, 11, 5, 22, 59),
    )
    assert rows[7].attempt is False and rows[8].attempt is True
    assert rows[8].occurred_from == utc(2026, 11, 5, 20)


def test_xlsx_first_sheet_with_data_when_no_name_matches() -> None:
    data = _xlsx(
        {
            "Leeg": [],
            "Blad2": [
                ["Datum", "Straat"],
                ["23-11-2026", "Kerkstraat"],
                ["22-11-2026", "Dorpsweg"],
            ],
        }
    )
    result = read(data, "x.xlsx")
    assert result.detected["sheet"] == "Blad2" and len(result.incidents) == 2


def test_xlsx_cover_sheet_before_the_data_sheet() -> None:
    """A cover sheet of a few lines (title, explanation, source) is no table: the sheet
    with a header of known column names and rows below it is read, whatever its name."""
    data = _xlsx(
        {
            "Voorblad": [["Woninginbraken basisteam Oost"], ["Periode: november 2026"],
                         ["Vertrouwelijk: alleen voor het veiligheidsoverleg"],
                         ["Opgesteld door", "Analist"]],
            "Blad2": [
                ["Pleegdatum", "Straat", "Poging"],
                ["23-11-2026", "Kerkstraat", "J"],
                ["22-11-2026", "Dorpsweg", "N"],
            ],
        }
    )  # fmt: skip
    result = read(data, "x.xlsx")
    assert result.detected["sheet"] == "Blad2" and len(result.incidents) == 2


def test_xlsx_heading_of_two_rows_with_merged_cells() -> None:
    """"Pleegdatum" merged over "van" and "tot" (and "Pleegtijd" likewise): the time
    window is read whole, and the first data row is the third spreadsheet row."""
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Registratienummer", "Pleegdatum", None, "Pleegtijd", None, "Straat"])
    ws.append([None, "van", "tot", "van", "tot", None])
    ws.append(["PL1", "21-11-2026", "22-11-2026", "22:00", "07:30", "Kerkstraat"])
    ws.append(["PL2", "20-11-2026", "20-11-2026", "18:00", "19:00", "Dorpsweg"])
    for cells in ("B1:C1", "D1:E1", "A1:A2", "F1:F2"):
        ws.merge_cells(cells)
    buf = io.BytesIO()
    wb.save(buf)
    result = read(buf.getvalue(), "export.xlsx")
    assert result.detected["header_rows"] == 2 and not result.rejected
    rows = by_row(result)
    assert sorted(rows) == [3, 4]
    assert (rows[3].occurred_from, rows[3].occurred_to) == (utc(2026, 11, 21, 21),
                                                            utc(2026, 11, 22, 6, 30))
    assert rows[3].street == "Kerkstraat" and rows[4].source_key.endswith("PL2")


# --------------------------------------------------------------------------- refused files


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", ii.F_EMPTY),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ii.F_LEGACY_XLS),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
            ii.F_ENCRYPTED,
        ),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", ii.F_WRONG_TYPE),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ii.F_WRONG_TYPE),
        (b"\x00\x01\x02\x03binary\x00\xff" * 20, ii.F_WRONG_TYPE_UNKNOWN),
        (b"<html><body><table><tr><td>Datum</td></tr></table></body></html>", ii.F_WRONG_TYPE),
        (b'[{"date": "23-11-2026"}]', ii.F_WRONG_TYPE),
        (b"PK\x03\x04 this is not really a zip", ii.F_DAMAGED),
        (b"\n\n  \n", ii.F_NO_TABLE),
        ("Pleegdatum;Straat;Huisnummer\r\n".encode("cp1252"), ii.F_NO_ROWS),
        (b"Pleegdatum;Straat\r\n\r\n;\r\n", ii.F_NO_ROWS),
    ],
)
def test_refused_files(data: bytes, message: str) -> None:
    assert problem(data, "upload.xls").message == message


def test_odd_but_readable_text_files() -> None:
    # Old Mac line ends, with a title row and blank lines: row numbers still right.
    result = read(b"Titel\r\rDatum;Straat\r23-11-2026;A\r\r22-11-2026;B\r")
    assert result.rows == [4, 6] and result.detected["header_row"] == 3
    # Excel's "sep=" hint line.
    assert read(b"sep=,\nDatum,Straat\n23-11-2026,A\n").detected["separator"] == ","
    # A UTF-8 BOM followed by bytes that are not UTF-8: read, with a warning.
    result = read(b"\xef\xbb\xbfDatum;Straat\n23-11-2026;Caf\xe9\n")
    assert [w.message for w in result.warnings] == [ii.W_DECODING]
    assert result.incidents[0].street == "Caf\ufffd"
    # Bytes that are not even Windows-1252 fall back to Latin-1.
    assert read(b"Datum;Straat\n23-11-2026;A\x81B\n").detected["encoding"] == "latin-1"
    # An unclosed quote makes the CSV unreadable as a whole.
    assert problem(b'Datum;Straat\n23-11-2026;"Kerk\n22-11-2026;X\n').message == ii.F_DAMAGED


def test_zip_that_is_not_a_workbook() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    assert problem(buf.getvalue(), "data.ods").message == ii.F_ODS
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    err = problem(buf.getvalue(), "data.xlsx")
    assert err.message == ii.F_WRONG_TYPE and err.params["kind"] == "ZIP"


def test_fifty_megabyte_upload_is_refused_before_parsing() -> None:
    rows = b"23-11-2026;Kerkstraat\r\n" * (50 * 1024 * 1024 // 23 + 1)
    data = (b"Pleegdatum;Straat\r\n" + rows)[: 50 * 1024 * 1024]
    assert len(data) > MAX_FILE_BYTES
    err = problem(data, "groot.csv")
    assert err.message == ii.F_TOO_BIG
    assert err.params["max"] == 20
    with use_locale("nl"):
        assert "50 MB" in err.render()
    small = problem(b"a" * (MAX_FILE_BYTES + 100_000), "x.csv")
    with use_locale("nl"):
        assert "20,1 MB" in small.render()
    with use_locale("en"):
        assert "20.1 MB" in small.render()


def test_unknown_columns_only() -> None:
    err = problem("Kleur;Gewicht;Opmerking\nrood;12;x\nblauw;3;y\n")
    assert err.message == ii.F_NO_DATE_COLUMN
    assert err.params["columns"] == "“Kleur”, “Gewicht”, “Opmerking”"
    with use_locale("en"):
        assert "date=“Kleur”" in err.render()


def test_unknown_time_zone_and_crs() -> None:
    assert problem("Datum;Straat\n23-11-2026;K\n", tz="Mars/Olympus").message == ii.F_UNKNOWN_TZ
    assert problem("Datum;Straat\n23-11-2026;K\n", crs="EPSG:999999").message == ii.F_UNKNOWN_CRS


# --------------------------------------------------------------------------- dates


def test_impossible_future_and_reversed_dates_are_rejected_with_row_numbers() -> None:
    text = (
        "Pleegdatum van;Pleegtijd van;Pleegdatum tot;Pleegtijd tot;Straat\n"
        "31-02-2026;10:00;;;A\n"  # 2: does not exist
        "12-13-2026;10:00;;;B\n"  # 3: month 13
        "24-11-2026;10:00;;;C\n"  # 4: tomorrow: allowed (clock skew)
        "26-11-2026;10:00;;;D\n"  # 5: in the future
        "10-11-2026;22:00;09-11-2026;23:00;E\n"  # 6: ends before it starts
        "01-01-1985;10:00;;;F\n"  # 7: implausibly early
        "10-11-2026;25:00;;;G\n"  # 8: not a time
        ";10:00;;;H\n"  # 9: no date
        "10-11-2026;10:00;;;I\n"  # 10..: good rows
        "11-11-2026;10:00;;;J\n"
        "12-11-2026;10:00;;;K\n"
        "13-11-2026;10:00;;;L\n"
        "14-11-2026;10:00;;;M\n"
        "15-11-2026;10:00;;;N\n"
        "16-11-2026;10:00;;;O\n"
    )
    result = read(text)
    reasons = {r.row: (r.reason, dict(r.params)) for r in result.rejected}
    assert reasons == {
        2: (ii.R_IMPOSSIBLE_DATE, {"value": "31-02-2026", "column": "Pleegdatum van"}),
        3: (ii.R_IMPOSSIBLE_DATE, {"value": "12-13-2026", "column": "Pleegdatum van"}),
        5: (ii.R_FUTURE, {"value": "26-11-2026"}),
        6: (ii.R_END_BEFORE_START, {"start": "10-11-2026 22:00", "end": "09-11-2026 23:00"}),
        7: (ii.R_TOO_EARLY, {"value": "01-01-1985", "earliest": "01-01-1990"}),
        8: (ii.R_BAD_TIME, {"value": "25:00", "column": "Pleegtijd van"}),
        9: (ii.R_NO_DATE, {"column": "Pleegdatum van"}),
    }
    assert sorted(result.rows) == [4, *range(10, 17)]
    rendered(result)
    with use_locale("en"):
        assert result.rejected[0].render() == (
            "The date “31-02-2026” in column “Pleegdatum van” does not exist."
        )


def test_a_date_column_that_is_mostly_unreadable_is_fatal() -> None:
    text = "Datum;Straat\n" + "".join(f"week {i};K\n" for i in range(6)) + "23-11-2026;K\n"
    err = problem(text)
    assert err.message == ii.F_DATE_COLUMN
    assert err.params["column"] == "Datum"
    assert (err.params["failed"], err.params["total"]) == (6, 7)
    assert err.params["examples"] == "“week 0”, “week 1”, “week 2”"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("23-11-2026 21:30", datetime(2026, 11, 23, 21, 30)),
        ("23-11-2026 21:30:15", datetime(2026, 11, 23, 21, 30, 15)),
        ("23-11-2026 21.30", datetime(2026, 11, 23, 21, 30)),
        ("23/11/2026", datetime(2026, 11, 23)),
        ("23.11.2026", datetime(2026, 11, 23)),
        ("3-2-2026", datetime(2026, 2, 3)),
        ("3-2-2026 9:05", datetime(2026, 2, 3, 9, 5)),
        ("2026/02/03", datetime(2026, 2, 3)),
        ("23-11-26", datetime(2026, 11, 23)),
        ("2026-11-23", datetime(2026, 11, 23)),
        ("2026-11-23T21:30", datetime(2026, 11, 23, 21, 30)),
        ("2026-11-23 21:30:00", datetime(2026, 11, 23, 21, 30)),
        ("20261123", datetime(2026, 11, 23)),
        ("23 nov 2026", datetime(2026, 11, 23)),
        ("ma 23 november 2026 21:30", datetime(2026, 11, 23, 21, 30)),
        ("23 mrt. 2026", datetime(2026, 3, 23)),
        ("46349", datetime(2026, 11, 23)),
    ],
)
def test_date_formats(value: str, expected: datetime) -> None:
    result = read(f"Datum;Straat\n{value};K\n")
    assert result.rejected == []
    local = expected.replace(tzinfo=AMS)
    assert result.incidents[0].occurred_from == local.astimezone(UTC)


def test_many_distinct_datetimes_are_parsed_by_halves() -> None:
    # More than 2,000 distinct values take the split date/time path (the fast one).
    start = datetime(2025, 1, 1, 0, 7)
    moments = [start + timedelta(minutes=97 * i) for i in range(2500)]
    body = "".join(f"{m:%d-%m-%Y %H:%M};S{i}\n" for i, m in enumerate(moments))
    body += "31-02-2026 10:00;bad\n2026-02-03 10:00;iso\n"
    result = read("Pleegdatum;Straat\n" + body)
    assert [r.row for r in result.rejected] == [2502]
    got = [i.occurred_from for i in result.incidents]
    assert got[:-1] == [m.replace(tzinfo=AMS).astimezone(UTC) for m in moments]
    assert got[-1] == utc(2026, 2, 3, 9)


def test_iso_dates_with_an_offset_are_absolute_moments() -> None:
    result = read("datetime,street\n2026-11-23T21:30:00Z,A\n2026-07-01T10:00:00+02:00,B\n")
    assert [i.occurred_from for i in result.incidents] == [
        utc(2026, 11, 23, 21, 30),
        utc(2026, 7, 1, 8),
    ]


def test_us_slash_dates_are_recognised_when_nothing_needs_day_first() -> None:
    result = read("date,street\n11/23/2026,A\n01/02/2026,B\n")
    assert [i.occurred_from.astimezone(AMS).date() for i in result.incidents] == [
        date(2026, 11, 23), date(2026, 1, 2),
    ]  # fmt: skip
    result = read("date,street\n23/11/2026,A\n01/02/2026,B\n")
    assert result.incidents[1].occurred_from.astimezone(AMS).date() == date(2026, 2, 1)


@pytest.mark.parametrize(
    ("value", "minutes"),
    [("21:30", 1290), ("21.30", 1290), ("21:30:00", 1290), ("2130", 1290), ("930", 570),
     ("21u30", 1290), ("9 pm", 1260), ("9:30 AM", 570), ("12 am", 0), ("21", 1260),
     ("0.5", 720), ("1899-12-30 21:30:00", 1290)],
)  # fmt: skip
def test_time_formats(value: str, minutes: int) -> None:
    result = read(f"Datum;Tijd;Straat\n10-11-2026;{value};K\n")
    assert result.rejected == []
    start = result.incidents[0].occurred_from.astimezone(AMS)
    assert start.hour * 60 + start.minute == minutes


def test_separate_year_month_day_columns_with_an_impossible_day() -> None:
    result = read(
        "YEAR,MONTH,DAY,HOUR,MINUTE,STREET\n2026,2,30,10,0,A\n2026,2,3,,,B\n2026,2,4,9,5,C\n"
    )
    assert [(r.row, r.reason) for r in result.rejected] == [(2, ii.R_IMPOSSIBLE_DATE)]
    b, c = result.incidents
    assert (b.occurred_from, b.occurred_to) == (utc(2026, 2, 2, 23), utc(2026, 2, 3, 22, 59))
    assert b.occurred_from != b.occurred_to and c.occurred_from == c.occurred_to == utc(
        2026, 2, 4, 8, 5
    )


def test_report_date_is_used_only_as_a_fallback_with_a_warning() -> None:
    result = read("Aangiftedatum;Straat\n20-11-2026;K\n")
    assert [w.message for w in result.warnings] == [ii.W_REPORT_DATE]
    result = read("Aangiftedatum;Pleegdatum;Straat\n20-11-2026;18-11-2026;K\n")
    assert result.detected["columns"]["date"] == "Pleegdatum" and result.warnings == []


def test_long_windows_are_imported_with_a_warning() -> None:
    result = read("Begindatum;Einddatum;Straat\n01-07-2026;20-08-2026;K\n01-08-2026;02-08-2026;L\n")
    assert len(result.incidents) == 2
    [warning] = result.warnings
    assert warning.message == ii.W_LONG_WINDOWS and warning.rows == (2,)


# --------------------------------------------------------------------------- coordinates


def test_ten_percent_bad_rows_are_reported_and_the_rest_imported() -> None:
    result = read((DATA / "ten_percent_bad.csv").read_bytes())
    assert result.total_rows == 30 and len(result.incidents) == 27
    assert [(r.row, r.reason, dict(r.params)) for r in result.rejected] == [
        (6, ii.R_IMPOSSIBLE_DATE, {"value": "31-02-2026", "column": "Pleegdatum"}),
        (15, ii.R_BAD_ATTEMPT, {"value": "misschien", "column": "Poging"}),
        (29, ii.R_OUTSIDE_NL, {"x": "985000", "y": "123000"}),
    ]
    assert 6 not in result.rows and 15 not in result.rows and 29 not in result.rows
    rendered(result)


def test_more_than_half_bad_rows_is_fatal_and_lists_them() -> None:
    head = "Datum;Poging;X;Y\n"
    good = "".join(f"{d}-11-2026;N;85000;446000\n" for d in (17, 18, 19))
    bad = ["31-02-2026;N;85000;446000\n", "20-11-2026;soms;85000;446000\n",
           "20-11-2026;N;985000;123000\n"]  # fmt: skip
    # Two bad rows of five: imported with a report.
    assert len(read(head + "".join(bad[:2]) + good).incidents) == 3
    # Three of five (each column on its own still mostly fine): nothing is imported.
    err = problem(head + "".join(bad) + good[: good.index("19-")])
    assert err.message == ii.F_TOO_MANY_REJECTED
    assert (err.params["count"], err.params["total"]) == (3, 5)
    assert [(r.row, r.reason) for r in err.rejected] == [
        (2, ii.R_IMPOSSIBLE_DATE), (3, ii.R_BAD_ATTEMPT), (4, ii.R_OUTSIDE_NL),
    ]  # fmt: skip


def _rd_file(points: list[tuple[str, str]]) -> str:
    return "Datum;Straat;X;Y\n" + "".join(
        f"10-11-2026;S{i};{x};{y}\n" for i, (x, y) in enumerate(points)
    )


def test_rd_declared_but_coordinates_outside_the_netherlands_is_fatal() -> None:
    points = [("494207,40", "5456007,83"), ("494099,23", "5451027,78"), ("85000", "446000")]
    err = problem(_rd_file(points), crs="rd")
    assert err.message == ii.F_RD_OUTSIDE
    assert (err.params["count"], err.params["total"]) == (2, 3)
    assert (err.params["x"], err.params["y"]) == ("494207", "5456008")


def test_rd_declared_with_a_few_points_outside_rejects_those_rows() -> None:
    points = [("85000", "446000"), ("85100", "446100"), ("-5000", "446000"), ("85200", "446200")]
    result = read(_rd_file(points), crs="EPSG:28992")
    assert [(r.row, r.reason) for r in result.rejected] == [(4, ii.R_OUTSIDE_NL)]
    assert result.detected["crs_source"] == "declared"


# Den Haag (RD) and the box of a project's incidents there (south, west, north, east).
HAGUE = ("81000", "455000")
HAGUE_BOX = (52.06, 4.26, 52.10, 4.33)


def test_a_place_far_from_the_rest_of_the_file_is_rejected() -> None:
    # Groningen (RD 233000, 582000) among Den Haag rows: in the Netherlands, but some
    # 200 km from the other places, so another area's data (or a typing error).
    points = [HAGUE, ("81200", "455100"), ("233000", "582000"), ("81400", "455300")]
    result = read(_rd_file(points))
    assert [(r.row, r.reason) for r in result.rejected] == [(4, ii.R_FAR_FROM_FILE)]
    assert len(result.incidents) == 3
    with use_locale("en"):
        assert result.rejected[0].render() == (
            "The place (233000, 582000) lies 197 km from the other places in this file.")


def test_a_file_far_from_the_projects_incidents_is_fatal() -> None:
    # Vancouver (UTM 10N) into a project whose incidents lie in Den Haag: refused whole.
    points = [("494207,40", "5456007,83"), ("494099,23", "5451027,78"), ("494300", "5455000")]
    err = problem(_rd_file(points), crs="EPSG:26910", near=HAGUE_BOX)
    assert err.message == ii.F_FAR_FROM_PROJECT
    with use_locale("nl"):
        text = err.render()
    assert text.startswith("3 van 3 plaatsen liggen meer dan 50 km van de inbraken van dit "
                           "project, bijvoorbeeld (494207, 5456008) op 7.7")
    # The same file is fine on its own (a project of its own).
    assert len(read(_rd_file(points), crs="EPSG:26910").incidents) == 3


def test_a_few_places_far_from_the_projects_incidents_are_rejected() -> None:
    points = [HAGUE, ("81200", "455100"), ("155000", "463000"), ("81400", "455300")]
    result = read(_rd_file(points), near=HAGUE_BOX)  # the third lies in Utrecht
    assert [(r.row, r.reason) for r in result.rejected] == [(4, ii.R_FAR_FROM_PROJECT)]
    # Within 50 km of the project's box is still the project's area.
    points = [HAGUE, ("81200", "455100"), ("120000", "487000")]  # Amsterdam-Zuid, ~45 km
    assert read(_rd_file(points), near=HAGUE_BOX).rejected == []


def test_unrecognisable_coordinates_need_a_declared_crs() -> None:
    points = [("494207.4", "5456007.8"), ("494099.2", "5451027.8")]
    err = problem(_rd_file(points))
    assert err.message == ii.F_UNDETECTED_CRS and err.params["example"] == "494207, 5456008"
    result = read(_rd_file(points), crs="EPSG:26910", tz="America/Vancouver")
    assert result.metric_crs == "EPSG:26910"
    assert result.incidents[0].lat == pytest.approx(49.257, abs=1e-3)
    assert result.incidents[0].x_rd is None  # not in the Netherlands


def test_swapped_lat_lon_in_xy_columns_is_corrected_with_a_warning() -> None:
    result = read(_rd_file([("52,0722", "4,3113"), ("52,0800", "4,2945")]))
    assert [w.message for w in result.warnings] == [ii.W_SWAPPED]
    first = result.incidents[0]
    assert (first.lat, first.lon) == (52.0722, 4.3113)
    assert first.x_rd == pytest.approx(81_234, abs=10)


def test_withheld_half_and_unreadable_coordinates() -> None:
    text = _rd_file(
        [("0", "0"), ("85000", ""), ("85.000,5", "446.000,25"), ("85 000", "446 000"),
         ("abc", "446000"), ("85000", "446000"), ("85001", "446001"), ("85002", "446002")]
    )  # fmt: skip
    result = read(text)
    assert [(r.row, r.reason) for r in result.rejected] == [
        (3, ii.R_HALF_COORDINATES), (6, ii.R_BAD_COORDINATE),
    ]  # fmt: skip
    rows = by_row(result)
    assert rows[2].x_rd is None and rows[2].lat is None
    assert (rows[4].x_rd, rows[4].y_rd) == (85000.5, 446000.25)
    assert (rows[5].x_rd, rows[5].y_rd) == (85000.0, 446000.0)
    assert result.detected["coordinates_withheld"] == 1


def test_a_coordinate_column_of_text_is_fatal() -> None:
    err = problem(_rd_file([("noord", "zuid"), ("oost", "west"), ("85000", "446000")]))
    assert err.message == ii.F_NUMBER_COLUMN and err.params["column"] == "X"


def _careful_numbers(cells: list[str]) -> tuple[list[float], list[bool], list[bool]]:
    """The documented rules cell by cell (ii._to_float): numbers, empty, failed."""
    numbers, empty, failed = [], [], []
    for cell in cells:
        value = ii._to_float(cell)
        blank = not cell.strip()
        numbers.append(np.nan if value is None or blank else value)
        empty.append(blank)
        failed.append(value is None)
    return numbers, empty, failed


@pytest.mark.parametrize(
    ("cells", "plain"),
    [
        (["85123,45", "", "446000,5", "-1,25", "7"], True),  # decimal commas, an empty cell
        (["85123.45", "446000.125", "", "1e3"], True),  # decimal points
        ([" 85123,45 ", "446000"], True),  # surrounding spaces
        (["", "", ""], False),  # (a text of line breaks only: not worth a fast path)
        (["85123,45", "85123.45"], False),  # both marks in one column
        (["85.123,45", "446.000,25"], False),  # thousands separators
        (["85 000", "446000"], False),  # a space inside
        (["   ", "446000"], False),  # only spaces: empty, by the careful rules
        (["NA", "446000,5"], False),
        (["noord", "1,5"], False),
        (['"1,5"', "2"], False),
        (["1\n2", "3"], False),
        (["\ufeff1", "2"], False),  # pandas would drop a leading byte-order mark
        (["\uff11", "2"], False),  # a full-width digit 1: Python's float reads it
    ],
)
def test_coordinate_columns_read_the_same_fast_or_careful(cells: list[str], plain: bool) -> None:
    """Plain columns take pandas' C parser (ii._parse_plain_numbers), everything else the
    careful rules; both must give the numbers _to_float gives, cell by cell."""
    column = pd.Series(cells, dtype=object)
    assert (ii._parse_plain_numbers(column) is not None) is plain
    numbers, empty, failed, comma = ii._parse_numbers(column)
    want_numbers, want_empty, want_failed = _careful_numbers(cells)
    np.testing.assert_array_equal(numbers, want_numbers)
    assert empty.tolist() == want_empty and failed.tolist() == want_failed
    assert comma == any("," in c for c in cells)


def test_the_fast_coordinate_path_is_exact() -> None:
    """100,000 random RD coordinates with a decimal comma, as a police export writes them:
    the C parser gives exactly Python's float of every cell (keys and the RD check depend
    on the last digit)."""
    rng = np.random.default_rng(5)
    cells = [repr(float(v)).replace(".", ",")
             for digits in range(9) for v in np.round(rng.uniform(-1e6, 1e6, 11_000), digits)]
    parsed = ii._parse_plain_numbers(pd.Series(cells, dtype=object))
    assert parsed is not None
    numbers, empty, comma = parsed
    np.testing.assert_array_equal(numbers, [float(c.replace(",", ".")) for c in cells])
    assert comma and not empty.any()


# --------------------------------------------------------------------------- values


def test_normalisers() -> None:
    assert normalize_postcode("2491ab") == "2491 AB"
    assert normalize_postcode(" 2491  AB ") == "2491 AB"
    assert normalize_postcode("2491") == "2491"
    assert normalize_postcode("0491 AB") is None and normalize_postcode("24911") is None
    cases = {
        ("12", None): "12", ("12a", None): "12a", ("12 A", None): "12a", ("12-2", None): "12-2",
        ("12", "a"): "12a", ("12", "2"): "12-2", ("12", "A 2"): "12a-2", ("44", "hs"): "44-hs",
        ("12.0", None): "12", ("ong.", None): "ong.", (" ", None): None,
    }  # fmt: skip
    for (number, suffix), expected in cases.items():
        assert normalize_house_number(number, suffix) == expected
        if expected:
            assert normalize_house_number(expected) == expected  # idempotent (keys!)
    assert header_key("X-coördinaat") == "xcoordinaat"
    assert header_key(" Poging (j/n) ") == "pogingjn"


def test_attempt_values_and_the_inverse_completed_column() -> None:
    yes = ["ja", "J", "yes", "Y", "1", "true", "WAAR", "poging"]
    no = ["nee", "N", "no", "0", "false", "voltooid", "gepleegd", ""]
    # Different days: rows with nothing else to tell them apart would be duplicates.
    body = "".join(f"{d + 1:02d}-11-2026;{v}\n" for d, v in enumerate(yes + no))
    assert [i.attempt for i in read("Datum;Poging\n" + body).incidents] == [True] * 8 + [False] * 8
    inverse = [i.attempt for i in read("Datum;Voltooid\n" + body).incidents]
    assert inverse[:7] == [False] * 7 and inverse[7] is True  # "poging" is always an attempt
    assert inverse[8:13] == [True] * 5  # "nee" in a "Voltooid" column: an attempt
    assert inverse[13:] == [False] * 3  # voltooid, gepleegd, empty


def test_address_column_is_split_into_street_and_number() -> None:
    result = read(
        "Datum;Adres\n10-11-2026;Van der Duyn van Maasdamweg 12 A\n11-11-2026;Plein 1813 4-2\n"
    )
    a, b = result.incidents
    assert (a.street, a.house_number) == ("Van der Duyn van Maasdamweg", "12a")
    assert (b.street, b.house_number) == ("Plein 1813", "4-2")


def test_mixed_incident_types_are_reported() -> None:
    result = read("Datum,Type,Straat\n10-11-2026,Woninginbraak,A\n11-11-2026,Poging inbraak,B\n")
    assert [w.message for w in result.warnings] == [ii.W_TYPES]
    assert result.detected["types"] == ["Woninginbraak", "Poging inbraak"]


def test_rows_with_too_many_values_and_blank_lines_keep_exact_row_numbers() -> None:
    text = (
        "Datum;Straat;MO\n"
        "10-11-2026;A;braak\n"  # 2
        "\n"  # 3 (blank)
        "11-11-2026;B;braak; achterdeur\n"  # 4: unquoted separator
        "12-11-2026;C;flipperen\n"  # 5
        "13-11-2026;D;insluiping\n"  # 6
    )
    result = read(text)
    assert [(r.row, r.reason, r.params["found"]) for r in result.rejected] == [
        (4, ii.R_BAD_FIELDS, 4),
    ]
    assert result.rows == [2, 5, 6]
    assert [i.street for i in result.incidents] == ["A", "C", "D"]
    assert [w.message for w in result.warnings] == [ii.W_BAD_LINES]
    rendered(result)


def test_a_first_data_row_with_too_many_values_is_rejected_not_read_shifted() -> None:
    """pandas cuts the cells beyond the header when the *first* data row is too wide (and
    then every later wide row too): such rows are rejected with their number, not read
    with a street of "Kerk" and a house number of "straat"."""
    text = (
        "Datum;Straat;Huisnummer\n"
        "10-11-2026;Kerk;straat;12\n"  # 2: unquoted separator in the street
        "11-11-2026;Dorpsstraat;3\n"  # 3
        "\n"  # 4 (blank)
        "12-11-2026;Laan;4;x\n"  # 5
        "13-11-2026;Weg;5;a;b;c;d\n"  # 6: wider still (pandas skips this one itself)
        "14-11-2026;Plein;6\n"  # 7
    ) + "".join(f"15-11-2026;Hoofdweg;{n}\n" for n in range(8, 12))  # 8-11
    result = read(text)
    assert sorted((r.row, r.reason, r.params["found"]) for r in result.rejected) == [
        (2, ii.R_BAD_FIELDS, 4), (5, ii.R_BAD_FIELDS, 4), (6, ii.R_BAD_FIELDS, 7),
    ]
    assert result.rows == [3, 7, 8, 9, 10, 11]
    assert [(i.street, i.house_number) for i in result.incidents][:2] == [
        ("Dorpsstraat", "3"), ("Plein", "6")]
    rendered(result)


# --------------------------------------------------------------------------- mapping


def test_parse_mapping_forms() -> None:
    assert parse_mapping(["date=offense_date", "lat=latitude"]).as_dict() == {
        "date": "offense_date", "lat": "latitude",
    }  # fmt: skip
    chat = parse_mapping('date=Pleegdatum van time="Pleegtijd van" lng=Lengte x=- mo=')
    assert chat.as_dict() == {
        "date": "Pleegdatum van", "time": "Pleegtijd van", "lon": "Lengte", "x": None,
        "modus_operandi": None,
    }  # fmt: skip
    assert parse_mapping(["street=Pleeglocatie straat"]).get("street") == "Pleeglocatie straat"
    for bad, message in [
        (["datum_van=X"], ii.F_MAPPING_FIELD),
        (["wat is dit"], ii.F_MAPPING_SYNTAX),
        (["date=A", "date=B"], ii.F_MAPPING_TWICE),
        # One column for two fields: one would be lost without a word, and saved so.
        (["street=Straat", "buurt=straat"], ii.F_MAPPING_SHARED),
    ]:
        with pytest.raises(ImportProblem) as info:
            parse_mapping(bad)
        assert info.value.message == message
        info.value.render()
    mapping = parse_mapping(["date=Pleegdatum van", "x=X", "y=-"])
    assert parse_mapping(mapping.describe()) == mapping
    assert ColumnMapping.from_json(mapping.to_json()) == mapping


def test_explicit_mapping_overrides_and_extends_auto_detection() -> None:
    text = (
        "Meldingsdatum;Gebeurd op;Kolom A;Kolom B;Registratienummer\n"
        "01-11-2026;30-10-2026 22:15;Kerkstraat;85000,5;R1\n"
        "02-11-2026;31-10-2026 06:00;Molenweg;85100,5;R2\n"
    )
    auto = read(text)  # the report date is found, the offence date is not
    assert auto.detected["columns"]["date"] == "Meldingsdatum"
    mapping = parse_mapping("datetime=Gebeurd op street=kolom a id=-")
    result = read(text, mapping=mapping)
    assert result.detected["columns"] == {"datetime": "Gebeurd op", "street": "Kolom A"}
    assert result.incidents[0].occurred_from == utc(2026, 10, 30, 21, 15)
    assert result.incidents[0].street == "Kerkstraat"
    assert result.incidents[0].source_key.startswith("h:")  # id column switched off
    assert set(result.detected["ignored_columns"]) == {
        "Meldingsdatum",
        "Kolom B",
        "Registratienummer",
    }
    # The effective mapping can be saved per project and reproduces the result.
    again = read(text, mapping=ColumnMapping.from_json(result.mapping.to_json()))
    assert list(again.incidents) == list(result.incidents)


def test_saved_mapping_applies_where_it_fits() -> None:
    dutch = ("Registratienummer;Gebeurd op;Kolom A;Poging\n"
             "R1;30-10-2026 22:15;Kerkstraat;J\n")
    first = read(dutch, mapping=parse_mapping("datetime=Gebeurd op street=kolom a"))
    saved = ColumnMapping.from_json(first.mapping.to_json())
    # The same export next time: the saved mapping does the work.
    again = read(dutch, saved=saved)
    assert list(again.incidents) == list(first.incidents)
    # A different export (English headers): the saved columns are not there, so the
    # fields are recognised anew instead of refusing the file.
    english = read("id,date,street,attempt\nA-1,2026-03-14,Main Street,no\n", saved=saved)
    assert english.detected["columns"]["street"] == "street"
    assert english.incidents[0].street == "Main Street"
    # A saved switch-off still holds (it keeps the incident keys of the project stable).
    off = ColumnMapping.from_json(read(dutch, mapping=parse_mapping(
        "datetime=Gebeurd op street=kolom a id=-")).mapping.to_json())
    assert read(dutch, saved=off).incidents[0].source_key.startswith("h:")
    # This import's own mapping stays strict, and wins over the saved one.
    err = problem(dutch, saved=saved, mapping=parse_mapping("street=Straatnaam"))
    assert err.message == ii.F_MAPPING_COLUMN


def test_explicit_mapping_naming_an_unknown_column_is_fatal() -> None:
    err = problem("Datum;Straat\n10-11-2026;K\n", mapping=parse_mapping("street=Straatnaam"))
    assert err.message == ii.F_MAPPING_COLUMN
    assert (err.params["column"], err.params["field"]) == ("Straatnaam", "street")
    assert err.params["columns"] == "“Datum”, “Straat”"


# --------------------------------------------------------------------------- keys


def test_reparsing_gives_identical_keys(bvh: ImportResult) -> None:
    again = read((DATA / "bvh_export_cp1252.csv").read_bytes(), "bvh.csv")
    assert [i.source_key for i in again.incidents] == [i.source_key for i in bvh.incidents]


def test_overlapping_exports_share_keys_for_the_same_incidents() -> None:
    a = read((DATA / "overlap_a.csv").read_bytes())
    b = read((DATA / "overlap_b.csv").read_bytes())
    keys_a = {i.source_key for i in a.incidents}
    keys_b = [i.source_key for i in b.incidents]
    assert len(keys_a) == 6 and len(set(keys_b)) == 6
    assert all(k.startswith("h:") for k in keys_a)
    # Rows 2-4 of b are rows 5-7 of a, written differently (case, spacing, postcode,
    # house number + toevoeging in one cell, slash dates, "nee"/"ja" for N/J).
    assert [k in keys_a for k in keys_b] == [True, True, True, False, False, False]


def test_incident_key_matches_the_importer(bvh: ImportResult) -> None:
    for inc in read((DATA / "overlap_a.csv").read_bytes()).incidents:
        assert incident_key(
            occurred_from=inc.occurred_from, occurred_to=inc.occurred_to, street=inc.street,
            house_number=inc.house_number, postcode=inc.postcode,
            modus_operandi=inc.modus_operandi, attempt=inc.attempt,
        ) == inc.source_key  # fmt: skip
    first = bvh.incidents[0]
    assert (
        incident_key(
            occurred_from=first.occurred_from,
            occurred_to=first.occurred_to,
            source_id=" pl1500-2026000101",
        )
        == first.source_key
    )
    # Formatting does not matter; the time window does.
    base = {"occurred_from": utc(2026, 1, 1, 10), "occurred_to": utc(2026, 1, 1, 11)}
    k = incident_key(**base, street="Kerkstraat", house_number="12a", postcode="2491AB")
    assert k == incident_key(**base, street=" KERKSTRAAT ", house_number="12 A", postcode="2491 ab")
    assert k != incident_key(**{**base, "occurred_to": utc(2026, 1, 1, 12)}, street="Kerkstraat",
                             house_number="12a", postcode="2491AB")  # fmt: skip


def test_incident_key_without_house_number_uses_location_and_area() -> None:
    text = (
        "Datum;Tijd;Straat;Buurt;Buurtcode;X;Y\n"
        "10-11-2026;10:00;Kerkstraat;Centrum;BU05180101;85000,5;446000,25\n"
        "11-11-2026;10:00;Kerkstraat;Centrum;;85000,5;446000,25\n"
    )
    a, b = read(text).incidents
    assert a.source_key == incident_key(
        occurred_from=a.occurred_from, occurred_to=a.occurred_to, street="kerkstraat",
        location=(85000.5, 446000.25), buurt="bu05180101",
    )  # fmt: skip
    assert b.source_key == incident_key(
        occurred_from=b.occurred_from, occurred_to=b.occurred_to, street="Kerkstraat",
        location=(85000.5, 446000.25), buurt="Centrum",
    )  # fmt: skip
    [c] = read("date,street,latitude,longitude\n10-11-2026,Main St,52.37312,4.89261\n").incidents
    assert c.source_key == incident_key(
        occurred_from=c.occurred_from, occurred_to=c.occurred_to, street="Main St",
        location=(4.89261, 52.37312),
    )  # fmt: skip


def test_one_registration_number_with_other_details_is_rejected_with_its_rows() -> None:
    """The same number twice with the same details is a duplicate; with other details it is
    a row the analyst must look at: rejected, naming the row that was imported."""
    text = (
        "Registratienummer;Pleegdatum;Straat;Huisnummer\n"
        "PL1;20-11-2026;Kerkstraat;12\n"
        "PL2;21-11-2026;Dorpsweg;3\n"
        "PL1;20-11-2026;Kerkstraat;12\n"
        "PL2;22-11-2026;Molenweg;8\n"
        "PL3;22-11-2026;Molenweg;9\n"
    )
    result = read(text)
    assert sorted(i.source_key for i in result.incidents) == ["id:PL1", "id:PL2", "id:PL3"]
    assert [(d.row, d.first_row) for d in result.duplicates] == [(4, 2)]
    [rejected] = result.rejected
    assert (rejected.row, rejected.reason) == (5, ii.R_SAME_NUMBER_OTHER_DETAILS)
    assert rejected.params == {"number": "PL2", "first": 3}
    with use_locale("en"):
        assert "is also in row 3, with other details" in rejected.render()


def test_same_block_same_time_different_places_are_different_incidents() -> None:
    text = (
        "YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,NEIGHBOURHOOD,X,Y\n"
        "2022,7,15,18,0,55XX WILLOW ST,South Cambie,490991.5887,5453619.9987\n"
        "2022,7,15,18,0,55XX WILLOW ST,South Cambie,490992.3796,5453644.9346\n"
        "2022,7,15,18,0,55XX WILLOW ST,South Cambie,490992.3796,5453644.9346\n"
    )
    result = read(text, crs="EPSG:26910", tz="America/Vancouver")
    assert len(result.incidents) == 2
    assert [(d.row, d.first_row) for d in result.duplicates] == [(4, 3)]


# --------------------------------------------------------------------------- API details


def test_progress_is_reported_a_few_times_and_ends_complete() -> None:
    calls: list[tuple[int, int]] = []
    read((DATA / "ten_percent_bad.csv").read_bytes(), progress=lambda d, t: calls.append((d, t)))
    assert 2 <= len(calls) <= 20
    assert calls[0] == (0, 30) and calls[-1] == (30, 30)
    assert [d for d, _ in calls] == sorted({d for d, _ in calls})


def test_incident_batch_behaves_like_a_sequence(bvh: ImportResult) -> None:
    batch = bvh.incidents
    items = list(batch)
    assert len(batch) == len(items) == 8
    assert batch[0] == items[0] and batch[-1] == items[-1] and batch[2:4] == items[2:4]
    assert all(isinstance(i, NewIncident) for i in items)
    assert all(i.occurred_from.tzinfo is UTC for i in items)
    with pytest.raises(IndexError):
        batch[8]
    frame = bvh.to_frame()
    assert list(frame["source_key"]) == [i.source_key for i in items]
    assert list(frame["row"]) == bvh.rows
    assert frame["occurred_from"].iloc[0] == items[0].occurred_from
    assert np.isnan(frame["x_m"].iloc[2]) and frame["x_m"].iloc[0] == items[0].x_rd


def test_message_ids_use_named_placeholders_only() -> None:
    names = [n for n in dir(ii) if re.match(r"[FRW]_[A-Z_]+$", n)]
    assert len(names) > 40
    for name in names:
        msgid = getattr(ii, name)
        assert "{}" not in msgid and not re.search(r"\{\d", msgid), name


# --------------------------------------------------------------------------- real data


@pytest.mark.skipif(not VANCOUVER.is_file(), reason="no ../shared/data")
def test_vancouver_police_export() -> None:
    data = VANCOUVER.read_bytes()
    # Without the coordinate system the UTM metres cannot be told apart from nonsense.
    assert problem(data, VANCOUVER.name).message == ii.F_UNDETECTED_CRS
    # The export is in Vancouver local time, UTM zone 10N (EPSG:26910).
    result = read(
        data, VANCOUVER.name, crs="EPSG:26910", tz="America/Vancouver",
        default_municipality="Vancouver",
    )  # fmt: skip
    assert result.rejected == [] and result.duplicates == []
    assert len(result.incidents) == result.total_rows == 1264
    assert result.detected["columns"] == {
        "year": "YEAR", "month": "MONTH", "day": "DAY", "hour": "HOUR", "minute": "MINUTE",
        "street": "HUNDRED_BLOCK", "buurt": "NEIGHBOURHOOD", "x": "X", "y": "Y", "type": "TYPE",
    }  # fmt: skip
    assert result.detected["types"] == ["Break and Enter Residential/Other"]
    incidents = list(result.incidents)
    assert len({i.source_key for i in incidents}) == 1264
    with_xy = [i for i in incidents if i.lat is not None]
    assert len(with_xy) == 1264 - result.detected["coordinates_withheld"]
    assert all(49.19 < i.lat < 49.32 and -123.23 < i.lon < -123.02 for i in with_xy)
    assert all(i.x_rd is None and i.house_number is None for i in incidents)
    assert result.metric_crs == "EPSG:26910"
    assert result.metric_x[0] == pytest.approx(494207.4016)
    first = incidents[0]  # 2022-11-04 18:00 PDT (DST ends on 6 November)
    assert first.occurred_from == first.occurred_to == utc(2022, 11, 5, 1, 0)
    assert (first.street, first.buurt, first.municipality) == (
        "12XX E 15TH AVE", "Mount Pleasant", "Vancouver",
    )  # fmt: skip
    assert all(date(2022, 1, 1) <= i.occurred_from.date() <= date(2023, 1, 1) for i in incidents)


def test_demo_history_round_trips_through_a_dutch_export() -> None:
    from bot.demo_data import generate_demo

    demo = generate_demo(date(2026, 11, 23), years=2)
    lines = ["Pleegdatum van;Pleegtijd van;Pleegdatum tot;Pleegtijd tot;Straat;Huisnummer;"
             "Postcode;Buurt;CBS buurtcode;Wijk;Gemeente;Poging;MO;X;Y"]  # fmt: skip
    for i in demo.incidents:
        f, t = i.occurred_from.astimezone(AMS), i.occurred_to.astimezone(AMS)
        lines.append(";".join([
            f.strftime("%d-%m-%Y"), f.strftime("%H:%M"), t.strftime("%d-%m-%Y"),
            t.strftime("%H:%M"), i.street, i.house_number, i.postcode.replace(" ", ""), i.buurt,
            i.buurt_code, i.wijk, i.municipality, "J" if i.attempt else "N",
            i.modus_operandi, f"{i.x_rd:.1f}".replace(".", ","), f"{i.y_rd:.1f}".replace(".", ","),
        ]))  # fmt: skip
    result = read("\r\n".join(lines).encode("cp1252"))
    assert result.rejected == []
    imported = list(result.incidents)
    assert len(imported) + result.duplicates_in_file == len(demo.incidents)

    def ambiguous(moment: datetime) -> bool:  # the repeated autumn hour is read as summer time
        local = moment.astimezone(AMS)
        return local.replace(fold=1).utcoffset() != local.replace(fold=0).utcoffset()

    by_key = {(i.street, i.house_number, i.occurred_from): i for i in imported}
    for d in demo.incidents:
        if ambiguous(d.occurred_from) or ambiguous(d.occurred_to):
            continue
        got = by_key[(d.street, d.house_number, d.occurred_from)]
        assert got.occurred_to == d.occurred_to
        assert (got.postcode, got.buurt_code, got.attempt, got.modus_operandi) == (
            d.postcode, d.buurt_code, d.attempt, d.modus_operandi,
        )  # fmt: skip
        assert (got.x_rd, got.y_rd) == (d.x_rd, d.y_rd)


@pytest.mark.parametrize(("text", "expected"), [
    (None, (None, None, None)),
    ("crs=EPSG:26910", (None, "EPSG:26910", None)),
    ("date=offense_date CRS = EPSG:26910 tz=America/Vancouver",
     ("date=offense_date", "EPSG:26910", "America/Vancouver")),
    ('timezone=Europe/Amsterdam date="Pleegdatum van" time=tz',
     ('date="Pleegdatum van" time=tz', None, "Europe/Amsterdam")),
])
def test_split_options_takes_crs_and_tz_out_of_the_mapping(text, expected) -> None:
    assert ii.split_options(text) == expected
