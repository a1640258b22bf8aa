"""Tests for bot.cbs_import: police open data (StatLine 47022NED) as monthly counts of
crime 1.1.1 Diefstal/inbraak woning per buurt."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import cbs_import as cbs
from bot.cbs_import import MonthlyCount, read_cbs_monthly
from bot.incident_import import ImportProblem

DATA = Path(__file__).resolve().parent / "data" / "import"
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def read(data: bytes | str, name: str = "47022NED.csv") -> cbs.CbsImportResult:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return read_cbs_monthly(raw, name, now=NOW)


def problem(data: bytes | str) -> ImportProblem:
    with pytest.raises(ImportProblem) as info:
        read(data)
    info.value.render()
    return info.value


def test_raw_typed_dataset_export() -> None:
    result = read((DATA / "cbs_47022NED_raw.csv").read_bytes())
    assert result.counts == [
        MonthlyCount("BU03630000", None, 2024, 1, 4),
        MonthlyCount("BU03630000", None, 2024, 2, 2),
        MonthlyCount("BU03630001", None, 2024, 1, 0),
        MonthlyCount("BU03630001", None, 2024, 2, 1),
        MonthlyCount("BU03630001", None, 2024, 3, 3),
        MonthlyCount("BU03630002", None, 2024, 1, 0),  # "-" is nil
        MonthlyCount("BU03630002", None, 2024, 2, 1),
    ]
    assert result.rows == [5, 6, 8, 9, 10, 13, 14]
    assert [(r.row, r.reason) for r in result.rejected] == [
        (15, cbs.R_CBS_PERIOD),
        (16, cbs.R_CBS_DUPLICATE),
    ]
    assert result.rejected[1].params == {"buurt": "BU03630002", "period": "2024-02", "first": 14}
    assert result.skipped == {
        "other_crime_types": 2,  # 0.0.0 total and 1.2.1
        "not_a_neighbourhood": 2,  # GM0363 and WK036300
        "missing_count": 1,  # "       ."
        "not_monthly": 1,  # 2024JJ00
    }
    assert result.detected["columns"] == {
        "crime": "SoortMisdrijf",
        "region": "WijkenEnBuurten",
        "period": "Perioden",
        "count": "GeregistreerdeMisdrijven_1",
    }
    assert result.detected["buurten"] == 3
    for row in result.rejected:
        assert "{" not in row.render()


def test_statline_table_download_with_labels_title_and_footer() -> None:
    result = read((DATA / "cbs_statline_labels.csv").read_bytes())
    assert result.detected["header_row"] == 2 and result.detected["encoding"] == "utf-8-sig"
    assert [(c.buurt_code, c.buurt_name, c.month, c.count) for c in result.counts] == [
        ("BU03630000", "Burgwallen-Oude Zijde", 1, 3),
        ("BU03630000", "Burgwallen-Oude Zijde", 2, 1),
        ("BU03630000", "Burgwallen-Oude Zijde", 3, 2),  # "2024 maart*": provisional
        ("BU03630001", "Burgwallen-Nieuwe Zijde", 2, 6),
        ("BU03630002", "Grachtengordel-West", 1, 1),
    ]
    assert [(r.row, r.reason, r.params) for r in result.rejected] == [
        (8, cbs.R_CBS_COUNT, {"value": "veel"}),
    ]
    assert result.skipped == {
        "notes": 2,
        "other_crime_types": 1,
        "missing_count": 1,
        "not_a_neighbourhood": 1,
        "not_monthly": 1,
    }


def test_xlsx_download() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Geregistreerde misdrijven; wijk en buurt, per maand"])
    ws.append(["Soort misdrijf", "Wijken en buurten", "Perioden", "Geregistreerde misdrijven"])
    ws.append(["1.1.1 Diefstal/inbraak woning", "Centrum (BU09990001)", "2025 december", 7])
    ws.append(["1.1.1 Diefstal/inbraak woning", "Oost", "2026 januari", 2.0])
    buf = io.BytesIO()
    wb.save(buf)
    result = read(buf.getvalue(), "tabel.xlsx")
    assert result.counts == [
        MonthlyCount(None, "Oost", 2026, 1, 2),
        MonthlyCount("BU09990001", "Centrum", 2025, 12, 7),
    ]


def test_label_column_next_to_codes() -> None:
    text = (
        "SoortMisdrijf;WijkenEnBuurten;WijkenEnBuurten_label;Perioden;GeregistreerdeMisdrijven_1\n"
        "1.1.1;BU03630000;Burgwallen-Oude Zijde;2024MM01;3\n"
    )
    [count] = read(text).counts
    assert (count.buurt_code, count.buurt_name) == ("BU03630000", "Burgwallen-Oude Zijde")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024MM03", (2024, 3)),
        ("2024 maart", (2024, 3)),
        ("2024 maart*", (2024, 3)),
        ("maart 2024", (2024, 3)),
        ("mrt. 2024", (2024, 3)),
        ("March 2024", (2024, 3)),
        ("2024-03", (2024, 3)),
        ("03-2024", (2024, 3)),
        ("2024JJ00", "other"),
        ("2024KW01", "other"),
        ("2024", "other"),
        ("2024MM13", None),
        ("ergens in 2024", None),
    ],
)
def test_periods(value: str, expected: object) -> None:
    assert cbs._period(value) == expected


def test_future_months_and_unknown_counts_are_rejected() -> None:
    text = (
        "SoortMisdrijf;WijkenEnBuurten;Perioden;GeregistreerdeMisdrijven_1\n"
        "1.1.1;BU03630000;2026MM11;1\n"
        "1.1.1;BU03630000;2026MM12;1\n"
        "1.1.1;BU03630000;2026MM10;1.234\n"
        "1.1.1;BU03630000;2026MM09;-3\n"
        "1.1.1;BU03630000;2026MM08;4\n"
    )
    result = read(text)
    assert [(c.month, c.count) for c in result.counts] == [(8, 4), (10, 1234), (11, 1)]
    assert [(r.row, r.reason) for r in result.rejected] == [
        (3, cbs.R_CBS_FUTURE),
        (5, cbs.R_CBS_COUNT),
    ]


def test_no_crime_column_takes_all_rows_with_a_warning() -> None:
    result = read("Wijken en buurten;Perioden;Aantal\nBU03630000;2024MM01;3\n")
    assert result.counts == [MonthlyCount("BU03630000", None, 2024, 1, 3)]
    assert [w.message for w in result.warnings] == [cbs.W_CBS_NO_CRIME_COLUMN]


def test_fatal_problems() -> None:
    assert problem("Kleur;Aantal\nrood;3\n").message == cbs.F_CBS_COLUMNS
    err = problem(
        "SoortMisdrijf;WijkenEnBuurten;Perioden;GeregistreerdeMisdrijven_1\n"
        "1.2.1 Diefstal uit/vanaf motorvoertuigen;BU03630000;2024MM01;3\n"
        "0.0.0 Totaal misdrijven;BU03630000;2024MM01;30\n"
    )
    assert err.message == cbs.F_CBS_NO_CRIME
    assert "1.2.1 Diefstal uit/vanaf motorvoertuigen" in str(err.params["found"])
    err = problem(
        "SoortMisdrijf;WijkenEnBuurten;Perioden;GeregistreerdeMisdrijven_1\n"
        "1.1.1;BU03630000;2024MM01;veel\n"
        "1.1.1;BU03630000;2024MM02;weinig\n"
        "1.1.1;BU03630000;2024MM03;3\n"
    )
    assert err.message == cbs.F_CBS_TOO_MANY and [r.row for r in err.rejected] == [2, 3]
    err = problem(
        "SoortMisdrijf;WijkenEnBuurten;Perioden;GeregistreerdeMisdrijven_1\n"
        "1.1.1;GM0363;2024MM01;95\n"
    )
    assert err.message == cbs.F_CBS_NO_COUNTS
    assert problem(b"").message.startswith("The file")
    # A file that is the police table says its own problem (the service does not try it
    # as an incident export); a table that is no such table may still be one.
    assert isinstance(err, cbs.CbsProblem)
    assert not isinstance(problem("Kleur;Aantal\nrood;3\n"), cbs.CbsProblem)


def test_only_the_projects_neighbourhoods_are_kept() -> None:
    """A table downloaded for a whole municipality: the rows of neighbourhoods outside the
    project are left out (with a warning), matched by code, or by name where one side has
    no code; a file of none of them, or a project without neighbourhoods, is refused."""
    data = (DATA / "cbs_statline_labels.csv").read_bytes()
    everything = read_cbs_monthly(data, "cbs.csv", now=NOW)
    assert {c.buurt_code for c in everything.counts} == {"BU03630000", "BU03630001",
                                                         "BU03630002"}
    ours = read_cbs_monthly(data, "cbs.csv", now=NOW, buurten=[
        ("BU03630000", "Burgwallen-Oude Zijde"),
        (None, "Grachtengordel-West"),                # no code in the project: by name
        ("BU05180101", "Burgwallen-Nieuwe Zijde")])   # same name, other code: not ours
    assert {c.buurt_code for c in ours.counts} == {"BU03630000", "BU03630002"}
    [warning] = [w for w in ours.warnings if w.message == cbs.W_CBS_OTHER_BUURTEN]
    # Burgwallen-Nieuwe Zijde's three months: ".", "6" and "veel" (not rejected now).
    assert warning.params["count"] == 3 and not ours.rejected
    assert "BU03630001" in str(warning.params["examples"])
    with pytest.raises(cbs.CbsProblem) as info:
        read_cbs_monthly(data, "cbs.csv", now=NOW, buurten=[("BU05180101", "Oostbroek")])
    assert info.value.message == cbs.F_CBS_NOT_OURS
    assert "Oostbroek (BU05180101)" in info.value.render()
    assert "BU03630000" in info.value.render()
    with pytest.raises(cbs.CbsProblem) as info:
        read_cbs_monthly(data, "cbs.csv", now=NOW, buurten=[])
    assert info.value.message == cbs.F_CBS_NO_BUURTEN
