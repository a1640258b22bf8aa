"""Field logs (``/melding``) in the steering information: what partners did on the street
in the same fortnight as the burglaries, counted per area and kind and drawn on the map.

Input: a DataFrame with one row per field log and the columns ``created_at`` (UTC),
``kind`` (the stored code, e.g. ``surveillance``), ``area`` (name or empty) and ``x``/``y``
(RD New metres, NaN without a location). Pure functions, like the rest of :mod:`charts`.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from charts.data import DEFAULT_TZ, day_number

COLUMNS = ("created_at", "kind", "area", "x", "y")


def empty_field_logs() -> pd.DataFrame:
    return pd.DataFrame({
        "created_at": pd.Series(dtype="datetime64[ns, UTC]"), "kind": pd.Series(dtype=object),
        "area": pd.Series(dtype=object), "x": pd.Series(dtype=float),
        "y": pd.Series(dtype=float)})


def with_days(logs: pd.DataFrame | None, tz: str = DEFAULT_TZ) -> pd.DataFrame:
    """The logs with ``_day``: the local day number (see :func:`charts.data.day_number`)."""
    if logs is None or logs.empty:
        out = empty_field_logs()
        out["_day"] = pd.Series(dtype=np.int64)
        return out
    missing = [c for c in COLUMNS if c not in logs.columns]
    if missing:
        raise ValueError(f"field-log frame lacks column(s): {', '.join(missing)}")
    out = logs.loc[:, list(COLUMNS)].copy()
    local = pd.to_datetime(out["created_at"], utc=True).dt.tz_convert(tz).dt.tz_localize(None)
    epoch = np.datetime64("1970-01-01", "D")
    out["_day"] = ((local.to_numpy().astype("datetime64[D]") - epoch)
                   .astype(np.int64))
    out["x"] = pd.to_numeric(out["x"], errors="coerce").astype(float)
    out["y"] = pd.to_numeric(out["y"], errors="coerce").astype(float)
    return out


def fortnight(logs: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The logs of the 14 days up to and including ``as_of`` (``logs`` from with_days)."""
    a = day_number(as_of)
    return logs[(logs["_day"] > a - 14) & (logs["_day"] <= a)]


def counts_per_area_kind(logs: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Columns ``area``, ``kind``, ``count``: most first, then by area and kind."""
    recent = fortnight(logs, as_of)
    if recent.empty:
        return pd.DataFrame({"area": pd.Series(dtype=object), "kind": pd.Series(dtype=object),
                             "count": pd.Series(dtype=np.int64)})
    counts = (recent.assign(area=recent["area"].fillna("").astype(str))
              .groupby(["area", "kind"]).size().rename("count").reset_index())
    return counts.sort_values(["count", "area", "kind"], ascending=[False, True, True],
                              kind="stable").reset_index(drop=True)
