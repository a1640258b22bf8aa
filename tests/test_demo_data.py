"""Tests for bot.demo_data: the fictional municipality must be valid and realistic.

The realism checks (seasonality, near-repeat, spatial persistence) guard the structure
that the forecasting feature relies on; they run on the default seed.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from bot.demo_data import (
    ACTION_STATUSES,
    ACTION_TARGETS,
    ACTION_TYPES,
    MO_LABELS,
    PARTNER_KINDS,
    ROLES,
    DemoIncident,
    generate_demo,
    incidents_frame,
)

AS_OF = date(2026, 11, 23)
YEARS = 5
AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(scope="module")
def data():
    return generate_demo(AS_OF)


@pytest.fixture(scope="module")
def frame(data):
    return incidents_frame(data)


@pytest.fixture(scope="module")
def local_from(frame):
    return frame["occurred_from"].dt.tz_convert(AMS)


def _points_in_polygon(xs: np.ndarray, ys: np.ndarray, poly) -> np.ndarray:
    """Vectorised even-odd test, independent of the module's own helper."""
    pts = list(poly)
    if pts[0] == pts[-1]:
        pts = pts[:-1]
    inside = np.zeros(len(xs), dtype=bool)
    for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True):
        crosses = (y1 > ys) != (y2 > ys)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = (x2 - x1) * (ys - y1) / (y2 - y1) + x1
        inside ^= crosses & (xs < x_at)
    return inside


# ----------------------------------------------------------------- determinism, speed


def test_deterministic_and_seed_dependent(data):
    again = generate_demo(AS_OF)
    assert again == data
    other = generate_demo(AS_OF, seed=7)
    assert other.incidents != data.incidents


# ----------------------------------------------------------------- town


def test_town_structure(data):
    assert data.municipality and data.municipality_code.startswith("GM99")
    assert 2 <= len(data.wijken) <= 3
    assert 6 <= len(data.buurten) <= 9
    wijk_names = {w.name for w in data.wijken}
    assert all(re.fullmatch(r"WK99\d{4}", w.cbs_code) for w in data.wijken)
    for b in data.buurten:
        assert b.wijk in wijk_names
        assert re.fullmatch(r"BU99\d{6}", b.cbs_code)
        assert 800 <= b.homes <= 3000
        xs, ys = zip(*b.polygon, strict=True)
        assert min(xs) > 84_000 and max(xs) < 96_000 and min(ys) > 439_000 and max(ys) < 451_000
        assert 500 <= max(xs) - min(xs) <= 1500 and 500 <= max(ys) - min(ys) <= 1500
        streets = [s for s in data.streets if s.buurt == b.name]
        assert 4 <= len(streets) <= 8
        assert sum(s.homes for s in streets) == b.homes
    names = [s.name for s in data.streets]
    assert len(names) == len(set(names))
    for s in data.streets:
        assert re.search(r"(straat|laan|weg|pad|hof)$", s.name)
        assert re.fullmatch(r"[1-9]\d{3} [A-Z]{2}", s.postcode)
        poly = next(b.polygon for b in data.buurten if b.name == s.buurt)
        xs, ys = np.array(s.points).T
        assert _points_in_polygon(xs, ys, poly).all()


def test_buurt_polygons_tile_without_overlap(data):
    xs = np.array([x for b in data.buurten for x, _ in b.polygon])
    ys = np.array([y for b in data.buurten for _, y in b.polygon])
    gx, gy = np.meshgrid(np.arange(xs.min(), xs.max(), 20.0), np.arange(ys.min(), ys.max(), 20.0))
    gx, gy = gx.ravel(), gy.ravel()
    hits = sum(_points_in_polygon(gx, gy, b.polygon).astype(int) for b in data.buurten)
    assert hits.max() == 1  # no overlap
    # ... and no holes: the middle of the town is fully covered.
    mid = (
        (gx > np.percentile(xs, 25))
        & (gx < np.percentile(xs, 75))
        & (gy > np.percentile(ys, 25))
        & (gy < np.percentile(ys, 75))
    )
    assert hits[mid].min() == 1


# ----------------------------------------------------------------- people


