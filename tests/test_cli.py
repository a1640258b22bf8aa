"""The command line as an operator uses it: real processes, real files, a local Bot API."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from bot import __version__
from bot.settings import Settings
from storage.db import migration_files
from tests.botapi import FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent
LATEST = len(migration_files())


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WIJKBOT_", "TELEGRAM_BOT_TOKEN"))}
    env.update(extra)
    env["HOME"] = str(tmp_path)
    return env


def wijkbot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path,
                          env=cli_env(tmp_path, **env), capture_output=True, text=True,
                          timeout=120)


def test_version(tmp_path: Path) -> None:
    proc = wijkbot(tmp_path, "--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"wijkbot {__version__}"


def test_demo_offline_without_token(tmp_path: Path) -> None:
    proc = wijkbot(tmp_path, "demo", "--as-of", "2026-11-23")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    db = tmp_path / "wijkbot-demo.sqlite"
    assert db.exists()
    with sqlite3.connect(db) as conn:
        count = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        assert count("SELECT COUNT(*) FROM projects") == 1
        assert count("SELECT COUNT(*) FROM areas WHERE kind='buurt'") >= 6
        assert count("SELECT COUNT(*) FROM areas WHERE kind='straat'") >= 20
        assert count("SELECT COUNT(*) FROM partners") >= 6
        assert count("SELECT COUNT(DISTINCT role) FROM members") == 5
        incidents = count("SELECT COUNT(*) FROM incidents")
        assert incidents > 300
        assert count("SELECT MIN(occurred_from) FROM incidents") < "2022-01-01"
        assert count("SELECT COUNT(*) FROM incidents WHERE lat BETWEEN 50.7 AND 53.6"
                     " AND lon BETWEEN 3.3 AND 7.3") == incidents  # inside the Netherlands
        assert count("SELECT COUNT(*) FROM actions") >= 20
        assert count("SELECT COUNT(*) FROM action_results WHERE quantity IS NOT NULL") > 0
    # What it created and how to explore it, in the default language (Dutch).
    out = proc.stdout
    assert "wijkbot-demo.sqlite" in out
    assert re.search(r"Inbraken: \d+ van \d{4} t/m \d{4}, waarvan \d+ pogingen \(\d+,\d%\)\n",
                     out) and "wijkbot run" in out
    assert re.search(r"\?start=inv_demo_[A-Za-z0-9_-]+", out)  # the deep-link alphabet
    # Run again: the file is replaced, not appended to.
    again = wijkbot(tmp_path, "demo", "--as-of", "2026-11-23")
    assert again.returncode == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0] == incidents
    # The global --database says where the demo goes (the environment's database does not:
    # it may be the real one).
    english = wijkbot(tmp_path, "--database", "en.sqlite", "demo", WIJKBOT_LANGUAGE="en",
                      WIJKBOT_DATABASE=str(tmp_path / "real.sqlite"))
    assert re.search(r"Burglaries: [\d,]+ from \d{4} to \d{4}, of which \d+ attempts "
                     r"\(\d+\.\d%\)\n", english.stdout)
    assert (tmp_path / "en.sqlite").exists() and not (tmp_path / "real.sqlite").exists()


def test_demo_rejects_a_bad_date(tmp_path: Path) -> None:
    proc = wijkbot(tmp_path, "demo", "--as-of", "31-02-2026")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "fout: argument --as-of: geen datum (JJJJ-MM-DD): '31-02-2026'" in proc.stderr
    proc = wijkbot(tmp_path, "demo", "--as-of", "31-02-2026", WIJKBOT_LANGUAGE="en")
    assert proc.returncode == 2
    assert "error: argument --as-of: not a date (YYYY-MM-DD): '31-02-2026'" in proc.stderr
    assert not (tmp_path / "wijkbot-demo.sqlite").exists()


def test_demo_for_a_past_date(tmp_path: Path) -> None:
    """The demo's last and next meeting are those around the reference date, also when it
    is long past (this once failed on an assertion about the wall clock); the minutes list
    the actions agreed at the last one and the steering information it received."""
    proc = wijkbot(tmp_path, "demo", "--as-of", "2025-03-12", "--out", "old.sqlite")
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "old-sturing"
    assert sorted(p.name for p in folder.glob("*.txt") if p.name[0] in "av") == [
        "agenda-focus-woninginbraak-havendam-2025-2025-03-20.txt",
        "verslag-focus-woninginbraak-havendam-2025-2025-03-06.txt"]
    minutes = (folder / "verslag-focus-woninginbraak-havendam-2025-2025-03-06.txt").read_text()
    assert "achterpaden" in minutes and "Sturingsinformatie van 12 maart 2025" in proc.stdout
    agreed = minutes.split("Nieuwe actieafspraken")[1].split("Bijgewerkte acties")[0]
    assert re.search(r"A\d+ · wk", agreed)  # the actions agreed at that meeting
    analysis = minutes.split("Kernpunten operationele analyse")[1]
    assert re.search(r"\d+ inbra", analysis) and "nog niets" not in analysis


def test_help_and_usage_errors_speak_the_configured_language(tmp_path: Path) -> None:
    """Help texts and argparse's own words (usage, headings, errors) are translated too."""
    dutch = wijkbot(tmp_path, "import", "--help")
    assert dutch.returncode == 0
    assert dutch.stdout.startswith("gebruik: wijkbot import")
    assert "CSV- of XLSX-bestand" in dutch.stdout and "deze hulptekst tonen" in dutch.stdout
    assert "\nopties:" in dutch.stdout and "usage" not in dutch.stdout
    english = wijkbot(tmp_path, "import", "--help", WIJKBOT_LANGUAGE="en")
    assert english.stdout.startswith("usage: wijkbot import")
    assert "CSV or XLSX file" in english.stdout
    config = tmp_path / "wijkbot.toml"
    config.write_text('language = "en"\n')
    from_file = wijkbot(tmp_path, "--config", str(config), "import")  # the file decides
    assert from_file.returncode == 2
    assert "error: the following arguments are required: kind, FILE, --project" \
        in from_file.stderr
    missing = wijkbot(tmp_path, "import")
    assert "fout: deze argumenten zijn verplicht: kind, FILE, --project" in missing.stderr
    unknown = wijkbot(tmp_path, "steering", "--project", "1", "--out", "x", "--language", "de")
    assert "ongeldige keuze: 'de' (kies uit 'nl', 'en')" in unknown.stderr


