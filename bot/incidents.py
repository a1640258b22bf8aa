"""Incident data: importing police exports and CBS open data, registering a single
burglary, and computing the steering pack from what is stored.

Parsing and analytics are CPU work and run in a worker thread; the database write of an
import is one transaction, so a file either lands completely or not at all.
"""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from bot.cbs_import import CbsProblem, read_cbs_monthly
from bot.clock import Clock
from bot.corrections import (
    Correction,
    FileRow,
    address,
    corrections,
    field_counts,
    number_key,
    same_burglaries,
    text_key,
)
from bot.errors import UserError
from bot.i18n import N_, format_date, format_datetime
from bot.incident_import import (
    MAX_FILE_BYTES,
    REGISTRATION_KEY,
    ColumnMapping,
    ImportNotice,
    ImportProblem,
    ImportResult,
    IncidentBatch,
    RejectedRow,
    parse_mapping,
    read_incident_file,
)
from bot.permissions import ChatKind, Permission, can
from bot.services import ProjectService, unknown_area
from charts.data import safe_street
from charts.pack import SteeringPack, key_points_text, steering_pack
from storage.db import Row, parse_utc
from storage.field_logs import FieldLog
from storage.incidents import IMPORTS_LISTED, ImportLog, NewIncident
from storage.models import Area, AreaKind
from storage.repositories import Repositories

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

#: How many corrected incidents an import report lists one by one.
CORRECTIONS_LISTED = 5
# Telegram lets bots download files up to 20 MB; larger uploads never reach us.
MAX_UPLOAD_BYTES = MAX_FILE_BYTES


@dataclass
class ImportReport:
    filename: str
    kind: str                      # incidents | monthly
    rows_read: int
    imported: int
    duplicates_in_file: int
    already_known: int
    rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[ImportNotice] = field(default_factory=list)
    detected: dict[str, Any] = field(default_factory=dict)
    import_id: int | None = None   # its number in the import log (/importen)
    replaced: int = 0              # registrations (/inbraak) that rows of the file replaced
    corrected: int = 0             # incidents imported before that the file holds changed
    corrected_fields: dict[str, int] = field(default_factory=dict)  # see field_counts
    corrected_examples: list[Correction] = field(default_factory=list)  # the first few
    first: datetime | None = None  # the earliest and latest start of the file's incidents
    last: datetime | None = None


@dataclass(frozen=True, slots=True)
class Registered:
    """A burglary registered by hand: the project's new total, the project area it counts
    for (None when neither its street nor its location lies in a known area: then it is in
    the totals but in no street's or neighbourhood's count), and the key with which the
    one who registered it can withdraw it (:meth:`IncidentService.withdraw`)."""
    total: int
    area: str | None
    key: str


@dataclass(frozen=True, slots=True)
class ImportEntry:
    """One import in the project's log (:meth:`IncidentService.imports`). ``by`` and
    ``removed_by``: first names (None: the command line); ``present``: how many of the
    incidents it added are in the data now (of a CBS import: how many of its monthly
    counts are in use, not replaced by a later import)."""
    id: int
    filename: str
    kind: str                      # incidents | monthly
    at: datetime
    by: str | None
    imported: int
    duplicates: int
    rejected: int
    present: int
    replaced: int = 0              # registrations (/inbraak) its rows replaced
    corrected: int = 0             # incidents of earlier imports it corrected
    corrections: int = 0           # of those, the corrections that still stand
    removed_at: datetime | None = None
    removed: int | None = None
    removed_by: str | None = None
    first: datetime | None = None  # the earliest and latest of its incidents still present
    last: datetime | None = None

    @property
    def removable(self) -> bool:
        """An import not removed yet with incidents (or monthly counts) of its own left, or
        corrections of earlier ones that removing it would undo."""
        return self.removed_at is None and (self.present > 0 or self.corrections > 0)


@dataclass(frozen=True, slots=True)
class RemovedImport:
    """What :meth:`IncidentService.remove_import` did: incidents deleted, the project's
    new total, and how many later imports skipped duplicate rows (any of them that were
    this file's are gone now; importing those files again brings them back; the log
    does not tell duplicates within a file from rows known before), and how many
    registrations it had replaced are back, and how many incidents it had corrected have
    their earlier details back."""
    id: int
    filename: str
    removed: int
    total: int
    later_overlaps: int
    restored: int = 0              # registrations it had replaced, back as they were (of a
                                   # CBS import: earlier monthly counts in use again)
    undone: int = 0                # incidents it had corrected, back as they were
    kind: str = "incidents"        # incidents | monthly (``removed``: its counts in use)


@dataclass(frozen=True, slots=True)
class Recent:
    """What :meth:`IncidentService.recent` found: the area by its own name (``None``: the
    whole project), how many burglaries, the latest of them as rows, and whether those
    rows carry detail."""
    area: str | None
    count: int
    rows: list[dict[str, Any]]
    detail: bool


#: /incidenten lists at most this many (the latest); the heading counts them all.
RECENT_LIMIT = 200

