"""Charts of the steering information: data in, PNG bytes out.

One ``*_figure`` function per chart returns a :class:`matplotlib.figure.Figure` (so tests
can read its texts); ``render_*`` wraps it in :func:`to_png`. Rules that hold for all:

* matplotlib's object-oriented API on an Agg canvas, never ``pyplot``, and ``rcParams``
  never changed while drawing: every font size and colour is set on the artist itself, so
  figures can be rendered in worker threads side by side. The two global settings are
  made once, at import (below): text without glyph hinting, and without mathtext;
* readable on a phone: ~1200 px wide, fonts of 12–17 pt at 150 dpi, few but large labels;
* colour-blind safe: the Okabe–Ito palette, a single-hue shading on the map, ``cividis``
  for the heat map, and shapes (filled vs hollow, bars vs markers) that carry the meaning
  without colour;
* labels in Dutch or English (``language``) via :mod:`charts.text` — msgids in English,
  dates and numbers through Babel;
* never a house number: charts only ever see street and buurt names (house numbers are
  dropped by :func:`charts.data.prepare`, street labels are passed through
  :func:`charts.data.safe_street`).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from bot.i18n import use_locale
from charts.analytics import Hotspot, MoShift, TimeProfile, Trend
from charts.data import DEFAULT_TZ, day_number, prepare, safe_street
from charts.fieldwork import fortnight, with_days
from charts.forecast import Forecast
from charts.labels import Labeller, label_point, spots_inside
from charts.text import (
    _,
    drawable,
    fmt_date,
    fmt_int,
    fmt_interval,
    fmt_num,
    fmt_pct,
    mo_label,
    month_label,
    weekday_names,
)

# Set once, never changed afterwards (so drawing in worker threads stays safe). No glyph
# hinting: at 150 dpi hinted and unhinted text look the same, side by side, while hinting
# costs about a fifth of the time it takes to draw the pack's charts (bench/steering.py).
# No mathtext: every text is drawn as typed. Names come from users and police exports,
# and a name with two "$" would otherwise be read as a formula, and one that is not a
# valid formula would stop the whole pack from being drawn.
matplotlib.rcParams["text.hinting"] = "no_hinting"
matplotlib.rcParams["text.parse_math"] = False

__all__ = [
    "DPI",
    "OKABE_ITO",
    "drop_missing_glyphs",
    "figure_texts",
    "map_figure",
    "mo_figure",
    "png_rgba",
    "time_figure",
    "to_png",
    "trend_figure",
    "units_figure",
]

DPI = 150
SIZE = (8.0, 6.0)  # inches: 1200 × 900 px
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
TITLE, SUBTITLE, LABEL, TICK, LEGEND, NOTE = 17, 13, 14, 13, 12, 11


def _figure(size: tuple[float, float] = SIZE) -> Figure:
    fig = Figure(figsize=size, dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def drop_missing_glyphs(fig: Figure) -> None:
    """The texts of a figure, its axes and their legends made
    :func:`~charts.text.drawable`. Not the tick labels: names among those already are
    (:func:`_fit_labels`), and walking every artist (``findobj``) would cost 60 ms a pack.
    """
    artists = [*fig.get_children(), *(a for ax in fig.axes for a in ax.get_children())]
    legends = (a for a in artists if isinstance(a, Legend))
    for text in [*(a for a in artists if isinstance(a, Text)),
                 *(t for legend in legends for t in legend.get_texts())]:
        value = text.get_text()
        if not value.isascii():
            text.set_text(drawable(value))


def to_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes: :func:`drop_missing_glyphs`, drawn on the Agg canvas,
    stored by :func:`png_rgba`."""
    drop_missing_glyphs(fig)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return png_rgba(np.asarray(canvas.buffer_rgba()))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data)))


def png_rgba(rgba: np.ndarray) -> bytes:
    """An RGBA image (height × width × 4, uint8, e.g. the Agg canvas) as an 8-bit RGBA PNG.

    Why not ``savefig``'s or Pillow's encoder: they spend most of their time choosing a
    filter for every row. A chart is mostly flat colour, so one fixed filter does nearly
    as well: "Up" (each row minus the row above, zero almost everywhere), computed by
    numpy on the canvas as it is, then deflated by zlib at level 1. The alpha channel
    stays: dropping it takes a strided copy that costs more than deflating its zeros.
    Measured on the 50,000-incident pack (``bench/steering.py``), six charts: Pillow (RGB,
    level 3) 287 ms and 1,060 KiB; this 100 ms and 1,320 KiB. The pixels are the same —
    PNG is lossless (``tests/test_charts_render.py`` compares them with ``savefig``'s).
    """
    height, width, _channels = rgba.shape
    flat = np.ascontiguousarray(rgba).reshape(height, 4 * width)
    rows = np.empty((height, 1 + 4 * width), dtype=np.uint8)
    rows[0, 0] = 0  # filter "None": there is no row above the first
    rows[0, 1:] = flat[0]
    rows[1:, 0] = 2  # filter "Up"; uint8 arithmetic wraps modulo 256, as PNG specifies
    np.subtract(flat[1:], flat[:-1], out=rows[1:, 1:])
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"".join((b"\x89PNG\r\n\x1a\n", _png_chunk(b"IHDR", header),
                     _png_chunk(b"IDAT", zlib.compress(rows.data, 1)), _png_chunk(b"IEND", b"")))


