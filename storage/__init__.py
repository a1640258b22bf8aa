"""Persistence: one aiosqlite connection, numbered migrations, one repository per aggregate.

Only this package writes SQL. Services and handlers talk to repositories; multi-statement
writes are wrapped in :meth:`storage.db.Database.transaction`.
"""

from storage.db import Database, parse_utc, utc_iso, utc_now

__all__ = ["Database", "parse_utc", "utc_iso", "utc_now"]
