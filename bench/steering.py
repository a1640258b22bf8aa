"""Benchmark of the steering pack: analytics and chart rendering for 50,000 incidents.

    .venv/bin/python bench/steering.py [--incidents 50000] [--runs 3] [--language nl]

The data: the demo generator's municipality (``bot.demo_data``) with ten different seeds,
each placed eight times side by side (80 towns of ~3.5 × 1.7 km, a police region), every
copy with its own street/buurt names, 25 m spatial and ±3 days time jitter, then sampled
down to exactly ``--incidents`` over five years.

Printed: the median time of the analytics (everything in :func:`charts.pack.steering_pack`
except drawing), of rendering the six charts, and — in the same run — of rendering the
same number of *empty* figures of the same pixel sizes to PNG (the floor set by
matplotlib: figure, Agg canvas, ``savefig``'s PNG encoding; also shown: the same empty
figures through the pack's own encoding, :func:`charts.render.to_png`). Target:
whole pack ≤ 3 × floor. Peak
Python memory of one pack is measured afterwards with ``tracemalloc`` (which slows Python
down, so it is not part of the timings).

Then, to show where the drawing time goes, the rendering is split (medians again):
building the six figures; drawing them on the Agg canvas; drawing them with every text
hidden; PNG-encoding the drawn canvases; and PNG-encoding blank canvases of the same sizes.
"""

from __future__ import annotations

import argparse
import io
import statistics
import struct
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.text import Text

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.demo_data import generate_demo, incidents_frame  # noqa: E402
from charts.data import prepare  # noqa: E402
from charts.pack import pack_figures, render_pack, steering_pack  # noqa: E402
from charts.render import _figure, png_rgba, to_png  # noqa: E402

AS_OF = date(2026, 11, 23)


