"""The draft agenda and the minutes of the fortnightly operational meeting (appendix 3).

Pure rendering: the functions take :class:`Agenda` / :class:`Minutes` values that the caller
has assembled (from the action framework, the steering information and what was recorded
during the meeting) and return either Telegram HTML messages or a Word document (bytes) that
the chair can edit before sending it round. Nothing here touches the database or the clock.

The structure follows "Bijlage 3 Voorbeeld Agenda operationeel overleg": a header with
to / from / date and the attendance per partner (yes / no, plus guests), then

1. Opening & announcements
2. Feedback on the actions agreed last time (per partner)
3. Current situation and needs: 3a operational analysis, 3b tactical points
4. Action agreements, ongoing and new (per area)
5. Points and questions for the tactical meeting
6. Other decisions and points

All labels are gettext messages with English ids, rendered inside ``use_locale(language)``;
dates and times go through :mod:`bot.i18n` (display time zone, Babel per language).

Telegram messages use only ``<b>``, ``<i>``, ``<u>`` and ``<code>``, every tag is closed on
the line that opened it, and all user text is escaped. That is what makes it safe to split a
long agenda into several messages at line boundaries: each part is valid on its own.
"""

from __future__ import annotations

import html
import io
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell, _Row

from bot.i18n import (
    N_,
    _,
    format_date,
    format_number,
    format_time,
    format_week,
    ngettext,
    pgettext,
    to_local,
    use_locale,
)

__all__ = [
    "MESSAGE_LIMIT",
    "STATUS_ICONS",
    "Agenda",
    "AgendaAction",
    "Decision",
    "Minutes",
    "agenda_docx",
    "agenda_messages",
    "document_filename",
    "minutes_docx",
    "minutes_messages",
]


# --- the values to render ---------------------------------------------------------------

@dataclass(frozen=True)
class AgendaAction:
    """One action line of the framework as the meeting discusses it (one partner)."""

    code: str                  # "A12"
    what: str
    area: str                  # "" when none
    period: str                # already formatted, e.g. "wk 48-49"
    partner: str               # the partner this line is about ("" when none)
    status: str                # open | done | not_done | cancelled
    reason: str | None = None  # for not_done / cancelled
    results: tuple[str, ...] = ()
    overdue_weeks: int = 0
    effect: str | None = None  # a finished plain-language sentence (effect review), or None


@dataclass(frozen=True)
class Agenda:
    project: str
    municipality: str
    meeting_at: datetime       # aware; shown in the display time zone of bot.i18n
    chair: str                 # "van" (from): the project leader's name
    participants: tuple[str, ...]            # partner names invited ("aan")
    attendance: tuple[tuple[str, bool | None], ...] = ()   # (partner, present?) None: unknown
    guests: tuple[str, ...] = ()
    announcements: tuple[str, ...] = ()      # 1 opening & announcements
    feedback: tuple[AgendaAction, ...] = ()  # 2 feedback on agreed actions, grouped by partner
    field_work: tuple[str, ...] = ()         # 2 field logs per partner (finished sentences)
    analysis: tuple[str, ...] = ()           # 3a key points of the steering information
    tactical: tuple[str, ...] = ()           # 3b points handed down by the tactical meeting
    agreements: tuple[AgendaAction, ...] = ()  # 4 action agreements, grouped by area
    escalations: tuple[str, ...] = ()        # 5 open points for the tactical meeting
    decisions: tuple[str, ...] = ()          # 6 other decisions and points
    goal: str | None = None                  # a finished sentence about the project's goal


@dataclass(frozen=True)
class Decision:
    text: str
    by: str                    # who recorded it
    at: datetime               # aware


@dataclass(frozen=True)
class Minutes:
    project: str
    municipality: str
    meeting_at: datetime
    chair: str
    attendance: tuple[tuple[str, bool | None], ...]
    guests: tuple[str, ...] = ()
    decisions: tuple[Decision, ...] = ()
    escalations: tuple[Decision, ...] = ()
    new_actions: tuple[AgendaAction, ...] = ()
    updated_actions: tuple[AgendaAction, ...] = ()
    analysis: tuple[str, ...] = ()


# --- labels -----------------------------------------------------------------------------


def _field_work_title() -> str:
    return _("Field logs since the last meeting")


MESSAGE_LIMIT = 4096  # Telegram's maximum message length
WHOLE = sys.maxsize  # no splitting: the whole text in one part (for text files)

STATUS_ICONS = {"done": "✅", "open": "⏳", "not_done": "✖️", "cancelled": "🚫"}
# The same message ids as the action cards (bot.action_text), so they are translated already.
_STATUS = {"open": N_("open"), "done": N_("done"), "not_done": N_("not done"),
           "cancelled": N_("cancelled")}
PRESENT_ICON, ABSENT_ICON, UNKNOWN_ICON = "✅", "❌", "▫️"

