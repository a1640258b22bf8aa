"""Deterministic demo data: a fictional Dutch municipality with a burglary history.

Used by ``wijkbot demo`` (to fill an empty installation with something to look at)
and by the test-suite (as a realistic fixture). The module is pure: no I/O, no
database, no Telegram; the same ``(as_of, seed, years)`` always gives the same
:class:`DemoData`.

What is generated
-----------------
* **Havendam** (``GM9901``), a fictional town in the Randstad (RD New around
  x 88-91.5 km, y 443-445 km), with three wijken and eight buurten whose polygons
  tile the town without overlap, 4-8 streets per buurt with homes, postcodes and
  polylines in RD New metres.
* The partners and members of a *Focus* burglary project (one project leader at the
  municipality, a police analyst, wijkagenten, a reader at the OM, ...). User ids
  start at 9_000_000_001 so they cannot collide with ids used in other tests.
* Registered burglaries and attempts over ``years`` years up to and including
  ``as_of``, in the shape of a police export (time window, address, MO, RD point).
* 30-45 rows of the action/monitoring framework (bijlage 4) around ``as_of``.

Modelling assumptions (the data must carry real, learnable structure, because a
forecasting feature is backtested on it against naive baselines):

* **Level and trend.** About 8-9 burglaries (incl. attempts) per 1,000 homes per year
  (the Haaglanden average quoted in DOMAIN.md is 8), declining ~8 % a year.
* **Season.** A smooth annual curve peaking in the *donkere dagen* (Oct-Jan, about
  twice the spring level), lowest in May-June, with a small bump in the summer
  holiday (late July - August) when homes stand empty.
* **Week and hour.** The day-of-week and hour-of-day profiles are mixtures of a winter
  and a summer profile: in winter the dark early evening (17-22 h) dominates and
  Friday/Saturday are busier; in summer daytime on working days and the night (open
  windows, *insluiping*) matter more. Times are drawn in Europe/Amsterdam local time
  and converted to UTC, so DST is honoured (a time that does not exist in the spring
  gap is moved forward by the hour, as zoneinfo does with ``fold=0``).
* **Place.** Risk per home = buurt factor x street factor (streets with back alleys,
  *achterpaden*, about 2.2x) x a persistent "hot stretch" along some streets (e.g. the
  end next to a footpath or park) x a housing factor (upper-floor flats are rarely
  hit). The risk surface is fixed over time, so hot 125 m cells stay hot.
* **Near repeats.** A self-exciting (Hawkes-type) branching process: each burglary
  spawns on average ~0.55 follow-ups (a follow-up itself ~0.2), either the same
  evening (a series in one street) or after an exponential delay of about five days
  (capped at four weeks), at a home within 200 m chosen with a distance decay and a
  same-street preference, so house numbers are close; the follow-up usually reuses
  the MO. About a third of all incidents are such follow-ups.
* **MO and attempts.** Shares drift slowly (cilinder trekken rising, flipperen and
  forced front doors declining) and depend on context (back alleys -> braak
  achterdeur; flats -> cylinder pulling/flipperen; summer -> insluiping). Attempt
  probability depends on the MO (an *insluiping* is rarely an attempt); ~1/3 overall.
* **Time windows.** About half the incidents have a known time (``from == to``); the
  others a window that follows from the residents' routine: away at work,
  asleep, an evening out, or (summer) away on holiday for days.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

__all__ = [
    "ACTION_STATUSES",
    "ACTION_TARGETS",
    "ACTION_TYPES",
    "MO_LABELS",
    "PARTNER_KINDS",
    "ROLES",
    "DemoAction",
    "DemoBuurt",
    "DemoData",
    "DemoIncident",
    "DemoMember",
    "DemoPartner",
    "DemoStreet",
    "DemoWijk",
    "generate_demo",
    "incidents_frame",
]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

MO_LABELS: tuple[str, ...] = (
    "braak achterdeur",
    "braak voordeur",
    "raam forceren",
    "insluiping",
    "cilinder trekken",
    "flipperen",
    "onbekend",
)
PARTNER_KINDS: tuple[str, ...] = (
    "gemeente",
    "politie",
    "om",
    "woningcorporatie",
    "stadstoezicht",
    "veiligheidshuis",
    "buurtpreventie",
    "overig",
)
ROLES: tuple[str, ...] = ("projectleider", "partner", "wijkagent", "analist", "meelezer")
ACTION_TYPES: tuple[str, ...] = ("preventie", "proactie", "repressie", "nazorg")
ACTION_TARGETS: tuple[str, ...] = ("dader", "slachtoffer", "domein")
ACTION_STATUSES: tuple[str, ...] = ("open", "done", "not_done", "cancelled")


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class DemoWijk:
    name: str
    cbs_code: str  # e.g. "WK990101"


@dataclass(frozen=True)
class DemoBuurt:
    name: str
    cbs_code: str  # e.g. "BU99010101"
    wijk: str  # wijk name
    homes: int
    # Outline in RD New metres (EPSG:28992), counter-clockwise, NOT closed
    # (the first vertex is not repeated at the end).
    polygon: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class DemoStreet:
    name: str
    buurt: str  # buurt name
    homes: int
    postcode: str  # "2791 AB"
    points: tuple[tuple[float, float], ...]  # polyline in RD New metres inside the buurt
    back_alleys: bool = False  # rows of houses with achterpaden (a known risk factor)


@dataclass(frozen=True)
class DemoPartner:
    name: str
    kind: str  # one of PARTNER_KINDS


@dataclass(frozen=True)
class DemoMember:
    user_id: int
    first_name: str
    last_name: str
    partner: str  # partner name
    role: str  # one of ROLES
    language: str  # "nl" or "en"


@dataclass(frozen=True)
class DemoIncident:
    occurred_from: datetime  # timezone-aware UTC
    occurred_to: datetime  # aware UTC, >= occurred_from (equal when the time is known)
    street: str
    house_number: str
    postcode: str
    buurt: str
    buurt_code: str
    wijk: str
    municipality: str
    attempt: bool  # poging
    modus_operandi: str  # one of MO_LABELS
    x_rd: float
    y_rd: float


@dataclass(frozen=True)
class DemoAction:
    area: str  # a buurt, street or wijk name
    problem: str
    what: str
    aim: str
    type: str  # preventie | proactie | repressie | nazorg
    target: str  # dader | slachtoffer | domein
    partners: tuple[str, ...]  # partner names (1..3)
    period_start: date  # Monday of the first ISO week
    period_end: date  # Sunday of the last ISO week
    capacity: str
    notes: str
    expected_effect: date | None
    created_by: int  # member user_id
    created_at: datetime  # aware UTC, before period_start
    statuses: tuple[str, ...]  # per partner, same order as partners
    results: tuple[tuple[str, str, float | None, str | None], ...]  # (partner, text, qty, unit)
    # Per partner, same order: why it was not done or cancelled (None otherwise), stored as
    # the partner's reason the way /nietgedaan and /vervallen store it, not as a result.
    reasons: tuple[str | None, ...]


@dataclass(frozen=True)
class DemoData:
    municipality: str
    municipality_code: str
    project_name: str
    as_of: date
    wijken: tuple[DemoWijk, ...]
    buurten: tuple[DemoBuurt, ...]
    streets: tuple[DemoStreet, ...]
    partners: tuple[DemoPartner, ...]
    members: tuple[DemoMember, ...]
    incidents: tuple[DemoIncident, ...]  # sorted by occurred_from
    actions: tuple[DemoAction, ...]


INCIDENT_COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(DemoIncident))


# --------------------------------------------------------------------------- town

MUNICIPALITY = "Havendam"
MUNICIPALITY_CODE = "GM9901"

# Grid of the town: 4 columns x 2 rows of buurten; the shared vertices are jittered
# so the outlines look organic while still tiling the town exactly.
_ORIGIN = (88_000.0, 443_000.0)
_COL_WIDTHS = (850.0, 950.0, 800.0, 900.0)
_ROW_HEIGHTS = (900.0, 800.0)  # row 0 is the south row
_CORNER_JITTER = 80.0
_EDGE_JITTER = 50.0
# Streets stay this far inside the un-jittered cell, which is more than any vertex
# can move, so streets (and homes next to them) are always inside the polygon.
_INNER_MARGIN = 130.0

_WIJKEN = (("Centrum", "WK990101"), ("Oost", "WK990102"), ("West", "WK990103"))


@dataclass(frozen=True)
class _BuurtSpec:
    name: str
    wijk: str
    row: int
    col: int
    homes: int
    risk: float  # relative burglary risk per home
    p_flats: float  # share of streets that are flats
    p_alleys: float  # share of row-house streets with back alleys
    pc4: int
    street_pool: tuple[str, ...]


# Risk factors reflect typical Dutch patterns: pre-war and 1970s row houses with back
# alleys and detached homes on the dyke are attractive; a 2000s Vinex estate with
# PKVW-certified locks is not.
# fmt: off
_BUURT_SPECS = (
    #          name             wijk      row col homes risk flats alleys pc4
    _BuurtSpec("Molenkwartier",  "Centrum", 1, 0, 2300, 1.8, 0.10, 0.75, 2791,
               ("Molenstraat", "Korenmolenlaan", "Wiekenpad", "Maalderijhof",
                "Zaagmolenweg", "Graanstraat", "Molenaarslaan", "Meelpad")),
    _BuurtSpec("Stationsbuurt",  "Centrum", 1, 1, 2600, 1.2, 0.50, 0.30, 2792,
               ("Stationsweg", "Spoorlaan", "Perronstraat", "Seinhuishof",
                "Wisselpad", "Conducteurstraat", "Railslaan", "Locomotiefweg")),
    _BuurtSpec("Oude Haven",     "Centrum", 1, 2, 1400, 1.0, 0.20, 0.35, 2793,
               ("Havenstraat", "Kerkstraat", "Visserslaan", "Scheepmakershof",
                "Sluispad", "Touwslagersweg", "Kuipersstraat", "Zeilmakerspad")),
    _BuurtSpec("Dijkzicht",      "Oost",    1, 3, 1100, 1.4, 0.05, 0.15, 2794,
               ("Dijkweg", "Polderlaan", "Gemaalstraat", "Boezempad",
                "Weidehof", "Kwelderweg", "Slotenlaan", "Molentochtstraat")),
    _BuurtSpec("Oostbroek",      "Oost",    0, 3, 2100, 1.5, 0.15, 0.65, 2795,
               ("Broekweg", "Elzenlaan", "Wilgenhof", "Berkenpad",
                "Essenstraat", "Populierlaan", "Kastanjehof", "Esdoornweg")),
    _BuurtSpec("Bloemenbuurt",   "Oost",    0, 2, 1800, 1.1, 0.30, 0.45, 2796,
               ("Tulpstraat", "Narcissenlaan", "Rozenhof", "Dahliastraat",
                "Irispad", "Krokusweg", "Goudsbloemlaan", "Anjerstraat")),
    _BuurtSpec("Vogelwijk",      "West",    0, 1, 1600, 0.8, 0.50, 0.30, 2797,
               ("Merelstraat", "Kievitlaan", "Zwaluwhof", "Reigerweg",
                "Meeuwenpad", "Spechtstraat", "Lijsterlaan", "Roodborstweg")),
    _BuurtSpec("Westerpolder",   "West",    0, 0, 2700, 0.5, 0.20, 0.05, 2798,
               ("Rietlaan", "Zeggehof", "Lisdoddepad", "Biezenstraat",
                "Krooslaan", "Lischhof", "Waterweg", "Oeverstraat")),
)
# fmt: on


@dataclass
class _Street:
    """Internal street with its homes (positions, labels and risk)."""

    name: str
    buurt_idx: int
    flats: bool
    back_alleys: bool
    postcode: str
    points: np.ndarray  # (k, 2)
    homes: int = 0
    labels: list[str] = dataclasses.field(default_factory=list)
    hx: np.ndarray | None = None
    hy: np.ndarray | None = None
    cx: np.ndarray | None = None  # centre-line point of each home (fallback)
    cy: np.ndarray | None = None
    risk: np.ndarray | None = None


def _polyline_length(pts: np.ndarray) -> float:
    return float(np.hypot(*np.diff(pts, axis=0).T).sum())


def _point_in_polygon(x: float, y: float, poly: tuple[tuple[float, float], ...]) -> bool:
    """Even-odd ray casting; the polygon may be open or closed."""
    inside = False
    n = len(poly)
    j = n - 1
    for i in range(n):
        xi, yi = poly[i]
        xj, yj = poly[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _build_grid(rng: np.random.Generator) -> np.ndarray:
    """Vertex grid on a 3x-refined lattice; every vertex is shared by neighbours.

    Returns an array (3*ncols+1, 3*nrows+1, 2). Lattice vertices at multiples of 3 are
    cell corners; the others are two intermediate points per cell edge.
    """
    xs = _ORIGIN[0] + np.concatenate([[0.0], np.cumsum(_COL_WIDTHS)])
    ys = _ORIGIN[1] + np.concatenate([[0.0], np.cumsum(_ROW_HEIGHTS)])
    nc, nr = len(_COL_WIDTHS), len(_ROW_HEIGHTS)
    fx = np.concatenate([np.linspace(xs[c], xs[c + 1], 4)[:-1] for c in range(nc)] + [[xs[-1]]])
    fy = np.concatenate([np.linspace(ys[r], ys[r + 1], 4)[:-1] for r in range(nr)] + [[ys[-1]]])
    grid = np.zeros((len(fx), len(fy), 2))
    for i, x in enumerate(fx):
        for j, y in enumerate(fy):
            corner_i, corner_j = i % 3 == 0, j % 3 == 0
            if corner_i and corner_j:
                dx, dy = rng.uniform(-_CORNER_JITTER, _CORNER_JITTER, 2)
            elif corner_i:  # point on a vertical edge: move sideways only
                dx, dy = rng.uniform(-_EDGE_JITTER, _EDGE_JITTER), 0.0
            elif corner_j:  # point on a horizontal edge
                dx, dy = 0.0, rng.uniform(-_EDGE_JITTER, _EDGE_JITTER)
            else:
                dx = dy = 0.0  # interior lattice points are never used
            grid[i, j] = (x + dx, y + dy)
    return grid


def _cell_polygon(grid: np.ndarray, col: int, row: int) -> tuple[tuple[float, float], ...]:
    i0, j0 = 3 * col, 3 * row
    ring = (
        [(i0 + k, j0) for k in range(3)]  # bottom, west -> east
        + [(i0 + 3, j0 + k) for k in range(3)]  # east, south -> north
        + [(i0 + 3 - k, j0 + 3) for k in range(3)]  # top, east -> west
        + [(i0, j0 + 3 - k) for k in range(3)]  # west, north -> south
    )
    return tuple((round(float(grid[i, j][0]), 1), round(float(grid[i, j][1]), 1)) for i, j in ring)


def last_meeting_day(as_of: date) -> date:
    """The operational meeting is fortnightly on Thursday; the latest one on or before
    ``as_of`` (the actions of the demo are agreed at these meetings)."""
    return as_of - timedelta(days=(as_of.weekday() - 3) % 7)


def _largest_remainder(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Integer split of ``total`` proportional to ``weights`` with a floor per part."""
    n = len(weights)
    rest = total - minimum * n
    raw = weights / weights.sum() * rest
    out = np.floor(raw).astype(int)
    short = rest - out.sum()
    order = np.argsort(-(raw - out), kind="stable")
    out[order[:short]] += 1
    return out + minimum


