"""Field logs in the steering pack: counted per area and kind for the pack's fortnight, and
drawn on the map (each panel its own fortnight), computed by hand on a small fixture."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection

from charts.data import prepare
from charts.fieldwork import counts_per_area_kind, with_days
from charts.pack import pack_figures, steering_pack
from charts.render import figure_texts
from charts.samples import demo_inputs

AS_OF = date(2026, 11, 23)


def logs() -> pd.DataFrame:
    rows = [
        # created (UTC), kind, area, x, y
        (datetime(2026, 11, 23, 22, 30, tzinfo=UTC), "surveillance", "Molenkwartier",
         88_400.0, 444_200.0),  # 23:30 local time on the pack's date: still in
        (datetime(2026, 11, 20, 9, 0, tzinfo=UTC), "surveillance", "Molenkwartier",
         88_420.0, 444_210.0),
        (datetime(2026, 11, 19, 9, 0, tzinfo=UTC), "gebrek", "Molenkwartier", np.nan, np.nan),
        (datetime(2026, 11, 12, 9, 0, tzinfo=UTC), "gesprek", "Oude Haven", 89_900.0,
         443_900.0),
        (datetime(2026, 11, 5, 9, 0, tzinfo=UTC), "surveillance", "Oude Haven", 89_950.0,
         443_950.0),  # the fortnight before: the left map only
        (datetime(2026, 11, 23, 23, 30, tzinfo=UTC), "overig", "", 88_000.0, 444_000.0),
        # 00:30 on 24 November local time: after the pack's date, nowhere
    ]
    return pd.DataFrame(rows, columns=["created_at", "kind", "area", "x", "y"])


def test_counts_per_area_and_kind_in_the_local_fortnight() -> None:
    counts = counts_per_area_kind(with_days(logs()), AS_OF)
    assert counts.to_dict("records") == [
        {"area": "Molenkwartier", "kind": "surveillance", "count": 2},
        {"area": "Molenkwartier", "kind": "gebrek", "count": 1},
        {"area": "Oude Haven", "kind": "gesprek", "count": 1},
    ]
    assert counts_per_area_kind(with_days(None), AS_OF).empty


def _diamonds(ax) -> np.ndarray:  # type: ignore[no-untyped-def]
    points = [c.get_offsets() for c in ax.collections
              if isinstance(c, PathCollection) and len(c.get_offsets())
              and c.get_paths()[0].vertices.shape[0] == 5]  # the "D" marker: 4 corners + close
    return np.vstack(points) if points else np.zeros((0, 2))


def test_field_logs_on_the_map_and_in_the_numbers() -> None:
    frame, homes, polygons = demo_inputs(AS_OF)
    pack = steering_pack(frame, AS_OF, language="en", homes=homes, polygons=polygons,
                         field_logs=logs())
    assert pack.to_dict()["field_work"][0] == {"area": "Molenkwartier",
                                               "kind": "surveillance", "count": 2}
    [(_name, fig, caption)] = [f for f in pack_figures(pack, incidents=prepare(frame),
                                                        polygons=polygons)
                               if f[0] == "map.png"]
    assert "field log (last two weeks)" in figure_texts(fig)
    before_ax, now_ax = fig.axes[:2]
    now_points = {tuple(p) for p in _diamonds(now_ax).tolist()}
    before_points = {tuple(p) for p in _diamonds(before_ax).tolist()}
    # Now: the located logs of 10-23 November (not the one without a location, not the one
    # after midnight local time); two weeks ago: the log of 5 November.
    assert now_points == {(88_400.0, 444_200.0), (88_420.0, 444_210.0), (89_900.0, 443_900.0)}
    assert before_points == {(89_950.0, 443_950.0)}

    # Without field logs the map has no such marker and no legend entry.
    plain = steering_pack(frame, AS_OF, language="en", homes=homes, polygons=polygons,
                          render_figures=False)
    [(_name, fig, _caption)] = [f for f in pack_figures(plain, incidents=prepare(frame),
                                                         polygons=polygons)
                                if f[0] == "map.png"]
    assert "field log (last two weeks)" not in figure_texts(fig)
    assert all(len(_diamonds(ax)) == 0 for ax in fig.axes[:2])