_ITEMS = {
    # TRANSLATORS: agenda item 1 of the operational meeting (appendix 3),
    # Dutch "Opening & mededelingen"
    "1": N_("Opening & announcements"),
    # TRANSLATORS: agenda item 2 of the operational meeting (appendix 3),
    # Dutch "Terugkoppeling afgesproken acties vorige keer"
    "2": N_("Feedback on the actions agreed last time"),
    # TRANSLATORS: agenda item 3 of the operational meeting (appendix 3),
    # Dutch "Huidige situatie en behoefte"
    "3": N_("Current situation and needs"),
    # TRANSLATORS: agenda item 3a of the operational meeting (appendix 3), keep "3a.",
    # Dutch "3a. Operationele analyse"
    "3a": N_("3a. Operational analysis"),
    # TRANSLATORS: agenda item 3b of the operational meeting (appendix 3), keep "3b.",
    # Dutch "3b. Tactische aandachtspunten aangedragen door tactisch overleg"
    "3b": N_("3b. Tactical points from the tactical meeting"),
    # TRANSLATORS: agenda item 4 of the operational meeting (appendix 3),
    # Dutch "Actieafspraken (doorlopende en nieuwe)"
    "4": N_("Action agreements (ongoing and new)"),
    # TRANSLATORS: agenda item 5 of the operational meeting (appendix 3),
    # Dutch "Eventuele aandachtspunten/vragen voor tactisch overleg"
    "5": N_("Points and questions for the tactical meeting"),
    # TRANSLATORS: agenda item 6 of the operational meeting (appendix 3),
    # Dutch "Overige besluiten en aandachtspunten"
    "6": N_("Other decisions and points"),
}


def item_text(key: str) -> str:
    """An item's title without its number (3a and 3b carry theirs in the message id)."""
    return _(_ITEMS[key])


def item_title(key: str) -> str:
    """``"2. Feedback on the actions agreed last time"``, ``"3a. Operational analysis"``."""
    text = item_text(key)
    return text if key in ("3a", "3b") else f"{key}. {text}"


def _label_to() -> str:
    # TRANSLATORS: header of the meeting agenda (appendix 3), Dutch "Aan"
    return pgettext("meeting header", "To")


def _label_from() -> str:
    # TRANSLATORS: header of the meeting agenda (appendix 3), Dutch "Van"
    return pgettext("meeting header", "From")


def _label_date() -> str:
    # TRANSLATORS: header of the meeting agenda (appendix 3), Dutch "Datum"
    return pgettext("meeting header", "Date")


def _label_attendance() -> str:
    # TRANSLATORS: header of the meeting agenda (appendix 3), Dutch "Aanwezigen"
    return pgettext("meeting header", "Attendance")


def _label_chair() -> str:
    # TRANSLATORS: header of the meeting minutes: who chaired the meeting, Dutch "Voorzitter"
    return pgettext("meeting header", "Chair")


def _label_guests() -> str:
    # TRANSLATORS: header of the meeting agenda: guests who are not a partner, Dutch "Gasten"
    return pgettext("meeting header", "Guests")


def _participants_text() -> str:
    # TRANSLATORS: the addressees of the agenda (appendix 3),
    # Dutch "Deelnemers operationeel overleg"
    return _("Participants of the operational meeting")


def _agenda_title(moment: datetime) -> str:
    # TRANSLATORS: title of the agenda (appendix 3), Dutch "Agenda operationeel overleg {date}"
    return _("Agenda of the operational meeting of {date}").format(
        date=format_date(moment, "long"))


def _minutes_title(moment: datetime) -> str:
    # TRANSLATORS: title of the minutes, Dutch "Verslag operationeel overleg {date}"
    return _("Minutes of the operational meeting of {date}").format(
        date=format_date(moment, "long"))


def _meeting_when(moment: datetime) -> str:
    """``Monday, December 7, 2026 at 10:00 AM (week 50)`` in the display time zone."""
    # TRANSLATORS: date line of the meeting agenda: "maandag 7 december 2026 om 10:00 (week 50)"
    return _("{date} at {time} ({week})").format(
        date=format_date(moment, "full"), time=format_time(moment),
        week=format_week(to_local(moment).date()))


def _moment(moment: datetime) -> str:
    """When a decision was recorded: ``7 dec 2026 10:32``."""
    return f"{format_date(moment)} {format_time(moment)}"


def _status_label(status: str) -> str:
    return _(_STATUS[status]) if status in _STATUS else status


def _overdue_text(weeks: int) -> str:
    return ngettext("{count} week overdue", "{count} weeks overdue", weeks).format(
        count=format_number(weeks))


def _whole_project() -> str:
    # TRANSLATORS: group of actions that are not tied to one area, Dutch "Hele project"
    return _("Whole project")


def _no_partner() -> str:
    return _("(no partner)")


def _nothing_yet() -> str:
    # TRANSLATORS: placeholder under an agenda item without content, Dutch "nog niets"
    return _("nothing yet")


def _recorded_by(decision: Decision) -> str:
    # TRANSLATORS: under a decision in the minutes, Dutch "vastgelegd door {name} op {when}"
    return _("recorded by {name} on {when}").format(
        name=_one_line(decision.by), when=_moment(decision.at))


def _decisions_title() -> str:
    # TRANSLATORS: section of the meeting minutes, Dutch "Besluiten"
    return _("Decisions")


