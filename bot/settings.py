"""Typed runtime settings, built from environment variables and an optional TOML file.

Precedence, highest first: environment variables, the TOML file, built-in defaults. The
defaults give the embedded set-up: a SQLite file in the working directory, Telegram's own
Bot API servers, Europe/Amsterdam and Dutch.

TOML keys mirror the field names, e.g.::

    token = "123456:ABC..."
    database = "/var/lib/wijkbot/wijkbot.sqlite"
    bot_api_url = "http://127.0.0.1:8081/bot"
    timezone = "Europe/Amsterdam"
    language = "nl"
    log_level = "INFO"
    project_creators = [12345678]
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SUPPORTED_LANGUAGES: tuple[str, ...] = ("nl", "en")
DEFAULT_DATABASE = "wijkbot.sqlite"
DEFAULT_BOT_API_URL = "https://api.telegram.org/bot"
DEFAULT_BOT_FILE_URL = "https://api.telegram.org/file/bot"

# A bot token is "<numeric bot id>:<35 or so url-safe characters>" (see @BotFather).
_TOKEN_RE = re.compile(r"^\d{3,15}:[A-Za-z0-9_-]{20,100}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

ENV_NAMES: dict[str, str] = {
    "token": "TELEGRAM_BOT_TOKEN",
    "database": "WIJKBOT_DATABASE",
    "bot_api_url": "WIJKBOT_BOT_API_URL",
    "bot_file_url": "WIJKBOT_BOT_FILE_URL",
    "timezone": "WIJKBOT_TIMEZONE",
    "language": "WIJKBOT_LANGUAGE",
    "log_level": "WIJKBOT_LOG_LEVEL",
    "project_creators": "WIJKBOT_PROJECT_CREATORS",
}
CONFIG_ENV = "WIJKBOT_CONFIG"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line meant for the operator."""


def _(message: str) -> str:
    """gettext in the current locale; imported late because bot.i18n imports this module."""
    from bot.i18n import gettext

    return gettext(message)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything wijkbot needs to know about its environment."""

    token: str | None = None
    database: Path = Path(DEFAULT_DATABASE)
    bot_api_url: str = DEFAULT_BOT_API_URL
    bot_file_url: str = DEFAULT_BOT_FILE_URL
    timezone: str = "Europe/Amsterdam"
    language: str = "nl"
    log_level: str = "INFO"
    # Telegram user ids allowed to create projects; empty means anyone who talks to the bot.
    project_creators: frozenset[int] = field(default_factory=frozenset)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def require_token(self) -> str:
        """Return the token, or raise :class:`SettingsError` if it is missing or malformed."""
        if not self.token:
            raise SettingsError(_("no bot token: set {variable} (create one with @BotFather)")
                                .format(variable=ENV_NAMES["token"]))
        if not _TOKEN_RE.match(self.token):
            raise SettingsError(_("malformed bot token in {variable}: expected "
                                  "'<digits>:<secret>'").format(variable=ENV_NAMES["token"]))
        return self.token

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def _parse(name: str, raw: object) -> object:
    """Convert and validate one raw value (a string from the environment or a TOML value)."""
    if name == "database":
        if not str(raw).strip():
            raise SettingsError(_("database path is empty"))
        return Path(str(raw)).expanduser()
    if name in ("bot_api_url", "bot_file_url"):
        url = str(raw).strip()
        if not re.match(r"^https?://", url):
            raise SettingsError(_("{name} must start with http:// or https://, got {value!r}")
                                .format(name=name, value=url))
        return url
    if name == "timezone":
        try:
            ZoneInfo(str(raw))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(_("unknown time zone {value!r}").format(value=raw)) from exc
        return str(raw)
    if name == "language":
        lang = str(raw).strip().lower()
        if lang not in SUPPORTED_LANGUAGES:
            raise SettingsError(_("language must be one of {choices}, got {value!r}").format(
                choices=", ".join(SUPPORTED_LANGUAGES), value=raw))
        return lang
    if name == "log_level":
        level = str(raw).strip().upper()
        if level not in _LOG_LEVELS:
            raise SettingsError(_("log level must be one of {choices}, got {value!r}").format(
                choices=", ".join(_LOG_LEVELS), value=raw))
        return level
    if name == "project_creators":
        items = raw if isinstance(raw, list) else str(raw).replace(";", ",").split(",")
        try:
            return frozenset(int(str(i).strip()) for i in items if str(i).strip())
        except ValueError as exc:
            raise SettingsError(_("project_creators must be Telegram user ids (numbers)")) from exc
    if name == "token":
        return str(raw).strip() or None
    raise SettingsError(_("unknown setting {name!r}").format(name=name))


def load_settings(
    config_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build :class:`Settings` from an optional TOML file and the environment.

    ``config_file`` defaults to ``$WIJKBOT_CONFIG`` when set. The token is *not* validated
    here, because commands such as ``demo`` and ``migrate`` do not need one; call
    :meth:`Settings.require_token` where it is needed.
    """
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}

    path = config_file or env.get(CONFIG_ENV)
    if path:
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise SettingsError(_("config file not found: {path}").format(path=path)) from exc
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(_("config file {path} is not valid TOML: {error}").format(
                path=path, error=exc)) from exc
        section = data.get("wijkbot", data)
        for key, raw in section.items():
            if key not in ENV_NAMES:
                raise SettingsError(_("unknown key {key!r} in {path}").format(key=key, path=path))
            values[key] = _parse(key, raw)

    for key, env_name in ENV_NAMES.items():
        if env_name in env and env[env_name] != "":
            values[key] = _parse(key, env[env_name])

    return Settings(**values)  # type: ignore[arg-type]
