"""Export of the action / monitoring framework (appendix 4) to Excel and CSV.

Pure functions: they take :class:`ExportRow` values (one per action × responsible partner)
and return bytes, so handlers can send them as Telegram documents and tests can read them
back. The workbook looks like appendix 4 of the approach: a title row, a band "Week X:
agreed actions" over the agreement columns and "Week X+1: monitoring" over the monitoring
columns, then the column headers and one row per action and partner. A second sheet sums
the results' quantities per partner and unit.

All labels are gettext messages with English ids, rendered in the requested language.
Times are shown in the display time zone of :mod:`bot.i18n` (Europe/Amsterdam unless
configured otherwise).

Text that a spreadsheet could take for a formula (``=``, ``+``, ``-``, ``@`` …) is never
evaluated: in the workbook it is stored as a string cell with Excel's quote prefix (the
invisible apostrophe), in the CSV it gets a visible leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from babel import numbers as babel_numbers
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import (
    N_,
    _,
    babel_locale,
    format_date,
    format_time,
    pgettext,
    to_local,
    use_locale,
)
from bot.periods import format_effect as format_periods_effect
from bot.periods import format_weeks

__all__ = [
    "ExportRow",
    "actions_csv",
    "actions_workbook",
    "export_filename",
]

EXCEL_CELL_LIMIT = 32_767  # characters Excel accepts in one cell
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportRow:
    """One row of the framework: one action and one responsible partner."""

    code: str               # "A12"
    area: str               # area name or ""
    problem: str
    what: str
    aim: str
    type: str | None        # preventie | proactie | repressie | nazorg (stored keys)
    target: str | None      # dader | slachtoffer | domein
    partner: str            # partner name ("" when the action has no partner)
    period_start: date | None   # Monday of the first ISO week
    period_end: date | None     # Sunday of the last ISO week
    capacity: str
    notes: str
    status: str             # open | done | not_done | cancelled (this partner's status)
    reason: str | None      # reason for not_done / cancelled
    expected_effect: date | None
    # (text, quantity, unit) of this partner's results and the action's partner-less ones
    results: tuple[tuple[str, float | None, str | None], ...]
    created_at: datetime    # aware UTC
    updated_at: datetime    # aware UTC


# --- labels -----------------------------------------------------------------------------

AGREED, MONITORING, RECORD = "agreed", "monitoring", "record"


@dataclass(frozen=True)
class _Column:
    header: str   # English message id, translated when rendered
    width: float  # Excel column width (characters)
    band: str


COLUMNS: tuple[_Column, ...] = (
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Actie-id"
    _Column(N_("Action id"), 9, AGREED),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Probleemgebied"
    _Column(N_("Problem area"), 16, AGREED),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Probleem"
    _Column(N_("Problem"), 26, AGREED),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Actie (wat)"
    _Column(N_("Action (what)"), 30, AGREED),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Doel"
    _Column(N_("Aim"), 20, AGREED),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Typering"
    _Column(N_("Type"), 12, AGREED),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Gericht op"
    _Column(N_("Target"), 12, AGREED),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Partij"
    _Column(N_("Partner"), 18, AGREED),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Periode"
    _Column(N_("Period"), 10, AGREED),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Inzet"
    _Column(N_("Capacity"), 20, AGREED),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Toelichting"
    _Column(N_("Notes"), 30, AGREED),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Uitgevoerd"
    _Column(N_("Executed"), 14, MONITORING),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Reden"
    _Column(N_("Reason"), 22, MONITORING),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Verwachte effect"
    _Column(N_("Expected effect"), 14, MONITORING),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Resultaten"
    _Column(N_("Results"), 34, MONITORING),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Aantal"
    _Column(N_("Quantity"), 9, MONITORING),
    # TRANSLATORS: column of the action framework (appendix 4), Dutch "Eenheid"
    _Column(N_("Unit"), 12, MONITORING),
    # TRANSLATORS: column of the action framework export, Dutch "Aangemaakt"
    _Column(N_("Created"), 17, RECORD),
    # TRANSLATORS: column of the action framework export, Dutch "Laatst gewijzigd"
    _Column(N_("Last changed"), 17, RECORD),
)
QUANTITY_COLUMN = 15  # 0-based index of "Quantity" in COLUMNS
DATETIME_COLUMNS = (17, 18)

_TYPES = {
    # TRANSLATORS: type of an action (typering), Dutch "Preventie"
    "preventie": N_("Prevention"),
    # TRANSLATORS: type of an action (typering), Dutch "Proactie"
    "proactie": N_("Proaction"),
    # TRANSLATORS: type of an action (typering), Dutch "Repressie"
    "repressie": N_("Repression"),
    # TRANSLATORS: type of an action (typering), Dutch "Nazorg"
    "nazorg": N_("Aftercare"),
}
_TARGETS = {
    # TRANSLATORS: what an action is aimed at (gericht op), Dutch "Dader"
    "dader": N_("Offender"),
    # TRANSLATORS: what an action is aimed at (gericht op), Dutch "Slachtoffer"
    "slachtoffer": N_("Victim"),
    # TRANSLATORS: what an action is aimed at (gericht op: the place), Dutch "Domein"
    "domein": N_("Place"),
}


def type_label(key: str | None) -> str:
    """Display label of a stored action type (unknown keys are shown as stored)."""
    if not key:
        return ""
    return _(_TYPES[key]) if key in _TYPES else key


def target_label(key: str | None) -> str:
    if not key:
        return ""
    return _(_TARGETS[key]) if key in _TARGETS else key


def executed_label(status: str) -> str:
    """The "Executed" cell: appendix 4 answers ja / nee; we tell the kinds of "no" apart."""
    if status == "done":
        # TRANSLATORS: "Executed?" of an action: done. Dutch "ja"
        return pgettext("executed", "yes")
    if status == "open":
        # TRANSLATORS: "Executed?" of an action: still open. Dutch "nog niet"
        return pgettext("executed", "not yet")
    if status == "not_done":
        # TRANSLATORS: "Executed?" of an action: it was not carried out. Dutch "niet uitgevoerd"
        return pgettext("executed", "not done")
    if status == "cancelled":
        # TRANSLATORS: "Executed?" of an action: it no longer applies. Dutch "vervallen"
        return pgettext("executed", "cancelled")
    return status


def format_period(start: date | None, end: date | None) -> str:
    return format_weeks(start, end)


def format_effect(moment: date | None) -> str:
    return format_periods_effect(moment, missing="")


# --- the table --------------------------------------------------------------------------

Value = str | int | float | datetime | None


def _clean(text: str | None) -> str:
    """Text without the control characters that XML (and so .xlsx) cannot hold."""
    if not text:
        return ""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _number(value: float) -> int | float:
    value = round(value, 9)
    if value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _unit_key(unit: str | None) -> str:
    return " ".join((unit or "").split()).casefold()


def summarise_quantity(
    results: Iterable[tuple[str, float | None, str | None]],
) -> tuple[int | float | None, str]:
    """(sum, unit) when all results with a quantity share one unit; (None, "") otherwise."""
    measured = [(q, u) for _text, q, u in results if q is not None and math.isfinite(q)]
    if not measured or len({_unit_key(u) for _q, u in measured}) != 1:
        return None, ""
    return _number(math.fsum(q for q, _u in measured)), _clean((measured[0][1] or "").strip())


def _action_number(code: str) -> int:
    match = re.search(r"\d+", code)
    return int(match.group()) if match else 2**63


def sort_rows(rows: Iterable[ExportRow]) -> list[ExportRow]:
    """By action number, then partner (the action without a partner first)."""
    return sorted(
        rows, key=lambda r: (_action_number(r.code), r.code, r.partner.casefold(), r.partner)
    )


def _local_naive(moment: datetime) -> datetime:
    """Excel has no time zones: the local wall-clock time, without tzinfo, whole seconds."""
    return to_local(moment).replace(tzinfo=None, microsecond=0)


def _values(row: ExportRow) -> list[Value]:
    """The cells of one row in the current locale, in the order of COLUMNS."""
    quantity, unit = summarise_quantity(row.results)
    results = "\n".join(_clean(text) for text, _q, _u in row.results if text)
    return [
        _clean(row.code),
        _clean(row.area),
        _clean(row.problem),
        _clean(row.what),
        _clean(row.aim),
        type_label(row.type),
        target_label(row.target),
        _clean(row.partner),
        format_period(row.period_start, row.period_end),
        _clean(row.capacity),
        _clean(row.notes),
        executed_label(row.status),
        _clean(row.reason),
        format_effect(row.expected_effect),
        results,
        quantity,
        unit,
        _local_naive(row.created_at),
        _local_naive(row.updated_at),
    ]


def headers() -> list[str]:
    """The column headers of the first sheet (and the CSV) in the current locale."""
    return [_(column.header) for column in COLUMNS]


def is_overdue(row: ExportRow, today: date) -> bool:
    """Still open while its period has ended."""
    return row.status == "open" and row.period_end is not None and row.period_end < today


# --- Excel ------------------------------------------------------------------------------

TITLE_ROW, LEGEND_ROW, BAND_ROW, HEADER_ROW = 1, 2, 3, 4
FIRST_DATA_ROW = HEADER_ROW + 1

# Blue and orange: a pair that stays distinct for all common kinds of colour blindness.
_BAND_FILLS = {
    AGREED: PatternFill("solid", fgColor="DDEBF7"),
    MONITORING: PatternFill("solid", fgColor="FCE4D6"),
    RECORD: PatternFill("solid", fgColor="EDEDED"),
}
_HEADER_FILLS = {
    AGREED: PatternFill("solid", fgColor="BDD7EE"),
    MONITORING: PatternFill("solid", fgColor="F8CBAD"),
    RECORD: PatternFill("solid", fgColor="D9D9D9"),
}
OVERDUE_FILL = PatternFill("solid", fgColor="FFEB9C")   # light yellow, explained in a legend
_STRIPE_FILL = PatternFill("solid", fgColor="F5F7FA")    # every other row, like a table style
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(text: str) -> str:
    return _INVALID_SHEET_CHARS.sub(" ", text).strip()[:31] or "Sheet"


def _put(ws: Worksheet, row: int, column: int, value: Value) -> None:
    """Write a value; text is always stored as text, never as a formula."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        if not value:
            return
        if len(value) > EXCEL_CELL_LIMIT:
            value = value[: EXCEL_CELL_LIMIT - 1] + "…"
        cell.value = value
        cell.data_type = "s"  # openpyxl would turn "=…" into a formula
        if value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True  # what Excel itself stores for '=…
    else:
        cell.value = value


