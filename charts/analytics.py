"""Descriptive steering analytics (sturingsinformatie, bijlage 5): pure functions of an
incident frame and an ``as_of`` date, returning small dataclasses and DataFrames.

* :func:`trend` — monthly counts over five years, 12-month moving average, same month last
  year, attempts %, incidence per 1,000 homes;
* :func:`last_two_weeks` — the 14 days ending ``as_of`` per street / buurt / wijk against
  the previous 14 days and the same 14 days a year (52 weeks) earlier;
* :func:`mo_shift` — modus-operandi mix of the last two weeks against the previous eight
  weeks, with a stand-out flag (Fisher's exact test + minimum size, see the function);
* :func:`time_profile` — weekday × hour-of-day profile (aoristic by default);
* :func:`hotspots` — clusters of recent incidents on the 125 m grid, now and two weeks ago.

All functions are synchronous, vectorised and free of shared state, so callers can run
them in a worker thread. Windows are local calendar days in ``tz`` (see :mod:`charts.data`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from charts.data import DEFAULT_TZ, day_number, day_to_date, epoch_ns, main_buurt, prepare

__all__ = [
    "LAST_YEAR_SHIFT_DAYS",
    "Hotspot",
    "Hotspots",
    "MoShift",
    "PeriodComparison",
    "TimeProfile",
    "Trend",
    "fisher_exact",
    "hotspots",
    "last_two_weeks",
    "mo_shift",
    "time_profile",
    "trend",
]

# "The same two weeks last year" is shifted by 52 weeks, not by a calendar year, so both
# windows contain the same weekdays (weekends matter for burglary).
LAST_YEAR_SHIFT_DAYS = 364
WINDOW_DAYS = 14


def _count_between(days: np.ndarray, first: int, last: int) -> int:
    return int(np.count_nonzero((days >= first) & (days <= last)))


# --------------------------------------------------------------------------- trend


@dataclass
class Trend:
    """Five-year trend.

    ``monthly`` has one row per calendar month (oldest first) with the columns ``month``
    (first day, a ``date``), ``count``, ``attempts``, ``attempt_pct``, ``ma12`` (trailing
    12-month mean of ``count``), ``same_month_last_year`` (for the running, partial month:
    the same days of that month a year earlier, so the two are comparable), ``rolling12``
    (sum of the last 12 months), ``per_1000_homes`` (``rolling12`` of the buurten with a
    known number of homes per 1,000 of those homes, i.e. an annual incidence) and
    ``partial`` (the running month). Months before the first recorded incident are not
    covered by the data: their values are NaN rather than a misleading 0.
    """

    as_of: date
    monthly: pd.DataFrame
    last_year: int  # the 365 days ending as_of
    previous_year: int  # the 365 days before those
    change_pct: float | None
    attempts: int  # in the last 365 days
    attempts_pct: float | None
    homes: int | None  # total homes of the buurten with a known number
    per_1000_homes: float | None  # last 365 days, incidents in those buurten only
    per_buurt: pd.DataFrame  # buurt, homes, count (last 365 days), per_1000_homes


def _month_start(d: date, back: int = 0) -> date:
    index = d.year * 12 + d.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _same_day_in_month(month: date, day: int) -> date:
    next_month = _month_start(month, -1)
    return min(month.replace(day=1) + timedelta(days=day - 1), next_month - timedelta(days=1))


def trend(
    incidents: pd.DataFrame,
    as_of: date,
    *,
    homes: Mapping[str, int] | None = None,
    tz: str = DEFAULT_TZ,
    years: int = 5,
    monthly: Mapping[tuple[int, int], int] | None = None,
) -> Trend:
    """Monthly development over ``years`` years up to and including ``as_of``'s month.

    ``monthly`` holds registered counts per (year, month) from the CBS/police open data;
    they fill the months that the incident rows do not cover (older history).
    """
    df = prepare(incidents, tz)
    a = day_number(as_of)
    df = df[df["_day"] <= a]
    days = df["_day"].to_numpy()
    attempts = df["attempt"].to_numpy()
    known_homes = {str(k): int(v) for k, v in (homes or {}).items() if v and int(v) > 0}
    in_known = df["buurt"].isin(list(known_homes)).to_numpy() if known_homes else None
    total_homes = sum(known_homes.values()) if known_homes else None
    first_day = int(days.min()) if len(days) else a + 1

    months = [_month_start(as_of, back) for back in range(12 * years + 11, -1, -1)]
    rows = []
    for m in months:
        start = day_number(m)
        partial = m == months[-1] and as_of != _month_start(as_of, -1) - timedelta(days=1)
        end = a if m == months[-1] else day_number(_month_start(m, -1)) - 1
        covered = end >= first_day
        sel = (days >= start) & (days <= end)
        count = int(np.count_nonzero(sel)) if covered else np.nan
        if not covered and monthly and (m.year, m.month) in monthly:
            count = int(monthly[(m.year, m.month)])  # open-data count: no attempt split
        n_att = int(np.count_nonzero(sel & attempts)) if covered else np.nan
        known = (
            int(np.count_nonzero(sel & in_known)) if covered and in_known is not None else np.nan
        )
        rows.append((m, count, n_att, known, partial, start, end))
    frame = pd.DataFrame(
        rows, columns=["month", "count", "attempts", "known", "partial", "start", "end"]
    )
    counts = frame["count"].astype(float)
    full = counts.where(~frame["partial"])
    frame["attempt_pct"] = (frame["attempts"] / counts.where(counts > 0) * 100.0).astype(float)
    frame["ma12"] = full.rolling(12, min_periods=12).mean()
    frame["rolling12"] = full.rolling(12, min_periods=12).sum()
    if total_homes:
        known_full = frame["known"].astype(float).where(~frame["partial"])
        frame["per_1000_homes"] = known_full.rolling(12, min_periods=12).sum() / total_homes * 1e3
    else:
        frame["per_1000_homes"] = np.nan
    # Same month last year: 12 rows back; for the running month only the same days.
    last_year = counts.shift(12)
    if frame["partial"].iloc[-1]:
        m = _month_start(months[-1], 12)
        stop = day_number(_same_day_in_month(m, as_of.day))
        if stop >= first_day:
            last_year.iloc[-1] = _count_between(days, day_number(m), stop)
        else:
            last_year.iloc[-1] = np.nan
    frame["same_month_last_year"] = last_year
    frame = frame.iloc[12:].reset_index(drop=True)  # the first 12 only fed the rolling sums
    frame = frame[
        [
            "month",
            "count",
            "attempts",
            "attempt_pct",
            "ma12",
            "same_month_last_year",
            "rolling12",
            "per_1000_homes",
            "partial",
        ]
    ]

    last = _count_between(days, a - 364, a)
    prev = _count_between(days, a - 729, a - 365)
    prev_covered = first_day <= a - 365
    change = (last - prev) / prev * 100.0 if prev_covered and prev > 0 else None
    sel_year = (days >= a - 364) & (days <= a)
    n_att = int(np.count_nonzero(sel_year & attempts))
    per_1000 = None
    per_buurt_rows = []
    if total_homes and in_known is not None:
        per_1000 = int(np.count_nonzero(sel_year & in_known)) / total_homes * 1e3
    year_counts = df.loc[sel_year, "buurt"].value_counts()
    for buurt in sorted(set(df["buurt"].dropna()) | set(known_homes)):
        n = int(year_counts.get(buurt, 0))
        h = known_homes.get(buurt)
        per_buurt_rows.append((buurt, h, n, n / h * 1e3 if h else np.nan))
    per_buurt = pd.DataFrame(per_buurt_rows, columns=["buurt", "homes", "count", "per_1000_homes"])
    per_buurt = per_buurt.sort_values(["count", "buurt"], ascending=[False, True]).reset_index(
        drop=True
    )
    return Trend(
        as_of=as_of,
        monthly=frame,
        last_year=last,
        previous_year=prev if prev_covered else 0,
        change_pct=change,
        attempts=n_att,
        attempts_pct=n_att / last * 100.0 if last else None,
        homes=total_homes,
        per_1000_homes=per_1000,
        per_buurt=per_buurt,
    )


# --------------------------------------------------------------------------- two weeks


@dataclass
class PeriodComparison:
    """Counts per unit in the last two weeks against two reference windows.

    ``table`` columns: the unit (``street``, ``buurt`` or ``wijk``), for streets also
    ``buurt`` (the buurt most of its incidents are in), ``current``, ``previous``,
    ``last_year``, ``attempts`` (in the current window), ``diff_previous`` and
    ``diff_last_year``; sorted by ``current`` then ``previous`` (descending) then name.
    Streets are listed when they have an incident in one of the windows; buurten and
    wijken always (a quiet buurt is news too).
    """

    level: str
    current: tuple[date, date]
    previous: tuple[date, date]
    last_year: tuple[date, date]
    total_current: int
    total_previous: int
    total_last_year: int
    last_year_covered: bool  # the data reach back to the last-year window
    table: pd.DataFrame


def _windows(as_of: date) -> dict[str, tuple[int, int]]:
    a = day_number(as_of)
    return {
        "current": (a - WINDOW_DAYS + 1, a),
        "previous": (a - 2 * WINDOW_DAYS + 1, a - WINDOW_DAYS),
        "last_year": (a - WINDOW_DAYS + 1 - LAST_YEAR_SHIFT_DAYS, a - LAST_YEAR_SHIFT_DAYS),
    }


def last_two_weeks(
    incidents: pd.DataFrame,
    as_of: date,
    by: Literal["street", "buurt", "wijk"] = "buurt",
    *,
    tz: str = DEFAULT_TZ,
) -> PeriodComparison:
    """Per ``by``: the 14 days ending ``as_of`` vs the 14 before and 52 weeks earlier."""
    df = prepare(incidents, tz)
    windows = _windows(as_of)
    days = df["_day"].to_numpy()
    counts: dict[str, pd.Series] = {}
    totals: dict[str, int] = {}
    for name, (lo, hi) in windows.items():
        sel = (days >= lo) & (days <= hi)
        counts[name] = df.loc[sel, by].value_counts()
        totals[name] = int(np.count_nonzero(sel))
        if name == "current":
            counts["attempts"] = df.loc[sel & df["attempt"].to_numpy(), by].value_counts()
    if by == "street":
        units = sorted(set().union(*(set(counts[k].index) for k in windows)))
    else:
        units = sorted(df[by].dropna().unique())
    # As objects: an empty list would make a float column, which will not merge on names.
    table = pd.DataFrame({by: pd.Series(units, dtype=object)})
    for name in ("current", "previous", "last_year", "attempts"):
        table[name] = table[by].map(counts[name]).fillna(0).astype(int)
    table["diff_previous"] = table["current"] - table["previous"]
    table["diff_last_year"] = table["current"] - table["last_year"]
    if by == "street":
        table.insert(1, "buurt", table["street"].map(main_buurt(df)))
    table = table.sort_values(
        ["current", "previous", by], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)
    first = int(days.min()) if len(days) else day_number(as_of) + 1

    def span(key: str) -> tuple[date, date]:
        lo, hi = windows[key]
        return day_to_date(lo), day_to_date(hi)

    return PeriodComparison(
        level=by,
        current=span("current"),
        previous=span("previous"),
        last_year=span("last_year"),
        total_current=totals["current"],
        total_previous=totals["previous"],
        total_last_year=totals["last_year"],
        last_year_covered=first <= windows["last_year"][0],
        table=table,
    )


# --------------------------------------------------------------------------- MO


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test for the 2×2 table ``[[a, b], [c, d]]``.

    Sums the hypergeometric probabilities of all tables with the same margins that are
    no more likely than the observed one (the usual "minimum likelihood" two-sided rule).
    """
    row1, col1, n = a + b, a + c, a + b + c + d
    if n == 0 or row1 in (0, n) or col1 in (0, n):
        return 1.0
    lo, hi = max(0, col1 - (n - row1)), min(row1, col1)
    ks = np.arange(lo, hi + 1)
    lg = np.vectorize(math.lgamma)

    def logp(k: np.ndarray) -> np.ndarray:
        return (
            lg(col1 + 1) - lg(k + 1) - lg(col1 - k + 1)
            + lg(n - col1 + 1) - lg(row1 - k + 1) - lg(n - col1 - row1 + k + 1)
            - (lg(n + 1) - lg(row1 + 1) - lg(n - row1 + 1))
        )

    probs = np.exp(logp(ks.astype(float)))
    observed = probs[a - lo]
    return float(min(1.0, probs[probs <= observed * (1 + 1e-7)].sum()))


