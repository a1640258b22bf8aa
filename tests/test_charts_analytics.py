"""Steering analytics on small hand-computed fixtures (charts.data, charts.analytics)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from charts.analytics import (
    fisher_exact,
    hotspots,
    last_two_weeks,
    mo_shift,
    time_profile,
    trend,
)
from charts.data import _as_text, main_buurt, prepare, reference_moment, safe_street
from charts.text import spellings

AMS = ZoneInfo("Europe/Amsterdam")
AS_OF = date(2026, 11, 23)  # a Monday


def utc(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=AMS).astimezone(UTC)


def inc(local: str, street: str = "Molenstraat", buurt: str = "Noord", *, to: str | None = None,
        attempt: bool = False, mo: str | None = "braak achterdeur", x: float = np.nan,
        y: float = np.nan) -> dict:
    return {
        "occurred_from": utc(local), "occurred_to": utc(to or local), "street": street,
        "buurt": buurt, "wijk": "Centrum", "attempt": attempt, "modus_operandi": mo,
        "x": x, "y": y,
    }


def frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for c in ("occurred_from", "occurred_to"):
        df[c] = pd.to_datetime(df[c], utc=True)
    return df


# --------------------------------------------------------------------------- data


def test_reference_moment_midpoint_for_short_windows_else_start() -> None:
    start = pd.Series(pd.to_datetime(
        ["2026-11-10 08:00", "2026-11-10 08:00", "2026-11-10 08:00", "2026-11-10 08:00"],
        utc=True))
    end = pd.Series(pd.to_datetime(
        ["2026-11-10 16:00", "2026-11-13 08:00", None, "2026-11-09 08:00"], utc=True))
    got = reference_moment(start, end)
    assert list(got.dt.strftime("%d %H:%M")) == ["10 12:00", "10 08:00", "10 08:00", "10 08:00"]


@pytest.mark.parametrize(("raw", "clean"), [
    ("Molenstraat 12", "Molenstraat"),
    ("Molenstraat 12a", "Molenstraat"),
    ("Molenstraat 114-1", "Molenstraat"),
    ("Laan van Meerdervoort 7 bis", "Laan van Meerdervoort"),
    ("2e Industriestraat", "2e Industriestraat"),
    ("12XX E 15TH AVE", "12XX E 15TH AVE"),
    ("  Kerkstraat ", "Kerkstraat"),
    # The number with more after it, as exports have it in the street field.
    ("Kerkstraat 12, 1e verdieping", "Kerkstraat"),
    ("Kerkstraat 12 (achterzijde)", "Kerkstraat"),
    ("Kerkstraat (achter 12)", "Kerkstraat"),
    ("Kerkstraat 12 t/m 16", "Kerkstraat"),
    ("Kerkstraat 16 +", "Kerkstraat"),
    ("Molenweg 3 boven", "Molenweg"),
    ("Dorpsstraat 12 2hg", "Dorpsstraat"),
    ("Kerkstraat nr. 12", "Kerkstraat"),
    ("Kerkstraat12", "Kerkstraat"),
    ("1e Jan Steenstraat 12-II", "1e Jan Steenstraat"),
    ("W 10TH AVE", "W 10TH AVE"),
])
def test_safe_street_drops_house_numbers(raw: str, clean: str) -> None:
    assert safe_street(raw) == clean


def test_prepare_contract() -> None:
    df = frame([inc("2026-11-10 00:30", "Kerkstraat 12", x=0.0, y=0.0),
                inc("2026-11-09 23:30", x=1000.0, y=2000.0)])
    df["house_number"] = ["12", "4711"]
    df = df.rename(columns={"x": "x_rd", "y": "y_rd"})
    out = prepare(df)
    assert "house_number" not in out.columns
    assert list(out["street"]) == ["Molenstraat", "Kerkstraat"]  # sorted by time
    assert np.isnan(out.loc[1, "x"]) and out.loc[0, "x"] == 1000.0  # 0,0 = withheld
    # Local days: 00:30 in Amsterdam is still the previous day in UTC.
    assert [d.isoformat() for d in out["local"].dt.date] == ["2026-11-09", "2026-11-10"]
    assert prepare(out) is out  # idempotent


# --------------------------------------------------------------------------- trend


def trend_fixture() -> pd.DataFrame:
    rows = []
    for i in range(24):  # one a month, Nov 2024 .. Oct 2026
        year, month = 2024 + (10 + i) // 12, (10 + i) % 12 + 1
        buurt = "Elders" if (year, month) == (2026, 10) else "Centrum"
        rows.append(inc(f"{year}-{month:02d}-15 20:00", buurt=buurt))
    rows += [inc("2025-11-10 20:00", buurt="Centrum", attempt=True),
             inc("2025-11-28 20:00", buurt="Centrum", attempt=True),
             inc("2026-11-05 20:00", buurt="Centrum"),
             inc("2026-11-20 20:00", buurt="Centrum"),
             inc("2026-11-24 20:00", buurt="Centrum")]  # after as_of: ignored
    return frame(rows)


def test_trend_monthly_series() -> None:
    tr = trend(trend_fixture(), AS_OF, homes={"Centrum": 2000})
    m = tr.monthly.set_index("month")
    assert len(m) == 60 and m.index[0] == date(2021, 12, 1) and m.index[-1] == date(2026, 11, 1)
    assert np.isnan(m.loc[date(2024, 10, 1), "count"])  # before the first incident
    assert m.loc[date(2024, 11, 1), "count"] == 1
    assert m.loc[date(2025, 11, 1), "count"] == 3
    assert m.loc[date(2025, 11, 1), "attempts"] == 2
    assert m.loc[date(2025, 11, 1), "attempt_pct"] == pytest.approx(200 / 3)
    assert m.loc[date(2025, 10, 1), "ma12"] == pytest.approx(1.0)
    assert m.loc[date(2026, 10, 1), "ma12"] == pytest.approx(14 / 12)
    assert m.loc[date(2026, 10, 1), "rolling12"] == 14
    assert m.loc[date(2026, 10, 1), "same_month_last_year"] == 1
    # Oct 2026 happened in a buurt without a known number of homes.
    assert m.loc[date(2026, 10, 1), "per_1000_homes"] == pytest.approx(13 / 2000 * 1000)
    # The running month: 2 so far, against 1–23 November 2025 (the 10th and 15th).
    assert m.loc[date(2026, 11, 1), "partial"]
    assert m.loc[date(2026, 11, 1), "count"] == 2
    assert m.loc[date(2026, 11, 1), "same_month_last_year"] == 2
    assert np.isnan(m.loc[date(2026, 11, 1), "ma12"])


def test_trend_uses_open_data_counts_where_no_incident_rows_exist() -> None:
    monthly = {(2024, 9): 4, (2024, 10): 6, (2024, 11): 99}
    tr = trend(trend_fixture(), AS_OF, monthly=monthly)
    m = tr.monthly.set_index("month")
    assert m.loc[date(2024, 9, 1), "count"] == 4   # before the incident rows: open data
    assert m.loc[date(2024, 10, 1), "count"] == 6
    assert m.loc[date(2024, 11, 1), "count"] == 1  # covered by incident rows: they win
    assert np.isnan(m.loc[date(2024, 10, 1), "attempts"])  # open data has no attempt split
    assert np.isnan(m.loc[date(2024, 8, 1), "count"])  # neither source


def test_trend_summary() -> None:
    tr = trend(trend_fixture(), AS_OF, homes={"Centrum": 2000})
    # 24 Nov 2025 .. 23 Nov 2026: 28 Nov + Dec..Oct (11) + 5 and 20 Nov.
    assert tr.last_year == 14
    # 24 Nov 2024 .. 23 Nov 2025: Dec..Oct (11) + 10 and 15 Nov.
    assert tr.previous_year == 13
    assert tr.change_pct == pytest.approx(100 / 13)
    assert tr.attempts == 1 and tr.attempts_pct == pytest.approx(100 / 14)
    assert tr.homes == 2000 and tr.per_1000_homes == pytest.approx(6.5)
    per = tr.per_buurt.set_index("buurt")
    assert per.loc["Centrum", "count"] == 13 and per.loc["Elders", "count"] == 1
    assert per.loc["Centrum", "per_1000_homes"] == pytest.approx(6.5)
    assert np.isnan(per.loc["Elders", "per_1000_homes"])
    assert trend(trend_fixture(), AS_OF).per_1000_homes is None


# --------------------------------------------------------------------------- two weeks


def two_weeks_fixture() -> pd.DataFrame:
    return frame([
        inc("2026-11-10 00:30", "Molenstraat", "Noord"),  # first day of the window
        inc("2026-11-09 23:30", "Molenstraat", "Noord"),  # previous window
        inc("2026-11-23 23:59", "Kerkstraat 12", "Zuid", attempt=True),  # last day
        inc("2026-11-24 00:10", "Molenstraat", "Noord"),  # after as_of
        inc("2025-11-11 12:00", "Molenstraat", "Noord"),  # 52 weeks before the 1st day
        inc("2025-11-10 12:00", "Molenstraat", "Noord"),  # just outside
        inc("2026-10-27 08:00", "Kerkstraat", "Zuid"),  # first day of previous window
        # 8-hour window: reference = midpoint, 02:00 on the 10th -> current.
        inc("2026-11-09 22:00", "Molenstraat", "Noord", to="2026-11-10 06:00"),
        # 3-day window: reference = start, 8 November -> previous.
        inc("2026-11-08 10:00", "Dorpsweg", "Noord", to="2026-11-11 10:00"),
        inc("2024-03-01 12:00", "Oostweg", "Oost"),
    ])


def test_last_two_weeks_per_buurt() -> None:
    cmp = last_two_weeks(two_weeks_fixture(), AS_OF, "buurt")
    assert cmp.current == (date(2026, 11, 10), date(2026, 11, 23))
    assert cmp.previous == (date(2026, 10, 27), date(2026, 11, 9))
    assert cmp.last_year == (date(2025, 11, 11), date(2025, 11, 24))
    assert (cmp.total_current, cmp.total_previous, cmp.total_last_year) == (3, 3, 1)
    assert cmp.last_year_covered
    t = cmp.table.set_index("buurt")
    assert list(cmp.table["buurt"]) == ["Noord", "Zuid", "Oost"]
    assert t.loc["Noord", ["current", "previous", "last_year"]].tolist() == [2, 2, 1]
    assert t.loc["Zuid", ["current", "previous", "last_year", "attempts"]].tolist() == [1, 1, 0, 1]
    assert t.loc["Oost", ["current", "previous", "last_year"]].tolist() == [0, 0, 0]
    assert t.loc["Noord", "diff_last_year"] == 1


def test_one_street_whatever_its_spelling() -> None:
    """An export in capitals, a registration as the street sign has it, stray blanks: one
    street in the counts, shown as the street sign (not the capitals), likewise a buurt."""
    df = frame([
        inc("2026-11-20 10:00", "DORPSSTRAAT", "OOSTBROEK"),
        inc("2026-11-20 11:00", "DORPSSTRAAT", "OOSTBROEK"),
        inc("2026-11-20 12:00", "DORPSSTRAAT", "Oostbroek"),
        inc("2026-11-21 10:00", "Dorpsstraat", "Oostbroek"),
        inc("2026-11-21 11:00", "dorpsstraat", "Oostbroek"),
        inc("2026-11-21 12:00", "Dorps  straat", "Oostbroek"),  # another name, one blank
        inc("2026-11-21 13:00", "Dorpsstraat  14", "oostbroek"),
        inc("2026-11-22 10:00", "KERKSTRAAT", "OOSTBROEK"),  # capitals only: kept
    ])
    t = last_two_weeks(df, AS_OF, "street").table.set_index("street")
    assert t["current"].to_dict() == {"Dorpsstraat": 6, "KERKSTRAAT": 1, "Dorps straat": 1}
    assert last_two_weeks(df, AS_OF, "buurt").table.set_index("buurt")["current"].to_dict(
        ) == {"Oostbroek": 8}
    # Of two spellings in mixed case the most frequent is shown.
    assert spellings({"Van Eijckstraat": 2, "van Eijckstraat": 5, "VAN EIJCKSTRAAT": 9}) == {
        name: "van Eijckstraat" for name in ("Van Eijckstraat", "van Eijckstraat",
                                             "VAN EIJCKSTRAAT")}


def test_last_two_weeks_per_street() -> None:
    t = last_two_weeks(two_weeks_fixture(), AS_OF, "street").table
    assert list(t["street"]) == ["Molenstraat", "Kerkstraat", "Dorpsweg"]
    assert t[["current", "previous", "last_year"]].to_numpy().tolist() == [
        [2, 1, 1], [1, 1, 0], [0, 1, 0]]
    assert list(t["buurt"]) == ["Noord", "Zuid", "Noord"]


# --------------------------------------------------------------------------- MO


def test_fisher_exact_known_values() -> None:
    assert fisher_exact(3, 0, 0, 3) == pytest.approx(0.1)
    assert fisher_exact(4, 1, 0, 10) == pytest.approx(11 / 3003)
    assert fisher_exact(2, 2, 2, 2) == pytest.approx(1.0)


def test_mo_shift_flags() -> None:
    rows = [inc(f"2026-11-{d} 20:00", mo="cilinder trekken") for d in (12, 14, 16, 18)]
    rows.append(inc("2026-11-20 20:00", mo="braak achterdeur"))
    rows += [inc(f"2026-10-{d:02d} 20:00", mo="braak achterdeur") for d in range(1, 11)]
    rows += [inc("2026-11-21 20:00", mo=None), inc("2026-11-22 20:00", mo=None)]
    rows += [inc("2026-09-01 20:00", mo="flipperen")]  # before the baseline window
    mo = mo_shift(frame(rows), AS_OF)
    assert mo.baseline == (date(2026, 9, 15), date(2026, 11, 9))
    assert (mo.current_total, mo.baseline_total) == (7, 10)
    t = mo.table.set_index("mo")
    assert set(t.index) == {"cilinder trekken", "braak achterdeur", "onbekend"}
    up = t.loc["cilinder trekken"]
    assert (up["current"], up["baseline"]) == (4, 0)
    assert up["current_share"] == pytest.approx(4 / 7)
    assert up["p_value"] == pytest.approx(fisher_exact(4, 3, 0, 10))
    assert up["flag"] and up["direction"] == "up"
    down = t.loc["braak achterdeur"]
    assert down["diff_pp"] == pytest.approx((1 / 7 - 1) * 100)
    assert down["flag"] and down["direction"] == "down"
    # Two unknown-MO burglaries: p < 0.05 is possible, but fewer than three -> no flag.
    unknown = t.loc["onbekend"]
    assert unknown["current"] == 2 and not unknown["flag"]
    assert list(mo.flagged["mo"]) == ["braak achterdeur", "cilinder trekken"]


# --------------------------------------------------------------------------- time


def time_fixture() -> pd.DataFrame:
    return frame([
        inc("2026-11-16 20:15"),  # Monday, exact
        inc("2026-11-17 10:00", to="2026-11-17 12:00"),  # Tuesday 10-12
        inc("2026-11-21 23:30", to="2026-11-22 00:30"),  # Saturday night
        inc("2026-11-10 09:00", to="2026-11-20 09:00"),  # ten days away
        inc("2026-10-05 03:00"),  # baseline (Monday)
    ])


def test_time_profile_reference() -> None:
    tp = time_profile(time_fixture(), AS_OF, method="reference")
    r = tp.recent
    assert tp.recent_total == 4 and r.to_numpy().sum() == 4
    assert r.loc[0, 20] == 1 and r.loc[1, 11] == 1  # Tuesday: midpoint 11:00
    assert r.loc[6, 0] == 1  # Saturday 23:30–00:30: midpoint Sunday 00:00
    assert r.loc[1, 9] == 1  # ten-day window: its start, Tuesday 10 Nov 09:00
    assert tp.baseline.loc[0, 3] == 1 and tp.baseline_total == 1


def test_time_profile_aoristic() -> None:
    tp = time_profile(time_fixture(), AS_OF)
    r = tp.recent
    week = 1 / 168
    assert r.to_numpy().sum() == pytest.approx(4)
    assert r.loc[0, 20] == pytest.approx(1 + week)
    assert r.loc[1, 10] == pytest.approx(0.5 + week)
    assert r.loc[1, 11] == pytest.approx(0.5 + week)
    assert r.loc[5, 23] == pytest.approx(0.5 + week)
    assert r.loc[6, 0] == pytest.approx(0.5 + week)
    assert r.loc[3, 3] == pytest.approx(week)
    recent, _ = tp.blocks(3)
    assert recent.loc[1, 9] == pytest.approx(1 + 3 * week)


def test_time_profile_across_the_dst_change() -> None:
    # 29 March 2026: 02:00 -> 03:00. A window 01:30–03:30 local lasts one real hour.
    df = frame([inc("2026-03-29 01:30", to="2026-03-29 03:30")])
    tp = time_profile(df, date(2026, 3, 30))
    r = tp.recent
    assert r.loc[6, 1] == pytest.approx(0.5) and r.loc[6, 3] == pytest.approx(0.5)
    assert r.loc[6, 2] == 0


# --------------------------------------------------------------------------- hotspots


def hotspot_fixture() -> pd.DataFrame:
    return frame([
        # A: new, three incidents in two neighbouring cells (10,10) and (11,10).
        inc("2026-11-20 20:00", "Molenstraat", "Noord", x=1300, y=1300),
        inc("2026-11-15 20:00", "Molenstraat", "Noord", x=1310, y=1290),
        inc("2026-11-18 20:00", "Kerkstraat", "Noord", x=1430, y=1300),
        # B: persisting, cell (40,40).
        inc("2026-10-20 20:00", "Dijkweg", "Oost", x=5010, y=5010),
        inc("2026-10-30 20:00", "Dijkweg", "Oost", x=5000, y=5000),
        inc("2026-11-01 20:00", "Dijkweg", "Oost", x=5005, y=5020),
        inc("2026-11-12 20:00", "Dijkweg", "Oost", x=5020, y=5005),
        # Two together, three far apart, and one without coordinates: no hotspots.
        inc("2026-11-20 20:00", x=9000, y=9000),
        inc("2026-11-21 20:00", x=9010, y=9000),
        inc("2026-11-20 20:00", x=2000, y=2000),
        inc("2026-11-20 20:00", x=2400, y=2000),
        inc("2026-11-20 20:00", x=2800, y=2000),
        inc("2026-11-20 20:00"),
    ])


def test_hotspots_now_and_two_weeks_ago() -> None:
    hs = hotspots(hotspot_fixture(), AS_OF)
    assert [(h.cells, h.n_incidents, h.new) for h in hs.now] == [
        ([(10, 10), (11, 10)], 3, True),
        ([(40, 40)], 3, False),
    ]
    a = hs.now[0]
    assert a.streets == ["Molenstraat", "Kerkstraat"] and a.buurt == "Noord"
    assert (a.first, a.last) == (date(2026, 11, 15), date(2026, 11, 20))
    assert a.x == pytest.approx((1300 + 1310 + 1430) / 3)
    assert [(h.cells, h.n_incidents) for h in hs.before] == [([(40, 40)], 3)]


def test_hotspots_need_min_count() -> None:
    hs = hotspots(hotspot_fixture(), AS_OF, min_count=4)
    assert hs.now == [] and hs.before == []


def test_main_buurt_most_frequent_then_alphabetical() -> None:
    df = pd.DataFrame({
        "street": ["Kade", "Kade", "Kade", "Laan", "Laan", "Pad", None, "Weg"],
        "buurt": ["Oost", "West", "West", "Zuid", "Noord", "Oost", "Oost", None],
    })
    got = main_buurt(df)
    # Kade: West 2 × Oost 1; Laan: a tie, alphabetical; a row without street or buurt
    # counts for nothing (Weg has no buurt at all).
    assert got.to_dict() == {"Kade": "West", "Laan": "Noord", "Pad": "Oost"}
    assert got.index.name == "street"
    assert main_buurt(df.iloc[6:]).empty


def test_text_columns_are_stripped_and_blank_is_missing() -> None:
    values = pd.Series(["  Kade ", "", None, "Kade", 12, np.nan, "   "], index=range(10, 17))
    got = _as_text(values)
    assert got.index.tolist() == list(range(10, 17))
    assert got.iloc[[0, 3, 4]].tolist() == ["Kade", "Kade", "12"]
    assert got.iloc[[1, 2, 5, 6]].isna().all()