def _title(ws: Worksheet, row: int, text: str, last_column: int, *, size: int = 14) -> None:
    _put(ws, row, 1, text)
    ws.cell(row=row, column=1).font = Font(bold=True, size=size)
    ws.cell(row=row, column=1).alignment = Alignment(vertical="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)


def _band_spans() -> list[tuple[str, int, int]]:
    """(band, first column, last column), 1-based, for consecutive columns of one band."""
    spans: list[tuple[str, int, int]] = []
    for index, column in enumerate(COLUMNS, start=1):
        if spans and spans[-1][0] == column.band:
            spans[-1] = (column.band, spans[-1][1], index)
        else:
            spans.append((column.band, index, index))
    return spans


def _band_title(band: str) -> str:
    if band == AGREED:
        # TRANSLATORS: band over the agreement columns of appendix 4, Dutch
        # "Week X: Afgesproken acties" (X is the week of the meeting, keep it literally)
        return _("Week X: agreed actions")
    if band == MONITORING:
        # TRANSLATORS: band over the monitoring columns of appendix 4, Dutch
        # "Week X+1: Monitoring"
        return _("Week X+1: monitoring")
    return ""


def _write_actions_sheet(
    ws: Worksheet, rows: list[ExportRow], *, project: str, municipality: str,
    generated_at: datetime,
) -> None:
    ncols = len(COLUMNS)
    today = to_local(generated_at).date()
    place = ", ".join(part for part in (_clean(project), _clean(municipality)) if part)
    _title(
        ws, TITLE_ROW,
        _("Action and monitoring framework: {place}, generated {date} at {time}").format(
            place=place, date=format_date(generated_at, "long"), time=format_time(generated_at)
        ),
        ncols,
    )
    ws.row_dimensions[TITLE_ROW].height = 24
    legend = _("Highlighted rows: open actions whose period has ended (overdue).")
    _put(ws, LEGEND_ROW, 1, legend)
    ws.cell(row=LEGEND_ROW, column=1).fill = OVERDUE_FILL
    ws.cell(row=LEGEND_ROW, column=1).font = Font(italic=True)
    ws.merge_cells(start_row=LEGEND_ROW, start_column=1, end_row=LEGEND_ROW, end_column=ncols)

    for band, first, last in _band_spans():
        _put(ws, BAND_ROW, first, _band_title(band))
        for number in range(first, last + 1):
            cell = ws.cell(row=BAND_ROW, column=number)
            cell.fill = _BAND_FILLS[band]
            cell.font = Font(bold=True, size=12)
            cell.border = _BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center")
        if last > first:
            ws.merge_cells(start_row=BAND_ROW, start_column=first, end_row=BAND_ROW,
                           end_column=last)

    for index, (column, header) in enumerate(zip(COLUMNS, headers(), strict=True), start=1):
        _put(ws, HEADER_ROW, index, header)
        cell = ws.cell(row=HEADER_ROW, column=index)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILLS[column.band]
        cell.border = _BORDER
        cell.alignment = _HEADER_ALIGN
        ws.column_dimensions[get_column_letter(index)].width = column.width

    for offset, row in enumerate(rows):
        number = FIRST_DATA_ROW + offset
        fill = OVERDUE_FILL if is_overdue(row, today) else _STRIPE_FILL if offset % 2 else None
        for index, value in enumerate(_values(row), start=1):
            _put(ws, number, index, value)
            cell = ws.cell(row=number, column=index)
            cell.alignment = _WRAP_TOP
            cell.border = _BORDER
            if fill is not None:
                cell.fill = fill
            if index - 1 in DATETIME_COLUMNS:
                cell.number_format = DATETIME_FORMAT

    last_row = HEADER_ROW + len(rows)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(ncols)}{last_row}"
    ws.freeze_panes = f"B{FIRST_DATA_ROW}"  # headers and the action id stay in view
    ws.print_title_rows = f"{BAND_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


