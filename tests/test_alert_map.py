"""The alert map: a valid ~800 px PNG in every framing, None with nothing to frame, and —
the privacy rule — no text but buurt names, the legend and the scale-bar label."""

from __future__ import annotations

import io
import re

import matplotlib.text
import pytest
from matplotlib.figure import Figure
from PIL import Image

from bot.i18n import use_locale
from charts.alert_map import _figure, alert_map
from charts.render import to_png
from charts.text import _
from tests.layout import check_layout

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCALE_LABEL = re.compile(r"^\d+ (m|km)$")

# Two buurten side by side in RD New metres (Utrecht-ish), the second one concave (an L),
# and one far away that must not be framed with a centre near the first two.
OUTLINES: dict[str, list[tuple[float, float]]] = {
    "Lombok": [(135000.0, 455000.0), (135600.0, 455000.0), (135600.0, 455500.0),
               (135000.0, 455500.0)],
    "Oog in Al": [(135600.0, 455000.0), (136400.0, 455000.0), (136400.0, 455200.0),
                  (135800.0, 455200.0), (135800.0, 455700.0), (135600.0, 455700.0)],
    "Overvecht-Noord": [(138000.0, 460000.0), (139000.0, 460000.0), (139000.0, 461000.0),
                        (138000.0, 461000.0)],
}
CENTRE = (135500.0, 455250.0)  # on the 250 m grid


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as img:
        img.load()  # decodes the whole image: a truncated PNG fails here
        return img.size


def assert_map_png(png: bytes | None) -> None:
    assert png is not None
    assert png.startswith(PNG_SIGNATURE)
    width, height = png_size(png)
    assert 760 <= width <= 840 and 760 <= height <= 840


def test_png_with_centre_and_outlines() -> None:
    png = alert_map(centre=CENTRE, radius_m=200, outlines=OUTLINES,
                    highlight=["Lombok", "Oog in Al"])
    assert_map_png(png)


def test_none_without_centre_or_outlines() -> None:
    assert alert_map(centre=None, radius_m=200, outlines={}) is None
    # A "polygon" of fewer than three points is no outline either.
    assert alert_map(centre=None, radius_m=200, outlines={"x": [(0.0, 0.0)]}) is None


def test_only_a_centre() -> None:
    assert_map_png(alert_map(centre=CENTRE, radius_m=200, outlines={}))


def test_outlines_without_centre() -> None:
    assert_map_png(alert_map(centre=None, radius_m=200, outlines=OUTLINES,
                             highlight=["Oog in Al"]))
    # Nothing highlighted: all outlines are framed.
    assert_map_png(alert_map(centre=None, radius_m=200, outlines=OUTLINES))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_languages(language: str) -> None:
    png = alert_map(centre=CENTRE, radius_m=250, outlines=OUTLINES, highlight=["Lombok"],
                    language=language)
    assert_map_png(png)
    fig = _figure(centre=CENTRE, radius_m=250, outlines=OUTLINES, highlight=["Lombok"],
                  language=language)
    assert fig is not None
    with use_locale(language):
        legend = _("Area of increased risk")
    assert legend in texts(fig)
    assert check_layout([("alert.png", fig, "")]) >= 3  # legend, scale, names: all inside


def texts(fig: Figure) -> list[str]:
    to_png(fig)  # draw first: tick labels, if any existed, get their text on drawing
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)
            if isinstance(t, matplotlib.text.Text) and t.get_text().strip()]


@pytest.mark.parametrize(
    ("centre", "highlight"),
    [(CENTRE, ["Lombok", "Oog in Al"]), (CENTRE, []), (None, ["Oog in Al"]), (None, [])],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_coordinates_or_other_numbers(centre: tuple[float, float] | None,
                                         highlight: list[str], language: str) -> None:
    fig = _figure(centre=centre, radius_m=200, outlines=OUTLINES, highlight=highlight,
                  language=language)
    assert fig is not None
    with use_locale(language):
        legend = _("Area of increased risk")
    found = texts(fig)
    scale = [t for t in found if SCALE_LABEL.match(t)]
    assert len(scale) == 1, found
    for text in found:
        assert text in OUTLINES or text == legend or SCALE_LABEL.match(text), text
    # And none of the axes shows anything: no ticks at all.
    for ax in fig.axes:
        assert not ax.axison
        assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []


def test_names_inside_the_view_only() -> None:
    fig = _figure(centre=CENTRE, radius_m=200, outlines=OUTLINES, highlight=["Lombok"])
    assert fig is not None
    found = texts(fig)
    assert "Lombok" in found
    assert "Overvecht-Noord" not in found  # 5 km away: outside the view
