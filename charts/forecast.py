"""Expected burglaries for the coming two weeks per 125 m cell, street and buurt, with an
uncertainty band, and the fortnight-by-fortnight backtest that keeps the method honest.

The method is described, with its assumptions and measured figures, in
``charts/FORECAST.md``. In short:

* **Where** (the spatial distribution ``p`` over cells, streets or buurten) is a mixture of
  a few *components*, each a normalised map built from past incidents with a time decay
  and, on the grid, a Gaussian spatial kernel: long-run risk (slow decay, narrow and wide
  kernels), recent risk (eight-week decay), near-repeat risk (one-week decay, ~150 m
  kernel), and a uniform floor. The mixture weights are fitted by maximum likelihood
  (EM, a concave problem) on where the incidents of earlier fortnights actually happened,
  using for each earlier fortnight only what was known at its start.
* **How many** (the area total ``N``) is ``c1·long-run level + c2·recent level +
  c3·near-repeat activity``, where the levels are deseasonalised daily rates (monthly
  seasonal factors estimated from the whole history) times the season of the coming
  fortnight; ``c`` is fitted (Poisson likelihood, EM) on earlier fortnights.
* Expected count of a place = ``N × share of incidents with a known place × p``; the band
  is a negative-binomial interval whose over-dispersion is estimated on earlier fortnights.

Everything is computed by one chronological *replay* over a lattice of 14-day windows
that ends at ``as_of`` (``_replay``), so the forecast and the backtest share one code path
and the backtest cannot look ahead: every fold is forecast from the state at its start and
weights fitted on fortnights that ended before it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from charts.data import DEFAULT_TZ, day_number, day_to_date, main_buurt, prepare
from charts.text import N_

__all__ = [
    "CELL_SIZE",
    "DEFAULT_PARAMS",
    "BacktestResult",
    "Component",
    "Expectation",
    "Forecast",
    "ForecastParams",
    "Grid",
    "NotEnoughHistory",
    "backtest",
    "backtest_report",
    "build_grid",
    "forecast",
    "nb_quantiles",
]

CELL_SIZE = 125.0
#: The grid spans at most this far (metres) from the middle of the incidents in x and in y:
#: a project covers one area, at most a police region. Points farther out (data of another
#: area, a wrong coordinate system) stay off the grid rather than stretch it across the gap:
#: one such point used to make a grid of millions of cells and minutes of work.
MAX_SPAN_M = 60_000.0
WINDOW = 14
LAST_YEAR_WINDOWS = 26  # 26 fortnights = 364 days: same weekdays a year earlier


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class Component:
    """One ingredient of the spatial mixture.

    ``tau_days`` is the e-folding time of the time decay (weight ``exp(-age/tau)``);
    ``sigma_cells`` the standard deviation of the Gaussian spatial kernel in cells (grid
    only; ``None`` = no smoothing, used for streets and buurten).
    """

    name: str
    tau_days: float
    sigma_cells: float | None = None


@dataclass(frozen=True)
class ForecastParams:
    cell: float = CELL_SIZE
    cell_components: tuple[Component, ...] = (
        Component("long-run", 1095.0, 0.6),
        Component("long-run, 250 m", 1095.0, 2.0),
        Component("recent", 56.0, 1.0),
        Component("near-repeat", 7.0, 1.2),
    )
    unit_components: tuple[Component, ...] = (
        Component("long-run", 1095.0),
        Component("recent", 56.0),
        Component("near-repeat", 7.0),
    )
    level_taus: tuple[float, float] = (365.0, 56.0)  # long and recent deseasonalised level
    total_near_repeat_tau: float = 7.0
    min_history_days: int = 56  # a fortnight is used for fitting only after this much data
    max_fit_windows: int = 78  # fit on at most the last three years of fortnights
    buffer_cells: int = 2  # study area without polygons: incident cells dilated by this
    band: float = 0.8  # central probability of the uncertainty band
    season_prior_days: float = 60.0  # shrinks monthly seasonal factors towards 1
    prior_weight: float = 0.5  # Dirichlet pseudo-incidents per mixture component
    em_iterations: int = 300


DEFAULT_PARAMS = ForecastParams()


# --------------------------------------------------------------------------- grid


@dataclass
class Grid:
    """A 125 m lattice aligned to multiples of ``cell`` metres (so cells are the same in
    every run and for every caller), and the study area on it."""

    cell: float
    ix0: int  # lattice index of column 0
    iy0: int  # lattice index of row 0
    nx: int
    ny: int
    study: np.ndarray = field(repr=False)  # bool (ny, nx)

    @property
    def n_study(self) -> int:
        return int(self.study.sum())

    @property
    def study_km2(self) -> float:
        return self.n_study * self.cell * self.cell / 1e6

    def flat(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Row-major flat index of the cell of each point; -1 when unknown or outside."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        ok = np.isfinite(x) & np.isfinite(y)
        ix = np.where(ok, np.floor(np.where(ok, x, 0) / self.cell), 0).astype(np.int64) - self.ix0
        iy = np.where(ok, np.floor(np.where(ok, y, 0) / self.cell), 0).astype(np.int64) - self.iy0
        inside = ok & (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        return np.where(inside, iy * self.nx + ix, -1)

    def study_flat(self) -> np.ndarray:
        return np.flatnonzero(self.study.ravel())

    def centres(self, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        iy, ix = np.divmod(np.asarray(flat), self.nx)
        return (ix + self.ix0 + 0.5) * self.cell, (iy + self.iy0 + 0.5) * self.cell


def _dilate(mask: np.ndarray, r: int) -> np.ndarray:
    out = mask.copy()
    for _ in range(r):
        grown = out.copy()
        grown[1:, :] |= out[:-1, :]
        grown[:-1, :] |= out[1:, :]
        grown[:, 1:] |= out[:, :-1]
        grown[:, :-1] |= out[:, 1:]
        grown[1:, 1:] |= out[:-1, :-1]
        grown[:-1, :-1] |= out[1:, 1:]
        grown[1:, :-1] |= out[:-1, 1:]
        grown[:-1, 1:] |= out[1:, :-1]
        out = grown
    return out


def _cells_inside(
    outlines: Sequence[np.ndarray], ix0: int, iy0: int, nx: int, ny: int, cell: float
) -> np.ndarray:
    """Cells (``ny × nx``, bool) whose centre lies inside at least one of the polygons
    ``outlines`` (each an ``(n, 2)`` array of vertices, closed or not), by the even-odd
    rule.

    One scanline pass over all polygons at once, instead of a point-in-polygon test per
    polygon (a region has hundreds of buurten; that took ~15 ms, this ~1 ms): every edge is
    crossed with the rows of cell centres it spans (``min(y) < centre <= max(y)``), the
    crossings of each polygon and row are sorted and paired into spans, and the spans are
    added up in a difference array whose running sum along a row is > 0 inside. The
    result is the same as matplotlib's ``Path.contains_points`` except for a centre that
    lies exactly on an outline, which either method may count in or out: here it is inside
    on a left edge and outside on a right one.
    """
    rings = [np.asarray(p, dtype=float) for p in outlines if len(p) >= 3]
    if not rings:
        return np.zeros((ny, nx), dtype=bool)
    sizes = np.array([len(r) for r in rings])
    v0 = np.concatenate(rings)
    # Each vertex's successor: the next one, and the ring's first after its last.
    nxt = np.arange(1, len(v0) + 1)
    ends = np.cumsum(sizes)
    nxt[ends - 1] = ends - sizes
    v1 = v0[nxt]
    x0, y0, x1, y1 = v0[:, 0], v0[:, 1], v1[:, 0], v1[:, 1]
    y_lo, y_hi = np.minimum(y0, y1), np.maximum(y0, y1)
    # Candidate rows per edge, one more on each side than the rounding needs; the exact
    # test follows.
    first = np.maximum(np.floor(y_lo / cell - iy0 - 0.5).astype(np.int64), 0)
    last = np.minimum(np.floor(y_hi / cell - iy0 - 0.5).astype(np.int64) + 1, ny - 1)
    count = np.maximum(last - first + 1, 0)
    edge = np.repeat(np.arange(len(x0)), count)
    row = first[edge] + np.arange(edge.size) - np.repeat(np.cumsum(count) - count, count)
    ty = (row + iy0 + 0.5) * cell
    keep = (y_lo[edge] < ty) & (ty <= y_hi[edge])
    edge, row, ty = edge[keep], row[keep], ty[keep]
    if edge.size == 0:
        return np.zeros((ny, nx), dtype=bool)
    xc = x0[edge] + (ty - y0[edge]) * (x1[edge] - x0[edge]) / (y1[edge] - y0[edge])
    # A closed ring crosses every row an even number of times: after sorting by polygon,
    # row and x, crossings pair up as (enter, leave).
    group = np.repeat(np.arange(len(rings)), sizes)[edge] * ny + row
    order = np.lexsort((xc, group))
    xc, row = xc[order], row[order]
    # The first column whose centre lies at or right of each crossing.
    col = np.clip(np.ceil(xc / cell - ix0 - 0.5), 0, nx).astype(np.int64)
    start, stop, r = col[0::2], col[1::2], row[0::2]
    size = ny * (nx + 1)
    diff = (np.bincount(r * (nx + 1) + start, minlength=size)
            - np.bincount(r * (nx + 1) + stop, minlength=size)).reshape(ny, nx + 1)
    inside: np.ndarray = np.cumsum(diff[:, :nx], axis=1) > 0
    return inside


def build_grid(
    x: np.ndarray,
    y: np.ndarray,
    *,
    polygons: Mapping[str, Sequence[tuple[float, float]]] | None = None,
    cell: float = CELL_SIZE,
    buffer_cells: int = 2,
) -> Grid:
    """Grid over the incidents (and polygons); the study area is the union of the polygons
    (cells whose centre lies inside one) and every cell with an incident or, without
    polygons, the incident cells dilated by ``buffer_cells`` (250 m by default). Incidents
    more than :data:`MAX_SPAN_M` from the median position are left off the grid."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.any():
        mid_x, mid_y = np.median(x[ok]), np.median(y[ok])
        ok &= (np.abs(x - mid_x) <= MAX_SPAN_M) & (np.abs(y - mid_y) <= MAX_SPAN_M)
    xs, ys = [x[ok]], [y[ok]]
    shapes = [np.asarray(poly, dtype=float).reshape(-1, 2) for poly in (polygons or {}).values()]
    for arr in shapes:
        xs.append(arr[:, 0])
        ys.append(arr[:, 1])
    outlines = [arr for arr in shapes if len(arr) >= 3]
    allx, ally = np.concatenate(xs), np.concatenate(ys)
    if allx.size == 0:
        allx, ally = np.array([0.0]), np.array([0.0])
    pad = buffer_cells + 1
    ix0 = int(np.floor(allx.min() / cell)) - pad
    iy0 = int(np.floor(ally.min() / cell)) - pad
    nx = int(np.floor(allx.max() / cell)) + pad + 1 - ix0
    ny = int(np.floor(ally.max() / cell)) + pad + 1 - iy0
    grid = Grid(cell, ix0, iy0, nx, ny, np.zeros((ny, nx), dtype=bool))
    has = np.zeros(ny * nx, dtype=bool)
    flat = grid.flat(x[ok], y[ok])
    has[flat[flat >= 0]] = True
    has2 = has.reshape(ny, nx)
    if polygons:
        inside = _cells_inside(outlines, ix0, iy0, nx, ny, cell)
        grid.study = inside | has2
    else:
        grid.study = _dilate(has2, buffer_cells)
    if not grid.study.any():  # no place known at all: keep the maths defined
        grid.study[:] = True
    return grid


