"""Sample inputs in the :mod:`charts` frame contract: the demo municipality and the shared
Vancouver 2022 export. Used by tests, ``bench/steering.py`` and ``python -m charts.forecast``;
the real import of police exports belongs to the storage layer, not here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from bot.demo_data import generate_demo, incidents_frame

__all__ = ["VANCOUVER_CSV", "VANCOUVER_TZ", "demo_inputs", "find_shared_data", "vancouver_frame"]

VANCOUVER_CSV = "vancouver_2022_residential_break_and_enter.csv"
VANCOUVER_TZ = "America/Vancouver"


def demo_inputs(
    as_of: date = date(2026, 11, 23), seed: int = 2026
) -> tuple[pd.DataFrame, dict[str, int], dict[str, list[tuple[float, float]]]]:
    """The demo incidents (``x``/``y`` = RD New), homes per buurt and buurt outlines."""
    data = generate_demo(as_of, seed=seed)
    frame = incidents_frame(data).rename(columns={"x_rd": "x", "y_rd": "y"})
    homes = {b.name: b.homes for b in data.buurten}
    polygons = {b.name: list(b.polygon) for b in data.buurten}
    return frame, homes, polygons


def find_shared_data(start: Path | None = None) -> Path | None:
    """``../shared/data`` next to the repository (or any parent), if it exists."""
    here = (start or Path(__file__)).resolve()
    for parent in [here, *here.parents]:
        candidate = parent / "shared" / "data"
        if (candidate / VANCOUVER_CSV).is_file():
            return candidate
    return None


def vancouver_frame(path: Path) -> pd.DataFrame:
    """The City of Vancouver export as an incident frame.

    YEAR/MONTH/DAY/HOUR/MINUTE are local (Pacific) time; a known moment, so
    ``occurred_from == occurred_to``. HUNDRED_BLOCK (a generalised street block such as
    "12XX E 15TH AVE") serves as street and NEIGHBOURHOOD as buurt; X/Y are UTM zone 10N
    metres, used as they are (0,0 = withheld becomes NaN in :func:`charts.data.prepare`).
    The export has no attempts and no MO.
    """
    raw = pd.read_csv(path)
    local = pd.to_datetime(
        {"year": raw["YEAR"], "month": raw["MONTH"], "day": raw["DAY"],
         "hour": raw["HOUR"], "minute": raw["MINUTE"]}
    ).dt.tz_localize(VANCOUVER_TZ, ambiguous="NaT", nonexistent="shift_forward")
    moment = local.dt.tz_convert("UTC")
    return pd.DataFrame({
        "occurred_from": moment,
        "occurred_to": moment,
        "street": raw["HUNDRED_BLOCK"],
        "buurt": raw["NEIGHBOURHOOD"],
        "wijk": None,
        "attempt": False,
        "modus_operandi": None,
        "x": raw["X"].astype(float),
        "y": raw["Y"].astype(float),
    })