#: Projects whose analytics frame :meth:`IncidentService.frame` keeps in memory (a
#: municipality runs a few; 50,000 incidents take ~15 MB).
FRAME_CACHE_PROJECTS = 8

# A burglary registered by mistake (wrong street, a double tap) can be withdrawn by the one
# who registered it for this long; later, the figures and alerts may have moved on with it.
WITHDRAW_WINDOW = timedelta(hours=24)


# A registration and an export's row are the same burglary when their time windows overlap
# give or take this much (the wijkagent's time is an estimate) ...
SAME_TIME_SLACK = timedelta(hours=3)
# ... and they lie in the same street (case aside) or, where either has no street, this
# close together; house numbers, where both have one, must be the same.
SAME_PLACE_M = 100.0


@dataclass(frozen=True, slots=True)
class _Placed:
    """An incident as matching needs it: window, street and number keys, position."""
    id: int
    start: datetime
    end: datetime
    street: str
    number: str
    xy: tuple[float, float] | None


def _placed(row: Row) -> _Placed:
    start, end = parse_utc(row["occurred_from"]), parse_utc(row["occurred_to"])
    assert start is not None and end is not None  # NOT NULL in the schema
    xy = None if row["x"] is None or row["y"] is None else (row["x"], row["y"])
    return _Placed(row["id"], start, end, text_key(row["street"]),
                   number_key(row["house_number"]), xy)


def match_registrations(registrations: Sequence[Row],
                        imported: Sequence[Row]) -> list[tuple[int, int]]:
    """Which registrations an import also holds: pairs of (registration id, imported id),
    each incident in at most one pair. Rows as :meth:`IncidentRepository.places_between`
    gives them. Where a registration could be several rows (no house number, three
    burglaries in its street that evening), the one with the same house number wins, then
    the one closest in time."""
    # By street, so that a year's export against a year of registrations stays quick; the
    # rows without a street ("") are candidates for every registration with a position.
    by_street: dict[str, list[_Placed]] = {}
    every = [_placed(row) for row in imported]
    for p in every:
        by_street.setdefault(p.street, []).append(p)
    candidates = []
    for reg in map(_placed, registrations):
        for row in (by_street.get(reg.street, []) + by_street.get("", []) if reg.street
                    else every):
            if row.start > reg.end + SAME_TIME_SLACK or row.end < reg.start - SAME_TIME_SLACK:
                continue
            if not (reg.street and row.street) and (
                    reg.xy is None or row.xy is None or math.dist(reg.xy, row.xy) > SAME_PLACE_M):
                continue
            if reg.number and row.number and reg.number != row.number:
                continue
            apart = abs(((reg.start - row.start) + (reg.end - row.end)).total_seconds())
            candidates.append((not (reg.number and reg.number == row.number), apart, reg.id,
                               row.id))
    pairs: list[tuple[int, int]] = []
    replaced: set[int] = set()
    taken: set[int] = set()
    for _other_number, _apart, reg_id, row_id in sorted(candidates):
        if reg_id not in replaced and row_id not in taken:
            replaced.add(reg_id)
            taken.add(row_id)
            pairs.append((reg_id, row_id))
    return pairs


def _aware(moment: np.datetime64) -> datetime:
    """A naive-UTC ``datetime64`` of an :class:`IncidentBatch` as an aware datetime."""
    return pd.Timestamp(moment).tz_localize("UTC").to_pydatetime()


def _match_known(result: ImportResult, keys: list[str], stored: Sequence[Row],
                 fresh: np.ndarray, candidates: Sequence[Row],
                 area_ids: Sequence[int | None]) -> _Known:
    """The CPU part of :meth:`IncidentService._known`: ``stored`` are the incidents with
    the file's keys, ``fresh`` marks the rows whose key is not stored, ``candidates`` the
    stored incidents under other keys they may be."""
    batch = result.incidents
    # Keys are unique within a file: rows with the same key are reported as duplicates.
    where = {k: i for i, k in enumerate(keys)}
    pairs = [(row, where[row["source_key"]]) for row in stored
             if row["source_key"].startswith(REGISTRATION_KEY)]
    same: list[tuple[Row, int]] = []
    if candidates:
        starts, ends = (batch.column(c).astype("datetime64[m]").astype(np.int64)
                        for c in ("occurred_from", "occurred_to"))
        streets, numbers = batch.column("street"), batch.column("house_number")
        mos, attempts = batch.column("modus_operandi"), batch.column("attempt")
        new = [FileRow(int(p), int(starts[p]), int(ends[p]), place,
                       keys[p].startswith(REGISTRATION_KEY), mos[p], bool(attempts[p]))
               for p in np.flatnonzero(fresh)
               if (place := address(streets[p], numbers[p])) is not None]
        same = same_burglaries(candidates, new)
    pairs += same
    incoming = batch.take([p for _row, p in pairs])
    columns = result.detected.get("columns", {})
    found = corrections(
        [(row, (incident, float(result.metric_x[p]), float(result.metric_y[p]),
                area_ids[p])) for (row, p), incident in zip(pairs, incoming, strict=True)],
        has_attempt="attempt" in columns or "completed" in columns)
    rekeys = [(row["id"], keys[p]) for row, p in same if keys[p].startswith(REGISTRATION_KEY)]
    return _Known(found, {p for _row, p in same}, rekeys)


