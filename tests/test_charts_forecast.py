"""Forecast, uncertainty band and the backtest — including the acceptance criterion:
the method beats both baselines on the demo data and the eight-week baseline on the
shared Vancouver export (skipped when ``../shared/data`` is absent)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.path import Path as MplPath

from charts.data import day_number, prepare
from charts.forecast import (
    BASELINE_EIGHT_WEEKS,
    BASELINE_LAST_YEAR,
    DEFAULT_PARAMS,
    METHOD,
    WINDOW,
    BacktestResult,
    _cells_inside,
    _expected_hits,
    _replay,
    _unit_spaces,
    backtest,
    backtest_report,
    build_grid,
    forecast,
    forecasts,
    nb_quantiles,
)
from charts.samples import VANCOUVER_CSV, VANCOUVER_TZ, demo_inputs, vancouver_frame

DEMO_AS_OF = date(2026, 11, 23)
KS = (0.01, 0.03, 0.05)
# ../shared/data next to the repository (the tests live in <repo>/tests).
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


# --------------------------------------------------------------------------- pieces


def test_poisson_quantiles() -> None:
    # Poisson(2): CDF 0.135, 0.406, 0.677, 0.857, 0.947 -> 10 % at 0, 90 % at 4.
    q = nb_quantiles(np.array([2.0, 0.0]), 0.0, (0.1, 0.9))
    assert q[:, 0].tolist() == [0, 4] and q[:, 1].tolist() == [0, 0]


def test_negative_binomial_quantiles_match_brute_force() -> None:
    mu, alpha = 6.0, 0.5
    r = 1 / alpha
    p = mu / (r + mu)
    cdf, k = 0.0, 0
    wanted = {}
    while len(wanted) < 2:
        cdf += math.exp(math.lgamma(k + r) - math.lgamma(r) - math.lgamma(k + 1)
                        + r * math.log(1 - p) + k * math.log(p))
        for q in (0.1, 0.9):
            if q not in wanted and cdf >= q:
                wanted[q] = k
        k += 1
    got = nb_quantiles(np.array([mu]), alpha, (0.1, 0.9))
    assert got[:, 0].tolist() == [wanted[0.1], wanted[0.9]]
    assert wanted[0.9] > nb_quantiles(np.array([mu]), 0.0, (0.9,))[0, 0]  # wider than Poisson


def test_expected_hits_breaks_ties_uniformly() -> None:
    scores = np.array([3.0, 2.0, 2.0, 2.0, 0.0])
    hits = np.array([1.0, 0.0, 3.0, 0.0, 5.0])
    # Top 2: the 3 for sure, one of the three tied 2s with probability 1/3 each.
    assert _expected_hits(scores, hits, 2) == pytest.approx(1 + 3 / 3)
    assert _expected_hits(scores, hits, 4) == pytest.approx(4.0)
    assert _expected_hits(np.zeros(5), hits, 1) == pytest.approx(9 / 5)


def test_grid_is_aligned_and_study_area_defined() -> None:
    x = np.array([1010.0, 1135.0, np.nan])
    y = np.array([2010.0, 2010.0, 5.0])
    grid = build_grid(x, y, buffer_cells=1)
    assert grid.cell == 125.0
    flat = grid.flat(x, y)
    assert flat[2] == -1
    cx, cy = grid.centres(flat[:2])
    assert cx.tolist() == [1062.5, 1187.5] and cy.tolist() == [2062.5, 2062.5]
    # Two incident cells side by side, dilated by one cell: a 4 × 3 block.
    assert grid.n_study == 12
    square = [(0.0, 0.0), (500.0, 0.0), (500.0, 500.0), (0.0, 500.0)]
    grid = build_grid(x, y, polygons={"b": square})
    assert grid.n_study == 16 + 2  # 4 × 4 cells inside the square + the incident cells


def test_cells_inside_polygons_as_matplotlib_counts_them() -> None:
    """The scanline fill of the study area against matplotlib's point-in-polygon test on
    every cell centre: star-shaped and self-intersecting polygons, open and closed rings,
    overlapping ones and ones reaching off the grid. (Centres exactly on an outline are
    left to chance by both, so vertices are random reals.)"""
    rng = np.random.default_rng(7)
    cell, ix0, iy0, nx, ny = 125.0, -4, -3, 24, 20
    tx = (np.arange(nx) + ix0 + 0.5) * cell
    ty = (np.arange(ny) + iy0 + 0.5) * cell
    centres = np.column_stack([np.tile(tx, ny), np.repeat(ty, nx)])
    for _ in range(300):
        polygons = []
        for _ in range(int(rng.integers(1, 5))):
            n = int(rng.integers(3, 12))
            if rng.random() < 0.5:
                angle = np.sort(rng.uniform(0, 2 * np.pi, n))
                radius = rng.uniform(50, 900, n)
                middle = rng.uniform(-200, 2200, 2)
                ring = middle + np.column_stack([radius * np.cos(angle),
                                                 radius * np.sin(angle)])
            else:
                ring = rng.uniform(-800, 2800, (n, 2))  # edges crossing each other
            polygons.append(np.vstack([ring, ring[:1]]) if rng.random() < 0.3 else ring)
        expected = np.zeros(ny * nx, dtype=bool)
        for ring in polygons:
            expected |= MplPath(ring).contains_points(centres)
        got = _cells_inside(polygons, ix0, iy0, nx, ny, cell)
        assert (got.ravel() == expected).all()
    assert not _cells_inside([], ix0, iy0, nx, ny, cell).any()
    assert not _cells_inside([np.array([[0.0, 0.0], [9e5, 0.0], [0.0, 9e5]]) + 1e6],
                             ix0, iy0, nx, ny, cell).any()  # entirely off the grid


def test_a_point_far_from_the_rest_stays_off_the_grid() -> None:
    """RD metres in Den Haag plus one point in UTM metres (Vancouver): the grid spans the
    Den Haag points only, instead of ~40,000 × 3,300 cells across the gap."""
    x = np.array([81_000.0, 81_300.0, 81_600.0, 494_207.0])
    y = np.array([455_000.0, 455_100.0, 455_400.0, 5_456_008.0])
    grid = build_grid(x, y, buffer_cells=1)
    assert grid.nx * grid.ny < 100
    assert grid.flat(x, y)[3] == -1 and (grid.flat(x, y)[:3] >= 0).all()


def synthetic(n_days: int = 400, seed: int = 1) -> pd.DataFrame:
    """A small town: most burglaries in one street, some elsewhere."""
    rng = np.random.default_rng(seed)
    start = datetime(2025, 10, 1, 12, tzinfo=UTC)
    rows = []
    for day in range(n_days):
        for _ in range(rng.poisson(0.4)):
            hot = rng.random() < 0.6
            x = (rng.normal(1000, 40) if hot else rng.uniform(0, 2000))
            y = (rng.normal(1000, 40) if hot else rng.uniform(0, 2000))
            t = start + timedelta(days=day, hours=float(rng.uniform(0, 10)))
            rows.append({"occurred_from": t, "occurred_to": t,
                         "street": "Hoofdstraat" if hot else f"Straat {int(x // 500)}",
                         "buurt": "Kern" if hot else "Rand", "wijk": None,
                         "attempt": bool(rng.random() < 0.3), "modus_operandi": None,
                         "x": x if rng.random() > 0.1 else np.nan, "y": y})
    return pd.DataFrame(rows)


def test_forecast_is_consistent_and_looks_at_the_right_place() -> None:
    df = synthetic()
    as_of = date(2026, 10, 1)
    fc = forecast(df, as_of)
    assert fc.period == (date(2026, 10, 2), date(2026, 10, 15))
    assert fc.total.low <= fc.total.expected <= fc.total.high
    # 0.4 a day -> about 5.6 a fortnight.
    assert 3.0 < fc.total.expected < 9.0
    share = fc.cells["expected"].sum() / fc.total.expected
    assert 0.8 < share < 1.0  # only incidents with coordinates are placed on the grid
    assert fc.buurt["expected"].sum() == pytest.approx(fc.total.expected)
    assert fc.street["expected"].sum() == pytest.approx(fc.total.expected)
    assert fc.buurt["buurt"].iloc[0] == "Kern" and fc.street["street"].iloc[0] == "Hoofdstraat"
    top = fc.top_cells(0.01)
    assert (abs(top["x"] - 1000) < 250).all() and (abs(top["y"] - 1000) < 250).all()
    assert (fc.cells["low"] <= fc.cells["high"]).all()
    assert sum(fc.weights["cells"].values()) == pytest.approx(1.0, abs=1e-3)  # rounded


def test_forecast_does_not_look_ahead() -> None:
    df = synthetic()
    as_of = date(2026, 6, 1)
    future = pd.to_datetime(df["occurred_from"], utc=True) >= pd.Timestamp("2026-06-02",
                                                                            tz="Europe/Amsterdam")
    full = forecast(df, as_of)
    cut = forecast(df[~future], as_of)
    assert full.total.expected == pytest.approx(cut.total.expected)
    pd.testing.assert_frame_equal(full.buurt, cut.buurt)
    pd.testing.assert_frame_equal(full.cells, cut.cells)
    # The forecast two weeks back uses only the data up to its own date.
    before, _now = forecasts(df, as_of, lags=(1, 0))
    alone = forecast(df, as_of - timedelta(days=14))
    assert before.total.expected == pytest.approx(alone.total.expected)
    assert before.buurt["expected"].tolist() == pytest.approx(alone.buurt["expected"].tolist())


# --------------------------------------------------------------------------- acceptance


@pytest.fixture(scope="module")
def demo() -> tuple[pd.DataFrame, dict]:
    frame, _homes, polygons = demo_inputs(DEMO_AS_OF)
    return frame, polygons


@pytest.fixture(scope="module")
def demo_backtest(demo) -> BacktestResult:  # type: ignore[no-untyped-def]
    frame, polygons = demo
    return backtest(frame, DEMO_AS_OF, polygons=polygons, name="demo")


def test_replay_started_late_equals_the_full_replay(demo) -> None:  # type: ignore[no-untyped-def]
    """The forecast starts its replay at the first window it fits on, summing all earlier
    incidents into the state at once; every feature from there on must be what the
    window-by-window replay (the backtest's) computes."""
    frame, polygons = demo
    df = prepare(frame)
    end_day = day_number(DEMO_AS_OF)
    df = df[df["_day"] <= end_day]
    grid = build_grid(df["x"].to_numpy(), df["y"].to_numpy(), polygons=polygons)
    spaces = _unit_spaces(df, DEFAULT_PARAMS)
    last = (end_day + 1 - int(df["_day"].min())) // WINDOW
    keep = last - DEFAULT_PARAMS.max_fit_windows - 1
    assert keep > 20  # five years of demo data: a real skip
    full = _replay(df, end_day, DEFAULT_PARAMS, grid, spaces, 0, {last})
    late = _replay(df, end_day, DEFAULT_PARAMS, grid, spaces, keep, {last})
    assert sorted(late.cell_x) == list(range(keep, last))
    for k in range(keep, last):
        np.testing.assert_allclose(late.cell_x[k], full.cell_x[k], rtol=1e-9, atol=1e-15)
        np.testing.assert_array_equal(late.cell_loc[k], full.cell_loc[k])
        for name in ("buurt", "street"):
            np.testing.assert_allclose(late.unit_full[name][k], full.unit_full[name][k],
                                       rtol=1e-9, atol=1e-15)
            np.testing.assert_array_equal(late.unit_y[name][k], full.unit_y[name][k])
    np.testing.assert_allclose(late.z_total[keep:], full.z_total[keep:], rtol=1e-9)
    np.testing.assert_allclose(late.cell_full[last], full.cell_full[last], rtol=1e-9,
                               atol=1e-15)
    assert (late.z_total[:keep] == 0).all()  # never computed, never used


def _beats(result: BacktestResult, baseline: str) -> None:
    for k in KS:
        for pooled in (False, True):
            ours, theirs = result.pai(METHOD, k, pooled), result.pai(baseline, k, pooled)
            assert ours > theirs, f"top {k:.0%} ({'pooled' if pooled else 'mean'}): " \
                                  f"method PAI {ours:.2f} <= {baseline} {theirs:.2f}"


def test_demo_backtest_replays_at_least_two_years(demo_backtest: BacktestResult) -> None:
    folds = demo_backtest.folds.drop_duplicates("fold_start")
    assert len(folds) >= 52
    assert folds["fold_end"].max() == DEMO_AS_OF
    assert (pd.to_datetime(folds["fold_start"]).diff().dropna() == pd.Timedelta(days=14)).all()
    s = demo_backtest.summary
    assert set(s["method"]) == {METHOD, BASELINE_LAST_YEAR, BASELINE_EIGHT_WEEKS}
    assert (s["pooled_pai"] == s["pooled_hit_rate"] / s["area_share"]).all()


def test_demo_method_beats_last_year(demo_backtest: BacktestResult) -> None:
    _beats(demo_backtest, BASELINE_LAST_YEAR)


def test_demo_method_beats_last_eight_weeks(demo_backtest: BacktestResult) -> None:
    _beats(demo_backtest, BASELINE_EIGHT_WEEKS)


def test_demo_without_polygons_also_beats_both(demo) -> None:  # type: ignore[no-untyped-def]
    frame, _polygons = demo
    result = backtest(frame, DEMO_AS_OF)
    _beats(result, BASELINE_LAST_YEAR)
    _beats(result, BASELINE_EIGHT_WEEKS)


def test_demo_band_is_roughly_calibrated(demo_backtest: BacktestResult) -> None:
    cov = demo_backtest.coverage.set_index("level")["share"]
    assert 0.7 <= cov["total"] <= 0.95  # nominal 80 %


@pytest.mark.skipif(not (SHARED / VANCOUVER_CSV).is_file(), reason="no ../shared/data")
def test_vancouver_method_beats_last_eight_weeks() -> None:
    result = backtest(vancouver_frame(SHARED / VANCOUVER_CSV), tz=VANCOUVER_TZ,
                      name="Vancouver")
    folds = result.folds.drop_duplicates("fold_start")
    assert len(folds) >= 20  # every fortnight after the eight-week warm-up
    assert result.summary[result.summary["method"] == BASELINE_LAST_YEAR].empty  # one year
    _beats(result, BASELINE_EIGHT_WEEKS)


def test_backtest_report(demo_backtest: BacktestResult) -> None:
    en = backtest_report(demo_backtest, "en")
    nl = backtest_report(demo_backtest, "nl")
    assert "PAI" in en and "last 8 weeks" in en and "top 3%" in en
    assert "laatste 8 weken" in nl and "vorig jaar" in nl and "Studiegebied" in nl
    assert f"{demo_backtest.pai(METHOD, 0.01):.2f}" in en


def test_backtest_report_columns_line_up(demo_backtest: BacktestResult) -> None:
    """Every figure starts under its column head, also with the longer Dutch labels."""
    import re

    for language in ("en", "nl"):
        lines = backtest_report(demo_backtest, language).splitlines()
        head = next(i for i, line in enumerate(lines) if "PAI" in line)
        # a head may be two words ("hit rate"): columns are separated by two spaces or more
        starts = [m.start() for m in re.finditer(r"\S+(?: \S+)*", lines[head])]
        rows = [line for line in lines[head + 1:] if re.search(r"\d+[.,]\d+%", line)]
        assert len(rows) == 6, language  # method and two baselines, mean and pooled
        for row in rows:
            figures = [m.start() for m in re.finditer(r"\d[\d.,]*%?(?=\s|$)", row)]
            # the "8" of "last 8 weeks" is part of the label, not a figure
            figures = [f for f in figures if f >= starts[0]]
            assert figures == starts, (language, row)
