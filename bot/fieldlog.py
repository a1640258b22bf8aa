"""Field logs: a wijkagent or partner logs an intervention or observation from the street.

A log has a kind, free text, optionally a location (live or pinned) or a street, photos
(kept on Telegram's servers: only their file ids are stored), and optionally an action code
(``A12``) — then it also counts as a result of that action. Its area is derived from the
location (the neighbourhood outline it lies in) or the street.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.actions import ActionService
from bot.clock import Clock
from bot.errors import UserError
from bot.i18n import N_, _, ngettext
from bot.incidents import wgs84_to_rd
from bot.permissions import ChatKind, Permission
from bot.services import ProjectService, unknown_area
from charts.pack import SteeringPack
from storage.field_logs import FieldLog, Photo
from storage.repositories import Repositories

# kind key (stored) -> label msgid
KINDS: dict[str, str] = {
    "surveillance": N_("Surveillance round"),
    "gesprek": N_("Conversation with residents"),
    "preventieadvies": N_("Prevention advice"),
    "verdacht": N_("Suspicious situation"),
    "gebrek": N_("Lighting or greenery defect"),
    "overig": N_("Other"),
}
# Words that pick a kind in the one-line form (Dutch and English, lower case).
KIND_WORDS: dict[str, str] = {
    "surveillance": "surveillance", "ronde": "surveillance", "round": "surveillance",
    "patrol": "surveillance", "gesprek": "gesprek", "conversation": "gesprek",
    "talk": "gesprek", "advies": "preventieadvies", "preventieadvies": "preventieadvies",
    "advice": "preventieadvies", "verdacht": "verdacht", "suspicious": "verdacht",
    "gebrek": "gebrek", "verlichting": "gebrek", "groen": "gebrek", "defect": "gebrek",
    "lighting": "gebrek", "overig": "overig", "other": "overig",
}
MAX_TEXT = 2000
MAX_PHOTOS = 10
# Telegram's Bot API lets a bot download files up to 20 MB; photos are at most 10 MB.
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# A location this far outside the project's incidents is most likely a mistake.
_CODE = re.compile(r"\b[Aa](\d{1,7})\b")


@dataclass
class FieldDraft:
    project_id: int
    kind: str | None = None
    street: str | None = None
    location: tuple[float, float] | None = None
    live: bool = False
    photos: list[Photo] = field(default_factory=list)
    # The text as typed, per message (id → its text and the action code it names, in the
    # order sent): an edited message replaces its own part. ``street_typed``: the street
    # came from "straat: …" (message ``street_message``), not from a street name found in
    # the text (which an edit of the text may change).
    parts: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    street_typed: bool = False
    street_message: int | None = None

    @property
    def text(self) -> str:
        return "\n".join(t for t, _code in self.parts.values() if t)

    @property
    def action_code(self) -> str | None:
        """The action the log counts for: the last one the text names."""
        return next((c for _t, c in reversed(self.parts.values()) if c), None)

    def is_empty(self) -> bool:
        return not (self.text.strip() or self.location or self.street or self.photos)

    def set_part(self, message_id: int, text: str, action_code: str | None) -> None:
        """Add (or, for a message already in the log, replace) one message's text."""
        self.parts[message_id] = (text.strip(), action_code)

    def forget(self, message_id: int) -> None:
        """Take out what one message gave (its text, or the street it typed)."""
        self.parts.pop(message_id, None)
        if message_id == self.street_message:
            self.street, self.street_typed, self.street_message = None, False, None


def split_kind(text: str) -> tuple[str | None, str]:
    """``surveillance Dorpsstraat quiet`` → ("surveillance", "Dorpsstraat quiet")."""
    first, _sep, rest = text.strip().partition(" ")
    kind = KIND_WORDS.get(first.casefold().rstrip(":,"))
    return (kind, rest.strip()) if kind else (None, text.strip())


def _names(folded_text: str, name: str) -> bool:
    """True when the (casefolded) text contains ``name`` as whole words."""
    return re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", folded_text) is not None


