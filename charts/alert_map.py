"""A small map for a burglary alert to a buurtpreventie group: outlines in, PNG bytes out.

The map shows where to be watchful, nothing more: the buurt outlines with their names, the
buurten the alert concerns lightly filled, and the zone of raised risk as a translucent disc
(its centre already snapped to a 250 m grid by :mod:`charts.zones`), plus a scale bar and a
one-line legend. It answers "is this my street?" at a glance on a phone, about 800 × 800 px.

Privacy rule: the image must not let anyone locate an incident. So this module never
receives incidents, draws no points, and shows no coordinates in any form — the axes are
turned off *and* their ticks removed, so no tick label exists even as a hidden text object.
The only digits in the image are those of the scale-bar label ("200 m"), and buurt names
as given. Tests walk every text of the figure to keep it that way.

Conventions as in :mod:`charts.render`: matplotlib's object-oriented API on an Agg canvas
(never ``pyplot`` or ``rcParams``, so alerts can be drawn in worker threads), the
Okabe–Ito palette, fonts large enough for a phone, labels via :mod:`charts.text` with
English msgids in Dutch or English (``language``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Patch, Rectangle

from bot.i18n import use_locale
from charts.labels import Labeller, label_point, spots_inside
from charts.render import DPI, OKABE_ITO, to_png
from charts.text import _, fmt_int

__all__ = ["alert_map"]

PIXELS = 800
SIDE = PIXELS / DPI  # inches: 800 px at the charts' 150 dpi
# Margins in inches: a band below the map for the legend, a little air elsewhere.
MARGIN, LEGEND_BAND = 0.08, 0.5
NAME, LEGEND, SCALE = 11, 12, 11
# Half the view's width in radii: the disc fills two thirds of the view (3 radii across),
# leaving enough of the surrounding streets to recognise the place.
VIEW_RADII = 1.5
# Highlighted buurten may widen the view, but only up to this many radii from the centre:
# a large rural buurt must not shrink the disc to a dot.
MAX_VIEW_RADII = 3.0
# Smallest half-width of any view (m), so a tiny radius or a sliver of a buurt still
# shows some surroundings and the scale bar has room.
MIN_HALF = 150.0
# 1-2-5 steps only, so every label is a whole number of metres or kilometres.
_SCALE_STEPS = (50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000)

_HALO = [patheffects.withStroke(linewidth=3, foreground="white")]


def _polygon(points: Sequence[tuple[float, float]]) -> np.ndarray:
    return np.asarray(points, dtype=float).reshape(-1, 2)


def _bounds(polys: Sequence[np.ndarray]) -> tuple[float, float, float, float]:
    stacked = np.vstack(polys)
    return (float(stacked[:, 0].min()), float(stacked[:, 1].min()),
            float(stacked[:, 0].max()), float(stacked[:, 1].max()))


def _view(centre: tuple[float, float] | None, radius: float,
          near: Sequence[np.ndarray], fallback: Sequence[np.ndarray],
          ) -> tuple[float, float, float, float] | None:
    """The view (x0, y0, x1, y1) before fitting it to the axes' shape, or None."""
    if centre is not None:
        cx, cy = centre
        half = max(VIEW_RADII * radius, MIN_HALF)
        x0, y0, x1, y1 = cx - half, cy - half, cx + half, cy + half
        # Highlighted buurten that reach into the view are shown whole, within limits.
        touching = [p for p in near
                    if p[:, 0].max() >= x0 and p[:, 0].min() <= x1
                    and p[:, 1].max() >= y0 and p[:, 1].min() <= y1]
        if touching:
            limit = max(MAX_VIEW_RADII * radius, half)
            bx0, by0, bx1, by1 = _bounds(touching)
            x0, y0 = max(min(x0, bx0), cx - limit), max(min(y0, by0), cy - limit)
            x1, y1 = min(max(x1, bx1), cx + limit), min(max(y1, by1), cy + limit)
        return x0, y0, x1, y1
    polys = near or fallback
    if not polys:
        return None
    x0, y0, x1, y1 = _bounds(polys)
    pad = max(0.06 * max(x1 - x0, y1 - y0), 20.0)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    # Grow a very small view around its middle, as for a centre.
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = max((x1 - x0) / 2, MIN_HALF), max((y1 - y0) / 2, MIN_HALF)
    return mx - hx, my - hy, mx + hx, my + hy