@dataclass
class MoShift:
    """MO mix of the last two weeks (``current``) against the previous eight weeks.

    ``table`` columns: ``mo``, ``current``, ``baseline``, ``current_share`` and
    ``baseline_share`` (fractions), ``diff_pp`` (percentage points), ``p_value`` (Fisher's
    exact test of this MO against all others, current vs baseline), ``flag`` and
    ``direction`` (``"up"``/``"down"``/``""``); sorted by the larger of the two shares.

    Stand-out rule (``flag``): ``p_value < alpha`` **and** ``|diff_pp| >= min_diff_pp``
    **and** the period in which the MO is more common has at least ``min_count`` incidents
    of it. Why: a fortnight typically holds 5–30 burglaries, too few for a chi-square test
    (expected counts < 5), so the exact test is used; the minimum difference keeps
    statistically clear but operationally tiny shifts out, and the minimum count keeps a
    single unusual burglary from being presented as a new *werkwijze*. No correction for
    testing several MOs is applied: the flag is a prompt for the analyst, not a verdict.
    """

    current: tuple[date, date]
    baseline: tuple[date, date]
    current_total: int
    baseline_total: int
    alpha: float
    min_count: int
    min_diff_pp: float
    table: pd.DataFrame = field(repr=False)

    @property
    def flagged(self) -> pd.DataFrame:
        return self.table[self.table["flag"]]