def test_partners_and_members(data):
    partner_kind = {p.name: p.kind for p in data.partners}
    assert set(partner_kind.values()) <= set(PARTNER_KINDS)
    assert {
        "gemeente",
        "politie",
        "om",
        "woningcorporatie",
        "stadstoezicht",
        "veiligheidshuis",
        "buurtpreventie",
    } <= set(partner_kind.values())
    assert 10 <= len(data.members) <= 14
    assert {m.role for m in data.members} == set(ROLES)
    leaders = [m for m in data.members if m.role == "projectleider"]
    assert len(leaders) == 1 and partner_kind[leaders[0].partner] == "gemeente"
    for m in data.members:
        assert m.partner in partner_kind
        assert m.user_id >= 9_000_000_001
        assert m.language in ("nl", "en")
        if m.role in ("analist", "wijkagent"):
            assert partner_kind[m.partner] == "politie"
        if m.role == "meelezer":
            assert partner_kind[m.partner] == "om"
    assert len({m.user_id for m in data.members}) == len(data.members)
    n_en = sum(m.language == "en" for m in data.members)
    assert 1 <= n_en <= 3


# ----------------------------------------------------------------- incidents: basics


def test_incidents_sorted_aware_and_in_span(data):
    incs = data.incidents
    assert [i.occurred_from for i in incs] == sorted(i.occurred_from for i in incs)
    first_day = date(AS_OF.year - YEARS, AS_OF.month, AS_OF.day) + timedelta(days=1)
    for i in incs:
        assert i.occurred_from.utcoffset() == timedelta(0)
        assert i.occurred_to.utcoffset() == timedelta(0)
        assert i.occurred_to >= i.occurred_from
        # In local time and in UTC alike.
        assert first_day <= i.occurred_from.astimezone(AMS).date()
        assert i.occurred_to.astimezone(AMS).date() <= AS_OF
        assert first_day <= i.occurred_from.date() and i.occurred_to.date() <= AS_OF
    # The whole span is used: incidents in the first and the last month.
    assert incs[0].occurred_from.date() < first_day + timedelta(days=31)
    assert incs[-1].occurred_from.date() > AS_OF - timedelta(days=31)


def test_other_span_lengths():
    d = generate_demo(AS_OF, seed=3, years=1)
    assert d.incidents
    assert all(
        AS_OF - timedelta(days=366) <= i.occurred_from.astimezone(AMS).date()
        and i.occurred_to.astimezone(AMS).date() <= AS_OF
        for i in d.incidents
    )


def test_incidence_and_trend(data, frame, local_from):
    homes = sum(b.homes for b in data.buurten)
    per_1000 = len(frame) / YEARS / (homes / 1000)
    assert 6.0 <= per_1000 <= 10.0
    # Mild downward trend: the first two years above the last two.
    days_back = (pd.Timestamp(AS_OF + timedelta(days=1), tz=AMS) - local_from).dt.days
    year_back = days_back // 365
    assert (year_back >= 3).sum() > (year_back <= 1).sum()


def test_fields_and_labels(data, frame):
    buurt = {b.name: b for b in data.buurten}
    street = {s.name: s for s in data.streets}
    assert set(frame["modus_operandi"]) <= set(MO_LABELS)
    assert len(set(frame["modus_operandi"])) == len(MO_LABELS)
    for i in data.incidents:
        assert i.municipality == data.municipality
        assert i.buurt_code == buurt[i.buurt].cbs_code and i.wijk == buurt[i.buurt].wijk
        assert street[i.street].buurt == i.buurt and street[i.street].postcode == i.postcode
        assert re.fullmatch(r"\d+(a|-\d)?", i.house_number)
    assert frame["house_number"].str.contains("-").any()
    assert frame["house_number"].str.endswith("a").any()


def test_points_inside_their_buurt(data, frame):
    for b in data.buurten:
        sub = frame[frame["buurt"] == b.name]
        assert len(sub) > 0
        assert _points_in_polygon(sub["x_rd"].to_numpy(), sub["y_rd"].to_numpy(), b.polygon).all()


