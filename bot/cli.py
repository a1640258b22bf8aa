"""The ``wijkbot`` command line: ``run``, ``demo``, ``export``, ``import``, ``steering``,
``backtest``, ``migrate``, ``backup`` and ``--version``.

It speaks the configured language (``language`` in the settings), help texts and argparse's
usage and error lines included. Configuration errors (a missing or malformed token, a bad
setting) print one line and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__
from bot.i18n import (
    N_,
    format_date,
    format_number,
    gettext,
    ngettext,
    normalize_language,
    set_locale,
    use_locale,
)
from bot.i18n import gettext as _
from bot.settings import ENV_NAMES, SUPPORTED_LANGUAGES, Settings, SettingsError, load_settings
from storage.db import Database
from storage.incidents import IMPORTS_LISTED
from storage.models import Project
from storage.repositories import Repositories

if TYPE_CHECKING:  # the heavy modules are imported by the commands that need them
    from bot.incidents import IncidentService

log = logging.getLogger("wijkbot")

EXIT_CONFIG = 2


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a date (YYYY-MM-DD): {text!r}").format(text=text)) from None


# argparse's own words (usage, option headings, errors), looked up in our catalog by
# _speak_argparse(); listed here so that `pybabel extract` finds them.
_ARGPARSE_MESSAGES = (
    N_("usage: "), N_("positional arguments"), N_("options"),
    N_("show this help message and exit"), N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"), N_("expected one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
)


def _speak_argparse() -> None:
    """Let argparse's usage lines and error messages speak the configured language.

    argparse looks its words up through a module-level ``_`` (``gettext.gettext``) each time
    it formats them; pointing that at our gettext, which reads the locale ContextVar, is the
    only hook it offers. Words not in our catalog stay English.
    """
    setattr(argparse, "_", gettext)  # noqa: B010 - typeshed does not declare argparse._


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wijkbot",
        description=_("Telegram bot for an integral local-safety partnership."),
    )
    parser.add_argument("--version", action="version", version=f"wijkbot {__version__}",
                        help=_("show the version number and exit"))
    parser.add_argument("--config", metavar="FILE",
                        help=_("TOML settings file (default: $WIJKBOT_CONFIG)"))
    parser.add_argument("--database", metavar="PATH",
                        help=_("SQLite database file (overrides $WIJKBOT_DATABASE)"))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    project_help = _("project id, or its name or a part of it that fits one project")

    run = sub.add_parser("run", help=_("run the bot (long polling, or a webhook)"))
    run.add_argument("--webhook-url", metavar="URL",
                     help=_("public HTTPS URL Telegram posts updates to (enables webhook mode)"))
    run.add_argument("--listen", default="127.0.0.1",
                     help=_("address the webhook server binds to (default 127.0.0.1)"))
    run.add_argument("--port", type=int, default=8443,
                     help=_("port the webhook server binds to (default 8443)"))
    run.add_argument("--secret-token", metavar="SECRET",
                     help=_("secret Telegram sends with every webhook request"))

    demo = sub.add_parser("demo", help=_("create a demo database and show what is in it"))
    demo.add_argument("--out", metavar="PATH",
                      help=_("demo database file (default: --database if given, else "
                             "wijkbot-demo.sqlite; replaced)"))
    demo.add_argument("--as-of", metavar="DATE", type=_iso_date,
                      help=_("reference date YYYY-MM-DD (default: today)"))
    demo.add_argument("--seed", type=int, default=2026, help=_("random seed (default 2026)"))

    export = sub.add_parser("export",
                            help=_("write a project's action framework (xlsx or csv)"))
    export.add_argument("--project", required=True, metavar="P", help=project_help)
    export.add_argument("--out", required=True, metavar="FILE",
                        help=_("output file; .xlsx or .csv decides the format"))
    export.add_argument("--language", choices=SUPPORTED_LANGUAGES,
                        help=_("header language (default: the configured language)"))

    imp = sub.add_parser("import", help=_("import a police export or CBS open data (all or "
                                          "nothing, with a report)"))
    imp.add_argument("kind", choices=("incidents", "monthly"),
                     help=_("incidents: one row per burglary; monthly: CBS counts per buurt"))
    imp.add_argument("file", metavar="FILE", help=_("CSV or XLSX file"))
    imp.add_argument("--project", required=True, metavar="P", help=project_help)
    imp.add_argument("--map", nargs="+", metavar="FIELD=COLUMN", default=None,
                     help=_("explicit column mapping, e.g. date=offense_date lat=latitude "
                            "(saved for the project)"))
    imp.add_argument("--crs", help=_("coordinate system: rd, wgs84 or EPSG:<n> "
                                     "(default: detect)"))
    imp.add_argument("--tz", help=_("time zone of the export's local times "
                                    "(default: the configured time zone)"))

    imports = sub.add_parser("imports", help=_("list a project's imports, or remove a wrong "
                                               "one as a whole"))
    imports.add_argument("--project", required=True, metavar="P", help=project_help)
    imports.add_argument("--remove", type=int, metavar="N",
                         help=_("remove import N: delete every incident it added"))
    imports.add_argument("--all", action="store_true",
                         help=_("list every import, not only the latest {count}").format(
                             count=IMPORTS_LISTED))

    steering = sub.add_parser("steering", help=_("write the steering pack (PNGs, key points, "
                                                 "numbers) for any date"))
    steering.add_argument("--project", required=True, metavar="P", help=project_help)
    steering.add_argument("--as-of", type=_iso_date, metavar="DATE",
                          help=_("the pack as it would have looked on this date "
                                 "(default: today)"))
    steering.add_argument("--out", required=True, metavar="DIR", help=_("output folder"))
    steering.add_argument("--area", help=_("restrict to one area (buurt, wijk or street)"))
    steering.add_argument("--language", choices=SUPPORTED_LANGUAGES,
                          help=_("language of the charts and texts (default: the configured "
                                 "language)"))

    backtest = sub.add_parser("backtest", help=_("replay history fortnight by fortnight and "
                                                 "score the forecast against two baselines"))
    backtest.add_argument("--project", required=True, metavar="P", help=project_help)
    backtest.add_argument("--as-of", type=_iso_date, metavar="DATE",
                          help=_("last date to replay (default: the last incident)"))
    backtest.add_argument("--tz", help=_("local time zone of the incidents "
                                         "(default: the configured time zone)"))

    sub.add_parser("migrate", help=_("apply database migrations and print the schema version"))

    backup = sub.add_parser("backup", help=_("copy the live database with SQLite's backup API"))
    backup.add_argument("path", metavar="PATH", help=_("backup file to write"))
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


def _settings(argv: Sequence[str] | None) -> Settings | SettingsError:
    """The settings (or what is wrong with them), read before the full parser is built,
    because the help texts and argparse's messages speak the configured language."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--config")
    known, _rest = early.parse_known_args(argv)
    # A broken setting is reported in the language of $WIJKBOT_LANGUAGE (when that one is
    # valid), otherwise in the default.
    set_locale(normalize_language(os.environ.get(ENV_NAMES["language"])))
    try:
        settings = load_settings(known.config)
    except SettingsError as err:
        return err
    set_locale(settings.language)  # command-line output speaks the configured language
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    loaded = _settings(argv)
    _speak_argparse()
    args = _parser().parse_args(argv)  # --help, --version and usage errors end here
    database: Path | None = None  # the file the command works on, for its error line
    try:
        if isinstance(loaded, SettingsError):
            raise loaded
        settings = loaded
        if args.database:
            settings = settings.with_overrides(database=Path(args.database))
        database = settings.database
        # The demo prints its own summary; migration chatter would only clutter it.
        _configure_logging("WARNING" if args.command == "demo" else settings.log_level)
        if args.command == "run":
            return run(settings, args)
        if args.command == "demo":
            from bot.demo import run_demo

            # Not $WIJKBOT_DATABASE (it may be the real one); an explicit --database is
            # taken as where the demo should go.
            database = out = Path(args.out or args.database or "wijkbot-demo.sqlite")
            return run_demo(out, as_of=args.as_of, seed=args.seed,
                            timezone=settings.timezone, language=settings.language)
        if args.command == "export":
            return asyncio.run(_export(settings, args.project, Path(args.out),
                                       args.language or settings.language))
        if args.command == "import":
            path = Path(args.file)
            if not path.is_file():
                raise SettingsError(_("file not found: {path}").format(path=path))
            return asyncio.run(_import(settings, args, path.name, path.read_bytes()))
        if args.command == "imports":
            return asyncio.run(_imports(settings, args.project, args.remove, args.all))
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
    except sqlite3.Error as err:  # a database path that cannot be opened, a full disk
        print("wijkbot: " + _("database {path}: {reason}").format(
            path=database, reason=err), file=sys.stderr)
        return EXIT_CONFIG
    except OSError as err:  # an --out path that cannot be written, a port in use
        reason = err.strerror or str(err)
        print("wijkbot: " + (_("{path}: {reason}").format(path=err.filename, reason=reason)
                             if err.filename else reason), file=sys.stderr)
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
            raise SettingsError(_("--webhook-url must be an https:// URL (Telegram requires TLS)"))
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
        print(_("applied {name}").format(name=name))
    print(_("{database}: schema version {version}").format(database=settings.database,
                                                          version=version))
    return 0