def _span(batch: IncidentBatch) -> dict[str, datetime]:
    """``first`` and ``last``: when the earliest and the latest incident of a file began
    (what tells one export from another); nothing for a file without incidents."""
    if not len(batch):
        return {}
    starts = batch.column("occurred_from")
    return {"first": _aware(starts.min()), "last": _aware(starts.max())}


@dataclass(frozen=True, slots=True)
class _Known:
    """What :meth:`IncidentService._known` found: the corrections, the positions in the
    file of rows that are a stored incident under another key (not to be inserted), and
    the stored incidents that get a registration number as their key."""
    corrections: list[Correction]
    same: set[int]
    rekeys: list[tuple[int, str]]


def _homes_of(areas: Sequence[Area], area: Area | None,
              frame: pd.DataFrame) -> dict[str, int]:
    """The buurten whose homes count in the incidence of the pack of ``area``: all of the
    project's (no area); the buurt itself; a wijk's buurten (linked to it, or where its
    incidents lie); none for a street or hotspot (an incidence per 1,000 homes of the whole
    project under one street's burglaries is a wrong figure, not a small one)."""
    buurten = [a for a in areas if a.kind is AreaKind.BUURT and a.homes]
    if area is not None and area.kind is AreaKind.WIJK:
        present = set(frame["buurt"].dropna().str.casefold())
        buurten = [b for b in buurten if b.parent_id == area.id
                   or b.name.casefold() in present]
    elif area is not None:
        buurten = [b for b in buurten if b.id == area.id]  # none for a street or hotspot
    return {b.name: int(b.homes or 0) for b in buurten}


