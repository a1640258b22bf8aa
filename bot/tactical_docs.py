"""The summary for the tactical meeting (the *werkgroep*, every two months).

Project leaders of several municipalities, the police analyst, the OM and the communication
adviser watch results, unblock and escalate. This module renders one :class:`RegionSummary`
(assembled by the caller: counts, goals, the partners' action balance, the escalations from
the operational meetings) as Telegram HTML messages, a Word document and a bar chart.

Pure rendering, like :mod:`bot.meeting_docs`, whose line packing (headings repeated as
"(continued)" on a new message, over-long lines cut with balanced tags) and Word helpers are
reused here. Labels are gettext messages with English ids inside ``use_locale(language)``;
numbers and dates go through Babel (:mod:`charts.text`, :mod:`bot.i18n`). Empty sections
show "—".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bot.i18n import _, format_date, ngettext, pgettext, to_local, use_locale
from bot.meeting_docs import (
    MESSAGE_LIMIT,
    _add_row,
    _clean,
    _docx_bullets,
    _esc,
    _header_row,
    _html_lines,
    _inline,
    _Line,
    _new_document,
    _one_line,
    _properties,
    _slug,
    _table,
    _to_bytes,
    _write,
    pack_lines,
)
from charts.render import (
    LABEL,
    LEGEND,
    NOTE,
    OKABE_ITO,
    TICK,
    _bars,
    _figure,
    _fit_labels,
    _style,
    _titles,
    to_png,
)
from charts.text import fmt_int, fmt_interval, fmt_num, fmt_pct

__all__ = [
    "MunicipalityRow",
    "PartnerLine",
    "RegionSummary",
    "change_pct",
    "summary_chart",
    "summary_docx",
    "summary_figure",
    "summary_filename",
    "summary_messages",
]

EMPTY = "—"


# --- the values to render ---------------------------------------------------------------

@dataclass(frozen=True)
class PartnerLine:
    partner: str
    open: int
    overdue: int
    done: int            # done in the period


@dataclass(frozen=True)
class MunicipalityRow:
    project: str
    municipality: str
    burglaries_12m: int
    previous_12m: int
    incidence: float | None          # per 1,000 homes, last 12 months; None: homes unknown
    goal: str | None                 # a finished sentence about the goal
    goal_max: int | None             # the yearly maximum, for the chart (None: no count goal)
    partners: tuple[PartnerLine, ...]
    escalations: tuple[str, ...]     # open points for the tactical meeting
    successes: tuple[str, ...]       # finished sentences
    bottlenecks: tuple[str, ...]     # finished sentences


@dataclass(frozen=True)
class RegionSummary:
    region: str
    period_start: date
    period_end: date
    generated_at: datetime           # aware
    municipalities: tuple[MunicipalityRow, ...]


def change_pct(row: MunicipalityRow) -> float | None:
    """Change of the last 12 months on the 12 months before, in percent (None: no base)."""
    if row.previous_12m <= 0:
        return None
    return (row.burglaries_12m - row.previous_12m) / row.previous_12m * 100


# --- labels -----------------------------------------------------------------------------

def _title() -> str:
    # TRANSLATORS: title of the summary for the tactical meeting, Dutch "Tactisch overzicht"
    return _("Tactical summary")


def _overview_title() -> str:
    # TRANSLATORS: heading of the overview table of the tactical summary,
    # Dutch "Overzicht per gemeente"
    return _("Overview per municipality")


def _per_municipality() -> str:
    # TRANSLATORS: subtitle of the tactical summary chart, Dutch "per gemeente"
    return _("per municipality")


def _period_text(summary: RegionSummary) -> str:
    # TRANSLATORS: period line of the tactical summary, Dutch "Periode: {period}"
    return _("Period: {period}").format(
        period=fmt_interval(summary.period_start, summary.period_end, "yMMMd"))


def _generated_text(moment: datetime) -> str:
    # TRANSLATORS: under the title of the tactical summary, Dutch "Opgesteld op {date}"
    return _("Generated on {date}").format(date=format_date(moment, "long"))


def _burglaries_title() -> str:
    # TRANSLATORS: chart title and table column, Dutch "Inbraken, laatste 12 maanden"
    return _("Burglaries, last 12 months")


def _burglaries_count(count: int) -> str:
    # The summary's period is the last two months (actions); the count is a year's, and
    # says so, or it reads as the count of the period above it.
    # TRANSLATORS: Dutch "{count} inbraak in de laatste 12 maanden" / "… inbraken …"
    return ngettext("{count} burglary in the last 12 months",
                    "{count} burglaries in the last 12 months", count).format(
        count=fmt_int(count))


def _change_text(row: MunicipalityRow) -> str:
    change = change_pct(row)
    return EMPTY if change is None else fmt_pct(change, signed=True)


def _incidence_text(row: MunicipalityRow) -> str:
    return EMPTY if row.incidence is None else fmt_num(row.incidence, 1)


def _change_sentence(row: MunicipalityRow) -> str:
    change = change_pct(row)
    if change is None:
        # TRANSLATORS: after the burglary count when the year before had none,
        # Dutch "(12 maanden daarvoor: {count})"
        return _("(12 months before: {count})").format(count=fmt_int(row.previous_12m))
    # TRANSLATORS: after the burglary count, Dutch "({change} t.o.v. de 12 maanden daarvoor)"
    return _("({change} on the 12 months before)").format(change=fmt_pct(change, signed=True))


def _incidence_sentence(row: MunicipalityRow) -> str:
    if row.incidence is None:
        # TRANSLATORS: the number of homes is not known, Dutch "aantal woningen onbekend"
        return _("number of homes unknown")
    # TRANSLATORS: burglary incidence, Dutch "{rate} per 1.000 woningen"
    return _("{rate} per 1,000 homes").format(rate=fmt_num(row.incidence, 1))


def _municipality_label() -> str:
    # TRANSLATORS: table column, Dutch "Gemeente"
    return _("Municipality")


def _change_label() -> str:
    # TRANSLATORS: table column: change on the 12 months before, Dutch "Verandering"
    return _("Change")


def _incidence_label() -> str:
    # TRANSLATORS: table column, Dutch "Per 1.000 woningen"
    return _("Per 1,000 homes")


def _goal_label() -> str:
    # TRANSLATORS: table column and section of the tactical summary, Dutch "Doel"
    return _("Goal")


def _partners_label() -> str:
    # TRANSLATORS: section of the tactical summary: actions per partner,
    # Dutch "Acties per partner"
    return _("Actions per partner")


def _partner_label() -> str:
    return _("Partner")


def _open_label() -> str:
    # TRANSLATORS: column of the partner table: actions still open, Dutch "Open"
    return pgettext("actions", "Open")


def _overdue_label() -> str:
    # TRANSLATORS: column of the partner table: open actions past their period,
    # Dutch "Over tijd"
    return pgettext("actions", "Overdue")


def _done_label() -> str:
    # TRANSLATORS: column of the partner table: actions done in the period,
    # Dutch "Uitgevoerd in de periode"
    return pgettext("actions", "Done in the period")


def _partner_sentence(line: PartnerLine) -> str:
    # TRANSLATORS: one partner in the tactical summary,
    # Dutch "{open} open · {overdue} over tijd · {done} uitgevoerd"
    return _("{open} open · {overdue} overdue · {done} done").format(
        open=fmt_int(line.open), overdue=fmt_int(line.overdue), done=fmt_int(line.done))


def _escalations_title() -> str:
    # TRANSLATORS: section of the tactical summary,
    # Dutch "Aandachtspunten voor het tactisch overleg"
    return _("Escalations")


def _successes_title() -> str:
    # TRANSLATORS: section of the tactical summary, Dutch "Successen"
    return _("Successes")


def _bottlenecks_title() -> str:
    # TRANSLATORS: section of the tactical summary, Dutch "Knelpunten"
    return _("Bottlenecks")


def _sections(row: MunicipalityRow) -> list[tuple[str, str, tuple[str, ...]]]:
    return [("⚠️", _escalations_title(), row.escalations),
            ("✅", _successes_title(), row.successes),
            ("🚧", _bottlenecks_title(), row.bottlenecks)]


def _place(row: MunicipalityRow) -> str:
    """``Delft (Veilig Wonen Delft)``; just the municipality when the project is the same."""
    name, project = _one_line(row.municipality), _one_line(row.project)
    if project and project != name:
        return f"{name} ({project})" if name else project
    return name or EMPTY


# --- Telegram messages ------------------------------------------------------------------

class _Out:
    def __init__(self) -> None:
        self.lines: list[_Line] = []
        self._stack: list[str] = []

    def heading(self, text: str, level: int) -> None:
        del self._stack[level - 1:]
        if level == 1 and self.lines:
            self.lines.append(_Line(""))
        self.lines.append(_Line(text, tuple(self._stack), keep_with_next=True))
        self._stack.append(text)

    def add(self, text: str) -> None:
        self.lines.append(_Line(text, tuple(self._stack)))

    def bullets(self, texts: Sequence[str]) -> None:
        texts = [text for text in texts if _one_line(text)]
        if not texts:
            self.add(EMPTY)
        for text in texts:
            first, *rest = _html_lines(text)
            self.add(f"• {first}")
            for line in rest:
                self.add(f"   {line}")


def summary_messages(summary: RegionSummary, language: str) -> list[str]:
    """The summary as Telegram HTML messages, each at most 4096 UTF-16 units."""
    _check_aware(summary.generated_at)
    with use_locale(language):
        out = _Out()
        out.add(f"📊 <b>{_esc(_title())}</b> · <b>{_inline(summary.region)}</b>")
        out.add(_esc(_period_text(summary)))
        out.add(f"<i>{_esc(_generated_text(summary.generated_at))}</i>")
        out.heading(f"<b>{_esc(_overview_title())}</b>", 1)
        if not summary.municipalities:
            out.add(EMPTY)
        for row in summary.municipalities:
            out.add(f"• <b>{_esc(_place(row))}</b>: {_esc(_burglaries_count(row.burglaries_12m))}"
                    f" {_esc(_change_sentence(row))} · {_esc(_incidence_sentence(row))}")
        for row in summary.municipalities:
            out.heading(f"🏘 <b>{_esc(_place(row))}</b>", 1)
            # The goal is a finished sentence ("Goal 2027: …"); the label only when there is none.
            goal = _inline(row.goal)
            out.add(f"🎯 {goal}" if goal else f"🎯 <b>{_esc(_goal_label())}:</b> {EMPTY}")
            out.heading(f"<u>{_esc(_partners_label())}</u>", 2)
            partners = [line for line in row.partners if _one_line(line.partner)]
            if not partners:
                out.add(EMPTY)
            for line in partners:
                overdue = "⚠️ " if line.overdue > 0 else ""
                out.add(f"• {overdue}<b>{_inline(line.partner)}</b>: "
                        f"{_esc(_partner_sentence(line))}")
            for icon, title, texts in _sections(row):
                out.heading(f"{icon} <u>{_esc(title)}</u>", 2)
                out.bullets(texts)
        return pack_lines(out.lines, MESSAGE_LIMIT)


# --- Word document ----------------------------------------------------------------------

_OVERVIEW_WIDTHS = (3.6, 2.4, 2.0, 2.2, 6.8)
_PARTNER_WIDTHS = (7.0, 3.0, 3.0, 4.0)


def summary_docx(summary: RegionSummary, language: str) -> bytes:
    """Title, an overview table (one row per municipality), then a section per
    municipality: goal, partner table, escalations, successes, bottlenecks."""
    _check_aware(summary.generated_at)
    with use_locale(language):
        doc = _new_document(language)
        title = _title()
        doc.add_heading(f"{title}: {_one_line(summary.region)}" if _one_line(summary.region)
                        else title, 0)
        doc.add_paragraph(f"{_period_text(summary)}\n{_generated_text(summary.generated_at)}",
                          style="Subtitle")
        doc.add_heading(_overview_title(), 1)
        table = _table(doc, _OVERVIEW_WIDTHS)
        _header_row(table, _OVERVIEW_WIDTHS, (
            _municipality_label(), _burglaries_title(), _change_label(), _incidence_label(),
            _goal_label()))
        for row in summary.municipalities:
            cells = _add_row(table, _OVERVIEW_WIDTHS).cells
            _write(cells[0], _place(row), bold=True)
            _write(cells[1], fmt_int(row.burglaries_12m))
            _write(cells[2], _change_text(row))
            _write(cells[3], _incidence_text(row))
            _write(cells[4], _clean(row.goal).strip() or EMPTY)
        for row in summary.municipalities:
            doc.add_heading(_place(row), 1)
            doc.add_paragraph(f"{_burglaries_count(row.burglaries_12m)} "
                              f"{_change_sentence(row)} · {_incidence_sentence(row)}")
            doc.add_heading(_goal_label(), 2)
            doc.add_paragraph(_clean(row.goal).strip() or EMPTY)
            doc.add_heading(_partners_label(), 2)
            partners = [line for line in row.partners if _one_line(line.partner)]
            if partners:
                partner_table = _table(doc, _PARTNER_WIDTHS)
                _header_row(partner_table, _PARTNER_WIDTHS, (
                    _partner_label(), _open_label(), _overdue_label(), _done_label()))
                for line in partners:
                    cells = _add_row(partner_table, _PARTNER_WIDTHS).cells
                    _write(cells[0], _one_line(line.partner))
                    _write(cells[1], fmt_int(line.open))
                    _write(cells[2], fmt_int(line.overdue), bold=line.overdue > 0)
                    _write(cells[3], fmt_int(line.done))
            else:
                doc.add_paragraph(EMPTY)
            for _icon, heading, texts in _sections(row):
                doc.add_heading(heading, 2)
                _docx_bullets(doc, [t for t in texts if _one_line(t)], EMPTY)
        _properties(doc, title=f"{title}: {_one_line(summary.region)}",
                    subject=_period_text(summary), language=language,
                    created=summary.generated_at)
    return _to_bytes(doc)


# --- chart ------------------------------------------------------------------------------

_MAX_LABEL = 30


def _chart_label(text: str) -> str:
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1].rstrip() + "…"


def summary_figure(summary: RegionSummary, language: str) -> Figure:
    """Per municipality: a filled bar for the last 12 months, a hatched hollow bar for the
    12 months before, and a vermillion diamond-tipped line at the yearly count goal."""
    with use_locale(language):
        rows = summary.municipalities
        counts = Counter(_one_line(row.municipality) for row in rows)
        names = [_chart_label(_one_line(row.municipality) if counts[_one_line(row.municipality)]
                              == 1 and _one_line(row.municipality) else _place(row))
                 for row in rows]
        top_margin, bottom_margin = 1.9, 0.9
        fig = _figure((8.0, max(4.5, top_margin + bottom_margin + 0.9 * max(len(rows), 2))))
        height = fig.get_figheight()
        names, left = _fit_labels(fig, names)
        ax = fig.add_axes((left, bottom_margin / height, 0.93 - left,
                           1 - (top_margin + bottom_margin) / height))
        _style(ax)
        subtitle = " · ".join(part for part in (_one_line(summary.region), _per_municipality())
                              if part)
        _titles(fig, _burglaries_title(), subtitle)
        if not rows:
            ax.set_axis_off()
            # TRANSLATORS: chart without municipalities, Dutch "Geen gemeenten."
            ax.text(0.5, 0.5, _("No municipalities."), ha="center", va="center",
                    fontsize=LABEL, transform=ax.transAxes)
            return fig
        y = np.arange(len(rows))[::-1].astype(float)
        current = np.array([row.burglaries_12m for row in rows], dtype=float)
        previous = np.array([row.previous_12m for row in rows], dtype=float)
        _bars(ax, y + 0.18, current, 0.34, horizontal=True, facecolors=OKABE_ITO["blue"],
              edgecolors="none")
        _bars(ax, y - 0.18, previous, 0.34, horizontal=True, facecolors="white",
              edgecolors=OKABE_ITO["grey"], hatch="///", linewidths=1.5)
        goals = [(yy, float(row.goal_max)) for yy, row in zip(y, rows, strict=True)
                 if row.goal_max is not None]
        for yy, goal in goals:
            ax.plot([goal, goal], [yy - 0.42, yy + 0.42], color=OKABE_ITO["vermillion"],
                    linewidth=3, zorder=4)
            ax.scatter([goal], [yy + 0.42], marker="D", s=50, color=OKABE_ITO["vermillion"],
                       zorder=5)
        top = max(float(current.max()), float(previous.max()),
                  max((goal for _yy, goal in goals), default=0.0), 1.0)
        for yy, value, color in [*zip(y + 0.18, current, [OKABE_ITO["blue"]] * len(rows),
                                      strict=True),
                                 *zip(y - 0.18, previous, ["#555555"] * len(rows),
                                      strict=True)]:
            ax.text(value + top * 0.01, yy, fmt_int(value), va="center", ha="left",
                    fontsize=NOTE, color=color, fontweight="bold")
        ax.set_yticks(y, names)
        ax.tick_params(axis="y", labelsize=TICK)
        ax.set_xlim(0, top * 1.15 + 0.5)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.set_xlabel(_("burglaries"), fontsize=LABEL)
        handles: list[Artist] = [
            # TRANSLATORS: chart legend, Dutch "laatste 12 maanden"
            Patch(color=OKABE_ITO["blue"], label=_("last 12 months")),
            # TRANSLATORS: chart legend, Dutch "12 maanden daarvoor"
            Patch(facecolor="white", edgecolor=OKABE_ITO["grey"], hatch="///",
                  label=_("12 months before")),
        ]
        if goals:
            handles.append(Line2D([], [], color=OKABE_ITO["vermillion"], linewidth=3,
                                  marker="D", markersize=7,
                                  # TRANSLATORS: chart legend, Dutch "doel: maximum per jaar"
                                  label=_("goal: yearly maximum")))
        fig.legend(handles=handles, fontsize=LEGEND, frameon=False, loc="upper left",
                   bbox_to_anchor=(0.02, 1 - 1.0 / height), ncol=len(handles))
        return fig


def summary_chart(summary: RegionSummary, language: str) -> bytes:
    """:func:`summary_figure` as PNG bytes."""
    return to_png(summary_figure(summary, language))


# --- file name --------------------------------------------------------------------------

def summary_filename(region: str, generated_at: datetime, language: str) -> str:
    """``tactisch-overzicht-haaglanden-2026-11-23.docx`` / ``tactical-summary-…``."""
    with use_locale(language):
        # TRANSLATORS: start of the tactical summary's file name: lower case, words joined
        # by "-", Dutch "tactisch-overzicht"
        prefix = _slug(pgettext("file name", "tactical-summary")) or "tactical-summary"
    name = _slug(region)[:60].strip("-")
    day = to_local(generated_at).date().isoformat()
    return "-".join(part for part in (prefix, name, day) if part) + ".docx"


def _check_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("generated_at must be an aware datetime")
