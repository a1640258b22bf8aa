"""Meeting rhythm arithmetic: when the operational meeting is, and when its pack goes out.

Pure functions on local dates and times in the partnership's zone (Europe/Amsterdam), so
daylight saving and the year end are handled by :mod:`zoneinfo`, not by hand: a meeting
"every other Monday at 10:00" stays at 10:00 local time on both sides of a DST change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import UserError
from bot.i18n import N_

WEEKDAYS: dict[str, int] = {
    "maandag": 0, "ma": 0, "monday": 0, "mon": 0,
    "dinsdag": 1, "di": 1, "tuesday": 1, "tue": 1,
    "woensdag": 2, "wo": 2, "wednesday": 2, "wed": 2,
    "donderdag": 3, "do": 3, "thursday": 3, "thu": 3,
    "vrijdag": 4, "vr": 4, "friday": 4, "fri": 4,
    "zaterdag": 5, "za": 5, "saturday": 5, "sat": 5,
    "zondag": 6, "zo": 6, "sunday": 6, "sun": 6,
}
_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


@dataclass(frozen=True, slots=True)
class Rhythm:
    every_weeks: int
    weekday: int
    start_time: time
    anchor: date          # one meeting date of the rhythm


def parse_date(text: str) -> date:
    match = _DATE.match(text.strip())
    if not match:
        raise UserError(N_("Write dates like 7-12-2026."))
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise UserError(N_("{text} is not a valid date."), text=text.strip()) from None


def parse_time(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise UserError(N_("Write times like 10:00."))
    if not (0 <= int(match.group(1)) <= 23 and 0 <= int(match.group(2)) <= 59):
        raise UserError(N_("{text} is not a valid time. Write times like 10:00."),
                        text=text.strip())
    return time(int(match.group(1)), int(match.group(2)))


def local_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The aware moment ``day`` ``at`` local time (zoneinfo resolves DST)."""
    return datetime.combine(day, at, tzinfo=tz)


def working_days_before(day: date, count: int) -> date:
    """``count`` working days (Monday–Friday) before ``day``."""
    current = day
    while count > 0:
        current -= timedelta(days=1)
        if current.weekday() < 5:
            count -= 1
    return current


def rhythm_dates(rhythm: Rhythm, start: date, count: int) -> list[date]:
    """The next ``count`` meeting dates of the rhythm on or after ``start``."""
    step = timedelta(weeks=rhythm.every_weeks)
    offset = (start - rhythm.anchor).days
    first = rhythm.anchor + step * max(0, -(-offset // step.days))
    if first < start:
        first += step
    return [first + step * i for i in range(count)]


def post_moment(meeting_day: date, lead_days: int, post_time: time, tz: ZoneInfo) -> datetime:
    return local_moment(working_days_before(meeting_day, lead_days), post_time, tz)


def checkin_moment(meeting_day: date, post_time: time, tz: ZoneInfo) -> datetime:
    """Check-ins go out one working day before the meeting."""
    return local_moment(working_days_before(meeting_day, 1), post_time, tz)


_WEEKLY = frozenset({"week", "wekelijks", "weekly"})


def parse_rhythm(words: list[str], today: date) -> Rhythm:
    """``elke 2 weken maandag 10:00 [vanaf 7-12-2026]`` / ``every 2 weeks monday 10:00``."""
    text = [w.lower() for w in words]
    # The number of weeks: a (signed, so "-1" is named as out of range) whole number;
    # without one, "week" alone ("elke week", "every week", "wekelijks") is weekly, and
    # anything else the usual fortnight of the operational meeting.
    number = next((w for w in text if re.fullmatch(r"[-+]?\d+", w)), None)
    if number is not None:
        every = int(number)
    elif any(w in _WEEKLY for w in text):
        every = 1
    else:
        every = 2
    if not 1 <= every <= 8:
        raise UserError(N_("A meeting rhythm is every 1 to 8 weeks."))
    weekday = next((WEEKDAYS[w] for w in text if w in WEEKDAYS), None)
    at = next((parse_time(w) for w in text if _TIME.match(w)), None)
    if weekday is None or at is None:
        raise UserError(N_("Give the weekday and the time, e.g. “every 2 weeks monday 10:00”."))
    given = next((parse_date(w) for w in text if _DATE.match(w)), None)
    if given is not None:
        if given.weekday() != weekday:
            raise UserError(N_("{date} is not on the weekday you gave."), date=given.isoformat())
        anchor = given
    else:
        anchor = today + timedelta(days=(weekday - today.weekday()) % 7)
    return Rhythm(every, weekday, at, anchor)