async def _open_existing(settings: Settings) -> Database:
    if not settings.database.exists():
        raise SettingsError(_("database {path} does not exist").format(path=settings.database))
    return await Database(settings.database).connect()


async def find_project(repos: Repositories, ref: str) -> Project:
    """A project by id or (case-insensitive) name, for command-line use.

    A part of the name is enough when it fits one project only (``--project havendam``),
    so an operator need not quote a long name or look its id up first."""
    projects = await repos.projects.list_all()
    wanted = ref.strip().casefold()
    found = [p for p in projects if str(p.id) == wanted or p.name.casefold() == wanted]
    if not found and wanted:
        found = [p for p in projects if wanted in p.name.casefold()]
    if len(found) == 1:
        return found[0]

    def listing(candidates: list[Project]) -> str:
        return "; ".join(f"{p.id} = {p.name}" for p in candidates)

    if found:
        raise SettingsError(_("{ref!r} fits several projects ({names}); give the id or "
                              "more of the name").format(ref=ref, names=listing(found)))
    raise SettingsError(_("unknown project {ref!r}; projects: {names}").format(
        ref=ref, names=listing(projects) or _("none")))


async def _export(settings: Settings, ref: str, out: Path, language: str) -> int:
    from bot.actions import ActionService
    from bot.clock import Clock
    from bot.export import actions_csv, actions_workbook

    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise SettingsError(_("--out must end in .xlsx or .csv"))
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
    # one row per action and responsible partner, as in appendix 4
    print(ngettext("{out}: {count} row", "{out}: {count} rows", len(rows)).format(
        out=out, count=format_number(len(rows))))
    return 0