def figure_texts(fig: Figure) -> list[str]:
    """Every text a figure would draw (titles, labels, tick labels, legends, notes)."""
    return [t.get_text() for t in fig.findobj(Text)
            if isinstance(t, Text) and t.get_visible() and t.get_text()]


def _bars(ax: Axes, pos: np.ndarray, size: np.ndarray, width: float, *, horizontal: bool,
          **style: Any) -> None:
    """Bars as one PolyCollection: a bar chart of 60 months as 60 separate patches costs
    more to build than to draw. Limits are set by the callers."""
    pos = np.asarray(pos, dtype=float)
    size = np.nan_to_num(np.asarray(size, dtype=float))
    a, b = pos - width / 2, pos + width / 2
    zero = np.zeros_like(pos)
    if horizontal:
        verts = np.stack([np.column_stack([zero, a]), np.column_stack([size, a]),
                          np.column_stack([size, b]), np.column_stack([zero, b])], axis=1)
    else:
        verts = np.stack([np.column_stack([a, zero]), np.column_stack([a, size]),
                          np.column_stack([b, size]), np.column_stack([b, zero])], axis=1)
    ax.add_collection(PolyCollection(list(verts), **style))


def _titles(fig: Figure, title: str, subtitle: str | None = None) -> None:
    fig.text(0.02, 1 - 0.15 / fig.get_figheight(), title, fontsize=TITLE, fontweight="bold",
             va="top", ha="left")
    if subtitle:
        # Positions in inches from the top, so they hold for any figure height.
        height = fig.get_figheight()
        fig.text(0.02, 1 - 0.5 / height, subtitle, fontsize=SUBTITLE, va="top", ha="left",
                 color="#333333", linespacing=1.3)


def _style(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=TICK, length=4)


#: A y tick label may take at most this share of the figure's width; longer ones are shortened.
MAX_LABEL_SHARE = 0.42


def _fit_labels(fig: Figure, labels: Sequence[str], *, size: float = TICK,
                bold: bool = False) -> tuple[list[str], float]:
    """The y tick labels, :func:`~charts.text.drawable` and each shortened with "…" when
    wider than :data:`MAX_LABEL_SHARE` of the figure, and the left margin (a figure
    fraction) the widest one needs.

    Widths are measured with the figure's renderer (text layout only, nothing is drawn):
    a character-count estimate cut off names in capitals such as Vancouver's streets.
    """
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    prop = FontProperties(size=size, weight="bold" if bold else "normal")

    def inches(text: str) -> float:
        return float(renderer.get_text_width_height_descent(text, prop, ismath=False)[0]
                     / fig.dpi)

    limit = MAX_LABEL_SHARE * fig.get_figwidth()
    fitted, widest = [], 0.0
    for label in map(drawable, labels):
        width, base = inches(label), label
        while width > limit and len(base) > 1:
            base = base[:-1]
            label = base.rstrip() + "…"
            width = inches(label)
        fitted.append(label)
        widest = max(widest, width)
    # Tick (4 pt), its padding (3.5 pt) and some white to the edge of the image.
    return fitted, (max(widest, 0.5) + 0.3) / fig.get_figwidth()


# --------------------------------------------------------------------------- trend