class IncidentService(ProjectService):
    """Importing, registering and analysing incidents.

    ``after_change`` holds coroutines run with the project id after every import or
    registration that added incidents (hotspot detection and alerts, :mod:`bot.alerts`);
    their failure is logged and never undoes the import. With ``spawn`` (the bot sets
    ``Application.create_task``) they run as a task of their own: on a large project the
    detection takes a second or more, and neither the wijkagent's confirmation nor — the
    /inbraak dialogue being handled one update at a time — anybody else's update should
    wait for it. Without it (the command line) they are awaited.
    """

    def __init__(self, repos: Repositories, clock: Clock, tz: ZoneInfo) -> None:
        super().__init__(repos, clock, tz)
        self.after_change: list[Callable[[int], Awaitable[object]]] = []
        self.spawn: Callable[[Coroutine[Any, Any, None]], object] | None = None
        # project id -> (incidents version, frame); see :meth:`frame`.
        self._frames: OrderedDict[int, tuple[int, pd.DataFrame]] = OrderedDict()

    async def _changed(self, project_id: int) -> None:
        if self.spawn is not None:
            self.spawn(self._run_hooks(project_id))
        else:
            await self._run_hooks(project_id)

    async def _run_hooks(self, project_id: int) -> None:
        for hook in self.after_change:
            try:
                await hook(project_id)
            except Exception:
                log.exception("after-change hook failed for project %s", project_id)

    # -- import ----------------------------------------------------------------------------

    async def import_file(
        self,
        project_id: int,
        data: bytes,
        filename: str,
        *,
        user_id: int | None,
        mapping: str | None = None,
        crs: str | None = None,
        tz: str | None = None,
        kind: str = "auto",
        progress: Progress | None = None,
        saving: Callable[[int], Awaitable[object]] | None = None,
    ) -> ImportReport:
        """Import one file, all or nothing. ``kind``: incidents, monthly or auto.
        ``progress`` is called (from a worker thread) while the file is read, ``saving``
        (awaited) with the number of valid rows when they are compared with what is
        stored and saved — on a large file that takes longer than the reading.

        Raises :class:`ImportProblem` (with a translatable reason) when nothing may be
        imported. Telegram callers check :attr:`Permission.IMPORT_INCIDENTS` first; the
        command line runs with the operator's authority.
        """
        if len(data) > MAX_UPLOAD_BYTES:
            raise ImportProblem(N_("The file “{filename}” is {size} MB; at most {max} MB can be "
                                   "imported. Split it, for example per year, or leave out "
                                   "columns you do not need."), filename=filename,
                                size=round(len(data) / 1_048_576, 1),
                                max=MAX_UPLOAD_BYTES // 1_048_576)
        if kind in ("monthly", "auto"):
            try:
                return await self._import_monthly(project_id, data, filename, user_id)
            except CbsProblem:
                raise  # the police table per neighbourhood, with a problem of its own
            except ImportProblem:
                if kind == "monthly":
                    raise
        return await self._import_incidents(project_id, data, filename, user_id=user_id,
                                            mapping=mapping, crs=crs, tz=tz, progress=progress,
                                            saving=saving)

    async def _import_incidents(self, project_id: int, data: bytes, filename: str, *,
                                user_id: int | None, mapping: str | None, crs: str | None,
                                tz: str | None, progress: Progress | None,
                                saving: Callable[[int], Awaitable[object]] | None,
                                ) -> ImportReport:
        saved = await self.repos.incidents.saved_mapping(project_id)
        previous: ColumnMapping | None = None
        if saved is not None:
            previous = ColumnMapping.from_json(saved["mapping"])
            crs = crs or saved["crs"]
            tz = tz or saved["timezone"]
        explicit = parse_mapping(mapping) if mapping else None
        project = await self.repos.projects.get(project_id)
        now = self.clock.now()
        # Places far from the project's earlier incidents are refused (one area per project).
        near = await self.repos.incidents.lat_lon_box(project_id)
        result = await asyncio.to_thread(
            read_incident_file, data, filename, mapping=explicit, saved=previous, crs=crs,
            default_municipality=project.municipality if project else None,
            tz=tz or str(self.tz), now=now, progress=progress, near=near,
        )
        if saving is not None:
            await saving(len(result.incidents))
        areas = await self.repos.projects.areas(project_id)
        area_ids = await asyncio.to_thread(match_areas, result.incidents, areas)
        async with self.repos.db.transaction():
            import_id = await self.repos.incidents.log_import(ImportLog(
                project_id, user_id, filename, "incidents", result.total_rows, 0,
                result.duplicates_in_file, len(result.rejected)), now)
            # Before the insert, so that only incidents known before this file count.
            known_rows = await self._known(project_id, result, area_ids)
            found = known_rows.corrections
            await self.repos.incidents.correct(project_id, import_id,
                                               [(c.id, c.changes) for c in found])
            await self.repos.incidents.rekey(project_id, known_rows.rekeys)
            inserted = await self.repos.incidents.add_many(
                project_id, result.incidents, source="import", created_by=user_id, now=now,
                metric=(result.metric_x, result.metric_y), area_ids=area_ids,
                import_id=import_id, skip=known_rows.same,
            )
            known = len(result.incidents) - inserted - len(found)
            await self.repos.incidents.finish_import(
                import_id, inserted, result.duplicates_in_file + known)
            replaced = await self._supersede(project_id, import_id, result.incidents)
            await self.repos.incidents.save_mapping(project_id, result.mapping.to_json(), crs,
                                                    tz, user_id, now)
            await self.repos.audit.record(now=now, user_id=user_id, project_id=project_id,
                                          entity="import", entity_id=import_id, action="incidents",
                                          detail={"file": filename, "imported": inserted,
                                                  "replaced_registrations": replaced,
                                                  "corrected": len(found)})
        if inserted or found:
            await self._changed(project_id)
        return ImportReport(
            filename=filename, kind="incidents", rows_read=result.total_rows, imported=inserted,
            duplicates_in_file=result.duplicates_in_file,
            already_known=known, rejected=list(result.rejected),
            warnings=list(result.warnings), detected=dict(result.detected),
            import_id=import_id, replaced=replaced, corrected=len(found),
            corrected_fields=field_counts(found),
            corrected_examples=found[:CORRECTIONS_LISTED], **_span(result.incidents),
        )

    async def _known(self, project_id: int, result: ImportResult,
                     area_ids: Sequence[int | None]) -> _Known:
        """Which of the file's rows are incidents stored already — by their key, or as the
        same burglary under another key (:func:`bot.corrections.same_burglaries`) — and what
        they change about them (see :mod:`bot.corrections`). The database is read here;
        the comparing, a second or more for a large file, runs in a worker thread."""
        keys = result.incidents.keys()
        if not keys:
            return _Known([], set(), [])
        stored = await self.repos.incidents.known(project_id, keys)
        stored_keys = {row["source_key"] for row in stored}
        fresh = np.fromiter((k not in stored_keys for k in keys), dtype=bool, count=len(keys))
        candidates: list[Row] = []
        if fresh.any():
            # Stored incidents (under other keys) whose windows touch the new rows' ones.
            starts, ends = (result.incidents.column(c)[fresh]
                            for c in ("occurred_from", "occurred_to"))
            in_file = set(keys)
            candidates = [row for row in await self.repos.incidents.overlapping(
                project_id, _aware(starts.min()), _aware(ends.max()))
                if row["source_key"] not in in_file]
        return await asyncio.to_thread(_match_known, result, keys, stored, fresh, candidates,
                                       area_ids)

    async def _supersede(self, project_id: int, import_id: int,
                         incidents: IncidentBatch) -> int:
        """Burglaries registered with /inbraak that this import holds too: the export's row
        replaces each (see :func:`match_registrations`), so that a burglary reported from
        the street and later exported by the police counts once. Returns how many."""
        if not incidents:
            return 0
        # From the columns: building 100,000 incidents here would hold up the event loop.
        start = _aware(incidents.column("occurred_from").min()) - SAME_TIME_SLACK
        end = _aware(incidents.column("occurred_to").max()) + SAME_TIME_SLACK
        registrations = await self.repos.incidents.places_between(project_id, start, end)
        if not registrations:
            return 0
        first = min(parse_utc(r["occurred_from"]) or start for r in registrations)
        last = max(parse_utc(r["occurred_to"]) or end for r in registrations)
        imported = await self.repos.incidents.places_between(
            project_id, first - SAME_TIME_SLACK, last + SAME_TIME_SLACK, import_id=import_id)
        pairs = match_registrations(registrations, imported)
        await self.repos.incidents.supersede(project_id, import_id, pairs)
        return len(pairs)

    async def _import_monthly(self, project_id: int, data: bytes, filename: str,
                              user_id: int | None) -> ImportReport:
        now = self.clock.now()
        buurten = [(a.cbs_code, a.name) for a in await self.repos.projects.areas(project_id)
                   if a.kind is AreaKind.BUURT]
        result = await asyncio.to_thread(read_cbs_monthly, data, filename, now=now,
                                         buurten=buurten)
        counts = [(c.buurt_code or c.buurt_name or "", c.buurt_name or "", c.year, c.month,
                   c.count) for c in result.counts]
        async with self.repos.db.transaction():
            import_id = await self.repos.incidents.log_import(ImportLog(
                project_id, user_id, filename, "monthly", result.total_rows, len(counts),
                0, len(result.rejected)), now)
            added = await self.repos.incidents.add_monthly(project_id, import_id, counts)
            await self.repos.incidents.finish_import(import_id, len(counts),
                                                     len(counts) - added)
        return ImportReport(
            filename=filename, kind="monthly", rows_read=result.total_rows,
            imported=len(counts), duplicates_in_file=0, already_known=len(counts) - added,
            rejected=list(result.rejected), warnings=list(result.warnings),
            detected=dict(result.detected),
        )

    # -- the import log ------------------------------------------------------------------

    async def _may_import(self, user_id: int | None, project_id: int,
                          chat: ChatKind | None) -> None:
        """``chat`` None: the command line, with the operator's authority."""
        if chat is None:
            return
        if user_id is None:
            raise ValueError("a request from a chat needs its user")
        await self.member(user_id, project_id, Permission.IMPORT_INCIDENTS, chat)

    async def imports(self, project_id: int, *, user_id: int | None = None,
                      chat: ChatKind | None = None,
                      only: int | None = None,
                      limit: int | None = IMPORTS_LISTED) -> list[ImportEntry]:
        """The project's latest ``limit`` imports (None: all), newest first, or import
        ``only`` (none: no such import in the project); from a chat only for those who may
        import (see :meth:`_may_import`)."""
        await self._may_import(user_id, project_id, chat)
        entries = []
        for r in await self.repos.incidents.imports(project_id, limit=limit, only=only):
            at = parse_utc(r["at"])
            assert at is not None  # NOT NULL in the schema
            entries.append(ImportEntry(
                id=r["id"], filename=r["filename"], kind=r["kind"], at=at, by=r["by"],
                imported=r["imported"], duplicates=r["duplicates"], rejected=r["rejected"],
                present=r["months"] if r["kind"] == "monthly" else r["present"],
                replaced=r["replaced"],
                corrected=r["corrected"], corrections=r["corrections"],
                removed_at=parse_utc(r["removed_at"]), removed=r["removed"],
                removed_by=r["removed_by_name"], first=parse_utc(r["first"]),
                last=parse_utc(r["last"])))
        return entries

    async def remove_import(self, project_id: int, import_id: int, *, user_id: int | None,
                            chat: ChatKind | None = None) -> RemovedImport:
        """Remove an incident import as a whole: every incident it added goes (rows that
        were already known when it came stay, they belong to the import that added them).
        The registrations its rows had replaced come back as they were, and the incidents
        it corrected get their earlier details back (:mod:`bot.corrections`); other
        registrations, other imports' incidents and the CBS monthly counts are never
        touched; the hotspot detection runs again. ``chat`` as in :meth:`imports`."""
        await self._may_import(user_id, project_id, chat)
        entry = await self.repos.incidents.import_entry(project_id, import_id)
        if entry is None:
            raise UserError(N_("There is no import #{number} in this project."),
                            number=import_id)
        now = self.clock.now()
        if entry["kind"] == "monthly":
            return await self._remove_monthly(project_id, import_id, entry["filename"],
                                              user_id, now)
        overlaps = await self.repos.incidents.later_overlaps(project_id, import_id)
        # "Already removed" is decided inside the removal's transaction (two taps, two
        # analysts), not from the entry read above.
        done = await self.repos.incidents.remove_import(project_id, import_id, user_id, now)
        if done is None:
            raise UserError(N_("Import #{number} has already been removed."), number=import_id)
        removed, restored, undone = done
        await self.repos.audit.record(now=now, user_id=user_id, project_id=project_id,
                                      entity="import", entity_id=import_id, action="removed",
                                      detail={"file": entry["filename"], "removed": removed,
                                              "restored_registrations": restored,
                                              "corrections_undone": undone})
        await self._changed(project_id)  # also when it only gave registrations back
        return RemovedImport(id=import_id, filename=entry["filename"], removed=removed,
                             total=await self.repos.incidents.count(project_id),
                             later_overlaps=overlaps, restored=restored, undone=undone)

    async def _remove_monthly(self, project_id: int, import_id: int, filename: str,
                              user_id: int | None, now: datetime) -> RemovedImport:
        """A CBS import's counts no longer count; where an earlier import had a count of
        the same neighbourhood and month, that one is in use again."""
        done = await self.repos.incidents.remove_monthly_import(project_id, import_id,
                                                                user_id, now)
        if done is None:
            raise UserError(N_("Import #{number} has already been removed."), number=import_id)
        removed, back = done
        await self.repos.audit.record(now=now, user_id=user_id, project_id=project_id,
                                      entity="import", entity_id=import_id, action="removed",
                                      detail={"file": filename, "monthly_counts": removed,
                                              "earlier_counts_back": back})
        return RemovedImport(id=import_id, filename=filename, removed=removed,
                             total=await self.repos.incidents.count(project_id),
                             later_overlaps=0, restored=back, kind="monthly")

    # -- single registration -----------------------------------------------------------

    async def street_suggestions(self, user_id: int, project_id: int, chat: ChatKind,
                                 street: str) -> list[str]:
        """Before registering: the project's streets a typed street may be a typo of."""
        await self.member(user_id, project_id, Permission.REGISTER_INCIDENT, chat)
        return await self.similar_streets(project_id, street)

    async def register(self, user_id: int, project_id: int, chat: ChatKind, *,
                       occurred_from: datetime, occurred_to: datetime, street: str | None,
                       house_number: str | None, attempt: bool, modus_operandi: str | None,
                       lat: float | None = None, lon: float | None = None) -> Registered:
        """Register one burglary (a wijkagent on the street)."""
        await self.member(user_id, project_id, Permission.REGISTER_INCIDENT, chat)
        if occurred_to < occurred_from:
            raise UserError(N_("The time window ends ({end}) before it starts ({start})."),
                            end=lambda: format_datetime(occurred_to, "short"),
                            start=lambda: format_datetime(occurred_from, "short"))
        if occurred_from > self.clock.now() + timedelta(hours=1):
            raise UserError(N_("The date {value} lies in the future."),
                            value=lambda: format_datetime(occurred_from, "short"))
        if not street and lat is None:
            raise UserError(N_("Give the street or share a location."))
        if lat is not None and lon is not None:
            await self.check_location(project_id, lat, lon)
        x_rd = y_rd = None
        if lat is not None and lon is not None:
            x_rd, y_rd = await asyncio.to_thread(wgs84_to_rd, lat, lon)
        # The neighbourhood and district, as an import would have them: the analytics
        # count per buurt, and an alert names it.
        place = await self.place(project_id, street,
                                 (x_rd, y_rd) if x_rd is not None and y_rd is not None
                                 else None)
        project = await self.repos.projects.get(project_id)
        if place.street is not None:
            street = place.street.name  # one spelling per street in the per-street counts
        incident = NewIncident(
            source_key="reg:" + secrets.token_hex(8), occurred_from=occurred_from,
            occurred_to=occurred_to, street=street, house_number=house_number,
            buurt=place.buurt.name if place.buurt else None,
            buurt_code=place.buurt.cbs_code if place.buurt else None,
            wijk=place.wijk.name if place.wijk else None,
            municipality=project.municipality if project else None,
            attempt=attempt, modus_operandi=modus_operandi, x_rd=x_rd, y_rd=y_rd, lat=lat,
            lon=lon,
        )
        chosen = place.street or place.located or place.buurt
        area_id = chosen.id if chosen else None
        await self.repos.incidents.add_many(project_id, [incident], source="registration",
                                            created_by=user_id, now=self.clock.now(),
                                            area_ids=[area_id])
        await self._changed(project_id)
        return Registered(total=await self.repos.incidents.count(project_id),
                          area=chosen.name if chosen else None, key=incident.source_key)

    async def withdraw(self, user_id: int, project_id: int, chat: ChatKind, key: str) -> int:
        """Withdraw a burglary the user registered by mistake (within
        :data:`WITHDRAW_WINDOW`); returns the project's new total. The hotspot detection
        runs again: a zone that only this burglary made ends (an alert already sent stays
        sent — it cannot be unsaid)."""
        await self.member(user_id, project_id, Permission.REGISTER_INCIDENT, chat)
        now = self.clock.now()
        if not await self.repos.incidents.withdraw_registration(
                project_id, key, user_id, now - WITHDRAW_WINDOW):
            replaced_by = await self.repos.incidents.replaced_by(project_id, key)
            if replaced_by is not None:
                raise UserError(N_("This burglary is in the police export of import "
                                   "#{number} now; the export's row has taken the place of the "
                                   "registration, so it can no longer be withdrawn."),
                                number=replaced_by)
            if await self.repos.audit.happened(project_id, "incident", key, "withdrawn"):
                # A second tap (or the button of a copy of the confirmation): done already.
                raise UserError(N_("This burglary has already been withdrawn."))
            raise UserError(N_("This burglary can no longer be withdrawn: only the one who "
                               "registered it can, within a day."))
        await self.repos.audit.record(now=now, user_id=user_id, project_id=project_id,
                                      entity="incident", entity_id=key, action="withdrawn")
        await self._changed(project_id)
        return await self.repos.incidents.count(project_id)

    async def recent(self, user_id: int, project_id: int, chat: ChatKind, *,
                     area: str | None = None, days: int = 14,
                     limit: int = RECENT_LIMIT) -> Recent:
        """The burglaries of the last ``days`` days (in ``area``: a street, buurt or wijk),
        the latest ``limit`` of them as rows, and whether the asker may see their detail
        (house number, exact time, modus operandi); without that right the rows carry only
        date, street, neighbourhood and attempt. An area that is neither one of the
        project's nor the place of any incident is a typo: named, with the areas it looks
        like, rather than answered with “0 burglaries”."""
        member = await self.member(user_id, project_id, Permission.VIEW_STEERING, chat)
        detail = can(member.role, Permission.VIEW_INCIDENT_DETAIL, chat)
        if area:
            found = await self.repos.projects.area_by_name(project_id, area)
            spelled = (found.name if found is not None
                       else await self.repos.incidents.place_name(project_id, area))
            if spelled is None:
                raise unknown_area(area, await self.repos.projects.areas(project_id))
            area = spelled
        since = self.clock.now() - timedelta(days=days)
        key = area.casefold() if area else None
        matching = [r for r in await self.repos.incidents.recent(project_id, since)
                    if key is None or key in {(r["street"] or "").casefold(),
                                              str(safe_street(r["street"] or "")).casefold(),
                                              (r["buurt"] or "").casefold(),
                                              (r["wijk"] or "").casefold()}]
        rows = []
        for r in matching[:limit]:
            # An export may have put the house number into the street field
            # ("Kerkstraat 12, 1e verdieping"): without the right to detail, the street only.
            row: dict[str, Any] = {
                "day": parse_utc(r["occurred_from"]),
                "street": r["street"] if detail else safe_street(r["street"]),
                "buurt": r["buurt"], "attempt": bool(r["attempt"])}
            if detail:
                row |= {"house_number": r["house_number"], "mo": r["modus_operandi"],
                        "to": parse_utc(r["occurred_to"])}
            rows.append(row)
        return Recent(area, len(matching), rows, detail)

    # -- steering ------------------------------------------------------------------------

    async def frame(self, project_id: int, area: str | None = None) -> pd.DataFrame:
        """The incident frame for analytics (no house numbers), optionally for one area.

        Kept in memory per project until its incidents change (the version the repository
        raises with every insert and delete, also from another process): reading 50,000
        rows from SQLite costs ~0.3 s, and /sturing, /agenda, the meeting post and every
        hotspot check read the same rows. Callers get a copy of their own."""
        version = await self.repos.incidents.version(project_id)
        cached = self._frames.get(project_id)
        if cached is not None and cached[0] == version:
            self._frames.move_to_end(project_id)
            full = cached[1]
        else:
            # Read after the version: a change in between only makes the next call re-read.
            rows = await self.repos.incidents.analysis_rows(project_id)
            full = await asyncio.to_thread(_analysis_frame, rows)
            self._frames[project_id] = (version, full)
            while len(self._frames) > FRAME_CACHE_PROJECTS:
                self._frames.popitem(last=False)
        if not area:
            return full.copy()
        key = area.casefold()
        mask = (full["buurt"].fillna("").str.casefold().eq(key)
                | full["wijk"].fillna("").str.casefold().eq(key)
                | full["street"].fillna("").str.casefold().eq(key))
        return full[mask].reset_index(drop=True)

    async def area(self, project_id: int, name: str) -> Area:
        """The project's area of this name (case aside); a typo is named, with the areas
        it looks like."""
        found = await self.repos.projects.area_by_name(project_id, name)
        if found is None:
            raise unknown_area(name, await self.repos.projects.areas(project_id))
        return found

    async def steering(self, project_id: int, as_of: date, *, language: str,
                       area: Area | str | None = None, render: bool = True,
                       frame: pd.DataFrame | None = None) -> SteeringPack:
        """The pack, of the whole project or of one ``area`` (its name, or the area as
        :meth:`area` found it); pass ``frame`` (the whole project's incidents) when the
        caller has it."""
        name: str | None = None
        area_ids: list[int] | None = None
        found: Area | None = None
        if area:
            found = area if isinstance(area, Area) else await self.area(project_id, area)
            name, area_ids = found.name, [found.id]
        if frame is None or name:
            frame = await self.frame(project_id, name)
        if frame.empty:
            raise UserError(N_("There are no burglaries registered for this project yet. An "
                               "analyst can send me a police export (CSV or Excel)."))
        areas = await self.repos.projects.areas(project_id)
        homes = _homes_of(areas, found, frame)
        outlines = await self.repos.projects.outlines(project_id)
        buurten = {a.name for a in areas if a.kind is AreaKind.BUURT}
        polygons = {name: outline for name, outline in outlines.items() if name in buurten}
        # CBS monthly counts of the neighbourhoods the pack covers: the area's own (a buurt)
        # or its buurten (a wijk), else all of the project's; by code, or by name.
        covered = [a for a in areas if a.kind is AreaKind.BUURT and (
            found is None or found.id in (a.id, a.parent_id))]
        codes = {a.cbs_code for a in covered if a.cbs_code}
        names = {a.name.casefold() for a in covered}
        monthly: dict[tuple[int, int], int] = {}
        for row in await self.repos.incidents.monthly_rows(project_id):
            if row["buurt_code"] in codes or (row["buurt_name"] or "").casefold() in names:
                key = (row["year"], row["month"])
                monthly[key] = monthly.get(key, 0) + row["count"]
        self._check_pack_date(frame, monthly, as_of)
        # Field logs of both fortnights on the map (now and two weeks ago).
        end = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), self.tz)
        logs = await self.repos.field_logs.between(project_id, end - timedelta(days=30), end,
                                                   area_ids=area_ids)
        return await asyncio.to_thread(
            steering_pack, frame, as_of, language=language, homes=homes or None,
            polygons=polygons or None, tz=str(self.tz), render_figures=render,
            monthly=monthly or None, field_logs=field_log_frame(logs),
        )

    async def key_points(self, project_id: int, as_of: date, *, language: str,
                         frame: pd.DataFrame | None = None) -> list[str]:
        """The key points of the steering information of ``as_of`` (no charts drawn);
        none when the project has no incidents yet (section 3a of agenda and minutes)."""
        try:
            pack = await self.steering(project_id, as_of, language=language, render=False,
                                       frame=frame)
        except UserError:
            return []
        return key_points_text(pack, language)

    def check_pack_day(self, as_of: date) -> None:
        """Refuse a pack date after today (before any data is read: /sturing answers a
        date ahead at once)."""
        today = self.today()
        if as_of > today:
            raise UserError(N_("A steering pack looks back, so its date cannot lie after "
                               "today ({today})."), today=lambda: format_date(today, "long"))

    def _check_pack_date(self, frame: pd.DataFrame, monthly: dict[tuple[int, int], int],
                         as_of: date) -> None:
        """A pack looks back from ``as_of``: refuse a date it would only show as empty."""
        self.check_pack_day(as_of)
        first = frame["occurred_from"].min().tz_convert(self.tz).date()
        if first > as_of and not any(key <= (as_of.year, as_of.month) for key in monthly):
            raise UserError(N_("No burglaries are registered up to {date}: the data begin on "
                               "{first}."), date=lambda: format_date(as_of, "long"),
                            first=lambda: format_date(first, "long"))


