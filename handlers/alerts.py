"""Hotspots and buurtpreventie alerts in chat: ``/hotspots`` for members, ``/waarschuwingen``
for the project leader (automatic or approval first, radius, period, follow-up, map), the
approve / do-not-send buttons, and the daily detection job."""

from __future__ import annotations

import logging
import re
from datetime import time

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler

from bot.access import Access
from bot.alert_text import band_label, incident_count, place
from bot.commands import CB, Cmd
from bot.context import WijkApp, WijkContext
from bot.errors import UserError
from bot.i18n import N_, _, format_day, format_number, format_window, ngettext
from bot.permissions import Permission
from charts.text import fmt_interval
from handlers.common import (
    Command,
    command_text,
    edit_or_reply,
    esc,
    guard,
    keyboard,
    reply,
    reply_paged,
    schedule_daily,
)
from storage.alerts import AlertSettings

log = logging.getLogger(__name__)

JOB = "hotspots-daily"
DAILY_AT = time(7, 0)

_STATUS = {
    "queued": N_("sent"),
    "awaiting": N_("waiting for approval"),
    "suppressed": N_("held back (an alert about this area went out recently)"),
    "rejected": N_("not sent (decided by the project leader)"),
    "ended": N_("ended"),
}
_KINDS = {"near_repeat": N_("near-repeat zone"), "above_expected": N_("more than expected")}
# Words for /waarschuwingen <setting> <value> (Dutch and English).
_SETTING_WORDS = {
    "straal": "radius_m", "radius": "radius_m", "dagen": "window_days", "days": "window_days",
    "interval": "min_interval_h", "nabericht": "follow_up", "followup": "follow_up",
    "kaart": "with_map", "map": "with_map",
}
_MODE_WORDS = {"auto": "auto", "automatisch": "auto", "automatic": "auto",
               "goedkeuring": "approval", "approval": "approval"}
_ON = {"aan", "on", "ja", "yes"}
_OFF = {"uit", "off", "nee", "no"}


# -- /hotspots ------------------------------------------------------------------------------


@guard(Permission.VIEW_HOTSPOTS)
async def hotspots_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    views = await context.alerts.current(access.user_id, access.project_id, access.chat_kind)
    if not views:
        await reply(update, _("There are no zones of raised burglary risk right now."))
        return
    lines = ["<b>" + ngettext("{count} zone of raised burglary risk",
                              "{count} zones of raised burglary risk", len(views)).format(
        count=format_number(len(views))) + "</b>"]
    for view in views:
        h = view.hotspot
        lines.append("")
        lines.append("📍 <b>" + esc(place(h)) + "</b> — " + _(_KINDS[h.kind]))
        # Babel's interval: "16 nov" for one day, "11–16 nov", "30 okt – 16 nov".
        lines.append(incident_count(h.n_incidents, h.n_attempts) + ", "
                     + fmt_interval(h.first_day, h.last_day, "MMMd"))
        band = band_label(h.band)
        if band:
            lines.append("🕘 " + band)
        lines.append(_("Raised risk until {date}").format(date=format_day(h.expires_on, "MMMMd")))
        for title, status, linked in view.alerts:
            group = esc(title) if linked else _("{group} (no longer linked)").format(
                group=esc(title))
            lines.append("   → " + _("{group}: {status}").format(group=group,
                                                                 status=_(_STATUS[status])))
        for row in view.incidents or []:
            address = " ".join(p for p in (row["street"], row["house_number"]) if p)
            # The time window as the police registered it, as /incidenten shows it.
            lines.append("   • " + esc(address) + " — "
                         + format_window(row["occurred_from"], row["occurred_to"]))
    await reply_paged(update, context, lines)


# -- /waarschuwingen ----------------------------------------------------------------------


def _settings_text(settings: AlertSettings, project: str) -> str:
    mode = (_("automatic: alerts go out as soon as a zone is found") if settings.mode == "auto"
            else _("approval first: you get each alert to approve"))
    on, off = _("on"), _("off")
    return "\n".join([
        "<b>" + _("Neighbourhood watch alerts — {project}").format(project=esc(project))
        + "</b>",
        _("Sending: {mode}").format(mode=mode),
        _("Near-repeat zone: {radius} m around a burglary, for {days} days").format(
            radius=format_number(settings.radius_m), days=format_number(settings.window_days)),
        _("At most one alert per area every {hours} hours").format(
            hours=format_number(settings.min_interval_h)),
        _("Follow-up when a zone ends: {state}").format(
            state=on if settings.follow_up else off),
        _("Small map with the alert: {state}").format(state=on if settings.with_map else off),
    ])


def _settings_buttons(settings: AlertSettings, project_id: int) -> list[list[tuple[str, str]]]:
    """The buttons name their project: pressed later, with another project selected in
    the chat, they still change the project the card shows."""
    toggle = (_("Switch to approval first") if settings.mode == "auto"
              else _("Switch to automatic"))
    data = f"{CB.ALERT_SETTINGS}:{project_id}"
    return [[(toggle, f"{data}:mode")],
            [(_("Follow-up on/off"), f"{data}:follow_up"),
             (_("Map on/off"), f"{data}:with_map")]]


async def _settings_card(update: Update, context: WijkContext, project_id: int,
                         settings: AlertSettings, *, edit: bool = False) -> None:
    project = await context.repos.projects.get(project_id)
    text = _settings_text(settings, project.name if project else "")
    markup = keyboard(_settings_buttons(settings, project_id))
    if edit:
        await edit_or_reply(update, text, markup=markup)
    else:
        await reply(update, text, markup=markup)


