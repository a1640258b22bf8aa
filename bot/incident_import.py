"""Incident import core: police export bytes in, validated :class:`NewIncident` rows out.

This module is the pure, synchronous part of importing registered burglaries: it never
touches the database, Telegram or the file system. The Telegram handler (a CSV/XLSX file
sent in a private chat) and the CLI (``wijkbot import incidents FILE --project P``)
download or read the file, call :func:`read_incident_file` (in a worker thread, it is
CPU-bound) and store ``result.incidents`` in **one** transaction with
``IncidentRepository.add_many`` (``INSERT OR IGNORE`` on the stable ``source_key``).
``result.incidents`` is an :class:`IncidentBatch`: a read-only ``Sequence[NewIncident]``
kept column-wise that builds the objects as they are read (100k frozen dataclasses cost
more than the whole parse), so pass it straight to ``add_many``.

Public API
----------
``read_incident_file(data, filename, *, mapping=None, crs=None, default_municipality=None,
tz="Europe/Amsterdam", now=None, progress=None) -> ImportResult``
    Parse and validate one file. Raises :class:`ImportProblem` (a
    :class:`~bot.errors.UserError`) for a *fatal* problem; then nothing may be stored.
``parse_mapping(args) -> ColumnMapping``
    ``["date=offense_date", "lat=latitude"]`` or one string ``"date=Pleegdatum van
    time=Pleegtijd van"``; ``field=-`` (or ``field=``) switches an auto-detected column off.
``incident_key(...) -> str``
    The stable de-duplication key (see "Keys" below).
``read_table(data, filename, *, header_keys=None) -> Table``
    The shared file reader (type/encoding/separator/header detection), also used by
    :mod:`bot.cbs_import`.
``normalize_postcode``, ``normalize_house_number``, ``header_key``
    The value normalisers, for code that matches user input against imported rows.

What the reader copes with
--------------------------
* **File type by content**, not by extension: CSV/TSV text (UTF-8 with or without BOM,
  UTF-16 with BOM as written by Excel's "Unicode text", Windows-1252), XLSX (zip with
  ``xl/workbook.xml``; the sheet named like *incidenten*/*inbraken*/*data*/*export*, else
  the first sheet with data). Legacy ``.xls``, OpenDocument, PDF, images, HTML and other
  binaries are refused with a message that says what to do.
* **Separator** sniffing among ``;``, tab, ``,`` and ``|``: the candidate that splits the
  sample into the most columns *consistently* wins, so decimal commas in a
  semicolon file do not fool it. Title rows above the header (StatLine-style exports)
  are skipped: the header is the first row with at least two known column names.
* **Dates** (vectorised, parsed once per distinct value): ``23-11-2026``,
  ``23-11-2026 21:30[:00]``, ``23/11/2026``, ``23.11.2026``, two-digit years, ISO
  ``2026-11-23[ T]21:30`` (with an offset or ``Z`` it is taken as an absolute moment),
  ``20261123``, Dutch/English month names (``23 nov 2026``), Excel serial numbers and
  real XLSX dates, separate date and time columns, ``YEAR/MONTH/DAY/HOUR/MINUTE``
  columns and time windows (*pleegdatum van/tot*, *begin/eind*, *from/to*). Slash dates
  are day-first unless no value needs day-first and some only parse month-first (US).
* **Numbers**: decimal commas (``85123,45``), thousands separators when both marks occur
  (``85.123,45``), surrounding spaces.

Time rules
----------
* Local times are in ``tz`` (default Europe/Amsterdam; the Vancouver export needs
  ``tz="America/Vancouver"``) and are converted to aware UTC. A local time that does not
  exist (spring DST gap) is moved forward by one hour; an ambiguous one (autumn) is taken
  as its first, summer-time occurrence. This is what :mod:`zoneinfo` does with
  ``fold=0`` and what the demo generator does.
* Window: ``from`` is the start date (+ start time). ``to`` comes from the end
  date/time; an end *time* without an end *date* that is earlier than the start time
  means the window runs overnight (22:00-06:00 ends the next morning). A start without
  any time and no end is the whole day (00:00-23:59). A known time and no end gives
  ``to == from``. An end date without an end time means the end of that day (23:59).
* A row is rejected when ``to < from``, when a date lies more than
  :data:`FUTURE_TOLERANCE` after ``now``, or before :data:`EARLIEST_DATE`.

Coordinates
-----------
``crs`` may be ``"rd"``, ``"wgs84"``, ``"EPSG:NNNN"`` (any CRS pyproj knows) or ``None``
for auto-detection: lat/lon columns -> WGS84; X/Y in the RD box (x 0-300 km,
y 300-625 km) -> RD New (EPSG:28992); X/Y in degrees -> WGS84 (swapped lat/lon in X/Y is
detected and corrected with a warning); anything else is fatal with a request to pass
``crs``. All projection maths is pyproj (``always_xy=True``). Both RD and WGS84 are filled
whenever the point lies in the Netherlands; for foreign data only lat/lon are filled and
``x_rd``/``y_rd`` stay None. ``0,0`` means "withheld": no coordinates, not an error.
Metric coordinates for analytics are returned in ``ImportResult.metric_x``/``metric_y``
(numpy arrays parallel to ``incidents``, NaN when unknown) in ``ImportResult.metric_crs``:
RD New for Dutch data, the source CRS when it is projected in metres (EPSG:26910 for
Vancouver), otherwise the UTM zone of the data.

When RD is declared or detected, points outside the RD box are rejected row by row; when
RD was *declared* and more than half of the points are outside, the file is refused
(the declaration is wrong). The same holds for any other declared CRS and its area of use.

All-or-nothing and thresholds
-----------------------------
Parsing never writes anything. A file is refused as a whole (:class:`ImportProblem`) when
it is empty, bigger than :data:`MAX_FILE_BYTES`, of the wrong type, unreadable, has no
rows, has no date column, names unknown columns in an explicit mapping, has a column in
which more than :data:`MAX_COLUMN_FAILURE_SHARE` of the filled values cannot be read as
what the column should hold (the message names the column and gives examples), when the
coordinate system cannot be told or the declared one does not fit, or when more than
:data:`MAX_REJECTED_SHARE` of the rows are rejected (or no row is valid). Otherwise the
valid rows are returned, and every rejected row is listed with its spreadsheet row
number (header = row 1 unless title rows precede it) and a translatable reason.
Invalid postcodes and CBS codes do not reject a row: the value is left empty and a
warning lists the rows. An empty attempt cell counts as "not an attempt".

Keys
----
``source_key`` is ``"id:<registration number>"`` when the file has a registration-number
column (Registratienummer, BVH-nummer, Zaaknummer, ...) and the row has one; otherwise
``"h:"`` + a 96-bit BLAKE2b hash of the UTC window (in whole minutes), street, house
number, postcode, MO and attempt, plus the source coordinates and neighbourhood when the
house number is missing (generalised addresses such as Vancouver's ``12XX W 10TH AVE``
would otherwise make two incidents in one block at the same time collide). Values are
normalised (case, whitespace, postcode spacing) first, so the same incident in a later,
overlapping export gets the same key and re-importing adds nothing. Rows of one file with
the same key are reported as duplicates (``ImportResult.duplicates``); the first is kept.
A registration number given twice with different details is no duplicate: the later row
is rejected, naming the first.
With a registration number the key outlives a change of details, so a later export can
correct an incident it holds again (:mod:`bot.corrections`); without one a changed row is
another key, and so another incident.
"""

from __future__ import annotations

import codecs
import csv
import gc
import hashlib
import io
import json
import math
import operator
import re
import unicodedata
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache, partial
from itertools import compress
from typing import Any, Final, overload

import numpy as np
import pandas as pd

from bot.errors import UserError
from bot.i18n import N_, format_number
from storage.incidents import NewIncident

__all__ = [
    "EARLIEST_DATE",
    "FIELDS",
    "FUTURE_TOLERANCE",
    "MAX_COLUMN_FAILURE_SHARE",
    "MAX_FILE_BYTES",
    "MAX_REJECTED_SHARE",
    "MAX_SPREAD_KM",
    "MONTH_NAMES",
    "REGISTRATION_KEY",
    "ColumnMapping",
    "DuplicateRow",
    "ImportNotice",
    "ImportProblem",
    "ImportResult",
    "IncidentBatch",
    "RejectedRow",
    "Table",
    "haversine_km",
    "header_key",
    "incident_key",
    "normalize_house_number",
    "normalize_postcode",
    "parse_mapping",
    "read_incident_file",
    "read_table",
    "split_options",
    "wants_options",
]

# --------------------------------------------------------------------------- limits

#: Telegram's Bot API lets a bot download files up to 20 MB; the CLI uses the same limit so
#: that both paths accept the same files.
MAX_FILE_BYTES: Final = 20 * 1024 * 1024
#: More than this share of rejected rows means the file (or its mapping) is wrong as a
#: whole: nothing is imported. A file with 10 % bad rows imports the other 90 %.
MAX_REJECTED_SHARE: Final = 0.5
#: A column in which more than this share of the filled values cannot be read is mapped
#: wrongly or has an unknown format: refuse with the column name and examples instead of
#: rejecting most rows one by one.
MAX_COLUMN_FAILURE_SHARE: Final = 0.5
#: A project covers one area (a municipality, at most a police region): a place farther than
#: this from the project's earlier incidents — or, for a project without any yet, from the
#: middle of the file — is another area's data or a wrong coordinate system. Stored, it
#: would also stretch every map and the forecast grid (125 m cells) across the gap.
MAX_SPREAD_KM: Final = 50.0
#: Dates later than "now" plus this are typing errors (clock skew and time zones make
#: "today" fuzzy, hence a day of slack).
FUTURE_TOLERANCE: Final = timedelta(days=1)
#: Earlier dates are typing errors or Excel's empty date (1900-01-00); no police export
#: a partnership works with goes back further.
EARLIEST_DATE: Final = date(1990, 1, 1)
#: Windows longer than this are imported but reported: their time of day means little.
LONG_WINDOW: Final = timedelta(days=31)
#: RD New (EPSG:28992) box around the Netherlands: x_min, x_max, y_min, y_max in metres.
RD_BOUNDS: Final = (0.0, 300_000.0, 300_000.0, 625_000.0)
#: The Netherlands in WGS84: lon_min, lon_max, lat_min, lat_max.
NL_WGS84_BOUNDS: Final = (3.2, 7.3, 50.7, 53.7)
#: At most this many examples in a message.
_EXAMPLES: Final = 3
_EARLIEST_TEXT: Final = EARLIEST_DATE.strftime("%d-%m-%Y")
_END_OF_DAY: Final = np.timedelta64(23 * 60 + 59, "m")

_XLSX_SHEET_HINTS: Final = ("incident", "inbra", "misdrijf", "data", "export", "registrat")

# --------------------------------------------------------------------------- messages
# English message ids with named placeholders; translated when rendered for a user.

F_EMPTY = N_("The file “{filename}” is empty.")
F_TOO_BIG = N_(
    "The file “{filename}” is {size} MB; at most {max} MB can be imported. Split it, for "
    "example per year, or leave out columns you do not need."
)
F_LEGACY_XLS = N_(
    "“{filename}” is an old Excel file (.xls). Open it in Excel, save it as .xlsx or as CSV "
    "and send that file."
)
F_ENCRYPTED = N_(
    "“{filename}” is protected with a password. Remove the password in Excel (File → Info → "
    "Protect workbook) and send the file again."
)
F_ODS = N_(
    "“{filename}” is an OpenDocument spreadsheet. Save it as .xlsx or as CSV and send that file."
)
F_WRONG_TYPE = N_(
    "“{filename}” is not a CSV or Excel file (it looks like {kind}). Send the export as .csv "
    "or .xlsx."
)
F_WRONG_TYPE_UNKNOWN = N_(
    "“{filename}” is not a CSV or Excel file. Send the export as .csv or .xlsx."
)
F_DAMAGED = N_("“{filename}” is damaged or not a valid {kind} file.")
F_NO_TABLE = N_("“{filename}” contains no table with column headings.")
F_NO_ROWS = N_("“{filename}” has column headings but no rows.")
F_NO_DATE_COLUMN = N_(
    "No date column found. Columns in the file: {columns}. Say which column holds the date, "
    "for example date=“{example}”."
)
F_MAPPING_COLUMN = N_(
    "The mapping names the column “{column}” for {field}, but the file has no such column. "
    "Columns in the file: {columns}."
)
F_MAPPING_FIELD = N_("“{field}” is not a field that can be mapped. Fields: {fields}.")
F_MAPPING_SYNTAX = N_("“{item}” is not of the form field=column (for example date=Pleegdatum).")
F_MAPPING_TWICE = N_("The field {field} is mapped twice.")
F_MAPPING_SHARED = N_("The column “{column}” is mapped to both {field} and {other}; a column "
                      "can hold one field only.")
F_DATE_COLUMN = N_(
    "Column “{column}” should hold dates, but {failed} of {total} values cannot be read as a "
    "date, for example {examples}. Expected for example 23-11-2026, 23-11-2026 21:30 or "
    "2026-11-23."
)
F_TIME_COLUMN = N_(
    "Column “{column}” should hold times, but {failed} of {total} values cannot be read as a "
    "time, for example {examples}. Expected for example 21:30."
)
F_NUMBER_COLUMN = N_(
    "Column “{column}” should hold numbers, but {failed} of {total} values are not numbers, "
    "for example {examples}."
)
F_ATTEMPT_COLUMN = N_(
    "Column “{column}” should say whether it was an attempt, but {failed} of {total} values "
    "are not yes or no, for example {examples}."
)
F_UNKNOWN_CRS = N_(
    "Unknown coordinate system “{crs}”. Use rd, wgs84 or an EPSG code such as EPSG:28992."
)
F_UNDETECTED_CRS = N_(
    "Cannot tell which coordinate system the columns “{x}” and “{y}” use (for example "
    "{example}): they are neither RD New (EPSG:28992) nor WGS84 degrees. Give the coordinate "
    "system, for example crs=EPSG:26910."
)
F_RD_OUTSIDE = N_(
    "The coordinates were declared as RD New (EPSG:28992), but {count} of {total} points lie "
    "outside the Netherlands, for example ({x}, {y}). Check the coordinate system and the "
    "coordinate columns."
)
F_CRS_OUTSIDE = N_(
    "{count} of {total} points lie outside the area where {crs} is used, for example ({x}, "
    "{y}). Check the coordinate system and the coordinate columns."
)
F_TOO_MANY_REJECTED = N_(
    "{count} of {total} rows have problems, more than half, so nothing was imported. "
    "Check the column mapping, or fix the rows listed and send the file again."
)
F_FAR_FROM_PROJECT = N_(
    "{count} of {total} places lie more than {limit} km from this project's incidents, for "
    "example ({x}, {y}) at {km} km. A project covers one area: import this file into a "
    "project of its own, or check the coordinate system."
)
F_UNKNOWN_TZ = N_("Unknown time zone “{tz}”.")
#: Problems that a mapping, ``crs=`` or ``tz=`` given with the file can solve.
_OPTION_PROBLEMS: Final = frozenset({
    F_NO_DATE_COLUMN, F_MAPPING_COLUMN, F_MAPPING_FIELD, F_MAPPING_SYNTAX, F_MAPPING_TWICE,
    F_MAPPING_SHARED,
    F_DATE_COLUMN, F_TIME_COLUMN, F_NUMBER_COLUMN, F_ATTEMPT_COLUMN, F_UNKNOWN_CRS,
    F_UNDETECTED_CRS, F_RD_OUTSIDE, F_CRS_OUTSIDE, F_TOO_MANY_REJECTED, F_UNKNOWN_TZ,
})

