"""Names on a map: where to put them, and never two on top of each other.

Both maps (the steering map in :mod:`charts.render`, the alert map in
:mod:`charts.alert_map`) write buurt and street names into data coordinates. Placed blindly,
names of neighbouring buurten overprint each other as soon as a map covers a whole
municipality, and a name near the edge is cut in half. :class:`Labeller` places them
greedily, most important first: each name is measured once with the figure's own renderer
(matplotlib caches the measurement, so drawing the name does not measure it again), tried
at a few candidate anchors, pushed inside the view, and dropped when every candidate would
overlap a name or an area already taken. Incident markers are avoided where possible: a name
goes over one only when no candidate is free of them.

:func:`label_point` finds a point inside a polygon for its name, :func:`spots_inside` the
other places inside it to try when that one is taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.path import Path
from matplotlib.text import Text

from charts.text import drawable
from charts.zones import inside_polygon

__all__ = ["Anchor", "Box", "Labeller", "label_point", "spots_inside"]

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in data units
VAlign = Literal["bottom", "baseline", "center", "center_baseline", "top"]
Anchor = tuple[float, float] | tuple[float, float, VAlign]


def label_point(poly: np.ndarray) -> tuple[float, float]:
    """A point inside the polygon for its name.

    The area centroid is the natural place, but it falls outside a concave buurt (an L or a
    crescent along a river); then the middle of the widest stretch of a horizontal line
    through the centroid is inside by construction.
    """
    x, y = poly[:, 0], poly[:, 1]
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    cross = x * yn - xn * y
    area = cross.sum() / 2
    if abs(area) > 1e-9:
        cx = float(((x + xn) * cross).sum() / (6 * area))
        cy = float(((y + yn) * cross).sum() / (6 * area))
    else:  # degenerate (all points on a line): the mean of the vertices will do
        cx, cy = float(x.mean()), float(y.mean())
    if inside_polygon(cx, cy, poly):
        return cx, cy
    # Crossings of the scan line with the edges; in pairs they bound the inside stretches.
    crossings = sorted(
        float(ax + (cy - ay) * (bx - ax) / (by - ay))
        for (ax, ay), (bx, by) in zip(poly, np.roll(poly, -1, axis=0), strict=True)
        if (ay > cy) != (by > cy)
    )
    stretches = list(zip(crossings[::2], crossings[1::2], strict=False))
    if not stretches:
        return float(x.mean()), float(y.mean())
    a, b = max(stretches, key=lambda s: s[1] - s[0])
    return (a + b) / 2, cy


def spots_inside(poly: np.ndarray, first: tuple[float, float], n: int = 4,
                 ) -> Iterator[tuple[float, float]]:
    """Where to try a polygon's name: ``first`` (its :func:`label_point`), then the points of
    an ``n`` × ``n`` grid over the polygon's bounding box that lie inside it, nearest first;
    so a name crowded out of the middle of its buurt can still land inside it. Lazy: the
    grid is only worked out when ``first`` is taken."""
    yield first
    xs = np.linspace(poly[:, 0].min(), poly[:, 0].max(), n + 2)[1:-1]
    ys = np.linspace(poly[:, 1].min(), poly[:, 1].max(), n + 2)[1:-1]
    grid = np.array([(x, y) for y in ys for x in xs])
    # All grid points at once with matplotlib's compiled test (a region's map tries this
    # for dozens of names).
    grid = grid[Path(poly).contains_points(grid)]
    order = np.argsort((grid[:, 0] - first[0]) ** 2 + (grid[:, 1] - first[1]) ** 2,
                       kind="stable")
    for x, y in grid[order]:
        yield float(x), float(y)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class Labeller:
    """Greedy, overlap-free placement of texts on one map axes.

    ``view`` is the axes' final data extent (x0, y0, x1, y1) and ``size_px`` the axes' size
    in pixels; with equal scales in x and y one pixel is ``max(dx / w, dy / h)`` data units
    (the larger one: an axes shrunk to the data's aspect only ever gets that scale).
    """

    def __init__(self, ax: Axes, view: Box, size_px: tuple[float, float], *,
                 pad_px: float = 5.0) -> None:
        self.ax = ax
        self.view = view
        x0, y0, x1, y1 = view
        self.unit = max((x1 - x0) / max(size_px[0], 1.0), (y1 - y0) / max(size_px[1], 1.0))
        self.pad = pad_px * self.unit
        self.taken: list[Box] = []
        # Points drawn on the map (incident markers): a name avoids them where it can.
        self._marks = np.empty((0, 2))
        self._mark_half = 0.0
        canvas = ax.figure.canvas
        self._renderer = canvas.get_renderer()  # type: ignore[attr-defined]

    def points(self, pt: float) -> float:
        """A length in typographic points (1/72 inch) in data units."""
        return pt / 72.0 * float(self.ax.figure.dpi) * self.unit

    def reserve(self, box: Box) -> None:
        """Keep names off an area (a scale bar, a legend corner)."""
        self.taken.append(box)

    def avoid(self, xs: Iterable[float], ys: Iterable[float], size_pt: float) -> None:
        """Markers of ``size_pt`` points across at these places: a name covers one only
        when it fits nowhere else (a marker hidden under a name is a lost incident)."""
        points = np.column_stack([np.fromiter(xs, dtype=float), np.fromiter(ys, dtype=float)])
        self._marks = np.vstack([self._marks, points])
        self._mark_half = max(self._mark_half, self.points(size_pt) / 2)

    def _covers_mark(self, box: Box) -> bool:
        if not len(self._marks):
            return False
        h = self._mark_half
        x, y = self._marks[:, 0], self._marks[:, 1]
        return bool(np.any((x + h > box[0]) & (x - h < box[2])
                           & (y + h > box[1]) & (y - h < box[3])))

    def _box(self, size: tuple[float, float], ha: str, x: float, y: float, va: str) -> Box:
        w, h = size
        left = (x - w / 2 if ha == "center"
                else x - w + self.pad if ha == "right" else x - self.pad)
        bottom = (y - h / 2 if va in ("center", "center_baseline")
                  else y - h + self.pad if va == "top" else y - self.pad)
        return left, bottom, left + w, bottom + h

    def add(self, anchors: Iterable[Anchor], label: str, **style: Any) -> Text | None:
        """Write ``label`` at the first of ``anchors`` where it fits (moved inside the view
        if it sticks out), or nowhere: returns the Text, or None when every anchor clashes
        or the name is wider than the view. An anchor is ``(x, y)`` or ``(x, y, va)`` with
        its own vertical alignment ("bottom" above an object, "top" below it)."""
        text = self.ax.text(0.0, 0.0, drawable(label), **style)
        default_va: VAlign = style.get("va", style.get("verticalalignment", "baseline"))
        # Measured once (the size does not depend on where the name goes).
        extent = text.get_window_extent(self._renderer)
        size = (extent.width * self.unit + 2 * self.pad, extent.height * self.unit + 2 * self.pad)
        ha = text.get_horizontalalignment()
        vx0, vy0, vx1, vy1 = self.view
        if size[0] <= vx1 - vx0 and size[1] <= vy1 - vy0:
            seen: list[tuple[float, float, VAlign]] = []
            # First pass: clear of names, reserved areas and markers; then, for the places
            # already tried, clear of names and reserved areas only.
            for anchor in anchors:
                va: VAlign = anchor[2] if len(anchor) == 3 else default_va
                seen.append((anchor[0], anchor[1], va))
                if self._try(text, size, ha, seen[-1], avoid_marks=True):
                    return text
            for place in seen:
                if self._try(text, size, ha, place, avoid_marks=False):
                    return text
        text.remove()
        return None

    def _try(self, text: Text, size: tuple[float, float], ha: str,
             place: tuple[float, float, VAlign], *, avoid_marks: bool) -> bool:
        x, y, va = place
        vx0, vy0, vx1, vy1 = self.view
        bx0, by0, bx1, by1 = self._box(size, ha, x, y, va)
        # Inside the view: shift by what sticks out (a name at the edge stays whole).
        dx = max(vx0 - bx0, 0.0) - max(bx1 - vx1, 0.0)
        dy = max(vy0 - by0, 0.0) - max(by1 - vy1, 0.0)
        box = (bx0 + dx, by0 + dy, bx1 + dx, by1 + dy)
        if any(_overlap(box, other) for other in self.taken):
            return False
        if avoid_marks and self._covers_mark(box):
            return False
        text.set_position((x + dx, y + dy))
        text.set_verticalalignment(va)
        self.taken.append(box)
        return True
