"""Charts and the steering pack: valid PNGs, the requested language, no house numbers,
the pack on the demo and on the Vancouver export, key points in Dutch and English."""

from __future__ import annotations

import io
import json
import re
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from charts import render
from charts.analytics import mo_shift, time_profile, trend
from charts.data import prepare
from charts.pack import SteeringPack, key_points_text, pack_figures, steering_pack
from charts.render import figure_texts, to_png
from charts.samples import VANCOUVER_CSV, VANCOUVER_TZ, demo_inputs, vancouver_frame
from tests.layout import check_layout

AS_OF = date(2026, 11, 23)
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Distinctive fake house numbers: any of these in a chart text would be a leak.
SECRET_NUMBERS = ("4711", "8123", "9377")


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as img:
        img.load()  # decodes the whole image: a truncated PNG fails here
        return img.size


@pytest.fixture(scope="module")
def demo():  # type: ignore[no-untyped-def]
    frame, homes, polygons = demo_inputs(AS_OF)
    # House numbers in their own column and, as messy exports do, in the street field.
    frame["house_number"] = [SECRET_NUMBERS[i % 3] for i in range(len(frame))]
    last = frame.index[-6:]
    frame.loc[last, "street"] = frame.loc[last, "street"] + " " + SECRET_NUMBERS[0] + "b"
    return frame, homes, polygons


@pytest.fixture(scope="module")
def packs(demo) -> dict[str, SteeringPack]:  # type: ignore[no-untyped-def]
    frame, homes, polygons = demo
    # The numbers do not depend on the language: compute once, draw in both.
    nl = steering_pack(frame, AS_OF, language="nl", homes=homes, polygons=polygons,
                       render_figures=False)
    return {"nl": nl, "en": replace(nl, language="en")}


@pytest.fixture(scope="module")
def figures(demo, packs) -> dict[str, list[tuple[str, Figure, str]]]:  # type: ignore[no-untyped-def]
    frame, _homes, polygons = demo
    return {lang: pack_figures(p, incidents=prepare(frame), polygons=polygons)
            for lang, p in packs.items()}


def plain(text: str) -> str:
    """Without thin spaces: newer CLDR data (Babel 2.19) put them around the dash of an
    English range within a month ("10\u2009–\u200923 Nov"), older data did not."""
    return text.replace("\u2009", "")


def all_texts(figs: list[tuple[str, Figure, str]]) -> str:
    return plain("\n".join(t for _n, fig, cap in figs for t in [*figure_texts(fig), cap]))


def test_pack_has_six_valid_pngs(figures) -> None:  # type: ignore[no-untyped-def]
    names = [n for n, _f, _c in figures["nl"]]
    assert names == ["trend.png", "neighbourhoods.png", "streets.png", "modus_operandi.png",
                     "time.png", "map.png"]
    for _name, fig, caption in figures["nl"]:
        width, height = png_size(to_png(fig))
        assert 1000 <= width <= 1300 and 600 <= height <= 2000  # phone-sized
        assert caption


def test_png_is_matplotlibs_image(figures) -> None:  # type: ignore[no-untyped-def]
    """to_png encodes faster than savefig (one row filter): the very same pixels."""
    for _name, fig, _caption in figures["en"][-2:]:  # the heat map and the map
        ours = Image.open(io.BytesIO(to_png(fig)))
        assert ours.mode == "RGBA"
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=render.DPI, facecolor="white")
        theirs = Image.open(buf)
        assert np.array_equal(np.asarray(ours), np.asarray(theirs))
        assert (np.asarray(ours)[:, :, 3] == 255).all()  # opaque


def test_png_encoder_is_lossless_on_any_pixels() -> None:
    """The row filter wraps modulo 256 (noise, edges, one-pixel images): Pillow reads back
    exactly the pixels that went in."""
    rng = np.random.default_rng(7)
    for shape in ((37, 53, 4), (1, 1, 4), (2, 300, 4)):
        rgba = rng.integers(0, 256, shape, dtype=np.uint8)
        decoded = Image.open(io.BytesIO(render.png_rgba(rgba)))
        assert decoded.mode == "RGBA" and decoded.size == (shape[1], shape[0])
        assert np.array_equal(np.asarray(decoded), rgba)