def _new_actions_title() -> str:
    # TRANSLATORS: section of the meeting minutes, Dutch "Nieuwe actieafspraken"
    return _("New action agreements")


def _updated_actions_title() -> str:
    # TRANSLATORS: section of the meeting minutes, Dutch "Bijgewerkte acties"
    return _("Updated actions")


def _analysis_title() -> str:
    # TRANSLATORS: section of the meeting minutes, Dutch "Kernpunten operationele analyse"
    return _("Key points of the operational analysis")


# --- text hygiene -----------------------------------------------------------------------

# Characters XML 1.0 cannot hold (so neither can a .docx), and lone surrogates.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _clean(text: str | None) -> str:
    return _ILLEGAL.sub("", text) if text else ""


def _one_line(text: str | None) -> str:
    """Field values (names, codes, what) on one line: a line break inside would split the
    line-based message layout."""
    return " ".join(_clean(text).split())


def _esc(text: str) -> str:
    """Escape for Telegram's HTML parse mode (quotes need no escaping outside attributes)."""
    return html.escape(text, quote=False)


def _inline(text: str | None) -> str:
    return _esc(_one_line(text))


def _html_lines(text: str | None) -> list[str]:
    """Escaped lines of a free text; its own line breaks are kept, blank lines dropped."""
    lines = (" ".join(line.split()) for line in _clean(text).splitlines())
    return [_esc(line) for line in lines if line] or [""]


def _u16(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji can count as two)."""
    return len(text.encode("utf-16-le")) // 2


# --- grouping ---------------------------------------------------------------------------

Group = tuple[str, tuple[AgendaAction, ...]]
# The field an action line shows besides code and period: the one its group is not named by.
Shown = Literal["area", "partner"]


def group_by_partner(
    actions: Iterable[AgendaAction], order: Sequence[str] = ()
) -> list[Group]:
    """Partners in the order of ``order`` (the invited participants), then the others in
    order of appearance, actions without a partner last; actions keep the caller's order."""
    groups: dict[str, list[AgendaAction]] = {_one_line(name): [] for name in order}
    for action in actions:
        groups.setdefault(_one_line(action.partner), []).append(action)
    nameless = groups.pop("", [])
    result = [(name, tuple(items)) for name, items in groups.items() if items]
    if nameless:
        result.append((_no_partner(), tuple(nameless)))
    return result


def group_by_area(actions: Iterable[AgendaAction]) -> list[Group]:
    """Areas in order of appearance; actions without an area last, as "Whole project"."""
    groups: dict[str, list[AgendaAction]] = {}
    for action in actions:
        groups.setdefault(_one_line(action.area), []).append(action)
    whole = groups.pop("", [])
    result = [(name, tuple(items)) for name, items in groups.items()]
    if whole:
        result.append((_whole_project(), tuple(whole)))
    return result


def attendance_rows(
    participants: Sequence[str], attendance: Iterable[tuple[str, bool | None]]
) -> list[tuple[str, bool | None]]:
    """Every invited partner (present / absent / not known yet), then partners recorded as
    attending without having been invited."""
    known: dict[str, bool | None] = {}
    for name, present in attendance:
        known[_one_line(name)] = present
    invited = list(dict.fromkeys(_one_line(name) for name in participants))
    rows = [(name, known.get(name)) for name in invited]
    rows += [(name, present) for name, present in known.items() if name not in invited]
    return [(name, present) for name, present in rows if name]


def _attendance_icon(present: bool | None) -> str:
    if present is None:
        return UNKNOWN_ICON
    return PRESENT_ICON if present else ABSENT_ICON


# --- Telegram messages ------------------------------------------------------------------

@dataclass(frozen=True)
class _Line:
    html: str
    context: tuple[str, ...] = ()  # the headings this line sits under (repeated on a new part)
    keep_with_next: bool = False   # a heading: never the last line of a part


class _Lines:
    """Collects message lines and remembers under which headings each one sits."""

    def __init__(self) -> None:
        self.lines: list[_Line] = []
        self._stack: list[str] = []

    def heading(self, text: str, level: int, *, blank: bool = True) -> None:
        del self._stack[level - 1:]
        if blank and level == 1 and self.lines:
            self.lines.append(_Line(""))  # a blank line before each numbered item
        self.lines.append(_Line(text, tuple(self._stack), keep_with_next=True))
        self._stack.append(text)

    def add(self, text: str) -> None:
        self.lines.append(_Line(text, tuple(self._stack)))

    def bullets(self, texts: Sequence[str]) -> None:
        if not texts:
            self.placeholder()
        for text in texts:
            first, *rest = _html_lines(text)
            self.add(f"• {first}")
            for line in rest:
                self.add(f"   {line}")

    def placeholder(self) -> None:
        self.add(f"<i>{_esc(_nothing_yet())}</i>")

    def parts(self, limit: int = MESSAGE_LIMIT) -> list[str]:
        return pack_lines(self.lines, limit)