def _street_polylines(
    rng: np.random.Generator, box: tuple[float, float, float, float], k: int
) -> list[np.ndarray]:
    """k slightly bent streets in the inner box: parallel east-west ones plus crossings."""
    x0, x1, y0, y1 = box
    w, h = x1 - x0, y1 - y0
    n_h = math.ceil(k / 2)
    n_v = k - n_h
    lines: list[np.ndarray] = []

    def bent(a0: float, a1: float, b: float, blo: float, bhi: float, npts: int) -> np.ndarray:
        along = np.linspace(a0, a1, npts)
        across = b + np.concatenate([[0.0], np.cumsum(rng.uniform(-30, 30, npts - 1))])
        return np.column_stack([along, np.clip(across, blo, bhi)])

    ys = np.linspace(y0 + 25, y1 - 25, n_h) if n_h > 1 else np.array([(y0 + y1) / 2])
    for y in ys:
        a0 = x0 + rng.uniform(0.0, 0.2) * w
        a1 = x1 - rng.uniform(0.0, 0.2) * w
        lines.append(bent(a0, a1, y, y0, y1, int(rng.integers(3, 5))))
    xs = np.linspace(x0 + 0.2 * w, x1 - 0.2 * w, n_v) if n_v > 1 else np.array([(x0 + x1) / 2])
    for x in xs:
        a0 = y0 + rng.uniform(0.0, 0.2) * h
        a1 = y1 - rng.uniform(0.0, 0.2) * h
        line = bent(a0, a1, x + rng.uniform(-40, 40), x0, x1, int(rng.integers(3, 5)))
        lines.append(line[:, ::-1].copy())  # swap to (x, y)
    return lines