def test_labels_in_the_requested_language(figures) -> None:  # type: ignore[no-untyped-def]
    nl, en = all_texts(figures["nl"]), all_texts(figures["en"])
    for text in ("Inbraken per maand", "Inbraken per buurt", "Inbraken per straat",
                 "Werkwijze (modus operandi)", "Tijdstip en weekdag", "Twee weken geleden",
                 "12-maandsgemiddelde", "cilinder trekken", "10–23 nov", "jan 2025"):
        assert text in nl, text
    for text in ("Burglaries per month", "Burglaries per neighbourhood", "Burglaries per street",
                 "Modus operandi", "Time of day and weekday", "Two weeks ago",
                 "12-month average", "lock pulling", "10–23 Nov", "Jan 2025"):
        assert text in en, text
    assert "Burglaries per month" not in nl and "Inbraken per maand" not in en
    assert "dezelfde twee weken vorig jaar (11–24 nov 2025)" in nl
    # Weekday names on the heat map (Babel, Monday first).
    time_nl = dict((n, f) for n, f, _c in figures["nl"])["time.png"]
    time_en = dict((n, f) for n, f, _c in figures["en"])["time.png"]
    assert [t for t in figure_texts(time_nl) if t in ("ma", "di", "zo")] == ["ma", "di", "zo"]
    assert [t for t in figure_texts(time_en) if t in ("Mon", "Tue", "Sun")] == [
        "Mon", "Tue", "Sun"]
    # Babel number formats: Dutch decimal comma, English decimal point.
    assert re.search(r"\d,\d per 1\.000 woningen", nl)
    assert re.search(r"\d\.\d per 1,000 homes", en)


def test_no_house_numbers_anywhere(packs, figures) -> None:  # type: ignore[no-untyped-def]
    for lang in ("nl", "en"):
        text = all_texts(figures[lang]) + "\n".join(key_points_text(packs[lang]))
        text += packs[lang].to_json()
        for secret in SECRET_NUMBERS:
            assert secret not in text, (lang, secret)


def test_key_points(packs: dict[str, SteeringPack]) -> None:
    kinds = [p.kind for p in packs["nl"].key_points]
    assert kinds[0] == "total" and "forecast" in kinds and "incidence" in kinds
    nl, en = key_points_text(packs["nl"]), key_points_text(packs["nl"], "en")
    assert len(nl) == len(en) == len(kinds)
    assert nl[0].startswith("10–23 nov: 6 inbraken (")
    assert plain(en[0]).startswith("10–23 Nov: 6 burglaries (")  # British order, as Babel writes it
    assert any(line.startswith("Verwacht voor 24 nov\u2009–\u20097 dec: ") for line in nl)
    assert any("per 1.000 woningen" in line for line in nl)
    assert any(line.startswith("New hotspot around ") for line in en)
    # A range of one number is said as that number, not “expected 0–0”.
    from charts.pack import KeyPoint
    one = replace(packs["en"], key_points=[KeyPoint("above_expected", {
        "level": "street", "area": "Havenstraat", "current": 3, "expected": 0.2, "low": 0,
        "high": 0})])
    assert key_points_text(one) == ["More than expected in Havenstraat: 3 (expected 0)."]


def test_an_export_in_capitals_is_counted_per_home_and_outlined(demo, packs) -> None:  # type: ignore[no-untyped-def]
    """Buurt names as a police system that shouts writes them (“OOSTBROEK”): the pack
    knows them by the project's spelling, so incidence per 1,000 homes, the tables and the
    forecast per outline come out as for the project's own spelling."""
    frame, homes, polygons = demo
    shouting = frame.assign(buurt=frame["buurt"].str.upper())
    pack = steering_pack(shouting, AS_OF, language="nl", homes=homes, polygons=polygons,
                         render_figures=False)
    same = packs["nl"]
    assert pack.trend.per_1000_homes == pytest.approx(same.trend.per_1000_homes)
    assert pack.buurt_table.equals(same.buurt_table)
    assert set(pack.buurt_table["buurt"]) <= set(homes)


def test_pack_json_round_trip(packs: dict[str, SteeringPack]) -> None:
    data = json.loads(packs["en"].to_json())
    assert data["as_of"] == "2026-11-23"
    assert data["buurten"]["total_current"] == 6
    assert len(data["trend"]["monthly"]) == 60
    assert data["forecast"]["period"] == ["2026-11-24", "2026-12-07"]
    assert data["key_points"][0]["kind"] == "total"