@dataclass
class _Total:
    partner: str
    unit: str
    quantity: float = 0.0
    count: int = 0
    codes: tuple[str, ...] = ()


def result_totals(rows: Iterable[ExportRow]) -> list[_Total]:
    """Quantities summed per partner and unit (units compared case-insensitively)."""
    totals: dict[tuple[str, str], _Total] = {}
    for row in sort_rows(rows):
        for _text, quantity, unit in row.results:
            if quantity is None or not math.isfinite(quantity):
                continue
            key = (row.partner, _unit_key(unit))
            total = totals.setdefault(
                key, _Total(_clean(row.partner), _clean(" ".join((unit or "").split())))
            )
            total.quantity = math.fsum((total.quantity, quantity))
            total.count += 1
            if row.code not in total.codes:
                total.codes += (row.code,)
    return sorted(totals.values(), key=lambda t: (t.partner.casefold(), t.unit.casefold()))


def _write_totals_sheet(ws: Worksheet, rows: list[ExportRow], *, title: str) -> None:
    columns = (
        (_("Partner"), 24),
        (_("Unit"), 16),
        (_("Quantity"), 12),
        # TRANSLATORS: column of the totals sheet of the action framework export
        (_("Number of results"), 12),
        # TRANSLATORS: column of the totals sheet: the action ids (A3, A7, …)
        (_("Actions"), 30),
    )
    _title(ws, 1, title, len(columns), size=12)
    _put(ws, 2, 1, _("Results without a partner count for every partner of their action."))
    ws.cell(row=2, column=1).font = Font(italic=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(columns))
    header_row = 3
    for index, (header, width) in enumerate(columns, start=1):
        _put(ws, header_row, index, header)
        cell = ws.cell(row=header_row, column=index)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILLS[MONITORING]
        cell.border = _BORDER
        cell.alignment = _HEADER_ALIGN
        ws.column_dimensions[get_column_letter(index)].width = width
    totals = result_totals(rows)
    for offset, total in enumerate(totals):
        number = header_row + 1 + offset
        values: list[Value] = [
            total.partner or _("(no partner)"),
            total.unit,
            _number(total.quantity),
            total.count,
            ", ".join(total.codes),
        ]
        for index, value in enumerate(values, start=1):
            _put(ws, number, index, value)
            cell = ws.cell(row=number, column=index)
            cell.border = _BORDER
            cell.alignment = _WRAP_TOP
            if offset % 2:
                cell.fill = _STRIPE_FILL
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A{header_row}:{last}{header_row + len(totals)}"
    ws.freeze_panes = f"A{header_row + 1}"


