"""Corrections: a later police export holds an incident again, with other details.

Police data is not final when it is first exported: the modus operandi is established
after the investigation, an attempt turns out to have been a burglary, an address is
geocoded, a time window narrowed. An analyst who sends each fortnight's export (the last
months, overlapping the previous one) expects the newest details to count. An incident is
recognised by its registration number (``source_key`` ``"id:…"``). Without one the key is a
hash of the details themselves, so a changed row has another key: then the address and
time tell (:func:`same_burglaries`: same street and house number, overlapping time
windows) — also when one export has the registration numbers and another lacks them.
Where neither can tell (no number, no house number: a block address) a changed row is new.

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
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from bot.i18n import N_
from bot.incident_import import REGISTRATION_KEY
from charts.text import spelling_key
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
    the incidents table stores them); ``fields``: the groups of :data:`FIELD_LABELS`;
    ``before``: the stored row (for the report: what it was)."""
    id: int
    changes: Mapping[str, Any]
    fields: frozenset[str]
    before: Mapping[str, Any] = field(default_factory=dict)

    def windows(self) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
        """The time window before and after (the same when the time was not corrected)."""
        def window(row: Mapping[str, Any]) -> tuple[datetime, datetime]:
            start, end = parse_utc(row["occurred_from"]), parse_utc(row["occurred_to"])
            assert start is not None and end is not None  # NOT NULL in the schema
            return start, end
        return window(self.before), window({**self.before, **self.changes})

    @property
    def registration_number(self) -> str | None:
        key = str(self.before.get("source_key") or "")
        return key[len(REGISTRATION_KEY):] if key.startswith(REGISTRATION_KEY) else None


def text_key(value: str | None) -> str:
    """A text (a street, an MO) as matching compares it: case and spacing do not matter
    (:func:`charts.text.spelling_key`, by which the charts count one name once)."""
    return spelling_key(value) if value else ""


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _position(x: float | None, y: float | None) -> tuple[float, float] | None:
    x, y = _number(x), _number(y)
    return None if x is None or y is None else (float(x), float(y))


#: A row of the file as :func:`corrections` compares it: the incident, its metric position
#: (``x_m``, ``y_m``, for sources not in RD) and its project area.
Incoming = tuple[NewIncident, float | None, float | None, int | None]


def corrections(pairs: Sequence[tuple[Row, Incoming]], *,
                has_attempt: bool) -> list[Correction]:
    """The corrections the file's rows make to the stored incidents they are (rows of the
    incidents table with ``id`` and the incident columns, each paired with its row of
    the file). ``has_attempt``: the file has an attempt column."""
    out = []
    for row, (new, x_m, y_m, area_id) in pairs:
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
            if text_key(value) and text_key(value) != text_key(row[name]):
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
            out.append(Correction(row["id"], changes, frozenset(groups), dict(row)))
    return out


# -- the same burglary under another key ---------------------------------------------------


def number_key(number: str | None) -> str:
    """A house number as matching compares it: "12 A", "12a" and "12-A" are one."""
    return re.sub(r"[\s-]", "", number or "").casefold()


def minute(moment: datetime) -> int:
    """Whole minutes since the epoch (UTC), as keys compare times."""
    return int(moment.timestamp()) // 60


def address(street: str | None, number: str | None) -> tuple[str, str] | None:
    """What tells a burglary apart when its key cannot, with its time window: the street
    and the house number — None without a house number (a generalised address such as a
    block, or "ong.", holds many burglaries)."""
    house = number_key(number)
    if not house[:1].isdigit() or not text_key(street):
        return None
    return text_key(street), house


@dataclass(frozen=True, slots=True)
class FileRow:
    """A row of a file whose key is not stored, as :func:`same_burglaries` compares it:
    its position in the file, time window (in :func:`minute`), :func:`address`, whether
    it has a registration number, and its MO and attempt flag (which tell two burglaries
    at one address and time apart)."""
    position: int
    start: int
    end: int
    address: tuple[str, str]
    numbered: bool
    modus_operandi: str | None = None
    attempt: bool = False


def same_burglaries(stored: Sequence[Row], new: Sequence[FileRow]) -> list[tuple[Row, int]]:
    """Which rows of a file with a key not stored yet are a stored incident all the same
    (pairs of the stored row and the position in the file): the same street and house
    number (:func:`address`) with time windows that overlap — the same window first, then
    the closest, then the one with the same MO and attempt flag — each at most once.

    A key is a hash of the details when an export has no registration number column, so
    an export that corrected the MO or the time — or that has the registration numbers an
    earlier one lacked — would otherwise add every such burglary a second time. Two
    burglaries at one address whose windows overlap are one (a repeat burglary at the
    same address comes days later, not in the same hours). ``stored``: rows of the
    incidents table (not registrations by hand, which
    :func:`bot.incidents.match_registrations` handles) whose keys the file does not hold.
    Two different registration numbers are two burglaries, whatever their address."""
    by_address: dict[tuple[str, str], list[tuple[int, int, Row]]] = {}
    for row in stored:
        start, end = parse_utc(row["occurred_from"]), parse_utc(row["occurred_to"])
        assert start is not None and end is not None  # NOT NULL in the schema
        place = address(row["street"], row["house_number"])
        if place is not None:
            by_address.setdefault(place, []).append((minute(start), minute(end), row))
    candidates = []
    for file_row in new:
        for first, last, row in by_address.get(file_row.address, []):
            if file_row.start > last or file_row.end < first:
                continue
            if file_row.numbered and row["source_key"].startswith(REGISTRATION_KEY):
                continue
            apart = abs(file_row.start - first) + abs(file_row.end - last)
            unlike = int(bool(row["attempt"]) != file_row.attempt) + int(
                text_key(file_row.modus_operandi) != text_key(row["modus_operandi"]))
            candidates.append((apart, unlike, file_row.position, row["id"], row))
    out: list[tuple[Row, int]] = []
    matched: set[int] = set()
    taken: set[int] = set()
    for *_rank, position, incident_id, row in sorted(candidates, key=lambda c: c[:4]):
        if position not in matched and incident_id not in taken:
            matched.add(position)
            taken.add(incident_id)
            out.append((row, position))
    return out


def field_counts(found: Sequence[Correction]) -> dict[str, int]:
    """How many incidents each group of fields was corrected in, most first."""
    counts = Counter(group for c in found for group in c.fields)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], list(FIELD_LABELS).index(kv[0]))))