def _analysis_frame(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """Rows of :meth:`storage.incidents.IncidentRepository.analysis_rows` as a typed frame
    (CPU work: run in a worker thread)."""
    frame = pd.DataFrame(
        [tuple(r) for r in rows],
        columns=["occurred_from", "occurred_to", "street", "buurt", "wijk", "attempt",
                 "modus_operandi", "x", "y"],
    )
    frame["occurred_from"] = pd.to_datetime(frame["occurred_from"], utc=True, format="ISO8601")
    frame["occurred_to"] = pd.to_datetime(frame["occurred_to"], utc=True, format="ISO8601")
    frame["attempt"] = frame["attempt"].astype(bool)
    frame[["x", "y"]] = frame[["x", "y"]].astype(float)
    return frame


def field_log_frame(logs: list[FieldLog]) -> pd.DataFrame:
    """Field logs as the frame :mod:`charts.fieldwork` takes (no text, no names)."""
    return pd.DataFrame({
        "created_at": pd.to_datetime([log.created_at for log in logs], utc=True),
        "kind": [log.kind for log in logs],
        "area": [log.overview_area or log.street or "" for log in logs],
        "x": [log.x_rd for log in logs], "y": [log.y_rd for log in logs]},
        columns=["created_at", "kind", "area", "x", "y"])


def match_areas(incidents: Any, areas: list[Area]) -> list[int | None]:
    """The project area of each incident: by CBS code, then buurt name, then street."""
    by_code = {a.cbs_code: a.id for a in areas if a.cbs_code}
    by_name: dict[tuple[AreaKind, str], int] = {
        (a.kind, a.name.casefold()): a.id for a in areas}
    result: list[int | None] = []
    for incident in incidents:
        area_id = by_code.get(incident.buurt_code) if incident.buurt_code else None
        if area_id is None and incident.buurt:
            area_id = by_name.get((AreaKind.BUURT, incident.buurt.casefold()))
        if area_id is None and incident.street:
            area_id = by_name.get((AreaKind.STRAAT, incident.street.casefold()))
        result.append(area_id)
    return result


def wgs84_to_rd(lat: float, lon: float) -> tuple[float, float]:
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True).transform(lon, lat)
    return float(x), float(y)