def mo_shift(
    incidents: pd.DataFrame,
    as_of: date,
    *,
    tz: str = DEFAULT_TZ,
    baseline_days: int = 56,
    alpha: float = 0.05,
    min_count: int = 3,
    min_diff_pp: float = 10.0,
) -> MoShift:
    df = prepare(incidents, tz)
    a = day_number(as_of)
    days = df["_day"].to_numpy()
    cur = (days > a - WINDOW_DAYS) & (days <= a)
    base = (days > a - WINDOW_DAYS - baseline_days) & (days <= a - WINDOW_DAYS)
    c = df.loc[cur, "modus_operandi"].value_counts()
    b = df.loc[base, "modus_operandi"].value_counts()
    n_c, n_b = int(cur.sum()), int(base.sum())
    rows = []
    for mo in sorted(set(c.index) | set(b.index)):
        k, m = int(c.get(mo, 0)), int(b.get(mo, 0))
        share_c = k / n_c if n_c else 0.0
        share_b = m / n_b if n_b else 0.0
        diff = (share_c - share_b) * 100.0
        p = fisher_exact(k, n_c - k, m, n_b - m) if n_c and n_b else 1.0
        larger = k if diff > 0 else m
        flag = bool(p < alpha and abs(diff) >= min_diff_pp and larger >= min_count)
        direction = ("up" if diff > 0 else "down") if flag else ""
        rows.append((mo, k, m, share_c, share_b, diff, p, flag, direction))
    table = pd.DataFrame(
        rows,
        columns=["mo", "current", "baseline", "current_share", "baseline_share", "diff_pp",
                 "p_value", "flag", "direction"],
    )
    if not table.empty:
        order = np.maximum(table["current_share"], table["baseline_share"])
        table = table.assign(_o=order).sort_values(["_o", "mo"], ascending=[False, True])
        table = table.drop(columns="_o").reset_index(drop=True)
    return MoShift(
        current=(day_to_date(a - WINDOW_DAYS + 1), day_to_date(a)),
        baseline=(day_to_date(a - WINDOW_DAYS - baseline_days + 1), day_to_date(a - WINDOW_DAYS)),
        current_total=n_c,
        baseline_total=n_b,
        alpha=alpha,
        min_count=min_count,
        min_diff_pp=min_diff_pp,
        table=table,
    )


