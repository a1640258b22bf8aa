"""The source of "now". Services take a clock so tests and the demo can control time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Real time, always as an aware UTC datetime."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock(Clock):
    """A clock that only moves when told to (tests, the demo's reference date)."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = moment.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)
