"""Settings: environment, TOML file, defaults, and one-line errors for bad values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.i18n import use_locale
from bot.settings import DEFAULT_BOT_API_URL, Settings, SettingsError, load_settings

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwx"


def test_defaults_are_the_embedded_setup() -> None:
    settings = load_settings(environ={})
    assert settings.database == Path("wijkbot.sqlite")
    assert settings.bot_api_url == DEFAULT_BOT_API_URL
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.language == "nl"
    assert settings.token is None


def test_environment_overrides_file(tmp_path: Path) -> None:
    config = tmp_path / "wijkbot.toml"
    config.write_text(
        'token = "999:from-file-abcdefghijklmnopqrstu"\nlanguage = "en"\n'
        'database = "/tmp/from-file.sqlite"\nproject_creators = [1, 2]\n'
    )
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "WIJKBOT_BOT_API_URL": "http://127.0.0.1:8081/bot",
           "WIJKBOT_TIMEZONE": "UTC", "WIJKBOT_LOG_LEVEL": "debug"}
    settings = load_settings(config, environ=env)
    assert settings.token == TOKEN
    assert settings.language == "en"  # from the file, not overridden
    assert settings.database == Path("/tmp/from-file.sqlite")
    assert settings.bot_api_url == "http://127.0.0.1:8081/bot"
    assert settings.timezone == "UTC"
    assert settings.log_level == "DEBUG"
    assert settings.project_creators == frozenset({1, 2})


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"WIJKBOT_LANGUAGE": "de"}, "language"),
        ({"WIJKBOT_TIMEZONE": "Mars/Olympus"}, "time zone"),
        ({"WIJKBOT_BOT_API_URL": "ftp://x"}, "http"),
        ({"WIJKBOT_LOG_LEVEL": "LOUD"}, "log level"),
        ({"WIJKBOT_PROJECT_CREATORS": "12,abc"}, "user ids"),
    ],
)
def test_bad_values_are_reported(env: dict[str, str], fragment: str) -> None:
    with use_locale("en"), pytest.raises(SettingsError, match=fragment):
        load_settings(environ=env)


def test_unknown_key_in_file(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('tokn = "x"\n')
    with use_locale("en"), pytest.raises(SettingsError, match="unknown key 'tokn'"):
        load_settings(config, environ={})


@pytest.mark.parametrize(
    "token", [None, "", "garbage", "123:short", "abc:defghijklmnopqrstuvwxyz0123"]
)
def test_missing_or_malformed_token(token: str | None) -> None:
    with pytest.raises(SettingsError):
        Settings(token=token).require_token()
    assert Settings(token=TOKEN).require_token() == TOKEN


@pytest.mark.parametrize("env_token", [None, "not-a-token"])
def test_cli_run_without_valid_token_exits_2_with_one_line(tmp_path: Path,
                                                           env_token: str | None) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    if env_token:
        env["TELEGRAM_BOT_TOKEN"] = env_token
    proc = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0]
    assert not (tmp_path / "wijkbot.sqlite").exists()  # nothing created on a config error
