"""Application assembly: :func:`build_application` wires settings, storage, services and
handlers into a python-telegram-bot ``Application``.

Resources follow the application's lifecycle: the database opens (and migrates) in
``post_init`` and closes in ``post_shutdown``, whether the bot runs with long polling,
a webhook, or inside the tests.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest

import handlers
from bot.actions import ActionService
from bot.alerts import AlertService
from bot.clock import Clock
from bot.context import BotData, WijkApp, WijkContext
from bot.fieldlog import FieldLogService
from bot.i18n import set_display_timezone
from bot.incidents import IncidentService
from bot.meetings import MeetingService
from bot.menus import register_menus
from bot.outbox import OutboxSender
from bot.partnership import PartnershipService
from bot.settings import Settings
from handlers import alerts, meetings, region, reminders
from storage.db import Database
from storage.repositories import Repositories

log = logging.getLogger(__name__)

ALLOWED_UPDATES = Update.ALL_TYPES


def build_application(settings: Settings, *, clock: Clock | None = None,
                      request: BaseRequest | None = None) -> WijkApp:
    """Build the bot. Raises :class:`bot.settings.SettingsError` for a bad token.

    ``request`` replaces PTB's HTTP layer for Bot API calls (e.g. a proxy-aware client, or
    the benchmark's instant responder); by default PTB's httpx client is used.
    """
    token = settings.require_token()
    builder = ApplicationBuilder()
    if request is not None:
        builder = builder.request(request)
    app: WijkApp = (
        builder  # type: ignore[assignment]  # PTB's builder types its bot generically
        .token(token)
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_file_url)
        .context_types(ContextTypes(context=WijkContext, bot_data=BotData))
        # Telegram's flood limits (≈30 msg/s overall, 20/min per group) are respected by
        # the rate limiter, which also retries once after a RetryAfter.
        .rate_limiter(AIORateLimiter(max_retries=1))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data.settings = settings
    if clock is not None:
        app.bot_data.clock = clock
    handlers.register_all(app)
    return app


async def _post_init(app: WijkApp) -> None:
    data: BotData = app.bot_data
    assert data.settings is not None
    set_display_timezone(data.settings.tz)
    db = await Database(data.settings.database).connect()  # applies pending migrations
    data.db = db
    data.repos = Repositories(db)
    data.partnership = PartnershipService(
        data.repos, data.clock, project_creators=data.settings.project_creators
    )
    data.actions = ActionService(data.repos, data.clock, data.settings.tz)
    data.incidents = IncidentService(data.repos, data.clock, data.settings.tz)
    data.meetings = MeetingService(data.repos, data.clock, data.settings.tz)
    data.field_logs = FieldLogService(data.repos, data.clock, data.settings.tz,
                                      actions=data.actions)
    # Alerts and approval requests go through the outbox; the sender delivers them.
    data.outbox = OutboxSender(data.repos, app.bot, data.clock)
    data.alerts = AlertService(data.repos, data.clock, data.settings.tz,
                               default_language=data.settings.language,
                               wake=data.outbox.wake, steering=data.incidents.steering)
    data.incidents.after_change.append(data.alerts.refresh)
    data.incidents.spawn = app.create_task
    await data.outbox.start()
    reminders.schedule(app)
    alerts.schedule(app)
    meetings.schedule(app)
    region.schedule(app)
    try:
        await register_menus(app.bot, data.settings.language)
    except TelegramError:
        # Menus are a convenience; a Bot API hiccup must not keep the bot from starting.
        log.warning("could not register command menus", exc_info=True)
    log.info("wijkbot ready as @%s, database %s", app.bot.username, data.settings.database)


async def _post_stop(app: WijkApp) -> None:
    # Before the bot's HTTP client closes: let requests in flight finish and be recorded.
    if app.bot_data.outbox is not None:
        await app.bot_data.outbox.stop()


async def _post_shutdown(app: WijkApp) -> None:
    data: BotData = app.bot_data
    if data.outbox is not None:  # post_stop does not run when start() never did
        await data.outbox.stop()
    if data.db is not None:
        await data.db.close()
    data.db = data.repos = data.partnership = data.actions = None
    data.incidents = data.meetings = data.field_logs = data.alerts = data.outbox = None