def trend_figure(tr: Trend, language: str = "nl") -> Figure:
    """Monthly counts (bars), 12-month average (line) and the same month a year earlier."""
    with use_locale(language):
        m = tr.monthly
        fig = _figure()
        ax = fig.add_axes((0.09, 0.2, 0.88, 0.62))
        _style(ax)
        pos = np.arange(len(m))
        counts = m["count"].astype(float).to_numpy()
        partial = m["partial"].to_numpy(dtype=bool)
        _bars(ax, pos[~partial], counts[~partial], 0.8, horizontal=False,
              facecolors=OKABE_ITO["sky"], edgecolors="none", label=_("per month"))
        if partial.any():
            _bars(ax, pos[partial], counts[partial], 0.8, horizontal=False,
                  facecolors="white", edgecolors=OKABE_ITO["sky"], hatch="///",
                  linewidths=1.5, label=_("running month (so far)"))
        ax.plot(pos, m["ma12"].astype(float), color=OKABE_ITO["blue"], linewidth=3.5,
                label=_("12-month average"))
        ax.plot(pos, m["same_month_last_year"].astype(float), color=OKABE_ITO["vermillion"],
                linewidth=1.5, linestyle=(0, (3, 2)), marker="o", markersize=4,
                label=_("same month last year"))
        january = [i for i, d in enumerate(m["month"]) if d.month == 1]
        ticks = january or [0]
        ax.set_xticks(ticks, [month_label(m["month"].iloc[i]) for i in ticks])
        ax.set_xlim(-0.8, len(m) - 0.2)
        ax.set_ylim(0, max(1.0, float(np.nanmax(np.append(counts, 1.0))) * 1.15))
        ax.set_ylabel(_("burglaries"), fontsize=LABEL)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize=LEGEND, frameon=False, loc="upper center",
                  bbox_to_anchor=(0.5, -0.1), ncol=2)
        parts = []
        if tr.change_pct is not None:
            parts.append(_("Last 12 months: {count} ({change} on the 12 months before)").format(
                count=fmt_int(tr.last_year), change=fmt_pct(tr.change_pct, signed=True)))
        else:
            parts.append(_("Last 12 months: {count}").format(count=fmt_int(tr.last_year)))
        if tr.attempts_pct is not None:
            parts.append(_("{pct} attempts").format(pct=fmt_pct(tr.attempts_pct)))
        if tr.per_1000_homes is not None:
            parts.append(_("{rate} per 1,000 homes").format(rate=fmt_num(tr.per_1000_homes)))
        _titles(fig, _("Burglaries per month"), parts[0] + "\n" + " · ".join(parts[1:]))
        return fig


# --------------------------------------------------------------------------- per unit