def actions_workbook(
    rows: Sequence[ExportRow], *, project: str, municipality: str, language: str = "nl",
    generated_at: datetime,
) -> bytes:
    """The framework as an .xlsx workbook: sheet 1 as appendix 4, sheet 2 the totals."""
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be an aware datetime")
    ordered = sort_rows(rows)
    with use_locale(language):
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        # TRANSLATORS: name of the first sheet of the export (at most 31 characters)
        ws.title = _sheet_title(_("Action framework"))
        _write_actions_sheet(ws, ordered, project=project, municipality=municipality,
                             generated_at=generated_at)
        # TRANSLATORS: name of the second sheet of the export (at most 31 characters)
        totals = wb.create_sheet(_sheet_title(_("Totals")))
        _write_totals_sheet(
            totals, ordered,
            title=_("Results per partner and unit: {project}").format(project=_clean(project)),
        )
        title = _("Action and monitoring framework")
        wb.properties.title = f"{title}: {_clean(project)}" if project else title
        wb.properties.subject = _clean(municipality) or None
        wb.properties.creator = "wijkbot"
        wb.properties.lastModifiedBy = "wijkbot"
        wb.properties.language = language
        moment = generated_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        wb.properties.created = moment
        wb.properties.modified = moment
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- CSV --------------------------------------------------------------------------------

