"""Police open data: registered burglaries per neighbourhood per month (CBS StatLine).

The police publish "Geregistreerde misdrijven; soort misdrijf, wijk en buurt, per maand"
(StatLine table 47022NED on dataderden.cbs.nl / data.politie.nl). Where a partnership has
no incident export of its own, these monthly counts of crime type ``1.1.1 Diefstal/inbraak
woning`` per buurt carry the trend. This module turns a CSV or XLSX download of that table
into :class:`MonthlyCount` rows. It is pure: no database, no Telegram.

Two layouts are understood (columns are recognised by name, in any order, title rows above
the header and "Bron: ..." lines below the table are skipped):

* the *raw* (typed/untyped data set) export: ``ID;SoortMisdrijf;WijkenEnBuurten;Perioden;
  GeregistreerdeMisdrijven_1`` with codes (``1.1.1 ``, ``BU03630001``, ``2024MM03``) padded
  with spaces, ``.`` for a missing value; optional label columns (``..._label``);
* the *StatLine table* download with labels: ``"Soort misdrijf";"Wijken en buurten";
  "Perioden";"Geregistreerde misdrijven (aantal)"`` and values such as
  ``1.1.1 Diefstal/inbraak woning``, ``Burgwallen-Oude Zijde (BU03630000)`` or a bare name,
  ``2024 maart*`` (``*`` = provisional).

Rules: only crime ``1.1.1`` is kept (rows of other crime types, of municipalities, wijken or
the whole country, and yearly/quarterly periods are counted as skipped, not as errors);
``.``/``x``/empty counts are "not available" (skipped), ``-`` is zero (CBS: nil). A period
in the future, an unreadable period or count, and a second count for the same buurt and
month are rejected with their row number. Fatal (:class:`~bot.incident_import.ImportProblem`,
nothing may be stored): the file problems of :func:`~bot.incident_import.read_table`
(empty, too big, wrong type, ...), missing region/period/count columns, no row of crime
1.1.1 at all, or more than half of the candidate rows rejected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import numpy as np

from bot.i18n import N_
from bot.incident_import import (
    MAX_REJECTED_SHARE,
    MONTH_NAMES,
    ImportNotice,
    ImportProblem,
    RejectedRow,
    header_key,
    read_table,
)

__all__ = ["CRIME_CODE", "CRIME_LABEL", "CbsImportResult", "CbsProblem", "MonthlyCount",
           "read_cbs_monthly"]

CRIME_CODE: Final = "1.1.1"
CRIME_LABEL: Final = "1.1.1 Diefstal/inbraak woning"

F_CBS_COLUMNS = N_(
    "This does not look like the police table of registered crimes per neighbourhood per "
    "month: there is no column for {missing}. Columns in the file: {columns}."
)
F_CBS_NO_CRIME = N_(
    "The file has no rows for crime type {crime}. Crime types found: {found}. Select "
    "“{crime}” when downloading the table."
)
F_CBS_NO_COUNTS = N_("The file has no usable monthly counts for neighbourhoods.")
F_CBS_TOO_MANY = N_(
    "{count} of {total} rows have problems, more than half, so nothing was imported. Check "
    "that this is the monthly table per neighbourhood."
)
R_CBS_PERIOD = N_("“{value}” is not a month (expected for example 2024MM03 or 2024 maart).")
R_CBS_FUTURE = N_("The month {value} lies in the future.")
R_CBS_COUNT = N_("“{value}” is not a number of crimes.")
R_CBS_DUPLICATE = N_("There is already a count for “{buurt}” in {period} (row {first}).")
F_CBS_NOT_OURS = N_(
    "None of the neighbourhoods in the file is one of this project's ({ours}). The file "
    "has for example {examples}. Add the project's neighbourhoods with their CBS codes "
    "(/area neighbourhood Name | BU…) and send the file again."
)
F_CBS_NO_BUURTEN = N_(
    "This project has no neighbourhoods yet, so I cannot tell which rows of the table are "
    "its own. Add them with their CBS codes first (/area neighbourhood Name | BU…), then "
    "send the file again."
)
W_CBS_OTHER_BUURTEN = N_(
    "Rows about neighbourhoods outside this project were left out: {count} (for example "
    "{examples})."
)
W_CBS_NO_CRIME_COLUMN = N_(
    "The file has no column with the crime type; all rows were taken as {crime}."
)

_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "crime": (
        "soortmisdrijf", "soortmisdrijven", "soortmisdrijfcode", "misdrijf", "crimetype",
        "soortmisdrijflabel",
    ),
    "region": (
        "wijkenenbuurten", "wijkenbuurten", "regios", "regio", "codering", "regiocode",
        "gebiedscode", "buurtcode", "gebied", "buurt",
    ),
    "region_label": (
        "wijkenenbuurtenlabel", "regioslabel", "buurtnaam", "gebiedsnaam", "regionaam", "naam",
    ),
    "period": ("perioden", "periode", "maand", "period", "perioden label", "periodenlabel"),
    "count": (
        "geregistreerdemisdrijven1", "geregistreerdemisdrijvenaantal",
        "geregistreerdemisdrijven", "totaalgeregistreerdemisdrijven1", "aantalmisdrijven",
        "aantal", "count", "misdrijven",
    ),
}  # fmt: skip
_KNOWN: Final = frozenset(k for keys in _COLUMNS.values() for k in keys)

_REGION_CODE = re.compile(r"\b(BU|WK|GM|NL|LD|PV|RE|CR)\s*(\d{2,8})\b", re.IGNORECASE)
_CRIME_CODE = re.compile(r"^\s*(\d+(?:\.\d+)+)")
_PERIOD_CODE = re.compile(r"^(\d{4})\s*(MM|JJ|KW|X)\s*(\d{2})$", re.IGNORECASE)
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/ .]\s*(\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*[-/ .]\s*(\d{4})$")
_NAMED = re.compile(r"^(?:(\d{4})\s+([a-z]+)\.?|([a-z]+)\.?\s+(\d{4}))$")
_MISSING: Final = frozenset({"", ".", "x", "?", "..", "na", "n.a."})


class CbsProblem(ImportProblem):
    """The file *is* the police table per neighbourhood per month, but nothing may be
    imported from it. (A file that is no such table raises a plain ImportProblem, and may
    then be read as an incident export instead.)"""


@dataclass(frozen=True)
class MonthlyCount:
    """Registered burglaries (crime 1.1.1) in one buurt in one calendar month."""

    buurt_code: str | None  # "BU03630001"; None when the file only has names
    buurt_name: str | None
    year: int
    month: int
    count: int


@dataclass
class CbsImportResult:
    counts: list[MonthlyCount]
    rows: list[int]  # spreadsheet row of each count
    rejected: list[RejectedRow]
    skipped: dict[str, int]  # reason -> rows (other crime types, not a buurt, missing, ...)
    detected: dict[str, Any]
    warnings: list[ImportNotice] = field(default_factory=list)
    total_rows: int = 0


def _find(columns: list[str], names: tuple[str, ...], taken: set[str]) -> str | None:
    keys = {c: header_key(c) for c in columns}
    for name in names:
        for c in columns:
            if keys[c] == name and c not in taken:
                return c
    return None


def _region(value: str) -> tuple[str | None, str | None, str | None]:
    """(level, code, name) of a region cell: ``BU03630000`` -> ("BU", code, None);
    ``Binnenstad (BU03630000)`` -> ("BU", code, "Binnenstad"); ``Binnenstad`` -> (None,
    None, "Binnenstad")."""
    text = " ".join(value.split())
    if not text:
        return None, None, None
    m = _REGION_CODE.search(text)
    if not m:
        return None, None, text
    level = m.group(1).upper()
    digits = m.group(2)
    code = f"{level}{digits.zfill(8)}" if level == "BU" else f"{level}{digits}"
    name = (text[: m.start()] + text[m.end() :]).strip(" ()-,:")
    return level, code, name or None


def _period(value: str) -> tuple[int, int] | str | None:
    """(year, month); "other" for a yearly/quarterly period; None when unreadable."""
    text = value.strip().rstrip("*").strip().lower()
    if m := _PERIOD_CODE.match(text):
        if m.group(2).lower() != "mm":
            return "other"
        year, month = int(m.group(1)), int(m.group(3))
    elif m := _YEAR_MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := _MONTH_YEAR.match(text):
        month, year = int(m.group(1)), int(m.group(2))
    elif m := _NAMED.match(text):
        word = m.group(2) or m.group(3)
        if word not in MONTH_NAMES:
            return None
        year, month = int(m.group(1) or m.group(4)), MONTH_NAMES[word]
    elif re.fullmatch(r"\d{4}", text) or re.search(r"kwartaal|quarter", text):
        return "other"
    else:
        return None
    return (year, month) if 1 <= month <= 12 and 1900 < year < 2200 else None


def _count(value: str) -> int | str | None:
    """A count; "missing" for CBS' not-available marks; None when not a count."""
    text = value.strip().lower()
    if text in _MISSING:
        return "missing"
    if text in ("-", "–"):
        return 0  # CBS: nil
    compact = text.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", compact):
        compact = compact.replace(".", "")  # Dutch thousands separator
    compact = re.sub(r"[.,]0+$", "", compact)
    return int(compact) if compact.isdigit() else None


