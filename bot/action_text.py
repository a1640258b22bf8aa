"""How actions read in a chat: the action card, list lines, status and reminder texts.

Pure functions of the stored records and the current locale (HTML for Telegram).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date

from bot.actions import OpenPage, StatusReport
from bot.i18n import N_, _, format_date, format_datetime, format_day, format_number, ngettext
from bot.interventions import BY_KEY
from bot.periods import Period, format_effect, format_period, weeks_overdue
from storage.actions import Action, HistoryEntry
from storage.db import parse_utc

_STATUS = {"open": N_("open"), "done": N_("done"), "not_done": N_("not done"),
           "cancelled": N_("cancelled")}
_STATUS_ICON = {"open": "⏳", "done": "✅", "not_done": "✖️", "cancelled": "🚫"}
_TYPE = {"preventie": N_("prevention"), "proactie": N_("proaction"),
         "repressie": N_("repression"), "nazorg": N_("aftercare")}
_TARGET = {"dader": N_("offender"), "slachtoffer": N_("victim"), "domein": N_("place")}
_FIELD = {"created": N_("created"), "what": N_("action"), "problem": N_("problem"),
          "aim": N_("aim"), "type": N_("type"), "target": N_("target"),
          "period_start": N_("period start"), "period_end": N_("period end"),
          "capacity": N_("capacity"), "notes": N_("notes"),
          "expected_effect": N_("expected effect"), "area_id": N_("area"),
          "result": N_("result"), "partner": N_("partner")}


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def status_label(status: str) -> str:
    return _(_STATUS.get(status, status))


def status_icon(status: str | None) -> str:
    return _STATUS_ICON.get(status or "", "•")


def type_label(value: str | None) -> str:
    return _(_TYPE[value]) if value in _TYPE else "—"


def target_label(value: str | None) -> str:
    return _(_TARGET[value]) if value in _TARGET else "—"


def intervention_label(key: str) -> str:
    return _(BY_KEY[key].label)


def period_of(action: Action) -> Period | None:
    if action.period_start is None or action.period_end is None:
        return None
    return Period(action.period_start, action.period_end)


def overdue_text(weeks: int) -> str:
    return ngettext("{count} week overdue", "{count} weeks overdue", weeks).format(
        count=format_number(weeks))


def action_line(action: Action, today: date, *, overdue: int | None = None) -> str:
    """One line for lists: ``A12 · wk 48-49 · Oostbroek — extra avondronde (2 weeks overdue)``."""
    weeks = weeks_overdue(action.period_end, today) if overdue is None else overdue
    parts = [f"<b>{action.code}</b>", esc(format_period(period_of(action)))]
    if action.area_name:
        parts.append(esc(action.area_name))
    line = " · ".join(parts) + f" — {esc(action.what)}"
    if weeks and action.is_open:
        line += f" <i>({overdue_text(weeks)})</i>"
    return line


# A card and its buttons are one message: at most 4096 characters after the HTML is
# parsed. The margin leaves room for the line under the card and for the tags.
CARD_LIMIT = 3700
# Free text on a card that is still too long after trimming its lists is cut to this.
_SHORT_FIELD = 300
# Room for a "… n earlier entries not shown" line.
_NOTE_ROOM = 60


def card(action: Action, today: date, history: Sequence[HistoryEntry] = (), *,
         limit: int = CARD_LIMIT) -> str:
    """The full action card; with ``history``, who changed what and when.

    It always fits in one message (so its buttons work): when it would not, the oldest
    results and history entries give way first (a line says how many), then long texts
    are shortened.
    """
    results = [f"• {esc(r.text)}" + (f" ({esc(r.partner_name)})" if r.partner_name else "")
               for r in action.results]
    changes = ["• " + history_line(entry) for entry in history]
    text = _compose(action, today, results, changes, shorten=False)
    if len(text) <= limit:
        return text
    # Leave out the oldest entries of the longer list, one at a time, until the card fits
    # (by length, so the card is composed once more, not once per entry); the latest
    # entry of each list stays. Each list that loses entries gets a note line.
    excess = len(text) - limit + 2 * _NOTE_ROOM
    shown_results, shown_changes = len(results), len(changes)
    while excess > 0 and max(shown_results, shown_changes) > 1:
        if shown_changes >= shown_results:
            excess -= len(changes[len(changes) - shown_changes]) + 1
            shown_changes -= 1
        else:
            excess -= len(results[len(results) - shown_results]) + 1
            shown_results -= 1
    results, changes = _latest(results, shown_results), _latest(changes, shown_changes)
    text = _compose(action, today, results, changes, shorten=False)
    if len(text) > limit:
        text = _compose(action, today, results, changes, shorten=True)
    return text


def _latest(lines: list[str], shown: int) -> list[str]:
    """The last ``shown`` lines, after a note of how many earlier ones are not shown."""
    hidden = len(lines) - shown
    if not hidden:
        return lines
    note = "<i>" + ngettext("… {count} earlier entry not shown", "… {count} earlier entries "
                            "not shown", hidden).format(count=format_number(hidden)) + "</i>"
    return [note, *lines[hidden:]]


def _compose(action: Action, today: date, results: list[str], changes: list[str], *,
             shorten: bool) -> str:
    def text(value: str) -> str:
        if shorten and len(value) > _SHORT_FIELD:
            value = value[:_SHORT_FIELD].rstrip() + "…"
        return esc(value)

    lines = [f"<b>{action.code}</b>" + (f" · {esc(action.area_name)}" if action.area_name
                                           else ""),
             f"<b>{text(action.what)}</b>"]
    if action.problem:
        lines.append(_("Problem: {text}").format(text=text(action.problem)))
    if action.aim:
        lines.append(_("Aim: {text}").format(text=text(action.aim)))
    if action.type or action.target:
        lines.append(_("Type: {type} · target: {target}").format(
            type=type_label(action.type), target=target_label(action.target)))
    period = esc(format_period(period_of(action)))
    weeks = weeks_overdue(action.period_end, today)
    if weeks and action.is_open:
        period += f" — <i>{overdue_text(weeks)}</i>"
    lines.append(_("Period: {period}").format(period=period))
    if action.capacity:
        lines.append(_("Capacity: {text}").format(text=text(action.capacity)))
    if action.notes:
        lines.append(_("Notes: {text}").format(text=text(action.notes)))
    if action.expected_effect:
        lines.append(_("Expected effect: {when}").format(
            when=esc(format_effect(action.expected_effect))))
    lines.append(_("<b>Partners</b>"))
    if not action.partners:
        lines.append("• " + _("no responsible partner yet"))
    for partner in action.partners:
        status = status_label(partner.status)
        if partner.reason:
            status += f": {text(partner.reason)}"
        lines.append(f"{status_icon(partner.status)} {esc(partner.name)} — {status}")
    if results:
        lines.append(_("<b>Results</b>"))
        lines += [_shortened(line) if shorten else line for line in results]
    if changes:
        lines.append(_("<b>History</b>"))
        lines += [_shortened(line) if shorten else line for line in changes]
    if shorten:
        lines.append("<i>" + _("Long texts are shortened here; the export (/export) has them "
                               "in full.") + "</i>")
    return "\n".join(lines)


def _shortened(line: str) -> str:
    """A list line cut to a readable length without breaking an HTML tag or entity."""
    if len(line) <= _SHORT_FIELD:
        return line
    plain = html.unescape(re.sub(r"<[^>]+>", "", line))
    return esc(plain[:_SHORT_FIELD].rstrip() + "…")


def _history_value(field: str, value: str | None) -> str:
    """A stored history value as people read it: labels for codes, dates in the locale."""
    if value is None or value == "":
        return "—"
    if field == "type":
        return type_label(value)
    if field == "target":
        return target_label(value)
    if field in ("period_start", "period_end", "expected_effect"):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return esc(value)
        return esc(format_effect(day) if field == "expected_effect" else format_date(day))
    return esc(value)


def history_line(entry: HistoryEntry) -> str:
    when = format_datetime(entry.at, "short")
    who = esc(entry.user_name or "—")
    if entry.field == "created":
        return _("{when} {who}: created").format(when=when, who=who)
    if entry.field.startswith("status:"):
        partner = esc(entry.field.split(":", 1)[1])
        old = status_label(entry.old or "")
        new_status, _sep, reason = (entry.new or "").partition(": ")
        new = status_label(new_status) + (f": {esc(reason)}" if reason else "")
        return _("{when} {who}: {partner} {old} → {new}").format(
            when=when, who=who, partner=partner, old=old, new=new)
    if entry.field == "result":
        return _("{when} {who}: result “{text}”").format(when=when, who=who,
                                                         text=esc(entry.new or ""))
    if entry.field == "partner":
        return _("{when} {who}: partner {partner} added").format(
            when=when, who=who, partner=esc(entry.new or ""))
    name = _(_FIELD[entry.field]) if entry.field in _FIELD else esc(entry.field)
    return _("{when} {who}: {field} “{old}” → “{new}”").format(
        when=when, who=who, field=name, old=_history_value(entry.field, entry.old),
        new=_history_value(entry.field, entry.new))


def open_page_text(page: OpenPage) -> str:
    """One page of ``/openstaand``: partner headings with totals, then their actions."""
    lines = [ngettext("<b>{count} outstanding action</b>", "<b>{count} outstanding actions</b>",
                      page.total).format(count=format_number(page.total))]
    current: object = object()
    for row in page.rows:
        if row.partner_id != current:
            current = row.partner_id
            name, count, overdue = page.counts.get(row.partner_id, (row.partner, 0, 0))
            counts = ngettext("{count} open", "{count} open", count).format(
                count=format_number(count))
            if overdue:
                counts += ", " + ngettext("{count} overdue", "{count} overdue", overdue).format(
                    count=format_number(overdue))
            heading = esc(name) if name else _("no responsible partner")
            lines += ["", f"<b>{heading}</b> ({counts})"]
        parts = [f"<b>A{row.number}</b>", esc(format_period(row.period))]
        if row.area:
            parts.append(esc(row.area))
        line = " · ".join(parts) + f" — {esc(row.what)}"
        if row.weeks_overdue:
            line += f" <i>({overdue_text(row.weeks_overdue)})</i>"
        lines.append(line)
    if not page.total:
        lines.append(_("Nothing outstanding."))
    return "\n".join(lines)


def status_lines(report: StatusReport, project: str) -> list[str]:
    lines = [_("<b>Status of {project}</b> (done since {since})").format(
        project=esc(project), since=format_day(report.since))]
    for p in report.partners:
        last = parse_utc(p.last_activity) if p.last_activity else None
        activity = (_("last activity {when}").format(when=format_datetime(last, "short"))
                    if last else _("no activity yet"))
        lines.append(_("• <b>{partner}</b>: {open} open, {overdue} overdue, {done} done this "
                       "period — {activity}").format(
            partner=esc(p.name), open=format_number(p.open), overdue=format_number(p.overdue),
            done=format_number(p.done_recent), activity=activity))
    if report.totals:
        lines.append("")
        lines.append(_("<b>Results so far</b>"))
        for partner, unit, total, count in report.totals:
            lines.append(_("• {partner}: {total} {unit} ({results})").format(
                partner=esc(partner or "—"), total=format_number(total), unit=esc(unit or ""),
                results=ngettext("{count} result", "{count} results", count).format(
                    count=format_number(count))))
    return lines
