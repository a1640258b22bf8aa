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

    imp = sub.add_parser("import", help="import a police export or CBS open data (all or "
                                        "nothing, with a report)")
    imp.add_argument("kind", choices=("incidents", "monthly"),
                     help="incidents: one row per burglary; monthly: CBS counts per buurt")
    imp.add_argument("file", metavar="FILE", help="CSV or XLSX file")
    imp.add_argument("--project", required=True, metavar="P", help="project id or name")
    imp.add_argument("--map", nargs="+", metavar="FIELD=COLUMN", default=None,
                     help="explicit column mapping, e.g. date=offense_date lat=latitude "
                          "(saved for the project)")
    imp.add_argument("--crs", help="coordinate system: rd, wgs84 or EPSG:<n> (default: detect)")
    imp.add_argument("--tz", help="time zone of the export's local times "
                                  "(default: the configured time zone)")

    steering = sub.add_parser("steering", help="write the steering pack (PNGs, key points, "
                                               "numbers) for any date")
    steering.add_argument("--project", required=True, metavar="P", help="project id or name")
    steering.add_argument("--as-of", type=_iso_date, metavar="DATE",
                          help="the pack as it would have looked on this date (default today)")
    steering.add_argument("--out", required=True, metavar="DIR", help="output folder")
    steering.add_argument("--area", help="restrict to one area (buurt, wijk or street)")
    steering.add_argument("--language", choices=("nl", "en"))

    backtest = sub.add_parser("backtest", help="replay history fortnight by fortnight and "
                                               "score the forecast against two baselines")
    backtest.add_argument("--project", required=True, metavar="P", help="project id or name")
    backtest.add_argument("--as-of", type=_iso_date, metavar="DATE",
                          help="last date to replay (default: the last incident)")
    backtest.add_argument("--tz", help="local time zone of the incidents (default: configured)")

    sub.add_parser("migrate", help="apply database migrations and print the schema version")

    backup = sub.add_parser("backup", help="copy the live database with SQLite's backup API")
    backup.add_argument("path", metavar="PATH", help="backup file to write")
    return parser


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every getUpdates poll at INFO and matplotlib its font cache; that would
    # drown what an operator needs to see.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("matplotlib").setLevel(logging.WARNING)


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
                            timezone=settings.timezone, language=settings.language)
        if args.command == "export":
            return asyncio.run(_export(settings, args.project, Path(args.out),
                                       args.language or settings.language))
        if args.command == "import":
            path = Path(args.file)
            if not path.is_file():
                raise SettingsError(f"file not found: {path}")
            return asyncio.run(_import(settings, args, path.name, path.read_bytes()))
        if args.command == "steering":
            return asyncio.run(_steering(settings, args.project, args.as_of, Path(args.out),
                                         args.area, args.language or settings.language))
        if args.command == "backtest":
            return asyncio.run(_backtest(settings, args.project, args.as_of, args.tz))
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
    settings.require_token()  # before the heavy imports: a config error is one quick line
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


async def _import(settings: Settings, args: argparse.Namespace, filename: str,
                  data: bytes) -> int:
    from bot.alerts import AlertService
    from bot.clock import Clock
    from bot.incident_import import ImportProblem
    from bot.incidents import IncidentService
    from handlers.incidents import report_text

    db = await _open_existing(settings)
    try:
        repos = Repositories(db)
        project = await find_project(repos, args.project)
        service = IncidentService(repos, Clock(), settings.tz)
        # New incidents may start hotspots: their alerts go into the outbox, which the
        # running bot delivers (it polls the outbox, so a separate process is fine).
        alerts = AlertService(repos, service.clock, settings.tz,
                              default_language=settings.language, steering=service.steering)
        service.after_change.append(alerts.refresh)

        def progress(done: int, total: int) -> None:
            print(f"\r{done}/{total} rows", end="", file=sys.stderr, flush=True)

        try:
            report = await service.import_file(
                project.id, data, filename, user_id=None,
                mapping=" ".join(args.map) if args.map else None, crs=args.crs, tz=args.tz,
                kind=args.kind, progress=progress)
        except ImportProblem as problem:
            print(file=sys.stderr)
            print(_plain(problem.render()), file=sys.stderr)
            for row in problem.rejected[:50]:
                print(f"  row {row.row}: {_plain(row.render())}", file=sys.stderr)
            return 1
    finally:
        await db.close()
    print(file=sys.stderr)
    print(_plain(report_text(report)))
    return 0


def _plain(text: str) -> str:
    """Telegram HTML to terminal text."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))


async def _steering(settings: Settings, ref: str, as_of: date | None, out: Path,
                    area: str | None, language: str) -> int:

    from bot.clock import Clock
    from bot.errors import UserError
    from bot.fieldlog import area_lines, pack_counts
    from bot.incidents import IncidentService
    from charts.pack import key_points_text

    db = await _open_existing(settings)
    try:
        repos = Repositories(db)
        project = await find_project(repos, ref)
        service = IncidentService(repos, Clock(), settings.tz)
        with use_locale(language):
            try:
                pack = await service.steering(project.id, as_of or service.today(),
                                              language=language, area=area)
            except UserError as err:
                raise SettingsError(_plain(err.render())) from None
            points = key_points_text(pack, language) + area_lines(pack_counts(pack))
    finally:
        await db.close()
    from bot.packs import write_pack

    write_pack(pack, points, out)
    print(f"{out}: {len(pack.figures)} charts, {len(points)} key points")
    return 0


async def _backtest(settings: Settings, ref: str, as_of: date | None, tz: str | None) -> int:
    from bot.clock import Clock
    from bot.incidents import IncidentService
    from charts.forecast import backtest, backtest_report

    db = await _open_existing(settings)
    try:
        repos = Repositories(db)
        project = await find_project(repos, ref)
        service = IncidentService(repos, Clock(), settings.tz)
        frame = await service.frame(project.id)
        outlines = await repos.projects.outlines(project.id)
    finally:
        await db.close()
    if frame.empty:
        raise SettingsError(f"project {project.name!r} has no incidents to replay")
    result = await asyncio.to_thread(backtest, frame, as_of, tz=tz or settings.timezone,
                                     polygons=outlines or None, name=project.name)
    print(backtest_report(result, language=settings.language))
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
