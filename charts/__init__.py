"""Analytics and charts: pure functions from pandas DataFrames to numbers and PNG bytes.

Rendered with matplotlib's object-oriented ``Figure`` API on the Agg backend (never
``pyplot``, which keeps global state), and run off the event loop by the callers.
The steering-information analytics arrive with the steering issue; this package is where
they live.

Modules:

* :mod:`charts.data` — the incident frame contract (columns, reference moment of a time
  window, local days) and :func:`charts.data.prepare`;
* :mod:`charts.analytics` — trend, last two weeks per street/buurt, MO shift, time profile,
  hotspots;
* :mod:`charts.forecast` — expected counts for the coming two weeks per cell/street/buurt with
  a band, and the fortnightly backtest against two baselines (method: ``FORECAST.md``);
* :mod:`charts.render` — one function per chart, data in, PNG bytes (or a Figure) out;
* :mod:`charts.pack` — :func:`charts.pack.steering_pack`, everything for one meeting, and
  :func:`charts.pack.key_points_text`;
* :mod:`charts.text` — label translation (msgids in English) and Babel formatting;
* :mod:`charts.samples` — the demo and Vancouver data in the frame contract.

Everything is synchronous and thread-safe: call it with ``asyncio.to_thread``.
"""