def units_figure(
    table: pd.DataFrame,
    level: str,
    current: tuple[date, date],
    coming: tuple[date, date],
    *,
    band: float = 0.8,
    language: str = "nl",
    max_rows: int = 12,
    last_year: tuple[date, date] | None = None,
) -> Figure:
    """Bars: last two weeks per street or buurt; diamond: the two weeks before; hollow
    circle: the same two weeks last year (when ``last_year`` gives that period); green
    range: the expected range for the coming two weeks (with its mean as a tick).

    ``table`` needs the columns ``level`` (the name), ``current``, ``previous``,
    ``expected``, ``low`` and ``high`` (see :func:`charts.pack.units_table`), and
    ``last_year`` for the circles.
    """
    with use_locale(language):
        t = table.copy()
        t = t[(t["current"] > 0) | (t["previous"] > 0) | (t["expected"] >= 0.05)]
        t = t.sort_values(["current", "expected", level], ascending=[False, False, True],
                          kind="stable").head(max_rows)
        names = [str(safe_street(n)) if level == "street" else str(n) for n in t[level]]
        # Inches: title and a legend of three or four lines above, the x axis below.
        entries = 4 if last_year is not None and "last_year" in t.columns else 3
        top_margin, bottom_margin = 0.85 + 0.3 * entries, 0.9
        fig = _figure((8.0, max(4.5, top_margin + bottom_margin + 0.52 * max(len(t), 3))))
        names, left = _fit_labels(fig, names)
        height = fig.get_figheight()
        ax = fig.add_axes((left, bottom_margin / height, 0.95 - left,
                           1 - (top_margin + bottom_margin) / height))
        _style(ax)
        title = _("Burglaries per street") if level == "street" else _(
            "Burglaries per neighbourhood")
        _titles(fig, title)
        if t.empty:
            ax.set_axis_off()
            ax.text(0.5, 0.5, _("No burglaries in these weeks."), ha="center", va="center",
                    fontsize=LABEL, transform=ax.transAxes)
            return fig
        y = np.arange(len(t))[::-1].astype(float)
        cur = t["current"].to_numpy(dtype=float)
        _bars(ax, y + 0.12, cur, 0.5, horizontal=True, facecolors=OKABE_ITO["blue"],
              edgecolors="none")
        prev = t["previous"].to_numpy(dtype=float)
        # No marker for "none": a row of markers on the axis only adds noise.
        ax.scatter(prev[prev > 0], (y + 0.12)[prev > 0], marker="D", s=55,
                   color=OKABE_ITO["black"], zorder=3)
        show_last_year = last_year is not None and "last_year" in t.columns
        if show_last_year:
            ly = t["last_year"].to_numpy(dtype=float)
            ax.scatter(ly[ly > 0], (y + 0.12)[ly > 0], marker="o", s=70, facecolors="white",
                       edgecolors=OKABE_ITO["vermillion"], linewidths=2, zorder=4)
        lows, highs = t["low"].to_numpy(dtype=float), t["high"].to_numpy(dtype=float)
        segs = np.stack([np.column_stack([lows, y - 0.3]), np.column_stack([highs, y - 0.3])],
                        axis=1)
        # A zero-width range (0–0) still gets a visible stub.
        segs[:, 1, 0] = np.maximum(segs[:, 1, 0], segs[:, 0, 0] + 0.08)
        ax.add_collection(LineCollection(list(segs), colors=OKABE_ITO["green"], linewidths=7,
                                         alpha=0.75, capstyle="butt"))
        ax.scatter(t["expected"].to_numpy(dtype=float), y - 0.3, marker="|", s=160,
                   color=OKABE_ITO["black"], linewidths=2.5, zorder=3)
        for yy, value in zip(y, cur, strict=True):
            if value > 0:
                ax.text(value + 0.08, yy + 0.12, fmt_int(value), va="center", ha="left",
                        fontsize=NOTE, color=OKABE_ITO["blue"], fontweight="bold")
        ax.set_yticks(y, names)
        top = max(float(cur.max()), float(highs.max()), float(t["previous"].max()), 1.0,
                  float(t["last_year"].max()) if show_last_year else 0.0)
        ax.set_xlim(0, top * 1.12 + 0.5)
        ax.set_ylim(-0.8, len(t) - 0.4)
        step = max(1, int(np.ceil(top / 6)))
        ax.set_xticks(np.arange(0, top * 1.12 + 0.5, step))
        ax.set_xlabel(_("burglaries"), fontsize=LABEL)
        handles = [
            Patch(color=OKABE_ITO["blue"],
                  label=_("last two weeks ({period})").format(
                      period=fmt_interval(*current, skeleton="MMMd"))),
            Line2D([], [], marker="D", linestyle="", color=OKABE_ITO["black"],
                   label=_("previous two weeks")),
            *([Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor="white",
                      markeredgecolor=OKABE_ITO["vermillion"], markeredgewidth=2,
                      label=_("same two weeks last year ({period})").format(
                          period=fmt_interval(*last_year, skeleton="yMMMd")))]
              if show_last_year and last_year else []),
            Line2D([], [], color=OKABE_ITO["green"], linewidth=7, alpha=0.75,
                   label=_("expected {period} ({band} range)").format(
                       period=fmt_interval(*coming, skeleton="MMMd"),
                       band=fmt_pct(band * 100))),
        ]
        fig.legend(handles=handles, fontsize=LEGEND, frameon=False, loc="upper left",
                   bbox_to_anchor=(0.02, 1 - 0.55 / height), ncol=1)
        return fig


# --------------------------------------------------------------------------- MO


def mo_figure(mo: MoShift, language: str = "nl") -> Figure:
    """Shares per MO: previous eight weeks (grey) against the last two weeks (orange-red);
    MOs that stand out (see :class:`charts.analytics.MoShift`) are marked ▲/▼ in bold."""
    with use_locale(language):
        t = mo.table
        labels = [mo_label(v) for v in t["mo"]]
        fig = _figure((8.0, max(4.5, 2.2 + 0.62 * max(len(t), 3))))
        height = fig.get_figheight()
        # MOs that stand out get an arrow and bold type.
        ticklabels = [f"{label} {'▲' if direction == 'up' else '▼'}" if flag else label
                      for label, flag, direction in zip(labels, t["flag"], t["direction"],
                                                        strict=True)]
        ticklabels, left = _fit_labels(fig, ticklabels, bold=True)
        ax = fig.add_axes((left, 0.9 / height, 0.93 - left, 1 - 2.1 / height))
        _style(ax)
        _titles(fig, _("Modus operandi"))
        if mo.current_total + mo.baseline_total == 0:
            ax.set_axis_off()
            ax.text(0.5, 0.5, _("No burglaries in these weeks."), ha="center", va="center",
                    fontsize=LABEL, transform=ax.transAxes)
            return fig
        y = np.arange(len(t))[::-1].astype(float)
        base = t["baseline_share"].to_numpy(dtype=float) * 100
        cur = t["current_share"].to_numpy(dtype=float) * 100
        _bars(ax, y + 0.2, base, 0.38, horizontal=True, facecolors=OKABE_ITO["grey"],
              edgecolors="none")
        _bars(ax, y - 0.2, cur, 0.38, horizontal=True, facecolors=OKABE_ITO["vermillion"],
              edgecolors="none")
        ax.set_yticks(y, ticklabels)
        for tick, flag in zip(ax.get_yticklabels(), t["flag"], strict=True):
            if flag:
                tick.set_fontweight("bold")
        for yy, c, d, flag in zip(y, cur, t["diff_pp"], t["flag"], strict=True):
            if flag:
                ax.text(c + 1.0, yy - 0.2, fmt_pct(d, signed=True).replace("%", " pp"),
                        va="center", fontsize=NOTE, fontweight="bold")
        top = max(float(np.max(np.append(base, cur))) if len(t) else 0.0, 10.0)
        ax.set_xlim(0, min(100.0, top * 1.2 + 5))
        ax.set_ylim(-0.7, max(len(t), 1) - 0.3)
        ticks = ax.get_xticks()
        ax.set_xticks(ticks, [fmt_pct(v) for v in ticks])
        ax.set_xlim(0, min(100.0, top * 1.2 + 5))
        ax.set_xlabel(_("share of burglaries"), fontsize=LABEL)
        handles = [
            Patch(color=OKABE_ITO["grey"],
                  label=_("previous eight weeks (n = {count})").format(
                      count=fmt_int(mo.baseline_total))),
            Patch(color=OKABE_ITO["vermillion"],
                  label=_("last two weeks (n = {count})").format(
                      count=fmt_int(mo.current_total))),
        ]
        fig.legend(handles=handles, fontsize=LEGEND, frameon=False, loc="upper left",
                   bbox_to_anchor=(0.02, 1 - 0.5 / height), ncol=2)
        return fig


