"""The texts buurtpreventie groups receive, and the approval request a project leader sees.

Privacy by construction: these functions only ever receive a
:class:`storage.alerts.HotspotRecord` — street and neighbourhood names, counts, dates, a
time-of-day band and modus-operandi *categories* — never an incident. The modus operandi
only selects what to look out for; its text is never shown.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

from bot.i18n import N_, _, format_day, ngettext
from charts.data import safe_street
from storage.alerts import HotspotRecord

# Look-out categories, from the modus operandi (Dutch police keys and English variants).
_LOOK_OUT: tuple[tuple[tuple[str, ...], str], ...] = (
    (("achter", "back", "tuin", "garden", "steeg", "alley"),
     N_("people in back alleys and gardens, or at back gates")),
    (("voordeur", "front", "cilinder", "cylinder", "flipper", "slot", "lock"),
     N_("people busy at front doors, for example with tools or a plastic card")),
    (("raam", "window", "ladder"),
     N_("people at windows, ladders against houses")),
    (("insluip", "sneak", "open"),
     N_("people trying door handles or walking into gardens and hallways")),
)
_LOOK_OUT_ALWAYS = N_("people looking into houses or ringing to see if anyone is home, and "
                      "cars driving slowly through the street")

_ADVICE_BY_LOOK_OUT = {
    0: N_("Lock your back gate and back door, also when you are at home."),
    1: N_("Lock the front door with the key, not just pulled shut."),
    2: N_("Close and lock windows when you go out, upstairs too; put ladders away."),
    3: N_("Do not leave doors or windows open, not even for a moment."),
}
_ADVICE_ALWAYS = (
    N_("Going out in the evening? Leave a light on, for example on a timer."),
    N_("Going away? Tell your neighbours and report your holiday to the police."),
)
_SAAR = N_("See something happening? Follow SAAR: <b>S</b>ignal, <b>A</b>larm 112, "
           "<b>A</b>pp the group, <b>R</b>eact — only after calling 112, never on your own.")

_BANDS = {
    "night": N_("mostly at night (0–6 h)"),
    "morning": N_("mostly in the morning (6–12 h)"),
    "afternoon": N_("mostly in the afternoon (12–18 h)"),
    "evening": N_("mostly in the evening (18–24 h)"),
    "various": N_("at different times of day"),
}


def clean_streets(names: Sequence[str]) -> list[str]:
    """Street names without any house number an export may have left in them, deduplicated
    in order."""
    out: list[str] = []
    for street in names:
        name = str(safe_street(street)).strip()
        if name and name not in out:
            out.append(name)
    return out


def look_out_categories(mo: Sequence[str]) -> list[int]:
    """What to look out for, from modus-operandi texts (the order of first appearance)."""
    found: list[int] = []
    for value in mo:
        text = value.casefold()
        for index, (words, _label) in enumerate(_LOOK_OUT):
            if index not in found and any(w in text for w in words):
                found.append(index)
    return found


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def streets(hotspot: HotspotRecord, limit: int = 3) -> list[str]:
    return clean_streets(hotspot.streets)[:limit]


def place(hotspot: HotspotRecord) -> str:
    names = streets(hotspot)
    buurt = hotspot.buurten[0] if hotspot.buurten else None
    if names and buurt:
        return _("{streets} ({buurt})").format(streets=_join(names), buurt=buurt)
    return _join(names) or buurt or _("your neighbourhood")


def incident_count(count: int, attempts: int) -> str:
    """``3 burglaries``, ``1 attempted burglary``, ``3 burglaries, of which 1 attempt``:
    what happened, as precisely as the counts allow."""
    if attempts <= 0:
        return ngettext("{count} burglary", "{count} burglaries", count).format(count=count)
    if attempts >= count:
        return ngettext("{count} attempted burglary", "{count} attempted burglaries",
                        count).format(count=count)
    return ngettext("{count} burglaries, of which {attempts} attempt",
                    "{count} burglaries, of which {attempts} attempts", attempts).format(
        count=count, attempts=attempts)


def alert_text(hotspot: HotspotRecord, today: date, *, updated: bool = False) -> str:
    """The alert in the current locale (HTML), short enough for a photo caption."""
    where = _esc(place(hotspot))
    lines = []
    if updated:
        lines.append("🔄 <i>" + _("Updated {date}").format(date=format_day(today, "MMMMd"))
                     + "</i>")
    lines.append("🚨 <b>" + _("Burglary alert: {place}").format(place=where) + "</b>")
    n = hotspot.n_incidents
    if hotspot.kind == "above_expected":
        lines.append(ngettext(
            "In the past two weeks there was {count} burglary in {place}; usually there are "
            "at most {high}.",
            "In the past two weeks there were {count} burglaries in {place}; usually there are "
            "at most {high}.", n).format(count=n, place=where, high=hotspot.expected_high or 0))
    else:
        days = (today - hotspot.first_day).days + 1
        lines.append(ngettext(
            "In the past {days} days there was {incidents} in {place}.",
            "In the past {days} days there were {incidents} in {place}.",
            n).format(days=max(days, 1), incidents=incident_count(n, hotspot.n_attempts),
                      place=where))
        lines.append(_("Burglars often come back to the same area: the risk stays raised until "
                       "{date}.").format(date=format_day(hotspot.expires_on, "MMMMd")))
    if hotspot.band in _BANDS:
        lines.append("🕘 " + _("When: {band}.").format(band=_(_BANDS[hotspot.band])))
    # The hotspot keeps look-out categories (see bot.alerts), never the MO text.
    categories = [int(c) for c in hotspot.mo if c.isdigit() and int(c) < len(_LOOK_OUT)]
    look = [_(_LOOK_OUT[i][1]) for i in categories] or [_(_LOOK_OUT_ALWAYS)]
    lines.append("👀 <b>" + _("Look out for") + "</b>: " + "; ".join(look) + ".")
    advice = [_(_ADVICE_BY_LOOK_OUT[i]) for i in categories[:2]]
    if not advice:
        advice = [_(_ADVICE_BY_LOOK_OUT[0])]
    advice += [_(a) for a in _ADVICE_ALWAYS]
    lines.append("✅ <b>" + _("What you can do") + "</b>")
    lines += ["• " + a for a in advice]
    lines.append("📞 " + _(_SAAR))
    return "\n".join(lines)


def follow_up_text(hotspot: HotspotRecord) -> str:
    return "✅ " + _("The period of increased burglary risk around {place} has ended. Thank you "
                     "for keeping an eye out!").format(place=_esc(place(hotspot)))


def approval_text(hotspot: HotspotRecord, groups: Sequence[str], preview: str) -> str:
    heading = "<b>" + _("An alert is waiting for your approval") + "</b>"
    to = ngettext("It goes to {count} neighbourhood watch group: {groups}.",
                  "It goes to {count} neighbourhood watch groups: {groups}.",
                  len(groups)).format(count=len(groups), groups=_esc(_join(list(groups))))
    return f"{heading}\n{to}\n\n{preview}"


def band_label(band: str | None) -> str | None:
    return _(_BANDS[band]) if band in _BANDS else None
