"""Hotspot detection and buurtpreventie alerts.

:meth:`AlertService.refresh` runs after every incident import or registration and once a
day. It finds the zones of raised risk — near-repeat zones around recent burglaries
(:mod:`charts.zones`; radius and window per project, default 200 m / 14 days) and
neighbourhoods whose last-two-week count is above the range the steering forecast expected
— stores them as hotspots, and decides per linked buurtpreventie group:

* a new zone touching the group's areas → an alert (or, in approval mode, a request to the
  project leaders first);
* at most one alert per area per ``min_interval_h`` → later zones are *suppressed* until the
  interval has passed;
* a zone that grows → the alert already sent is edited (an update, not a new alert);
* a zone that expires → an optional follow-up, as a reply to the alert.

Every message goes into the outbox in the same transaction as the decision, so a crash
loses nothing and repeats nothing (:mod:`bot.outbox`). What a group sees is built from the
hotspot record only (:mod:`bot.alert_text`): street and neighbourhood, never an incident.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.alert_text import (
    alert_text,
    approval_text,
    clean_streets,
    follow_up_text,
    look_out_categories,
)
from bot.clock import Clock
from bot.errors import UserError
from bot.i18n import N_, _, use_locale
from bot.permissions import ChatKind, Permission, can
from bot.services import ProjectService
from charts.alert_map import alert_map
from charts.data import safe_street
from charts.zones import ZoneIncident, near_repeat_zones
from storage.alerts import AlertRecord, AlertSettings, HotspotRecord
from storage.db import parse_utc
from storage.models import AreaKind, ChatPurpose, LinkedChat, Role
from storage.repositories import Repositories

log = logging.getLogger(__name__)

# Telegram photo captions hold at most 1,024 characters; longer alerts go without the map.
CAPTION_LIMIT = 1024
# A time window longer than this has no meaningful time of day.
SHORT_WINDOW = timedelta(hours=6)

MODES = ("auto", "approval")


@dataclass
class RefreshReport:
    active: int = 0
    new: int = 0
    ended: int = 0
    queued: int = 0          # alerts put into the outbox
    updated: int = 0
    suppressed: int = 0
    awaiting: int = 0
    follow_ups: int = 0


@dataclass
class HotspotView:
    """What ``/hotspots`` shows; ``incidents`` only for roles that may see detail."""

    hotspot: HotspotRecord
    # (group title, status, group still linked) for the project leader
    alerts: list[tuple[str, str, bool]] = field(default_factory=list)
    incidents: list[dict[str, Any]] | None = None


def _reached(record: HotspotRecord, groups: Sequence[LinkedChat]) -> list[LinkedChat]:
    """The buurtpreventie groups whose areas a zone touches."""
    return [g for g in groups if set(g.area_ids) & set(record.area_ids)]


class AlertService(ProjectService):
    def __init__(self, repos: Repositories, clock: Clock, tz: ZoneInfo, *,
                 default_language: str = "nl", wake: Callable[[], None] | None = None,
                 steering: Callable[..., Any] | None = None) -> None:
        super().__init__(repos, clock, tz)
        self.default_language = default_language
        self.wake = wake or (lambda: None)
        # IncidentService.steering, for "above the expected range" (None: near-repeat only).
        self.steering = steering
        self._lock = asyncio.Lock()

    # -- settings --------------------------------------------------------------------------

    async def settings(self, user_id: int, project_id: int, chat: ChatKind) -> AlertSettings:
        await self.member(user_id, project_id, Permission.VIEW_HOTSPOTS, chat)
        return await self.repos.alerts.settings(project_id)

    async def configure(self, user_id: int, project_id: int, chat: ChatKind,
                        **changes: Any) -> AlertSettings:
        await self.member(user_id, project_id, Permission.MANAGE_ALERTS, chat)
        current = await self.repos.alerts.settings(project_id)
        values: dict[str, Any] = {
            "mode": current.mode, "radius_m": current.radius_m,
            "window_days": current.window_days, "min_interval_h": current.min_interval_h,
            "follow_up": current.follow_up, "with_map": current.with_map,
        }
        limits = {"radius_m": (50, 2000), "window_days": (3, 60), "min_interval_h": (0, 720)}
        for key, value in changes.items():
            if key in limits:
                low, high = limits[key]
                if not isinstance(value, int) or not low <= value <= high:
                    raise UserError(N_("{value} is outside the range {low}–{high}."),
                                    value=value, low=low, high=high)
            elif key == "mode" and value not in MODES:
                raise UserError(N_("Choose auto or approval."))
            values[key] = value
        updated = AlertSettings(**values)
        now = self.clock.now()
        async with self.repos.db.transaction():
            await self.repos.alerts.save_settings(project_id, updated, user_id, now)
            await self.repos.audit.record(now=now, user_id=user_id, project_id=project_id,
                                          entity="alert_settings", entity_id=project_id,
                                          action="changed", detail=dict(changes))
        return updated

    # -- detection -------------------------------------------------------------------------

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    async def _zone_incidents(self, project_id: int, window_days: int) -> list[ZoneIncident]:
        start = datetime.combine(self.today() - timedelta(days=window_days + 1), time(),
                                 tzinfo=self.tz)
        out = []
        for r in await self.repos.incidents.zone_rows(project_id, start):
            begin, end = parse_utc(r["occurred_from"]), parse_utc(r["occurred_to"])
            assert begin is not None and end is not None
            short = timedelta(0) <= end - begin <= SHORT_WINDOW
            moment = begin + (end - begin) / 2 if short else begin
            out.append(ZoneIncident(
                id=r["id"], day=self._local_day(moment), x=r["x"], y=r["y"],
                # A street field may hold the house number too: zones know streets only.
                street=str(safe_street(r["street"])) if r["street"] else None,
                buurt=r["buurt"], area_id=r["area_id"],
                attempt=bool(r["attempt"]), mo=r["modus_operandi"],
                hour=moment.astimezone(self.tz).hour if short else None))
        return out

    async def _above_expected(self, project_id: int, today: date,
                              buurt_ids: dict[str, int]) -> list[HotspotRecord]:
        if self.steering is None:
            return []
        try:
            pack = await self.steering(project_id, today, language=self.default_language,
                                       render=False)
        except UserError:
            return []  # no incidents yet
        out = []
        for point in pack.key_points:
            values = point.values
            if point.kind != "above_expected" or values["level"] != "buurt":
                continue
            name = values["area"]
            streets = pack.street_table
            top = streets[(streets["buurt"] == name) & (streets["current"] > 0)]
            out.append(HotspotRecord(
                key=f"ae:{name.casefold()}", kind="above_expected",
                streets=clean_streets([str(s) for s in top["street"].head(3)]),
                buurten=[name],
                area_ids=[buurt_ids[name.casefold()]] if name.casefold() in buurt_ids else [],
                n_incidents=int(values["current"]), n_attempts=0, band=None, mo=[],
                grid_x=None, grid_y=None, first_day=today - timedelta(days=13), last_day=today,
                expires_on=today + timedelta(days=1), expected_high=int(values["high"])))
        return out

    async def detect(self, project_id: int, settings: AlertSettings,
                     existing: list[HotspotRecord]) -> list[HotspotRecord]:
        """The zones active today (not stored); ``existing``: the active stored ones."""
        today = self.today()
        areas = await self.repos.projects.areas(project_id)
        parents = {a.id: a.parent_id for a in areas}
        outlines = await self.repos.projects.outlines(project_id)
        by_name = {a.name: a.id for a in areas}
        area_outlines = {by_name[n]: poly for n, poly in outlines.items() if n in by_name}
        previous = {h.key: h.incident_ids for h in existing if h.kind == "near_repeat"}
        zones = await asyncio.to_thread(
            near_repeat_zones, await self._zone_incidents(project_id, settings.window_days),
            today, radius_m=settings.radius_m, window_days=settings.window_days,
            outlines=area_outlines, previous=previous)

        def with_ancestors(ids: list[int]) -> list[int]:
            found = set(ids)
            for area_id in ids:
                parent = parents.get(area_id)
                while parent is not None and parent not in found:
                    found.add(parent)
                    parent = parents.get(parent)
            return sorted(found)

        # Stored and shown: street names without house numbers, and only the look-out
        # category of the modus operandi (a free-text MO may name people).
        records = [HotspotRecord(
            key=z.key, kind="near_repeat", streets=clean_streets(z.streets),
            buurten=z.buurten, area_ids=with_ancestors(z.area_ids), n_incidents=z.n_incidents,
            n_attempts=z.n_attempts, band=z.band,
            mo=[str(c) for c in look_out_categories(z.mo)], grid_x=z.grid_x, grid_y=z.grid_y,
            first_day=z.first_day, last_day=z.last_day, expires_on=z.expires_on,
            incident_ids=z.incident_ids) for z in zones]
        buurt_ids = {a.name.casefold(): a.id for a in areas if a.kind is AreaKind.BUURT}
        for record in await self._above_expected(project_id, today, buurt_ids):
            record.area_ids = with_ancestors(record.area_ids)
            records.append(record)
        return records

    async def refresh(self, project_id: int) -> RefreshReport:
        """Detect, store and dispatch; safe to run at any time (idempotent per state)."""
        async with self._lock:  # one refresh at a time: imports and the daily job may meet
            report = await self._refresh(project_id)
        if report.queued or report.updated or report.follow_ups or report.awaiting:
            self.wake()
        return report

    async def _refresh(self, project_id: int) -> RefreshReport:
        settings = await self.repos.alerts.settings(project_id)
        stored = await self.repos.alerts.hotspots(project_id)
        records = await self.detect(project_id, settings, stored)
        today = self.today()
        now = self.clock.now()
        report = RefreshReport(active=len(records))
        groups = [c for c in await self.repos.chats.for_project(project_id)
                  if c.purpose is ChatPurpose.NEIGHBOURHOOD_WATCH]
        existing = {h.key: h for h in stored}
        # Maps only for zones that may produce a message now: new or grown ones.
        maps = await self._maps(project_id, [
            r for r in records if r.key not in existing
            or r.n_incidents > existing[r.key].n_incidents], settings, groups)
        recent = await self.repos.alerts.recent_alerts(
            project_id, now - timedelta(hours=settings.min_interval_h))
        async with self.repos.db.transaction():
            keys = set()
            # Zones found together compete for the per-area limit: the one with the latest
            # burglary first (its raised risk lasts longest), then the larger one.
            for record in sorted(records, key=lambda r: (r.last_day, r.n_incidents),
                                 reverse=True):
                keys.add(record.key)
                old = existing.get(record.key)
                if old is None:
                    report.new += 1
                    record.approval = "awaiting" if settings.mode == "approval" else "none"
                else:
                    record.approval = old.approval
                record.id = await self.repos.alerts.save_hotspot(project_id, record, now)
                await self._dispatch(project_id, record, settings, groups, today, now, report,
                                     maps.get(record.key, {}), recent)
            for old in existing.values():
                if old.key in keys:
                    continue
                assert old.id is not None
                expired = today >= old.expires_on or old.kind == "above_expected"
                await self.repos.alerts.end_hotspot(old.id, "ended" if expired else "merged",
                                                    now)
                report.ended += 1
                await self._end_alerts(old, settings, groups, now, report,
                                       follow_up=expired and settings.follow_up)
        return report

    async def _maps(self, project_id: int, records: list[HotspotRecord],
                    settings: AlertSettings,
                    groups: list[LinkedChat]) -> dict[str, dict[str, bytes]]:
        """A small map per zone that will be alerted, in each language of the groups it
        reaches (its legend is text): zone key → language → PNG. Rendered off the loop."""
        if not settings.with_map or not groups:
            return {}
        outlines = await self.repos.projects.outlines(project_id)
        out: dict[str, dict[str, bytes]] = {}
        for record in records:
            if record.grid_x is None and not record.buurten:
                continue
            centre = (record.grid_x, record.grid_y) if record.grid_x is not None \
                and record.grid_y is not None else None
            languages = sorted({self._language(g) for g in _reached(record, groups)})
            for language in languages:
                # The disc covers the radius plus half a grid cell: the snapped centre can
                # be up to that far from the real one.
                png = await asyncio.to_thread(
                    alert_map, centre=centre, radius_m=settings.radius_m + 125,
                    outlines=outlines, highlight=record.buurten, language=language)
                if png:
                    out.setdefault(record.key, {})[language] = png
        return out

    # -- dispatch --------------------------------------------------------------------------

    def _language(self, group: LinkedChat) -> str:
        return group.language or self.default_language

    def _payload(self, record: HotspotRecord, group: LinkedChat, today: date,
                 png: bytes | None, *, updated: bool = False) -> dict[str, Any]:
        with use_locale(self._language(group)):
            text = alert_text(record, today, updated=updated)
        payload: dict[str, Any] = {"text": text}
        if png is not None and len(text) <= CAPTION_LIMIT:
            payload["photo"] = base64.b64encode(png).decode("ascii")
        return payload

    async def _dispatch(self, project_id: int, record: HotspotRecord, settings: AlertSettings,
                        groups: list[LinkedChat], today: date, now: datetime,
                        report: RefreshReport, pngs: dict[str, bytes],
                        recent: dict[int, list[tuple[int, set[int]]]]) -> None:
        """Decide per group; ``pngs`` holds the zone's map per language; ``recent`` (group →
        hotspots alerted within the interval, with their areas) is updated as alerts are
        queued."""
        assert record.id is not None
        targets = _reached(record, groups)
        alerts = {a.linked_chat_id: a for a in await self.repos.alerts.alerts_for(record.id)}
        waiting: list[LinkedChat] = []
        sending: list[tuple[LinkedChat, AlertRecord | None]] = []
        for group in targets:
            alert = alerts.get(group.id)
            if alert is not None and alert.status in ("rejected", "ended"):
                continue
            if alert is not None and alert.status == "queued":
                if record.n_incidents > alert.n_incidents:
                    await self._update(record, group, alert, today, now,
                                       pngs.get(self._language(group)))
                    report.updated += 1
                continue
            overlap = set(group.area_ids) & set(record.area_ids)
            if any(hotspot_id != record.id and areas & overlap
                   for hotspot_id, areas in recent.get(group.id, [])):
                if alert is None:
                    await self.repos.alerts.add_alert(record.id, group.id, group.chat_id,
                                                      "suppressed", record.n_incidents, now)
                    report.suppressed += 1
                continue
            if settings.mode == "approval" and record.approval in ("awaiting", "none"):
                if record.approval == "none":
                    await self.repos.alerts.set_approval(record.id, "awaiting", None, now)
                    record.approval = "awaiting"
                if alert is None:
                    await self.repos.alerts.add_alert(record.id, group.id, group.chat_id,
                                                      "awaiting", record.n_incidents, now)
                waiting.append(group)
                continue
            if record.approval == "rejected":
                continue
            sending.append((group, alert))
            recent.setdefault(group.id, []).append((record.id, set(record.area_ids)))
            report.queued += 1
        if sending:
            if not pngs and settings.with_map:
                # Not drawn beforehand (an older zone alerting a group only now): draw it.
                pngs = (await self._maps(project_id, [record], settings, groups)).get(
                    record.key, {})
            payloads: dict[str, dict[str, Any]] = {}  # per language, the same for all groups
            for group, _alert in sending:
                language = self._language(group)
                if language not in payloads:
                    payloads[language] = self._payload(record, group, today,
                                                       pngs.get(language))
            # Written in a few statements: a burglary can touch hundreds of groups, and
            # every moment here is a moment before the first alert goes out.
            keys = {group.id: f"alert:{record.id}:{group.id}" for group, _alert in sending}
            ids = await self.repos.outbox.enqueue_many(
                [(keys[group.id], group.chat_id, payloads[self._language(group)])
                 for group, _alert in sending], now=now, project_id=project_id)
            await self.repos.alerts.queue_alerts(
                record.id, [(group.id, group.chat_id, alert.id if alert else None,
                             ids[keys[group.id]]) for group, alert in sending],
                record.n_incidents, now)
        if waiting:
            await self._ask_approval(project_id, record, waiting, today, now)
            report.awaiting += 1

    async def _update(self, record: HotspotRecord, group: LinkedChat, alert: AlertRecord,
                      today: date, now: datetime, png: bytes | None) -> None:
        """The zone grew: change the alert in place rather than sending a new one."""
        payload = self._payload(record, group, today, png, updated=True)
        original = (await self.repos.outbox.get(alert.outbox_id)
                    if alert.outbox_id is not None else None)
        if original is not None and original.status == "pending":
            payload.pop("photo", None)
            await self.repos.outbox.update_payload(original.id, original.payload | payload,
                                                   now=now)
        elif original is not None:
            await self.repos.outbox.enqueue(
                f"alert:{alert.id}:n{record.n_incidents}", group.chat_id,
                {"text": payload["text"], "edit_of": original.id,
                 "caption_only": bool(original.payload.get("photo"))},
                now=now, project_id=group.project_id, method="edit")
        await self.repos.alerts.update_alert(alert.id, now, n_incidents=record.n_incidents)

    async def _ask_approval(self, project_id: int, record: HotspotRecord,
                            groups: list[LinkedChat], today: date, now: datetime) -> None:
        from bot.commands import CB  # late: commands imports the permission catalogue

        leaders = await self.repos.members.with_role(project_id, Role.PROJECTLEIDER)
        for leader in leaders:
            language = await self.repos.users.preferred_language(leader.user_id,
                                                                 self.default_language)
            with use_locale(language):
                preview = alert_text(record, today)
                text = approval_text(record, [g.title or str(g.chat_id) for g in groups],
                                     preview)
                buttons = [[[_("Send the alert"), f"{CB.ALERT}:ok:{record.id}"],
                            [_("Do not send"), f"{CB.ALERT}:no:{record.id}"]]]
            await self.repos.outbox.enqueue(
                f"approve:{record.id}:n{record.n_incidents}:u{leader.user_id}", leader.user_id,
                {"text": text[:4096], "buttons": buttons}, now=now, project_id=project_id)

    async def _end_alerts(self, record: HotspotRecord, settings: AlertSettings,
                          groups: list[LinkedChat], now: datetime, report: RefreshReport,
                          *, follow_up: bool) -> None:
        assert record.id is not None
        by_id = {g.id: g for g in groups}
        for alert in await self.repos.alerts.alerts_for(record.id):
            if alert.status != "queued":
                if alert.status == "awaiting":
                    await self.repos.alerts.update_alert(alert.id, now, status="ended")
                continue
            follow_up_id = None
            group = by_id.get(alert.linked_chat_id)
            if follow_up and group is not None:
                with use_locale(self._language(group)):
                    text = follow_up_text(record)
                follow_up_id = await self.repos.outbox.enqueue(
                    f"followup:{alert.id}", alert.chat_id,
                    {"text": text, "reply_to": alert.outbox_id}, now=now,
                    project_id=group.project_id)
                report.follow_ups += 1
            await self.repos.alerts.update_alert(alert.id, now, status="ended",
                                                 follow_up_id=follow_up_id)

    # -- approval --------------------------------------------------------------------------

    async def decide(self, user_id: int, project_id: int, hotspot_id: int, chat: ChatKind,
                     *, send: bool) -> tuple[bool, HotspotRecord, int]:
        """The project leader's button. Returns (changed, hotspot, alerts queued);
        ``changed`` is False when someone already decided. An approved alert may still send
        nothing: its zone ended meanwhile, or another alert reached the area recently."""
        await self.member(user_id, project_id, Permission.MANAGE_ALERTS, chat)
        record = await self.repos.alerts.hotspot(hotspot_id)
        if record is None or record.id is None:
            raise UserError(N_("This alert no longer exists."))
        now = self.clock.now()
        report = RefreshReport()
        async with self.repos.db.transaction():
            changed = await self.repos.alerts.set_approval(
                hotspot_id, "approved" if send else "rejected", user_id, now, only_if="awaiting")
            if changed:
                await self.repos.audit.record(
                    now=now, user_id=user_id, project_id=project_id, entity="hotspot",
                    entity_id=hotspot_id, action="approved" if send else "rejected")
                record.approval = "approved" if send else "rejected"
                if send and record.status == "active":
                    settings = await self.repos.alerts.settings(project_id)
                    groups = [c for c in await self.repos.chats.for_project(project_id)
                              if c.purpose is ChatPurpose.NEIGHBOURHOOD_WATCH]
                    maps = await self._maps(project_id, [record], settings, groups)
                    recent = await self.repos.alerts.recent_alerts(
                        project_id, now - timedelta(hours=settings.min_interval_h))
                    await self._dispatch(project_id, record, settings, groups, self.today(),
                                         now, report, maps.get(record.key, {}), recent)
                elif not send:
                    for alert in await self.repos.alerts.alerts_for(hotspot_id):
                        if alert.status == "awaiting":
                            await self.repos.alerts.update_alert(alert.id, now,
                                                                 status="rejected")
                # (Approved after its zone ended: its waiting alerts were ended with it.)
        if report.queued:
            self.wake()
        return changed, record, report.queued

    # -- reading ---------------------------------------------------------------------------

    async def current(self, user_id: int, project_id: int,
                      chat: ChatKind) -> list[HotspotView]:
        member = await self.member(user_id, project_id, Permission.VIEW_HOTSPOTS, chat)
        detail = can(member.role, Permission.VIEW_INCIDENT_DETAIL, chat)
        leader = member.role is Role.PROJECTLEIDER
        groups = await self.repos.chats.titles(project_id)
        views = []
        for record in await self.repos.alerts.hotspots(project_id):
            assert record.id is not None
            view = HotspotView(record)
            if leader:
                for a in await self.repos.alerts.alerts_for(record.id):
                    title, linked = groups[a.linked_chat_id]
                    view.alerts.append((title, a.status, linked))
            if detail and record.incident_ids:
                view.incidents = [
                    {**dict(r), "occurred_from": parse_utc(r["occurred_from"]),
                     "occurred_to": parse_utc(r["occurred_to"] or r["occurred_from"])}
                    for r in await self.repos.incidents.by_ids(project_id, record.incident_ids)]
            views.append(view)
        return views