def test_settings_errors_speak_the_language_from_the_environment(tmp_path: Path) -> None:
    dutch = wijkbot(tmp_path, "migrate", WIJKBOT_TIMEZONE="Mars/Olympus")
    assert (dutch.returncode, dutch.stderr) == (2, "wijkbot: onbekende tijdzone 'Mars/Olympus'\n")
    english = wijkbot(tmp_path, "migrate", WIJKBOT_TIMEZONE="Mars/Olympus", WIJKBOT_LANGUAGE="en")
    assert english.stderr == "wijkbot: unknown time zone 'Mars/Olympus'\n"
    # An unsupported language cannot be spoken: the error is in the default, Dutch.
    bad = wijkbot(tmp_path, "migrate", WIJKBOT_LANGUAGE="de")
    assert bad.stderr == "wijkbot: de taal moet een van nl, en zijn, niet 'de'\n"
    assert not (tmp_path / "wijkbot.sqlite").exists()


def test_migrate_and_backup(tmp_path: Path) -> None:
    db = tmp_path / "data" / "wijkbot.sqlite"
    proc = wijkbot(tmp_path, "migrate", WIJKBOT_DATABASE=str(db))
    assert proc.returncode == 0, proc.stderr
    assert f"schemaversie {LATEST}" in proc.stdout
    assert "0001_partnership.sql toegepast" in proc.stdout
    again = wijkbot(tmp_path, "migrate", WIJKBOT_DATABASE=str(db), WIJKBOT_LANGUAGE="en")
    assert "applied" not in again.stdout and f"schema version {LATEST}" in again.stdout
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO users(id, first_name, created_at, updated_at)"
                     " VALUES (1, 'Anna', 'x', 'x')")
    backup = wijkbot(tmp_path, "--database", str(db), "backup", str(tmp_path / "b.sqlite"))
    assert backup.returncode == 0, backup.stderr
    assert backup.stdout == f"back-up van {db} gemaakt in {tmp_path / 'b.sqlite'}\n"
    with sqlite3.connect(tmp_path / "b.sqlite") as conn:
        assert conn.execute("SELECT first_name FROM users").fetchall() == [("Anna",)]
    missing = wijkbot(tmp_path, "--database", str(tmp_path / "nope.sqlite"), "backup", "x.sqlite")
    assert missing.returncode == 2
    assert missing.stderr == f"wijkbot: database {tmp_path / 'nope.sqlite'} bestaat niet\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _stop(process: asyncio.subprocess.Process) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    _out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    return process.returncode or 0, err.decode()