def _incidents_with_alerts(settings: Settings, repos: Repositories) -> IncidentService:
    """The incident service with the hotspot detection after every change, as in the bot:
    new incidents may start zones, removed ones end them. Their alerts go into the outbox,
    which the running bot delivers (it polls the outbox, so a separate process is fine)."""
    from bot.alerts import AlertService
    from bot.clock import Clock
    from bot.incidents import IncidentService

    service = IncidentService(repos, Clock(), settings.tz)
    alerts = AlertService(repos, service.clock, settings.tz,
                          default_language=settings.language, steering=service.steering)
    service.after_change.append(alerts.refresh)
    return service


async def _import(settings: Settings, args: argparse.Namespace, filename: str,
                  data: bytes) -> int:
    from bot.incident_import import ImportProblem, split_options
    from bot.posts import plain_text
    from handlers.incidents import problem_text, report_text, saving_text

    db = await _open_existing(settings)
    try:
        repos = Repositories(db)
        project = await find_project(repos, args.project)
        service = _incidents_with_alerts(settings, repos)

        def progress(done: int, total: int) -> None:
            print("\r" + _("Reading {filename}… {done} of {total} rows").format(
                filename=filename, done=format_number(done), total=format_number(total)),
                end="", file=sys.stderr, flush=True)

        async def saving(rows: int) -> None:
            print("\n" + plain_text(saving_text(filename, rows)), end="", file=sys.stderr,
                  flush=True)

        try:
            # crs= and tz= also work inside --map, as in a file's caption in the chat.
            mapping, crs, tz = split_options(" ".join(args.map) if args.map else None)
            report = await service.import_file(
                project.id, data, filename, user_id=None, mapping=mapping,
                crs=args.crs or crs, tz=args.tz or tz, kind=args.kind, progress=progress,
                saving=saving)
        except ImportProblem as problem:
            print(file=sys.stderr)
            print(plain_text(problem_text(filename, problem, limit=50, options_hint=_options_hint)),
                  file=sys.stderr)
            return 1
    finally:
        await db.close()
    print(file=sys.stderr)
    print(plain_text(report_text(report)))
    if (report.kind == "incidents" and (report.imported or report.corrected)
            and report.import_id is not None):
        print(_("Wrong file? Remove it as a whole with: wijkbot imports --project {project} "
                "--remove {number}").format(project=project.id, number=report.import_id))
    return 0