def _house_labels(
    rng: np.random.Generator, homes: int, flats: bool
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """House-number labels, the plain number of each and whether it is ground level.

    Row houses: 1, 2, 3, ... with the occasional split home ("12a"). Flats: portiek
    blocks numbered "114-1" .. "114-4" (floor after the dash, 1 = ground floor).
    """
    labels: list[str] = []
    numbers: list[int] = []
    ground: list[bool] = []
    n = 1
    if flats:
        floors = int(rng.integers(3, 5))
        while len(labels) < homes:
            for f in range(1, floors + 1):
                labels.append(f"{n}-{f}")
                numbers.append(n)
                ground.append(f == 1)
            n += 1
    else:
        while len(labels) < homes:
            labels.append(str(n))
            numbers.append(n)
            ground.append(True)
            if rng.random() < 0.05:
                labels.append(f"{n}a")
                numbers.append(n)
                ground.append(True)
            n += 1
    return labels[:homes], np.array(numbers[:homes]), np.array(ground[:homes])


def _place_homes(rng: np.random.Generator, st: _Street, bspec: _BuurtSpec) -> None:
    """Positions and risk of every home along the street polyline."""
    labels, numbers, ground = _house_labels(rng, st.homes, st.flats)
    pts = st.points
    seg = np.diff(pts, axis=0)
    seg_len = np.hypot(seg[:, 0], seg[:, 1])
    cum = np.concatenate([[0.0], np.cumsum(seg_len)])
    length = cum[-1]
    # Odd numbers on one side, even on the other, in order along the street.
    per_side = math.ceil(numbers.max() / 2)
    s = ((numbers - 1) // 2 + 0.5) / per_side * length
    k = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(seg) - 1)
    t = (s - cum[k]) / seg_len[k]
    cx = pts[k, 0] + t * seg[k, 0]
    cy = pts[k, 1] + t * seg[k, 1]
    nx, ny = -seg[k, 1] / seg_len[k], seg[k, 0] / seg_len[k]
    side = np.where(numbers % 2 == 1, 1.0, -1.0)
    offset = 18.0 if st.flats else 9.0
    st.labels = labels
    st.cx, st.cy = cx, cy
    st.hx, st.hy = cx + side * offset * nx, cy + side * offset * ny

    # Persistent risk: buurt x street x housing x optional hot stretch.
    street_factor = float(rng.lognormal(0.0, 0.35)) * (2.2 if st.back_alleys else 1.0)
    housing = np.where(ground, 1.0, 0.3) if st.flats else np.ones(st.homes)
    bump = np.ones(st.homes)
    if rng.random() < 0.45:
        # A hot stretch, e.g. the end of the street next to a footpath or a park.
        centre = rng.uniform(0.1, 0.9) * length
        sigma = rng.uniform(40.0, 70.0)
        bump += rng.uniform(2.0, 4.0) * np.exp(-0.5 * ((s - centre) / sigma) ** 2)
    st.risk = bspec.risk * street_factor * housing * bump


def _build_town(rng: np.random.Generator):
    grid = _build_grid(rng)
    wijk_code = dict(_WIJKEN)
    wijk_seq: dict[str, int] = {}
    buurten: list[DemoBuurt] = []
    streets: list[_Street] = []
    for bi, spec in enumerate(_BUURT_SPECS):
        wijk_seq[spec.wijk] = wijk_seq.get(spec.wijk, 0) + 1
        code = f"BU{wijk_code[spec.wijk][2:]}{wijk_seq[spec.wijk]:02d}"
        homes = round(spec.homes * rng.uniform(0.92, 1.08))
        poly = _cell_polygon(grid, spec.col, spec.row)
        buurten.append(DemoBuurt(spec.name, code, spec.wijk, homes, poly))

        cx0 = _ORIGIN[0] + sum(_COL_WIDTHS[: spec.col])
        cy0 = _ORIGIN[1] + sum(_ROW_HEIGHTS[: spec.row])
        box = (
            cx0 + _INNER_MARGIN,
            cx0 + _COL_WIDTHS[spec.col] - _INNER_MARGIN,
            cy0 + _INNER_MARGIN,
            cy0 + _ROW_HEIGHTS[spec.row] - _INNER_MARGIN,
        )
        k = int(rng.integers(4, 9))
        names = [spec.street_pool[i] for i in rng.permutation(len(spec.street_pool))[:k]]
        lines = _street_polylines(rng, box, k)
        # Postcode letters: consecutive pairs from a random start, skipping the
        # combinations PostNL does not issue (SA, SD, SS).
        letters = [
            a + b
            for a in "ABCDEGHJKLMNPRSTVWXZ"
            for b in "ABCDEGHJKLMNPRSTVWXZ"
            if a + b not in ("SA", "SD", "SS")
        ]
        start = int(rng.integers(0, len(letters) - k))
        bstreets: list[_Street] = []
        for si, (name, line) in enumerate(zip(names, lines, strict=True)):
            flats = bool(rng.random() < spec.p_flats)
            alleys = (not flats) and bool(rng.random() < spec.p_alleys)
            bstreets.append(
                _Street(name, bi, flats, alleys, f"{spec.pc4} {letters[start + si]}", line)
            )
        # Homes per street: length x density (flats are ~3x denser) with noise.
        weights = np.array(
            [
                _polyline_length(s.points) * (3.0 if s.flats else 1.0) * rng.lognormal(0.0, 0.25)
                for s in bstreets
            ]
        )
        for st, n in zip(bstreets, _largest_remainder(homes, weights, 40), strict=True):
            st.homes = int(n)
            _place_homes(rng, st, spec)
        streets.extend(bstreets)
    return buurten, streets


# --------------------------------------------------------------------------- people


def _build_people() -> tuple[tuple[DemoPartner, ...], tuple[DemoMember, ...]]:
    # Buurtpreventie groups exist in the two buurten with the highest risk, which is
    # where residents typically organise themselves first.
    hot = [s.name for s in sorted(_BUURT_SPECS, key=lambda s: -s.risk)[:2]]
    partners = (
        DemoPartner(f"Gemeente {MUNICIPALITY}", "gemeente"),
        DemoPartner(f"Politie basisteam {MUNICIPALITY}-Veenland", "politie"),
        DemoPartner("Openbaar Ministerie", "om"),
        DemoPartner("Woonstichting HavenThuis", "woningcorporatie"),
        DemoPartner(f"Stadstoezicht {MUNICIPALITY}", "stadstoezicht"),
        DemoPartner("Veiligheidshuis Veenland-Havendam", "veiligheidshuis"),
        DemoPartner(f"Buurtpreventie {hot[0]}", "buurtpreventie"),
        DemoPartner(f"Buurtpreventie {hot[1]}", "buurtpreventie"),
    )
    gem, pol, om, woc, stt, vh, bp1, bp2 = (x.name for x in partners)
    rows = (
        ("Annelies", "Verhoef", gem, "projectleider", "nl"),
        ("Ruben", "Koster", gem, "partner", "nl"),
        ("Sanne", "Bakker", pol, "analist", "nl"),
        ("Mohamed", "El Amrani", pol, "wijkagent", "nl"),
        ("Joost", "van Leeuwen", pol, "wijkagent", "nl"),
        ("Karin", "Smit", om, "meelezer", "nl"),
        ("Olivia", "Bennett", woc, "partner", "en"),
        ("Ingrid", "Mulder", woc, "partner", "nl"),
        ("Dennis", "Visser", stt, "partner", "nl"),
        ("Tomasz", "Nowak", stt, "partner", "en"),
        ("Fatma", "Yilmaz", vh, "partner", "nl"),
        ("Henk", "Jansen", bp1, "partner", "nl"),
        ("Lisa", "Hoekstra", bp2, "partner", "nl"),
    )
    members = tuple(DemoMember(9_000_000_001 + i, *row) for i, row in enumerate(rows))
    return partners, members


# --------------------------------------------------------------------------- time profiles

# Hour-of-day weights (local time, hour 0..23). Winter: the dark early evening, when
# an unlit home shows nobody is in. Summer: daytime (at work, on the beach) and the
# night (windows left open), with light evenings the quietest part of the day.
# fmt: off
_HOURS_WINTER = np.array([2.0, 1.5, 1.0, 0.8, 0.5, 0.4, 0.5, 0.8, 1.5, 2.0, 2.2, 2.3,
                          2.3, 2.3, 2.4, 2.8, 3.6, 6.5, 9.0, 9.5, 8.5, 7.0, 5.0, 3.0])
_HOURS_SUMMER = np.array([3.2, 3.2, 2.8, 2.2, 1.5, 1.0, 0.8, 1.0, 2.6, 3.6, 4.2, 4.4,
                          4.4, 4.4, 4.3, 4.0, 3.5, 2.6, 2.3, 2.3, 2.5, 3.0, 3.5, 3.4])
# fmt: on
_HOURS_WINTER = _HOURS_WINTER / _HOURS_WINTER.sum()
_HOURS_SUMMER = _HOURS_SUMMER / _HOURS_SUMMER.sum()
# Day-of-week weights, Monday..Sunday.
_DOW_WINTER = np.array([0.95, 0.95, 0.95, 1.00, 1.15, 1.10, 0.90])
_DOW_SUMMER = np.array([1.10, 1.10, 1.05, 1.05, 1.00, 0.85, 0.85])
_DOW_WINTER = _DOW_WINTER / _DOW_WINTER.mean()
_DOW_SUMMER = _DOW_SUMMER / _DOW_SUMMER.mean()

_RATE_AT_AS_OF = 6.8  # burglaries per 1,000 homes per year at the end of the history
_TREND = 0.08  # yearly decline (log scale), about -25 % over five years
# Mean number of near-repeat follow-ups of a "fresh" burglary and of a follow-up.
# Follow-ups reproduce less, which keeps series realistic in size (no runaway chains
# that would swamp the seasonal pattern in a single year).
_BRANCHING = 0.55
_BRANCHING_CHILD = 0.20
# Expected events per background event (a cluster): 1 + b / (1 - b_child).
_CLUSTER_SIZE = 1.0 + _BRANCHING / (1.0 - _BRANCHING_CHILD)
_SAME_EVENING = 0.30  # share of follow-ups that belong to the same evening's series
_NEAR_RADIUS = 200.0  # metres
_NEAR_DECAY = 45.0  # metres, distance decay of the follow-up location
_DELAY_MEAN = 5.0  # days
_DELAY_MAX = 28  # days
_REPEAT_VICTIM = 0.04  # chance a follow-up hits the very same home
_BURN_IN = 90  # days simulated before the history starts, then discarded

# Base MO shares (order of MO_LABELS) at the start and the end of the history; in
# between they are interpolated linearly: lock-pulling (cilinder trekken) is on the
# rise, slipping latches (flipperen) and forced front doors decline as locks improve.
_MO_START = np.array([0.25, 0.15, 0.21, 0.13, 0.04, 0.10, 0.12])
_MO_END = np.array([0.20, 0.09, 0.18, 0.12, 0.26, 0.05, 0.10])
_MO_ATTEMPT = np.array([0.38, 0.42, 0.40, 0.06, 0.45, 0.30, 0.40])
_MO_KEEP = 0.65  # chance a follow-up reuses its parent's MO


def _winterness(doy: np.ndarray) -> np.ndarray:
    """1 in early December, 0 in early June; drives the seasonal profile mixtures."""
    return 0.5 * (1.0 + np.cos(2.0 * np.pi * (doy - 340.0) / 365.25))


def _season_factor(doy: np.ndarray) -> np.ndarray:
    """Relative daily rate: peak in the dark days, trough in May/June, holiday bump."""
    return 0.50 + 1.05 * _winterness(doy) ** 1.3 + 0.15 * np.exp(-0.5 * ((doy - 213.0) / 18.0) ** 2)


_SEASON_MEAN = float(_season_factor(np.arange(1, 366, dtype=float)).mean())


def _local_to_utc(day: date, minute: float) -> datetime:
    naive = datetime.combine(day, time()) + timedelta(minutes=float(minute))
    # zoneinfo with fold=0 maps a non-existent spring-gap time one hour forward and an
    # ambiguous autumn time to its first (summer-time) occurrence.
    return naive.replace(tzinfo=AMSTERDAM).astimezone(UTC)


# --------------------------------------------------------------------------- incidents


class _Events:
    """Column store for the simulated events (day index, local minute, home, MO)."""

    def __init__(self) -> None:
        self.day: list[int] = []
        self.minute: list[float] = []
        self.home: list[int] = []
        self.mo: list[int] = []

    def add(self, day: int, minute: float, home: int, mo: int) -> int:
        self.day.append(day)
        self.minute.append(minute)
        self.home.append(home)
        self.mo.append(mo)
        return len(self.day) - 1


def _sample_hours(rng: np.random.Generator, w: np.ndarray) -> np.ndarray:
    probs = w[:, None] * _HOURS_WINTER[None, :] + (1.0 - w[:, None]) * _HOURS_SUMMER[None, :]
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(w)) * cum[:, -1]
    return (cum < u[:, None]).sum(axis=1)