async def test_run_long_polling_answers_start(tmp_path: Path, botapi: FakeBotAPI) -> None:
    """``wijkbot run`` as a real process against the local Bot API server."""
    db = tmp_path / "wijkbot.sqlite"
    env = cli_env(tmp_path, TELEGRAM_BOT_TOKEN=botapi.token, WIJKBOT_DATABASE=str(db),
                  WIJKBOT_BOT_API_URL=botapi.base_url, WIJKBOT_BOT_FILE_URL=botapi.base_file_url)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await botapi.wait_for("getUpdates", timeout=60)
        anna = botapi.user(100, "Anna", language_code="en")
        botapi.send_text(anna, "/start")
        reply = await botapi.next_message(100, timeout=30)
        assert "wijkbot" in reply["text"]
        assert botapi.commands("all_private_chats", "nl")
    finally:
        code, err = await _stop(process)
    assert code == 0, err
    assert "Traceback" not in err
    assert db.exists()  # migrated at start-up


async def test_run_webhook_mode(tmp_path: Path, botapi: FakeBotAPI) -> None:
    """Behind a reverse proxy: Telegram posts to the proxy, which forwards to listen:port."""
    port = _free_port()
    env = cli_env(tmp_path, TELEGRAM_BOT_TOKEN=botapi.token,
                  WIJKBOT_DATABASE=str(tmp_path / "w.sqlite"),
                  WIJKBOT_BOT_API_URL=botapi.base_url, WIJKBOT_BOT_FILE_URL=botapi.base_file_url)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--webhook-url", "https://bot.example.org/wijkbot/hook",
        "--listen", "127.0.0.1", "--port", str(port), "--secret-token", "s3cret",
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        anna = botapi.user(100, "Anna", language_code="en")
        botapi.private_chat(anna)  # the Bot API knows this chat
        call = await botapi.wait_for("setWebhook", timeout=60)
        assert call.params["url"] == "https://bot.example.org/wijkbot/hook"
        update = {"update_id": 1, "message": {
            "message_id": 1, "date": 1_700_000_000, "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            "chat": {"id": 100, "type": "private", "first_name": "Anna"},
            "from": {"id": 100, "is_bot": False, "first_name": "Anna", "language_code": "en"}}}
        url = f"http://127.0.0.1:{port}/wijkbot/hook"
        async with aiohttp.ClientSession() as session:
            for _attempt in range(100):  # the server may still be starting
                try:
                    async with session.post(url, json=update, headers={
                            "X-Telegram-Bot-Api-Secret-Token": "s3cret"}) as response:
                        assert response.status == 200
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            async with session.post(url, json=update) as response:
                assert response.status == 403  # wrong or missing secret: rejected
        reply = await botapi.next_message(100, timeout=30)
        assert "wijkbot" in reply["text"]
    finally:
        code, err = await _stop(process)
    assert code == 0, err


def test_webhook_needs_https(tmp_path: Path) -> None:
    settings = Settings(token="123456:TEST-token-abcdefghijklmnopqrstuvwx")
    proc = wijkbot(tmp_path, "run", "--webhook-url", "http://insecure.example.org/x",
                   TELEGRAM_BOT_TOKEN=settings.token or "")
    assert proc.returncode == 2 and "moet een https://-adres zijn" in proc.stderr


def test_export_from_the_command_line(tmp_path: Path) -> None:
    import openpyxl

    assert wijkbot(tmp_path, "demo", "--as-of", "2026-11-23").returncode == 0
    db = str(tmp_path / "wijkbot-demo.sqlite")
    out = tmp_path / "kader.xlsx"
    proc = wijkbot(tmp_path, "--database", db, "export", "--project", "1", "--out", str(out),
                   "--language", "en")
    assert proc.returncode == 0, proc.stderr
    sheet = openpyxl.load_workbook(out).worksheets[0]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "Problem area" in values and "Expected effect" in values
    match = re.fullmatch(rf"{re.escape(str(out))}: (\d+) rijen\n", proc.stdout)
    assert match and int(match[1]) >= 30, proc.stdout  # one row per action and partner
    csv_out = tmp_path / "kader.csv"
    assert wijkbot(tmp_path, "--database", db, "export", "--project", "Focus woninginbraak "
                   "Havendam 2026", "--out", str(csv_out)).returncode == 0
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")
    bad = wijkbot(tmp_path, "--database", db, "export", "--project", "nope", "--out", "x.xlsx")
    assert bad.returncode == 2
    assert bad.stderr == ("wijkbot: onbekend project 'nope'; projecten: "
                          "1 = Focus woninginbraak Havendam 2026\n")
    # A part of the name that fits one project is enough.
    short = tmp_path / "kort.csv"
    assert wijkbot(tmp_path, "--database", db, "export", "--project", "havendam", "--out",
                   str(short)).returncode == 0
    assert short.read_bytes() == csv_out.read_bytes()


