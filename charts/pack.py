"""The fortnightly steering pack: every number, every chart and the key points in one call.

:func:`steering_pack` is what the bot (or the CLI) calls, in a worker thread, before the
operational meeting. It returns a :class:`SteeringPack` with

* the analytics (:mod:`charts.analytics`) and the forecasts now and two weeks ago
  (:mod:`charts.forecast`) as dataclasses and DataFrames, serialisable with
  :meth:`SteeringPack.to_json`;
* ``figures``: ``(filename, PNG bytes, caption)`` in meeting order (:mod:`charts.render`);
* ``key_points``: structured :class:`KeyPoint` items (largest rises, more than expected,
  hotspots, MO changes, forecast) that :func:`key_points_text` phrases in Dutch or English.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bot.i18n import use_locale
from charts import render
from charts.analytics import (
    Hotspots,
    MoShift,
    PeriodComparison,
    TimeProfile,
    Trend,
    hotspots,
    last_two_weeks,
    mo_shift,
    time_profile,
    trend,
)
from charts.data import DEFAULT_TZ, prepare, respell_buurten, safe_street
from charts.fieldwork import counts_per_area_kind, with_days
from charts.forecast import DEFAULT_PARAMS, Forecast, ForecastParams, forecasts
from charts.text import N_, _, fmt_int, fmt_interval, fmt_num, mo_label, ngettext

__all__ = [
    "KeyPoint",
    "SteeringPack",
    "key_points_text",
    "pack_figures",
    "render_pack",
    "steering_pack",
    "units_table",
]

MAP_TOP_SHARE = 0.05
MAX_POINTS_PER_KIND = 3


@dataclass
class KeyPoint:
    """One thing worth saying at the meeting; ``values`` holds plain numbers and names.

    Kinds and their values:

    * ``total`` — ``current``, ``previous``, ``last_year`` (None when not covered),
      ``start``, ``end``;
    * ``above_expected`` — ``level`` (buurt/street), ``area``, ``current``, ``expected``,
      ``low``, ``high`` (the forecast made two weeks ago);
    * ``rise`` — ``level``, ``area``, ``current``, ``previous``;
    * ``hotspot`` — ``new`` (bool), ``buurt``, ``streets``, ``count``, ``days``;
    * ``mo_change`` — ``mo``, ``direction`` (up/down), ``current``, ``baseline`` (counts),
      ``current_share``, ``baseline_share``;
    * ``forecast`` — ``start``, ``end``, ``expected``, ``low``, ``high``, ``areas``
      (the buurten with the highest expectation);
    * ``incidence`` — ``per_1000_homes`` (last 12 months).
    """

    kind: str
    values: dict[str, Any]


@dataclass
class SteeringPack:
    as_of: date
    language: str
    tz: str
    trend: Trend
    buurten: PeriodComparison
    streets: PeriodComparison
    buurt_table: pd.DataFrame = field(repr=False)  # comparison + expected per buurt
    street_table: pd.DataFrame = field(repr=False)  # comparison + expected per street
    forecast: Forecast = field(repr=False)
    forecast_before: Forecast = field(repr=False)  # made two weeks ago (for the map)
    mo: MoShift = field(repr=False)
    time: TimeProfile = field(repr=False)
    hotspots: Hotspots = field(repr=False)
    key_points: list[KeyPoint] = field(default_factory=list)
    figures: list[tuple[str, bytes, str]] = field(default_factory=list, repr=False)
    # Field logs of the same fortnight: counts per area and kind, and the logs for the map.
    field_work: pd.DataFrame = field(default_factory=lambda: counts_per_area_kind(
        with_days(None), date(1970, 1, 1)), repr=False)
    field_logs: pd.DataFrame = field(default_factory=lambda: with_days(None), repr=False)

    def to_dict(self) -> dict[str, Any]:
        """All numbers as JSON-compatible Python values (no PNG bytes; cells: top 5 %)."""
        fc = self.forecast
        out: dict[str, Any] = {
            "as_of": self.as_of,
            "language": self.language,
            "tz": self.tz,
            "trend": self.trend,
            "buurten": self.buurten,
            "streets": self.streets,
            "buurt_table": self.buurt_table,
            "street_table": self.street_table,
            "forecast": _forecast_dict(fc),
            "forecast_before": _forecast_dict(self.forecast_before),
            "mo": self.mo,
            "time_profile": {
                "method": self.time.method,
                "current": self.time.current,
                "baseline_period": self.time.baseline_period,
                "recent_total": self.time.recent_total,
                "baseline_total": self.time.baseline_total,
                "recent": self.time.recent.to_numpy().round(4).tolist(),
                "baseline": self.time.baseline.to_numpy().round(4).tolist(),
            },
            "hotspots": self.hotspots,
            "field_work": self.field_work,
            "key_points": self.key_points,
            "figures": [{"filename": n, "caption": c, "bytes": len(b)}
                        for n, b, c in self.figures],
        }
        result: dict[str, Any] = _jsonable(out)
        return result

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, allow_nan=False)


def _forecast_dict(fc: Forecast) -> dict[str, Any]:
    return {
        "as_of": fc.as_of,
        "period": fc.period,
        "band": fc.band,
        "total": fc.total,
        "buurt": fc.buurt,
        "street": fc.street.head(50),
        "top_cells": fc.top_cells(MAP_TOP_SHARE),
        "cell_size": fc.grid.cell,
        "study_cells": fc.grid.n_study,
        "weights": fc.weights,
        "total_coefficients": fc.total_coefficients,
        "dispersion": fc.dispersion,
        "fit_windows": fc.fit_windows,
    }


def _jsonable(obj: Any) -> Any:
    if obj is None or obj is pd.NA or obj is pd.NaT:  # NaT is also a datetime: test first
        return None
    if isinstance(obj, pd.DataFrame):
        return [_jsonable(r) for r in obj.to_dict("records")]
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _jsonable(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, datetime | date | pd.Timestamp):
        return obj.isoformat()
    if isinstance(obj, np.bool_ | bool):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        value = float(obj)
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(obj, str | int):
        return obj
    return str(obj)


def units_table(comparison: PeriodComparison, fc: Forecast, extra: int = 25) -> pd.DataFrame:
    """The comparison table with the forecast's ``expected``/``low``/``high`` joined in.

    Units with a forecast but no incident in the compared windows are added for buurten
    (all) and for streets (the ``extra`` with the highest expectation)."""
    level = comparison.level
    expected = fc.street if level == "street" else fc.buurt
    if level == "street":
        keep = set(comparison.table["street"]) | set(expected["street"].head(extra))
        expected = expected[expected["street"].isin(keep)]
    cols = [level, "expected", "low", "high"] + (["buurt"] if level == "street" else [])
    table = comparison.table.merge(expected[cols], on=level, how="outer",
                                   suffixes=("", "_fc"))
    if level == "street":
        # As objects: a column of only NaN is float64, and pandas will refuse to fill
        # that with strings.
        table["buurt"] = table["buurt"].astype(object).fillna(
            table.pop("buurt_fc").astype(object))
    for c in ("current", "previous", "last_year", "attempts", "diff_previous",
              "diff_last_year"):
        table[c] = table[c].fillna(0).astype(int)
    table["expected"] = table["expected"].fillna(0.0)
    for c in ("low", "high"):
        table[c] = table[c].fillna(0).astype(int)
    return table.sort_values(["current", "expected", level], ascending=[False, False, True],
                             kind="stable").reset_index(drop=True)


def _area_name(row: Mapping[str, Any], level: str) -> str:
    name = str(safe_street(row[level]))
    if level == "street" and isinstance(row.get("buurt"), str):
        return f"{name} ({row['buurt']})"
    return name


def _key_points(
    buurten: PeriodComparison,
    buurt_table: pd.DataFrame,
    street_table: pd.DataFrame,
    before: Forecast,
    now: Forecast,
    mo: MoShift,
    spots: Hotspots,
    tr: Trend,
) -> list[KeyPoint]:
    points = [KeyPoint("total", {
        "current": buurten.total_current,
        "previous": buurten.total_previous,
        "last_year": buurten.total_last_year if buurten.last_year_covered else None,
        "start": buurten.current[0], "end": buurten.current[1],
    })]
    # More than the upper end of the range expected two weeks ago.
    mentioned: set[tuple[str, str]] = set()
    above: list[KeyPoint] = []
    levels = (("buurt", buurt_table, before.buurt), ("street", street_table, before.street))
    # Only against a forecast that had history to learn from.
    for level, table, fc_table in levels if before.fit_windows else ():
        # At least three: one burglary above a 0–0 range is not news.
        cand = table.loc[table["current"] >= 3, [c for c in (level, "buurt", "current")
                                                  if c in table.columns]]
        cand = cand.loc[:, ~cand.columns.duplicated()].merge(
            fc_table[[level, "expected", "low", "high"]], on=level, how="inner")
        for row in cand[cand["current"] > cand["high"]].to_dict("records"):
            above.append(KeyPoint("above_expected", {
                "level": level, "area": _area_name(row, level),
                "current": int(row["current"]), "expected": round(float(row["expected"]), 2),
                "low": int(row["low"]), "high": int(row["high"]),
            }))
            mentioned.add((level, str(row[level])))
    above.sort(key=lambda p: -(p.values["current"] - p.values["high"]))
    points += above[:MAX_POINTS_PER_KIND]
    # Largest rises on the previous fortnight (at least +2 and 3 incidents).
    rises = []
    for level, table in (("buurt", buurt_table), ("street", street_table)):
        sel = table[(table["diff_previous"] >= 2) & (table["current"] >= 3)]
        for row in sel.to_dict("records"):
            if (level, str(row[level])) in mentioned:
                continue
            rises.append(KeyPoint("rise", {
                "level": level, "area": _area_name(row, level),
                "current": int(row["current"]), "previous": int(row["previous"]),
            }))
    rises.sort(key=lambda p: (-(p.values["current"] - p.values["previous"]),
                              p.values["level"] != "buurt", p.values["area"]))
    points += rises[:MAX_POINTS_PER_KIND]
    # Hotspots: new ones first.
    spot_points = [
        KeyPoint("hotspot", {
            "new": h.new, "buurt": h.buurt, "streets": [str(safe_street(s)) for s in h.streets],
            "count": h.n_incidents, "days": spots.window_days,
        })
        for h in sorted(spots.now, key=lambda h: (not h.new, -h.n_incidents))
    ]
    points += spot_points[:MAX_POINTS_PER_KIND]
    for row in mo.flagged.to_dict("records"):
        points.append(KeyPoint("mo_change", {
            "mo": row["mo"], "direction": row["direction"],
            "current": int(row["current"]), "baseline": int(row["baseline"]),
            "current_share": round(float(row["current_share"]), 4),
            "baseline_share": round(float(row["baseline_share"]), 4),
        }))
    top = now.buurt[now.buurt["expected"] >= 0.5].head(3)
    points.append(KeyPoint("forecast", {
        "start": now.period[0], "end": now.period[1],
        "expected": round(now.total.expected, 2), "low": now.total.low,
        "high": now.total.high, "areas": [str(a) for a in top["buurt"]],
    }))
    if tr.per_1000_homes is not None:
        points.append(KeyPoint("incidence", {"per_1000_homes": round(tr.per_1000_homes, 2)}))
    return points


def _signed(n: int) -> str:
    return f"+{fmt_int(n)}" if n > 0 else f"−{fmt_int(-n)}" if n < 0 else "±0"


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + _(" and ") + items[-1]


def key_points_text(pack: SteeringPack, language: str | None = None) -> list[str]:
    """The key points as short sentences in ``language`` (default: the pack's)."""
    lines: list[str] = []
    with use_locale(language or pack.language):
        for p in pack.key_points:
            v = p.values
            if p.kind == "total":
                count = ngettext("{count} burglary", "{count} burglaries",
                                 v["current"]).format(count=fmt_int(v["current"]))
                period = fmt_interval(v["start"], v["end"], "MMMd")
                if v["last_year"] is not None:
                    lines.append(_("{period}: {count} ({vs_previous} on the two weeks before, "
                                   "{vs_last_year} on the same weeks last year).").format(
                        period=period, count=count,
                        vs_previous=_signed(v["current"] - v["previous"]),
                        vs_last_year=_signed(v["current"] - v["last_year"])))
                else:
                    lines.append(_("{period}: {count} ({vs_previous} on the two weeks "
                                   "before).").format(
                        period=period, count=count,
                        vs_previous=_signed(v["current"] - v["previous"])))
            elif p.kind == "above_expected" and v["low"] == v["high"]:
                # A range of one number (“expected 0–0”) reads as a slip: say the number.
                lines.append(_("More than expected in {area}: {current} (expected "
                               "{expected}).").format(
                    area=v["area"], current=fmt_int(v["current"]),
                    expected=fmt_int(v["high"])))
            elif p.kind == "above_expected":
                lines.append(_("More than expected in {area}: {current} (expected "
                               "{low}–{high}).").format(
                    area=v["area"], current=fmt_int(v["current"]), low=fmt_int(v["low"]),
                    high=fmt_int(v["high"])))
            elif p.kind == "rise":
                lines.append(_("Rise in {area}: {current} in the last two weeks against "
                               "{previous} before.").format(
                    area=v["area"], current=fmt_int(v["current"]),
                    previous=fmt_int(v["previous"])))
            elif p.kind == "hotspot":
                msg = (_("New hotspot around {streets} ({buurt}): {count} in {days} days.")
                       if v["new"] else
                       _("Hotspot continues around {streets} ({buurt}): {count} in {days} "
                         "days."))
                lines.append(msg.format(streets=_join(v["streets"][:2]), buurt=v["buurt"] or "",
                                        count=fmt_int(v["count"]), days=fmt_int(v["days"])))
            elif p.kind == "mo_change":
                lines.append(_("MO {mo} {direction}: {current} of the last two weeks against "
                               "{baseline} before.").format(
                    mo=mo_label(v["mo"]),
                    direction=_("rises") if v["direction"] == "up" else _("falls"),
                    current=f"{fmt_int(v['current'])} ({fmt_num(v['current_share'] * 100, 0)}%)",
                    baseline=f"{fmt_int(v['baseline'])} "
                             f"({fmt_num(v['baseline_share'] * 100, 0)}%)"))
            elif p.kind == "forecast":
                period = fmt_interval(v["start"], v["end"], "MMMd")
                args = {"period": period, "expected": fmt_num(v["expected"]),
                        "low": fmt_int(v["low"]), "high": fmt_int(v["high"])}
                if v["areas"]:
                    lines.append(_("Expected for {period}: {expected} ({low}–{high}); most in "
                                   "{areas}.").format(areas=_join(v["areas"]), **args))
                else:
                    lines.append(_("Expected for {period}: {expected} ({low}–{high}).").format(
                        **args))
            elif p.kind == "incidence":
                lines.append(_("Last 12 months: {rate} per 1,000 homes.").format(
                    rate=fmt_num(v["per_1000_homes"])))
    return lines


def steering_pack(
    incidents: pd.DataFrame,
    as_of: date,
    *,
    language: str = "nl",
    homes: Mapping[str, int] | None = None,
    polygons: Mapping[str, Sequence[tuple[float, float]]] | None = None,
    tz: str = DEFAULT_TZ,
    params: ForecastParams = DEFAULT_PARAMS,
    render_figures: bool = True,
    monthly: Mapping[tuple[int, int], int] | None = None,
    field_logs: pd.DataFrame | None = None,
) -> SteeringPack:
    """Compute the steering information for the meeting after ``as_of`` (see the module).

    Synchronous and CPU-bound — for 50,000 incidents about 0.3 s of analytics and 0.5–0.6 s
    of drawing (``bench/steering.py``) — so call it from a worker thread, e.g.
    ``await asyncio.to_thread(steering_pack, frame, as_of, ...)``. ``render_figures=False``
    skips the charts (numbers and key points only). ``field_logs`` (see
    :mod:`charts.fieldwork`) are counted per area and kind and drawn on the map.
    """
    df = respell_buurten(prepare(incidents, tz), [*(homes or {}), *(polygons or {})])
    tr = trend(df, as_of, homes=homes, tz=tz, monthly=monthly)
    buurten = last_two_weeks(df, as_of, "buurt", tz=tz)
    streets = last_two_weeks(df, as_of, "street", tz=tz)
    before, now = forecasts(df, as_of, lags=(1, 0), tz=tz, polygons=polygons, params=params)
    mo = mo_shift(df, as_of, tz=tz)
    tp = time_profile(df, as_of, tz=tz)
    spots = hotspots(df, as_of, tz=tz, cell=params.cell)
    buurt_table = units_table(buurten, now)
    street_table = units_table(streets, now)
    pack = SteeringPack(
        as_of=as_of, language=language, tz=tz, trend=tr, buurten=buurten, streets=streets,
        buurt_table=buurt_table, street_table=street_table, forecast=now,
        forecast_before=before, mo=mo, time=tp, hotspots=spots,
        key_points=_key_points(buurten, buurt_table, street_table, before, now, mo, spots, tr),
    )
    logs = with_days(field_logs, tz)
    pack.field_logs = logs
    pack.field_work = counts_per_area_kind(logs, as_of)
    if render_figures:
        pack.figures = render_pack(pack, polygons=polygons, incidents=df)
    return pack


def pack_figures(
    pack: SteeringPack,
    *,
    incidents: pd.DataFrame,
    polygons: Mapping[str, Sequence[tuple[float, float]]] | None = None,
) -> list[tuple[str, Figure, str]]:
    """The charts of a pack as ``(filename, Figure, caption)``, in meeting order."""
    lang = pack.language
    coming = pack.forecast.period
    band = pack.forecast.band
    figs = [
        ("trend.png", render.trend_figure(pack.trend, lang),
         N_("Trend: burglaries per month over five years")),
        ("neighbourhoods.png",
         render.units_figure(pack.buurt_table, "buurt", pack.buurten.current, coming,
                             band=band, language=lang, max_rows=15,
                             last_year=pack.buurten.last_year
                             if pack.buurten.last_year_covered else None),
         N_("Last two weeks per neighbourhood, with the expected range for the next two weeks")),
        ("streets.png",
         render.units_figure(pack.street_table, "street", pack.streets.current, coming,
                             band=band, language=lang,
                             last_year=pack.streets.last_year
                             if pack.streets.last_year_covered else None),
         N_("Last two weeks per street, with the expected range for the next two weeks")),
        ("modus_operandi.png", render.mo_figure(pack.mo, lang),
         N_("Modus operandi: last two weeks against the eight weeks before")),
        ("time.png", render.time_figure(pack.time, lang),
         N_("Time of day and weekday of the last two weeks")),
        ("map.png",
         render.map_figure(incidents, pack.forecast, pack.forecast_before,
                           pack.hotspots.now, pack.hotspots.before, polygons=polygons,
                           language=lang, tz=pack.tz, top_share=MAP_TOP_SHARE,
                           field_logs=pack.field_logs),
         N_("Map: now next to two weeks ago, with the expected hotspots and the field logs")),
    ]
    with use_locale(lang):
        return [(name, fig, _(caption)) for name, fig, caption in figs]


def render_pack(
    pack: SteeringPack,
    *,
    incidents: pd.DataFrame,
    polygons: Mapping[str, Sequence[tuple[float, float]]] | None = None,
) -> list[tuple[str, bytes, str]]:
    """The charts of a pack as ``(filename, PNG bytes, caption)``, in meeting order."""
    return [
        (name, render.to_png(fig), caption)
        for name, fig, caption in pack_figures(pack, incidents=incidents, polygons=polygons)
    ]
