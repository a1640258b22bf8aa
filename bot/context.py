"""The typed custom context handed to every handler and job.

``bot_data`` holds the application-wide services; they are created in ``post_init`` (when
the database opens) and removed in ``post_shutdown``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from telegram.ext import Application, CallbackContext, ExtBot

from bot.actions import ActionService
from bot.alerts import AlertService
from bot.clock import Clock
from bot.fieldlog import FieldLogService
from bot.incidents import IncidentService
from bot.meetings import MeetingService
from bot.outbox import OutboxSender
from bot.partnership import PartnershipService
from bot.settings import Settings
from storage.db import Database
from storage.repositories import Repositories


class BotData:
    """Application-wide state. Instantiated empty by PTB, filled by ``build_application``."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.clock: Clock = Clock()
        self.db: Database | None = None
        self.repos: Repositories | None = None
        self.partnership: PartnershipService | None = None
        self.actions: ActionService | None = None
        self.incidents: IncidentService | None = None
        self.meetings: MeetingService | None = None
        self.field_logs: FieldLogService | None = None
        self.alerts: AlertService | None = None
        self.outbox: OutboxSender | None = None
        # Seconds after start-up to send what fell due while the bot was down (None: off,
        # which the tests of unrelated features use to keep their conversations undisturbed).
        self.reminder_catch_up_s: float | None = 2.0


T = TypeVar("T")


def _ready(service: T | None) -> T:
    """A service from ``bot_data``; they exist from ``post_init`` to ``post_shutdown``."""
    if service is None:
        raise RuntimeError("services not ready: post_init has not run")
    return service


class WijkContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """CallbackContext with typed shortcuts to wijkbot's services."""

    @property
    def settings(self) -> Settings:
        settings = self.bot_data.settings
        assert settings is not None, "settings are set in build_application"
        return settings

    @property
    def repos(self) -> Repositories:
        repos = self.bot_data.repos
        if repos is None:
            raise RuntimeError("database not open: post_init has not run")
        return repos

    @property
    def partnership(self) -> PartnershipService:
        return _ready(self.bot_data.partnership)

    @property
    def actions(self) -> ActionService:
        return _ready(self.bot_data.actions)

    @property
    def incidents(self) -> IncidentService:
        return _ready(self.bot_data.incidents)

    @property
    def meetings(self) -> MeetingService:
        return _ready(self.bot_data.meetings)

    @property
    def field_logs(self) -> FieldLogService:
        return _ready(self.bot_data.field_logs)

    @property
    def alerts(self) -> AlertService:
        return _ready(self.bot_data.alerts)

    @property
    def outbox(self) -> OutboxSender:
        return _ready(self.bot_data.outbox)

    @property
    def clock(self) -> Clock:
        return self.bot_data.clock


WijkApp = Application[ExtBot[None], WijkContext, dict[Any, Any], dict[Any, Any], BotData, Any]