R_BAD_FIELDS = N_(
    "The row has {found} values where the header has {expected}; a value probably contains "
    "the separator “{separator}” without quotes."
)
R_NO_DATE = N_("The date is missing (column “{column}”).")
R_SAME_NUMBER_OTHER_DETAILS = N_(
    "Registration number {number} is also in row {first}, with other details; only row "
    "{first} was imported. Correct the number, or keep the right row of the two."
)
R_BAD_DATE = N_("“{value}” in column “{column}” is not a date.")
R_IMPOSSIBLE_DATE = N_("The date “{value}” in column “{column}” does not exist.")
R_BAD_TIME = N_("“{value}” in column “{column}” is not a time of day.")
R_BAD_NUMBER = N_("“{value}” in column “{column}” is not a number.")
R_END_BEFORE_START = N_("The time window ends ({end}) before it starts ({start}).")
R_FUTURE = N_("The date {value} lies in the future.")
R_TOO_EARLY = N_("The date {value} is before {earliest}; that is probably a typing error.")
R_BAD_ATTEMPT = N_("“{value}” in column “{column}” is not yes or no (ja/nee, j/n, 1/0, yes/no).")
R_BAD_COORDINATE = N_("“{value}” in column “{column}” is not a coordinate.")
R_HALF_COORDINATES = N_("Only one of the coordinates is filled in (columns “{x}” and “{y}”).")
R_OUTSIDE_NL = N_("The coordinates ({x}, {y}) lie outside the Netherlands.")
R_OUTSIDE_AREA = N_("The coordinates ({x}, {y}) lie outside the area where {crs} is used.")
R_FAR_FROM_PROJECT = N_("The place ({x}, {y}) lies {km} km from this project's incidents.")
R_FAR_FROM_FILE = N_("The place ({x}, {y}) lies {km} km from the other places in this file.")
R_INVALID_DEGREES = N_(
    "The coordinates ({x}, {y}) are not valid degrees of longitude and latitude."
)

W_DECODING = N_("Some characters in the file could not be read; they are shown as “�”.")
# Counted notices read right for one and for many ("…: 1" / "…: 12"): they are rendered
# later, in the receiver's language, where a plural form cannot be chosen lazily.
W_POSTCODES = N_("Postcodes not recognised and left empty: {count}, for example {examples}.")
W_BUURT_CODES = N_(
    "Neighbourhood codes that are not CBS codes (like BU03630001), left empty: {count}, for "
    "example {examples}."
)
W_LONG_WINDOWS = N_("Incidents with a time window longer than {days} days: {count}.")
W_TYPES = N_(
    "The file mixes {count} incident types ({types}); all rows were imported as burglaries. "
    "Filter the export first if that is not right."
)
W_SWAPPED = N_(
    "The columns “{x}” and “{y}” hold latitude and longitude the other way round; they were "
    "read accordingly."
)
W_REPORT_DATE = N_(
    "No column with the date of the offence was found; the report date in column “{column}” "
    "was used instead."
)
W_HALF_PAIR = N_(
    "There is a column for {present} but none for {missing}; coordinates were not imported."
)
W_BAD_LINES = N_("Rows with more values than the header, rejected: {count}.")


# --------------------------------------------------------------------------- results


class ImportProblem(UserError):
    """A fatal problem with a file: nothing from it may be stored.

    ``rejected`` holds the row-level problems found so far (for "too many bad rows"), so
    the caller can show the first few.
    """

    def __init__(
        self, message: str, rejected: Sequence[RejectedRow] = (), /, **params: object
    ) -> None:
        super().__init__(message, **params)
        self.rejected = list(rejected)


@dataclass(frozen=True)
class RejectedRow:
    """One row that was not imported. ``row`` is the spreadsheet row number (header = 1
    when the header is the first line); ``reason`` an English msgid with ``params``."""

    row: int
    reason: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    def render(self) -> str:
        return UserError(self.reason, **self.params).render()


@dataclass(frozen=True)
class DuplicateRow:
    """A row with the same key as an earlier row of the same file (not imported)."""

    row: int
    first_row: int
    key: str


@dataclass(frozen=True)
class ImportNotice:
    """A warning that did not stop the import (e.g. postcodes left empty), with the rows
    it concerns."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)
    rows: tuple[int, ...] = ()

    def render(self) -> str:
        return UserError(self.message, **self.params).render()


# --------------------------------------------------------------------------- mapping

#: Fields a column can be mapped to, in the order they are looked for.
FIELDS: Final[tuple[str, ...]] = (
    "datetime", "date", "time", "datetime_to", "date_to", "time_to",
    "year", "month", "day", "hour", "minute",
    "id", "street", "address", "house_number", "house_letter", "house_number_suffix",
    "postcode", "buurt", "buurt_code", "wijk", "municipality",
    "attempt", "completed", "modus_operandi", "x", "y", "lat", "lon", "type",
)  # fmt: skip

# Header synonyms, already normalised by header_key() (lower case, accents and
# punctuation removed): "X-coördinaat" -> "xcoordinaat", "Poging (j/n)" -> "pogingjn".
# Within a field the first synonym present wins, so put the most specific first.
_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "datetime": (
        "pleegdatumtijdvan", "pleegdatumtijdbegin", "pleegdatumtijd", "pleegmomentvan",
        "pleegmomentbegin", "datumtijdbegin",
        "pleegmoment", "begindatumtijd", "datumtijdvan", "datumtijd", "datetimefrom",
        "datetime", "occurredfrom", "occurredat", "startdatetime", "offensedatetime",
        "incidentdatetime",
    ),
    "date": (
        "pleegdatumvan", "pleegdatumbegin", "pleegdatum", "begindatum", "startdatum",
        "datumvan", "vanafdatum", "datumvanaf", "incidentdatum", "datumincident",
        "delictdatum", "datum", "offensedate",
        "datefrom", "fromdate", "startdate", "incidentdate", "occurreddate",
        "occurrencedate", "date",
        # Report dates: only when the offence date is absent (with a warning).
        "aangiftedatum", "registratiedatum", "meldingsdatum", "reportdate", "reporteddate",
    ),
    "time": (
        "pleegtijdvan", "pleegtijdbegin", "pleegtijd", "begintijd", "starttijd", "tijdvan",
        "vanaftijd", "tijdvanaf", "pleegtijdstip", "tijdstip", "tijd", "offensetime",
        "timefrom", "fromtime", "starttime",
        "incidenttime", "occurredtime", "time",
    ),
    "datetime_to": (
        "pleegdatumtijdtot", "pleegdatumtijdtm", "pleegdatumtijdeind", "pleegmomenttot",
        "pleegmomenteind", "datumtijdeind",
        "einddatumtijd", "datumtijdtot", "datetimeto", "occurredto", "enddatetime",
    ),
    "date_to": (
        "pleegdatumtot", "pleegdatumtm", "pleegdatumtotenmet", "pleegdatumeind", "einddatum",
        "datumtot", "datumtm", "datumtotenmet", "totdatum", "dateto", "todate", "enddate",
        "dateuntil",
    ),
    "time_to": (
        "pleegtijdtot", "pleegtijdtm", "pleegtijdtotenmet", "pleegtijdeind", "eindtijd",
        "tijdtot", "tijdtm", "tottijd", "timeto", "totime", "endtime", "timeuntil",
    ),
    "year": ("pleegjaar", "jaar", "year"),
    "month": ("pleegmaand", "maand", "month"),
    "day": ("dagvandemaand", "dag", "day"),
    "hour": ("pleeguur", "uur", "hour"),
    "minute": ("minuut", "minuten", "minute", "minutes"),
    "id": (
        "registratienummer", "registratienummerbvh", "registratienr", "bvhregistratienummer",
        "bvhnummer", "bvhnr",
        "zaaknummer", "zaaknr", "incidentnummer", "incidentnr", "procesverbaalnummer",
        "pvnummer", "incidentid", "incidentnumber", "caseid", "casenumber", "caseno",
        "reportnumber", "reportid",
    ),
    "street": (
        "pleeglocatiestraat", "pleeglocatiestraatnaam", "pleegstraat", "straatnaam", "straat",
        "openbareruimtenaam", "openbareruimte", "streetname", "street", "hundredblock",
        "block",
    ),
    "address": ("pleegadres", "adres", "streetaddress", "address"),
    "house_number": (
        "pleeglocatiehuisnummer", "pleeghuisnummer", "huisnummer", "huisnr", "nummer",
        "housenumber", "housenr", "streetnumber",
    ),
    "house_letter": ("huisletter", "houseletter"),
    "house_number_suffix": (
        "huisnummertoevoeging", "huisnrtoevoeging", "huisnummertoev", "toevoeging", "toev",
        "housenumbersuffix", "housenumberaddition", "suffix", "addition",
    ),
    "postcode": (
        "pleeglocatiepostcode", "pleegpostcode", "postcode", "postcode6", "pc6", "postcode4",
        "pc4", "postalcode", "zipcode", "zip",
    ),
    "buurt": (
        "buurtnaam", "pleegbuurt", "cbsbuurtnaam", "cbsbuurt", "buurt", "neighbourhoodname",
        "neighborhoodname", "neighbourhood", "neighborhood",
    ),
    "buurt_code": (
        "cbsbuurtcode", "buurtcodecbs", "buurtcode", "bucode", "codebuurt",
        "neighbourhoodcode", "neighborhoodcode",
    ),
    "wijk": ("wijknaam", "pleegwijk", "cbswijknaam", "cbswijk", "wijk", "districtname", "district"),
    "municipality": (
        "pleeggemeente", "gemeentenaam", "gemeente", "municipality", "city", "pleegplaats",
        "plaatsnaam", "plaats", "woonplaats", "town",
    ),
    "attempt": (
        "pogingjn", "pogingjanee", "ispoging", "poging", "attemptyn", "isattempt", "attempted",
        "attempt",
    ),
    "completed": (
        "voltooidjn", "voltooidjanee", "isvoltooid", "voltooid", "iscompleted", "completed",
    ),
    "modus_operandi": (
        "modusoperandi", "modusoperandiomschrijving", "moomschrijving", "mo", "werkwijze",
        "wijzevanbinnenkomst", "wijzebinnenkomst", "binnenkomst", "modus", "methodofentry",
        "entrymethod", "method",
    ),
    "x": (
        "xcoordinaat", "xcoord", "rdx", "xrd", "coordx", "coordinaatx", "xcoordinate",
        "easting", "x",
    ),
    "y": (
        "ycoordinaat", "ycoord", "rdy", "yrd", "coordy", "coordinaaty", "ycoordinate",
        "northing", "y",
    ),
    "lat": ("latitude", "lat", "breedtegraad", "breedte", "wgs84lat", "latwgs84"),
    "lon": ("longitude", "lon", "lng", "long", "lengtegraad", "wgs84lon", "lonwgs84", "wgs84lng"),
    "type": (
        "soortmisdrijf", "misdrijf", "delict", "feit", "incidentsoort", "incidenttype",
        "maatschappelijkeklasse", "crimetype", "offensetype", "offencetype", "offense",
        "offence", "type", "category",
    ),
}  # fmt: skip
_REPORT_DATE_KEYS: Final = frozenset(
    {"aangiftedatum", "registratiedatum", "meldingsdatum", "reportdate", "reporteddate"}
)
#: All header keys we know; used to find the header row below title rows.
KNOWN_HEADER_KEYS: Final = frozenset(k for keys in _SYNONYMS.values() for k in keys)

# Field names accepted on the left of "field=column" besides FIELDS themselves.
_FIELD_ALIASES: Final[dict[str, str]] = {
    "from": "datetime", "to": "datetime_to", "datum": "date", "tijd": "time",
    "datum_tot": "date_to", "tijd_tot": "time_to", "registratienummer": "id",
    "straat": "street", "adres": "address", "huisnummer": "house_number",
    "number": "house_number", "huisletter": "house_letter",
    "toevoeging": "house_number_suffix", "suffix": "house_number_suffix",
    "neighbourhood": "buurt", "neighborhood": "buurt", "buurtcode": "buurt_code",
    "district": "wijk", "gemeente": "municipality", "city": "municipality",
    "poging": "attempt", "voltooid": "completed", "mo": "modus_operandi",
    "latitude": "lat", "lng": "lon", "long": "lon", "longitude": "lon",
}  # fmt: skip

# An explicit mapping of one field drops auto-detected alternatives of it, e.g. a user
# who maps date=... does not want an auto-detected DATETIME column to win.
_ALTERNATIVES: Final[dict[str, frozenset[str]]] = {
    "datetime": frozenset({"date", "time", "year", "month", "day", "hour", "minute"}),
    "date": frozenset({"datetime", "year", "month", "day", "hour", "minute"}),
    "year": frozenset({"datetime", "date", "time"}),
    "datetime_to": frozenset({"date_to", "time_to"}),
    "date_to": frozenset({"datetime_to"}),
    "x": frozenset({"lat", "lon"}),
    "y": frozenset({"lat", "lon"}),
    "lat": frozenset({"x", "y"}),
    "lon": frozenset({"x", "y"}),
    "attempt": frozenset({"completed"}),
    "completed": frozenset({"attempt"}),
    "address": frozenset({"street", "house_number"}),
}


def header_key(name: object) -> str:
    """Normalise a column heading for matching: lower case, accents and everything but
    letters and digits removed ("X-coördinaat" -> "xcoordinaat")."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]", "", text.lower())


@dataclass(frozen=True)
class ColumnMapping:
    """Which source column feeds which field. ``None`` as column switches an
    auto-detected column off. Immutable; save it per project with :meth:`to_json`."""

    pairs: tuple[tuple[str, str | None], ...] = ()

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for fld, _ in self.pairs:
            if fld not in FIELDS:
                raise ImportProblem(F_MAPPING_FIELD, field=fld, fields=", ".join(FIELDS))
            if fld in seen:
                raise ImportProblem(F_MAPPING_TWICE, field=fld)
            seen.add(fld)

    @classmethod
    def from_dict(cls, columns: Mapping[str, str | None]) -> ColumnMapping:
        return cls(tuple((_canonical_field(k), v) for k, v in columns.items()))

    @classmethod
    def from_json(cls, text: str) -> ColumnMapping:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a saved column mapping must be a JSON object")
        return cls.from_dict({str(k): (None if v is None else str(v)) for k, v in data.items()})

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True)

    def as_dict(self) -> dict[str, str | None]:
        return dict(self.pairs)

    def get(self, fld: str) -> str | None:
        for f, c in self.pairs:
            if f == fld:
                return c
        return None

    def __contains__(self, fld: object) -> bool:
        return any(f == fld for f, _ in self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)

    def merged(self, overrides: ColumnMapping | None) -> ColumnMapping:
        """This mapping with the fields of ``overrides`` replaced or added."""
        if not overrides:
            return self
        out = dict(self.pairs)
        out.update(overrides.pairs)
        return ColumnMapping(tuple(out.items()))

    def describe(self) -> str:
        """``date="Pleegdatum van" x=X`` - the form :func:`parse_mapping` reads back."""
        parts = []
        for f, c in self.pairs:
            col = "-" if c is None else c
            parts.append(f'{f}="{col}"' if re.search(r"[\s=\"]", col) else f"{f}={col}")
        return " ".join(parts)