def test_single_charts_and_thread_safety(demo) -> None:  # type: ignore[no-untyped-def]
    frame, homes, _polygons = demo
    df = prepare(frame)
    tr, mo, tp = trend(df, AS_OF, homes=homes), mo_shift(df, AS_OF), time_profile(df, AS_OF)
    out: dict[str, list[str]] = {}

    def work(lang: str) -> None:
        texts = []
        for fig in (render.trend_figure(tr, lang), render.mo_figure(mo, lang),
                    render.time_figure(tp, lang)):
            to_png(fig)
            texts += figure_texts(fig)
        out[lang] = texts

    threads = [threading.Thread(target=work, args=(lang,)) for lang in ("nl", "en")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "Inbraken per maand" in out["nl"] and "Burglaries per month" not in out["nl"]
    assert "Burglaries per month" in out["en"] and "Inbraken per maand" not in out["en"]


def test_units_chart_without_incidents() -> None:
    table = pd.DataFrame({"buurt": ["A"], "current": [0], "previous": [0], "expected": [0.0],
                          "low": [0], "high": [0]})
    fig = render.units_figure(table, "buurt", (date(2026, 11, 10), AS_OF),
                              (date(2026, 11, 24), date(2026, 12, 7)), language="en")
    assert "No burglaries in these weeks." in figure_texts(fig)
    png_size(to_png(fig))


def _streets_figure(names: list[str]) -> Figure:
    n = len(names)
    table = pd.DataFrame({"street": names, "current": range(n, 0, -1), "previous": [0] * n,
                          "expected": [0.5] * n, "low": [0] * n, "high": [2] * n})
    return render.units_figure(table, "street", (date(2026, 11, 10), AS_OF),
                               (date(2026, 11, 24), date(2026, 12, 7)), language="nl")


def test_long_names_are_shortened_and_wide_ones_fit() -> None:
    long = "Burgemeester Jhr. Mr. Dr. " + "Van Den Heuvel-Oudshoorn " * 4 + "Boulevard"
    fig = _streets_figure([long, "Kerkstraat"])
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0].startswith("Burgemeester Jhr.") and labels[0].endswith("…")
    assert len(labels[0]) < len(long) and labels[1] == "Kerkstraat"
    assert check_layout([("streets.png", fig, "")]) > 5
    # Wide letters: measured, not estimated from the number of characters.
    fig = _streets_figure(["WWWWWWWWWWWWWW", "Kerkstraat"])
    assert fig.axes[0].get_yticklabels()[0].get_text() == "WWWWWWWWWWWWWW"
    assert check_layout([("streets.png", fig, "")]) > 5


@pytest.mark.skipif(not (SHARED / VANCOUVER_CSV).is_file(), reason="no ../shared/data")
def test_pack_on_the_vancouver_export() -> None:
    frame = vancouver_frame(SHARED / VANCOUVER_CSV)
    pack = steering_pack(frame, date(2022, 12, 31), language="en", tz=VANCOUVER_TZ)
    assert len(pack.figures) == 6
    for _name, png, _caption in pack.figures:
        png_size(png)
    assert pack.trend.per_1000_homes is None and pack.buurten.total_current > 0
    assert not pack.buurten.last_year_covered  # one year of data only
    assert np.isnan(pack.trend.monthly["count"].iloc[0])  # 2018 is not covered
    lines = key_points_text(pack, "en")
    assert plain(lines[0]).startswith("18–31 Dec: ")
    assert "same weeks last year" not in lines[0]
    json.loads(pack.to_json())
    # Long street names ("E 41ST AVE & …"), no buurt outlines: still nothing cut off.
    assert check_layout(pack_figures(pack, incidents=prepare(frame))) > 100


def test_layout_nothing_cut_off_or_covered(figures) -> None:  # type: ignore[no-untyped-def]
    """In both languages, whose labels differ in length."""
    assert check_layout(figures["nl"]) > 100
    assert check_layout(figures["en"]) > 100