def _crime(value: str, crime_code: str) -> bool | str:
    """True when the row is about ``crime_code``, else the crime's code/label."""
    text = " ".join(value.split())
    m = _CRIME_CODE.match(text)
    if m:
        return m.group(1) == crime_code or text
    if crime_code == CRIME_CODE and "inbraakwoning" in header_key(text):
        return True
    return text


def read_cbs_monthly(
    data: bytes,
    filename: str,
    *,
    crime_code: str = CRIME_CODE,
    now: datetime | None = None,
    buurten: Sequence[tuple[str | None, str]] | None = None,
) -> CbsImportResult:
    """Monthly counts of ``crime_code`` per buurt from a StatLine CSV/XLSX download.

    ``buurten``: the project's neighbourhoods as (CBS code or None, name); rows of other
    neighbourhoods are left out (a table downloaded for a whole municipality would
    otherwise count in the project's trend). A row matches by code; by name only where
    the row or the project's neighbourhood has no code. None: keep every neighbourhood.

    Raises :class:`~bot.incident_import.ImportProblem` when nothing may be imported
    (:class:`CbsProblem` once the file is recognisably the police table).
    """
    if buurten is not None and not buurten:
        raise CbsProblem(F_CBS_NO_BUURTEN)
    codes = {c.upper() for c, _name in buurten or () if c}
    uncoded = {name.casefold() for c, name in buurten or () if not c}
    all_names = {name.casefold() for _c, name in buurten or ()}

    def ours(code: str | None, name: str | None) -> bool:
        if buurten is None:
            return True
        folded = (name or "").casefold()
        if code is not None:
            return code in codes or folded in uncoded
        return folded in all_names
    now = (now or datetime.now(UTC)).astimezone(UTC)
    table = read_table(data, filename, header_keys=_KNOWN)
    frame, rows = table.frame, table.rows
    columns = list(frame.columns)
    taken: set[str] = set()
    found: dict[str, str] = {}
    for role in ("crime", "region_label", "region", "period", "count"):
        col = _find(columns, _COLUMNS[role], taken)
        if col is not None:
            found[role] = col
            taken.add(col)
    missing = [r for r in ("region", "period", "count") if r not in found]
    if "region" in missing and "region_label" in found:
        found["region"] = found.pop("region_label")
        missing.remove("region")
    if missing:
        raise ImportProblem(
            F_CBS_COLUMNS,
            missing=", ".join(missing),
            columns=", ".join(f"“{c}”" for c in columns),
        )
    detected: dict[str, Any] = dict(table.detected)
    detected["columns"] = found
    # Sure it is the police table (a crime type column, or CBS region codes): its problems
    # are then said as such, not tried on the incident reader (a "no date column" answer).
    sure = "crime" in found or any(
        _REGION_CODE.search(v) for v in frame[found["region"]].head(200).tolist())
    fail = CbsProblem if sure else ImportProblem
    warnings: list[ImportNotice] = list(table.notices)
    skipped: dict[str, int] = {}

    def skip(reason: str, count: int) -> None:
        if count:
            skipped[reason] = skipped.get(reason, 0) + count

    values = {role: frame[col].to_numpy(dtype=object) for role, col in found.items()}
    n = len(frame)
    # Notes above/below the table ("Bron: CBS", "* voorlopige cijfers"): fewer than two cells.
    filled = np.zeros(n, dtype=int)
    for col in columns:
        filled += (frame[col].to_numpy(dtype=object) != "").astype(int)
    keep = filled >= 2
    skip("notes", int((~keep).sum()))

    # Crime type: the cache keeps this per distinct value (a handful per file).
    if "crime" in found:
        cache: dict[str, bool | str] = {}
        crime = [cache.setdefault(v, _crime(v, crime_code)) for v in values["crime"]]
        is_crime = np.array([c is True for c in crime], dtype=bool)
        others = sorted({c for c, k in zip(crime, keep, strict=True) if k and c is not True})
        skip("other_crime_types", int((keep & ~is_crime).sum()))
        if not (keep & is_crime).any():
            raise CbsProblem(
                F_CBS_NO_CRIME,
                crime=CRIME_LABEL if crime_code == CRIME_CODE else crime_code,
                found=", ".join(f"“{o}”" for o in others[:6]) or "-",
            )
        keep &= is_crime
    else:
        warnings.append(
            ImportNotice(
                W_CBS_NO_CRIME_COLUMN,
                {"crime": CRIME_LABEL if crime_code == CRIME_CODE else crime_code},
            )
        )

    region_cache: dict[str, tuple[str | None, str | None, str | None]] = {}
    label_values = values.get("region_label")
    rejected: list[RejectedRow] = []
    counts: list[MonthlyCount] = []
    out_rows: list[int] = []
    seen: dict[tuple[str, int, int], int] = {}
    current = (now.year, now.month)
    candidates = 0
    others_seen: dict[str, None] = {}  # a few neighbourhoods outside the project, in order
    for pos in np.flatnonzero(keep).tolist():
        row = int(rows[pos])
        raw_region = values["region"][pos]
        level, code, name = region_cache.setdefault(raw_region, _region(raw_region))
        if label_values is not None and label_values[pos].strip():
            name = " ".join(label_values[pos].split())
        if level is not None and level != "BU":
            skip("not_a_neighbourhood", 1)
            continue
        if code is None and name is None:
            skip("no_neighbourhood", 1)
            continue
        if not ours(code, name):
            skip("other_neighbourhoods", 1)
            if len(others_seen) < 3:
                others_seen.setdefault(code or name or "", None)
            continue
        period = _period(values["period"][pos])
        if period == "other":
            skip("not_monthly", 1)
            continue
        candidates += 1
        raw_period = values["period"][pos].strip()
        if period is None:
            rejected.append(RejectedRow(row, R_CBS_PERIOD, {"value": raw_period}))
            continue
        assert isinstance(period, tuple)
        if period > current:
            rejected.append(RejectedRow(row, R_CBS_FUTURE, {"value": raw_period}))
            continue
        number = _count(values["count"][pos])
        if number == "missing":
            skip("missing_count", 1)
            candidates -= 1
            continue
        if not isinstance(number, int):
            rejected.append(RejectedRow(row, R_CBS_COUNT, {"value": values["count"][pos].strip()}))
            continue
        key = (code or (name or "").casefold(), *period)
        if key in seen:
            label = f"{period[0]}-{period[1]:02d}"
            params = {"buurt": code or name, "period": label, "first": seen[key]}
            rejected.append(RejectedRow(row, R_CBS_DUPLICATE, params))
            continue
        seen[key] = row
        counts.append(MonthlyCount(code, name, period[0], period[1], number))
        out_rows.append(row)
    if candidates and len(rejected) > MAX_REJECTED_SHARE * candidates:
        raise fail(F_CBS_TOO_MANY, rejected, count=len(rejected), total=candidates)
    examples = ", ".join(f"“{o}”" for o in others_seen)
    if not counts and not candidates and skipped.get("other_neighbourhoods"):
        raise fail(F_CBS_NOT_OURS, examples=examples,
                   ours=", ".join(f"{n} ({c})" if c else n for c, n in (buurten or ())[:6]))
    if not counts:
        raise fail(F_CBS_NO_COUNTS, rejected)
    if skipped.get("other_neighbourhoods"):
        warnings.append(ImportNotice(W_CBS_OTHER_BUURTEN, {
            "count": skipped["other_neighbourhoods"], "examples": examples}))
    order = sorted(
        range(len(counts)),
        key=lambda i: (counts[i].buurt_code or "", counts[i].buurt_name or "",
                       counts[i].year, counts[i].month),
    )  # fmt: skip
    detected["crime"] = crime_code
    detected["buurten"] = len({(c.buurt_code, c.buurt_name) for c in counts})
    months = sorted({(c.year, c.month) for c in counts})
    detected["months"] = (
        f"{months[0][0]}-{months[0][1]:02d}",
        f"{months[-1][0]}-{months[-1][1]:02d}",
    )
    return CbsImportResult(
        counts=[counts[i] for i in order],
        rows=[out_rows[i] for i in order],
        rejected=sorted(rejected, key=lambda r: r.row),
        skipped=skipped,
        detected=detected,
        warnings=warnings,
        total_rows=n,
    )
