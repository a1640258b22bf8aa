"""Analytics and charts: pure functions from pandas DataFrames to numbers and PNG bytes.

Rendered with matplotlib's object-oriented ``Figure`` API on the Agg backend (never
``pyplot``, which keeps global state), and run off the event loop by the callers.
The steering-information analytics arrive with the steering issue; this package is where
they live.
"""
