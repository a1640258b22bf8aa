"""Corrections: a later police export holds an incident again, with other details.

Police data is not final when it is first exported: the modus operandi is established
after the investigation, an attempt turns out to have been a burglary, an address is
geocoded, a time window narrowed. An analyst who sends each fortnight's export (the last
months, overlapping the previous one) expects the newest details to count. An incident is
recognised by its registration number (``source_key`` ``"id:…"``); without one the key is a
hash of the details themselves, so a changed row cannot be told from another incident and
is simply new.

What counts as a correction, field by field (:func:`corrections`): a *value* in the later
row that differs from the stored one. An empty cell, or a column the later file does not
have, is no information and never erases a stored value — a quick export without the MO
column must not wipe every MO. Text differing only in case or spacing is the same text (no
flapping between DORPSSTRAAT and Dorpsstraat). The attempt flag counts only when the file
has an attempt (or completed) column. A time window that merely widens around the stored
one (a file with dates but no times) is less precise, not a correction. A position is
corrected when the later row has one at least a metre from the stored one (or there was
none).

The incident keeps its id and the import that added it; its earlier details are kept with
the correcting import (:meth:`storage.incidents.IncidentRepository.correct`), so that
removing that import puts them back.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.i18n import N_
from storage.db import Row, parse_utc, utc_iso
from storage.incidents import NewIncident

#: Text fields compared case- and space-insensitively.
TEXT_FIELDS: Final = ("street", "house_number", "postcode", "buurt", "buurt_code", "wijk",
                      "municipality", "modus_operandi")
#: The stored position columns, all taken together.
POSITION_FIELDS: Final = ("x_rd", "y_rd", "lat", "lon", "x_m", "y_m")
#: Closer than this to the stored position is the same place (rounding in an export).
SAME_POSITION_M: Final = 1.0

#: What a user is told changed, per group of columns (for the import report).
FIELD_LABELS: Final[dict[str, str]] = {
    "time": N_("time"),
    "street": N_("street"),
    "house_number": N_("house number"),
    "postcode": N_("postcode"),
    "buurt": N_("neighbourhood"),
    "wijk": N_("district"),
    "municipality": N_("municipality"),
    "attempt": N_("attempt or burglary"),
    "modus_operandi": N_("modus operandi"),
    "position": N_("location"),
}
_GROUP: Final = {"buurt_code": "buurt"}


@dataclass(frozen=True, slots=True)
class Correction:
    """One stored incident (``id``) and the columns a later row changes (new values, as
    the incidents table stores them); ``fields``: the groups of :data:`FIELD_LABELS`."""
    id: int
    changes: Mapping[str, Any]
    fields: frozenset[str]


def _text(value: str | None) -> str:
    return " ".join(value.split()).casefold() if value else ""


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _position(x: float | None, y: float | None) -> tuple[float, float] | None:
    x, y = _number(x), _number(y)
    return None if x is None or y is None else (float(x), float(y))


def corrections(
    stored: Sequence[Row],
    incoming: Mapping[str, tuple[NewIncident, float | None, float | None, int | None]],
    *,
    has_attempt: bool,
) -> list[Correction]:
    """The corrections ``incoming`` rows make to ``stored`` ones (rows of the incidents
    table with ``id``, ``source_key`` and the incident columns). ``incoming``: by source
    key, the file's incident with its metric position (``x_m``, ``y_m``, for sources not
    in RD) and project area. ``has_attempt``: the file has an attempt column."""
    out = []
    for row in stored:
        found = incoming.get(row["source_key"])
        if found is None:
            continue
        new, x_m, y_m, area_id = found
        changes: dict[str, Any] = {}
        groups: set[str] = set()
        start, end = parse_utc(row["occurred_from"]), parse_utc(row["occurred_to"])
        assert start is not None and end is not None  # NOT NULL in the schema
        if (new.occurred_from, new.occurred_to) != (start, end) and not (
                new.occurred_from <= start and new.occurred_to >= end):
            changes["occurred_from"] = utc_iso(new.occurred_from)
            changes["occurred_to"] = utc_iso(new.occurred_to)
            groups.add("time")
        for name in TEXT_FIELDS:
            value = getattr(new, name)
            if _text(value) and _text(value) != _text(row[name]):
                changes[name] = value
                groups.add(_GROUP.get(name, name))
        if has_attempt and bool(new.attempt) != bool(row["attempt"]):
            changes["attempt"] = int(new.attempt)
            groups.add("attempt")
        was = _position(row["x_rd"], row["y_rd"]) or _position(row["x_m"], row["y_m"])
        now = _position(new.x_rd, new.y_rd) or _position(x_m, y_m)
        if now is not None and (was is None or math.dist(was, now) >= SAME_POSITION_M):
            changes.update(zip(POSITION_FIELDS, (
                _number(new.x_rd), _number(new.y_rd), _number(new.lat), _number(new.lon),
                _number(x_m), _number(y_m)), strict=True))
            groups.add("position")
        if changes:
            if area_id is not None:
                changes["area_id"] = area_id
            out.append(Correction(row["id"], changes, frozenset(groups)))
    return out


def field_counts(found: Sequence[Correction]) -> dict[str, int]:
    """How many incidents each group of fields was corrected in, most first."""
    counts = Counter(group for c in found for group in c.fields)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], list(FIELD_LABELS).index(kv[0]))))
