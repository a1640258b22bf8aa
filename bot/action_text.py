"""How actions read in a chat: the action card, list lines, status and reminder texts.

Pure functions of the stored records and the current locale (HTML for Telegram).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

from bot.actions import OpenPage, StatusReport
from bot.i18n import N_, _, format_datetime, format_day, format_number, ngettext
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


def card(action: Action, today: date, history: Sequence[HistoryEntry] = ()) -> str:
    """The full action card; with ``history``, who changed what and when."""
    lines = [f"<b>{action.code}</b>" + (f" · {esc(action.area_name)}" if action.area_name
                                           else ""),
             f"<b>{esc(action.what)}</b>"]
    if action.problem:
        lines.append(_("Problem: {text}").format(text=esc(action.problem)))
    if action.aim:
        lines.append(_("Aim: {text}").format(text=esc(action.aim)))
    if action.type or action.target:
        lines.append(_("Type: {type} · target: {target}").format(
            type=type_label(action.type), target=target_label(action.target)))
    period = esc(format_period(period_of(action)))
    weeks = weeks_overdue(action.period_end, today)
    if weeks and action.is_open:
        period += f" — <i>{overdue_text(weeks)}</i>"
    lines.append(_("Period: {period}").format(period=period))
    if action.capacity:
        lines.append(_("Capacity: {text}").format(text=esc(action.capacity)))
    if action.notes:
        lines.append(_("Notes: {text}").format(text=esc(action.notes)))
    if action.expected_effect:
        lines.append(_("Expected effect: {when}").format(
            when=esc(format_effect(action.expected_effect))))
    lines.append(_("<b>Partners</b>"))
    if not action.partners:
        lines.append("• " + _("no responsible partner yet"))
    for partner in action.partners:
        status = status_label(partner.status)
        if partner.reason:
            status += f": {esc(partner.reason)}"
        lines.append(f"{_STATUS_ICON.get(partner.status, '•')} {esc(partner.name)} — {status}")
    if action.results:
        lines.append(_("<b>Results</b>"))
        for result in action.results:
            who = f" ({esc(result.partner_name)})" if result.partner_name else ""
            lines.append(f"• {esc(result.text)}{who}")
    if history:
        lines.append(_("<b>History</b>"))
        for entry in history:
            lines.append("• " + history_line(entry))
    return "\n".join(lines)


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
        when=when, who=who, field=name, old=esc(entry.old or "—"), new=esc(entry.new or "—"))


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