# --------------------------------------------------------------------------- time profile


@dataclass
class TimeProfile:
    """Weekday (rows 0 = Monday … 6 = Sunday) × hour-of-day (columns 0–23) profiles.

    ``recent`` covers the incidents of the last two weeks, ``baseline`` those of the
    ``baseline_days`` before. With ``method="aoristic"`` (default) each incident spreads a
    weight of 1 over the local hours its time window overlaps, in proportion to the
    overlap (windows of a week or longer: evenly over all 168 hours); with
    ``"reference"`` it counts 1 in the hour of its reference moment. Either way every
    matrix sums to its number of incidents.
    """

    method: str
    tz: str
    current: tuple[date, date]
    baseline_period: tuple[date, date]
    recent_total: int
    baseline_total: int
    recent: pd.DataFrame = field(repr=False)
    baseline: pd.DataFrame = field(repr=False)

    def blocks(self, hours: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The two profiles summed into blocks of ``hours`` hours (columns = first hour)."""
        groups = np.arange(24) // hours * hours
        return (
            self.recent.T.groupby(groups).sum().T,
            self.baseline.T.groupby(groups).sum().T,
        )


_WEEK_HOURS = 168


def _profile(df: pd.DataFrame, tz: str, method: str) -> np.ndarray:
    out = np.zeros(_WEEK_HOURS)
    if df.empty:
        return out.reshape(7, 24)
    if method == "reference":
        np.add.at(out, df["weekday"].to_numpy() * 24 + df["hour"].to_numpy(), 1.0)
        return out.reshape(7, 24)
    if method != "aoristic":
        raise ValueError(f"unknown method {method!r}")
    start = df["occurred_from"]
    end = df["occurred_to"].where(df["occurred_to"] >= start, start).fillna(start)
    span_h = ((end - start).dt.total_seconds() / 3600.0).to_numpy()
    exact = span_h <= 1.0 / 60.0
    long = span_h >= _WEEK_HOURS
    if exact.any():  # known moment: its own hour
        sub = df[exact]
        np.add.at(out, sub["weekday"].to_numpy() * 24 + sub["hour"].to_numpy(), 1.0)
    out += long.sum() / _WEEK_HOURS
    mid = ~exact & ~long
    if mid.any():
        # Slots are whole UTC hours (= whole local hours in zones with whole-hour
        # offsets), so DST changes are handled by converting each slot start.
        s_ns, e_ns = epoch_ns(start[mid]), epoch_ns(end[mid])
        hour_ns = 3_600_000_000_000
        first = s_ns // hour_ns
        n_slots = (-(-e_ns // hour_ns) - first).astype(np.int64)
        owner = np.repeat(np.arange(len(first)), n_slots)
        offset = np.arange(n_slots.sum()) - np.repeat(np.cumsum(n_slots) - n_slots, n_slots)
        slot = first[owner] + offset
        overlap = np.minimum(e_ns[owner], (slot + 1) * hour_ns) - np.maximum(
            s_ns[owner], slot * hour_ns
        )
        weight = overlap / (e_ns - s_ns)[owner]
        local = pd.DatetimeIndex(slot * hour_ns, tz="UTC").tz_convert(tz)
        np.add.at(out, np.asarray(local.day_of_week) * 24 + np.asarray(local.hour), weight)
    return out.reshape(7, 24)


def time_profile(
    incidents: pd.DataFrame,
    as_of: date,
    *,
    tz: str = DEFAULT_TZ,
    baseline_days: int = 56,
    method: Literal["aoristic", "reference"] = "aoristic",
) -> TimeProfile:
    df = prepare(incidents, tz)
    a = day_number(as_of)
    days = df["_day"].to_numpy()
    cur = (days > a - WINDOW_DAYS) & (days <= a)
    base = (days > a - WINDOW_DAYS - baseline_days) & (days <= a - WINDOW_DAYS)

    def frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, index=pd.RangeIndex(7, name="weekday"),
                            columns=pd.RangeIndex(24, name="hour"))

    return TimeProfile(
        method=method,
        tz=tz,
        current=(day_to_date(a - WINDOW_DAYS + 1), day_to_date(a)),
        baseline_period=(
            day_to_date(a - WINDOW_DAYS - baseline_days + 1),
            day_to_date(a - WINDOW_DAYS),
        ),
        recent_total=int(cur.sum()),
        baseline_total=int(base.sum()),
        recent=frame(_profile(df[cur], tz, method)),
        baseline=frame(_profile(df[base], tz, method)),
    )


# --------------------------------------------------------------------------- hotspots


@dataclass
class Hotspot:
    """A cluster of recent incidents; ``cells`` are global 125 m lattice indices."""

    cells: list[tuple[int, int]]
    n_incidents: int
    x: float  # mean position of its incidents (metres), for placing a label
    y: float
    buurt: str | None
    streets: list[str]  # most frequent first, at most three
    first: date
    last: date
    new: bool = False  # no overlap with any hotspot two weeks earlier


@dataclass
class Hotspots:
    """Hotspots in the ``window_days`` ending ``as_of`` (``now``) and 14 days earlier.

    Rule: a 125 m cell with at least one incident in the window is *hot* when the incidents
    in it and its eight neighbours (a 375 m × 375 m block — the ~200 m near-repeat range
    in every direction) number at least ``min_count``. Hot cells plus the incident cells
    next to them, joined when they touch (8-connectivity), form a hotspot. A hotspot
    ``now`` is ``new`` when none of its cells is in or next to a hotspot two weeks ago.
    """

    as_of: date
    window_days: int
    min_count: int
    cell: float
    now: list[Hotspot]
    before: list[Hotspot]


def _hotspots_at(
    df: pd.DataFrame, end_day: int, window_days: int, min_count: int, cell: float
) -> list[Hotspot]:
    days = df["_day"].to_numpy()
    sel = (days > end_day - window_days) & (days <= end_day) & df["x"].notna().to_numpy()
    sub = df[sel]
    if len(sub) < min_count:
        return []
    ix = np.floor(sub["x"].to_numpy() / cell).astype(np.int64)
    iy = np.floor(sub["y"].to_numpy() / cell).astype(np.int64)
    counts: dict[tuple[int, int], int] = {}
    for key in zip(ix.tolist(), iy.tolist(), strict=True):
        counts[key] = counts.get(key, 0) + 1
    around = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    hot = {
        (cx, cy)
        for (cx, cy) in counts
        if sum(counts.get((cx + dx, cy + dy), 0) for dx, dy in around) >= min_count
    }
    members = set(hot)
    for cx, cy in hot:
        members |= {(cx + dx, cy + dy) for dx, dy in around if (cx + dx, cy + dy) in counts}
    # Connected components (8-neighbourhood) by a flood fill over the (few) member cells.
    label: dict[tuple[int, int], int] = {}
    components: list[list[tuple[int, int]]] = []
    for seed in sorted(members):
        if seed in label:
            continue
        stack, comp = [seed], []
        label[seed] = len(components)
        while stack:
            cx, cy = stack.pop()
            comp.append((cx, cy))
            for dx, dy in around:
                nb = (cx + dx, cy + dy)
                if nb in members and nb not in label:
                    label[nb] = len(components)
                    stack.append(nb)
        components.append(sorted(comp))
    keys = zip(ix.tolist(), iy.tolist(), strict=True)
    owner = np.array([label.get(key, -1) for key in keys], dtype=np.int64)
    mine = owner >= 0
    owner = owner[mine]
    # Per hotspot in plain numpy and Python: a few hundred rows, where pandas' groupby
    # and sorting cost ~10 ms a call in overhead.
    day = sub["_day"].to_numpy()[mine]
    x = sub["x"].to_numpy(dtype=float)[mine]
    y = sub["y"].to_numpy(dtype=float)[mine]
    n = np.bincount(owner, minlength=len(components))
    first = np.full(len(components), np.iinfo(np.int64).max)
    last = np.full(len(components), np.iinfo(np.int64).min)
    np.minimum.at(first, owner, day)
    np.maximum.at(last, owner, day)

    def ranked(column: str) -> dict[int, list[str]]:
        """Per hotspot the three most frequent values of ``column`` (ties: by name)."""
        counts: dict[int, dict[str, int]] = {}
        for key, value in zip(owner.tolist(), sub[column].to_numpy()[mine].tolist(),
                              strict=True):
            if isinstance(value, str):
                per = counts.setdefault(key, {})
                per[value] = per.get(value, 0) + 1
        return {key: [v for v, _n in sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
                for key, per in counts.items()}

    streets, buurten = ranked("street"), ranked("buurt")
    out = [
        Hotspot(
            cells=components[number],
            n_incidents=int(n[number]),
            x=math.fsum(x[owner == number]) / n[number],
            y=math.fsum(y[owner == number]) / n[number],
            buurt=buurten.get(number, [None])[0],
            streets=streets.get(number, []),
            first=day_to_date(int(first[number])),
            last=day_to_date(int(last[number])),
        )
        for number in range(len(components))
        if n[number] > 0
    ]
    out.sort(key=lambda h: (-h.n_incidents, h.cells[0]))
    return out


def hotspots(
    incidents: pd.DataFrame,
    as_of: date,
    *,
    tz: str = DEFAULT_TZ,
    window_days: int = 28,
    min_count: int = 3,
    cell: float = 125.0,
) -> Hotspots:
    df = prepare(incidents, tz)
    a = day_number(as_of)
    now = _hotspots_at(df, a, window_days, min_count, cell)
    before = _hotspots_at(df, a - WINDOW_DAYS, window_days, min_count, cell)
    earlier = {
        (cx + dx, cy + dy)
        for h in before
        for cx, cy in h.cells
        for dx in (-1, 0, 1)
        for dy in (-1, 0, 1)
    }
    for h in now:
        h.new = not any(c in earlier for c in h.cells)
    return Hotspots(
        as_of=as_of, window_days=window_days, min_count=min_count, cell=cell, now=now,
        before=before,
    )
