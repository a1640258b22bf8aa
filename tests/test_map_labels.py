"""Names on maps: never two on top of each other, never cut off at the edge, the busiest
buurt first — checked on the drawn figures with the renderer's own text extents."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.text import Text

from charts.alert_map import _figure as alert_figure
from charts.labels import Labeller, label_point, spots_inside
from charts.pack import steering_pack
from charts.render import _figure, map_figure
from charts.samples import demo_inputs

AS_OF = date(2026, 11, 23)
CELL = 250.0  # m: the synthetic buurten below are squares this wide


def drawn_names(ax: Axes) -> list[Text]:
    fig = ax.figure
    assert isinstance(fig, Figure)
    fig.canvas.draw()
    return [t for t in ax.texts if t.get_visible() and t.get_text()]


def assert_apart_and_inside(ax: Axes, texts: list[Text]) -> None:
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)
    boxes = [t.get_window_extent(renderer) for t in texts]
    for text, box in zip(texts, boxes, strict=True):
        assert frame.x0 - 0.5 <= box.x0 and box.x1 <= frame.x1 + 0.5, text.get_text()
        assert frame.y0 - 0.5 <= box.y0 and box.y1 <= frame.y1 + 0.5, text.get_text()
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            overlap_x = min(a.x1, b.x1) - max(a.x0, b.x0)
            overlap_y = min(a.y1, b.y1) - max(a.y0, b.y0)
            assert overlap_x <= 0.5 or overlap_y <= 0.5, (texts[i].get_text(),
                                                          texts[j].get_text())


# ------------------------------------------------------------------ the labeller itself

def square_map() -> tuple[Figure, Axes, Labeller]:
    """An empty 600 × 600 map filling a 4-inch figure: at 150 dpi one data unit is a pixel."""
    fig = _figure((4.0, 4.0))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, 600)
    ax.set_ylim(0, 600)
    return fig, ax, Labeller(ax, (0, 0, 600, 600), (600, 600))


def test_label_point_inside_a_concave_buurt() -> None:
    ell = np.array([(0, 0), (300, 0), (300, 50), (50, 50), (50, 300), (0, 300)], dtype=float)
    x, y = label_point(ell)
    # The centroid (~(84, 84)) lies in the notch; the point found is inside the L.
    assert (x <= 50 and 0 <= y <= 300) or (y <= 50 and 0 <= x <= 300)
    spots = list(spots_inside(ell, (x, y), n=9))  # grid lines every 30 m: some in the arms
    assert spots[0] == (x, y) and len(spots) > 1
    assert all((px <= 50 or py <= 50) for px, py in spots[1:])  # every spot inside the L
    dist = [np.hypot(px - x, py - y) for px, py in spots[1:]]
    assert dist == sorted(dist)


def test_labeller_takes_the_next_free_anchor_or_leaves_the_name_out() -> None:
    _fig, ax, labeller = square_map()
    assert labeller.unit == pytest.approx(1.0)
    style = {"fontsize": 12, "ha": "center", "va": "center"}
    first = labeller.add([(300, 300)], "Eerste naam", **style)
    second = labeller.add([(300, 300), (300, 200)], "Tweede naam", **style)
    third = labeller.add([(300, 300)], "Derde naam", **style)
    assert first is not None and first.get_position() == (300, 300)
    assert second is not None and second.get_position() == (300, 200)
    assert third is None and "Derde naam" not in [t.get_text() for t in ax.texts]
    # A name at the very edge is moved inside, whole; one reserved area is avoided.
    edge = labeller.add([(598, 590)], "Aan de rand", **style)
    labeller.reserve((0, 0, 200, 100))
    blocked = labeller.add([(50, 50)], "Schaal", **style)
    too_wide = labeller.add([(300, 450)], "x" * 200, **style)
    assert edge is not None and edge.get_position()[0] < 598
    assert blocked is None and too_wide is None
    assert_apart_and_inside(ax, drawn_names(ax))


def test_names_keep_off_markers_where_they_can() -> None:
    _fig, _ax, labeller = square_map()
    labeller.avoid([300.0, 100.0], [300.0, 500.0], 8.0)
    style = {"fontsize": 12, "ha": "center", "va": "center"}
    moved = labeller.add([(300, 300), (300, 150)], "Naast de stip", **style)
    assert moved is not None and moved.get_position() == (300, 150)
    # With nowhere else to go, a name still goes over a marker rather than nowhere.
    over = labeller.add([(100, 500)], "Op de stip", **style)
    assert over is not None and over.get_position() == (100, 500)


def test_anchor_with_its_own_alignment() -> None:
    fig, ax, labeller = square_map()
    labeller.reserve((250, 250, 350, 350))  # a hotspot's outline
    above = labeller.add([(250, 350 + labeller.pad, "bottom")], "Boven", fontsize=10,
                         ha="left")
    below = labeller.add([(250, 350 + labeller.pad, "bottom"), (250, 250 - labeller.pad, "top")],
                         "Onder", fontsize=10, ha="left")
    assert above is not None and above.get_verticalalignment() == "bottom"
    assert below is not None and below.get_verticalalignment() == "top"
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    fig.canvas.draw()
    assert above.get_window_extent(renderer).y0 >= 350 - 0.5   # clear of the outline
    assert below.get_window_extent(renderer).y1 <= 250 + 0.5


# ------------------------------------------------------------------ the steering map

@pytest.fixture(scope="module")
def crowded() -> tuple[Figure, dict[str, int]]:
    """The demo incidents over a grid of small square buurten with long names: far more
    names than fit, as on a map of a whole municipality."""
    frame, _homes, _polygons = demo_inputs(AS_OF)
    frame = frame[frame["x"].notna()].copy()
    x0, y0 = float(frame["x"].min()), float(frame["y"].min())
    col = ((frame["x"] - x0) // CELL).astype(int)
    row = ((frame["y"] - y0) // CELL).astype(int)
    frame["buurt"] = [f"Buurt {r:02d}-{c:02d} met een lange naam" for r, c in zip(row, col,
                                                                                   strict=True)]
    polygons = {
        f"Buurt {r:02d}-{c:02d} met een lange naam": [
            (x0 + c * CELL, y0 + r * CELL), (x0 + (c + 1) * CELL, y0 + r * CELL),
            (x0 + (c + 1) * CELL, y0 + (r + 1) * CELL), (x0 + c * CELL, y0 + (r + 1) * CELL)]
        for r in range(int(row.max()) + 1) for c in range(int(col.max()) + 1)
    }
    pack = steering_pack(frame, AS_OF, language="nl", polygons=polygons, render_figures=False)
    # Without hotspots, so only the names compete for room (the demo test has both).
    fig = map_figure(frame, pack.forecast, pack.forecast_before, polygons=polygons,
                     language="nl", max_labels=40)
    recent = frame[(frame["occurred_from"].dt.date > date(2026, 10, 26))
                   & (frame["occurred_from"].dt.date <= AS_OF)]["buurt"].value_counts()
    return fig, {str(k): int(v) for k, v in recent.items()}


def test_steering_map_names_never_overlap(crowded: tuple[Figure, dict[str, int]]) -> None:
    fig, recent = crowded
    for ax in fig.axes:
        texts = drawn_names(ax)
        assert_apart_and_inside(ax, texts)
    now = fig.axes[1]
    names = [t.get_text() for t in drawn_names(now) if "lange naam" in t.get_text()]
    # Some names placed, not all 40 asked for: the rest would have overprinted them.
    assert 3 <= len(names) < 40
    # Names are tried busiest first (ties alphabetically): the first always finds room.
    busiest = min(recent, key=lambda n: (-recent[n], n))
    assert busiest in names


def test_demo_map_names_every_buurt_it_can() -> None:
    frame, homes, polygons = demo_inputs(AS_OF)
    pack = steering_pack(frame, AS_OF, language="nl", homes=homes, polygons=polygons,
                         render_figures=False)
    fig = map_figure(frame, pack.forecast, pack.forecast_before, pack.hotspots.now,
                     pack.hotspots.before, polygons=polygons, language="nl")
    for ax in fig.axes:
        assert_apart_and_inside(ax, drawn_names(ax))
    now = fig.axes[1]
    names = {t.get_text() for t in drawn_names(now)}
    # The incident markers of the last two weeks, in pixels: with room enough on this map,
    # no name covers one.
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    marks = np.vstack([c.get_offset_transform().transform(c.get_offsets())
                       for c in now.collections if isinstance(c, PathCollection)])
    assert len(marks) >= 5
    for text in drawn_names(now):
        box = text.get_window_extent(renderer)
        assert not any(box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1 for x, y in marks), (
            text.get_text())
    # Nine roomy buurten: every one is named, the hotspots too.
    assert set(polygons) <= names
    for spot in pack.hotspots.now[:4]:
        if spot.streets:
            assert spot.streets[0] in names


# ------------------------------------------------------------------ the alert map

def test_alert_map_names_never_overlap() -> None:
    # A row of narrow buurten (120 m wide) with names far wider than that.
    outlines = {f"Buurt nummer {i} aan de rivier": [(135000.0 + 120 * i, 455000.0),
                                                     (135120.0 + 120 * i, 455000.0),
                                                     (135120.0 + 120 * i, 455400.0),
                                                     (135000.0 + 120 * i, 455400.0)]
                for i in range(10)}
    fig = alert_figure(centre=(135600.0, 455200.0), radius_m=250, outlines=outlines,
                       highlight=["Buurt nummer 5 aan de rivier"])
    assert fig is not None
    ax = fig.axes[0]
    texts = drawn_names(ax)
    assert_apart_and_inside(ax, texts)
    names = [t.get_text() for t in texts if "rivier" in t.get_text()]
    assert "Buurt nummer 5 aan de rivier" in names  # the alert's own buurt comes first
    assert len(names) >= 2