# --------------------------------------------------------------------------- time


def time_figure(tp: TimeProfile, language: str = "nl") -> Figure:
    """Heat map weekday × hour of the last two weeks, and below it the hour-of-day share
    of the last two weeks against the eight weeks before."""
    with use_locale(language):
        fig = _figure((8.0, 7.0))
        method = _("spread over the time window") if tp.method == "aoristic" else _(
            "at the reference time")
        _titles(fig, _("Time of day and weekday"),
                _("Last two weeks ({period}), {method}").format(
                    period=fmt_interval(*tp.current, skeleton="MMMd"), method=method))
        ax = fig.add_axes((0.1, 0.5, 0.78, 0.36))
        cax = fig.add_axes((0.9, 0.5, 0.025, 0.36))
        data = tp.recent.to_numpy(dtype=float)
        top = max(float(data.max()), 1e-9)
        # Coloured here, as 8-bit RGBA: matplotlib would normalise and resample the floats
        # first (the same pixels, measured slower).
        ax.imshow(colormaps["cividis"](data / top, bytes=True), aspect="auto",
                  interpolation="nearest", origin="upper")
        ax.set_yticks(range(7), weekday_names())
        hours = list(range(0, 24, 3))
        ax.set_xticks(hours, [str(h) for h in hours])
        # No minor ticks at the cell edges: 25 more Tick objects cost a quarter of this
        # figure's drawing time, and the cells are visible without them.
        ax.tick_params(labelsize=TICK, length=3)
        # A hand-made colour bar with two ticks: fig.colorbar() builds a full axis with
        # locators and formatters, which costs more than the heat map itself.
        cax.imshow(np.linspace(0, 1, 64)[::-1, None], aspect="auto", cmap="cividis",
                   extent=(0, 1, 0, top))
        cax.set_xticks([])
        cax.yaxis.tick_right()
        cax.set_yticks([0, top], ["0", fmt_num(top, 1 if top < 10 else 0)])
        cax.tick_params(labelsize=NOTE, length=3)
        cax.set_ylabel(_("burglaries per hour"), fontsize=NOTE)
        cax.yaxis.set_label_position("right")

        ax2 = fig.add_axes((0.1, 0.1, 0.78, 0.28))
        _style(ax2)
        hrs = np.arange(24)
        rec = tp.recent.sum(axis=0).to_numpy(dtype=float)
        bas = tp.baseline.sum(axis=0).to_numpy(dtype=float)
        rec_share = rec / rec.sum() * 100 if rec.sum() > 0 else rec
        bas_share = bas / bas.sum() * 100 if bas.sum() > 0 else bas
        ax2.fill_between(hrs, bas_share, step="mid", color=OKABE_ITO["grey"], alpha=0.55,
                         label=_("previous eight weeks (n = {count})").format(
                             count=fmt_int(tp.baseline_total)))
        ax2.step(hrs, rec_share, where="mid", color=OKABE_ITO["vermillion"], linewidth=3,
                 label=_("last two weeks (n = {count})").format(
                     count=fmt_int(tp.recent_total)))
        ax2.set_xlim(-0.5, 23.5)
        ax2.set_xticks(hours, [str(h) for h in hours])
        top = max(float(np.max(np.append(rec_share, bas_share))), 5.0)
        ax2.set_ylim(0, top * 1.15)
        ticks = ax2.get_yticks()
        ax2.set_yticks(ticks, [fmt_pct(v) for v in ticks])
        ax2.set_ylim(0, top * 1.15)
        ax2.set_xlabel(_("hour of day"), fontsize=LABEL)
        ax2.set_ylabel(_("share per hour"), fontsize=NOTE)
        ax2.legend(fontsize=NOTE, frameon=False, loc="upper left", ncol=1)
        return fig


