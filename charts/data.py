"""The incident frame contract and its normalisation, shared by analytics, forecast and charts.

Every public function in :mod:`charts` takes a plain pandas ``DataFrame`` of incidents with
the columns

============== ==========================================================================
occurred_from  tz-aware timestamp (UTC) — start of the time window
occurred_to    tz-aware timestamp (UTC) — end of the window (equal to ``from`` when known)
street         street name (or a street block such as Vancouver's ``HUNDRED_BLOCK``)
buurt          neighbourhood name
wijk           district name (may be missing)
attempt        bool — a *poging* (attempted burglary)
modus_operandi str or None
x, y           planar coordinates in metres (RD New, UTM, ...); NaN where unknown
============== ==========================================================================

``x_rd``/``y_rd`` (the demo export) are accepted in place of ``x``/``y``. Other columns,
notably ``house_number`` and ``postcode``, are dropped on the way in: nothing in this
package ever reads them, so no chart or key point can show them (confidentiality).

:func:`prepare` turns such a frame into the internal frame (idempotent, so functions can be
handed either). Time handling in one place:

* The **reference moment** of an incident (:func:`reference_moment`) is the midpoint of
  its time window when the window is shorter than 24 hours (a burglary between leaving
  for work and coming home most likely happened around the middle of the day), and
  ``occurred_from`` for longer windows (a holiday absence of days: the midpoint would be a
  guess, the start is what the victim reports as "since"), and ``occurred_from`` when
  ``occurred_to`` is missing or earlier than ``occurred_from``.
* **Days** are local calendar days in ``tz`` (Europe/Amsterdam by default), because the
  fortnightly meeting talks about local weeks; ``as_of`` is a local date and "the last
  two weeks" are the 14 local days ending with ``as_of`` inclusive.

Names get **one spelling** each (:func:`charts.text.spellings`): an export that writes
``DORPSSTRAAT``, a registration that says ``Dorpsstraat`` and a file with ``Dorpsstraat ``
name one street, and its counts must not split over three rows of a chart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from charts.text import spelling_key, spellings

__all__ = [
    "DEFAULT_TZ",
    "REQUIRED_COLUMNS",
    "UNKNOWN_MO",
    "day_number",
    "day_to_date",
    "epoch_ns",
    "main_buurt",
    "prepare",
    "reference_moment",
    "safe_street",
]

DEFAULT_TZ = "Europe/Amsterdam"
REQUIRED_COLUMNS: tuple[str, ...] = (
    "occurred_from",
    "occurred_to",
    "street",
    "buurt",
    "wijk",
    "attempt",
    "modus_operandi",
    "x",
    "y",
)
UNKNOWN_MO = "onbekend"  # the value the Dutch police exports (and the demo) use

# Marker column: a frame that has it went through prepare() already.
_PREPARED = "_day"
_EPOCH = date(1970, 1, 1)

# A house number as messy exports put it into the street field — at the end ("Molenstraat
# 12", "Molenstraat 12a", "Molenstraat 114-1", "Kade 3 hs") or with more after it
# ("Kerkstraat 12, 1e verdieping", "Kerkstraat 12 (achterzijde)", "Molenweg 3 boven",
# "Dorpsstraat 12 2hg", "Kerkstraat 12 t/m 16", "Kerkstraat nr. 12"): the first number that
# follows a word. A number at the very start belongs to the name ("2e Industriestraat", and
# the blocks of police open data: "12XX E 15TH AVE"), as does an ordinal ("W 10TH AVE").
_NUMBER = re.compile(r"(?<!\d)\d+([^\W\d_]*)")
_ORDINAL = frozenset({"st", "nd", "rd", "th", "e", "de", "ste"})
_BEFORE_NUMBER = re.compile(
    r"(?:[\s,;:.#(/+\-–]|\b(?:nr|no|nummer|huisnummer|huisnr|number)\b\.?)+$", re.IGNORECASE
)


def day_number(value: date) -> int:
    """Days since 1970-01-01 of a (local) calendar date."""
    return (value - _EPOCH).days


def day_to_date(day: int) -> date:
    return _EPOCH + timedelta(days=int(day))


def epoch_ns(moments: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch (UTC) of a tz-aware or naive-UTC timestamp series."""
    utc = pd.to_datetime(moments, utc=True).dt.tz_localize(None)
    return utc.to_numpy().astype("datetime64[ns]").astype(np.int64)