def _canonical_field(name: str) -> str:
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = _FIELD_ALIASES.get(key, key)
    if key not in FIELDS:
        raise ImportProblem(F_MAPPING_FIELD, field=name.strip(), fields=", ".join(FIELDS))
    return key


_MAPPING_ITEM = re.compile(r"(?:^|\s)([A-Za-z_][\w-]*)\s*=")


def parse_mapping(args: Sequence[str] | str) -> ColumnMapping:
    """Parse ``field=column`` items: CLI arguments (``["date=Pleegdatum van", "x=X"]``,
    each item may contain spaces) or one string as typed in a chat
    (``date=Pleegdatum van time="Pleegtijd van" x=X``: an item ends where the next known
    ``field=`` begins). ``field=-`` or ``field=`` switches an auto-detected column off."""
    items: list[str] = []
    for arg in [args] if isinstance(args, str) else list(args):
        starts = [m.start(1) for m in _MAPPING_ITEM.finditer(arg) if _is_field_name(m.group(1))]
        if not starts or starts[0] != len(arg) - len(arg.lstrip()):
            if not arg.strip():
                continue
            name = arg.partition("=")[0].strip()
            if "=" in arg and re.fullmatch(r"[A-Za-z_][\w -]*", name):
                raise ImportProblem(F_MAPPING_FIELD, field=name, fields=", ".join(FIELDS))
            raise ImportProblem(F_MAPPING_SYNTAX, item=arg.strip())
        for a, b in zip(starts, [*starts[1:], len(arg)], strict=True):
            items.append(arg[a:b].strip())
    pairs: list[tuple[str, str | None]] = []
    for item in items:
        name, _, column = item.partition("=")
        fld = _canonical_field(name)
        column = column.strip()
        if (len(column) >= 2 and column[0] == column[-1] and column[0] in "\"'“”") or (
            column[:1] in "“" and column[-1:] in "”"
        ):
            column = column[1:-1].strip()
        if any(f == fld for f, _ in pairs):
            raise ImportProblem(F_MAPPING_TWICE, field=fld)
        # Two fields from one column: one of them would silently be lost (and saved so).
        key = header_key(column)
        other = next((f for f, c in pairs if c is not None and header_key(c) == key), None)
        if other is not None and column not in ("", "-"):
            raise ImportProblem(F_MAPPING_SHARED, column=column, field=other, other=fld)
        pairs.append((fld, None if column in ("", "-") else column))
    return ColumnMapping(tuple(pairs))


_OPTION_ITEM = re.compile(r"(?:^|(?<=\s))(crs|tz|timezone)\s*=\s*(\S*)", re.IGNORECASE)


def split_options(text: str | None) -> tuple[str | None, str | None, str | None]:
    """``(mapping, crs, tz)`` from one line of import options, as typed in a file's caption
    or after ``--map``: ``crs=EPSG:26910 tz=America/Vancouver date=offense_date``."""
    crs = tz = None
    for match in _OPTION_ITEM.finditer(text or ""):
        if match[1].lower() == "crs":
            crs = match[2] or None
        else:
            tz = match[2] or None
    rest = _OPTION_ITEM.sub("", text or "").strip()
    return rest or None, crs, tz


def wants_options(problem: ImportProblem) -> bool:
    """Whether a column mapping, coordinate system or time zone given with the file would
    solve ``problem`` (the caller then says how to give them)."""
    return problem.message in _OPTION_PROBLEMS


def _is_field_name(name: str) -> bool:
    key = name.strip().lower().replace("-", "_")
    return key in FIELDS or key in _FIELD_ALIASES


# --------------------------------------------------------------------------- reading

_BINARY_SIGNATURES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf", "7-Zip"),
    (b"Rar!", "RAR"),
    (b"{\\rtf", "RTF"),
)


@dataclass
class Table:
    """A file read as text: every cell a ``str`` (``""`` when empty), unique column names,
    and the spreadsheet row number of every row."""

    frame: pd.DataFrame
    rows: np.ndarray
    header_row: int
    detected: dict[str, Any]
    # (row, values found, values expected) of CSV lines with more values than the header.
    bad_lines: list[tuple[int, int, int]] = field(default_factory=list)
    notices: list[ImportNotice] = field(default_factory=list)


def read_table(data: bytes, filename: str, *, header_keys: frozenset[str] | None = None) -> Table:
    """Read CSV/TSV text or the relevant XLSX sheet into a :class:`Table`.

    The header is the first row with at least two names from ``header_keys`` (so title
    rows above it are skipped), else the first row that is filled like a header.
    """
    if not data:
        raise ImportProblem(F_EMPTY, filename=filename)
    if len(data) > MAX_FILE_BYTES:
        raise ImportProblem(
            F_TOO_BIG,
            filename=filename,
            # A callable is rendered in the reader's language: "47,9" in Dutch.
            size=partial(format_number, round(len(data) / (1024 * 1024), 1)),
            max=MAX_FILE_BYTES // (1024 * 1024),
        )
    head = data[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # An OLE container: a legacy .xls, or an .xlsx saved with a password (Excel then
        # wraps the encrypted zip in OLE with an "EncryptedPackage" stream).
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise ImportProblem(F_ENCRYPTED, filename=filename)
        raise ImportProblem(F_LEGACY_XLS, filename=filename)
    if head.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, filename, header_keys)
    for signature, kind in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise ImportProblem(F_WRONG_TYPE, filename=filename, kind=kind)
    return _read_csv(data, filename, header_keys)