@dataclass
class FieldSummary:
    start: datetime
    end: datetime
    area: str | None
    logs: list[FieldLog]
    by_area_kind: list[tuple[str, str, int]]   # (area or street, kind, count)


class FieldLogService(ProjectService):
    def __init__(self, repos: Repositories, clock: Clock, tz: ZoneInfo, *,
                 actions: ActionService) -> None:
        super().__init__(repos, clock, tz)
        self.actions = actions

    async def start(self, user_id: int, project_id: int, chat: ChatKind) -> FieldDraft:
        await self.member(user_id, project_id, Permission.LOG_FIELD, chat)
        return FieldDraft(project_id)

    async def known_street(self, project_id: int, text: str) -> str | None:
        """The project's street (area or incident street) the text names, if any."""
        words = text.casefold()
        for name in sorted(await self.known_streets(project_id), key=len, reverse=True):
            if len(name) >= 4 and _names(words, name):
                return name
        return None

    async def check_action(self, user_id: int, project_id: int, code: str,
                           chat: ChatKind) -> None:
        await self.actions.report_allowed(user_id, project_id, code, chat)

    async def linked_action(self, user_id: int, project_id: int, text: str,
                            chat: ChatKind) -> str | None:
        """The action the text names that this person may report on ("A12": the log counts
        as its result). A code of no action, or of another partner's (an "A4" that is the
        motorway), stays plain text instead of refusing the whole log."""
        for match in _CODE.finditer(text):
            code = f"A{match.group(1)}"
            try:
                await self.check_action(user_id, project_id, code, chat)
            except UserError:
                continue
            return code
        return None

    async def street_name(self, project_id: int, typed: str) -> str:
        """A street given with "straat: …": the project's own spelling when it knows the
        street; refused when it has no letters at all (a house number is no street)."""
        typed = " ".join(typed.split())[:80]
        if not re.search(r"[^\W\d_]", typed):
            raise UserError(N_("“{text}” is not a street name."), text=typed)
        folded = typed.casefold()
        known = {name.casefold(): name for name in await self.known_streets(project_id)}
        return known.get(folded, typed)

    async def _area(self, project_id: int, street: str | None,
                    xy: tuple[float, float] | None, text: str) -> int | None:
        """Where: the outline the location lies in, else the street's area (or the
        neighbourhood its burglaries were in), else an area the text names."""
        areas = await self.repos.projects.areas(project_id)
        place = await self.place(project_id, street, xy, areas=areas)
        for area in (place.located, place.street, place.known):
            if area is not None:
                return area.id
        words = text.casefold()
        for area in sorted(areas, key=lambda a: len(a.name), reverse=True):
            if _names(words, area.name):
                return area.id
        return None

    async def save(self, user_id: int, chat: ChatKind, chat_id: int | None,
                   draft: FieldDraft) -> FieldLog:
        member = await self.member(user_id, draft.project_id, Permission.LOG_FIELD, chat)
        if draft.kind not in KINDS:
            raise UserError(N_("Choose what kind of log this is."))
        if draft.is_empty():
            raise UserError(N_("This log is empty. Add a short text, a location, a street or "
                               "a photo."))
        text = draft.text.strip()
        if len(text) > MAX_TEXT:
            raise UserError(N_("The text is too long ({length} characters, at most {max})."),
                            length=len(text), max=MAX_TEXT)
        action_id = None
        if draft.action_code:
            await self.check_action(user_id, draft.project_id, draft.action_code, chat)
            action = await self.actions.load(draft.project_id, draft.action_code)
            action_id = action.id
        xy = None
        lat = lon = None
        if draft.location is not None:
            lat, lon = draft.location
            await self.check_location(draft.project_id, lat, lon)
            xy = await asyncio.to_thread(wgs84_to_rd, lat, lon)
        area_id = await self._area(draft.project_id, draft.street, xy, text)
        now = self.clock.now()
        async with self.repos.db.transaction():
            log_id = await self.repos.field_logs.add(
                project_id=draft.project_id, user_id=user_id, partner_id=member.partner_id,
                kind=draft.kind, text=text, street=draft.street, lat=lat, lon=lon,
                x_rd=xy[0] if xy else None, y_rd=xy[1] if xy else None, live=draft.live,
                area_id=area_id, action_id=action_id, chat_id=chat_id, photos=draft.photos,
                now=now)
            if draft.action_code:
                # The log counts as a result of the action it names.
                label = _(KINDS[draft.kind])
                result = f"{label}: {text}" if text else label
                await self.actions.add_result(user_id, draft.project_id, draft.action_code,
                                              result[:500], chat)
            await self.repos.audit.record(now=now, user_id=user_id,
                                          project_id=draft.project_id, entity="field_log",
                                          entity_id=log_id, action="created",
                                          detail={"kind": draft.kind, "photos":
                                                  len(draft.photos)})
        saved = await self.repos.field_logs.get(log_id)
        assert saved is not None
        return saved

    async def summary(self, user_id: int, project_id: int, chat: ChatKind, *,
                      area: str | None = None, days: int = 14) -> FieldSummary:
        await self.member(user_id, project_id, Permission.VIEW_FIELD_LOGS, chat)
        if not 1 <= days <= 366:
            raise UserError(N_("The period is 1 to 366 days."))
        area_ids = None
        if area:
            areas = await self.repos.projects.areas(project_id)
            found = next((a for a in areas if a.name.casefold() == area.casefold()), None)
            if found is None:
                raise unknown_area(area, areas)
            # An area and everything inside it.
            area_ids = [found.id]
            for _round in range(3):
                area_ids += [a.id for a in areas if a.parent_id in area_ids
                             and a.id not in area_ids]
            area = found.name
        now = self.clock.now()
        start, end = now - timedelta(days=days), now + timedelta(seconds=1)  # up to now
        logs = await self.repos.field_logs.between(project_id, start, end, area_ids=area_ids)
        return FieldSummary(start, end, area, logs, count_by_area_kind(logs))