# --------------------------------------------------------------------------- kernels


def _gauss(sigma: float) -> np.ndarray:
    r = max(1, math.ceil(3.0 * sigma))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    return k / k.sum()


def _smooth(a: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Separable convolution of a 2-D array with the 1-D kernel ``g`` (zero padding)."""
    r = len(g) // 2
    ny, nx = a.shape
    p = np.pad(a, ((r, r), (0, 0)))
    tmp = g[0] * p[0:ny]
    for d in range(1, len(g)):
        tmp = tmp + g[d] * p[d : d + ny]
    p = np.pad(tmp, ((0, 0), (r, r)))
    out = g[0] * p[:, 0:nx]
    for d in range(1, len(g)):
        out = out + g[d] * p[:, d : d + nx]
    return out


def _smooth_at(
    padded: np.ndarray, pad: int, g: np.ndarray, iy: np.ndarray, ix: np.ndarray
) -> np.ndarray:
    """The convolution of :func:`_smooth`, evaluated at a few cells only; ``padded`` is
    the state zero-padded by ``pad >= len(g) // 2`` cells on every side."""
    r = len(g) // 2
    width = padded.shape[1]
    # One flat gather of each cell's (2r+1)² neighbourhood, then a dot with the 2-D kernel.
    offsets = (np.arange(-r, r + 1)[:, None] * width + np.arange(-r, r + 1)[None, :]).ravel()
    centre = (iy + pad) * width + (ix + pad)
    window = padded.ravel()[centre[:, None] + offsets[None, :]]
    return np.einsum("ij,j->i", window, np.outer(g, g).ravel())


# --------------------------------------------------------------------------- fitting

# Products are written with einsum rather than ``@``: on large vectors ``@`` goes to a
# multi-threaded BLAS, which oversubscribes the CPU when the pack already runs in a worker
# thread (measured: several times slower on a busy two-core machine), for no gain here.


def _mix(w: np.ndarray, components: np.ndarray) -> np.ndarray:
    """Weighted sum of component rows: ``w @ components`` without BLAS."""
    return np.einsum("j,jn->n", w, components)



def _accelerated(step: Callable[[np.ndarray], np.ndarray], start: np.ndarray,
                 iterations: int, tol: float) -> np.ndarray:
    """Iterate the EM map ``step`` to its fixed point with SQUAREM extrapolation
    (Varadhan & Roland 2008); falls back to the plain EM step whenever an extrapolated
    point leaves the feasible (non-negative) region, so it never does worse than EM."""
    theta = start
    for _ in range(max(1, iterations // 3)):
        t1 = step(theta)
        t2 = step(t1)
        r = t1 - theta
        v = t2 - t1 - r
        nv = float(np.sqrt((v * v).sum()))
        if nv > 0:
            a = -float(np.sqrt((r * r).sum())) / nv
            jump = theta - 2 * a * r + a * a * v
            new = step(jump) if (jump >= 0).all() else t2
        else:
            new = t2
        if np.abs(new - theta).max() < tol * max(1.0, float(np.abs(theta).max())):
            return new
        theta = new
    return theta


def _fit_mixture(
    x: np.ndarray, prior: float, iterations: int, start: np.ndarray | None = None
) -> np.ndarray:
    """Mixture weights maximising ``sum log(x @ w)`` (+ a Dirichlet prior) by EM.

    ``x`` holds, per incident (row), the density of each component (column) at the place
    where it happened. The log-likelihood is concave in ``w``, so EM finds the optimum;
    ``start`` (e.g. the previous fortnight's weights) only makes it get there sooner.
    """
    n, j = x.shape
    if n == 0:
        return np.full(j, 1.0 / j)
    w0 = np.full(j, 1.0 / j) if start is None else np.clip(start, 1e-6, None) / start.sum()

    # Components as rows: both products then run along contiguous memory (measured ~5x
    # faster than on the incident-major layout with only a handful of columns).
    xt = np.ascontiguousarray(x.T)

    def step(w: np.ndarray) -> np.ndarray:
        mix = np.einsum("j,jn->n", w, xt)
        inv = np.where(mix > 0, 1.0 / np.where(mix > 0, mix, 1.0), 0.0)
        new = (w * np.einsum("jn,n->j", xt, inv) + prior) / (n + j * prior)
        return new / new.sum()

    return _accelerated(step, w0, iterations, 1e-7)


def _fit_poisson_identity(
    z: np.ndarray, y: np.ndarray, iterations: int, start: np.ndarray | None = None
) -> np.ndarray:
    """Non-negative ``c`` maximising the Poisson likelihood of ``y ~ z @ c`` (EM updates)."""
    k, m = z.shape
    if k == 0 or y.sum() == 0:
        c = np.zeros(m)
        c[0] = 1.0
        return c
    if start is not None and start.sum() > 0:
        c0 = np.clip(start, 1e-4, None)
    else:
        c0 = np.full(m, 0.5)
        c0[-1] = 0.05  # near-repeat term: start small, EM can only scale it
    colsum = z.sum(axis=0)
    safe_colsum = np.where(colsum > 0, colsum, 1.0)

    def step(c: np.ndarray) -> np.ndarray:
        mu = np.einsum("ij,j->i", z, c)
        ratio = np.where(mu > 0, y / np.where(mu > 0, mu, 1.0), 0.0)
        return np.where(colsum > 0, c * np.einsum("ij,i->j", z, ratio) / safe_colsum, 0.0)

    return _accelerated(step, c0, iterations, 1e-7)


def _dispersion(mu: np.ndarray, y: np.ndarray) -> float:
    """Moment estimate of the NB2 over-dispersion ``alpha`` (var = mu + alpha mu²)."""
    den = float((mu * mu).sum())
    if den <= 0:
        return 0.0
    return max(0.0, float(((y - mu) ** 2 - y).sum()) / den)


def nb_quantiles(mu: np.ndarray, alpha: float, probs: Sequence[float]) -> np.ndarray:
    """Quantiles (smallest ``k`` with CDF ≥ p) of negative-binomial counts with means
    ``mu`` and over-dispersion ``alpha`` (Poisson when 0); shape ``(len(probs), len(mu))``."""
    mu = np.clip(np.nan_to_num(np.asarray(mu, dtype=float)), 0.0, None)
    out = np.zeros((len(probs), mu.size))
    if mu.size == 0:
        return out
    var = mu + alpha * mu * mu
    # Far enough for every requested quantile, by Cantelli's inequality: P(X < mu + t) ≥
    # t² / (var + t²) ≥ p for t = sd·√(p / (1 - p)). Most cells expect a fraction of a
    # burglary, so this is a handful of counts where a fixed margin took 15 or more
    # (a pack's 30,000 cells: 30 → 10 ms).
    p_max = max(probs, default=0.5)
    z = math.sqrt(p_max / (1.0 - p_max)) if p_max < 0.999 else 32.0
    kmax = int(np.ceil((mu + z * np.sqrt(var)).max())) + 1
    k = np.arange(kmax + 1, dtype=float)
    lg = np.vectorize(math.lgamma, otypes=[float])
    if alpha <= 1e-9:
        logpmf = k[None, :] * np.log(np.maximum(mu, 1e-300))[:, None] - mu[:, None] - lg(k + 1)
    else:
        r = 1.0 / alpha
        logp = np.log(np.maximum(mu, 1e-300) / (r + mu))
        log1mp = np.log(r / (r + mu))
        logpmf = (
            lg(k + r)[None, :] - math.lgamma(r) - lg(k + 1)[None, :]
            + r * log1mp[:, None] + k[None, :] * logp[:, None]
        )
    cdf = np.cumsum(np.exp(logpmf), axis=1)
    cdf[mu <= 0] = 1.0
    for i, p in enumerate(probs):
        out[i] = (cdf < p - 1e-12).sum(axis=1)
    return np.minimum(out, kmax)


# --------------------------------------------------------------------------- replay


def _seasonal_factors(counts: np.ndarray, days: np.ndarray, prior: float) -> np.ndarray:
    """Monthly factors (mean 1 over a year), shrunk towards 1 where a month has little data
    and smoothed with a 1-2-1 filter so that one odd December does not make a rule."""
    if counts.sum() <= 0 or days.sum() <= 0:
        return np.ones(12)
    rate = counts.sum() / days.sum()
    raw = (counts + prior * rate) / (rate * (days + prior))
    smooth = 0.25 * np.roll(raw, 1) + 0.5 * raw + 0.25 * np.roll(raw, -1)
    lengths = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
    return smooth * 365.0 / float((smooth * lengths).sum())


@dataclass
class _UnitSpace:
    name: str
    labels: list[str]
    loc: np.ndarray  # per incident: unit index or -1
    components: tuple[Component, ...]


@dataclass
class _Replay:
    """Everything the chronological pass produced (see :func:`_replay`)."""

    boundaries: np.ndarray  # day numbers b_0 < ... < b_K; window k = [b_k, b_k + 14)
    start_day: int
    end_day: int
    fit_ok: np.ndarray  # window k may be used for fitting (enough history before it)
    y_total: np.ndarray  # incidents per window (K windows)
    z_total: np.ndarray  # (K + 1, 3) features of the total model at each boundary
    cell_names: list[str]
    cell_x: dict[int, np.ndarray]  # window -> (n_k, J) component densities at its incidents
    cell_loc: dict[int, np.ndarray]  # window -> study index of its geocoded incidents
    cell_full: dict[int, np.ndarray]  # boundary -> (J, n_study) component maps
    unit_names: dict[str, list[str]]
    unit_full: dict[str, dict[int, np.ndarray]]  # space -> boundary -> (J, n_units)
    unit_y: dict[str, dict[int, np.ndarray]]  # space -> window -> counts per unit
    known: dict[str, np.ndarray]  # space -> incidents with a known place per window
    grid: Grid


def _replay(
    df: pd.DataFrame,
    end_day: int,
    params: ForecastParams,
    grid: Grid,
    units: Sequence[_UnitSpace],
    keep_from: int,
    full_at: set[int],
) -> _Replay:
    """One chronological pass over 14-day windows ending at ``end_day`` (inclusive).

    At each boundary ``b`` the decayed state holds exactly the incidents before ``b``;
    features are taken there and paired with the incidents of the window that starts at
    ``b``. Windows before ``keep_from`` only feed the state (nothing is stored for them,
    and their total-model features stay zero).
    """
    t = df["_t"].to_numpy()
    month = df["month"].to_numpy() - 1
    start_day = int(df["_day"].min()) if len(df) else end_day
    n_win = max(1, (end_day + 1 - start_day) // WINDOW)
    b = end_day + 1 - WINDOW * np.arange(n_win, -1, -1)  # K + 1 boundaries
    big_k = len(b) - 1
    cut = np.searchsorted(t, b, side="left")  # incidents before each boundary
    stop = np.searchsorted(t, end_day + 1, side="left")

    study = grid.study.ravel()
    study_idx = np.full(study.size, -1)
    study_idx[study] = np.arange(int(study.sum()))
    cell_flat = grid.flat(df["x"].to_numpy(), df["y"].to_numpy())
    comps = params.cell_components
    kernels = {c.sigma_cells: _gauss(c.sigma_cells) for c in comps if c.sigma_cells}
    # The cell states live on the grid zero-padded by the widest kernel radius, so a
    # smoothed value can be read off at any cell without padding a copy every window.
    pad = max([len(g) // 2 for g in kernels.values()] or [0])
    pny, pnx = grid.ny + 2 * pad, grid.nx + 2 * pad
    cell_iy, cell_ix = np.divmod(cell_flat, grid.nx)
    cell_pflat = np.where(cell_flat >= 0, (cell_iy + pad) * pnx + cell_ix + pad, -1)
    study_p = np.pad(grid.study, pad).ravel()
    norm_w = {
        s: np.pad(_smooth(grid.study.astype(float), g), pad).ravel()
        for s, g in kernels.items()
    }  # sum over the study area of a smoothed map = state · norm_w
    n_study = int(study.sum())
    cell_state = {tau: np.zeros(pny * pnx) for tau in {c.tau_days for c in comps}}
    unit_state = {
        u.name: {tau: np.zeros(len(u.labels)) for tau in {c.tau_days for c in u.components}}
        for u in units
    }
    lvl_taus = (*params.level_taus, params.total_near_repeat_tau)
    lvl_sum = {tau: np.zeros(12) for tau in lvl_taus}  # decayed counts per calendar month
    lvl_exp = {tau: np.zeros(12) for tau in params.level_taus}  # decayed exposure days
    season_n = np.zeros(12)
    season_d = np.zeros(12)
    day0 = min(start_day, int(b[0]))  # the first window may start before the data
    all_days = np.arange(day0, end_day + 1 + WINDOW)
    day_month = pd.to_datetime(all_days, unit="D").month.to_numpy() - 1

    fit_ok = (b[:-1] - start_day) >= params.min_history_days
    y_total = (np.minimum(cut[1:], stop) - cut[:-1]).astype(float)
    z_total = np.zeros((big_k + 1, 3))
    cell_x: dict[int, np.ndarray] = {}
    cell_loc: dict[int, np.ndarray] = {}
    cell_full: dict[int, np.ndarray] = {}
    unit_full: dict[str, dict[int, np.ndarray]] = {u.name: {} for u in units}
    unit_y: dict[str, dict[int, np.ndarray]] = {u.name: {} for u in units}
    known = {u.name: np.zeros(big_k) for u in units}
    known["cells"] = np.zeros(big_k)

    prev_b: float | None = None
    prev_cut = 0
    # The decayed state at the first kept boundary is one sum over all earlier incidents
    # (the first pass below, with nothing to decay yet): the windows before it need no
    # steps of their own.
    for k in range(keep_from, big_k + 1):
        bk = float(b[k])
        sl = slice(prev_cut, int(cut[k]))
        age = bk - t[sl]
        # --- decay and add the incidents of the window that just ended
        for tau, state in cell_state.items():
            if prev_b is not None:
                state *= math.exp(-(bk - prev_b) / tau)
            loc = cell_pflat[sl]
            ok = loc >= 0
            state += np.bincount(loc[ok], np.exp(-age[ok] / tau), minlength=pny * pnx)
        for u in units:
            for tau, state in unit_state[u.name].items():
                if prev_b is not None:
                    state *= math.exp(-(bk - prev_b) / tau)
                loc = u.loc[sl]
                ok = loc >= 0
                state += np.bincount(loc[ok], np.exp(-age[ok] / tau), minlength=len(u.labels))
        for tau in lvl_taus:
            if prev_b is not None:
                lvl_sum[tau] *= math.exp(-(bk - prev_b) / tau)
            lvl_sum[tau] += np.bincount(month[sl], np.exp(-age / tau), minlength=12)
        lo_day = start_day if prev_b is None else int(prev_b)
        span = np.arange(lo_day, int(bk))
        span_m = day_month[span - day0]
        for tau in params.level_taus:
            if prev_b is not None:
                lvl_exp[tau] *= math.exp(-(bk - prev_b) / tau)
            lvl_exp[tau] += np.bincount(span_m, np.exp(-(bk - span - 0.5) / tau), minlength=12)
        season_n += np.bincount(month[sl], minlength=12)
        season_d += np.bincount(span_m, minlength=12)
        prev_b, prev_cut = bk, int(cut[k])

        # --- total-model features at this boundary
        f = _seasonal_factors(season_n, season_d, params.season_prior_days)
        target = day_month[int(bk) - day0 : int(bk) - day0 + WINDOW]
        f_target = float(f[target].mean())
        feats = []
        for tau in params.level_taus:
            exposure = float(lvl_exp[tau].sum())
            level = float((lvl_sum[tau] / f).sum()) / exposure if exposure > 0 else 0.0
            feats.append(WINDOW * f_target * level)
        feats.append(float(lvl_sum[params.total_near_repeat_tau].sum()))
        z_total[k] = feats

        # --- cell features at the incidents of window k, and full maps where asked
        norms = []
        for c in comps:
            state = cell_state[c.tau_days]
            if c.sigma_cells:
                norms.append(float(np.einsum("i,i->", state, norm_w[c.sigma_cells])))
            else:
                norms.append(float(state[study_p].sum()))
        if k < big_k:
            win = slice(int(cut[k]), min(int(cut[k + 1]), int(stop)))
            here = cell_flat[win] >= 0
            loc = cell_flat[win][here]
            ploc = cell_pflat[win][here]
            known["cells"][k] = loc.size
            iy, ix = np.divmod(loc, grid.nx)
            cols = []
            for c, z in zip(comps, norms, strict=True):
                if z <= 0:
                    cols.append(np.full(loc.size, 1.0 / n_study))
                    continue
                state = cell_state[c.tau_days]
                if c.sigma_cells:
                    vals = _smooth_at(state.reshape(pny, pnx), pad, kernels[c.sigma_cells],
                                      iy, ix)
                else:
                    vals = state[ploc]
                cols.append(vals / z)
            cols.append(np.full(loc.size, 1.0 / n_study))
            cell_x[k] = np.column_stack(cols) if loc.size else np.zeros((0, len(comps) + 1))
            cell_loc[k] = study_idx[loc]
        if k in full_at:
            maps = []
            for c, z in zip(comps, norms, strict=True):
                if z <= 0:
                    maps.append(np.full(n_study, 1.0 / n_study))
                    continue
                a2 = cell_state[c.tau_days].reshape(pny, pnx)[pad:pad + grid.ny,
                                                             pad:pad + grid.nx]
                full = _smooth(a2, kernels[c.sigma_cells]) if c.sigma_cells else a2
                maps.append(full.ravel()[study] / z)
            maps.append(np.full(n_study, 1.0 / n_study))
            cell_full[k] = np.vstack(maps)

        # --- unit spaces: full (small) component vectors and the window's counts
        for u in units:
            n_u = len(u.labels)
            rows = []
            for c in u.components:
                state = unit_state[u.name][c.tau_days]
                z = float(state.sum())
                rows.append(state / z if z > 0 else np.full(n_u, 1.0 / max(n_u, 1)))
            rows.append(np.full(n_u, 1.0 / max(n_u, 1)))
            unit_full[u.name][k] = np.vstack(rows)
            if k < big_k:
                win = slice(int(cut[k]), min(int(cut[k + 1]), int(stop)))
                loc = u.loc[win]
                loc = loc[loc >= 0]
                known[u.name][k] = loc.size
                unit_y[u.name][k] = np.bincount(loc, minlength=n_u).astype(float)

    return _Replay(
        boundaries=b,
        start_day=start_day,
        end_day=end_day,
        fit_ok=fit_ok,
        y_total=y_total,
        z_total=z_total,
        cell_names=[c.name for c in comps] + ["uniform"],
        cell_x=cell_x,
        cell_loc=cell_loc,
        cell_full=cell_full,
        unit_names={u.name: [c.name for c in u.components] + ["uniform"] for u in units},
        unit_full=unit_full,
        unit_y=unit_y,
        known=known,
        grid=grid,
    )


def _fit_windows(rep: _Replay, k: int, params: ForecastParams) -> list[int]:
    """Windows whose outcome was known at boundary ``k`` and that may be fitted on."""
    lo = max(0, k - params.max_fit_windows)
    return [j for j in range(lo, k) if rep.fit_ok[j]]


@dataclass
class _Fitted:
    cell_w: np.ndarray
    unit_w: dict[str, np.ndarray]
    total_c: np.ndarray
    alpha: dict[str, float]
    known_share: dict[str, float]
    n_windows: int


def _fit_at(
    rep: _Replay,
    k: int,
    params: ForecastParams,
    spaces: Sequence[str],
    previous: _Fitted | None = None,
) -> _Fitted:
    """Fit all weights for a forecast at boundary ``k`` on windows that ended before it
    (``previous``, a fit at an earlier boundary, is only a starting point for EM)."""
    wins = _fit_windows(rep, k, params)
    xs = [rep.cell_x[j] for j in wins if j in rep.cell_x]
    x = np.vstack(xs) if xs else np.zeros((0, len(rep.cell_names)))
    cell_w = _fit_mixture(x, params.prior_weight, params.em_iterations,
                          previous.cell_w if previous else None)

    z = rep.z_total[wins]
    y = rep.y_total[wins]
    c = _fit_poisson_identity(z, y, params.em_iterations,
                              previous.total_c if previous else None)
    mu_tot = np.einsum("ij,j->i", z, c)
    alpha = {"total": _dispersion(mu_tot, y)}
    total_y = float(y.sum())
    known_share = {"cells": float(rep.known["cells"][wins].sum()) / total_y if total_y else 1.0}

    unit_w: dict[str, np.ndarray] = {}
    for name in spaces:
        full = rep.unit_full[name]
        ys = rep.unit_y[name]
        rows = []
        for j in wins:
            if j in full and j in ys and ys[j].sum() > 0:
                idx = np.repeat(np.arange(ys[j].size), ys[j].astype(int))
                rows.append(full[j][:, idx].T)
        ux = np.vstack(rows) if rows else np.zeros((0, len(rep.unit_names[name])))
        w = _fit_mixture(ux, params.prior_weight, params.em_iterations,
                         previous.unit_w.get(name) if previous else None)
        unit_w[name] = w
        share = float(rep.known[name][wins].sum()) / total_y if total_y else 1.0
        known_share[name] = share
        mus, obs = [], []
        for j, m in zip(wins, mu_tot, strict=True):
            if j in full and j in ys:
                mus.append(m * share * _mix(w, full[j]))
                obs.append(ys[j])
        alpha[name] = _dispersion(np.concatenate(mus), np.concatenate(obs)) if mus else 0.0
    # Cells are about the size of a street stretch; their own moment estimate would need
    # every cell of every fortnight, so they borrow the street dispersion.
    alpha["cells"] = alpha.get("street", alpha["total"])
    return _Fitted(cell_w, unit_w, c, alpha, known_share, len(wins))


# --------------------------------------------------------------------------- forecast


@dataclass
class Expectation:
    expected: float
    low: int
    high: int


@dataclass
class Forecast:
    """Expected counts for the 14 days after ``as_of`` with a ``band`` probability range.

    ``buurt`` and ``street`` have the columns ``buurt``/``street`` (and ``buurt`` for
    streets), ``expected``, ``low``, ``high``; ``cells`` (study-area cells only) has ``ix``,
    ``iy`` (global 125 m lattice indices), ``x``, ``y`` (cell centre), ``expected``,
    ``low``, ``high`` and ``rank_share`` (the share of the study area ranked at or above
    the cell, so ``rank_share <= 0.03`` are the top 3 % cells). All sorted by ``expected``.
    """

    as_of: date
    period: tuple[date, date]
    band: float
    total: Expectation
    buurt: pd.DataFrame
    street: pd.DataFrame
    cells: pd.DataFrame
    grid: Grid = field(repr=False)
    weights: dict[str, dict[str, float]]
    total_coefficients: dict[str, float]
    dispersion: dict[str, float]
    fit_windows: int

    def top_cells(self, share: float = 0.03) -> pd.DataFrame:
        n = max(1, round(share * len(self.cells)))
        return self.cells.head(n)


def _unit_spaces(df: pd.DataFrame, params: ForecastParams) -> list[_UnitSpace]:
    spaces = []
    for name in ("buurt", "street"):
        codes, labels = pd.factorize(df[name], sort=True)
        spaces.append(
            _UnitSpace(name, [str(v) for v in labels], codes.astype(np.int64),
                       params.unit_components)
        )
    return spaces


def _band_probs(band: float) -> tuple[float, float]:
    return (1.0 - band) / 2.0, (1.0 + band) / 2.0


def _make_forecast(
    rep: _Replay,
    k: int,
    fitted: _Fitted,
    params: ForecastParams,
    spaces: Sequence[_UnitSpace],
    street_buurt: pd.Series,
) -> Forecast:
    probs = _band_probs(params.band)
    mu_tot = float(np.dot(rep.z_total[k], fitted.total_c))
    q = nb_quantiles(np.array([mu_tot]), fitted.alpha["total"], probs)
    total = Expectation(mu_tot, int(q[0, 0]), int(q[1, 0]))

    # Sorted by expectation, ties by name (cells: by row, then column). Units are numbered
    # in name order and cells in row-major order, so a stable sort on the expectation
    # alone gives that order (a numpy argsort; pandas' sort on the names cost ~10 ms).
    frames: dict[str, pd.DataFrame] = {}
    for u in spaces:
        p = _mix(fitted.unit_w[u.name], rep.unit_full[u.name][k])
        mu = mu_tot * fitted.known_share[u.name] * p
        q = nb_quantiles(mu, fitted.alpha[u.name], probs)
        order = np.argsort(-mu, kind="stable")
        names = np.asarray(u.labels, dtype=object)[order]
        columns: dict[str, Any] = {u.name: names}
        if u.name == "street":
            columns["buurt"] = pd.Series(names).map(street_buurt).to_numpy(dtype=object)
        columns.update(expected=mu[order], low=q[0][order].astype(int),
                       high=q[1][order].astype(int))
        frames[u.name] = pd.DataFrame(columns)
    grid = rep.grid
    p = _mix(fitted.cell_w, rep.cell_full[k])
    mu = mu_tot * fitted.known_share["cells"] * p
    q = nb_quantiles(mu, fitted.alpha["cells"], probs)
    order = np.argsort(-mu, kind="stable")
    flat = grid.study_flat()[order]
    cx, cy = grid.centres(flat)
    iy, ix = np.divmod(flat, grid.nx)
    cells = pd.DataFrame({
        "ix": ix + grid.ix0, "iy": iy + grid.iy0, "x": cx, "y": cy, "expected": mu[order],
        "low": q[0][order].astype(int), "high": q[1][order].astype(int),
        "rank_share": (np.arange(len(order)) + 1) / max(len(order), 1),
    })
    start = int(rep.boundaries[k])
    weights = {"cells": dict(zip(rep.cell_names, fitted.cell_w.round(4).tolist(), strict=True))}
    for u in spaces:
        weights[u.name] = dict(
            zip(rep.unit_names[u.name], fitted.unit_w[u.name].round(4).tolist(), strict=True)
        )
    coef_names = ("long-run level", "recent level", "near-repeat activity")
    return Forecast(
        as_of=day_to_date(start - 1),
        period=(day_to_date(start), day_to_date(start + WINDOW - 1)),
        band=params.band,
        total=total,
        buurt=frames["buurt"],
        street=frames["street"],
        cells=cells,
        grid=grid,
        weights=weights,
        total_coefficients=dict(zip(coef_names, fitted.total_c.round(4).tolist(), strict=True)),
        dispersion={k2: round(v, 4) for k2, v in fitted.alpha.items()},
        fit_windows=fitted.n_windows,
    )


def forecasts(
    incidents: pd.DataFrame,
    as_of: date,
    *,
    lags: Sequence[int] = (0,),
    tz: str = DEFAULT_TZ,
    polygons: Mapping[str, Sequence[tuple[float, float]]] | None = None,
    params: ForecastParams = DEFAULT_PARAMS,
) -> list[Forecast]:
    """Forecasts made at ``as_of`` minus ``14 × lag`` days, from one replay (each uses only
    the data up to its own date). ``lags=(0, 1)`` gives "now" and "two weeks ago"."""
    df = prepare(incidents, tz)
    end_day = day_number(as_of)
    df = df[df["_day"] <= end_day]
    grid = build_grid(df["x"].to_numpy(), df["y"].to_numpy(), polygons=polygons,
                      cell=params.cell, buffer_cells=params.buffer_cells)
    spaces = _unit_spaces(df, params)
    n_win = max(1, (end_day + 1 - (int(df["_day"].min()) if len(df) else end_day)) // WINDOW)
    wanted = [n_win - lag for lag in lags]
    keep_from = max(0, min(wanted) - params.max_fit_windows - 1)
    rep = _replay(df, end_day, params, grid, spaces, keep_from, {w for w in wanted if w >= 0})
    street_buurt = main_buurt(df)
    out: dict[int, Forecast] = {}
    previous: _Fitted | None = None
    for k in sorted({max(k, 0) for k in wanted}):
        # Fits at nearby boundaries are close: the earlier one is a good EM start.
        previous = _fit_at(rep, k, params, [u.name for u in spaces], previous)
        out[k] = _make_forecast(rep, k, previous, params, spaces, street_buurt)
    return [out[max(k, 0)] for k in wanted]


def forecast(
    incidents: pd.DataFrame,
    as_of: date,
    *,
    tz: str = DEFAULT_TZ,
    polygons: Mapping[str, Sequence[tuple[float, float]]] | None = None,
    params: ForecastParams = DEFAULT_PARAMS,
) -> Forecast:
    """Expected counts for the 14 days after ``as_of`` (see :class:`Forecast`)."""
    return forecasts(incidents, as_of, tz=tz, polygons=polygons, params=params)[0]


# --------------------------------------------------------------------------- backtest

# Method names double as row labels (translated at display, hence the N_ marks).
METHOD = N_("method")
BASELINE_LAST_YEAR = N_("last year")
BASELINE_EIGHT_WEEKS = N_("last 8 weeks")
METHODS = (METHOD, BASELINE_LAST_YEAR, BASELINE_EIGHT_WEEKS)


def _expected_hits(score: np.ndarray, hits: np.ndarray, n_top: int) -> float:
    """Incidents in the ``n_top`` best-scoring cells, ties at the cut-off broken uniformly
    at random — in expectation, so exactly and deterministically: the tied cells at the
    boundary each count with the probability that a random order selects them."""
    if n_top >= score.size:
        return float(hits.sum())
    threshold = np.partition(score, score.size - n_top)[score.size - n_top]
    above = score > threshold
    tied = score == threshold
    need = n_top - int(above.sum())
    return float(hits[above].sum()) + float(hits[tied].sum()) * need / int(tied.sum())


@dataclass
class BacktestResult:
    """Tidy backtest output.

    ``folds``: one row per fold × method × k with ``fold_start``, ``fold_end``,
    ``incidents`` (geocoded incidents in the fold), ``method``, ``k`` (share of cells, e.g.
    0.01), ``cells`` (number of top cells), ``hits`` (expected incidents in them), ``hit_rate``,
    ``area_share`` and ``pai``. ``summary``: per method × k the mean over folds of the hit
    rate and PAI (folds without incidents skipped), the pooled hit rate (all hits / all
    incidents) and pooled PAI, and the number of folds. ``coverage``: share of fold counts
    inside the forecast band, per level (area total, buurt).
    """

    name: str
    as_of: date
    cell: float
    study_cells: int
    study_km2: float
    ks: tuple[float, ...]
    band: float
    folds: pd.DataFrame
    summary: pd.DataFrame
    coverage: pd.DataFrame
    weights_last: dict[str, float]

    def pai(self, method: str, k: float, pooled: bool = False) -> float:
        row = self.summary[(self.summary["method"] == method) & np.isclose(self.summary["k"], k)]
        if row.empty:
            return float("nan")
        return float(row["pooled_pai" if pooled else "mean_pai"].iloc[0])

    def hit_rate(self, method: str, k: float, pooled: bool = False) -> float:
        row = self.summary[(self.summary["method"] == method) & np.isclose(self.summary["k"], k)]
        if row.empty:
            return float("nan")
        return float(row["pooled_hit_rate" if pooled else "mean_hit_rate"].iloc[0])


class NotEnoughHistory(ValueError):
    """:func:`backtest` has no fortnight to replay: no incidents up to the date, or too
    little history before them."""


def backtest(
    incidents: pd.DataFrame,
    as_of: date | None = None,
    *,
    tz: str = DEFAULT_TZ,
    polygons: Mapping[str, Sequence[tuple[float, float]]] | None = None,
    params: ForecastParams = DEFAULT_PARAMS,
    warmup_days: int | None = None,
    ks: Sequence[float] = (0.01, 0.03, 0.05),
    name: str = "",
) -> BacktestResult:
    """Replay history fortnight by fortnight up to ``as_of`` (default: the last incident
    day) and score the top-k % cells of the method against two baselines.

    Folds are the 14-day windows of the lattice that ends at ``as_of`` whose start is at
    least ``warmup_days`` after the first incident (default: 364 days when the data span
    two years or more, else 56 — the eight weeks the eight-week baseline needs). The
    study area (PAI's denominator) is fixed for all folds: the polygons plus incident
    cells, or all incident cells up to ``as_of`` dilated by ``params.buffer_cells``.
    Baselines: *last year* ranks cells by their count in the same 14 days 52 weeks
    earlier (only on folds the data reach back to), *last 8 weeks* by their count in the
    56 days before the fold. Ties are broken at random, in expectation.
    """
    df = prepare(incidents, tz)
    if df.empty:
        raise NotEnoughHistory("no incidents to backtest on")
    end_day = day_number(as_of) if as_of else int(df["_day"].max())
    df = df[df["_day"] <= end_day]
    if df.empty:
        raise NotEnoughHistory("no incidents up to as_of")
    start_day = int(df["_day"].min())
    if warmup_days is None:
        warmup_days = 364 if end_day - start_day + 1 >= 2 * 364 else 56
    grid = build_grid(df["x"].to_numpy(), df["y"].to_numpy(), polygons=polygons,
                      cell=params.cell, buffer_cells=params.buffer_cells)
    spaces = [s for s in _unit_spaces(df, params) if s.name == "buurt"]
    n_win = max(1, (end_day + 1 - start_day) // WINDOW)
    b = end_day + 1 - WINDOW * np.arange(n_win, -1, -1)
    folds = [k for k in range(n_win) if b[k] - start_day >= warmup_days]
    if not folds:
        raise NotEnoughHistory("not enough history for a backtest")
    rep = _replay(df, end_day, params, grid, spaces, 0, set(folds))
    n_study = grid.n_study
    rows: list[dict[str, Any]] = []
    cover: list[tuple[str, int, int]] = []
    probs = _band_probs(params.band)
    last_fit: _Fitted | None = None
    for k in folds:
        fitted = _fit_at(rep, k, params, ["buurt"], last_fit)
        last_fit = fitted
        locs = rep.cell_loc.get(k, np.zeros(0, dtype=np.int64))
        hits = np.bincount(locs, minlength=n_study).astype(float)
        scores: dict[str, np.ndarray] = {METHOD: _mix(fitted.cell_w, rep.cell_full[k])}
        recent = [rep.cell_loc.get(j, np.zeros(0, dtype=np.int64)) for j in range(k - 4, k)]
        scores[BASELINE_EIGHT_WEEKS] = np.bincount(
            np.concatenate(recent), minlength=n_study
        ).astype(float)
        if b[k] - LAST_YEAR_WINDOWS * WINDOW >= start_day:
            scores[BASELINE_LAST_YEAR] = np.bincount(
                rep.cell_loc.get(k - LAST_YEAR_WINDOWS, np.zeros(0, dtype=np.int64)),
                minlength=n_study,
            ).astype(float)
        for method, score in scores.items():
            for share in ks:
                n_top = max(1, round(share * n_study))
                got = _expected_hits(score, hits, n_top) if locs.size else 0.0
                rows.append({
                    "fold_start": day_to_date(int(b[k])),
                    "fold_end": day_to_date(int(b[k]) + WINDOW - 1),
                    "incidents": int(locs.size), "method": method, "k": float(share),
                    "cells": n_top, "hits": got,
                    "hit_rate": got / locs.size if locs.size else np.nan,
                    "area_share": n_top / n_study,
                })
        # Band coverage of the area total and the buurt counts.
        mu_tot = float(np.dot(rep.z_total[k], fitted.total_c))
        q = nb_quantiles(np.array([mu_tot]), fitted.alpha["total"], probs)
        y = rep.y_total[k]
        cover.append(("total", 1, int(q[0, 0] <= y <= q[1, 0])))
        mu = mu_tot * fitted.known_share["buurt"] * _mix(fitted.unit_w["buurt"],
                                                         rep.unit_full["buurt"][k])
        q = nb_quantiles(mu, fitted.alpha["buurt"], probs)
        yb = rep.unit_y["buurt"][k]
        cover.append(("buurt", yb.size, int(((q[0] <= yb) & (yb <= q[1])).sum())))
    fold_frame = pd.DataFrame(rows)
    fold_frame["pai"] = fold_frame["hit_rate"] / fold_frame["area_share"]
    summary_rows = []
    for (method, share), g in fold_frame.groupby(["method", "k"], sort=False):
        valid = g[g["incidents"] > 0]
        area = float(g["area_share"].iloc[0])
        pooled = float(valid["hits"].sum() / valid["incidents"].sum()) if len(valid) else np.nan
        mean_hr = float(valid["hit_rate"].mean()) if len(valid) else np.nan
        summary_rows.append({
            "method": method, "k": share, "cells": int(g["cells"].iloc[0]), "area_share": area,
            "mean_hit_rate": mean_hr, "mean_pai": mean_hr / area,
            "pooled_hit_rate": pooled, "pooled_pai": pooled / area,
            "folds": len(valid), "incidents": int(valid["incidents"].sum()),
        })
    order = {m: i for i, m in enumerate(METHODS)}
    summary = pd.DataFrame(summary_rows)
    summary = summary.sort_values(["k", "method"], key=lambda s: s.map(order) if s.name ==
                                  "method" else s, kind="stable").reset_index(drop=True)
    cov = pd.DataFrame(cover, columns=["level", "n", "inside"]).groupby("level", sort=False)
    coverage = cov.sum().reset_index()
    coverage["share"] = coverage["inside"] / coverage["n"]
    assert last_fit is not None
    return BacktestResult(
        name=name,
        as_of=day_to_date(end_day),
        cell=params.cell,
        study_cells=n_study,
        study_km2=grid.study_km2,
        ks=tuple(float(s) for s in ks),
        band=params.band,
        folds=fold_frame,
        summary=summary,
        coverage=coverage,
        weights_last=dict(zip(rep.cell_names, last_fit.cell_w.round(4).tolist(), strict=True)),
    )


def backtest_report(result: BacktestResult, language: str = "en") -> str:
    """The backtest as a plain-text table (monospace), e.g. for ``wijkbot backtest``."""
    from bot.i18n import use_locale
    from charts.text import _, fmt_date, fmt_int, fmt_num, fmt_pct

    with use_locale(language):
        folds = result.folds.drop_duplicates("fold_start")
        lines = [
            _("Backtest {name}: {folds} fortnights, {first} – {last}").format(
                name=result.name or "", folds=fmt_int(len(folds)),
                first=fmt_date(folds["fold_start"].min()),
                last=fmt_date(folds["fold_end"].max())).replace("  ", " "),
            _("Study area: {cells} cells of {size} m ({area} km²)").format(
                cells=fmt_int(result.study_cells), size=fmt_int(result.cell),
                area=fmt_num(result.study_km2)),
            "",
        ]
        # Labels are translated outside the f-strings: the extractor cannot see into those.
        top, hit_rate, pai_label = _("top"), _("hit rate"), _("PAI")
        pooled_label, mean_label = _("pooled"), _("mean")
        # Column widths follow the translated labels ("samengevoegd" is longer than "pooled").
        name_w = max(len(_(m)) for m in METHODS) + 2
        label_w = max(len(pooled_label), len(mean_label)) + 2
        hr_w, pai_w = max(len(hit_rate) + 2, 9), max(len(pai_label) + 2, 7)
        head1 = " " * (name_w + label_w)
        head2 = " " * (name_w + label_w)
        for k in result.ks:
            head1 += f"{top + ' ' + fmt_pct(k * 100):<{hr_w + pai_w}}"
            head2 += f"{hit_rate:<{hr_w}}{pai_label:<{pai_w}}"
        lines += [head1.rstrip(), head2.rstrip()]
        for pooled in (False, True):
            for method in METHODS:
                label = pooled_label if pooled else mean_label
                row = f"{_(method):<{name_w}}{label:<{label_w}}"
                if result.summary[result.summary["method"] == method].empty:
                    lines.append(row + _("not available (the data do not reach back a year)"))
                    continue
                for k in result.ks:
                    hr = result.hit_rate(method, k, pooled)
                    pai = result.pai(method, k, pooled)
                    row += f"{fmt_pct(hr * 100, 1):<{hr_w}}{fmt_num(pai, 2):<{pai_w}}"
                lines.append(row.rstrip())
            lines.append("")
        cov = result.coverage.set_index("level")["share"]
        lines.append(_("{band} band coverage: total {total}, buurten {buurt}").format(
            band=fmt_pct(result.band * 100), total=fmt_pct(cov.get("total", float("nan")) * 100),
            buurt=fmt_pct(cov.get("buurt", float("nan")) * 100)))
        lines.append(_("Hit rate: share of a fortnight's incidents in the top k percent of "
                       "cells; PAI = hit rate ÷ area share."))
        return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - manual use
    """``python -m charts.forecast [--language nl]``: backtests of the demo and Vancouver."""
    import argparse

    from charts.samples import (
        VANCOUVER_CSV,
        VANCOUVER_TZ,
        demo_inputs,
        find_shared_data,
        vancouver_frame,
    )

    parser = argparse.ArgumentParser(description="Backtest the burglary forecast.")
    parser.add_argument("--language", default="en")
    args = parser.parse_args(argv)
    frame, _homes, polygons = demo_inputs()
    result = backtest(frame, date(2026, 11, 23), polygons=polygons, name="demo (Havendam)")
    print(backtest_report(result, args.language), end="\n\n")
    result = backtest(frame, date(2026, 11, 23), name="demo (Havendam), no polygons")
    print(backtest_report(result, args.language), end="\n\n")
    shared = find_shared_data()
    if shared is not None:
        vancouver = vancouver_frame(shared / VANCOUVER_CSV)
        result = backtest(vancouver, tz=VANCOUVER_TZ, name="Vancouver 2022")
        print(backtest_report(result, args.language))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