def _sample_mo(
    rng: np.random.Generator, tau: float, w: float, hour: int, flats: bool, alleys: bool
) -> int:
    p = (1.0 - tau) * _MO_START + tau * _MO_END
    p = p.copy()
    if alleys:
        p[0] *= 2.0
    if flats:
        p *= np.array([0.3, 1.6, 0.6, 1.0, 1.8, 1.8, 1.0])
    p[3] *= 1.0 + 1.2 * (1.0 - w)  # insluiping: open doors/windows in summer
    if hour >= 23 or hour < 6:
        p[3] *= 1.3
    p /= p.sum()
    return int(rng.choice(len(p), p=p))


def _floor15(x: datetime) -> datetime:
    return x.replace(second=0, microsecond=0) - timedelta(minutes=x.minute % 15)


def _ceil15(x: datetime) -> datetime:
    f = _floor15(x)
    return f if f == x else f + timedelta(minutes=15)


def _time_window(
    rng: np.random.Generator, t: datetime, known: bool, lo: datetime, hi: datetime
) -> tuple[datetime, datetime]:
    """Local naive (from, to) around the true time ``t`` following resident routines."""
    if known:
        # Reported times are approximate: round down to 5 minutes.
        r = t - timedelta(minutes=t.minute % 5, seconds=t.second, microseconds=t.microsecond)
        r = max(r, lo)
        return r, r
    h = t.hour + t.minute / 60.0
    d0 = datetime.combine(t.date(), time())
    u = rng.random()

    def m(a: float, b: float) -> timedelta:
        return timedelta(minutes=float(rng.uniform(a, b)))

    holiday = (t.month == 7 and t.day >= 10) or t.month == 8
    if holiday and u < 0.30:  # away on holiday: a window of days
        f = t - timedelta(days=float(rng.uniform(1.0, 12.0)))
        e = t + timedelta(days=float(rng.uniform(0.1, 4.0)))
    elif 7.5 <= h < 17.5 and t.weekday() < 5 and u < 0.85:  # away at work / school
        f = d0 + timedelta(hours=7, minutes=30) + m(0, 75)
        e = d0 + timedelta(hours=16, minutes=30) + m(0, 120)
    elif h >= 22.0 or h < 7.0:  # asleep (or away for the night)
        evening = d0 if h >= 22.0 else d0 - timedelta(days=1)
        f = evening + timedelta(hours=22) + m(0, 120)
        e = evening + timedelta(days=1, hours=6, minutes=15) + m(0, 105)
    elif 17.0 <= h < 22.0:  # an evening out
        f = d0 + timedelta(hours=17) + m(0, 150)
        e = d0 + timedelta(hours=21) + m(0, 210)
    else:  # shopping, visiting: a few hours
        f = t - m(60, 300)
        e = t + m(30, 180)
    # Windows are registered on a 15-minute grid and always contain the true time.
    f = min(_floor15(f), _floor15(t))
    e = max(_ceil15(e), _ceil15(t))
    return max(f, lo), min(e, hi)