def safe_street(name: object) -> object:
    """A street label without a house number; non-strings pass through (NaN stays NaN).

    Everything from the first number after a word is cut, with the separators and "nr"
    before it (see ``_NUMBER``): privacy first, so "Laan 1940-1945" becomes "Laan" too.
    A label that is nothing but a number stays as it is (it names no house of a street).
    """
    if not isinstance(name, str):
        return name
    text = name.strip()
    for m in _NUMBER.finditer(text):
        if not any(c.isalpha() for c in text[: m.start()]):
            continue  # the name starts with it: "2e Industriestraat", "12XX E 15TH AVE"
        suffix = m.group(1).casefold()
        if suffix in _ORDINAL and suffix != "e":
            continue  # "W 10TH AVE"
        if suffix == "e" and text[m.end():m.end() + 2].strip()[:1].isupper():
            continue  # "Van Speijkstraat 2e Dwarsstraat" — a name goes on, a letter does not
        head = text[: m.start()]
        if head.count("(") > head.count(")"):
            head = head[: head.rindex("(")]  # "Kerkstraat (achter 12)"
        return _BEFORE_NUMBER.sub("", head).strip() or text
    return text


def _street_name(text: str) -> str:
    return str(safe_street(text))


def reference_moment(occurred_from: pd.Series, occurred_to: pd.Series) -> pd.Series:
    """The single moment used for an incident with a time window (see the module doc)."""
    start = pd.to_datetime(occurred_from, utc=True)
    end = pd.to_datetime(occurred_to, utc=True)
    span = end - start
    short = span.notna() & (span >= pd.Timedelta(0)) & (span < pd.Timedelta(hours=24))
    return start.where(~short, start + span / 2)


def _as_text(series: pd.Series, clean: Callable[[str], str] | None = None, *,
             one_spelling: bool = False) -> pd.Series:
    """Strings with surrounding blanks stripped (and passed through ``clean``); empty and
    missing become NaN (object). With ``one_spelling``, every name in its one spelling
    (:func:`charts.text.spellings`: “DORPSSTRAAT” and “Dorpsstraat” are one street).

    Works on the distinct values only: exports repeat the same few hundred names."""
    codes, uniques = pd.factorize(series)
    cleaned: list[Any] = []
    for value in uniques.tolist():
        text = str(value).strip()
        text = clean(text) if clean is not None and text else text
        cleaned.append(text if text else np.nan)
    if one_spelling:
        cleaned = _in_one_spelling(cleaned, codes)
    # Code -1 (missing) picks the NaN appended at the end.
    table = np.array([*cleaned, np.nan], dtype=object)
    return pd.Series(table[codes], index=series.index, dtype=object)


def _in_one_spelling(values: list[Any], codes: np.ndarray) -> list[Any]:
    """The distinct ``values`` (names, or NaN) of a factorized column, each name in its one
    spelling (:func:`charts.text.spellings`, weighed by how often ``codes`` use it)."""
    names = [v for v in values if isinstance(v, str)]
    tidy = [" ".join(name.split()) for name in names]
    # Usually every name has one spelling already: a quick check saves the counting.
    if tidy == names and len({spelling_key(name) for name in tidy}) == len(set(tidy)):
        return values
    counts: dict[str, int] = {}
    used = np.bincount(codes[codes >= 0], minlength=len(values)).tolist()
    for value, n in zip(values, used, strict=True):
        if isinstance(value, str):
            counts[value] = counts.get(value, 0) + n
    shown = spellings(counts)
    return [shown[v] if isinstance(v, str) else v for v in values]