def region(n: int = 50_000, seeds: int = 10, copies: int = 8, rng_seed: int = 1):
    """``n`` incidents over five years in ``seeds × copies`` demo towns side by side."""
    rng = np.random.default_rng(rng_seed)
    frames, homes, polygons = [], {}, {}
    dx, dy, cols = 4_200.0, 2_400.0, 10
    town = 0
    for seed in range(seeds):
        data = generate_demo(AS_OF, seed=seed)
        base = incidents_frame(data)
        for _copy in range(copies):
            ox, oy = (town % cols) * dx, (town // cols) * dy
            # Letters, not a number: a number after a street name reads as a house
            # number and is cut off (charts.data.safe_street), which merged the
            # towns' streets into one set of 64.
            tag = f" ({chr(65 + town // 26)}{chr(65 + town % 26)})"
            df = base.copy()
            df["x_rd"] = df["x_rd"] + ox + rng.normal(0, 25, len(df))
            df["y_rd"] = df["y_rd"] + oy + rng.normal(0, 25, len(df))
            shift = pd.to_timedelta(rng.integers(-3, 4, len(df)), unit="D")
            df["occurred_from"] += shift
            df["occurred_to"] += shift
            df["street"] = df["street"] + tag
            df["buurt"] = df["buurt"] + tag
            df["wijk"] = df["wijk"] + tag
            frames.append(df)
            for b in data.buurten:
                homes[b.name + tag] = b.homes
                polygons[b.name + tag] = [(x + ox, y + oy) for x, y in b.polygon]
            town += 1
    df = pd.concat(frames, ignore_index=True)
    lo = pd.Timestamp(AS_OF - timedelta(days=5 * 365 - 1), tz="Europe/Amsterdam")
    hi = pd.Timestamp(AS_OF + timedelta(days=1), tz="Europe/Amsterdam")
    df = df[(df["occurred_from"] >= lo) & (df["occurred_from"] < hi)]
    if len(df) > n:
        df = df.iloc[np.sort(rng.choice(len(df), n, replace=False))]
    return df.reset_index(drop=True), homes, polygons


def png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def empty_pngs(sizes: list[tuple[int, int]], dpi: int, *, ours: bool = False) -> float:
    """Empty figures of these sizes to PNG: matplotlib's own way (``savefig``, the floor the
    target is measured against) or, with ``ours``, the way the pack encodes its charts
    (:func:`charts.render.to_png`: RGBA, "Up" filter, zlib level 1)."""
    start = time.perf_counter()
    for w, h in sizes:
        fig = _figure((w / dpi, h / dpi))
        if ours:
            to_png(fig)
        else:
            fig.savefig(io.BytesIO(), format="png", dpi=dpi, facecolor="white")
    return time.perf_counter() - start


def _encode(canvases: list[np.ndarray]) -> float:
    """PNG encoding only, as :func:`charts.render.to_png` does it."""
    start = time.perf_counter()
    for rgba in canvases:
        png_rgba(rgba)
    return time.perf_counter() - start


def split(pack, prepared, polygons, runs: int) -> None:
    """Where the rendering time goes: build, draw (with and without text), encode."""
    timings: dict[str, list[float]] = {k: [] for k in
                                       ("build", "draw", "draw_no_text", "encode", "blank")}
    for _ in range(runs):
        start = time.perf_counter()
        figures = pack_figures(pack, incidents=prepared, polygons=polygons)
        timings["build"].append(time.perf_counter() - start)
        start = time.perf_counter()
        for _name, fig, _caption in figures:
            fig.canvas.draw()
        timings["draw"].append(time.perf_counter() - start)
        canvases = [np.asarray(fig.canvas.buffer_rgba()).copy() for _n, fig, _c in figures]
        timings["encode"].append(_encode(canvases))
        timings["blank"].append(_encode([np.full_like(c, 255) for c in canvases]))
        hidden = pack_figures(pack, incidents=prepared, polygons=polygons)
        for _name, fig, _caption in hidden:
            for text in fig.findobj(Text):
                text.set_visible(False)
        start = time.perf_counter()
        for _name, fig, _caption in hidden:
            fig.canvas.draw()
        timings["draw_no_text"].append(time.perf_counter() - start)
    m = {k: statistics.median(v) * 1000 for k, v in timings.items()}
    print(f"split of the rendering (median of {runs}):")
    print(f"  building the figures:                 {m['build']:8.0f} ms")
    print(f"  drawing (Agg):                        {m['draw']:8.0f} ms"
          f"  (with every text hidden: {m['draw_no_text']:.0f} ms, so text "
          f"~{m['draw'] - m['draw_no_text']:.0f} ms)")
    print(f"  PNG encoding of the drawn charts:     {m['encode']:8.0f} ms"
          f"  (blank canvases of the same sizes: {m['blank']:.0f} ms)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--language", default="nl")
    args = parser.parse_args(argv)
    from charts.render import DPI

    t0 = time.perf_counter()
    df, homes, polygons = region(args.incidents)
    units = prepare(df)
    print(f"data: {len(df):,} incidents, {units['street'].nunique():,} streets, "
          f"{units['buurt'].nunique():,} buurten, {df['occurred_from'].min():%Y-%m-%d} – "
          f"{df['occurred_from'].max():%Y-%m-%d} (generated in {time.perf_counter() - t0:.1f} s)")

    # Warm-up: font cache, Babel locale data, numpy code paths.
    pack = steering_pack(df, AS_OF, language=args.language, homes=homes, polygons=polygons)
    sizes = [png_size(png) for _n, png, _c in pack.figures]
    empty_pngs(sizes, DPI)

    analytics, rendering, floor, ours, cpu = [], [], [], [], []
    for _ in range(args.runs):
        cpu_start = time.process_time()
        start = time.perf_counter()
        prepared = prepare(df)
        pack = steering_pack(prepared, AS_OF, language=args.language, homes=homes,
                             polygons=polygons, render_figures=False)
        analytics.append(time.perf_counter() - start)
        start = time.perf_counter()
        figures = render_pack(pack, incidents=prepared, polygons=polygons)
        rendering.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
        floor.append(empty_pngs(sizes, DPI))
        ours.append(empty_pngs(sizes, DPI, ours=True))
    a, r, f, o = (statistics.median(v) for v in (analytics, rendering, floor, ours))
    print(f"figures: {len(figures)} PNGs, "
          + ", ".join(f"{n} {w}×{h}" for (n, _b, _c), (w, h) in zip(figures, sizes, strict=True)))
    print(f"analytics (median of {args.runs}):            {a * 1000:8.0f} ms")
    print(f"rendering the {len(figures)} charts:               {r * 1000:8.0f} ms")
    print(f"whole pack:                              {(a + r) * 1000:8.0f} ms"
          f"  (CPU {statistics.median(cpu) * 1000:.0f} ms)")
    print(f"floor: {len(sizes)} empty PNGs of the same sizes:   {f * 1000:8.0f} ms"
          f"  (matplotlib's savefig; empty figures through the pack's own encoding: "
          f"{o * 1000:.0f} ms)")
    print(f"ratio rendering / floor:                 {r / f:8.2f}")
    ratio = (a + r) / f
    verdict = "meets" if ratio <= 3.0 else "MISSES"
    print(f"ratio whole pack / floor:                {ratio:8.2f}  ({verdict} the ≤ 3× target)")

    tracemalloc.start()
    steering_pack(df, AS_OF, language=args.language, homes=homes, polygons=polygons)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak Python memory of one pack (tracemalloc): {peak / 2**20:.0f} MiB")
    split(pack, prepared, polygons, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