async def _imports(settings: Settings, ref: str, remove: int | None, every: bool) -> int:
    from bot.errors import UserError
    from bot.posts import plain_text
    from handlers.imports import imports_text, removed_text

    db = await _open_existing(settings)
    try:
        repos = Repositories(db)
        project = await find_project(repos, ref)
        service = _incidents_with_alerts(settings, repos)
        if remove is None:
            hint = _("Remove one as a whole with: wijkbot imports --project {project} "
                     "--remove N").format(project=project.id)
            entries = await service.imports(project.id, limit=None if every else IMPORTS_LISTED)
            total = await repos.incidents.import_count(project.id)
            more = ngettext("The latest {shown} of {count} import are listed; --all lists "
                            "every one.", "The latest {shown} of {count} imports are listed; "
                            "--all lists every one.", total).format(
                shown=len(entries), count=total)
            print(plain_text(imports_text(project.name, entries, how_to_remove=hint,
                                          total=total, how_to_see_more=more)))
            return 0
        try:
            done = await service.remove_import(project.id, remove, user_id=None)
        except UserError as err:
            raise SettingsError(plain_text(err.render())) from None
    finally:
        await db.close()
    print(plain_text(removed_text(done)))
    return 0


def _options_hint() -> str:
    return _("Run the import again with the missing details, for example: --crs EPSG:28992 "
             "--tz Europe/Amsterdam --map date=Pleegdatum")


async def _steering(settings: Settings, ref: str, as_of: date | None, out: Path,
                    area: str | None, language: str) -> int:

    from bot.clock import Clock
    from bot.errors import UserError
    from bot.fieldlog import area_lines, pack_counts
    from bot.incidents import IncidentService
    from bot.posts import plain_text
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
                raise SettingsError(plain_text(err.render())) from None
            points = key_points_text(pack, language) + area_lines(pack_counts(pack))
    finally:
        await db.close()
    from bot.packs import write_pack

    write_pack(pack, points, out)
    print(_("{out}: {charts}, {points}").format(
        out=out,
        charts=ngettext("{count} chart", "{count} charts", len(pack.figures)).format(
            count=format_number(len(pack.figures))),
        points=ngettext("{count} key point", "{count} key points", len(points)).format(
            count=format_number(len(points)))))
    return 0


async def _backtest(settings: Settings, ref: str, as_of: date | None, tz: str | None) -> int:
    from bot.clock import Clock
    from bot.incidents import IncidentService
    from charts.forecast import NotEnoughHistory, backtest, backtest_report

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
        raise SettingsError(_("project {name!r} has no incidents to replay").format(
            name=project.name))
    try:
        result = await asyncio.to_thread(backtest, frame, as_of, tz=tz or settings.timezone,
                                         polygons=outlines or None, name=project.name)
    except NotEnoughHistory:
        raise SettingsError(_("too little history for a backtest up to {date}: it needs at "
                              "least eight weeks of incidents before the first two weeks it "
                              "replays").format(
            date=format_date(as_of) if as_of else _("the last incident"))) from None
    print(backtest_report(result, language=settings.language))
    return 0


async def _backup(settings: Settings, target: Path) -> int:
    from storage.db import Database

    if not settings.database.exists():
        raise SettingsError(_("database {path} does not exist").format(path=settings.database))
    if target.resolve() == settings.database.resolve():  # noqa: ASYNC240
        raise SettingsError(_("the backup path must differ from the database path"))
    db = Database(settings.database)
    await db.connect(migrate=False)
    try:
        await db.backup(target)
    finally:
        await db.close()
    print(_("backed up {database} to {target}").format(database=settings.database,
                                                       target=target))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