def _action_lines(action: AgendaAction, *, show: Shown) -> list[str]:
    """``⏳ <b>A12</b> · wk 48-49 · Gebied X — extra ronde <i>(2 weeks overdue)</i>``, then
    the reason, the results and the effect sentence on indented lines. ``show`` is the
    field that is not already the group heading: "area" or "partner"."""
    icon = STATUS_ICONS.get(action.status, "•")
    parts = [f"{icon} <b>{_inline(action.code)}</b>"]
    for value in (action.period, action.area if show == "area" else action.partner):
        if _one_line(value):
            parts.append(_inline(value))
    line = " · ".join(parts) + f" — {_inline(action.what)}"
    if action.status == "open" and action.overdue_weeks > 0:
        line += f" <i>({_esc(_overdue_text(action.overdue_weeks))})</i>"
    lines = [line]
    if action.status in ("not_done", "cancelled") or _one_line(action.reason):
        status = f"<i>{_esc(_status_label(action.status))}</i>"
        reason = _inline(action.reason)
        lines.append(f"   ↳ {status}: {reason}" if reason else f"   ↳ {status}")
    for result in action.results:
        first, *rest = _html_lines(result)
        if first:
            lines.append(f"   ↳ {first}")
            lines.extend(f"      {more}" for more in rest)
    if _one_line(action.effect):
        lines.append(f"   💡 <i>{_inline(action.effect)}</i>")
    return lines


def _action_groups(out: _Lines, groups: list[Group], *, show: Shown, level: int) -> None:
    if not groups:
        out.placeholder()
    for title, actions in groups:
        out.heading(f"<u>{_esc(title)}</u>", level)
        for action in actions:
            for line in _action_lines(action, show=show):
                out.add(line)


def _header_lines(
    out: _Lines, rows: Sequence[tuple[str, str]], attendance: Sequence[tuple[str, bool | None]],
    guests: Sequence[str],
) -> None:
    for label, value in rows:
        out.add(f"<b>{_esc(label)}:</b> {value}")
    out.heading(f"<b>{_esc(_label_attendance())}:</b>", 1, blank=False)
    if not attendance:
        out.add("—")
    for name, present in attendance:
        out.add(f"{_attendance_icon(present)} {_esc(name)}")
    names = [_one_line(guest) for guest in guests if _one_line(guest)]
    if names:
        out.add(f"<b>{_esc(_label_guests())}:</b> {_esc(', '.join(names))}")
    # TRANSLATORS: legend under the attendance list of the meeting agenda
    legend = _("{present} present · {absent} absent · {unknown} not known yet").format(
        present=PRESENT_ICON, absent=ABSENT_ICON, unknown=UNKNOWN_ICON)
    out.add(f"<i>{_esc(legend)}</i>")


def _title_lines(out: _Lines, icon: str, title: str, project: str, municipality: str) -> None:
    out.add(f"{icon} <b>{_esc(title)}</b>")
    place = [f"<b>{_inline(project)}</b>"] if _one_line(project) else []
    if _one_line(municipality):
        place.append(_inline(municipality))
    if place:
        out.add(" · ".join(place))