def _simulate(
    rng: np.random.Generator, streets: list[_Street], start: date, n_days: int
) -> tuple[_Events, np.ndarray]:
    """Background + near-repeat events; day 0 is ``start``, the last day ``n_days - 1``.

    The process runs from ``_BURN_IN`` days before ``start`` so the first weeks of the
    history already contain follow-ups of earlier burglaries (no edge effect).
    """
    burn = _BURN_IN
    start = start - timedelta(days=burn)
    n_hist = n_days
    n_days = n_days + burn
    hx = np.concatenate([s.hx for s in streets])
    hy = np.concatenate([s.hy for s in streets])
    risk = np.concatenate([s.risk for s in streets])
    street_of = np.concatenate([np.full(s.homes, i) for i, s in enumerate(streets)])
    n_homes = len(hx)

    days = np.arange(n_days)
    dates = [start + timedelta(days=int(d)) for d in days]
    doy = np.array([d.timetuple().tm_yday for d in dates], dtype=float)
    dow = np.array([d.weekday() for d in dates])
    w_day = _winterness(doy)
    years_before_end = (n_days - 1 - days) / 365.25
    rate = (
        _RATE_AT_AS_OF
        * np.exp(_TREND * years_before_end)
        * n_homes
        / 1000.0
        / 365.25
        * _season_factor(doy)
        / _SEASON_MEAN
        * (w_day * _DOW_WINTER[dow] + (1.0 - w_day) * _DOW_SUMMER[dow])
        / _CLUSTER_SIZE
    )
    counts = rng.poisson(rate)

    ev = _Events()
    bg_day = np.repeat(days, counts)
    bg_hour = _sample_hours(rng, w_day[bg_day])
    bg_min = bg_hour * 60.0 + rng.uniform(0.0, 60.0, len(bg_day))
    p_home = risk / risk.sum()
    bg_home = rng.choice(n_homes, size=len(bg_day), p=p_home)

    def mo_for(day: int, minute: float, home: int) -> int:
        st = streets[street_of[home]]
        tau = min(max((day - burn) / max(n_hist - 1, 1), 0.0), 1.0)
        return _sample_mo(
            rng,
            tau,
            float(w_day[min(day, n_days - 1)]),
            int(minute // 60) % 24,
            st.flats,
            st.back_alleys,
        )

    for d, mnt, hm in zip(bg_day, bg_min, bg_home, strict=True):
        ev.add(int(d), float(mnt), int(hm), mo_for(int(d), float(mnt), int(hm)))

    # Near-repeat follow-ups (self-exciting branching; children can have children).
    sqrt_risk = np.sqrt(risk)
    n_background = len(ev.day)
    queue = list(range(n_background))
    qi = 0
    while qi < len(queue):
        parent = queue[qi]
        qi += 1
        pd_, pm, ph = ev.day[parent], ev.minute[parent], ev.home[parent]
        branching = _BRANCHING if parent < n_background else _BRANCHING_CHILD
        for _ in range(rng.poisson(branching)):
            if rng.random() < _SAME_EVENING:
                total = pd_ * 1440.0 + pm + rng.uniform(10.0, 120.0)
                cday, cmin = int(total // 1440), float(total % 1440)
            else:
                delay = min(math.ceil(rng.exponential(_DELAY_MEAN)), _DELAY_MAX)
                cday = pd_ + max(delay, 1)
                cmin = -1.0
            if cday >= n_days:
                continue  # after as_of: not (yet) registered
            if cmin < 0:
                hour = int(_sample_hours(rng, w_day[[cday]])[0])
                cmin = hour * 60.0 + float(rng.uniform(0.0, 60.0))
            if rng.random() < _REPEAT_VICTIM:
                chome = ph
            else:
                dist = np.hypot(hx - hx[ph], hy - hy[ph])
                cand = np.flatnonzero(dist < _NEAR_RADIUS)
                cand = cand[cand != ph]
                wts = (
                    np.exp(-dist[cand] / _NEAR_DECAY)
                    * sqrt_risk[cand]
                    * np.where(street_of[cand] == street_of[ph], 2.5, 1.0)
                )
                chome = int(cand[np.searchsorted(np.cumsum(wts), rng.random() * wts.sum())])
            if rng.random() < _MO_KEEP:
                cmo = ev.mo[parent]
            else:
                cmo = mo_for(cday, cmin, chome)
            queue.append(ev.add(cday, cmin, chome, cmo))

    out = _Events()
    for eday, emin, ehome, emo in zip(ev.day, ev.minute, ev.home, ev.mo, strict=True):
        if eday >= burn:
            out.add(eday - burn, emin, ehome, emo)
    return out, street_of


def _make_incidents(
    rng: np.random.Generator,
    ev: _Events,
    street_of: np.ndarray,
    streets: list[_Street],
    buurten: list[DemoBuurt],
    start: date,
    as_of: date,
) -> tuple[DemoIncident, ...]:
    offsets = np.concatenate([[0], np.cumsum([s.homes for s in streets])])
    # The first registered time is 02:00 local on the first day, which is on or after
    # 00:00 UTC of that day both in CET and CEST; so the span holds in UTC too.
    lo = datetime.combine(start, time(2, 0))
    hi = datetime.combine(as_of, time(23, 59))
    out: list[DemoIncident] = []
    for d, mnt, hm, mo in zip(ev.day, ev.minute, ev.home, ev.mo, strict=True):
        st = streets[street_of[hm]]
        b = buurten[st.buurt_idx]
        j = hm - offsets[street_of[hm]]
        t = datetime.combine(start + timedelta(days=d), time()) + timedelta(minutes=mnt)
        t = t.replace(second=0, microsecond=0)
        t = min(max(t, lo), hi)
        attempt = bool(rng.random() < _MO_ATTEMPT[mo])
        # Attempts are more often noticed as they happen (alarm, neighbours, noise).
        known = bool(rng.random() < (0.62 if attempt else 0.42))
        f, e = _time_window(rng, t, known, lo, hi)
        x = float(st.hx[j] + rng.normal(0.0, 3.0))
        y = float(st.hy[j] + rng.normal(0.0, 3.0))
        if not _point_in_polygon(x, y, b.polygon):  # defensive; cannot happen by margins
            x, y = float(st.cx[j]), float(st.cy[j])
        out.append(
            DemoIncident(
                occurred_from=_local_to_utc(f.date(), f.hour * 60 + f.minute),
                occurred_to=_local_to_utc(e.date(), e.hour * 60 + e.minute),
                street=st.name,
                house_number=st.labels[j],
                postcode=st.postcode,
                buurt=b.name,
                buurt_code=b.cbs_code,
                wijk=b.wijk,
                municipality=MUNICIPALITY,
                attempt=attempt,
                modus_operandi=MO_LABELS[mo],
                x_rd=round(x, 1),
                y_rd=round(y, 1),
            )
        )
    out.sort(key=lambda i: (i.occurred_from, i.occurred_to, i.street, i.house_number))
    return tuple(out)


# --------------------------------------------------------------------------- actions

# Results per partner kind when a template does not say otherwise: (text, lo, hi, unit).
_GENERIC_RESULT = {
    "gemeente": ("Coördinatie en communicatie verzorgd", None, None, None),
    "politie": ("{n} uur extra inzet wijkteam", 2, 12, "uur"),
    "om": ("Afdoening afgestemd met politie", None, None, None),
    "woningcorporatie": ("{n} huurders geïnformeerd", 10, 60, "huurders"),
    "stadstoezicht": ("{n} extra rondes gelopen", 2, 8, "rondes"),
    "veiligheidshuis": ("{n} casussen besproken", 2, 5, "casussen"),
    "buurtpreventie": ("{n} vrijwilligers ingezet", 3, 10, "vrijwilligers"),
    "overig": ("Uitgevoerd volgens afspraak", None, None, None),
}

# The interventions catalogue (bijlage 6) turned into action-framework rows.
# level: which kind of area the action is about; kinds: partner kinds, first = owner;
# months (optional): only proposed at meetings in these months; result: (text, lo, hi,
# unit) for the owner; weight: how often the template is picked.
_TEMPLATES: tuple[dict, ...] = (
    dict(
        level="street",
        alleys=True,
        problem="Inbraken m.n. via achterpaden",
        what="Extra avondrondes in de achterpaden",
        aim="Inbraakpreventie",
        type="proactie",
        target="dader",
        kinds=("stadstoezicht", "politie"),
        capacity=("2 pers., 19–23 u extra ronde", "2 BOA's, 3 avonden 19–23 u"),
        notes="Focus op verdachte figuren in achterpaden; debriefing vastleggen",
        result=("{n} personen aangesproken", 2, 9, "personen"),
        weight=3.0,
    ),
    dict(
        level="street",
        problem="Woningen slecht beveiligd (sociale huur)",
        what="Sloten vervangen bij huurwoningen (SKG**)",
        aim="Inbraakpreventie",
        type="preventie",
        target="domein",
        kinds=("woningcorporatie",),
        capacity=("2 fte", "1 fte + slotenmaker"),
        notes="Met name sociale huurwoningen zijn nog niet goed beveiligd tegen inbraken",
        result=("{n} sloten vervangen", 8, 45, "sloten"),
        weight=2.0,
    ),
    dict(
        level="buurt",
        problem="Bewoners kennen de inbraakrisico's van hun woning niet",
        what="PKVW-voorlichting op bewonersavond",
        aim="Bewustwording inbraakpreventie",
        type="preventie",
        target="slachtoffer",
        kinds=("gemeente", "politie"),
        capacity=("1 avond, 2 pers.", "1 avond, 3 pers. incl. wijkagent"),
        notes="Uitnodiging huis-aan-huis; PKVW-adviseur aanwezig",
        result=("{n} bewoners bereikt", 15, 70, "bewoners"),
        weight=1.5,
    ),
    dict(
        level="street",
        alleys=True,
        problem="Achterpoorten staan vaak open",
        what="Flyer 'Doe de poort op slot' huis-aan-huis",
        aim="Inbraakpreventie",
        type="preventie",
        target="slachtoffer",
        kinds=("buurtpreventie", "stadstoezicht"),
        capacity=("4 vrijwilligers, 2 u", "2 pers., 1 middag"),
        notes="Flyers ophalen bij de gemeentewinkel",
        result=("{n} flyers verspreid", 40, 300, "flyers"),
        weight=2.0,
    ),
    dict(
        level="street",
        problem="Inbraakgolf in de straat",
        what="Brief politie & gemeente aan omwonenden na inbraak",
        aim="Herhaalinbraak voorkomen",
        type="preventie",
        target="slachtoffer",
        kinds=("gemeente", "politie"),
        capacity=("0,5 dag",),
        notes="Binnen 48 uur na de inbraak bezorgen, met preventietips",
        result=("{n} brieven bezorgd", 30, 150, "brieven"),
        weight=2.5,
    ),
    dict(
        level="buurt",
        problem="Weinig ogen op straat in de avond",
        what="Extra buurtpreventie-wandeling in de avond",
        aim="Inbraakpreventie",
        type="preventie",
        target="domein",
        kinds=("buurtpreventie",),
        capacity=("6 vrijwilligers, 2 avonden", "4 vrijwilligers, wekelijks"),
        notes="Open ramen en deuren melden via de groepsapp; geen eigen optreden",
        result=("{n} open ramen/deuren gesignaleerd", 3, 25, "signaleringen"),
        weight=2.0,
    ),
    dict(
        level="street",
        problem="Slecht zicht op achterkanten door overwoekerd groen",
        what="Groen snoeien voor betere zichtlijnen",
        aim="Sociale controle vergroten",
        type="preventie",
        target="domein",
        kinds=("gemeente", "woningcorporatie"),
        capacity=("ploeg buitendienst, 1 dag", "aannemer groen, 2 dagen"),
        notes="Na schouwronde; afstemmen met bewonerscommissie",
        result=("{n} meter haag gesnoeid", 50, 400, "meter"),
        weight=1.2,
    ),
    dict(
        level="street",
        alleys=True,
        problem="Donkere achterpaden",
        what="Verlichting in achterpaden verbeteren",
        aim="Sociale controle vergroten",
        type="preventie",
        target="domein",
        kinds=("gemeente", "woningcorporatie"),
        capacity=("aannemer, 3 dagen", "openbare verlichting, 1 week"),
        notes="Kosten delen gemeente/corporatie",
        result=("{n} armaturen geplaatst", 3, 15, "armaturen"),
        weight=1.0,
    ),
    dict(
        level="wijk",
        problem="Bekende veelplegers recent vrijgekomen",
        what="Extra bezoeken aan (ex-)veelplegers",
        aim="Recidive voorkomen",
        type="proactie",
        target="dader",
        kinds=("politie", "veiligheidshuis"),
        capacity=("wijkagent, 4 u per week",),
        notes="Kalender vastzitten/vrijkomen raadplegen; alleen intern delen",
        result=("{n} bezoeken afgelegd", 2, 10, "bezoeken"),
        weight=1.5,
    ),
    dict(
        level="wijk",
        problem="Kleine groep daders verantwoordelijk voor groot deel inbraken",
        what="Top X-aanpak: casusoverleg en persoonsgericht plan",
        aim="Daders aanpakken",
        type="repressie",
        target="dader",
        kinds=("veiligheidshuis", "politie", "om"),
        capacity=("casusoverleg 2 u, 3 pers.",),
        notes="Persoonsgegevens niet in de groepsapp",
        result=("{n} personen besproken", 3, 8, "personen"),
        weight=1.0,
    ),
    dict(
        level="buurt",
        problem="Kwetsbare plekken niet in beeld",
        what="Schouwronde met bewoners en corporatie",
        aim="Kwetsbare plekken aanpakken",
        type="preventie",
        target="domein",
        kinds=("gemeente", "woningcorporatie", "buurtpreventie"),
        capacity=("3 pers., 1 middag",),
        notes="Verbeterpunten vastleggen met foto's",
        result=("{n} verbeterpunten genoteerd", 5, 25, "verbeterpunten"),
        weight=1.2,
    ),
    dict(
        level="street",
        problem="Herhaalde inbraken in hetzelfde blok",
        what="Flexcamera plaatsen bij hotspot",
        aim="Daders afschrikken en identificeren",
        type="proactie",
        target="dader",
        kinds=("gemeente", "politie"),
        capacity=("1 camera, 4 weken",),
        notes="Bordje cameratoezicht plaatsen; beelden 28 dagen bewaren",
        result=("{n} dagen camera actief", 14, 28, "dagen"),
        weight=0.8,
    ),
    dict(
        level="street",
        problem="Slachtoffers voelen zich onveilig na inbraak",
        what="Nazorgbezoek slachtoffers met preventieadvies",
        aim="Herhaalslachtofferschap voorkomen",
        type="nazorg",
        target="slachtoffer",
        kinds=("politie", "buurtpreventie"),
        capacity=("wijkagent, 1 dagdeel",),
        notes="Ook directe buren aanbellen",
        result=("{n} huishoudens bezocht", 3, 15, "huishoudens"),
        weight=1.5,
    ),
    dict(
        level="wijk",
        months=(10, 11, 12, 1, 2),
        problem="Piek in avondinbraken (donkere dagen)",
        what="Extra surveillance Donkere Dagen Offensief 17–22 u",
        aim="Inbraken voorkomen, daders betrappen",
        type="proactie",
        target="dader",
        kinds=("politie", "stadstoezicht"),
        capacity=("2 fte, 17–22 u", "2 pers. per avond, 17–22 u"),
        notes="Hotspotkaart van de analist als basis",
        result=("{n} controles uitgevoerd", 5, 30, "controles"),
        weight=2.5,
    ),
    dict(
        level="street",
        alleys=True,
        problem="Achterpaden vrij toegankelijk",
        what="Achterpaden afsluiten met afsluitbare poort",
        aim="Gelegenheid wegnemen",
        type="preventie",
        target="domein",
        kinds=("woningcorporatie", "gemeente"),
        capacity=("aannemer, 1 week",),
        notes="Sleutels via bewonerscommissie verdelen",
        result=("{n} poorten geplaatst", 2, 6, "poorten"),
        weight=0.8,
    ),
    dict(
        level="buurt",
        problem="Inbrekers actief in de buurt",
        what="Burgernet-bericht en bericht sociale media 'Inbrekers actief'",
        aim="Alertheid bewoners",
        type="preventie",
        target="slachtoffer",
        kinds=("politie", "gemeente"),
        capacity=("communicatieadviseur, 2 u",),
        notes="Geen adressen noemen",
        result=("{n} deelnemers Burgernet bereikt", 200, 1500, "deelnemers"),
        weight=1.2,
    ),
    dict(
        level="street",
        problem="Bewoners zich niet bewust van risico's",
        what="Straatinterviews: bewoners aanspreken over preventie",
        aim="Bewustwording inbraakpreventie",
        type="preventie",
        target="slachtoffer",
        kinds=("stadstoezicht", "buurtpreventie"),
        capacity=("2 BOA's, 2 middagen",),
        notes="Kaartje 'Geef inbrekers geen kans' achterlaten",
        result=("{n} bewoners gesproken", 10, 60, "bewoners"),
        weight=1.2,
    ),
    dict(
        level="buurt",
        months=(5, 6, 7, 8),
        problem="Woningen leeg tijdens de zomervakantie",
        what="Flyer 'Meld uw vakantie bij de politie'",
        aim="Inbraakpreventie",
        type="preventie",
        target="slachtoffer",
        kinds=("politie", "buurtpreventie"),
        capacity=("4 vrijwilligers, 2 u",),
        notes="Combineren met vakantiecheck wijkagent",
        result=("{n} flyers verspreid", 100, 500, "flyers"),
        weight=1.5,
    ),
)

# Reasons an action was not carried out, per partner kind ("*": any partner).
_NOT_DONE_REASONS: dict[str, tuple[str, ...]] = {
    "*": ("ziekte, geen vervanging", "eerst afstemming nodig in het overleg"),
    "gemeente": ("aannemer niet beschikbaar", "budget nog niet vrijgegeven"),
    "politie": ("capaciteit ingezet bij evenement", "prioriteit verschoven naar spoedmeldingen"),
    "om": ("zaak nog in behandeling",),
    "woningcorporatie": ("aannemer niet beschikbaar", "huurders niet thuis getroffen"),
    "stadstoezicht": ("capaciteit ingezet bij evenement", "weersomstandigheden"),
    "veiligheidshuis": ("casusoverleg verplaatst",),
    "buurtpreventie": ("te weinig vrijwilligers beschikbaar", "weersomstandigheden"),
    "overig": ("niet aan toegekomen",),
}
_CANCEL_REASONS = (
    "vervallen: dubbel met andere actie",
    "vervallen: probleem opgelost",
    "vervallen: op verzoek van de driehoek",
)


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _result(rng: np.random.Generator, spec: tuple) -> tuple[str, float | None, str | None]:
    text, lo, hi, unit = spec
    if lo is None:
        return text, None, None
    n = int(rng.integers(lo, hi + 1))
    return text.format(n=n), float(n), unit


def _build_actions(
    rng: np.random.Generator,
    as_of: date,
    partners: tuple[DemoPartner, ...],
    members: tuple[DemoMember, ...],
    buurten: list[DemoBuurt],
    streets: list[_Street],
    incidents: tuple[DemoIncident, ...],
) -> tuple[DemoAction, ...]:
    by_kind: dict[str, list[str]] = {}
    for p in partners:
        by_kind.setdefault(p.kind, []).append(p.name)
    leader = next(m for m in members if m.role == "projectleider")
    members_of: dict[str, list[int]] = {}
    for m in members:
        members_of.setdefault(m.partner, []).append(m.user_id)
    street_buurt = {s.name: buurten[s.buurt_idx].name for s in streets}
    alley_streets = {s.name for s in streets if s.back_alleys}

    # Incident dates (local) per street, to aim actions at recent hotspots.
    inc_day = np.array(
        [i.occurred_from.astimezone(AMSTERDAM).date().toordinal() for i in incidents]
    )
    inc_street = np.array([i.street for i in incidents])
    inc_buurt = np.array([i.buurt for i in incidents])

    # Actions agreed at a meeting start the following Monday (or later).
    last_meeting = last_meeting_day(as_of)
    meetings = [last_meeting - timedelta(days=14 * k) for k in range(5, -1, -1)]
    total = int(rng.integers(32, 43))
    per_meeting = _largest_remainder(total, rng.uniform(0.8, 1.2, len(meetings)), 4)

    weights = np.array([t.get("weight", 1.0) for t in _TEMPLATES])
    drafts: list[dict] = []
    for meeting, n in zip(meetings, per_meeting, strict=True):
        recent = (inc_day >= (meeting - timedelta(days=28)).toordinal()) & (
            inc_day < meeting.toordinal()
        )
        used: set[tuple[str, str]] = set()
        in_season = np.array([meeting.month in t.get("months", range(1, 13)) for t in _TEMPLATES])
        p = weights * in_season
        for slot in range(int(n)):
            for _try in range(20):  # avoid the same action twice in one area per meeting
                tpl = _TEMPLATES[int(rng.choice(len(_TEMPLATES), p=p / p.sum()))]
                level = tpl["level"]
                if level == "street":
                    names = [s.name for s in streets]
                    cnt = np.array([np.sum(recent & (inc_street == s)) for s in names], dtype=float)
                    w = cnt + 0.3
                    if tpl.get("alleys") and alley_streets:
                        # Back-alley measures only make sense where there are alleys.
                        w *= np.array([1.0 if s in alley_streets else 0.0 for s in names])
                elif level == "buurt":
                    names = [b.name for b in buurten]
                    w = (
                        np.array([np.sum(recent & (inc_buurt == b)) for b in names], dtype=float)
                        + 0.5
                    )
                else:
                    names = [name for name, _ in _WIJKEN]
                    w = np.ones(len(names))
                area = names[int(rng.choice(len(names), p=w / w.sum()))]
                if (area, tpl["what"]) not in used:
                    break
            used.add((area, tpl["what"]))
            # Local count for the problem text, as the analyst would present it.
            if level == "street":
                n_recent = int(np.sum(recent & (inc_street == area)))
            elif level == "buurt":
                n_recent = int(np.sum(recent & (inc_buurt == area)))
            else:
                n_recent = 0
            problem = tpl["problem"]
            if n_recent >= 2:
                problem += f" ({n_recent} inbraken in 4 weken)"
            # Partners: owner kind first, then optionally one or two co-partners.
            kinds = list(tpl["kinds"])
            share = np.array([0.45, 0.40, 0.15])[: len(kinds)]
            n_p = 1 + int(rng.choice(len(share), p=share / share.sum()))
            names_p: list[str] = []
            buurt_name = street_buurt.get(area, area)
            for kind in kinds[:n_p]:
                opts = by_kind.get(kind, [])
                if kind == "buurtpreventie":
                    own = [o for o in opts if o.endswith(buurt_name)]
                    opts = own or opts
                if opts:
                    choice = opts[int(rng.integers(len(opts)))]
                    if choice not in names_p:
                        names_p.append(choice)
            if not names_p:
                names_p = [by_kind["gemeente"][0]]
            # Most actions start the Monday after the meeting; at the latest meeting
            # more is planned ahead (DDO weeks, a contractor's slot, ...).
            latest = meeting == last_meeting
            offsets = [1, 2, 2, 3, 4] if latest else [1, 1, 1, 2, 3]
            start = _monday(meeting) + timedelta(days=7 * int(rng.choice(offsets)))
            if (
                latest
                and slot == int(n) - 1
                and not any(x["period_start"] > as_of for x in drafts if x["meeting"] == meeting)
            ):
                # Always show something planned for the coming weeks.
                start = _monday(as_of) + timedelta(days=7 * int(rng.integers(1, 4)))
            weeks = int(rng.choice([1, 2, 2, 3, 4]))
            end = start + timedelta(days=7 * weeks - 1)
            effect = None
            if rng.random() < 0.7:
                effect = _monday(end) + timedelta(days=7 * int(rng.integers(1, 5)))
            creator_pool = members_of.get(names_p[0], [])
            creator = (
                int(rng.choice(creator_pool))
                if creator_pool and rng.random() < 0.5
                else leader.user_id
            )
            created = _local_to_utc(meeting, float(rng.uniform(10 * 60, 11 * 60 + 45)))
            wk0, wk1 = start.isocalendar().week, end.isocalendar().week
            period = f"wk {wk0}" if wk0 == wk1 else f"wk {wk0}–{wk1}"
            drafts.append(
                dict(
                    area=area,
                    problem=problem,
                    what=tpl["what"],
                    aim=tpl["aim"],
                    type=tpl["type"],
                    target=tpl["target"],
                    partners=tuple(names_p),
                    period_start=start,
                    period_end=end,
                    capacity=str(tpl["capacity"][int(rng.integers(len(tpl["capacity"])))]),
                    notes=f"{tpl['notes']} ({period})",
                    expected_effect=effect,
                    created_by=creator,
                    created_at=created.replace(second=0, microsecond=0),
                    tpl=tpl,
                    meeting=meeting,
                )
            )

    # Statuses. Past actions get quota-based outcomes so the demo always shows some
    # done-with-results, not-done-with-reason and overdue-open work per partner.
    kind_of = {p.name: p.kind for p in partners}
    slots_past = [
        (ai, pi)
        for ai, d in enumerate(drafts)
        if d["period_end"] < as_of
        for pi in range(len(d["partners"]))
    ]
    order = rng.permutation(len(slots_past))
    n = len(slots_past)
    n_open = max(3, round(0.2 * n))
    n_not = max(2, round(0.15 * n))
    n_cancel = max(1, round(0.05 * n))
    past_status: dict[tuple[int, int], str] = {}
    for rank, oi in enumerate(order):
        if rank < n_open:
            s = "open"
        elif rank < n_open + n_not:
            s = "not_done"
        elif rank < n_open + n_not + n_cancel:
            s = "cancelled"
        else:
            s = "done"
        past_status[slots_past[oi]] = s

    actions: list[DemoAction] = []
    for ai, d in enumerate(drafts):
        tpl = d.pop("tpl")
        d.pop("meeting")
        statuses: list[str] = []
        reasons: list[str | None] = []
        results: list[tuple[str, str, float | None, str | None]] = []
        for pi, pname in enumerate(d["partners"]):
            if d["period_end"] < as_of:
                s = past_status[(ai, pi)]
            elif d["period_start"] <= as_of:
                # Running: the further along, the likelier it is already finished.
                elapsed = ((as_of - d["period_start"]).days + 1) / (
                    (d["period_end"] - d["period_start"]).days + 1
                )
                s = "done" if rng.random() < 0.6 * elapsed else "open"
            else:
                s = "cancelled" if rng.random() < 0.03 else "open"
            statuses.append(s)
            reasons.append(None)
            spec = tpl["result"] if pi == 0 else _GENERIC_RESULT[kind_of[pname]]
            if s == "done":
                results.append((pname, *_result(rng, spec)))
            elif s == "not_done":
                choices = _NOT_DONE_REASONS[kind_of[pname]] + _NOT_DONE_REASONS["*"]
                reasons[-1] = choices[int(rng.integers(len(choices)))]
            elif s == "cancelled":
                reason = _CANCEL_REASONS[int(rng.integers(len(_CANCEL_REASONS)))]
                reasons[-1] = reason[0].upper() + reason[1:]
            elif (
                d["period_start"] <= as_of <= d["period_end"]
                and spec[1] is not None
                and spec[2] is not None
                and rng.random() < 0.35
            ):
                # Running action with an interim figure reported at the meeting.
                lo, hi = int(spec[1]), int(spec[2])
                text, qty, unit = _result(rng, (spec[0], lo, max(lo, hi // 2), spec[3]))
                results.append((pname, f"Tussenstand: {text}", qty, unit))
        actions.append(DemoAction(statuses=tuple(statuses), results=tuple(results),
                                  reasons=tuple(reasons), **d))
    actions.sort(key=lambda a: (a.period_start, a.created_at, a.area, a.what))
    return tuple(actions)


# --------------------------------------------------------------------------- public API


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def generate_demo(as_of: date, *, seed: int = 2026, years: int = 5) -> DemoData:
    """Generate the demo municipality with ``years`` years of burglaries up to ``as_of``.

    The incident history covers the local dates ``as_of - years + 1 day`` up to and
    including ``as_of``. Deterministic for a given ``(as_of, seed, years)``.
    """
    if years < 1:
        raise ValueError("years must be >= 1")
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    # Independent streams, so that e.g. adding an action template does not change the
    # town or the incidents of a given seed.
    ss_town, ss_inc, ss_attr, ss_act = np.random.SeedSequence([9901, seed % 2**63]).spawn(4)
    rng_town = np.random.default_rng(ss_town)
    rng_inc = np.random.default_rng(ss_inc)
    rng_attr = np.random.default_rng(ss_attr)
    rng_act = np.random.default_rng(ss_act)

    buurten, streets = _build_town(rng_town)
    partners, members = _build_people()

    start = _years_before(as_of, years) + timedelta(days=1)
    n_days = (as_of - start).days + 1
    ev, street_of = _simulate(rng_inc, streets, start, n_days)
    incidents = _make_incidents(rng_attr, ev, street_of, streets, buurten, start, as_of)
    actions = _build_actions(rng_act, as_of, partners, members, buurten, streets, incidents)

    return DemoData(
        municipality=MUNICIPALITY,
        municipality_code=MUNICIPALITY_CODE,
        project_name=f"Focus woninginbraak {MUNICIPALITY} {as_of.year}",
        as_of=as_of,
        wijken=tuple(DemoWijk(n, c) for n, c in _WIJKEN),
        buurten=tuple(buurten),
        streets=tuple(
            DemoStreet(
                s.name,
                buurten[s.buurt_idx].name,
                s.homes,
                s.postcode,
                tuple((round(float(x), 1), round(float(y), 1)) for x, y in s.points),
                s.back_alleys,
            )
            for s in streets
        ),
        partners=partners,
        members=members,
        incidents=incidents,
        actions=actions,
    )


def incidents_frame(data: DemoData) -> pd.DataFrame:
    """One row per incident; the columns are the :class:`DemoIncident` field names.

    ``occurred_from``/``occurred_to`` are tz-aware UTC datetime columns.
    """
    cols = {c: [getattr(i, c) for i in data.incidents] for c in INCIDENT_COLUMNS}
    df = pd.DataFrame(cols, columns=list(INCIDENT_COLUMNS))
    for c in ("occurred_from", "occurred_to"):
        df[c] = pd.to_datetime(df[c], utc=True)
    df["attempt"] = df["attempt"].astype(bool)
    for c in ("x_rd", "y_rd"):
        df[c] = df[c].astype(float)
    return df
