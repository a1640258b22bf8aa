"""Meeting rhythm arithmetic: DST, the year end, working days, bad input."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UserError
from bot.i18n import use_locale
from bot.schedule import (
    checkin_moment,
    parse_date,
    parse_rhythm,
    parse_time,
    post_moment,
    rhythm_dates,
    working_days_before,
)

AMS = ZoneInfo("Europe/Amsterdam")


def test_rhythm_across_dst_and_the_year_end() -> None:
    rhythm = parse_rhythm(["every", "2", "weeks", "monday", "10:00", "from", "15-3-2027"],
                          date(2026, 11, 23))
    days = rhythm_dates(rhythm, date(2027, 3, 1), 3)
    assert days == [date(2027, 3, 15), date(2027, 3, 29), date(2027, 4, 12)]
    # 10:00 local on both sides of the change to summer time (28 March 2027).
    winter = post_moment(days[0], 0, time(10), AMS)
    summer = post_moment(days[1], 0, time(10), AMS)
    assert (winter.hour, summer.hour) == (10, 10)
    assert winter.utcoffset() == timedelta(hours=1) and summer.utcoffset() == timedelta(hours=2)
    year_end = parse_rhythm(["elke", "2", "weken", "maandag", "10:00", "vanaf", "21-12-2026"],
                            date(2026, 11, 23))
    assert rhythm_dates(year_end, date(2026, 12, 22), 2) == [date(2027, 1, 4),
                                                             date(2027, 1, 18)]


def test_pack_goes_out_two_working_days_before() -> None:
    monday = date(2026, 12, 7)
    assert working_days_before(monday, 2) == date(2026, 12, 3)  # Thursday
    assert post_moment(monday, 2, time(9), AMS).isoformat() == "2026-12-03T09:00:00+01:00"
    assert checkin_moment(monday, time(9), AMS).date() == date(2026, 12, 4)  # Friday
    # Across the year end: a meeting on Monday 4 January 2027.
    assert working_days_before(date(2027, 1, 4), 2) == date(2026, 12, 31)


def test_bad_schedules() -> None:
    with pytest.raises(UserError):
        parse_date("31-02-2027")
    with pytest.raises(UserError):
        parse_rhythm(["every", "2", "weeks", "10:00"], date(2026, 11, 23))  # no weekday
    with pytest.raises(UserError):
        parse_rhythm(["every", "12", "weeks", "monday", "10:00"], date(2026, 11, 23))
    with pytest.raises(UserError):
        parse_rhythm(["every", "2", "weeks", "tuesday", "10:00", "from", "7-12-2026"],
                     date(2026, 11, 23))
    with pytest.raises(UserError):
        parse_rhythm(["every", "2", "weeks", "monday", "25:00"], date(2026, 11, 23))
    # An impossible time is named; a time-like word that is no time gets the format.
    with pytest.raises(UserError) as impossible:
        parse_time("25:00")
    with use_locale("en"):
        assert impossible.value.render() == ("25:00 is not a valid time. Write times like "
                                             "10:00.")
    with pytest.raises(UserError) as shapeless:
        parse_time("tien uur")
    with use_locale("en"):
        assert shapeless.value.render() == "Write times like 10:00."