def agenda_messages(agenda: Agenda, language: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The draft agenda as Telegram HTML messages, each at most ``limit`` characters
    (:data:`WHOLE` for one part, as a text file wants it)."""
    _check_aware(agenda.meeting_at)
    with use_locale(language):
        out = _Lines()
        _title_lines(out, "📋", _agenda_title(agenda.meeting_at), agenda.project,
                     agenda.municipality)
        invited = ", ".join(_one_line(name) for name in agenda.participants if _one_line(name))
        to = _participants_text() + (f": {invited}" if invited else "")
        _header_lines(
            out,
            [(_label_to(), _esc(to)), (_label_from(), _inline(agenda.chair) or "—"),
             (_label_date(), _esc(_meeting_when(agenda.meeting_at)))],
            attendance_rows(agenda.participants, agenda.attendance), agenda.guests,
        )
        out.heading(f"<b>{_esc(item_title('1'))}</b>", 1)
        out.bullets(agenda.announcements)
        out.heading(f"<b>{_esc(item_title('2'))}</b>", 1)
        _action_groups(out, group_by_partner(agenda.feedback, agenda.participants),
                       show="area", level=2)
        if agenda.field_work:
            out.heading(f"<b>{_esc(_field_work_title())}</b>", 2)
            out.bullets(agenda.field_work)
        out.heading(f"<b>{_esc(item_title('3'))}</b>", 1)
        out.heading(f"<b>{_esc(item_title('3a'))}</b>", 2)
        if _one_line(agenda.goal):
            out.add(f"🎯 {_inline(agenda.goal)}")
        if agenda.analysis or not _one_line(agenda.goal):
            out.bullets(agenda.analysis)
        out.heading(f"<b>{_esc(item_title('3b'))}</b>", 2)
        out.bullets(agenda.tactical)
        out.heading(f"<b>{_esc(item_title('4'))}</b>", 1)
        _action_groups(out, group_by_area(agenda.agreements), show="partner", level=2)
        out.heading(f"<b>{_esc(item_title('5'))}</b>", 1)
        out.bullets(agenda.escalations)
        out.heading(f"<b>{_esc(item_title('6'))}</b>", 1)
        out.bullets(agenda.decisions)
        return out.parts(limit)


def _decision_lines(out: _Lines, decisions: Sequence[Decision]) -> None:
    if not decisions:
        out.placeholder()
    for number, decision in enumerate(decisions, start=1):
        first, *rest = _html_lines(decision.text)
        out.add(f"{number}. {first}")
        for line in rest:
            out.add(f"   {line}")
        out.add(f"   <i>{_esc(_recorded_by(decision))}</i>")


def minutes_messages(minutes: Minutes, language: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The minutes as Telegram HTML messages: decisions first (what people look for), then
    the points for the tactical meeting, the new and updated actions and the analysis; each
    at most ``limit`` characters (:data:`WHOLE` for one part)."""
    _check_aware(minutes.meeting_at)
    with use_locale(language):
        out = _Lines()
        _title_lines(out, "📝", _minutes_title(minutes.meeting_at), minutes.project,
                     minutes.municipality)
        _header_lines(
            out,
            [(_label_date(), _esc(_meeting_when(minutes.meeting_at))),
             (_label_chair(), _inline(minutes.chair) or "—")],
            attendance_rows((), minutes.attendance), minutes.guests,
        )
        out.heading(f"<b>{_esc(_decisions_title())}</b>", 1)
        _decision_lines(out, minutes.decisions)
        out.heading(f"<b>{_esc(item_text('5'))}</b>", 1)
        _decision_lines(out, minutes.escalations)
        out.heading(f"<b>{_esc(_new_actions_title())}</b>", 1)
        _action_groups(out, group_by_area(minutes.new_actions), show="partner", level=2)
        out.heading(f"<b>{_esc(_updated_actions_title())}</b>", 1)
        order = [name for name, _present in minutes.attendance]
        _action_groups(out, group_by_partner(minutes.updated_actions, order), show="area",
                       level=2)
        out.heading(f"<b>{_esc(_analysis_title())}</b>", 1)
        out.bullets(minutes.analysis)
        return out.parts(limit)


# --- splitting into messages ------------------------------------------------------------

# A tag, an entity, a run of white space, a word, or a stray character.
_TOKEN = re.compile(r"</?[a-z]+>|&#?\w+;|\s+|[^\s<&]+|[<&]")


def _take(text: str, room: int) -> str:
    """The longest prefix of ``text`` within ``room`` UTF-16 units (at least one character,
    so that splitting always makes progress)."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > room:
            return text[: max(index, 1)]
    return text


def split_line(line: str, limit: int) -> list[str]:
    """Cut one over-long HTML line into pieces of at most ``limit`` UTF-16 units, at white
    space where possible; tags open at a cut are closed and reopened, so every piece is
    balanced on its own. Entities are never cut."""
    if _u16(line) <= limit:
        return [line]
    pieces: list[str] = []
    stack: list[str] = []
    current, size, has_text = "", 0, False

    def closing() -> str:
        return "".join(f"</{tag}>" for tag in reversed(stack))

    for token in _TOKEN.findall(line):
        if token.startswith("</"):
            if stack:
                stack.pop()
            current, size = current + token, size + len(token)
            continue
        if token.startswith("<") and token.endswith(">"):
            stack.append(token[1:-1])
            current, size = current + token, size + len(token)
            continue
        while token:
            if not has_text and token.isspace():
                break  # no white space at the start of a piece
            room = limit - size - _u16(closing())
            length = _u16(token)
            if length <= room:
                current, size, has_text = current + token, size + length, True
                break
            if has_text:
                pieces.append(current + closing())
                current = "".join(f"<{tag}>" for tag in stack)
                size, has_text = len(current), False
                continue
            # A single word longer than a whole message: cut it.
            head = token if token.startswith("&") else _take(token, room)
            current, size, has_text = current + head, size + _u16(head), True
            token = token[len(head):]
    pieces.append(current + closing())
    return pieces


def _continued(context: Sequence[str], limit: int) -> list[str]:
    """The headings repeated at the top of a part that continues an item."""
    # TRANSLATORS: a heading repeated at the top of the next message, Dutch "{heading} (vervolg)"
    template = _esc(_("{heading} (continued)"))
    lines = [template.format(heading=heading) for heading in context]
    # Pathologically long headings are not repeated: the content must still fit.
    return lines if sum(_u16(line) + 1 for line in lines) <= limit // 2 else []


def _following(lines: Sequence[_Line], start: int) -> int:
    """Room the headings from ``start`` on need with the first line they introduce."""
    need = 0
    for line in lines[start:]:
        need += _u16(line.html) + 1
        if not line.keep_with_next:
            break
    return need


def pack_lines(lines: Sequence[_Line], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Whole lines into messages of at most ``limit`` UTF-16 units. A heading is not left
    at the end of a message; a message that continues an item starts with that item's
    heading(s) marked "(continued)"; an over-long line is cut by :func:`split_line`."""
    parts: list[str] = []
    current: list[str] = []
    size = 0

    def add(text: str) -> None:
        nonlocal size
        size += _u16(text) + (1 if current else 0)
        current.append(text)

    def flush() -> None:
        nonlocal size
        while current and not current[-1]:
            current.pop()
        if current:
            parts.append("\n".join(current))
        current.clear()
        size = 0

    for index, line in enumerate(lines):
        repeated = _continued(line.context, limit)
        reserved = sum(_u16(text) + 1 for text in repeated)
        pieces = split_line(line.html, limit - reserved)
        for number, piece in enumerate(pieces):
            need = _u16(piece) + 1
            if line.keep_with_next and number == len(pieces) - 1:
                need += _following(lines, index + 1)
            if current and size + need > limit:
                flush()
            if not current:
                if not piece:
                    continue  # no blank line at the top of a message
                for text in repeated:
                    add(text)
            add(piece)
    flush()
    return parts or [""]


# --- Word documents ---------------------------------------------------------------------

_LANGUAGE_TAGS = {"nl": "nl-NL", "en": "en-GB"}
_CHECKED, _UNCHECKED = "☒", "☐"
_HEADER_FILL = "D9D9D9"
_TEXT_WIDTH_CM = 17.0  # A4 with 2 cm margins


def _yes() -> str:
    # TRANSLATORS: attendance column of the agenda (appendix 3), Dutch "ja"
    return pgettext("attendance", "yes")


def _no() -> str:
    # TRANSLATORS: attendance column of the agenda (appendix 3), Dutch "nee"
    return pgettext("attendance", "no")


def _guest_row_text(name: str) -> str:
    # TRANSLATORS: guest row of the attendance table (appendix 3),
    # Dutch "Anders (gast), namelijk {name}"
    return _("Other (guest), namely: {name}").format(name=name)


def _set_language(doc: DocxDocument, tag: str) -> None:
    """Default proofing language, so Word spell-checks the agenda in its own language."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is None:
        return
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), tag)


def _new_document(language: str) -> DocxDocument:
    doc = new_document()
    section = doc.sections[0]
    # python-docx's template is US Letter; Dutch offices print on A4.
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    _set_language(doc, _LANGUAGE_TAGS.get(language, language))
    return doc


def _properties(
    doc: DocxDocument, *, title: str, subject: str, language: str, created: datetime
) -> None:
    props = doc.core_properties
    props.title = title[:255]  # the core properties allow 255 characters
    props.subject = subject[:255]
    props.author = "wijkbot"
    props.last_modified_by = "wijkbot"
    props.comments = ""  # the template says "generated by python-docx"
    props.keywords = ""
    props.language = _LANGUAGE_TAGS.get(language, language)
    props.revision = 1
    moment = created.astimezone(UTC)
    props.created = moment
    props.modified = moment


def _to_bytes(doc: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _write(cell: _Cell, text: str, *, bold: bool = False, italic: bool = False,
           new_paragraph: bool = False) -> None:
    """Text into a table cell: the cell's first (empty) paragraph, or a new one."""
    paragraph = cell.add_paragraph() if new_paragraph else cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(2)
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None


def _shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)


