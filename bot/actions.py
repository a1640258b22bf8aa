"""The action / monitoring framework: register actions, report on them, ask what is open.

"Laat zien wat je doet": every agreed action with who, what, where, when and what it
yielded. Partners change only their own partner's actions; the project leader changes
all; observers only read. Every change is recorded in the action's history. Concurrent
edits are detected with the action's version, so nobody silently overwrites another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.errors import UserError
from bot.export import ExportRow
from bot.i18n import N_
from bot.interventions import TARGETS, TYPES
from bot.labels import word_key
from bot.partnership import find_partner
from bot.periods import Period, parse_period, parse_week_or_date, week_of, weeks_overdue
from bot.permissions import ChatKind, Permission, can
from bot.quantities import parse_quantity
from bot.services import ProjectService, unknown_area
from storage.actions import Action, HistoryEntry, NewAction
from storage.models import Area, Member, Partner

MAX_WHAT = 300
MAX_TEXT = 1000
_CODE_RE = re.compile(r"^[Aa]?(\d{1,7})$")

# The fields /wijzig can change, as the user types them (Dutch words in the Dutch catalog).
FIELDS_HINT = N_("Fields: area, problem, what, aim, type, target, partner, period, capacity, "
                 "notes, effect.")
# Words people type for the fields of /wijzig, in both languages.
FIELD_WORDS: dict[str, str] = {
    "gebied": "area", "area": "area",
    "probleem": "problem", "problem": "problem",
    "wat": "what", "actie": "what", "what": "what", "action": "what",
    "doel": "aim", "aim": "aim",
    "typering": "type", "type": "type",
    "gerichtop": "target", "target": "target",
    "periode": "period", "period": "period",
    "inzet": "capacity", "capaciteit": "capacity", "capacity": "capacity",
    "toelichting": "notes", "notes": "notes",
    "effect": "expected_effect", "verwachteffect": "expected_effect",
    "expectedeffect": "expected_effect",
    "partner": "partner", "partij": "partner",
}
TYPE_WORDS = {"preventie": "preventie", "prevention": "preventie",
              "proactie": "proactie", "proaction": "proactie", "proactive": "proactie",
              "repressie": "repressie", "repression": "repressie", "repressief": "repressie",
              "nazorg": "nazorg", "aftercare": "nazorg"}
TARGET_WORDS = {"dader": "dader", "offender": "dader", "daders": "dader",
                "slachtoffer": "slachtoffer", "victim": "slachtoffer",
                "slachtoffers": "slachtoffer",
                "domein": "domein", "place": "domein", "domain": "domein"}


@dataclass
class Draft:
    """An action being composed (dialogue or one line), before it is stored."""

    what: str = ""
    area_id: int | None = None
    problem: str = ""
    aim: str = ""
    type: str | None = None
    target: str | None = None
    partner_ids: list[int] = field(default_factory=list)
    period: Period | None = None
    capacity: str = ""
    notes: str = ""
    expected_effect: date | None = None


@dataclass(frozen=True, slots=True)
class PartnerStatus:
    partner_id: int
    name: str
    open: int
    overdue: int
    done_recent: int
    done_total: int
    last_activity: str | None


@dataclass(frozen=True, slots=True)
class OpenRow:
    partner_id: int | None
    partner: str
    number: int
    what: str
    area: str | None
    period: Period | None
    weeks_overdue: int


@dataclass(frozen=True, slots=True)
class OpenPage:
    today: date
    page: int
    pages: int
    total: int
    counts: dict[int | None, tuple[str, int, int]]   # partner -> (name, open, overdue)
    rows: tuple[OpenRow, ...]


@dataclass(frozen=True, slots=True)
class StatusReport:
    since: date
    partners: tuple[PartnerStatus, ...]
    totals: tuple[tuple[str, str | None, float, int], ...]  # partner, unit, total, results


def clean_text(value: str, *, what: str, limit: int = MAX_TEXT, required: bool = False) -> str:
    text = " ".join(value.split()) if "\n" not in value else value.strip()
    if required and not text:
        raise UserError(N_("The {what} may not be empty."), what=what)
    if len(text) > limit:
        raise UserError(N_("The {what} is too long ({length} characters, at most {max})."),
                        what=what, length=len(text), max=limit)
    return text


def parse_code(text: str) -> int:
    match = _CODE_RE.match(text.strip())
    if not match:
        raise UserError(N_("“{text}” is not an action number. Action numbers look like A12."),
                        text=text.strip()[:20])
    return int(match.group(1))


class ActionService(ProjectService):

    async def load(self, project_id: int, code: str) -> Action:
        number = parse_code(code)
        action = await self.repos.actions.by_number(project_id, number)
        if action is None:
            # Actions of other projects are invisible: the same answer as a typo.
            raise UserError(N_("There is no action A{number} in this project."), number=number)
        return action

    def _may_change(self, member: Member, action: Action, chat: ChatKind) -> bool:
        if can(member.role, Permission.UPDATE_ANY_ACTION, chat):
            return True
        return can(member.role, Permission.UPDATE_ACTION, chat) and (
            member.partner_id in action.partner_ids or action.created_by == member.user_id
        )

    async def _changeable(self, user_id: int, project_id: int, code: str,
                          chat: ChatKind) -> tuple[Member, Action]:
        member = await self.member(user_id, project_id, Permission.UPDATE_ACTION, chat)
        action = await self.load(project_id, code)
        if not self._may_change(member, action, chat):
            raise UserError(N_("{code} is not an action of {partner}; only its partners and "
                               "the project leader can change it."),
                            code=action.code, partner=member.partner_name)
        return member, action

    def _partners_to_update(self, member: Member, action: Action, chat: ChatKind) -> list[int]:
        """Whose status a report changes: one's own partner; the leader's report covers
        every partner that is still open (or all, if none is)."""
        if member.partner_id in action.partner_ids:
            return [member.partner_id]
        if can(member.role, Permission.UPDATE_ANY_ACTION, chat):
            still_open = [p.partner_id for p in action.partners if p.status == "open"]
            return still_open or list(action.partner_ids)
        return []

    # -- composing -----------------------------------------------------------------------

    def default_draft(self, member: Member) -> Draft:
        """Sensible defaults: the user's own partner, this week."""
        return Draft(partner_ids=[member.partner_id], period=week_of(self.today()))

    async def find_area(self, project_id: int, text: str) -> Area:
        areas = await self.repos.projects.areas(project_id)
        text = " ".join(text.split())
        exact = [a for a in areas if a.name.casefold() == text.casefold()]
        if exact:
            return exact[0]
        partial = [a for a in areas if text.casefold() in a.name.casefold()]
        if len(partial) == 1:
            return partial[0]
        if not partial:
            raise unknown_area(text, areas)
        raise UserError(N_("“{name}” matches several areas: {matches}. Use the full name."),
                        name=text, matches=", ".join(a.name for a in partial[:8]))

    async def find_partners(self, project_id: int, text: str) -> list[Partner]:
        """Partners separated by “,”, “+” or “&”: ``stadstoezicht + politie``."""
        names = [n for n in re.split(r"[,+&]", text) if n.strip()]
        found: list[Partner] = []
        for name in names:
            partner = await find_partner(self.repos, project_id, name)
            if partner not in found:
                found.append(partner)
        return found

    async def parse_one_line(self, project_id: int, text: str, member: Member) -> Draft:
        """``area | what | partner(s) | period | capacity [| notes]`` — the fast typist's form.

        Only "what" is required; empty fields keep the defaults (own partner, this week).
        """
        parts = [p.strip() for p in text.split("|")]
        if len(parts) < 2 or len(parts) > 6:
            raise UserError(N_("Give area | what | partner | period | capacity, separated by "
                               "“|”."))
        draft = self.default_draft(member)
        if parts[0]:
            draft.area_id = (await self.find_area(project_id, parts[0])).id
        draft.what = clean_text(parts[1], what=N_("action"), limit=MAX_WHAT, required=True)
        if len(parts) > 2 and parts[2]:
            draft.partner_ids = [p.id for p in await self.find_partners(project_id, parts[2])]
        if len(parts) > 3 and parts[3]:
            draft.period = parse_period(parts[3], self.today())
        if len(parts) > 4:
            draft.capacity = clean_text(parts[4], what=N_("capacity"))
        if len(parts) > 5:
            draft.notes = clean_text(parts[5], what=N_("notes"))
        return draft

    @staticmethod
    def smart_hints(draft: Draft) -> list[str]:
        """SMART warnings (message ids); they do not block registering."""
        hints: list[str] = []
        if not draft.partner_ids:
            hints.append(N_("No responsible partner: who will do this?"))
        if draft.period is None:
            hints.append(N_("No period: when will it be done?"))
        if not any(ch.isdigit() for ch in f"{draft.aim} {draft.capacity} {draft.notes}") \
                and draft.expected_effect is None:
            hints.append(N_("No measurable result: say what you will count (e.g. locks "
                            "replaced, residents spoken to) or when you expect an effect."))
        return hints

    async def validate(self, project_id: int, draft: Draft) -> Draft:
        draft.what = clean_text(draft.what, what=N_("action"), limit=MAX_WHAT, required=True)
        draft.problem = clean_text(draft.problem, what=N_("problem"))
        draft.aim = clean_text(draft.aim, what=N_("aim"))
        draft.capacity = clean_text(draft.capacity, what=N_("capacity"))
        draft.notes = clean_text(draft.notes, what=N_("notes"))
        if draft.type is not None and draft.type not in TYPES:
            raise UserError(N_("Unknown type “{value}”."), value=draft.type)
        if draft.target is not None and draft.target not in TARGETS:
            raise UserError(N_("Unknown target “{value}”."), value=draft.target)
        partners = {p.id for p in await self.repos.projects.partners(project_id)}
        if not set(draft.partner_ids) <= partners:
            raise UserError(N_("Unknown partner."))
        if draft.area_id is not None:
            area = await self.repos.projects.area(draft.area_id)
            if area is None or area.project_id != project_id:
                raise UserError(N_("Unknown area."))
        return draft

    async def create(self, user_id: int, project_id: int, draft: Draft,
                     chat: ChatKind) -> tuple[Action, list[str]]:
        await self.member(user_id, project_id, Permission.REGISTER_ACTION, chat)
        draft = await self.validate(project_id, draft)
        summary = await self.repos.actions.create(
            project_id,
            NewAction(
                what=draft.what, area_id=draft.area_id, problem=draft.problem, aim=draft.aim,
                type=draft.type, target=draft.target,
                period_start=draft.period.start if draft.period else None,
                period_end=draft.period.end if draft.period else None,
                capacity=draft.capacity, notes=draft.notes,
                expected_effect=draft.expected_effect,
                partners=[(pid, "open", None) for pid in dict.fromkeys(draft.partner_ids)],
            ),
            created_by=user_id, now=self.clock.now(),
        )
        action = await self.repos.actions.get(summary.id)
        assert action is not None
        return action, self.smart_hints(draft)

    # -- reporting -----------------------------------------------------------------------

    async def _check_version(self, action: Action, expected_version: int | None) -> None:
        if expected_version is not None and action.version != expected_version:
            raise UserError(N_("{code} was changed by someone else in the meantime. Here is "
                               "the current version; please try again."), code=action.code)

    async def report(self, user_id: int, project_id: int, code: str, status: str,
                     text: str | None, chat: ChatKind, *,
                     expected_version: int | None = None) -> Action:
        """Mark done (with an optional note), not done or cancelled (with a reason)."""
        member, action = await self._changeable(user_id, project_id, code, chat)
        await self._check_version(action, expected_version)
        reason = clean_text(text or "", what=N_("note") if status == "done" else N_("reason"))
        if status in ("not_done", "cancelled") and not reason:
            raise UserError(N_("Please give a reason."))
        partner_ids = self._partners_to_update(member, action, chat)
        if not partner_ids:
            raise UserError(N_("{code} has no responsible partner to report for."),
                            code=action.code)
        now = self.clock.now()
        async with self.repos.db.transaction():
            await self.repos.actions.set_status(action, partner_ids, status,
                                                reason if status != "done" else None,
                                                user_id=user_id, now=now)
            if status == "done" and reason:
                quantity, unit = parse_quantity(reason)
                await self.repos.actions.add_result(action.id, partner_ids[0], reason,
                                                    quantity, unit, user_id=user_id, now=now)
        return await self._reload(action)

    async def report_allowed(self, user_id: int, project_id: int, code: str,
                             chat: ChatKind) -> Action:
        """Raise :class:`UserError` unless the person may report on this action."""
        _member, action = await self._changeable(user_id, project_id, code, chat)
        return action

    async def add_result(self, user_id: int, project_id: int, code: str, text: str,
                         chat: ChatKind, *, expected_version: int | None = None) -> Action:
        member, action = await self._changeable(user_id, project_id, code, chat)
        await self._check_version(action, expected_version)
        text = clean_text(text, what=N_("result"), required=True)
        quantity, unit = parse_quantity(text)
        partner_id = member.partner_id if member.partner_id in action.partner_ids else None
        await self.repos.actions.add_result(action.id, partner_id, text, quantity, unit,
                                            user_id=user_id, now=self.clock.now())
        return await self._reload(action)

    async def postpone(self, user_id: int, project_id: int, code: str, chat: ChatKind, *,
                       weeks: int = 1, expected_version: int | None = None) -> Action:
        _member, action = await self._changeable(user_id, project_id, code, chat)
        await self._check_version(action, expected_version)
        if action.period_end is None:
            raise UserError(N_("{code} has no period to postpone."), code=action.code)
        new_end = action.period_end + timedelta(weeks=weeks)
        await self._update(action, {"period_end": new_end}, user_id)
        return await self._reload(action)

    async def edit(self, user_id: int, project_id: int, code: str, field_word: str,
                   value: str, chat: ChatKind) -> Action:
        """``/wijzig A12 <field> <value>``."""
        field_name = FIELD_WORDS.get(word_key(field_word))
        if field_name is None:
            raise UserError(N_("Unknown field “{field}”. {fields}"), field=field_word,
                            fields=FIELDS_HINT)
        _member, action = await self._changeable(user_id, project_id, code, chat)
        changes: dict[str, object]
        if field_name == "partner":
            partners = await self.find_partners(project_id, value)
            for partner in partners:
                if partner.id not in action.partner_ids:
                    await self.repos.actions.add_partner(action.id, partner.id,
                                                         user_id=user_id, now=self.clock.now())
            return await self._reload(action)
        if field_name == "area":
            changes = {"area_id": (await self.find_area(project_id, value)).id}
        elif field_name == "period":
            period = parse_period(value, self.today())
            changes = {"period_start": period.start, "period_end": period.end}
        elif field_name == "expected_effect":
            changes = {"expected_effect": parse_week_or_date(value, self.today())}
        elif field_name == "type":
            if word_key(value) not in TYPE_WORDS:
                raise UserError(N_("Unknown type “{value}”."), value=value)
            changes = {"type": TYPE_WORDS[word_key(value)]}
        elif field_name == "target":
            if word_key(value) not in TARGET_WORDS:
                raise UserError(N_("Unknown target “{value}”."), value=value)
            changes = {"target": TARGET_WORDS[word_key(value)]}
        else:
            limit = MAX_WHAT if field_name == "what" else MAX_TEXT
            changes = {field_name: clean_text(value, what=N_("text"), limit=limit,
                                              required=field_name == "what")}
        await self._update(action, changes, user_id)
        return await self._reload(action)

    async def _update(self, action: Action, changes: dict[str, object], user_id: int) -> None:
        if not await self.repos.actions.update_fields(action, changes, user_id=user_id,
                                                      now=self.clock.now()):
            raise UserError(N_("{code} was changed by someone else in the meantime. Here is "
                               "the current version; please try again."), code=action.code)

    async def _reload(self, action: Action) -> Action:
        fresh = await self.repos.actions.get(action.id)
        assert fresh is not None
        return fresh

    # -- queries -------------------------------------------------------------------------

    async def card(self, user_id: int, project_id: int, code: str,
                   chat: ChatKind) -> tuple[Action, list[HistoryEntry]]:
        await self.member(user_id, project_id, Permission.VIEW_ACTIONS, chat)
        action = await self.load(project_id, code)
        history = await self.repos.actions.history(action.id)
        if any(entry.field == "area_id" for entry in history):
            # The history keeps the area's id; people read its name.
            names = {str(a.id): a.name for a in await self.repos.projects.areas(project_id)}
            history = [replace(entry, old=names.get(entry.old or "", entry.old),
                               new=names.get(entry.new or "", entry.new))
                       if entry.field == "area_id" else entry for entry in history]
        return action, history

    async def open_page(self, user_id: int, project_id: int, chat: ChatKind, *,
                        partner_text: str | None = None, page: int = 0,
                        page_size: int = 30) -> OpenPage:
        """One page of the outstanding actions, grouped by partner, overdue first.

        Only the page's rows are read (with per-partner totals from one aggregate), so the
        answer stays fast however large the framework grows.
        """
        await self.member(user_id, project_id, Permission.VIEW_ACTIONS, chat)
        partner_id = None
        if partner_text:
            partner_id = (await find_partner(self.repos, project_id, partner_text)).id
        today = self.today()
        counts = await self.repos.actions.open_counts(project_id, today, partner_id)
        total = sum(int(c["open"]) for c in counts)
        pages = max(1, -(-total // page_size))
        page = min(max(page, 0), pages - 1)
        rows = await self.repos.actions.open_rows(project_id, offset=page * page_size,
                                                  limit=page_size, partner_id=partner_id)
        return OpenPage(
            today=today, page=page, pages=pages, total=total,
            counts={c["partner_id"]: (c["name"] or "", int(c["open"]), int(c["overdue"] or 0))
                    for c in counts},
            rows=tuple(OpenRow(
                r["partner_id"], r["partner_name"] or "", r["number"], r["what"],
                r["area_name"],
                Period(date.fromisoformat(r["period_start"]), date.fromisoformat(r["period_end"]))
                if r["period_start"] and r["period_end"] else None,
                weeks_overdue(date.fromisoformat(r["period_end"]) if r["period_end"] else None,
                              today),
            ) for r in rows),
        )

    async def mine(self, user_id: int, project_id: int, chat: ChatKind) -> tuple[Member,
                                                                                  list[Action]]:
        member = await self.member(user_id, project_id, Permission.VIEW_ACTIONS, chat)
        return member, await self.repos.actions.for_partner(project_id, member.partner_id)

    async def status(self, user_id: int, project_id: int, chat: ChatKind) -> StatusReport:
        await self.member(user_id, project_id, Permission.VIEW_STATUS, chat)
        today = self.today()
        # "This period": the last two weeks, the rhythm of the operational meeting.
        since = week_of(today).start - timedelta(weeks=1)
        rows = await self.repos.actions.partner_summary(project_id, today, since)
        totals = await self.repos.actions.result_totals(project_id)
        return StatusReport(
            since=since,
            partners=tuple(
                PartnerStatus(r["partner_id"], r["name"], r["open"] or 0, r["overdue"] or 0,
                              r["done_recent"] or 0, r["done_total"] or 0, r["last_activity"])
                for r in rows),
            totals=tuple((t["partner"], t["unit"], float(t["total"] or 0), t["results"])
                         for t in totals),
        )

    async def export_rows(self, project_id: int) -> list[ExportRow]:
        """The framework as appendix-4 rows: one per action × responsible partner.

        Callers check :attr:`Permission.EXPORT_ACTIONS` (the CLI runs as the operator)."""
        rows: list[ExportRow] = []
        for action in await self.repos.actions.all(project_id):
            owners = action.partners or (None,)
            for owner in owners:
                results = tuple(
                    (r.text, r.quantity, r.unit) for r in action.results
                    if owner is None or r.partner_id in (None, owner.partner_id)
                )
                rows.append(ExportRow(
                    code=action.code, area=action.area_name or "", problem=action.problem,
                    what=action.what, aim=action.aim, type=action.type, target=action.target,
                    partner=owner.name if owner else "", period_start=action.period_start,
                    period_end=action.period_end, capacity=action.capacity,
                    notes=action.notes, status=owner.status if owner else "open",
                    reason=owner.reason if owner else None,
                    expected_effect=action.expected_effect, results=results,
                    created_at=action.created_at, updated_at=action.updated_at,
                ))
        return rows

    async def search(self, user_id: int, project_id: int, text: str,
                     chat: ChatKind) -> list[Action]:
        await self.member(user_id, project_id, Permission.VIEW_ACTIONS, chat)
        text = " ".join(text.split())
        if len(text) < 2:
            raise UserError(N_("Search for at least two characters."))
        if len(text) > 100:
            raise UserError(N_("The {what} is too long ({length} characters, at most {max})."),
                            what=N_("search text"), length=len(text), max=100)
        return await self.repos.actions.search(project_id, text)


