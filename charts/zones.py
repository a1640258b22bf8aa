"""Near-repeat zones: where the risk of a burglary is raised right now.

Research on near-repeat victimisation (Johnson & Bowers; Townsley et al.) finds that after a
burglary the risk for homes within a few hundred metres stays raised for a few weeks. A
*zone* is therefore built around every burglary (or attempt) of the last ``window_days``
local days: incidents closer than ``radius_m`` to each other are joined (single linkage),
and a zone lasts until ``window_days`` after its latest incident. Incidents without
coordinates form a zone per street, and join a coordinate zone on the same street.

Pure functions on plain records, so the alert service, the tests and the benchmark share
them. Nothing here keeps anything finer than the street: the zone's position is its centre
snapped to a 250 m grid, its time of day a four-hour-wide band or broader.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from charts.text import spellings

if TYPE_CHECKING:  # numpy only for the annotation: this module stays plain Python
    import numpy as np

GRID_M = 250.0

# Time-of-day bands (local hours, start inclusive).
BANDS: tuple[tuple[str, int, int], ...] = (
    ("night", 0, 6), ("morning", 6, 12), ("afternoon", 12, 18), ("evening", 18, 24))


@dataclass(frozen=True, slots=True)
class ZoneIncident:
    id: int
    day: date                     # local date of the reference moment
    x: float | None               # planar metres (RD New or the project's metric CRS)
    y: float | None
    street: str | None
    buurt: str | None
    area_id: int | None
    attempt: bool = False
    mo: str | None = None
    hour: int | None = None       # local hour, only when the time window is short


@dataclass(slots=True)
class Zone:
    key: str
    incident_ids: list[int]
    streets: list[str]            # most incidents first
    buurten: list[str]
    area_ids: list[int]           # areas of its incidents, plus outlines within the radius
    n_incidents: int
    n_attempts: int
    first_day: date
    last_day: date
    expires_on: date              # the first day without raised risk
    band: str | None              # night/morning/afternoon/evening, "various", None
    mo: list[str] = field(default_factory=list)
    grid_x: float | None = None
    grid_y: float | None = None


def band_of(hour: int) -> str:
    for name, start, end in BANDS:
        if start <= hour < end:
            return name
    raise ValueError(hour)


def _band(hours: Sequence[int]) -> str | None:
    """The band most incidents fall in when that is at least half of them, else "various"."""
    if not hours:
        return None
    (name, count), = Counter(band_of(h) for h in hours).most_common(1)
    return name if count * 2 >= len(hours) else "various"


def _ranked(values: Sequence[str | None]) -> list[str]:
    """The names, most frequent first, each once in one spelling (``DORPSSTRAAT`` from the
    export and ``Dorpsstraat`` from a registration are one street)."""
    shown = spellings(Counter(v for v in values if v))
    counts = Counter(shown[v] for v in values if v)
    return [v for v, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _snap(value: float) -> float:
    return (math.floor(value / GRID_M) + 0.5) * GRID_M


def _segment_distance(px: float, py: float, ax: float, ay: float, bx: float,
                      by: float) -> float:
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def inside_polygon(px: float, py: float,
                   polygon: Sequence[tuple[float, float]] | np.ndarray) -> bool:
    """Even-odd rule; enough for buurt outlines (simple polygons)."""
    inside = False
    n = len(polygon)
    for i in range(n):
        (ax, ay), (bx, by) = polygon[i], polygon[(i + 1) % n]
        if (ay > py) != (by > py) and px < ax + (py - ay) * (bx - ax) / (by - ay):
            inside = not inside
    return inside


def near_polygon(px: float, py: float, polygon: Sequence[tuple[float, float]],
                 radius: float) -> bool:
    """True when the point lies inside the polygon or within ``radius`` of its edge."""
    if len(polygon) < 3:
        return False
    if inside_polygon(px, py, polygon):
        return True
    n = len(polygon)
    return any(
        _segment_distance(px, py, *polygon[i], *polygon[(i + 1) % n]) <= radius
        for i in range(n))


def _clusters(points: list[ZoneIncident], radius: float) -> list[list[ZoneIncident]]:
    """Single-linkage clusters of points closer than ``radius`` (grid-bucketed)."""
    cell = max(radius, 1.0)
    buckets: dict[tuple[int, int], list[int]] = {}
    for index, p in enumerate(points):
        assert p.x is not None and p.y is not None
        buckets.setdefault((math.floor(p.x / cell), math.floor(p.y / cell)), []).append(index)
    parent = list(range(len(points)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (cx, cy), members in buckets.items():
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for j in buckets.get((cx + dx, cy + dy), ()):
                    for i in members:
                        if i < j:
                            a, b = points[i], points[j]
                            assert a.x is not None and a.y is not None
                            assert b.x is not None and b.y is not None
                            if math.hypot(a.x - b.x, a.y - b.y) <= radius:
                                parent[find(i)] = find(j)
    groups: dict[int, list[ZoneIncident]] = {}
    for index, p in enumerate(points):
        groups.setdefault(find(index), []).append(p)
    return list(groups.values())


def near_repeat_zones(
    incidents: Sequence[ZoneIncident],
    today: date,
    *,
    radius_m: float = 200.0,
    window_days: int = 14,
    outlines: Mapping[int, Sequence[tuple[float, float]]] | None = None,
    previous: Mapping[str, Sequence[int]] | None = None,
) -> list[Zone]:
    """The zones active on ``today`` (local date).

    ``outlines`` (area id → polygon in the same metres) add the areas a zone reaches within
    ``radius_m``. ``previous`` (zone key → incident ids) keeps a zone's key when it changes
    shape: a zone takes the key of the earlier zone it shares most incidents with (oldest on
    a tie), otherwise ``nr:<smallest incident id>``.
    """
    first = today - timedelta(days=window_days - 1)
    recent = [i for i in incidents if first <= i.day <= today]
    located = [i for i in recent if i.x is not None and i.y is not None
               and math.isfinite(i.x) and math.isfinite(i.y)]
    located_ids = {i.id for i in located}
    groups = _clusters(located, radius_m)
    # Incidents without coordinates: join a zone on the same street, or make one per street.
    by_street: dict[str, int] = {}
    for index, group in enumerate(groups):
        for i in group:
            if i.street:
                by_street.setdefault(i.street.casefold(), index)
    for i in recent:
        if i.id in located_ids:
            continue
        key = (i.street or i.buurt or "").casefold()
        if not key:
            continue
        if key not in by_street:
            by_street[key] = len(groups)
            groups.append([])
        groups[by_street[key]].append(i)

    taken: set[str] = set()
    zones = []
    old = {k: set(v) for k, v in (previous or {}).items()}
    for group in sorted(groups, key=lambda g: min(i.id for i in g)):
        ids = sorted(i.id for i in group)
        overlap = sorted(((len(old[k] & set(ids)), k) for k in old if k not in taken
                          and old[k] & set(ids)), key=lambda t: (-t[0], _key_age(t[1])))
        key = overlap[0][1] if overlap else f"nr:{ids[0]}"
        taken.add(key)
        area_ids = {i.area_id for i in group if i.area_id is not None}
        xs = [i.x for i in group if i.x is not None and i.id in located_ids]
        ys = [i.y for i in group if i.y is not None and i.id in located_ids]
        if outlines and xs:
            for area_id, polygon in outlines.items():
                if any(near_polygon(x, y, polygon, radius_m) for x, y in zip(xs, ys,
                                                                             strict=True)):
                    area_ids.add(area_id)
        last = max(i.day for i in group)
        zones.append(Zone(
            key=key, incident_ids=ids, streets=_ranked([i.street for i in group]),
            buurten=_ranked([i.buurt for i in group]), area_ids=sorted(area_ids),
            n_incidents=len(group), n_attempts=sum(i.attempt for i in group),
            first_day=min(i.day for i in group), last_day=last,
            expires_on=last + timedelta(days=window_days),
            band=_band([i.hour for i in group if i.hour is not None]),
            mo=_ranked([i.mo for i in group]),
            grid_x=_snap(sum(xs) / len(xs)) if xs else None,
            grid_y=_snap(sum(ys) / len(ys)) if ys else None,
        ))
    zones.sort(key=lambda z: (-z.n_incidents, z.key))
    return zones


def _key_age(key: str) -> tuple[int, str]:
    number = key.partition(":")[2]
    return (int(number), key) if number.isdigit() else (1 << 62, key)