def test_attempt_share_and_windows(frame):
    assert 0.28 <= frame["attempt"].mean() <= 0.42
    width = frame["occurred_to"] - frame["occurred_from"]
    assert (width >= pd.Timedelta(0)).all()
    known = width == pd.Timedelta(0)
    assert 0.35 <= known.mean() <= 0.65
    hours = width[~known].dt.total_seconds() / 3600
    assert 3 <= hours.median() <= 14  # typically several hours


def test_mo_drift(frame, local_from):
    share = (
        (frame["modus_operandi"] == "cilinder trekken")
        .groupby(local_from.dt.year >= AS_OF.year - 1)
        .mean()
    )
    assert share[True] > share[False]  # lock-pulling on the rise


# ----------------------------------------------------------------- incidents: structure


def test_seasonality(local_from):
    per_month = local_from.dt.month.value_counts().reindex(range(1, 13), fill_value=0)
    winter = per_month[[10, 11, 12, 1]].mean()
    spring = per_month[[3, 4, 5]].mean()
    assert winter > 1.3 * spring


def test_hour_profile_differs_by_season(frame, local_from):
    known = (frame["occurred_to"] == frame["occurred_from"]).to_numpy()
    month = local_from.dt.month.to_numpy()
    hour = local_from.dt.hour.to_numpy()
    evening = (hour >= 17) & (hour < 22)
    winter = known & np.isin(month, [11, 12, 1])
    summer = known & np.isin(month, [5, 6, 7, 8])
    assert evening[winter].mean() > 0.4
    assert evening[winter].mean() > evening[summer].mean() + 0.15


def _knox_pairs(x: np.ndarray, y: np.ndarray, t_days: np.ndarray) -> int:
    close = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]) < 200.0
    soon = np.abs(t_days[:, None] - t_days[None, :]) < 14.0
    return int(np.triu(close & soon, k=1).sum())


def test_near_repeat_knox(frame):
    mid = frame["occurred_from"] + (frame["occurred_to"] - frame["occurred_from"]) / 2
    t = ((mid - mid.min()).dt.total_seconds() / 86400).to_numpy()
    x, y = frame["x_rd"].to_numpy(), frame["y_rd"].to_numpy()
    observed = _knox_pairs(x, y, t)
    rng = np.random.default_rng(0)
    expected = np.mean([_knox_pairs(x, y, rng.permutation(t)) for _ in range(20)])
    assert observed > 1.5 * expected