async def test_find_project_by_id_name_or_a_part_that_fits_one(tmp_path: Path) -> None:
    from bot.cli import find_project
    from bot.settings import SettingsError
    from storage.db import Database
    from storage.repositories import Repositories

    db = await Database(tmp_path / "p.sqlite").connect()
    try:
        repos = Repositories(db)
        first = await repos.projects.create("Focus woninginbraak Havendam", "Havendam", None)
        second = await repos.projects.create("Havendam Noord", "Havendam", None)
        assert await find_project(repos, str(second.id)) == second
        assert await find_project(repos, "havendam noord") == second
        assert await find_project(repos, " Woninginbraak ") == first  # a part of one name
        # An exact name wins over being a part of another one.
        third = await repos.projects.create("Noord", "Havendam", None)
        assert await find_project(repos, "noord") == third
        with pytest.raises(SettingsError) as several:
            await find_project(repos, "havendam")
        assert str(several.value) == (
            f"'havendam' past bij meer projecten ({first.id} = Focus woninginbraak Havendam; "
            f"{second.id} = Havendam Noord); geef het nummer of meer van de naam")
        with pytest.raises(SettingsError, match="onbekend project 'Zuid'"):
            await find_project(repos, "Zuid")
    finally:
        await db.close()


SHARED = ROOT.parent / "shared" / "data" / "vancouver_2022_residential_break_and_enter.csv"


def test_steering_pack_for_any_date(tmp_path: Path) -> None:
    import json

    assert wijkbot(tmp_path, "demo", "--as-of", "2026-11-23").returncode == 0
    folder = tmp_path / "wijkbot-demo-sturing"
    assert (folder / "map.png").exists()  # the demo writes a pack, an agenda and minutes
    [agenda] = folder.glob("agenda-*.docx")
    [minutes] = folder.glob("verslag-*.docx")
    import docx

    minutes_text = "\n".join(p.text for p in docx.Document(minutes).paragraphs)
    tables = " ".join(c.text for t in docx.Document(minutes).tables for r in t.rows
                      for c in r.cells)
    assert "achterpaden" in minutes_text + tables  # a decision of the past meeting
    agenda_text = (folder / agenda.name.replace(".docx", ".txt")).read_text()
    assert "Terugkoppeling afgesproken acties" in agenda_text
    # A file is not cut into chat messages: no "(vervolg)" headings in it.
    assert len(agenda_text) > 4096 and "(vervolg)" not in agenda_text
    db = str(tmp_path / "wijkbot-demo.sqlite")
    out = tmp_path / "pack-2025-03"
    proc = wijkbot(tmp_path, "--database", db, "steering", "--project", "1", "--as-of",
                   "2025-03-10", "--out", str(out), "--language", "en")
    assert proc.returncode == 0, proc.stderr
    assert re.fullmatch(rf"{re.escape(str(out))}: 6 grafieken, \d+ kernpunten\n", proc.stdout)
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == ["map.png", "modus_operandi.png", "neighbourhoods.png", "streets.png",
                    "time.png", "trend.png"]
    assert all((out / p).read_bytes().startswith(b"\x89PNG") for p in pngs)
    numbers = json.loads((out / "pack.json").read_text())
    assert numbers["as_of"] == "2025-03-10"
    assert (out / "key_points.txt").read_text().startswith("- ")
    assert (out / "neighbourhoods.csv").read_text().count("\n") > 3
    # A date the pack could only show as empty is refused, and nothing is written.
    future = wijkbot(tmp_path, "--database", db, "steering", "--project", "havendam",
                     "--as-of", "2099-01-01", "--out", str(tmp_path / "future"),
                     WIJKBOT_LANGUAGE="en")
    assert future.returncode == 2 and not (tmp_path / "future").exists()
    assert re.fullmatch(r"wijkbot: A steering pack looks back, so its date cannot lie after "
                        r"today \(\d+ \w+ 20\d\d\)\.\n", future.stderr), future.stderr
    early = wijkbot(tmp_path, "--database", db, "steering", "--project", "havendam",
                    "--as-of", "2015-06-01", "--out", str(tmp_path / "early"))
    assert early.returncode == 2 and not (tmp_path / "early").exists()
    assert re.fullmatch(r"wijkbot: Er zijn geen inbraken geregistreerd tot 1 juni 2015: de "
                        r"gegevens beginnen op \d+ \w+ 2021\.\n", early.stderr), early.stderr