def csv_delimiter(language: str) -> str:
    """What Excel expects in that language: Dutch Excel splits on ';' (',' is the decimal
    separator there), English Excel on ','."""
    return ";" if language == "nl" else ","


def neutralise(text: str) -> str:
    """Text a spreadsheet would evaluate as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _csv_text(value: Value, decimal: Callable[[int | float], str]) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, int | float):
        return decimal(value)
    return neutralise(value)


def actions_csv(rows: Sequence[ExportRow], *, language: str = "nl") -> bytes:
    """The first sheet's columns as CSV: UTF-8 with BOM, one header row, ';' for nl."""
    with use_locale(language):
        locale = babel_locale()

        def decimal(number: int | float) -> str:
            return babel_numbers.format_decimal(
                number, locale=locale, group_separator=False, decimal_quantization=False
            )

        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=csv_delimiter(language), lineterminator="\r\n")
        writer.writerow([neutralise(header) for header in headers()])
        for row in sort_rows(rows):
            writer.writerow([_csv_text(value, decimal) for value in _values(row)])
    return buffer.getvalue().encode("utf-8-sig")


# --- file names -------------------------------------------------------------------------

def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def export_filename(
    project: str, generated_at: datetime, ext: str, *, language: str | None = None
) -> str:
    """``actiekader-veilig-wonen-oost-2026-11-23.xlsx``: a translated prefix, the project
    and the local date; only ``a-z0-9-.`` characters. ``language`` defaults to the locale
    of the current task."""
    def build() -> str:
        # TRANSLATORS: start of the export's file name: lower case, words joined by "-",
        # Dutch "actiekader"
        prefix = _slug(_("action-framework")) or "action-framework"
        name = _slug(project)[:60].strip("-")
        day = to_local(generated_at).date().isoformat()
        extension = re.sub(r"[^a-z0-9]", "", ext.lower().lstrip(".")) or "bin"
        return "-".join(part for part in (prefix, name, day) if part) + "." + extension

    if language is None:
        return build()
    with use_locale(language):
        return build()