def parse_settings(text: str) -> dict[str, object]:
    """``approval``, ``radius 300``, ``days 21 interval 48``, ``followup off``; also with
    the separators the usage shows (``radius 200 | days 14``, commas)."""
    words = [word for word in re.split(r"[\s|,;]+", text) if word]
    changes: dict[str, object] = {}
    index = 0
    while index < len(words):
        word = words[index].casefold().replace("-", "")
        if word in _MODE_WORDS:
            changes["mode"] = _MODE_WORDS[word]
            index += 1
            continue
        key = _SETTING_WORDS.get(word)
        if key is None:
            raise UserError(N_("I do not understand “{word}”."), word=words[index])
        if index + 1 >= len(words):
            raise UserError(N_("Write a value after “{word}”."), word=words[index])
        value = words[index + 1].casefold()
        if key in ("follow_up", "with_map"):
            if value not in _ON | _OFF:
                raise UserError(N_("Write on or off after “{word}”."), word=words[index])
            changes[key] = value in _ON
        else:
            # A sign is read, so "-5" gets the range it is outside of, not "not a number".
            if not re.fullmatch(r"[-+]?\d+", value):
                raise UserError(N_("“{value}” is not a whole number."), value=words[index + 1])
            changes[key] = int(value)
        index += 2
    return changes


@guard(Permission.MANAGE_ALERTS)
async def alerts_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    text = command_text(update)
    if text:
        settings = await context.alerts.configure(access.user_id, access.project_id,
                                                  access.chat_kind, **parse_settings(text))
    else:
        settings = await context.alerts.settings(access.user_id, access.project_id,
                                                 access.chat_kind)
    await _settings_card(update, context, access.project_id, settings)


@guard(Permission.HELP, needs_project=False)  # the service checks MANAGE_ALERTS on the project
async def settings_button(update: Update, context: WijkContext, access: Access) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and access.user_id is not None
    parts = query.data.split(":")
    if len(parts) != 3 or not parts[1].isdigit():
        # A card from before the buttons named their project: which one is unknown.
        raise UserError(N_("These buttons are out of date. Send /alerts again."))
    project_id, which = int(parts[1]), parts[2]
    current = await context.alerts.settings(access.user_id, project_id, access.chat_kind)
    if which == "mode":
        change: dict[str, object] = {"mode": "approval" if current.mode == "auto" else "auto"}
    elif which in ("follow_up", "with_map"):
        change = {which: not getattr(current, which)}
    else:
        await query.answer()
        return
    settings = await context.alerts.configure(access.user_id, project_id, access.chat_kind,
                                              **change)
    await query.answer(_("Saved."))
    await _settings_card(update, context, project_id, settings, edit=True)


# -- approval -----------------------------------------------------------------------------


@guard(Permission.HELP, needs_project=False)  # the service checks MANAGE_ALERTS on the project
async def decision_button(update: Update, context: WijkContext, access: Access) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and access.user_id is not None
    try:
        _prefix, verdict, hotspot_id = query.data.split(":")
        hotspot = await context.repos.alerts.hotspot(int(hotspot_id))
    except ValueError:
        await query.answer()
        return
    if hotspot is None:
        raise UserError(N_("This alert no longer exists."))
    project_id = await context.repos.alerts.project_of(int(hotspot_id))
    changed, record, queued = await context.alerts.decide(
        access.user_id, project_id, int(hotspot_id), access.chat_kind, send=verdict == "ok")
    await query.answer()
    if not changed:
        note = _("Someone already decided about this alert.")
    elif verdict == "ok" and queued:
        note = _("Approved: the alert is being sent.")
    elif verdict == "ok" and record.status != "active":
        note = _("Approved, but this zone has ended meanwhile, so nothing is sent.")
    elif verdict == "ok":
        note = _("Approved, but nothing is sent now: an alert about this area went out "
                 "recently, or no buurtpreventie group covers it any more. /hotspots shows "
                 "where it stands.")
    else:
        note = _("The alert will not be sent.")
    # Keep the preview, add the decision, drop the buttons (one decision per alert).
    message = query.message
    original = message.text_html if isinstance(message, Message) and message.text else ""
    await edit_or_reply(update, f"{original}\n\n<b>{note}</b>" if original else note)


# -- the daily detection ------------------------------------------------------------------


async def detect_all(context: WijkContext) -> int:
    """Refresh hotspots and alerts of every project; returns the number of alerts queued."""
    queued = 0
    for project in await context.repos.projects.list_all():
        try:
            report = await context.alerts.refresh(project.id)
        except Exception:  # one broken project must not stop the others
            log.exception("hotspot detection failed for project %s", project.id)
            continue
        queued += report.queued
    return queued


async def daily_job(context: WijkContext) -> None:
    await detect_all(context)


def schedule(app: WijkApp) -> None:
    # The catch-up run: zones that expired (or began) while the bot was down.
    schedule_daily(app, daily_job, DAILY_AT, JOB, catch_up_name=JOB + "-start",
                   catch_up_after=1)


def register(app: WijkApp) -> None:
    app.add_handler(Command(Cmd.HOTSPOTS, hotspots_command))
    app.add_handler(Command(Cmd.ALERTS, alerts_command))
    app.add_handler(CallbackQueryHandler(settings_button, pattern=rf"^{CB.ALERT_SETTINGS}:"))
    app.add_handler(CallbackQueryHandler(decision_button, pattern=rf"^{CB.ALERT}:(ok|no):"))