# --------------------------------------------------------------------------- map


def _hull(points: np.ndarray) -> np.ndarray:
    """Convex hull (Andrew's monotone chain), counter-clockwise, not closed."""
    pts = np.unique(points, axis=0)
    if len(pts) < 3:
        return pts
    pts = pts[np.lexsort((pts[:, 1], pts[:, 0]))]

    def cross(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
        return float((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]))

    lower: list[np.ndarray] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[np.ndarray] = []
    for p in pts[::-1]:
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1])


def _shade_image(fc: Forecast, top_share: float, vmax: float) -> tuple[np.ndarray, tuple]:
    """RGBA image of the grid: the top ``top_share`` cells in orange, darker = more.

    As 8-bit colours, the way the canvas stores them: matplotlib then resamples the
    image as it is, where a float image is first normalised and resampled per channel
    (measured: the map's drawing 160 → 110 ms; the pixels differ by at most one level
    in 255, the rounding of the opacity)."""
    g = fc.grid
    img = np.zeros((g.ny, g.nx, 4), dtype=np.uint8)
    top = fc.top_cells(top_share)
    ix = top["ix"].to_numpy() - g.ix0
    iy = top["iy"].to_numpy() - g.iy0
    strength = np.clip(top["expected"].to_numpy() / vmax, 0.0, 1.0) if vmax > 0 else 0.0
    img[iy, ix, :3] = (0xE6, 0x9F, 0x00)
    img[iy, ix, 3] = np.round(255 * (0.3 + 0.6 * strength))
    extent = (g.ix0 * g.cell, (g.ix0 + g.nx) * g.cell, g.iy0 * g.cell, (g.iy0 + g.ny) * g.cell)
    return img, extent


def _nice_length(span: float) -> float:
    for v in (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000):
        if v >= span / 5:
            return float(v)
    return 100000.0


