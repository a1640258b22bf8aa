"""The ``wijkbot`` command line: ``run``, ``demo``, ``migrate``, ``backup`` and ``--version``.

Configuration errors (a missing or malformed token, a bad setting) print one line and exit
with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bot import __version__
from bot.i18n import set_locale, use_locale
from bot.settings import Settings, SettingsError, load_settings
from storage.db import Database
from storage.models import Project
from storage.repositories import Repositories

log = logging.getLogger("wijkbot")

EXIT_CONFIG = 2


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wijkbot",
        description="Telegram bot for an integral local-safety partnership.",
    )
    parser.add_argument("--version", action="version", version=f"wijkbot {__version__}")
    parser.add_argument("--config", metavar="FILE",
                        help="TOML settings file (default: $WIJKBOT_CONFIG)")
    parser.add_argument("--database", metavar="PATH",
                        help="SQLite database file (overrides $WIJKBOT_DATABASE)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot (long polling, or a webhook)")
    run.add_argument("--webhook-url", metavar="URL",
                     help="public HTTPS URL Telegram posts updates to (enables webhook mode)")
    run.add_argument("--listen", default="127.0.0.1",
                     help="address the webhook server binds to (default 127.0.0.1)")
    run.add_argument("--port", type=int, default=8443,
                     help="port the webhook server binds to (default 8443)")
    run.add_argument("--secret-token", metavar="SECRET",
                     help="secret Telegram sends with every webhook request")

    demo = sub.add_parser("demo", help="create a demo database and show what is in it")
    demo.add_argument("--out", metavar="PATH", default="wijkbot-demo.sqlite",
                      help="demo database file (default: wijkbot-demo.sqlite; replaced)")
    demo.add_argument("--as-of", metavar="DATE", type=_iso_date,
                      help="reference date YYYY-MM-DD (default: today)")
    demo.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")

    export = sub.add_parser("export", help="write a project's action framework (xlsx or csv)")
    export.add_argument("--project", required=True, metavar="P",
                        help="project id or name (see the demo output or /project)")
    export.add_argument("--out", required=True, metavar="FILE",
                        help="output file; .xlsx or .csv decides the format")
    export.add_argument("--language", choices=("nl", "en"),
                        help="header language (default: the configured language)")

    sub.add_parser("migrate", help="apply database migrations and print the schema version")

    backup = sub.add_parser("backup", help="copy the live database with SQLite's backup API")
    backup.add_argument("path", metavar="PATH", help="backup file to write")
    return parser


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every getUpdates poll at INFO; that drowns everything else.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        if args.database:
            settings = settings.with_overrides(database=Path(args.database))
        set_locale(settings.language)  # command-line output speaks the configured language
        # The demo prints its own summary; migration chatter would only clutter it.
        _configure_logging("WARNING" if args.command == "demo" else settings.log_level)
        if args.command == "run":
            return run(settings, args)
        if args.command == "demo":
            from bot.demo import run_demo

            return run_demo(Path(args.out), as_of=args.as_of, seed=args.seed,
                            timezone=settings.timezone)
        if args.command == "export":
            return asyncio.run(_export(settings, args.project, Path(args.out),
                                       args.language or settings.language))
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
        if args.command == "backup":
            return asyncio.run(_backup(settings, Path(args.path)))
    except SettingsError as err:
        print(f"wijkbot: {err}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    return 1


def run(settings: Settings, args: argparse.Namespace) -> int:
    from telegram import Update

    from bot.app import build_application

    app = build_application(settings)  # raises SettingsError for a bad token
    if args.webhook_url:
        if not args.webhook_url.startswith("https://"):
            raise SettingsError("--webhook-url must be an https:// URL (Telegram requires TLS)")
        # Behind a reverse proxy: TLS ends at the proxy, which forwards to listen:port.
        url_path = args.webhook_url.split("://", 1)[1].partition("/")[2]
        app.run_webhook(
            listen=args.listen, port=args.port, url_path=url_path,
            webhook_url=args.webhook_url, secret_token=args.secret_token,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


async def _migrate(settings: Settings) -> int:
    db = Database(settings.database)
    await db.connect(migrate=False)
    try:
        applied = await db.migrate()
        version = await db.schema_version()
    finally:
        await db.close()
    for name in applied:
        print(f"applied {name}")
    print(f"{settings.database}: schema version {version}")
    return 0


async def _open_existing(settings: Settings) -> Database:
    if not settings.database.exists():
        raise SettingsError(f"database {settings.database} does not exist")
    return await Database(settings.database).connect()


async def find_project(repos: Repositories, ref: str) -> Project:
    """A project by id or (case-insensitive) name, for command-line use."""
    projects = await repos.projects.list_all()
    found = [p for p in projects if str(p.id) == ref or p.name.casefold() == ref.casefold()]
    if len(found) != 1:
        names = ", ".join(f"{p.id} ({p.name})" for p in projects) or "none"
        raise SettingsError(f"unknown project {ref!r}; projects: {names}")
    return found[0]


async def _export(settings: Settings, ref: str, out: Path, language: str) -> int:
    from bot.actions import ActionService
    from bot.clock import Clock
    from bot.export import actions_csv, actions_workbook

    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise SettingsError("--out must end in .xlsx or .csv")
    db = await _open_existing(settings)
    try:
        repos = Repositories(db)
        project = await find_project(repos, ref)
        rows = await ActionService(repos, Clock(), settings.tz).export_rows(project.id)
    finally:
        await db.close()
    with use_locale(language):
        data = (actions_workbook(rows, project=project.name, municipality=project.municipality,
                                 language=language, generated_at=Clock().now())
                if suffix == ".xlsx" else actions_csv(rows, language=language))
    out.write_bytes(data)  # noqa: ASYNC240 - a small file at the very end of a CLI command
    print(f"{out}: {len(rows)} rows")
    return 0


async def _backup(settings: Settings, target: Path) -> int:
    from storage.db import Database

    if not settings.database.exists():
        raise SettingsError(f"database {settings.database} does not exist")
    if target.resolve() == settings.database.resolve():  # noqa: ASYNC240
        raise SettingsError("the backup path must differ from the database path")
    db = Database(settings.database)
    await db.connect(migrate=False)
    try:
        await db.backup(target)
    finally:
        await db.close()
    print(f"backed up {settings.database} to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