def field_work_lines(logs: Sequence[FieldLog]) -> list[str]:
    """Per partner: how many field logs of which kind (for agenda item 2), in the locale."""
    by_partner: dict[str, Counter[str]] = {}
    for log in logs:
        by_partner.setdefault(log.partner_name or log.user_name, Counter())[log.kind] += 1
    lines = []
    for partner, kinds in sorted(by_partner.items()):
        total = sum(kinds.values())
        detail = ", ".join(f"{n} × {_(KINDS[k])}" for k, n in
                           sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
        lines.append(ngettext("{partner}: {count} field log ({detail})",
                              "{partner}: {count} field logs ({detail})", total).format(
            partner=partner, count=total, detail=detail))
    return lines


def area_lines(counts: Sequence[tuple[str, str, int]], limit: int = 5) -> list[str]:
    """The steering pack's field-log point from ``(area, kind, count)`` rows (most first),
    per area (at most ``limit`` areas), in the locale."""
    if not counts:
        return []
    total = sum(n for _area, _kind, n in counts)
    per_area: dict[str, list[str]] = {}  # areas in order of their largest count
    for area, kind, n in counts:
        per_area.setdefault(area or _("no area"), []).append(f"{n} × {_(KINDS[kind])}")
    parts = [f"{area}: {', '.join(kinds)}" for area, kinds in list(per_area.items())[:limit]]
    return [ngettext("{count} field log in the last two weeks — {detail}",
                     "{count} field logs in the last two weeks — {detail}", total).format(
        count=total, detail="; ".join(parts))]


def pack_counts(pack: SteeringPack) -> list[tuple[str, str, int]]:
    """The pack's field work (the fortnight up to its date) as ``(area, kind, count)``."""
    return [(str(r.area), str(r.kind), int(r.count))
            for r in pack.field_work.itertuples(index=False)]


def count_by_area_kind(logs: Sequence[FieldLog]) -> list[tuple[str, str, int]]:
    counts = Counter((log.overview_area or log.street or "", log.kind) for log in logs)
    return sorted(((a, k, n) for (a, k), n in counts.items()), key=lambda t: (-t[2], t[0], t[1]))