def _repeat_as_header(row: _Row) -> None:
    """A long table repeats its column headers on every page."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _table(doc: DocxDocument, widths: Sequence[float]) -> Table:
    table = doc.add_table(rows=0, cols=len(widths))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    return table


def _add_row(table: Table, widths: Sequence[float]) -> _Row:
    row = table.add_row()
    # Word reads the widths from the cells, not from the columns.
    for cell, width in zip(row.cells, widths, strict=True):
        cell.width = Cm(width)
    return row


def _header_row(table: Table, widths: Sequence[float], headers: Sequence[str]) -> None:
    row = _add_row(table, widths)
    for cell, text in zip(row.cells, headers, strict=True):
        _write(cell, text, bold=True)
        _shade(cell, _HEADER_FILL)
    _repeat_as_header(row)


def _docx_title(doc: DocxDocument, title: str, project: str, municipality: str) -> None:
    doc.add_heading(title, 0)
    place = ", ".join(value for value in (_one_line(project), _one_line(municipality)) if value)
    if place:
        doc.add_paragraph(place, style="Subtitle")


def _docx_header(
    doc: DocxDocument, rows: Sequence[tuple[str, str]],
    attendance: Sequence[tuple[str, bool | None]], guests: Sequence[str],
    guests_present: bool | None,
) -> None:
    """The header of appendix 3: label | value, and per partner a yes and a no column."""
    widths = (3.2, 9.0, 2.4, 2.4)
    table = _table(doc, widths)
    for label, value in rows:
        row = _add_row(table, widths)
        _write(row.cells[0], f"{label}:", bold=True)
        _write(row.cells[1].merge(row.cells[3]), value)
    entries: list[tuple[str, bool | None]] = list(attendance)
    names = [_one_line(guest) for guest in guests if _one_line(guest)]
    # Like the template, an empty guest row the chair can fill in when there are none.
    entries += [(_guest_row_text(name), guests_present) for name in names] or [
        (_guest_row_text("…"), None)]
    first = len(table.rows)
    for name, present in entries:
        row = _add_row(table, widths)
        _write(row.cells[1], name)
        _write(row.cells[2], f"{_CHECKED if present is True else _UNCHECKED} {_yes()}")
        _write(row.cells[3], f"{_CHECKED if present is False else _UNCHECKED} {_no()}")
    label = table.cell(first, 0).merge(table.cell(len(table.rows) - 1, 0))
    _write(label, f"{_label_attendance()}:", bold=True)
    doc.add_paragraph()


def _docx_placeholder(doc: DocxDocument) -> None:
    # "…" as in the template: a line the chair types over.
    doc.add_paragraph("…")


def _docx_bullets(doc: DocxDocument, texts: Sequence[str], placeholder: str = "…") -> None:
    """One bullet per text; ``placeholder`` (default: the template's "…") when none."""
    if not texts:
        doc.add_paragraph(placeholder)
    for text in texts:
        # Run text turns "\n" into line breaks, so multi-line points stay one bullet.
        doc.add_paragraph(_clean(text).strip(), style="List Bullet")


def _status_cell(cell: _Cell, action: AgendaAction) -> None:
    text = f"{STATUS_ICONS.get(action.status, '')} {_status_label(action.status)}".strip()
    if action.status == "open" and action.overdue_weeks > 0:
        text += f" ({_overdue_text(action.overdue_weeks)})"
    _write(cell, text)
    if _one_line(action.reason):
        _write(cell, _clean(action.reason).strip(), italic=True, new_paragraph=True)


def _results_cell(cell: _Cell, action: AgendaAction) -> None:
    texts = [_clean(result).strip() for result in action.results if _one_line(result)]
    for number, text in enumerate(texts):
        _write(cell, text, new_paragraph=number > 0)
    if _one_line(action.effect):
        _write(cell, _clean(action.effect).strip(), italic=True, new_paragraph=bool(texts))


_ACTION_WIDTHS = (1.6, 5.0, 2.8, 2.0, 2.6, 3.0)


def _docx_actions(doc: DocxDocument, groups: list[Group], *, show: Shown) -> None:
    """Per group (partner or area) a level-2 heading and a table of its actions."""
    if not groups:
        _docx_placeholder(doc)
    third = _("Problem area") if show == "area" else _("Partner")
    headers = (_("Action id"), _("Action (what)"), third, _("Period"),
               # TRANSLATORS: column of the action tables in the agenda, Dutch "Status"
               _("Status"), _("Results"))
    for title, actions in groups:
        doc.add_heading(title, 2)
        table = _table(doc, _ACTION_WIDTHS)
        _header_row(table, _ACTION_WIDTHS, headers)
        for action in actions:
            cells = _add_row(table, _ACTION_WIDTHS).cells
            _write(cells[0], _one_line(action.code), bold=True)
            _write(cells[1], _clean(action.what).strip())
            _write(cells[2], _one_line(action.area if show == "area" else action.partner))
            _write(cells[3], _one_line(action.period))
            _status_cell(cells[4], action)
            _results_cell(cells[5], action)
        doc.add_paragraph()


_DECISION_WIDTHS = (1.2, 9.4, 3.2, 3.2)


def _docx_decisions(doc: DocxDocument, decisions: Sequence[Decision], header: str) -> None:
    """Numbered decisions with who recorded them and when."""
    if not decisions:
        _docx_placeholder(doc)
        return
    table = _table(doc, _DECISION_WIDTHS)
    _header_row(table, _DECISION_WIDTHS, (
        # TRANSLATORS: column "number" of the decisions table in the minutes, Dutch "Nr."
        _("No."), header,
        # TRANSLATORS: column of the decisions table in the minutes, Dutch "Vastgelegd door"
        _("Recorded by"),
        # TRANSLATORS: column of the decisions table in the minutes, Dutch "Tijdstip"
        _("When"),
    ))
    for number, decision in enumerate(decisions, start=1):
        cells = _add_row(table, _DECISION_WIDTHS).cells
        _write(cells[0], f"{number}.")
        _write(cells[1], _clean(decision.text).strip())
        _write(cells[2], _one_line(decision.by))
        _write(cells[3], _moment(decision.at))
    doc.add_paragraph()


def agenda_docx(agenda: Agenda, language: str, *, generated_at: datetime | None = None) -> bytes:
    """The draft agenda as a Word document laid out like appendix 3. ``generated_at`` is
    the document's creation time (default: now)."""
    _check_aware(agenda.meeting_at)
    with use_locale(language):
        doc = _new_document(language)
        title = _agenda_title(agenda.meeting_at)
        _docx_title(doc, title, agenda.project, agenda.municipality)
        invited = ", ".join(_one_line(name) for name in agenda.participants if _one_line(name))
        _docx_header(
            doc,
            [(_label_to(), _participants_text() + (f"\n{invited}" if invited else "")),
             (_label_from(), _one_line(agenda.chair)),
             (_label_date(), _meeting_when(agenda.meeting_at))],
            attendance_rows(agenda.participants, agenda.attendance), agenda.guests,
            guests_present=None,
        )
        doc.add_heading(item_title("1"), 1)
        _docx_bullets(doc, agenda.announcements)
        doc.add_heading(item_title("2"), 1)
        # TRANSLATORS: under agenda item 2 (appendix 3),
        # Dutch "Zie actie/monitoringskader (te bespreken per partner)"
        _intro(doc, _("See the action framework (to be discussed per partner)"))
        _docx_actions(doc, group_by_partner(agenda.feedback, agenda.participants), show="area")
        if agenda.field_work:
            _intro(doc, _field_work_title())
            _docx_bullets(doc, agenda.field_work)
        doc.add_heading(item_title("3"), 1)
        doc.add_heading(item_title("3a"), 2)
        # TRANSLATORS: under agenda item 3a (appendix 3), Dutch "Kernpunten:"
        _intro(doc, _("Key points:"))
        if _one_line(agenda.goal):
            doc.add_paragraph(_clean(agenda.goal).strip(), style="List Bullet")
        if agenda.analysis or not _one_line(agenda.goal):
            _docx_bullets(doc, agenda.analysis)
        doc.add_heading(item_title("3b"), 2)
        _docx_bullets(doc, agenda.tactical)
        doc.add_heading(item_title("4"), 1)
        # TRANSLATORS: under agenda item 4 (appendix 3), Dutch "Zie actie/monitoringskader
        # (te bespreken per gebied a.d.h.v. gedeelde analyse)"
        _intro(doc, _("See the action framework (to be discussed per area, based on the "
                      "shared analysis)"))
        _docx_actions(doc, group_by_area(agenda.agreements), show="partner")
        doc.add_heading(item_title("5"), 1)
        _docx_bullets(doc, agenda.escalations)
        doc.add_heading(item_title("6"), 1)
        _docx_bullets(doc, agenda.decisions)
        _properties(doc, title=f"{title}: {_one_line(agenda.project)}",
                    subject=_one_line(agenda.municipality), language=language,
                    created=generated_at or datetime.now(UTC))
    return _to_bytes(doc)


def _intro(doc: DocxDocument, text: str) -> None:
    doc.add_paragraph().add_run(text).italic = True


def minutes_docx(
    minutes: Minutes, language: str, *, generated_at: datetime | None = None
) -> bytes:
    """The minutes as a Word document: header, decisions, points for the tactical meeting,
    new and updated actions (tables), key points of the analysis."""
    _check_aware(minutes.meeting_at)
    with use_locale(language):
        doc = _new_document(language)
        title = _minutes_title(minutes.meeting_at)
        _docx_title(doc, title, minutes.project, minutes.municipality)
        _docx_header(
            doc,
            [(_label_date(), _meeting_when(minutes.meeting_at)),
             (_label_chair(), _one_line(minutes.chair))],
            attendance_rows((), minutes.attendance), minutes.guests,
            guests_present=True,  # the guests named in the minutes were there
        )
        doc.add_heading(_decisions_title(), 1)
        # TRANSLATORS: column of the decisions table in the minutes, Dutch "Besluit"
        _docx_decisions(doc, minutes.decisions, _("Decision"))
        doc.add_heading(item_text("5"), 1)
        # TRANSLATORS: column of the table of points for the tactical meeting, Dutch "Punt"
        _docx_decisions(doc, minutes.escalations, _("Point"))
        doc.add_heading(_new_actions_title(), 1)
        _docx_actions(doc, group_by_area(minutes.new_actions), show="partner")
        doc.add_heading(_updated_actions_title(), 1)
        order = [name for name, _present in minutes.attendance]
        _docx_actions(doc, group_by_partner(minutes.updated_actions, order), show="area")
        doc.add_heading(_analysis_title(), 1)
        _docx_bullets(doc, minutes.analysis)
        _properties(doc, title=f"{title}: {_one_line(minutes.project)}",
                    subject=_one_line(minutes.municipality), language=language,
                    created=generated_at or datetime.now(UTC))
    return _to_bytes(doc)


# --- file names -------------------------------------------------------------------------

def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


_PREFIXES: dict[str, Callable[[], str]] = {
    # TRANSLATORS: start of the agenda's file name: lower case, words joined by "-",
    # Dutch "agenda"
    "agenda": lambda: pgettext("file name", "agenda"),
    # TRANSLATORS: start of the minutes' file name: lower case, words joined by "-",
    # Dutch "verslag"
    "minutes": lambda: pgettext("file name", "minutes"),
}


def document_filename(kind: str, project: str, meeting_at: datetime, language: str) -> str:
    """``agenda-veilig-wonen-oost-2026-12-07.docx`` (Dutch minutes: ``verslag-…``): a
    translated prefix, the project and the local meeting date; only ``a-z0-9-.``."""
    if kind not in _PREFIXES:
        raise ValueError(f"unknown document kind {kind!r}: 'agenda' or 'minutes'")
    with use_locale(language):
        prefix = _slug(_PREFIXES[kind]()) or kind
    name = _slug(project)[:60].strip("-")
    day = to_local(meeting_at).date().isoformat()
    return "-".join(part for part in (prefix, name, day) if part) + ".docx"


def _check_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("meeting_at must be an aware datetime")