def prepare(incidents: pd.DataFrame, tz: str = DEFAULT_TZ) -> pd.DataFrame:
    """Validate and normalise an incident frame (see the module doc); returns a new frame.

    Added columns: ``t_ref`` (UTC reference moment), ``local`` (in ``tz``), ``_day`` (local
    day number, see :func:`day_number`), ``_t`` (local time in fractional days since the
    epoch), ``hour``, ``weekday`` (0 = Monday), ``month``, ``window_hours`` (length of the
    time window). ``x``/``y`` are NaN where unknown, including the 0,0 some exports use for
    "withheld". Rows without a usable ``occurred_from`` are dropped.
    """
    if _PREPARED in incidents.columns and incidents.attrs.get("tz") == tz:
        return incidents
    df = incidents
    if "x" not in df.columns and "x_rd" in df.columns:
        df = df.rename(columns={"x_rd": "x", "y_rd": "y"})
    missing = [c for c in ("occurred_from", "street", "buurt") if c not in df.columns]
    if missing:
        raise ValueError(f"incident frame lacks column(s): {', '.join(missing)}")
    n = len(df)
    start = pd.to_datetime(df["occurred_from"], utc=True)
    end = (
        pd.to_datetime(df["occurred_to"], utc=True)
        if "occurred_to" in df.columns
        else pd.Series(pd.NaT, index=df.index, dtype=start.dtype)
    )
    out = pd.DataFrame(index=df.index)
    out["occurred_from"] = start
    out["occurred_to"] = end
    out["street"] = _as_text(df["street"], _street_name, one_spelling=True)
    out["buurt"] = _as_text(df["buurt"], one_spelling=True)
    out["wijk"] = _as_text(df["wijk"], one_spelling=True) if "wijk" in df.columns else np.nan
    if "attempt" in df.columns:
        out["attempt"] = df["attempt"].astype("boolean").fillna(False).astype(bool)
    else:
        out["attempt"] = np.zeros(n, dtype=bool)
    mo = _as_text(df["modus_operandi"]) if "modus_operandi" in df.columns else None
    out["modus_operandi"] = UNKNOWN_MO if mo is None else mo.fillna(UNKNOWN_MO)
    for axis in ("x", "y"):
        out[axis] = (
            pd.to_numeric(df[axis], errors="coerce").astype(float)
            if axis in df.columns
            else np.nan
        )
    withheld = (out["x"] == 0) & (out["y"] == 0)
    out.loc[withheld, ["x", "y"]] = np.nan
    out = out[out["occurred_from"].notna()].copy()

    ref = reference_moment(out["occurred_from"], out["occurred_to"])
    local = ref.dt.tz_convert(tz)
    naive = local.dt.tz_localize(None)
    out["t_ref"] = ref
    out["local"] = local
    # Fractional local days since the epoch: decays and windows work on this axis.
    ns = naive.to_numpy().astype("datetime64[ns]").astype(np.int64)
    out["_t"] = ns / 86_400e9
    out[_PREPARED] = np.floor(out["_t"].to_numpy()).astype(np.int64)
    out["hour"] = naive.dt.hour.astype(int)
    out["weekday"] = naive.dt.day_of_week.astype(int)
    out["month"] = naive.dt.month.astype(int)
    span = out["occurred_to"] - out["occurred_from"]
    out["window_hours"] = (span.dt.total_seconds() / 3600.0).clip(lower=0).fillna(0.0)
    out = out.sort_values("_t", kind="stable").reset_index(drop=True)
    out.attrs["tz"] = tz
    return out


def respell_buurten(df: pd.DataFrame, names: Iterable[str]) -> pd.DataFrame:
    """``df`` (prepared) with each buurt written as ``names`` write it where it is the same
    name (:func:`charts.text.spelling_key`): the project's own spelling, by which its
    numbers of homes and its outlines are known — an export that writes ``OOSTBROEK``
    still counts per 1,000 homes of Oostbroek and is drawn in its outline."""
    known = {spelling_key(name): name for name in names}
    buurt = df["buurt"]
    mapping = {name: known[key] for name in pd.unique(buurt.dropna())
               if (key := spelling_key(name)) in known and known[key] != name}
    if not mapping:
        return df
    out = df.copy()  # keeps attrs: still prepared
    out["buurt"] = buurt.map(lambda name: mapping.get(name, name)).astype(object)
    return out


def _in_name_order(names: Any, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``names`` of a factorized column sorted, and ``codes`` pointing into
    that order (only the names ``codes`` use are kept)."""
    used = np.flatnonzero(np.bincount(codes, minlength=len(names)))
    kept = np.asarray(names, dtype=object)[used]
    order = np.argsort(kept, kind="stable")
    rank = np.empty(len(names), dtype=np.int64)
    rank[used[order]] = np.arange(len(used))
    return kept[order], rank[codes]


def main_buurt(df: pd.DataFrame) -> pd.Series:
    """The most frequent buurt of every street (ties: alphabetical), for display."""
    s_codes, streets = pd.factorize(df["street"])  # missing: -1
    b_codes, buurten = pd.factorize(df["buurt"])
    ok = (s_codes >= 0) & (b_codes >= 0)
    if not ok.any():
        return pd.Series(dtype=object)
    # Codes renumbered in name order (sorting the few hundred names, not factorizing the
    # column sorted: half the time).
    streets, s_codes = _in_name_order(streets, s_codes[ok])
    buurten, b_codes = _in_name_order(buurten, b_codes[ok])
    pairs, counts = np.unique(s_codes * len(buurten) + b_codes, return_counts=True)
    street, buurt = np.divmod(pairs, len(buurten))
    # Per street: most incidents first, then the alphabetically first buurt (codes are
    # sorted, so the smaller code); the first row of each street wins.
    order = np.lexsort((buurt, -counts, street))
    first = np.ones(order.size, dtype=bool)
    first[1:] = street[order][1:] != street[order][:-1]
    best = order[first]
    return pd.Series(np.asarray(buurten, dtype=object)[buurt[best]],
                     index=pd.Index(np.asarray(streets, dtype=object)[street[best]],
                                    name="street"),
                     name="buurt", dtype=object)
