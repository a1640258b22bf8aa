"""Layout checks on charts as drawn: nothing cut off at the edge, nothing covered."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox


def _overlap(a: Bbox, b: Bbox) -> bool:
    """Two display boxes overlap by more than a pixel."""
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 1 and min(a.y1, b.y1) - max(a.y0, b.y0) > 1


def check_layout(figs: list[tuple[str, Figure, str]]) -> int:
    """As drawn: every text inside the image; the titles and the figure legends clear of
    each other and of every plotting area. Returns the number of texts checked."""
    checked = 0
    for name, fig, _caption in figs:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        page = fig.bbox
        for text in fig.findobj(Text):
            if not text.get_visible() or not text.get_text().strip():
                continue
            box = text.get_window_extent(renderer)
            assert (box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1 and
                    box.y0 >= page.y0 - 1 and box.y1 <= page.y1 + 1), (name, text.get_text())
            checked += 1
        titles = [t.get_window_extent(renderer) for t in fig.texts if t.get_text()]
        legends = [leg.get_window_extent(renderer) for leg in fig.legends]
        areas = [ax.bbox for ax in fig.axes if ax.axison]
        header = titles + legends
        for i, box in enumerate(header):
            for other in header[i + 1:] + areas:
                assert not _overlap(box, other), (name, box, other)
    return checked
