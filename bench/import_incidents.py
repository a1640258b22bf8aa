"""Benchmark: incident import of a 100,000-row police export vs plain ``pandas.read_csv``.

Generates a Dutch-style export (semicolon separated, Windows-1252, decimal commas, RD New
coordinates, *pleegdatum/pleegtijd van/tot* windows, toevoegingen, registration numbers),
then runs each measurement in a fresh subprocess (so imports, caches and the heap of one
run cannot flatter the next) and reports the median of ``--repeat`` runs:

* ``read_csv``      plain ``pandas.read_csv(path, sep=";", encoding="cp1252")`` - the yardstick
* ``read_csv str``  the same with ``dtype=str`` (what a robust reader must start from)
* ``import``        ``bot.incident_import.read_incident_file`` on the file's bytes: everything
  up to validated, de-duplicated rows with keys (``result.incidents`` is built lazily)
* ``import+objs``   the same plus materialising all ``NewIncident`` objects (what storing
  them costs on top, before any SQL)

Time is wall-clock of the operation only (module imports excluded, reading the file
included); memory is the peak RSS during the operation minus the RSS before it (Linux:
the peak mark is reset through ``/proc/self/clear_refs``; elsewhere ``ru_maxrss``).

Usage::

    .venv/bin/python bench/import_incidents.py [--rows 100000] [--repeat 3] [--no-id]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 3.0

_STREETS = [
    "Kerkstraat", "Dorpsstraat", "Molenweg", "Spechtstraat", "Touwslagersweg", "Havenkade",
    "Coöperatiestraat", "Prins Hendrikstraat", "Händelstraat", "Café de Pauwlaan",
    "Burgemeester Van Rooijenplein", "Achterom", "Eikenlaan", "Lijsterbeslaan",
]  # fmt: skip
_BUURTEN = [
    ("Oude Haven", "BU99010103", "Centrum"), ("Vogelwijk", "BU99010301", "West"),
    ("Molenkwartier", "BU99010101", "Centrum"), ("Rijnoever", "BU99010202", "Oost"),
]  # fmt: skip
_MO = [
    "braak achterdeur", "braak voordeur", "raam forceren", "insluiping", "cilinder trekken",
    "flipperen", "onbekend",
]  # fmt: skip


def _decimal_comma(values: np.ndarray) -> np.ndarray:
    return np.char.replace(np.round(values, 2).astype(str), ".", ",")


def make_export(rows: int, *, with_id: bool = True, seed: int = 7) -> bytes:
    """A messy but valid export as Dutch Excel writes it."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2021-01-01T00:00") + rng.integers(0, 5 * 365 * 1440, rows).astype(
        "timedelta64[m]"
    )
    length = rng.choice([0, 0, 0, 30, 90, 240, 600, 900, 4000], rows).astype("timedelta64[m]")
    end = start + length
    s_idx, e_idx = pd.DatetimeIndex(start), pd.DatetimeIndex(end)
    point = length == np.timedelta64(0, "m")
    no_time = rng.random(rows) < 0.08
    buurt = rng.integers(0, len(_BUURTEN), rows)
    letters = np.array(["", "", "", "", "", "", "", "a", "b", "2", "3", "hs"])
    x = rng.uniform(88_000, 91_500, rows)
    y = rng.uniform(443_000, 445_000, rows)
    withheld = rng.random(rows) < 0.03
    frame = pd.DataFrame(
        {
            "Registratienummer": [f"PL0900-{2021 + i % 5}{i:07d}" for i in range(rows)],
            "Pleegdatum van": s_idx.strftime("%d-%m-%Y"),
            "Pleegtijd van": np.where(no_time, "", s_idx.strftime("%H:%M")),
            "Pleegdatum tot": np.where(point | no_time, "", e_idx.strftime("%d-%m-%Y")),
            "Pleegtijd tot": np.where(point | no_time, "", e_idx.strftime("%H:%M")),
            "Straat": np.array(_STREETS)[rng.integers(0, len(_STREETS), rows)],
            "Huisnummer": rng.integers(1, 250, rows).astype(str),
            "Huisnummer toevoeging": letters[rng.integers(0, len(letters), rows)],
            "Postcode": [f"{2790 + i % 9}{'ABCDEFGH'[i % 8]}{'KLMNPRST'[i % 7]}" for i in range(rows)],  # noqa: E501
            "Buurt": [_BUURTEN[b][0] for b in buurt],
            "CBS buurtcode": [_BUURTEN[b][1] for b in buurt],
            "Wijk": [_BUURTEN[b][2] for b in buurt],
            "Pleeggemeente": "Havendam",
            "Poging j/n": np.where(rng.random(rows) < 0.33, "J", "N"),
            "Modus operandi": np.array(_MO)[rng.integers(0, len(_MO), rows)],
            "X-coördinaat": np.where(withheld, "0", _decimal_comma(x)),
            "Y-coördinaat": np.where(withheld, "0", _decimal_comma(y)),
        }
    )  # fmt: skip
    if not with_id:
        frame = frame.drop(columns=["Registratienummer"])
    text = frame.to_csv(sep=";", index=False, lineterminator="\r\n")
    return text.encode("cp1252")