def test_mo_labels_mark_the_changes_that_stand_out() -> None:
    """An MO that stands out gets an arrow and bold type; the others plain labels."""
    from charts.analytics import MoShift

    table = pd.DataFrame({
        "mo": ["cilinder trekken", "braak achterdeur"], "current": [4, 1], "baseline": [0, 10],
        "current_share": [0.8, 0.2], "baseline_share": [0.0, 1.0], "diff_pp": [80.0, -80.0],
        "p_value": [0.001, 0.3], "flag": [True, False], "direction": ["up", ""]})
    mo = MoShift(current=(date(2026, 11, 10), AS_OF), baseline=(date(2026, 9, 15),
                 date(2026, 11, 9)), current_total=5, baseline_total=10, alpha=0.05,
                 min_count=3, min_diff_pp=10.0, table=table)
    fig = render.mo_figure(mo, language="en")
    ticks = fig.axes[0].get_yticklabels()
    assert [(t.get_text(), t.get_fontweight()) for t in ticks] == [
        ("lock pulling ▲", "bold"), ("forced back door", "normal")]
    assert "+80 pp" in figure_texts(fig)


def test_names_are_drawn_as_typed(demo) -> None:  # type: ignore[no-untyped-def]
    """Names come from users and police exports. Two ``$`` in one would make matplotlib
    read a formula (and fail to draw the whole pack when it is not a valid one); an emoji
    would be drawn as an empty box. Both are drawn as plain text, the emoji left out."""
    frame, homes, polygons = demo
    odd = {"Molenkwartier": "Molen$\\frac{$kwartier 🏠"}
    frame = frame.assign(buurt=frame["buurt"].replace(odd),
                         street=frame["street"].str.replace("straat", "$traat 🙂$", regex=False),
                         modus_operandi=frame["modus_operandi"].replace(
                             {"braak achterdeur": "braak $achter^deur$"}))
    homes = {odd.get(k, k): v for k, v in homes.items()}
    polygons = {odd.get(k, k): v for k, v in polygons.items()}
    pack = steering_pack(frame, AS_OF, language="nl", homes=homes, polygons=polygons,
                         render_figures=False)
    figs = pack_figures(pack, incidents=prepare(frame), polygons=polygons)
    for _name, fig, _caption in figs:
        png_size(to_png(fig))
    texts = all_texts(figs)
    assert "Molen$\\frac{$kwartier" in texts and "braak $achter^deur$" in texts
    assert "$traat $" in texts
    assert "🏠" not in texts and "🙂" not in texts


def test_titles_texts_and_legends_leave_out_what_the_font_lacks() -> None:
    """A region or area named with an emoji, in a title, a note or a legend entry."""
    fig = render._figure()
    fig.text(0.1, 0.9, "Regio 🚓 Oost-Brabant")
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.7))
    ax.text(0.5, 0.5, "Kerkstraat 🏠 (≥ 3)")
    ax.plot([0, 1], [0, 1], label="doel 🎯 2027")
    ax.legend()
    png_size(to_png(fig))
    texts = figure_texts(fig)
    assert "Regio Oost-Brabant" in texts and "Kerkstraat (≥ 3)" in texts
    assert "doel 2027" in texts


def test_map_shades_the_expected_hotspots(packs, figures) -> None:  # type: ignore[no-untyped-def]
    """The forecast's top cells are shaded orange on each panel, the more expected the
    darker; cells outside the top are not shaded."""
    from charts.pack import MAP_TOP_SHARE

    fig = next(f for name, f, _c in figures["en"] if name == "map.png")
    pixels = np.asarray(Image.open(io.BytesIO(to_png(fig))).convert("RGB")).astype(int)
    height = pixels.shape[0]
    pack = packs["en"]
    for ax, fc in zip(fig.axes[:2], (pack.forecast_before, pack.forecast), strict=True):
        top = fc.top_cells(MAP_TOP_SHARE)
        rest = fc.cells.iloc[len(top):]

        def colour(cells: pd.DataFrame, ax=ax) -> np.ndarray:  # type: ignore[no-untyped-def]
            px = ax.transData.transform(cells[["x", "y"]].to_numpy())
            cols = np.round(px[:, 0]).astype(int)
            rows = height - 1 - np.round(px[:, 1]).astype(int)
            return pixels[rows, cols]

        shaded = colour(top)
        # Orange over white: red stays high, blue drops with the strength. A marker or a
        # name may cover a cell's centre, so most of them, not all.
        orange = (shaded[:, 0] > 200) & (shaded[:, 0] - shaded[:, 2] > 60)
        assert orange.mean() >= 0.8, shaded
        assert shaded[0, 2] < shaded[-1, 2] or top["expected"].iloc[0] == top[
            "expected"].iloc[-1]
        plain = colour(rest.sample(min(len(rest), 200), random_state=1))
        assert ((plain[:, 0] - plain[:, 2]) <= 60).mean() >= 0.9