def test_backtest_on_the_demo_beats_both_baselines(tmp_path: Path) -> None:
    assert wijkbot(tmp_path, "demo", "--as-of", "2026-11-23").returncode == 0
    proc = wijkbot(tmp_path, "--database", str(tmp_path / "wijkbot-demo.sqlite"), "backtest",
                   "--project", "1", WIJKBOT_LANGUAGE="en")
    assert proc.returncode == 0, proc.stderr
    assert "PAI" in proc.stdout and "8 weeks" in proc.stdout.replace("eight weeks", "8 weeks")


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data is not available")
def test_import_and_backtest_the_real_vancouver_export(tmp_path: Path) -> None:
    db = tmp_path / "vancouver.sqlite"
    assert wijkbot(tmp_path, "migrate", WIJKBOT_DATABASE=str(db)).returncode == 0
    with sqlite3.connect(db) as conn:
        stamp = "2026-11-23T09:00:00.000000Z"
        conn.execute("INSERT INTO users(id, first_name, created_at, updated_at)"
                     " VALUES (1, 'Analyst', ?, ?)", (stamp, stamp))
        conn.execute("INSERT INTO projects(name, municipality, created_at)"
                     " VALUES ('Vancouver 2022', 'Vancouver', ?)", (stamp,))
    args = ("--database", str(db), "import", "incidents", str(SHARED), "--project", "1",
            "--crs", "EPSG:26910", "--tz", "America/Vancouver")
    first = wijkbot(tmp_path, *args, WIJKBOT_LANGUAGE="en")
    assert first.returncode == 0, first.stderr
    assert "1264 burglaries imported" in first.stdout.replace(",", "")
    # crs= and tz= work inside --map too, as in a file's caption in the chat.
    again = wijkbot(tmp_path, *args[:7], "--map", "crs=EPSG:26910", "tz=America/Vancouver",
                    WIJKBOT_LANGUAGE="en")
    assert "0 burglaries imported" in again.stdout and "1264" in again.stdout.replace(",", "")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0] == 1264
        assert conn.execute("SELECT COUNT(*) FROM incidents WHERE lat BETWEEN 49 AND 49.4"
                            " AND x_m IS NOT NULL").fetchone()[0] > 1200
    proc = wijkbot(tmp_path, "--database", str(db), "backtest", "--project", "1", "--tz",
                   "America/Vancouver", WIJKBOT_LANGUAGE="en")
    assert proc.returncode == 0, proc.stderr
    assert "PAI" in proc.stdout
    bad = wijkbot(tmp_path, "--database", str(db), "import", "incidents", str(SHARED),
                  "--project", "1", "--crs", "rd")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "Er is niets geïmporteerd uit vancouver_2022" in bad.stderr, bad.stderr
    assert bad.stderr.endswith("Voer de import opnieuw uit met de ontbrekende gegevens, "
                               "bijvoorbeeld: --crs EPSG:28992 --tz Europe/Amsterdam --map "
                               "date=Pleegdatum\n"), bad.stderr


def test_paths_and_dates_that_cannot_work_get_one_clear_line(tmp_path: Path) -> None:
    """A database that cannot be opened, an --out that cannot be written, a backtest date
    before the data: one line saying so (in the configured language), no traceback."""
    assert wijkbot(tmp_path, "demo", "--as-of", "2026-11-23").returncode == 0
    demo = str(tmp_path / "wijkbot-demo.sqlite")
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    cases = [
        (("--database", str(blocked / "x.sqlite"), "migrate"),
         f"database {blocked / 'x.sqlite'}: unable to open database file"),
        (("--database", demo, "steering", "--project", "1", "--out", str(blocked / "pack")),
         f"{blocked / 'pack'}: Not a directory"),
        (("--database", demo, "export", "--project", "1", "--out", str(blocked / "x.xlsx")),
         f"{blocked / 'x.xlsx'}: Not a directory"),
        (("--database", demo, "backtest", "--project", "1", "--as-of", "2021-12-01"),
         "too little history for a backtest up to 1 Dec 2021"),
    ]
    for args, message in cases:
        proc = wijkbot(tmp_path, *args, WIJKBOT_LANGUAGE="en")
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.startswith(f"wijkbot: {message}"), (args, proc.stderr)
        assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1, args