def test_spatial_persistence_per_125m_cell(data, frame):
    # Cells with homes: those touched by a street (homes lie within ~18 m of it,
    # plus a few metres of jitter).
    cells = set()
    for s in data.streets:
        pts = np.array(s.points)
        for (x1, y1), (x2, y2) in itertools.pairwise(pts):
            n = int(np.hypot(x2 - x1, y2 - y1) // 10) + 2
            for f in np.linspace(0, 1, n):
                for dx in (-30, 0, 30):
                    for dy in (-30, 0, 30):
                        cells.add(
                            (
                                int((x1 + f * (x2 - x1) + dx) // 125),
                                int((y1 + f * (y2 - y1) + dy) // 125),
                            )
                        )
    cell = list(
        zip((frame["x_rd"] // 125).astype(int), (frame["y_rd"] // 125).astype(int), strict=True)
    )
    assert set(cell) <= cells
    half = (
        frame["occurred_from"]
        < frame["occurred_from"].min()
        + (frame["occurred_from"].max() - frame["occurred_from"].min()) / 2
    )
    index = pd.Index(sorted(cells))
    first = (
        pd.Series([c for c, h in zip(cell, half, strict=True) if h])
        .value_counts()
        .reindex(index, fill_value=0)
    )
    second = (
        pd.Series([c for c, h in zip(cell, half, strict=True) if not h])
        .value_counts()
        .reindex(index, fill_value=0)
    )
    rho = np.corrcoef(first.rank().to_numpy(), second.rank().to_numpy())[0, 1]
    assert rho > 0.3


# ----------------------------------------------------------------- actions


def test_actions(data):
    partner_names = {p.name for p in data.partners}
    members = {m.user_id: m for m in data.members}
    leader = next(m.user_id for m in data.members if m.role == "projectleider")
    areas = (
        {b.name for b in data.buurten}
        | {s.name for s in data.streets}
        | {w.name for w in data.wijken}
    )
    assert 30 <= len(data.actions) <= 45
    for a in data.actions:
        assert a.area in areas
        assert a.type in ACTION_TYPES and a.target in ACTION_TARGETS
        assert a.problem and a.what and a.aim and a.capacity
        assert 1 <= len(a.partners) <= 3 and len(set(a.partners)) == len(a.partners)
        assert set(a.partners) <= partner_names
        assert len(a.statuses) == len(a.partners)
        assert set(a.statuses) <= set(ACTION_STATUSES)
        for partner, text, qty, unit in a.results:
            assert partner in a.partners and text
            assert (qty is None) == (unit is None)
        # A reason exactly where the partner did not do it or it was cancelled; a result
        # only of work done (or an interim figure of running work).
        assert len(a.reasons) == len(a.partners)
        for status, reason, partner in zip(a.statuses, a.reasons, a.partners, strict=True):
            assert bool(reason) == (status in ("not_done", "cancelled")), (status, reason)
            if status in ("not_done", "cancelled"):
                assert all(r[0] != partner for r in a.results)
        assert a.period_start.weekday() == 0 and a.period_end.weekday() == 6
        assert a.period_start <= a.period_end
        assert AS_OF - timedelta(weeks=11) <= a.period_start <= AS_OF + timedelta(weeks=5)
        assert a.created_at.utcoffset() == timedelta(0)
        assert a.created_at.date() < a.period_start and a.created_at.date() <= AS_OF
        assert a.created_by in members
        assert a.created_by == leader or members[a.created_by].partner == a.partners[0]
        if a.expected_effect is not None:
            assert a.expected_effect > a.period_start

    overdue_open = [a for a in data.actions if a.period_end < AS_OF and "open" in a.statuses]
    assert len(overdue_open) >= 2
    done_with_numbers = [
        r
        for a in data.actions
        for s, p in zip(a.statuses, a.partners, strict=True)
        if s == "done"
        for r in a.results
        if r[0] == p and r[2] is not None
    ]
    assert len(done_with_numbers) >= 5
    assert any("not_done" in a.statuses for a in data.actions)
    assert any(a.period_start <= AS_OF <= a.period_end for a in data.actions)
    assert any(a.period_start > AS_OF for a in data.actions)
    assert any(len(set(a.statuses)) > 1 for a in data.actions)
    assert len({p for a in data.actions for p in a.partners}) >= 4
    assert len({a.area for a in data.actions}) >= 8


# ----------------------------------------------------------------- frame


def test_incidents_frame(data, frame):
    assert list(frame.columns) == [f.name for f in dataclasses.fields(DemoIncident)]
    assert len(frame) == len(data.incidents)
    assert str(frame["occurred_from"].dt.tz) == "UTC"
    assert frame["attempt"].dtype == bool
    first = data.incidents[0]
    assert frame.iloc[0]["occurred_from"] == pd.Timestamp(first.occurred_from)
    assert frame.iloc[0]["street"] == first.street
    empty = incidents_frame(dataclasses.replace(data, incidents=()))
    assert list(empty.columns) == list(frame.columns) and len(empty) == 0


def test_local_times_and_dst(data):
    from bot.demo_data import _local_to_utc

    # Winter (CET, +1) and summer (CEST, +2) evenings map to different UTC hours.
    assert _local_to_utc(date(2026, 1, 15), 19 * 60) == datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
    assert _local_to_utc(date(2026, 7, 15), 19 * 60) == datetime(2026, 7, 15, 17, 0, tzinfo=UTC)
    # 02:30 does not exist on 29 March 2026; it is moved an hour forward (03:30 CEST).
    gap = _local_to_utc(date(2026, 3, 29), 150)
    assert gap == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert gap.astimezone(AMS).hour == 3
    # Known times are registered on a 5-minute grid, window bounds on 15 minutes (local).
    for inc in data.incidents:
        assert inc.occurred_from.astimezone(AMS).minute % 5 == 0
    # Incidents fall in both summer and winter time.
    offsets = {inc.occurred_from.astimezone(AMS).utcoffset() for inc in data.incidents}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}