def _fit(view: tuple[float, float, float, float], aspect: float,
         ) -> tuple[float, float, float, float]:
    """Widen the view's short side so it has the axes' aspect (width / height): with equal
    scales in x and y the map then fills the axes exactly, and the scale bar placed in data
    units lands where intended."""
    x0, y0, x1, y1 = view
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        grow = (h * aspect - w) / 2
        return x0 - grow, y0, x1 + grow, y1
    grow = (w / aspect - h) / 2
    return x0, y0 - grow, x1, y1 + grow


def _scale_length(span: float) -> int:
    """The longest round length up to a third of the view's width: long enough to judge
    distances by, short enough to leave the corner to the map."""
    fitting = [step for step in _SCALE_STEPS if step <= span / 3]
    return fitting[-1] if fitting else _SCALE_STEPS[0]


def _scale_label(length: int) -> str:
    return f"{fmt_int(length)} m" if length < 1000 else f"{fmt_int(length // 1000)} km"


def _figure(*, centre: tuple[float, float] | None, radius_m: float,
            outlines: Mapping[str, Sequence[tuple[float, float]]],
            highlight: Collection[str] = (), language: str = "nl") -> Figure | None:
    """The alert map as a Figure (tests read its texts), or None when there is nothing to
    frame. See :func:`alert_map`."""
    radius = float(radius_m) if math.isfinite(radius_m) and radius_m > 0 else 0.0
    polys = {str(name): _polygon(points) for name, points in outlines.items()}
    polys = {name: p for name, p in polys.items() if len(p) >= 3}
    marked = set(highlight)
    lit = [p for name, p in polys.items() if name in marked]
    view = _view(centre, radius, lit, list(polys.values()))
    if view is None:
        return None

    with use_locale(language):
        fig = Figure(figsize=(SIDE, SIDE), dpi=DPI, facecolor="white")
        FigureCanvasAgg(fig)
        box_w, box_h = SIDE - 2 * MARGIN, SIDE - MARGIN - LEGEND_BAND
        ax = fig.add_axes((MARGIN / SIDE, LEGEND_BAND / SIDE, box_w / SIDE, box_h / SIDE))
        # No coordinates, ever: axis off hides them, and without ticks there is not even a
        # hidden tick label that a later change (or a debugger's set_axis_on) could reveal.
        ax.set_axis_off()
        ax.set_xticks([])
        ax.set_yticks([])
        x0, y0, x1, y1 = _fit(view, box_w / box_h)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        # A thin frame, since the axes' own is off: the map reads as a map, not a doodle.
        ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False,
                               edgecolor="#BBBBBB", linewidth=1.0, zorder=10))

        # Filled buurten under all outlines, so a neighbour's edge is never hidden.
        if lit:
            ax.add_collection(PolyCollection(lit, facecolors=OKABE_ITO["sky"], alpha=0.25,
                                             edgecolors="none", zorder=1))
        if polys:
            ax.add_collection(PolyCollection(list(polys.values()), facecolors="none",
                                             edgecolors="#555555", linewidths=1.2, zorder=2))
        if lit:
            ax.add_collection(PolyCollection(lit, facecolors="none",
                                             edgecolors=OKABE_ITO["blue"], linewidths=2.0,
                                             zorder=3))

        handles: list[Patch] = []
        if centre is not None and radius > 0:
            # Fill and edge separately: a translucent fill keeps the streets beneath
            # readable, an opaque dashed edge keeps the border visible without colour.
            ax.add_patch(Circle(centre, radius, facecolor=OKABE_ITO["vermillion"], alpha=0.22,
                                edgecolor="none", zorder=4))
            ax.add_patch(Circle(centre, radius, fill=False, edgecolor=OKABE_ITO["vermillion"],
                                linewidth=2.2, linestyle="--", zorder=5))
            handles.append(Patch(facecolor=to_rgba(OKABE_ITO["vermillion"], 0.22),
                                 edgecolor=OKABE_ITO["vermillion"], linewidth=2.2,
                                 linestyle="--", label=_("Area of increased risk")))
        elif lit:
            # Without a centre (incidents known only by street) the lit buurten are the area.
            handles.append(Patch(facecolor=to_rgba(OKABE_ITO["sky"], 0.25),
                                 edgecolor=OKABE_ITO["blue"], linewidth=2.0,
                                 label=_("Area of increased risk")))

        # Scale bar, bottom left, on a white card so outlines and the disc under it do not
        # run through the bar or its label; names keep off the card.
        length = _scale_length(x1 - x0)
        w, h = x1 - x0, y1 - y0
        bx, by = x0 + 0.05 * w, y0 + 0.05 * h
        card = (bx - 0.02 * w, by - 0.025 * h, bx + length + 0.02 * w, by + 0.075 * h)
        ax.add_patch(Rectangle(card[:2], card[2] - card[0], card[3] - card[1],
                               facecolor="white", alpha=0.85, edgecolor="none", zorder=7))
        ax.plot([bx, bx + length], [by, by], color="black", linewidth=3,
                solid_capstyle="butt", zorder=8)
        ax.text(bx + length / 2, by + 0.015 * h, _scale_label(length), ha="center",
                va="bottom", fontsize=SCALE, zorder=8)

        # Names only where their buurt's label point lies inside the view (clipped
        # half-names help nobody), the alert's own buurten first, never two on top of each
        # other: a name that fits nowhere inside its buurt is left out.
        labeller = Labeller(ax, (x0, y0, x1, y1), (box_w * DPI, box_h * DPI))
        labeller.reserve(card)
        mx, my = 0.04 * (x1 - x0), 0.03 * (y1 - y0)
        for name, poly in sorted(polys.items(), key=lambda item: item[0] not in marked):
            lx, ly = label_point(poly)
            if x0 + mx <= lx <= x1 - mx and y0 + my <= ly <= y1 - my:
                labeller.add(spots_inside(poly, (lx, ly)), name, fontsize=NAME, ha="center",
                             va="center", zorder=6, color="#222222",
                             fontweight="bold" if name in marked else "normal",
                             path_effects=_HALO, clip_on=True)

        if handles:
            fig.legend(handles=handles, fontsize=LEGEND, frameon=False, loc="lower center",
                       bbox_to_anchor=(0.5, 0.02), ncol=1, handlelength=1.6)
        return fig


def alert_map(*, centre: tuple[float, float] | None, radius_m: float,
              outlines: Mapping[str, Sequence[tuple[float, float]]],
              highlight: Collection[str] = (), language: str = "nl") -> bytes | None:
    """An ~800 × 800 px PNG of the alert's area, or None when there is nothing to show.

    ``centre`` (planar metres, RD New, snapped to the 250 m grid by the caller) and
    ``radius_m`` give the disc of raised risk; ``outlines`` maps buurt names to their
    polygons in the same metres; the buurten named in ``highlight`` are lightly filled.
    The view is about three radii across around the centre, widened to show highlighted
    buurten that reach into it (up to ``MAX_VIEW_RADII`` radii from the centre); without a
    centre it frames the highlighted buurten, or all outlines when none is highlighted.
    None when there is neither a centre nor any outline.
    """
    fig = _figure(centre=centre, radius_m=radius_m, outlines=outlines, highlight=highlight,
                  language=language)
    return None if fig is None else to_png(fig)