def _valid(data: bytes, encoding: str) -> bool:
    """Whether ``data`` decodes strictly, checked in 1 MB steps so that no second copy of a
    20 MB file is held as ``str`` (pandas decodes again while parsing)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    step = 1 << 20
    try:
        for at in range(0, len(data), step):
            decoder.decode(data[at : at + step], final=at + step >= len(data))
    except UnicodeDecodeError:
        return False
    return True


def _detect_encoding(data: bytes, filename: str) -> tuple[str, str, list[ImportNotice]]:
    """(encoding for pandas, errors mode, notices): a BOM decides; else strict UTF-8; else
    Windows-1252 (what Dutch Excel writes), with Latin-1 for the five bytes cp1252 leaves
    undefined."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if not _valid(data, "utf-16"):
            raise ImportProblem(F_DAMAGED, filename=filename, kind="UTF-16 text")
        return "utf-16", "strict", []
    if data.startswith(codecs.BOM_UTF8):
        if _valid(data[3:], "utf-8"):
            return "utf-8-sig", "strict", []
        return "utf-8-sig", "replace", [ImportNotice(W_DECODING)]
    if b"\x00" in data[:4096]:
        # NUL bytes: UTF-16 without a BOM is too rare to guess; treat as binary.
        raise ImportProblem(F_WRONG_TYPE_UNKNOWN, filename=filename)
    if _valid(data, "utf-8"):
        return "utf-8", "strict", []
    # Every byte is a cp1252 character except these five (a memchr each, no decoding).
    if not any(b in data for b in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")):
        return "cp1252", "strict", []
    return "latin-1", "strict", []


def _sniff_separator(sample: str) -> str:
    """The separator that splits the sample into the most columns consistently.

    Counting consistency first and columns second is what keeps a semicolon file with
    decimal commas (``85123,45``) from being read as comma-separated.
    """
    lines = [ln for ln in sample.splitlines() if ln.strip()][:200]
    best: tuple[tuple[bool, float, float], str] | None = None
    for sep in (";", "\t", ",", "|"):
        counts = []
        for ln in lines:
            try:
                counts.append(len(next(csv.reader([ln], delimiter=sep))))
            except (csv.Error, StopIteration):
                counts.append(0)
        multi = [c for c in counts if c > 1]
        if not multi:
            continue
        width = Counter(multi).most_common(1)[0][0]
        consistency = sum(1 for c in counts if c == width) / len(counts)
        high = consistency >= 0.8
        key = (high, float(width) if high else consistency, consistency)
        if best is None or key > best[0]:
            best = (key, sep)
    return best[1] if best else ","


def _named_header(records: Sequence[Sequence[str]], header_keys: frozenset[str] | None) -> int:
    """The first record with at least two known column names (-1: none)."""
    if header_keys:
        for i, rec in enumerate(records):
            if sum(1 for c in rec if header_key(c) in header_keys) >= 2:
                return i
    return -1


def _find_header(records: Sequence[Sequence[str]], header_keys: frozenset[str] | None) -> int:
    named = _named_header(records, header_keys)
    if named >= 0:
        return named
    filled = [sum(1 for c in r if str(c).strip()) for r in records]
    width = max(filled, default=0)
    if width == 0:
        return -1
    need = max(2, math.ceil(width / 2)) if width >= 2 else 1
    return next(i for i, n in enumerate(filled) if n >= need)


def _unique_columns(names: Sequence[object]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(names):
        name = " ".join(str(raw).split()) if raw is not None else ""
        if not name:
            name = f"Unnamed: {i}"
        base, n = name, 1
        while name in seen:
            name = f"{base}.{n}"
            n += 1
        seen.add(name)
        out.append(name)
    return out


def _drop_empty(frame: pd.DataFrame, rows: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Drop columns without heading and data (trailing separators) and empty rows."""
    keep_cols = [
        c for c in frame.columns
        if not (c.startswith("Unnamed: ") and not (frame[c] != "").any())
    ]  # fmt: skip
    if len(keep_cols) != frame.shape[1]:
        frame = frame[keep_cols]
    if frame.shape[1] == 0:
        return frame, rows[:0]
    # Only rows whose first cell is empty can be empty; check the other cells just there.
    empty = _strings(frame.iloc[:, 0].to_numpy(dtype=object)) == ""
    if empty.any():
        cand = np.flatnonzero(empty)
        sub = frame.iloc[cand]
        blank = np.ones(len(cand), dtype=bool)
        for c in sub.columns:
            blank &= (sub[c] == "").to_numpy()
        drop = np.zeros(len(frame), dtype=bool)
        drop[cand[blank]] = True
        if drop.any():
            frame = frame.loc[~drop].reset_index(drop=True)
            rows = rows[~drop]
    return frame, rows


_BAD_LINE = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")
_TRUNCATED = "Length of header or names does not match length of data"


def _too_wide(text: str, sep: str, header_idx: int, width: int, header_row: int,
              skipped: set[int]) -> list[tuple[int, int, int]]:
    """Records with more cells than the header that pandas kept (cut to the header's
    width): (position in the frame, spreadsheet row, cells). Rows pandas skipped itself
    (``skipped``) have no place in the frame."""
    out: list[tuple[int, int, int]] = []
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=sep)
    at = 0
    for number, record in enumerate(reader):
        if number <= header_idx:
            continue
        row = header_row + number - header_idx
        if row in skipped:
            continue
        if len(record) > width:
            out.append((at, row, len(record)))
        at += 1
    return out


def _read_csv(data: bytes, filename: str, header_keys: frozenset[str] | None) -> Table:
    encoding, errors, notices = _detect_encoding(data, filename)
    if encoding != "utf-16" and b"\n" not in data and b"\r" in data:
        data = data.replace(b"\r", b"\n")  # old Mac line ends: make lines countable
    # Sniff on the first 64 KB only, cut at a line end; pandas reads the bytes itself.
    sample = data[:65536].decode(encoding, errors="replace")
    if len(data) > 65536 and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]  # no half line (or half character)
    if sample.lstrip()[:1] == "<":
        raise ImportProblem(F_WRONG_TYPE, filename=filename, kind="HTML/XML")
    if sample.lstrip()[:1] in ("{", "["):
        raise ImportProblem(F_WRONG_TYPE, filename=filename, kind="JSON")
    # Excel honours a first line "sep=;" - and so do we.
    hint = re.match(r"\ufeff?sep=(\S)\r?\n", sample)
    sep = hint.group(1) if hint else _sniff_separator(sample)
    # Find the header among the first records, counting records (= spreadsheet rows,
    # blank lines included) and physical lines (what pandas' skiprows counts).
    records: list[list[str]] = []
    line_starts: list[int] = []
    reader = csv.reader(io.StringIO(sample, newline=None), delimiter=sep)
    while len(records) < 100:
        start = reader.line_num
        try:
            rec = next(reader)
        except (StopIteration, csv.Error):
            break  # the sample may end inside a quoted cell; pandas judges the file
        records.append(rec)
        line_starts.append(start)
    header_idx = _find_header(records, header_keys)
    if header_idx < 0:
        raise ImportProblem(F_NO_TABLE, filename=filename)
    header_row = header_idx + 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(
                io.BytesIO(data),
                encoding=encoding,
                encoding_errors=errors,
                sep=sep,
                dtype=object,
                na_filter=False,  # every cell a str; "NA" is a value, not missing
                keep_default_na=False,
                skip_blank_lines=False,  # keep blank lines so row numbers stay right
                skiprows=line_starts[header_idx],
                index_col=False,
                on_bad_lines="warn",
                engine="c",
            )
        except (pd.errors.ParserError, ValueError, csv.Error) as exc:
            raise ImportProblem(F_DAMAGED, filename=filename, kind="CSV") from exc
    bad = [
        (int(m.group(1)), int(m.group(3)), int(m.group(2)))
        for w in caught
        if issubclass(w.category, pd.errors.ParserWarning)
        for m in _BAD_LINE.finditer(str(w.message))
    ]
    if any(_TRUNCATED in str(w.message) for w in caught):
        # pandas (index_col=False) silently cut the cells beyond the header's width: a
        # row with an unquoted separator in a cell would be read shifted. Such rows are
        # rejected with their row number instead.
        wide = _too_wide(data.decode(encoding, errors="replace"), sep, header_idx,
                         len(frame.columns), header_row, {row for row, _f, _e in bad})
        frame = frame.drop(index=[at for at, _row, _saw in wide]).reset_index(drop=True)
        bad += [(row, saw, len(frame.columns)) for _at, row, saw in wide]
    frame.columns = _unique_columns(frame.columns)
    rows = np.arange(header_row + 1, header_row + 1 + len(frame) + len(bad), dtype=np.int64)
    if bad:
        rows = rows[~np.isin(rows, [b[0] for b in bad])][: len(frame)]
    frame, rows = _drop_empty(frame, rows)
    detected: dict[str, Any] = {
        "file_type": "csv",
        "encoding": encoding,
        "separator": sep,
        "header_row": header_row,
    }
    return Table(frame, rows, header_row, detected, bad, notices)


def _read_xlsx(data: bytes, filename: str, header_keys: frozenset[str] | None) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:80] if "mimetype" in names else b""
    except zipfile.BadZipFile as exc:
        raise ImportProblem(F_DAMAGED, filename=filename, kind="ZIP/XLSX") from exc
    if b"opendocument" in mimetype:
        raise ImportProblem(F_ODS, filename=filename)
    if "xl/workbook.xml" not in names:
        raise ImportProblem(F_WRONG_TYPE, filename=filename, kind="ZIP")
    try:
        sheets: dict[str, pd.DataFrame] = pd.read_excel(
            io.BytesIO(data), sheet_name=None, header=None, dtype=object, engine="openpyxl"
        )
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        raise ImportProblem(F_DAMAGED, filename=filename, kind="Excel") from exc
    chosen: tuple[str, pd.DataFrame] | None = None
    # A sheet whose header has known column names and rows below it: a cover sheet
    # ("Toelichting", a title and a few lines of text) before the data is passed over.
    tables = [(n, d) for n, d in sheets.items() if _holds_table(d, header_keys)]
    for name, df in tables or sheets.items():
        if any(h in header_key(name) for h in _XLSX_SHEET_HINTS) and df.notna().any().any():
            chosen = (name, df)
            break
    if chosen is None and tables:
        chosen = tables[0]
    if chosen is None:
        chosen = next(
            ((n, d) for n, d in sheets.items() if d.notna().any(axis=1).sum() >= 2),
            next(iter(sheets.items()), None),
        )
    if chosen is None:
        raise ImportProblem(F_NO_TABLE, filename=filename)
    sheet, raw = chosen
    # pandas keeps leading and inner empty rows, so position i is spreadsheet row i + 1.
    cells = [[_cell_text(v) for v in rec] for rec in raw.itertuples(index=False, name=None)]
    header_idx = _find_header(cells[:100], header_keys)
    if header_idx < 0:
        raise ImportProblem(F_NO_TABLE, filename=filename)
    heading, header_rows = _two_row_header(cells, header_idx, header_keys)
    body = cells[header_idx + header_rows :]
    frame = pd.DataFrame(body, columns=_unique_columns(heading), dtype=object)
    first = header_idx + header_rows + 1  # spreadsheet row of the first data row
    rows = np.arange(first, first + len(body), dtype=np.int64)
    frame, rows = _drop_empty(frame, rows)
    detected: dict[str, Any] = {"file_type": "xlsx", "sheet": sheet, "header_row": header_idx + 1}
    if header_rows == 2:
        detected["header_rows"] = 2
    return Table(frame, rows, header_idx + 1, detected)


def _holds_table(sheet: pd.DataFrame, header_keys: frozenset[str] | None) -> bool:
    """Whether a sheet has a header with at least two known column names (in its first
    100 rows) and a filled row below it."""
    top = [[_cell_text(v) for v in rec] for rec in sheet.head(100).itertuples(index=False,
                                                                             name=None)]
    named = _named_header(top, header_keys)
    return named >= 0 and bool(sheet.iloc[named + 1:].notna().any(axis=1).any())


def _two_row_header(cells: list[list[str]], header_idx: int,
                    header_keys: frozenset[str] | None) -> tuple[list[str], int]:
    """The heading, and how many rows it takes. A heading of two rows, as spreadsheets
    make them with merged cells ("Pleegdatum" over "van" and "tot"), is read as one:
    the upper name goes over the empty cells to its right that have a name below, and
    each column is named "upper lower". Taken only when that gives more known column
    names than the upper row alone (a first data row is never mistaken for names)."""
    top = cells[header_idx]
    if header_idx + 1 >= len(cells) or not header_keys:
        return top, 1
    below = cells[header_idx + 1]
    if not any(b and not t for t, b in zip(top, below, strict=False)):
        return top, 1  # no name under an empty (merged) upper cell
    if any(b and (any(ch.isdigit() for ch in b) or len(b) > 40) for b in below):
        return top, 1  # numbers and dates are data, not names
    merged, upper = [], ""
    for t, b in zip(top, below + [""] * (len(top) - len(below)), strict=False):
        if t:
            upper = t
        elif not b:
            upper = ""  # an empty column ends the span
        merged.append(" ".join(p for p in ((t or upper), b) if p))
    known = sum(1 for c in top if header_key(c) in header_keys)
    if sum(1 for c in merged if header_key(c) in header_keys) <= known:
        return top, 1
    return merged, 2


def _cell_text(value: object) -> str:
    """An XLSX cell as text in a form the CSV parsers read: dates as ISO (midnight ->
    date only, as Excel date cells are midnight datetimes), integral floats without
    ``.0`` (house numbers, codes), times as ``HH:MM:SS``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):  # includes pd.Timestamp
        if pd.isna(value):
            return ""
        if value.time() == time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, timedelta):
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return str(value).strip()


# --------------------------------------------------------------------------- vector helpers


def _map_unique(values: np.ndarray | pd.Series, func: Callable[[str], Any]) -> np.ndarray:
    """``func`` applied to every distinct value only (columns repeat a lot: streets,
    buurten, MOs, dates), spread back with numpy indexing."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [func(u) for u in uniques]
    mapped[-1] = None  # code -1 (missing) picks the last slot
    return mapped[codes]


def _map_unique_pairs(
    first: np.ndarray, second: np.ndarray, func: Callable[[str, str], Any]
) -> np.ndarray:
    """Like :func:`_map_unique` for a function of two columns (house number + toevoeging):
    factorise each column, combine the integer codes and call ``func`` per distinct pair."""
    c1, u1 = pd.factorize(np.asarray(first, dtype=object))
    c2, u2 = pd.factorize(np.asarray(second, dtype=object))
    v1 = [*np.asarray(u1, dtype=object).tolist(), ""]  # code -1 (missing) -> ""
    v2 = [*np.asarray(u2, dtype=object).tolist(), ""]
    c1 = np.where(c1 < 0, len(v1) - 1, c1).astype(np.int64)
    c2 = np.where(c2 < 0, len(v2) - 1, c2).astype(np.int64)
    codes, pairs = pd.factorize(c1 * len(v2) + c2)
    mapped = np.empty(len(pairs), dtype=object)
    mapped[:] = [func(v1[p // len(v2)], v2[p % len(v2)]) for p in pairs.tolist()]
    return mapped[codes]


def _clean_text(value: str) -> str | None:
    text = " ".join(str(value).split())
    return text or None


def _examples(values: Sequence[str] | np.ndarray) -> str:
    seen: list[str] = []
    for v in values:
        if v not in seen:
            seen.append(str(v))
        if len(seen) == _EXAMPLES:
            break
    return ", ".join(f"“{v}”" for v in seen)


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Creating ~100k small objects triggers many needless young-generation collections;
    # pausing the collector for that loop roughly halves its time. Always re-enabled.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Rejections:
    """The first reason per row (rows are positions in the table)."""

    def __init__(self, n: int) -> None:
        self.mask = np.zeros(n, dtype=bool)
        self.reasons: dict[int, tuple[str, dict[str, object]]] = {}

    def add(
        self,
        mask: np.ndarray,
        reason: str,
        params: Callable[[int], dict[str, object]] | dict[str, object] | None = None,
        *,
        values: Sequence[object] | np.ndarray | None = None,
    ) -> None:
        """Reject the rows in ``mask`` not rejected yet. ``params`` is fixed or computed
        per position; ``values`` adds ``{"value": values[pos]}`` (the cell as written)."""
        new = np.flatnonzero(mask & ~self.mask)
        for pos in new.tolist():
            p = params(pos) if callable(params) else dict(params or {})
            if values is not None:
                p["value"] = values[pos]
            self.reasons[pos] = (reason, p)
        self.mask[new] = True


class _Progress:
    """Reports ``(done, total)`` at a handful of milestones (<= ~15 calls), only when the
    number grows, so the caller can edit one Telegram message without flooding it."""

    def __init__(self, callback: Callable[[int, int], None] | None, total: int) -> None:
        self.callback = callback
        self.total = total
        self.last = -1

    def __call__(self, fraction: float) -> None:
        if self.callback is None:
            return
        done = min(self.total, int(self.total * fraction))
        if done > self.last:
            self.last = done
            self.callback(done, self.total)


# --------------------------------------------------------------------------- dates

MONTH_NAMES: Final[dict[str, int]] = {
    "januari": 1, "january": 1, "jan": 1, "februari": 2, "february": 2, "feb": 2,
    "maart": 3, "march": 3, "mrt": 3, "mar": 3, "april": 4, "apr": 4, "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6, "juli": 7, "july": 7, "jul": 7, "augustus": 8,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "oktober": 10,
    "october": 10, "okt": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}  # fmt: skip
_MONTH_RE = re.compile(
    r"(\d{1,2})[\s.-]*("
    + "|".join(sorted(MONTH_NAMES, key=len, reverse=True))
    + r")\.?[\s.-]*(\d{4})",
    re.IGNORECASE,
)
_WEEKDAY_RE = re.compile(
    r"^(?:ma|di|wo|do|vr|za|zo|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|"
    r"mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+",
    re.IGNORECASE,
)
_TIME_SUFFIXES: Final = ("", " %H:%M", " %H:%M:%S", " %H.%M")
_DMY_FORMATS: Final = (
    tuple(f"%d{s}%m{s}%Y{t}" for s in "-/." for t in _TIME_SUFFIXES)
    + tuple(f"%d{s}%m{s}%y{t}" for s in "-/." for t in _TIME_SUFFIXES)
    + ("%Y%m%d",)
    + tuple(f"%Y/%m/%d{t}" for t in _TIME_SUFFIXES)
)
_MDY_FORMATS: Final = tuple(f"%m/%d/%Y{t}" for t in _TIME_SUFFIXES)
_DATEISH = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:\D|$)|^\d{8}$")
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
# Excel serial day numbers (1899-12-30 epoch) between 1954 and 2118.
_EXCEL_MIN, _EXCEL_MAX = 20_000, 80_000
_EXCEL_EPOCH = np.datetime64("1899-12-30T00:00", "us")


@dataclass
class _Dates:
    values: np.ndarray  # datetime64[us], naive local time (UTC where ``absolute``)
    has_time: np.ndarray
    absolute: np.ndarray  # value carried an explicit UTC offset
    empty: np.ndarray
    failed: np.ndarray  # filled but unreadable
    impossible: np.ndarray  # failed and shaped like a date (31-02-2026, 13/13/2026)
    formats: list[str]


def _parse_dates(values: np.ndarray | pd.Series, *, split: bool = True) -> _Dates:
    """Parse a text column of dates or datetimes. Work is done per distinct value; for
    high-cardinality datetime columns the date and time halves are parsed separately,
    which keeps pandas' slow non-ISO strptime path off 100k distinct strings."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    u = _parse_unique_dates(np.asarray(uniques, dtype=object), split=split)

    def spread(a: np.ndarray, fill: Any) -> np.ndarray:
        out = np.empty(len(a) + 1, dtype=a.dtype)
        out[:-1] = a
        out[-1] = fill
        return out[codes]

    return _Dates(
        spread(u.values, np.datetime64("NaT", "us")),
        spread(u.has_time, False),
        spread(u.absolute, False),
        spread(u.empty, True),
        spread(u.failed, False),
        spread(u.impossible, False),
        u.formats,
    )


def _parse_unique_dates(raw: np.ndarray, *, split: bool) -> _Dates:
    n = len(raw)
    s = pd.Series(raw, dtype=object).str.strip()
    out = np.full(n, np.datetime64("NaT", "us"))
    has_time = np.zeros(n, dtype=bool)
    absolute = np.zeros(n, dtype=bool)
    empty = (s == "").to_numpy()
    formats: list[str] = []
    todo = ~empty

    def pending() -> np.ndarray:
        return todo & np.isnat(out)

    if split and n > 2000:
        # "23-11-2026 21:30" x 100k: parse ~2k dates and ~1.4k times instead.
        parts = s.str.partition(" ")
        tail = parts[2].to_numpy(dtype=object)
        cand = pending() & (parts[1] == " ").to_numpy()
        if cand.any():
            d = _parse_dates(parts[0].to_numpy(dtype=object)[cand], split=False)
            t_min, t_empty, t_failed = _parse_times(tail[cand])
            ok = ~d.failed & ~d.empty & ~d.has_time & ~d.absolute & ~t_failed & ~t_empty
            idx = np.flatnonzero(cand)[ok]
            out[idx] = d.values[ok] + (t_min[ok] * 60_000_000).astype("timedelta64[us]")
            has_time[idx] = True
            formats.extend(f"{f} %H:%M" for f in d.formats)
    if pending().any() and s[pending()].str.contains(r"[A-Za-z]", regex=True).any():
        # Weekday prefixes and month names: "ma 23 nov. 2026 21:30" -> "23-11-2026 21:30".
        sub = pending()
        s.loc[sub] = s[sub].map(_month_names_to_numbers)
    if pending().any():
        sub = pending()
        num = pd.to_numeric(s[sub], errors="coerce").to_numpy(dtype=float)
        serial = (
            (num >= _EXCEL_MIN)
            & (num <= _EXCEL_MAX)
            & s[sub].str.fullmatch(r"\d{5}(?:[.,]\d+)?").to_numpy(dtype=bool)
        )
        if serial.any():
            idx = np.flatnonzero(sub)[serial]
            minutes = np.round(num[serial] * 1440.0).astype(np.int64)
            out[idx] = _EXCEL_EPOCH + (minutes * 60_000_000).astype("timedelta64[us]")
            has_time[idx] = minutes % 1440 != 0
            formats.append("excel-serial")
    if pending().any():
        sub = pending()
        iso = sub & s.str.match(r"\d{4}-\d{1,2}-\d{1,2}").to_numpy(dtype=bool)
        if iso.any():
            offset = iso & s.str.contains(_OFFSET, regex=True).to_numpy(dtype=bool)
            local = iso & ~offset
            if local.any():
                parsed = pd.to_datetime(s[local], format="ISO8601", errors="coerce")
                out[local] = parsed.to_numpy(dtype="datetime64[us]")
                has_time[local] = (s[local].str.len() > 10).to_numpy()
            if offset.any():
                parsed = pd.to_datetime(s[offset], format="ISO8601", utc=True, errors="coerce")
                out[offset] = parsed.dt.tz_convert(None).to_numpy(dtype="datetime64[us]")
                has_time[offset] = True
                absolute[offset] = True
            if not np.isnat(out[iso]).all():
                formats.append("ISO 8601")
    slash = pending() & s.str.contains("/", regex=False).to_numpy(dtype=bool)
    dayfirst_needed = False
    for fmt in _DMY_FORMATS:
        sub = pending()
        if not sub.any():
            break
        parsed = pd.to_datetime(s[sub], format=fmt, errors="coerce").to_numpy(
            dtype="datetime64[us]"
        )
        hit = ~np.isnat(parsed)
        if hit.any():
            idx = np.flatnonzero(sub)[hit]
            out[idx] = parsed[hit]
            has_time[idx] = "%H" in fmt
            formats.append(fmt)
            if fmt.startswith("%d/"):
                dayfirst_needed |= bool((pd.DatetimeIndex(parsed[hit]).day > 12).any())
    if slash.any() and not dayfirst_needed:
        # No slash date needs day-first; if some only parse month-first, the column is US.
        rest = pending() & slash
        if rest.any():
            us = np.full(n, np.datetime64("NaT", "us"))
            us_time = np.zeros(n, dtype=bool)
            for fmt in _MDY_FORMATS:
                sub = slash & np.isnat(us)
                parsed = pd.to_datetime(s[sub], format=fmt, errors="coerce").to_numpy(
                    dtype="datetime64[us]"
                )
                hit = ~np.isnat(parsed)
                us[np.flatnonzero(sub)[hit]] = parsed[hit]
                us_time[np.flatnonzero(sub)[hit]] = "%H" in fmt
            if not np.isnat(us[rest]).all():
                ok = slash & ~np.isnat(us)
                out[ok] = us[ok]
                has_time[ok] = us_time[ok]
                formats = [f for f in formats if "/" not in f] + ["%m/%d/%Y"]
    failed = todo & np.isnat(out)
    impossible = failed & s.str.contains(_DATEISH, regex=True).to_numpy(dtype=bool)
    return _Dates(out, has_time, absolute, empty, failed, impossible, list(dict.fromkeys(formats)))


def _month_names_to_numbers(text: str) -> str:
    text = _WEEKDAY_RE.sub("", text)
    return _MONTH_RE.sub(
        lambda m: f"{int(m.group(1)):02d}-{MONTH_NAMES[m.group(2).lower()]:02d}-{m.group(3)}", text
    )


_TIME_RE = re.compile(
    r"^(\d{1,2})(?:[:.hu](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?)?\s*(am|pm|a\.m\.|p\.m\.|uur|u)?$"
)
_HHMM_RE = re.compile(r"^(\d{1,2})(\d{2})$")
_FRACTION_RE = re.compile(r"^0?[.,]\d+$|^0$")
_TRAILING_TIME_RE = re.compile(r"[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?$")


def _time_minutes(value: str) -> float | None:
    """Minutes after midnight for a time cell, ``nan`` when empty, None when unreadable.

    Accepts 21:30, 21.30, 21:30:00, 21u30, 9 pm, 2130 (HHMM), an Excel day fraction
    (0.895833) and a datetime whose time part is meant (1899-12-30 21:30:00)."""
    text = value.strip().lower()
    if not text:
        return math.nan
    if m := _TIME_RE.match(text):
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        suffix = m.group(4) or ""
        if suffix.startswith("p") and hour < 12:
            hour += 12
        elif suffix.startswith("a") and hour == 12:
            hour = 0
        if m.group(2) is None and not suffix and len(m.group(1)) > 2:
            return None
        return float(hour * 60 + minute) if hour < 24 and minute < 60 else None
    if m := _HHMM_RE.match(text):
        hour, minute = int(m.group(1)), int(m.group(2))
        return float(hour * 60 + minute) if hour < 24 and minute < 60 else None
    if _FRACTION_RE.match(text):
        frac = float(text.replace(",", "."))
        return float(round(frac * 1440) % 1440)
    if m := _TRAILING_TIME_RE.search(text):
        hour, minute = int(m.group(1)), int(m.group(2))
        return float(hour * 60 + minute) if hour < 24 and minute < 60 else None
    return None


def _parse_times(values: np.ndarray | pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(minutes after midnight as float, empty, failed) for a time column."""
    mapped = _map_unique(values, _time_minutes)
    failed = np.array([m is None for m in mapped], dtype=bool)
    minutes = np.where(failed, np.nan, mapped).astype(float)
    empty = np.isnan(minutes) & ~failed
    return minutes, empty, failed


def _parse_int(value: str) -> float | None:
    text = value.strip()
    if not text:
        return math.nan
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    return number if number.is_integer() else None


# --------------------------------------------------------------------------- numbers


def _to_float(text: str) -> float | None:
    """One number with either decimal mark; thousands separators only when both marks
    occur or one occurs several times ("85.123,45", "1.234.567")."""
    t = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not t:
        return math.nan
    if "," in t and "." in t:
        if t.rfind(",") > t.rfind("."):
            t = t.replace(".", "").replace(",", ".")
        else:
            t = t.replace(",", "")
    elif t.count(",") > 1:
        t = t.replace(",", "")
    elif t.count(".") > 1:
        t = t.replace(".", "")
    else:
        t = t.replace(",", ".")
    try:
        number = float(t)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _strings(values: np.ndarray | pd.Series) -> np.ndarray:
    """A variable-width numpy string array: ``np.strings`` ufuncs on it are 10-20x faster
    than pandas' per-element ``.str`` methods, and unlike fixed-width ``<U`` arrays one
    very long cell cannot blow up memory."""
    return np.asarray(values, dtype=np.dtypes.StringDType())


def _parse_plain_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray, bool] | None:
    """(numbers, empty, decimal_comma) when every cell of a coordinate column is empty or a
    plain number with one kind of decimal mark; None otherwise (then the caller's rules).

    Why: the column arrives as text (the file is read with every cell a ``str``), and
    pandas' C parser turns 100,000 such cells into floats about five times faster than
    numpy's string ufuncs (``bench/import_incidents.py``). The cells are joined into one
    column of text and parsed with ``decimal`` set to the column's mark. It is strict: a
    cell it might not read exactly as Python's ``float`` would (only spaces, thousands
    separators, both marks, ``NA``, text, anything not ASCII, a line break or quote inside
    a cell) sends the whole column the careful way instead, never to a different number."""
    items = values.tolist()
    try:
        text = "\n".join(items)
    except TypeError:  # not every cell is a str (a spreadsheet's own numbers)
        return None
    # ASCII only: pandas reads a byte-order mark at the start as nothing, which Python's
    # float rejects; and Python's float reads full-width digits, which pandas does not.
    if (not items or not text.isascii() or text.count("\n") != len(items) - 1
            or any(c in text for c in ("\r", '"', "\x1f"))):
        return None
    comma = "," in text
    if comma and "." in text:
        return None
    try:
        column = pd.read_csv(io.StringIO(text), header=None, names=["v"], sep="\x1f",
                             dtype=np.float64, decimal="," if comma else ".",
                             skip_blank_lines=False, quoting=csv.QUOTE_NONE,
                             keep_default_na=False, na_values=[""], engine="c")["v"]
    except (ValueError, pd.errors.ParserError):
        return None
    if len(column) != len(items):
        return None
    numbers = column.to_numpy(dtype=np.float64, copy=True)
    empty = np.asarray(values.to_numpy(dtype=object) == "", dtype=bool)
    return numbers, empty, comma


def _parse_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """(numbers, empty, failed, decimal_comma) for a coordinate column, by the rules of
    :func:`_to_float`, in three steps from fast to careful:

    1. every cell empty or a plain number: pandas' C parser (:func:`_parse_plain_numbers`);
    2. one decimal mark at most: turn every ``,`` into ``.`` and let numpy cast the whole
       column, which tolerates surrounding spaces;
    3. some cell does not cast (``85.123,45``, ``1 234``, text): every distinct value
       through :func:`_to_float`."""
    numbers, empty, decimal_comma = _parse_plain_numbers(values) or _cast_numbers(values)
    numbers[~np.isfinite(numbers)] = np.nan
    return numbers, empty, np.isnan(numbers) & ~empty, decimal_comma


def _cast_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray, bool]:
    """Steps 2 and 3 of :func:`_parse_numbers`: (numbers, empty, decimal_comma)."""
    raw = _strings(values)
    empty = raw == ""  # cells of only spaces fail the cast and are handled below
    decimal_comma = bool((np.strings.find(raw, ",") >= 0).any())
    text = np.strings.replace(raw, ",", ".") if decimal_comma else raw
    numbers = np.full(len(raw), np.nan)
    filled = ~empty
    try:
        numbers[filled] = (text[filled] if empty.any() else text).astype(np.float64)
    except ValueError:
        # Some cell does not cast: parse the awkward ones (multi-mark, inner spaces,
        # text) one distinct value at a time with the full rules.
        empty = np.strings.str_len(np.strings.strip(raw)) == 0
        filled = ~empty
        mapped = _map_unique(raw[filled].astype(object), _to_float)
        numbers[filled] = np.array([math.nan if v is None else v for v in mapped], dtype=float)
    return numbers, empty, decimal_comma


# --------------------------------------------------------------------------- values

_TRUE_WORDS: Final = frozenset({"ja", "j", "yes", "y", "1", "true", "waar", "x", "wel", "t"})
_FALSE_WORDS: Final = frozenset({"nee", "n", "no", "0", "false", "onwaar", "niet", "f"})
# Words that say what happened whatever the column is called.
_ATTEMPT_WORDS: Final = frozenset({"poging", "pogingtot", "attempt", "attempted", "mislukt", "p"})
_DONE_WORDS: Final = frozenset(
    {"voltooid", "gepleegd", "geslaagd", "completed", "complete", "succeeded", "v"}
)


def _attempt_value(value: str, inverse: bool) -> bool | None:
    key = header_key(value)
    if not key:
        return False
    if key in _ATTEMPT_WORDS:
        return True
    if key in _DONE_WORDS:
        return False
    if key in _TRUE_WORDS:
        return not inverse
    if key in _FALSE_WORDS:
        return inverse
    return None


_POSTCODE_RE = re.compile(r"^([1-9]\d{3})\s*([A-Za-z]{2})$")
_PC4_RE = re.compile(r"^[1-9]\d{3}$")


def normalize_postcode(value: str | None) -> str | None:
    """``2491ab`` -> ``2491 AB``; a four-digit PC4 (privacy-reduced exports) stays as is;
    anything else -> None."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    if m := _POSTCODE_RE.match(text):
        return f"{m.group(1)} {m.group(2).upper()}"
    if _PC4_RE.match(text):
        return text
    return None


_BUURT_CODE_RE = re.compile(r"^BU\d{8}$")


def _normalize_buurt_code(value: str) -> str | None:
    text = re.sub(r"\s", "", str(value)).upper()
    if not text:
        return None
    if _BUURT_CODE_RE.match(text):
        return text
    if text.isdigit() and 7 <= len(text) <= 8:
        # Excel drops the leading zero of numeric codes (03630001 -> 3630001).
        return "BU" + text.zfill(8)
    return ""  # filled but invalid: warned about by the caller


# number, a single house letter (not the start of a longer suffix like "hs"), toevoeging.
_HOUSE_RE = re.compile(r"^(\d+)\s*(?:([a-z])(?![a-z0-9]))?(?:\s*[-/ ]?\s*([a-z0-9]{1,6}))?$")


def normalize_house_number(number: str | None, suffix: str | None = None) -> str | None:
    """House number + letter/toevoeging in one canonical form: ``12``, ``12a`` (letter
    attached, lower case), ``12-2`` / ``12a-2`` / ``12-hs`` (toevoeging after a dash).
    "12 A", "12A" and "12" + "a" give ``12a``; "12" + "2" gives ``12-2``. Text that is not
    a house number ("ong.", "bij 12") is kept, cleaned and lower case."""
    num = " ".join(str(number).split()).lower() if number is not None else ""
    suf = " ".join(str(suffix).split()).lower().strip("-/ ") if suffix is not None else ""
    if num.endswith(".0") and num[:-2].isdigit():  # a float from a spreadsheet
        num = num[:-2]
    combined = f"{num} {suf}".strip() if suf else num
    if not combined:
        return None
    m = _HOUSE_RE.match(combined)
    if not m:
        return combined
    digits, letter, extra = m.group(1), m.group(2) or "", m.group(3) or ""
    if not letter and len(extra) == 1 and extra.isalpha():
        letter, extra = extra, ""  # "12 A" -> 12a
    return f"{int(digits)}{letter}" + (f"-{extra}" if extra else "")


_ADDRESS_RE = re.compile(r"^(.*?\D)\s*(\d+\s*[A-Za-z]?(?:\s*[-/ ]\s*\w{1,6})?)$")


def _split_address(value: str) -> tuple[str | None, str | None]:
    text = " ".join(str(value).split())
    if not text:
        return None, None
    if m := _ADDRESS_RE.match(text):
        return m.group(1).strip(" ,") or None, m.group(2)
    return text, None


# --------------------------------------------------------------------------- keys


def _content_key(
    from_minute: int,
    to_minute: int,
    street: str,
    house_number: str,
    postcode: str,
    modus_operandi: str,
    attempt: bool,
    location: str,
    area: str,
) -> str:
    parts = [
        "v1", str(from_minute), str(to_minute), street, house_number, postcode,
        modus_operandi, "1" if attempt else "0",
    ]  # fmt: skip
    if not house_number:
        parts += [location, area]
    text = "\x1f".join(parts)
    return "h:" + hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def _postcode_key(value: str | None) -> str:
    return (normalize_postcode(value) or "").replace(" ", "") if value else ""


def _key_text(value: str | None) -> str:
    return " ".join(value.split()).casefold() if value else ""


#: How the key of an incident with a registration number begins (see :func:`incident_key`).
REGISTRATION_KEY: Final = "id:"


def _id_key(value: str) -> str:
    return REGISTRATION_KEY + value.strip().upper().replace(" ", "")


def _location_text(x: float | None, y: float | None) -> str:
    # Source coordinates, not transformed ones, so a pyproj upgrade cannot change keys.
    if x is None or y is None or math.isnan(x) or math.isnan(y):
        return ""
    if abs(x) <= 180 and abs(y) <= 90:
        return f"{x:.5f},{y:.5f}"
    return f"{x:.0f},{y:.0f}"


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def _epoch_minute(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("incident_key needs aware datetimes")
    return (moment - _EPOCH) // timedelta(minutes=1)


def incident_key(
    *,
    occurred_from: datetime,
    occurred_to: datetime,
    street: str | None = None,
    house_number: str | None = None,
    postcode: str | None = None,
    modus_operandi: str | None = None,
    attempt: bool = False,
    source_id: str | None = None,
    location: tuple[float, float] | None = None,
    buurt: str | None = None,
) -> str:
    """The stable de-duplication key of one incident (``NewIncident.source_key``).

    ``source_id`` (a registration number) wins when given: ``"id:PL0900-2026123456"``.
    Otherwise a hash of the normalised UTC window (whole minutes), street, house number,
    postcode (invalid ones count as empty, as the importer leaves them empty), MO and
    attempt; when the house number is missing also of ``location`` (the coordinates *as in
    the source file*, x/longitude first) and ``buurt`` (the CBS code when the file has
    one, else the name). Case, spacing and postcode formatting do not matter.
    :func:`read_incident_file` produces exactly these keys.
    """
    if source_id is not None and source_id.strip():
        return _id_key(source_id)
    x, y = location if location is not None else (None, None)
    return _content_key(
        _epoch_minute(occurred_from),
        _epoch_minute(occurred_to),
        _key_text(street),
        normalize_house_number(house_number) or "",
        _postcode_key(postcode),
        _key_text(modus_operandi),
        attempt,
        _location_text(x, y),
        _area_text(buurt),
    )


def _area_text(buurt: str | None) -> str:
    if not buurt:
        return ""
    code = re.sub(r"\s", "", buurt).upper()
    return code if _BUURT_CODE_RE.match(code) else _key_text(buurt)


# --------------------------------------------------------------------------- result


class IncidentBatch(Sequence[NewIncident]):
    """The incidents of one file, stored column-wise; :class:`NewIncident` objects are
    built when read (iteration builds them in chunks).

    Why: building 100k frozen dataclass objects costs more than parsing the whole file
    and holds ~30 MB; the consumer (``IncidentRepository.add_many``) walks the sequence
    once anyway. It is an immutable ``Sequence[NewIncident]``: ``len()``, indexing,
    slicing (gives a list) and iteration work; use ``list(batch)`` for a real list.
    Columns: the ``NewIncident`` field names (times as naive-UTC ``datetime64[us]``,
    coordinates as floats with NaN for none); :meth:`frame` gives them as a DataFrame.
    """

    __slots__ = ("_columns", "_size")
    _CHUNK: Final = 8192
    _TEXT: Final = (
        "source_key", "street", "house_number", "postcode", "buurt", "buurt_code", "wijk",
        "municipality", "modus_operandi",
    )  # fmt: skip

    def __init__(self, columns: Mapping[str, np.ndarray]) -> None:
        self._columns = dict(columns)
        self._size = len(self._columns["source_key"])

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> NewIncident: ...

    @overload
    def __getitem__(self, index: slice) -> list[NewIncident]: ...

    def __getitem__(self, index: int | slice) -> NewIncident | list[NewIncident]:
        if isinstance(index, slice):
            return self._build(np.arange(self._size)[index])
        i = operator.index(index)
        if i < 0:
            i += self._size
        if not 0 <= i < self._size:
            raise IndexError("incident index out of range")
        return self._build(np.array([i]))[0]

    def __iter__(self) -> Iterator[NewIncident]:
        for a in range(0, self._size, self._CHUNK):
            yield from self._build(np.arange(a, min(self._size, a + self._CHUNK)))

    def __repr__(self) -> str:
        return f"<IncidentBatch of {self._size} incidents>"

    def keys(self) -> list[str]:
        """The source keys, in order (without building the incidents)."""
        return list(self._columns["source_key"].tolist())

    def column(self, name: str) -> np.ndarray:
        """One column (a :class:`NewIncident` field name), read-only: times as naive-UTC
        ``datetime64[us]``, texts as objects (None for none), coordinates with NaN."""
        values = self._columns[name].view()
        values.flags.writeable = False
        return values

    def take(self, positions: Sequence[int]) -> list[NewIncident]:
        """The incidents at these positions."""
        return self._build(np.asarray(positions, dtype=np.int64))

    def _build(self, pos: np.ndarray) -> list[NewIncident]:
        c = self._columns
        froms = pd.DatetimeIndex(c["occurred_from"][pos], tz="UTC").to_pydatetime()
        tos = pd.DatetimeIndex(c["occurred_to"][pos], tz="UTC").to_pydatetime()
        args = [
            c["source_key"][pos].tolist(),
            froms.tolist(),
            tos.tolist(),
            *(c[name][pos].tolist() for name in self._TEXT[1:-1]),
            c["attempt"][pos].tolist(),
            c["modus_operandi"][pos].tolist(),
            *(_nullable(c[name][pos]) for name in ("x_rd", "y_rd", "lat", "lon")),
        ]
        with _gc_paused():
            return list(map(NewIncident, *args))

    def frame(self) -> pd.DataFrame:
        """All columns as a DataFrame (times tz-aware UTC), without building objects."""
        out = pd.DataFrame({name: values for name, values in self._columns.items()})
        for name in ("occurred_from", "occurred_to"):
            out[name] = pd.DatetimeIndex(out[name]).tz_localize("UTC")
        out["area_id"] = None
        return out[[f.name for f in fields(NewIncident)]]


def _nullable(values: np.ndarray) -> list[float | None]:
    out = values.astype(object)
    out[np.isnan(values)] = None
    return list(out.tolist())


@dataclass
class ImportResult:
    """What one file yields. Nothing has been stored; store ``incidents`` in one
    transaction. ``rows``, ``metric_x`` and ``metric_y`` are parallel to ``incidents``.

    ``detected`` (for the report and for debugging a mapping) holds: ``file_type``
    ("csv"/"xlsx"), ``encoding``, ``separator`` (CSV) or ``sheet`` (XLSX), ``header_row``,
    ``rows``, ``timezone``, ``columns`` (field -> column actually used),
    ``ignored_columns``, ``date_formats`` (column -> formats seen), ``time_windows``
    (counts of ``point``/``window``/``whole_day`` rows), ``crs`` ("EPSG:28992", ... or
    None) with ``crs_source`` ("declared"/"detected"), ``coordinate_columns``,
    ``decimal_comma``, ``coordinates_withheld`` (0,0 rows) and, with a type column,
    ``types``.
    """

    incidents: IncidentBatch  # a Sequence[NewIncident]; list(...) for a real list
    rows: list[int]  # spreadsheet row of each incident
    rejected: list[RejectedRow]
    duplicates: list[DuplicateRow]  # same key as an earlier row of this file
    mapping: ColumnMapping  # the effective mapping (save it per project)
    detected: dict[str, Any]
    warnings: list[ImportNotice]
    total_rows: int  # data rows in the file (blank rows not counted)
    metric_crs: str | None = None  # e.g. "EPSG:28992" or "EPSG:26910"
    metric_x: np.ndarray = field(default_factory=lambda: np.empty(0))
    metric_y: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def duplicates_in_file(self) -> int:
        return len(self.duplicates)

    def to_frame(self) -> pd.DataFrame:
        """One row per incident: the :class:`NewIncident` fields plus ``row``, ``x_m`` and
        ``y_m`` (metric coordinates in ``metric_crs``) - handy for analytics."""
        frame = self.incidents.frame()
        frame["row"] = self.rows
        frame["x_m"] = self.metric_x
        frame["y_m"] = self.metric_y
        return frame


# --------------------------------------------------------------------------- mapping resolution


def _auto_mapping(columns: Sequence[str]) -> dict[str, str]:
    keys = {c: header_key(c) for c in columns}
    out: dict[str, str] = {}
    used: set[str] = set()
    for fld in FIELDS:
        for syn in _SYNONYMS[fld]:
            col = next((c for c in columns if keys[c] == syn and c not in used), None)
            if col is not None:
                out[fld] = col
                used.add(col)
                break
    return out


def _find_column(columns: Sequence[str], col: str) -> str | None:
    """The file's column that ``col`` names: exactly, ignoring case, or by header key."""
    if col in columns:
        return col
    folded = col.strip().casefold()
    return next((c for c in columns if c.strip().casefold() == folded),
                next((c for c in columns if header_key(c) == header_key(col)), None))


def _applicable(columns: Sequence[str], saved: ColumnMapping | None) -> ColumnMapping | None:
    """The part of a project's saved mapping that fits this file. It was made for an
    earlier export; a field whose column this file lacks is recognised anew instead of
    refusing the file (a different export, or English headers this time)."""
    if not saved:
        return None
    return ColumnMapping(tuple((f, c) for f, c in saved.pairs
                               if c is None or _find_column(columns, c) is not None))


def _resolve_mapping(columns: Sequence[str], explicit: ColumnMapping | None) -> dict[str, str]:
    """Automatic recognition, overridden by ``explicit`` (whose every column must exist)."""
    mapping = _auto_mapping(columns)
    if not explicit:
        return _prune(mapping)
    for fld, _ in explicit.pairs:
        for alt in _ALTERNATIVES.get(fld, ()):
            if alt not in explicit:
                mapping.pop(alt, None)
    for fld, col in explicit.pairs:
        if col is None:
            mapping.pop(fld, None)
            continue
        real = _find_column(columns, col)
        if real is None:
            raise ImportProblem(
                F_MAPPING_COLUMN,
                column=col,
                field=fld,
                columns=", ".join(f"“{c}”" for c in columns),
            )
        for other, c in list(mapping.items()):
            if c == real and other != fld:
                del mapping[other]
        mapping[fld] = real
    return _prune(mapping)


def _prune(mapping: dict[str, str]) -> dict[str, str]:
    """Drop mapped columns that will not be used, so the effective mapping is honest:
    the start comes from datetime, else date (+time), else year/month/day (+hour/minute)."""
    drop: set[str] = set()
    if "datetime" in mapping:
        drop |= {"date", "time", "year", "month", "day", "hour", "minute"}
    elif "date" in mapping or not {"year", "month", "day"} <= mapping.keys():
        drop |= {"year", "month", "day", "hour", "minute"}
    if "datetime_to" in mapping:
        drop |= {"date_to", "time_to"}
    if "street" in mapping:
        drop.add("address")
    if "house_number" not in mapping:
        drop |= {"house_letter", "house_number_suffix"}
    return {f: c for f, c in mapping.items() if f not in drop}


# --------------------------------------------------------------------------- main entry


def read_incident_file(
    data: bytes,
    filename: str,
    *,
    mapping: ColumnMapping | None = None,
    saved: ColumnMapping | None = None,
    crs: str | None = None,
    default_municipality: str | None = None,
    tz: str = "Europe/Amsterdam",
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    near: tuple[float, float, float, float] | None = None,
) -> ImportResult:
    """Parse, normalise and validate one incident export (CSV/TSV or XLSX bytes).

    ``mapping`` overrides/extends the automatic column recognition; ``saved`` is the
    project's saved mapping, applied where it fits this file (see :func:`_applicable`),
    under ``mapping``; ``crs`` is
    ``"rd"``, ``"wgs84"``, ``"EPSG:NNNN"`` or None (detect); ``default_municipality``
    fills rows without one; ``tz`` is the zone of the local times in the file; ``now``
    (aware) bounds future dates; ``progress(done, total)`` is called at most ~15 times;
    ``near`` is the (south, west, north, east) box of the project's located incidents:
    places more than :data:`MAX_SPREAD_KM` from it (without it: from the file's middle)
    are rejected.
    Raises :class:`ImportProblem` when the file must not be imported at all.
    """
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    tz_name = _check_tz(tz)
    source_crs = _parse_crs(crs) if crs else None
    table = read_table(data, filename, header_keys=KNOWN_HEADER_KEYS)
    frame, n = table.frame, len(table.frame)
    if n == 0 and not table.bad_lines:
        raise ImportProblem(F_NO_ROWS, filename=filename)
    if n == 0:
        raise _too_many(_bad_line_rows(table), len(table.bad_lines))
    prog = _Progress(progress, n)
    prog(0.0)
    # The fitting part of the saved mapping, then this import's own mapping over it.
    applied = (_applicable(list(frame.columns), saved) or ColumnMapping()).merged(mapping)
    cols = _resolve_mapping(list(frame.columns), applied)
    if not ({"datetime", "date"} & cols.keys() or {"year", "month", "day"} <= cols.keys()):
        raise ImportProblem(
            F_NO_DATE_COLUMN,
            columns=", ".join(f"“{c}”" for c in frame.columns),
            example=frame.columns[0],
        )
    detected = dict(table.detected)
    detected["rows"] = n + len(table.bad_lines)
    detected["timezone"] = tz_name
    notices = list(table.notices)
    rej = _Rejections(n)
    rows = table.rows

    def col(fld: str) -> np.ndarray:
        return frame[cols[fld]].to_numpy(dtype=object)

    # -- dates and times -----------------------------------------------------------
    start, end, date_info = _windows(frame, cols, rej, tz_name, notices)
    detected.update(date_info)
    prog(0.35)
    _check_dates(start, end, rej, now, tz_name)

    # -- coordinates ---------------------------------------------------------------
    coords = _coordinates(frame, cols, rej, source_crs, notices, near)
    detected.update(coords.detected)
    prog(0.55)

    # -- other values --------------------------------------------------------------
    def text(fld: str) -> np.ndarray:
        if fld not in cols:
            return np.full(n, None, dtype=object)
        return _map_unique(col(fld), _clean_text)

    street, house = text("street"), np.full(n, None, dtype=object)
    if "address" in cols:
        pairs = _map_unique(col("address"), _split_address)
        street = np.array([p[0] if p else None for p in pairs], dtype=object)
        house = np.array([normalize_house_number(p[1]) if p else None for p in pairs], dtype=object)
    if "house_number" in cols:
        number = col("house_number")
        extra: np.ndarray | None = None
        if "house_letter" in cols and "house_number_suffix" in cols:
            extra = _map_unique_pairs(
                col("house_letter"), col("house_number_suffix"), lambda a, b: f"{a} {b}".strip()
            )
        elif "house_letter" in cols or "house_number_suffix" in cols:
            extra = col("house_letter" if "house_letter" in cols else "house_number_suffix")
        if extra is None:
            house = _map_unique(number, normalize_house_number)
        else:
            house = _map_unique_pairs(number, extra, normalize_house_number)
    postcode = np.full(n, None, dtype=object)
    if "postcode" in cols:
        raw_pc = col("postcode")
        postcode = _map_unique(
            raw_pc, lambda v: normalize_postcode(v) or ("" if v.strip() else None)
        )
        bad_pc = postcode == ""
        postcode[bad_pc] = None
    buurt_code = np.full(n, None, dtype=object)
    if "buurt_code" in cols:
        raw_bc = col("buurt_code")
        buurt_code = _map_unique(raw_bc, _normalize_buurt_code)
        bad_bc = buurt_code == ""
        buurt_code[bad_bc] = None
    buurt, wijk, mo = text("buurt"), text("wijk"), text("modus_operandi")
    municipality = text("municipality")
    if default_municipality:
        municipality[municipality == None] = default_municipality  # noqa: E711
    attempt = np.zeros(n, dtype=bool)
    for fld in ("attempt", "completed"):
        if fld in cols:
            raw = col(fld)
            inverse = fld == "completed"
            values = _map_unique(raw, partial(_attempt_value, inverse=inverse))
            bad = np.array([v is None for v in values], dtype=bool)
            filled = np.strings.strip(_strings(raw)) != ""
            _column_failure(F_ATTEMPT_COLUMN, cols[fld], bad, filled, raw)
            rej.add(bad, R_BAD_ATTEMPT, {"column": cols[fld]}, values=raw)
            attempt = np.where(bad, False, values).astype(bool)
            break
    if "type" in cols:
        types = [t for t in pd.unique(text("type")) if t]
        if len(types) > 1:
            notices.append(
                ImportNotice(W_TYPES, {"count": len(types), "types": ", ".join(types[:5])})
            )
        detected["types"] = types
    # Values left empty are reported only for rows that are not rejected anyway.
    if "postcode" in cols:
        _warn_rows(notices, W_POSTCODES, bad_pc & ~rej.mask, rows, raw_pc)
    if "buurt_code" in cols:
        _warn_rows(notices, W_BUURT_CODES, bad_bc & ~rej.mask, rows, raw_bc)
    prog(0.65)

    # -- rejection threshold -------------------------------------------------------
    rejected = [
        RejectedRow(int(rows[pos]), reason, params) for pos, (reason, params) in rej.reasons.items()
    ] + _bad_line_rows(table)
    rejected.sort(key=lambda r: r.row)
    total = n + len(table.bad_lines)
    valid = ~rej.mask
    if not valid.any() or len(rejected) > MAX_REJECTED_SHARE * total:
        raise _too_many(rejected, total)

    # -- keys and duplicates -------------------------------------------------------
    keys = _keys(
        cols, frame, valid, start, end, street, house, postcode, mo, attempt,
        coords, buurt_code, buurt,
    )  # fmt: skip
    prog(0.75)
    valid_pos = np.flatnonzero(valid)
    key_series = pd.Series(keys[valid_pos])
    dup = key_series.duplicated().to_numpy()
    duplicates: list[DuplicateRow] = []
    if dup.any():
        first_pos = dict(zip(key_series[~dup].tolist(), valid_pos[~dup].tolist(), strict=True))
        fields = (start, end, street, house, postcode, mo, attempt, buurt)
        for p, k in zip(valid_pos[dup].tolist(), key_series[dup].tolist(), strict=True):
            q = first_pos[k]
            if k.startswith(REGISTRATION_KEY) and any(f[p] != f[q] for f in fields):
                # One registration number, two different burglaries (or a corrected row
                # below the old one): which is right is for the analyst to say, with rows.
                rejected.append(RejectedRow(int(rows[p]), R_SAME_NUMBER_OTHER_DETAILS, {
                    "number": k[len(REGISTRATION_KEY):], "first": int(rows[q])}))
            else:
                duplicates.append(DuplicateRow(int(rows[p]), int(rows[q]), k))
        rejected.sort(key=lambda r: r.row)
        if len(rejected) > MAX_REJECTED_SHARE * total:
            raise _too_many(rejected, total)
    keep = valid_pos[~dup]

    # -- build ---------------------------------------------------------------------
    incidents = IncidentBatch(
        {
            "source_key": keys[keep],
            "occurred_from": start[keep],
            "occurred_to": end[keep],
            "street": street[keep],
            "house_number": house[keep],
            "postcode": postcode[keep],
            "buurt": buurt[keep],
            "buurt_code": buurt_code[keep],
            "wijk": wijk[keep],
            "municipality": municipality[keep],
            "attempt": attempt[keep],
            "modus_operandi": mo[keep],
            "x_rd": np.round(coords.x_rd[keep], 2),
            "y_rd": np.round(coords.y_rd[keep], 2),
            "lat": np.round(coords.lat[keep], 7),
            "lon": np.round(coords.lon[keep], 7),
        }
    )
    prog(1.0)

    long_windows = valid & ((end - start) > np.timedelta64(LONG_WINDOW))
    _warn_rows(notices, W_LONG_WINDOWS, long_windows, rows, None, days=LONG_WINDOW.days)
    if table.bad_lines:
        notices.append(ImportNotice(W_BAD_LINES, {"count": len(table.bad_lines)}))
    # Explicitly switched-off fields stay in the effective mapping, so that saving it per
    # project and applying it to the next export gives the same result.
    switched_off = [(f, None) for f, c in applied.pairs if c is None]
    effective = ColumnMapping((*cols.items(), *switched_off))
    detected["columns"] = dict(cols)
    detected["ignored_columns"] = [c for c in frame.columns if c not in cols.values()]
    return ImportResult(
        incidents=incidents,
        rows=rows[keep].tolist(),
        rejected=rejected,
        duplicates=duplicates,
        mapping=effective,
        detected=detected,
        warnings=notices,
        total_rows=total,
        metric_crs=coords.metric_crs,
        metric_x=coords.metric_x[keep],
        metric_y=coords.metric_y[keep],
    )


def _bad_line_rows(table: Table) -> list[RejectedRow]:
    sep = table.detected.get("separator", ",")
    return [
        RejectedRow(row, R_BAD_FIELDS, {"found": found, "expected": exp, "separator": sep})
        for row, found, exp in table.bad_lines
    ]


def _too_many(rejected: list[RejectedRow], total: int) -> ImportProblem:
    return ImportProblem(F_TOO_MANY_REJECTED, rejected, count=len(rejected), total=total)


def _warn_rows(
    notices: list[ImportNotice],
    message: str,
    mask: np.ndarray,
    rows: np.ndarray,
    raw: np.ndarray | None,
    **params: object,
) -> None:
    if not mask.any():
        return
    pos = np.flatnonzero(mask)
    extra: dict[str, object] = dict(params)
    if raw is not None:
        extra["examples"] = _examples(raw[pos])
    notices.append(ImportNotice(message, {"count": len(pos), **extra}, tuple(rows[pos].tolist())))


def _column_failure(
    message: str, column: str, failed: np.ndarray, filled: np.ndarray, raw: np.ndarray
) -> None:
    """Refuse the file when most filled values of a column cannot be read."""
    total = int(filled.sum())
    bad = int((failed & filled).sum())
    if total and bad > MAX_COLUMN_FAILURE_SHARE * total:
        raise ImportProblem(
            message,
            column=column,
            failed=bad,
            total=total,
            examples=_examples(raw[failed & filled]),
        )


def _check_tz(tz: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ImportProblem(F_UNKNOWN_TZ, tz=str(tz)) from exc
    return str(tz)


# --------------------------------------------------------------------------- windows


def _windows(
    frame: pd.DataFrame,
    cols: dict[str, str],
    rej: _Rejections,
    tz: str,
    notices: list[ImportNotice],
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Start and end of every row's time window as UTC ``datetime64[us]`` (NaT for
    rejected rows)."""
    n = len(frame)
    info: dict[str, Any] = {}
    formats: dict[str, list[str]] = {}
    nat = np.datetime64("NaT", "us")

    def raw(fld: str) -> np.ndarray:
        return frame[cols[fld]].to_numpy(dtype=object)

    def dates(fld: str, *, required: bool) -> _Dates:
        values = raw(fld)
        d = _parse_dates(values)
        _column_failure(F_DATE_COLUMN, cols[fld], d.failed, ~d.empty, values)
        c = cols[fld]
        rej.add(d.impossible, R_IMPOSSIBLE_DATE, {"column": c}, values=values)
        rej.add(d.failed, R_BAD_DATE, {"column": c}, values=values)
        if required:
            rej.add(d.empty, R_NO_DATE, {"column": c})
        formats[c] = d.formats
        return d

    def times(fld: str) -> np.ndarray:
        values = raw(fld)
        minutes, empty, failed = _parse_times(values)
        _column_failure(F_TIME_COLUMN, cols[fld], failed, ~empty, values)
        c = cols[fld]
        rej.add(failed, R_BAD_TIME, {"column": c}, values=values)
        return minutes

    def at_minutes(day: np.ndarray, minutes: np.ndarray) -> np.ndarray:
        whole = np.where(np.isnan(minutes), 0, minutes).astype(np.int64)
        return day.astype("datetime64[D]").astype("datetime64[us]") + (whole * 60_000_000).astype(
            "timedelta64[us]"
        )

    # start ------------------------------------------------------------------------
    absolute_start = np.zeros(n, dtype=bool)
    if "datetime" in cols or "date" in cols:
        fld = "datetime" if "datetime" in cols else "date"
        if fld == "date" and header_key(cols[fld]) in _REPORT_DATE_KEYS:
            notices.append(ImportNotice(W_REPORT_DATE, {"column": cols[fld]}))
        d = dates(fld, required=True)
        start, start_known, absolute_start = d.values.copy(), d.has_time.copy(), d.absolute
        if "time" in cols:
            minutes = times("time")
            given = ~np.isnan(minutes)
            start[given] = at_minutes(start[given], minutes[given])
            start_known |= given
    else:
        start, start_known = _ymd(frame, cols, rej)
    # end --------------------------------------------------------------------------
    end = np.full(n, nat)
    end_known = np.zeros(n, dtype=bool)
    explicit_end_date = np.zeros(n, dtype=bool)
    absolute_end = np.zeros(n, dtype=bool)
    if "datetime_to" in cols or "date_to" in cols:
        fld = "datetime_to" if "datetime_to" in cols else "date_to"
        d = dates(fld, required=False)
        have = ~np.isnat(d.values)
        end[have] = d.values[have]
        end_known[have] = d.has_time[have]
        explicit_end_date = have
        absolute_end = d.absolute
    end_minutes = times("time_to") if "time_to" in cols and "datetime_to" not in cols else None
    if end_minutes is not None:
        given = ~np.isnan(end_minutes)
        with_date = given & explicit_end_date
        end[with_date] = at_minutes(end[with_date], end_minutes[with_date])
        # An end time without an end date belongs to the start day - or the next day
        # when it is earlier than the start (an overnight window, 22:00-06:00).
        no_date = given & ~explicit_end_date & ~np.isnat(start)
        cand = at_minutes(start[no_date], end_minutes[no_date])
        cand = np.where(cand < start[no_date], cand + np.timedelta64(1, "D"), cand)
        end[no_date] = cand
        end_known |= given & (explicit_end_date | ~np.isnat(start))
    # Whole-day defaults: an end date without time ends at 23:59; no end at all is the
    # start itself when its time is known, else the rest of the start day.
    day_end = explicit_end_date & ~end_known
    end[day_end] = at_minutes(end[day_end], np.zeros(int(day_end.sum()))) + _END_OF_DAY
    missing = np.isnat(end) & ~np.isnat(start)
    point = missing & start_known
    end[point] = start[point]
    whole_day = missing & ~start_known
    end[whole_day] = start[whole_day].astype("datetime64[D]").astype("datetime64[us]") + _END_OF_DAY
    # to < from is only possible with an explicit end date (or an absolute moment).
    ends_early = ~np.isnat(start) & ~np.isnat(end) & (end < start) & ~rej.mask
    if ends_early.any():
        s_txt = pd.DatetimeIndex(start[ends_early]).strftime("%d-%m-%Y %H:%M").tolist()
        e_txt = pd.DatetimeIndex(end[ends_early]).strftime("%d-%m-%Y %H:%M").tolist()
        labels = dict(
            zip(np.flatnonzero(ends_early).tolist(), zip(s_txt, e_txt, strict=True), strict=True)
        )
        rej.add(
            ends_early, R_END_BEFORE_START, lambda p: {"start": labels[p][0], "end": labels[p][1]}
        )
    info["date_formats"] = formats
    info["time_windows"] = {
        "point": int((point & ~rej.mask).sum()),
        "whole_day": int((whole_day & ~rej.mask).sum()),
        "window": int((~point & ~whole_day & ~rej.mask).sum()),
    }
    return (
        _to_utc(start, absolute_start, tz),
        _to_utc(end, absolute_end | (absolute_start & point), tz),
        info,
    )


def _ymd(
    frame: pd.DataFrame, cols: dict[str, str], rej: _Rejections
) -> tuple[np.ndarray, np.ndarray]:
    """Start from YEAR/MONTH/DAY[/HOUR/MINUTE] columns (the Vancouver layout)."""
    n = len(frame)
    parts: dict[str, np.ndarray] = {}
    for fld in ("year", "month", "day", "hour", "minute"):
        if fld not in cols:
            continue
        values = frame[cols[fld]].to_numpy(dtype=object)
        mapped = _map_unique(values, _parse_int)
        failed = np.array([m is None for m in mapped], dtype=bool)
        numbers = np.where(failed, np.nan, mapped).astype(float)
        empty = np.isnan(numbers) & ~failed
        _column_failure(F_NUMBER_COLUMN, cols[fld], failed, ~empty, values)
        c = cols[fld]
        rej.add(failed, R_BAD_NUMBER, {"column": c}, values=values)
        if fld in ("year", "month", "day"):
            rej.add(empty, R_NO_DATE, {"column": c})
        parts[fld] = numbers
    y, m, d = parts["year"], parts["month"], parts["day"]
    ok = ~np.isnan(y) & ~np.isnan(m) & ~np.isnan(d)
    stamp = pd.to_datetime(
        pd.DataFrame({"year": np.where(ok, y, 2000), "month": np.where(ok, m, 1),
                      "day": np.where(ok, d, 1)}).astype(np.int64),
        errors="coerce",
    ).to_numpy(dtype="datetime64[us]", copy=True)  # fmt: skip
    stamp[~ok] = np.datetime64("NaT", "us")
    bad = ok & np.isnat(stamp)
    ymd = [
        f"{int(a)}-{int(b)}-{int(c)}" if k else "" for a, b, c, k in zip(y, m, d, bad, strict=True)
    ]
    rej.add(bad, R_IMPOSSIBLE_DATE, {"column": cols["day"]}, values=ymd)
    known = np.zeros(n, dtype=bool)
    hour = parts.get("hour")
    if hour is not None:
        minute = parts.get("minute", np.zeros(n))
        minute = np.where(np.isnan(minute), 0, minute)
        given = ~np.isnan(hour)
        bad_t = given & ((hour < 0) | (hour > 23) | (minute < 0) | (minute > 59))
        hm = [f"{int(a):02d}:{int(b):02d}" if k else "" for a, b, k in zip(
            np.where(given, hour, 0), minute, bad_t, strict=True)]  # fmt: skip
        rej.add(bad_t, R_BAD_TIME, {"column": cols["hour"]}, values=hm)
        use = given & ~bad_t & ~np.isnat(stamp)
        offset = (np.where(use, hour, 0) * 60 + np.where(use, minute, 0)).astype(np.int64)
        stamp = stamp + (offset * 60_000_000).astype("timedelta64[us]")
        known = use
    return stamp, known


def _to_utc(local: np.ndarray, absolute: np.ndarray, tz: str) -> np.ndarray:
    """Naive local wall-clock times -> naive UTC ``datetime64[us]``. Non-existent times
    (spring gap) move one hour forward, ambiguous ones (autumn) take the first, summer
    time, occurrence - as zoneinfo with fold=0."""
    idx = pd.DatetimeIndex(local)
    utc = (
        idx.tz_localize(
            tz, ambiguous=np.ones(len(idx), dtype=bool), nonexistent=pd.Timedelta(hours=1)
        )
        .tz_convert("UTC")
        .tz_localize(None)
    )
    out = utc.to_numpy(dtype="datetime64[us]", copy=True)
    if absolute.any():
        out[absolute] = local[absolute]
    return out


def _check_dates(
    start: np.ndarray, end: np.ndarray, rej: _Rejections, now: datetime, tz: str
) -> None:
    limit = np.datetime64((now.astimezone(UTC) + FUTURE_TOLERANCE).replace(tzinfo=None), "us")
    earliest = np.datetime64(EARLIEST_DATE, "us")
    for values in (start, end):
        have = ~np.isnat(values)
        future = have & (values > limit)
        early = have & (values < earliest)
        if future.any() or early.any():
            local = pd.DatetimeIndex(values).tz_localize("UTC").tz_convert(tz)
            label = local.strftime("%d-%m-%Y").tolist()
            rej.add(future, R_FUTURE, values=label)
            rej.add(early, R_TOO_EARLY, {"earliest": _EARLIEST_TEXT}, values=label)


# --------------------------------------------------------------------------- coordinates


@dataclass
class _Coordinates:
    x_rd: np.ndarray
    y_rd: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    source_x: np.ndarray  # as in the file (for keys), NaN when none
    source_y: np.ndarray
    metric_x: np.ndarray
    metric_y: np.ndarray
    metric_crs: str | None
    detected: dict[str, Any]


_CRS_ALIASES: Final[dict[str, str]] = {
    "rd": "EPSG:28992", "rdnew": "EPSG:28992", "rijksdriehoek": "EPSG:28992",
    "amersfoortrdnew": "EPSG:28992", "wgs84": "EPSG:4326", "latlon": "EPSG:4326",
    "lonlat": "EPSG:4326", "gps": "EPSG:4326",
}  # fmt: skip


def _parse_crs(value: str) -> Any:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    text = str(value).strip()
    alias = _CRS_ALIASES.get(header_key(text))
    if alias:
        text = alias
    elif text.isdigit():
        text = f"EPSG:{text}"
    try:
        return CRS.from_user_input(text)
    except CRSError as exc:
        raise ImportProblem(F_UNKNOWN_CRS, crs=str(value)) from exc


@lru_cache(maxsize=16)
def _transformer(source: str, target: str) -> Any:
    from pyproj import Transformer

    return Transformer.from_crs(source, target, always_xy=True)


def _crs_label(crs: Any) -> str:
    auth = crs.to_authority()
    return f"{auth[0]}:{auth[1]}" if auth else crs.to_string()


def _in_rd(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x0, x1, y0, y1 = RD_BOUNDS
    return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def _in_nl(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    a, b, c, d = NL_WGS84_BOUNDS
    return (lon >= a) & (lon <= b) & (lat >= c) & (lat <= d)


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distances in km, element by element (arrays or single numbers)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    with np.errstate(invalid="ignore"):
        return 6371.0 * 2 * np.arcsin(np.sqrt(np.minimum(1.0, h)))


def _fmt(v: float) -> str:
    return f"{v:.6g}" if abs(v) < 1000 else f"{v:.0f}"


@dataclass
class _Pair:
    """Two coordinate columns read as numbers (no side effects yet)."""

    xcol: str
    ycol: str
    a: np.ndarray  # x or longitude
    b: np.ndarray  # y or latitude
    a_empty: np.ndarray
    b_empty: np.ndarray
    a_failed: np.ndarray
    b_failed: np.ndarray
    decimal_comma: bool

    @property
    def withheld(self) -> np.ndarray:
        return (self.a == 0) & (self.b == 0)

    @property
    def usable(self) -> np.ndarray:
        return ~np.isnan(self.a) & ~np.isnan(self.b) & ~self.withheld


def _read_pair(frame: pd.DataFrame, xcol: str, ycol: str) -> _Pair:
    a, a_empty, a_failed, comma_a = _parse_numbers(frame[xcol])
    b, b_empty, b_failed, comma_b = _parse_numbers(frame[ycol])
    return _Pair(xcol, ycol, a, b, a_empty, b_empty, a_failed, b_failed, comma_a or comma_b)


def _detect_crs(pair: _Pair, projected: bool) -> tuple[Any, bool] | None:
    """(CRS, swapped) from the values: RD box -> RD New, degrees -> WGS84 (lat/lon the
    wrong way round when that puts the points in the Netherlands); None when unclear."""
    ok = pair.usable
    ua, ub = pair.a[ok], pair.b[ok]
    if projected and float(_in_rd(ua, ub).mean()) >= 0.5:
        return _parse_crs("EPSG:28992"), False
    degrees = float(((np.abs(ua) <= 180) & (np.abs(ub) <= 90)).mean())
    if float(_in_nl(ua, ub).mean()) >= 0.5:
        return _parse_crs("EPSG:4326"), False
    if float(_in_nl(ub, ua).mean()) >= 0.5:
        return _parse_crs("EPSG:4326"), True
    if degrees >= 0.5:
        return _parse_crs("EPSG:4326"), False
    return None


def _no_coordinates(n: int, detected: dict[str, Any]) -> _Coordinates:
    def nan() -> np.ndarray:
        return np.full(n, np.nan)

    return _Coordinates(nan(), nan(), nan(), nan(), nan(), nan(), nan(), nan(), None, detected)


def _coordinates(
    frame: pd.DataFrame,
    cols: dict[str, str],
    rej: _Rejections,
    declared: Any,
    notices: list[ImportNotice],
    near: tuple[float, float, float, float] | None = None,
) -> _Coordinates:
    n = len(frame)
    has_xy = "x" in cols and "y" in cols
    has_ll = "lat" in cols and "lon" in cols
    for one, other in (("x", "y"), ("lat", "lon")):
        if (one in cols) != (other in cols) and not (has_xy or has_ll):
            present, missing = (one, other) if one in cols else (other, one)
            notices.append(ImportNotice(W_HALF_PAIR, {"present": present, "missing": missing}))
    if not (has_xy or has_ll):
        return _no_coordinates(n, {"crs": None})
    xy = ("x", "y", True)
    ll = ("lon", "lat", False)
    if declared is not None:
        # A declared projected CRS reads X/Y, a declared geographic one lat/lon, each
        # falling back to the other pair when the file only has that.
        first = (xy if has_xy else ll) if not declared.is_geographic else (ll if has_ll else xy)
        candidates = [first]
    else:
        candidates = ([xy] if has_xy else []) + ([ll] if has_ll else [])
    chosen: tuple[_Pair, Any, bool] | None = None
    first_pair: _Pair | None = None
    for fa, fb, projected in candidates:
        pair = _read_pair(frame, cols[fa], cols[fb])
        first_pair = first_pair or pair
        if declared is not None:
            chosen = (pair, declared, False)
            break
        if not pair.usable.any():
            continue
        found = _detect_crs(pair, projected)
        if found is not None:
            chosen = (pair, found[0], found[1])
            break
    if chosen is None:
        assert first_pair is not None
        pair = first_pair
        if pair.usable.any():
            i = int(np.flatnonzero(pair.usable)[0])
            raise ImportProblem(
                F_UNDETECTED_CRS,
                x=pair.xcol,
                y=pair.ycol,
                example=f"{_fmt(pair.a[i])}, {_fmt(pair.b[i])}",
            )
        chosen = (pair, None, False)
    pair, crs, swapped = chosen
    raw_a = frame[pair.xcol].to_numpy(dtype=object)
    raw_b = frame[pair.ycol].to_numpy(dtype=object)
    _column_failure(F_NUMBER_COLUMN, pair.xcol, pair.a_failed, ~pair.a_empty, raw_a)
    _column_failure(F_NUMBER_COLUMN, pair.ycol, pair.b_failed, ~pair.b_empty, raw_b)
    rej.add(pair.a_failed, R_BAD_COORDINATE, {"column": pair.xcol}, values=raw_a)
    rej.add(pair.b_failed, R_BAD_COORDINATE, {"column": pair.ycol}, values=raw_b)
    half = (pair.a_empty != pair.b_empty) & ~pair.a_failed & ~pair.b_failed
    rej.add(half, R_HALF_COORDINATES, {"x": pair.xcol, "y": pair.ycol})
    detected: dict[str, Any] = {
        "decimal_comma": pair.decimal_comma,
        "coordinates_withheld": int((pair.withheld & ~rej.mask).sum()),
        "coordinate_columns": [pair.xcol, pair.ycol],
        "crs": None,
    }
    usable = pair.usable & ~rej.mask
    if crs is None or not usable.any():
        return _no_coordinates(n, detected)
    a, b = (pair.b, pair.a) if swapped else (pair.a, pair.b)
    if swapped:
        notices.append(ImportNotice(W_SWAPPED, {"x": pair.xcol, "y": pair.ycol}))
    label = _crs_label(crs)
    detected["crs"] = label
    detected["crs_source"] = "declared" if declared is not None else "detected"
    is_rd = label == "EPSG:28992"
    total = int(usable.sum())

    def outside(mask: np.ndarray, fatal: str | None, reason: str, **params: object) -> None:
        count = int(mask.sum())
        if not count:
            return
        if fatal and count > MAX_REJECTED_SHARE * total:
            i = int(np.flatnonzero(mask)[0])
            raise ImportProblem(
                fatal, (), count=count, total=total, x=_fmt(a[i]), y=_fmt(b[i]), **params
            )
        rej.add(mask, reason, lambda p: {"x": _fmt(a[p]), "y": _fmt(b[p]), **params})

    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    x_rd, y_rd = np.full(n, np.nan), np.full(n, np.nan)
    if is_rd:
        outside(
            usable & ~_in_rd(a, b), F_RD_OUTSIDE if declared is not None else None, R_OUTSIDE_NL
        )
        ok = usable & ~rej.mask
        x_rd[ok], y_rd[ok] = a[ok], b[ok]
        lon[ok], lat[ok] = _transformer("EPSG:28992", "EPSG:4326").transform(a[ok], b[ok])
    else:
        if crs.is_geographic:
            bad = usable & ~((np.abs(a) <= 180) & (np.abs(b) <= 90))
            rej.add(bad, R_INVALID_DEGREES, lambda p: {"x": _fmt(a[p]), "y": _fmt(b[p])})
        ok = usable & ~rej.mask
        if label == "EPSG:4326":
            lon[ok], lat[ok] = a[ok], b[ok]
        else:
            lon[ok], lat[ok] = _transformer(crs.to_wkt(), "EPSG:4326").transform(a[ok], b[ok])
            broken = ok & ~(np.isfinite(lon) & np.isfinite(lat))
            rej.add(
                broken, R_OUTSIDE_AREA, lambda p: {"x": _fmt(a[p]), "y": _fmt(b[p]), "crs": label}
            )
            ok &= ~broken
            area = crs.area_of_use
            if area is not None:
                m = 0.5  # degrees of slack: areas of use are drawn tightly
                inside = (
                    (lon >= area.west - m) & (lon <= area.east + m)
                    & (lat >= area.south - m) & (lat <= area.north + m)
                )  # fmt: skip
                fatal = F_CRS_OUTSIDE if declared is not None else None
                outside(ok & ~inside, fatal, R_OUTSIDE_AREA, crs=label)
                ok &= ~rej.mask
        in_nl = ok & _in_nl(lon, lat)
        if in_nl.sum() >= 0.5 * max(1, int(ok.sum())):
            # A Dutch data set in degrees (or another CRS): a point outside NL is an error.
            if crs.is_geographic:
                outside(ok & ~in_nl, None, R_OUTSIDE_NL)
                ok &= ~rej.mask
                in_nl &= ok
            x_rd[in_nl], y_rd[in_nl] = _transformer("EPSG:4326", "EPSG:28992").transform(
                lon[in_nl], lat[in_nl]
            )
    ok &= ~rej.mask
    # -- one area per project ------------------------------------------------------
    if ok.any():
        if near is not None:
            south, west, north, east = near
            km = haversine_km(lat, lon, np.clip(lat, south, north), np.clip(lon, west, east))
            far = ok & (km > MAX_SPREAD_KM)
            if far.sum() > MAX_REJECTED_SHARE * total:
                i = int(np.flatnonzero(far)[0])
                raise ImportProblem(F_FAR_FROM_PROJECT,
                                    count=partial(format_number, int(far.sum())),
                                    total=partial(format_number, total),
                                    limit=int(MAX_SPREAD_KM), x=_fmt(a[i]), y=_fmt(b[i]),
                                    km=partial(format_number, round(float(km[i]))))
            reason = R_FAR_FROM_PROJECT
        else:
            mid_lat, mid_lon = float(np.median(lat[ok])), float(np.median(lon[ok]))
            km = haversine_km(lat, lon, mid_lat, mid_lon)
            far = ok & (km > MAX_SPREAD_KM)
            reason = R_FAR_FROM_FILE
        rej.add(far, reason, lambda p: {"x": _fmt(a[p]), "y": _fmt(b[p]),
                                        "km": partial(format_number, round(float(km[p])))})
        ok &= ~rej.mask
    for arr in (lon, lat, x_rd, y_rd):
        arr[~ok] = np.nan
    # -- metric coordinates for analytics ------------------------------------------
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if (~np.isnan(x_rd)).sum() >= 0.5 * max(1, int(ok.sum())):
        metric_crs, mx, my = "EPSG:28992", x_rd.copy(), y_rd.copy()
    elif not crs.is_geographic and unit in ("metre", "meter"):
        metric_crs = label
        mx, my = np.where(ok, a, np.nan), np.where(ok, b, np.nan)
    else:
        med_lon = float(np.median(lon[ok])) if ok.any() else 0.0
        med_lat = float(np.median(lat[ok])) if ok.any() else 0.0
        zone = min(60, int((med_lon + 180) // 6) + 1)
        metric_crs = f"EPSG:{(32600 if med_lat >= 0 else 32700) + zone}"
        mx, my = np.full(n, np.nan), np.full(n, np.nan)
        if ok.any():
            mx[ok], my[ok] = _transformer("EPSG:4326", metric_crs).transform(lon[ok], lat[ok])
    src_x, src_y = np.where(ok, a, np.nan), np.where(ok, b, np.nan)
    return _Coordinates(x_rd, y_rd, lat, lon, src_x, src_y, mx, my, metric_crs, detected)


# --------------------------------------------------------------------------- keys (vector)


def _keys(
    cols: dict[str, str],
    frame: pd.DataFrame,
    valid: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    street: np.ndarray,
    house: np.ndarray,
    postcode: np.ndarray,
    mo: np.ndarray,
    attempt: np.ndarray,
    coords: _Coordinates,
    buurt_code: np.ndarray,
    buurt: np.ndarray,
) -> np.ndarray:
    n = len(valid)
    keys = np.full(n, None, dtype=object)
    need = valid.copy()
    if "id" in cols:
        # Registration numbers are unique per row, so no _map_unique: _id_key() written
        # out over the column (plain str methods beat numpy's string ufuncs here, which
        # would first copy 100,000 cells into a string array).
        ids = [v.strip().upper().replace(" ", "")
               for v in frame[cols["id"]].to_numpy(dtype=object).tolist()]
        has = valid & np.array([bool(v) for v in ids], dtype=bool)
        keys[has] = [REGISTRATION_KEY + v for v in compress(ids, has)]
        need &= ~has
    if not need.any():
        return keys
    pos = np.flatnonzero(need)
    minute = np.int64(60_000_000)
    f_min = (start[pos].astype(np.int64) // minute).tolist()
    t_min = (end[pos].astype(np.int64) // minute).tolist()
    s_txt = [v or "" for v in _map_unique(street[pos], _key_text).tolist()]
    h_txt = [h or "" for h in house[pos].tolist()]
    p_txt = [v or "" for v in _map_unique(postcode[pos], _postcode_key).tolist()]
    m_txt = [v or "" for v in _map_unique(mo[pos], _key_text).tolist()]
    att = ["1" if a else "0" for a in attempt[pos].tolist()]
    # Location and area only count where the house number is missing (see incident_key).
    bare = np.array([not h for h in h_txt], dtype=bool)
    where = np.full(len(pos), "", dtype=object)
    area = np.full(len(pos), "", dtype=object)
    if bare.any():
        sub = pos[bare]
        where[bare] = [
            _location_text(x, y)
            for x, y in zip(
                coords.source_x[sub].tolist(), coords.source_y[sub].tolist(), strict=True
            )
        ]
        area[bare] = _map_unique_pairs(
            buurt_code[sub], buurt[sub], lambda c, b: _area_text(c) if c else _area_text(b)
        )
    # The same text as _content_key() builds, written out for speed (100k rows).
    texts = [
        f"v1\x1f{f}\x1f{t}\x1f{s}\x1f{h}\x1f{p}\x1f{m}\x1f{a}"
        + ("" if h else f"\x1f{w}\x1f{ar}")
        for f, t, s, h, p, m, a, w, ar in zip(
            f_min, t_min, s_txt, h_txt, p_txt, m_txt, att, where.tolist(), area.tolist(),
            strict=True,
        )
    ]  # fmt: skip
    blake = hashlib.blake2b
    keys[pos] = ["h:" + blake(t.encode("utf-8"), digest_size=12).hexdigest() for t in texts]
    return keys