_CHILD = r"""
import json, resource, sys, time
kind, path = sys.argv[1], sys.argv[2]
import pandas as pd
if kind.startswith("import"):
    from datetime import datetime, UTC
    import pyproj  # noqa: F401  (module import time is not import work)
    from bot.incident_import import read_incident_file


def status(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return None


try:  # reset the peak-RSS mark (Linux): then VmHWM is the peak of the operation alone
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    before = status("VmRSS")
except OSError:
    before = None
if before is None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
if kind == "read_csv":
    n = len(pd.read_csv(path, sep=";", encoding="cp1252"))
elif kind == "read_csv str":
    n = len(pd.read_csv(path, sep=";", encoding="cp1252", dtype=str))
else:
    with open(path, "rb") as fh:  # read_csv reads its file inside the timing too
        data = fh.read()
    result = read_incident_file(data, path, now=datetime(2026, 11, 23, tzinfo=UTC))
    n = len(result.incidents)
    if kind == "import+objs":
        n = len(list(result.incidents))
elapsed = time.perf_counter() - t0
peak = status("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mb": peak - before, "rows": n}))
"""


def measure(kind: str, path: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-id", action="store_true", help="no registration numbers: hash keys")
    args = parser.parse_args(argv)
    t = datetime.now()
    data = make_export(args.rows, with_id=not args.no_id)
    print(
        f"generated {args.rows:,} rows, {len(data) / 1e6:.1f} MB "
        f"in {(datetime.now() - t) / timedelta(seconds=1):.1f} s"
    )
    kinds = ["read_csv", "read_csv str", "import", "import+objs"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.csv"
        path.write_bytes(data)
        runs: dict[str, list[dict[str, float]]] = {k: [] for k in kinds}
        for _ in range(args.repeat):
            for kind in kinds:  # interleaved, so load changes hit all kinds alike
                runs[kind].append(measure(kind, path))
    base = statistics.median(r["seconds"] for r in runs["read_csv"])
    print(f"{'':14} {'median s':>9} {'ratio':>6} {'peak MB':>8}   runs (s)")
    for kind in kinds:
        secs = [r["seconds"] for r in runs[kind]]
        med = statistics.median(secs)
        mem = statistics.median(r["peak_mb"] for r in runs[kind])
        print(
            f"{kind:14} {med:9.3f} {med / base:6.2f} {mem:8.1f}   "
            + " ".join(f"{s:.3f}" for s in secs)
        )
    ratio = statistics.median(r["seconds"] for r in runs["import"]) / base
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(f"import / read_csv = {ratio:.2f} -> {verdict} the target of <= {TARGET_RATIO:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