def map_figure(
    incidents: pd.DataFrame,
    now: Forecast,
    before: Forecast,
    hotspots_now: Sequence[Hotspot] = (),
    hotspots_before: Sequence[Hotspot] = (),
    *,
    polygons: Mapping[str, Sequence[tuple[float, float]]] | None = None,
    language: str = "nl",
    tz: str = DEFAULT_TZ,
    top_share: float = 0.05,
    layout: str = "auto",
    max_labels: int = 14,
    field_logs: pd.DataFrame | None = None,
) -> Figure:
    """The map two weeks ago next to the map now: the incidents of the 14 days before each
    date (filled = burglary, hollow = attempt), the cells the forecast made *on* that date
    ranks in the top ``top_share`` (shaded by expected count), hotspots (outlined, labelled
    with their street) and buurt outlines with names — the polygons when given, otherwise
    the convex hull of all incidents with buurt names at their incidents' median. Field
    logs with a location (``field_logs``, see :mod:`charts.fieldwork`) of the same 14 days
    are blue diamonds: where partners were on the street, next to where burglars were.

    ``layout``: ``"horizontal"`` (side by side), ``"vertical"`` (stacked) or ``"auto"``
    (stacked when the area is clearly wider than tall, so each map stays large on a
    portrait phone screen).
    """
    with use_locale(language):
        df = prepare(incidents, tz)
        geo = df[df["x"].notna()]
        logs = with_days(field_logs, tz)
        logs = logs[logs["x"].notna() & logs["y"].notna()]
        grid = now.grid
        study = grid.study_flat()
        sx, sy = grid.centres(study)
        xs = [sx - grid.cell / 2, sx + grid.cell / 2]
        ys = [sy - grid.cell / 2, sy + grid.cell / 2]
        for poly in (polygons or {}).values():
            arr = np.asarray(poly, dtype=float).reshape(-1, 2)
            xs.append(arr[:, 0])
            ys.append(arr[:, 1])
        x0, x1 = float(np.min(np.concatenate(xs))), float(np.max(np.concatenate(xs)))
        y0, y1 = float(np.min(np.concatenate(ys))), float(np.max(np.concatenate(ys)))
        pad = 0.03 * max(x1 - x0, y1 - y0)
        x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
        aspect = (x1 - x0) / max(y1 - y0, 1.0)
        vertical = layout == "vertical" or (layout == "auto" and aspect > 1.15)
        # Inches: header (title, subtitle), a title band above each panel, legend below.
        header, band, footer = 1.15, 0.4, 0.85
        if vertical:
            panel_w = 7.6
            panel_h = min(panel_w / aspect, 4.2)
            panel_w = panel_h * aspect
            size = (8.0, header + 2 * (band + panel_h) + footer)
        else:
            panel_h = 5.0
            panel_w = min(panel_h * aspect, 3.9)
            panel_h = panel_w / aspect
            size = (8.0, header + band + panel_h + footer)
        fig = _figure(size)
        fw, fh = size
        _titles(fig, _("Incidents and expected hotspots"),
                _("Shading: expected count in the next two weeks (125 m cells)"))
        if vertical:
            left = (fw - panel_w) / 2
            boxes = [(left / fw, (footer + band + panel_h + band) / fh, panel_w / fw,
                      panel_h / fh),
                     (left / fw, footer / fh, panel_w / fw, panel_h / fh)]
        else:
            gap = (fw - 2 * panel_w) / 3
            boxes = [(gap / fw, footer / fh, panel_w / fw, panel_h / fh),
                     ((2 * gap + panel_w) / fw, footer / fh, panel_w / fw, panel_h / fh)]

        vmax = max(float(now.cells["expected"].max()), float(before.cells["expected"].max()))
        # Outlines: polygons, or the hull of all incidents, drawn once per panel.
        if polygons:
            shapes = {str(name): np.asarray(p, dtype=float).reshape(-1, 2)
                      for name, p in polygons.items()}
            shapes = {name: p for name, p in shapes.items() if len(p) >= 3}
            outlines = [np.vstack([p, p[:1]]) for p in shapes.values()]
            medians: dict[str, tuple[float, float]] = {}
        else:
            hull = _hull(geo[["x", "y"]].to_numpy()) if len(geo) >= 3 else np.zeros((0, 2))
            outlines = [np.vstack([hull, hull[:1]])] if len(hull) >= 3 else []
            med = geo.dropna(subset=["buurt"]).groupby("buurt")[["x", "y"]].median()
            medians = {str(n): (float(r["x"]), float(r["y"])) for n, r in med.iterrows()}
            shapes = {}
        pen_up = np.full((1, 2), np.nan)
        outline_xy = (np.vstack([part for ring in outlines for part in (ring, pen_up)])
                      if outlines else np.zeros((0, 2)))
        # Names in order of importance: the buurten with the most incidents in the last
        # four weeks first, so those are the ones that get a place on a crowded map.
        a = day_number(now.as_of)
        # (A dict: a region has hundreds of buurten, and Series.get costs 25 µs a call.)
        recent = geo[(geo["_day"] > a - 28) & (geo["_day"] <= a)]["buurt"].value_counts(
            ).to_dict()
        ranked = sorted(shapes or medians, key=lambda n: (-int(recent.get(n, 0)), n))

        logs_drawn = False
        panels = [(before, hotspots_before, _("Two weeks ago ({date})")),
                  (now, hotspots_now, _("Now ({date})"))]
        for number, (box, (fc, spots, title)) in enumerate(zip(boxes, panels, strict=True)):
            ax = fig.add_axes(box)
            ax.set_axis_off()
            img, extent = _shade_image(fc, top_share, vmax)
            ax.imshow(img, extent=extent, origin="lower", interpolation="nearest", zorder=1)
            if outlines:
                # One line with breaks (NaN) rather than a collection of hundreds of paths:
                # the same strokes, a fraction of the objects to build.
                ax.plot(outline_xy[:, 0], outline_xy[:, 1], color="#555555", linewidth=1.2,
                        zorder=2, solid_joinstyle="round")
            a = day_number(fc.as_of)
            sel = geo[(geo["_day"] > a - 14) & (geo["_day"] <= a)]
            done = sel[~sel["attempt"]]
            tried = sel[sel["attempt"]]
            ax.scatter(done["x"], done["y"], s=42, color=OKABE_ITO["black"], zorder=5,
                       edgecolors="white", linewidths=0.6)
            ax.scatter(tried["x"], tried["y"], s=42, facecolors="white",
                       edgecolors=OKABE_ITO["black"], linewidths=1.6, zorder=5)
            on_street = fortnight(logs, fc.as_of)
            on_street = on_street[on_street["x"].between(x0, x1)
                                  & on_street["y"].between(y0, y1)]
            if len(on_street):
                logs_drawn = True
                ax.scatter(on_street["x"], on_street["y"], s=50, marker="D",
                           color=OKABE_ITO["blue"], edgecolors="white", linewidths=0.6,
                           zorder=5)
            ax.set_xlim(x0, x1)
            ax.set_ylim(y0, y1)
            ax.set_aspect("equal", adjustable="box")
            fig.text(box[0], box[1] + box[3] + 0.08 / fh, title.format(date=fmt_date(fc.as_of)),
                     fontsize=LABEL, ha="left", va="bottom")
            labeller = Labeller(ax, (x0, y0, x1, y1), (box[2] * fw * DPI, box[3] * fh * DPI))
            labeller.avoid(sel["x"], sel["y"], 8.0)  # the markers: ~6.5 pt plus their edge
            labeller.avoid(on_street["x"], on_street["y"], 8.0)
            # Scale bar, bottom left; names keep off it.
            length = _nice_length(x1 - x0)
            w, h = x1 - x0, y1 - y0
            bx, by = x0 + 0.03 * w, y0 + 0.04 * h
            labeller.reserve((bx, by - 0.01 * h, bx + length,
                              by + 0.015 * h + labeller.points(NOTE * 1.4)))
            ax.plot([bx, bx + length], [by, by], color="black", linewidth=3, zorder=8)
            ax.text(bx + length / 2, by + 0.015 * h,
                    f"{fmt_int(length)} m" if length < 1000 else f"{fmt_num(length / 1000, 0)} km",
                    ha="center", va="bottom", fontsize=NOTE, zorder=8)
            # Hotspots outlined and named by their street, above the outline or else below
            # it; then (on the current map only: the outlines make the other one readable)
            # buurt names at their middle or elsewhere inside their outline (without
            # outlines: a line or two below or above). A name that would overprint another
            # is left out.
            outlined = []
            for spot in list(spots)[:4]:
                cx = np.array([c[0] for c in spot.cells])
                cy = np.array([c[1] for c in spot.cells])
                rx, ry = cx.min() * grid.cell, cy.min() * grid.cell
                rw = (cx.max() - cx.min() + 1) * grid.cell
                rh = (cy.max() - cy.min() + 1) * grid.cell
                ax.add_patch(Rectangle((rx, ry), rw, rh, fill=False,
                                       edgecolor=OKABE_ITO["vermillion"], linewidth=2.5,
                                       zorder=6))
                labeller.reserve((rx, ry, rx + rw, ry + rh))
                outlined.append((spot, rx, ry, rh))
            for spot, rx, ry, rh in outlined:
                if spot.streets:
                    labeller.add([(rx, ry + rh + labeller.pad, "bottom"),
                                  (rx, ry - labeller.pad, "top")],
                                 str(safe_street(spot.streets[0])), fontsize=10, zorder=7,
                                 color=OKABE_ITO["vermillion"], fontweight="bold",
                                 ha="left", bbox={"facecolor": "white", "alpha": 0.75,
                                                  "edgecolor": "none", "pad": 1.0})
            named, tried_names = 0, 0
            step = labeller.points(9 * 1.4)
            for name in ranked if number == 1 else ():
                if named >= max_labels or tried_names >= 2 * max_labels:
                    break
                tried_names += 1
                # label_point only for the names tried: a region has hundreds of buurten.
                lx, ly = label_point(shapes[name]) if shapes else medians[name]
                if not (x0 <= lx <= x1 and y0 <= ly <= y1):
                    continue
                anchors = (spots_inside(shapes[name], (lx, ly)) if shapes
                           else [(lx, ly + k * step) for k in (0, -1, 1, -2, 2)])
                if labeller.add(anchors, name,
                                fontsize=9, color="#333333", ha="center", va="center",
                                zorder=4, alpha=0.9) is not None:
                    named += 1

        handles = [
            Line2D([], [], marker="o", linestyle="", markersize=8, color=OKABE_ITO["black"],
                   label=_("burglary (last two weeks)")),
            Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor="white",
                   markeredgecolor=OKABE_ITO["black"], markeredgewidth=1.6,
                   label=_("attempt (last two weeks)")),
            Patch(color=OKABE_ITO["orange"], alpha=0.75,
                  label=_("expected: top {share} of cells").format(
                      share=fmt_pct(top_share * 100))),
            Patch(fill=False, edgecolor=OKABE_ITO["vermillion"], linewidth=2.5,
                  label=_("hotspot")),
        ]
        if logs_drawn:
            handles.append(Line2D([], [], marker="D", linestyle="", markersize=7,
                                  color=OKABE_ITO["blue"], label=_("field log (last two weeks)")))
        fig.legend(handles=handles, fontsize=LEGEND, frameon=False, loc="lower center",
                   bbox_to_anchor=(0.5, 0.005), ncol=2)
        return fig
