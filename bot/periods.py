"""Periods of actions in ISO weeks, as partnerships plan them: ``wk 3``, ``wk 3-4``,
``wk 52-2`` (across the year end), ``week 48 2026``, or dates (``23-11-2026``,
``23-11-2026 - 6-12-2026``, ``2026-11-23``).

A period is stored as dates: the Monday of its first week and the Sunday of its last week.
A week without a year means the occurrence of that week nearest to today (so in November
"wk 3" is week 3 of next year); a range's end lies after its start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.errors import UserError
from bot.i18n import N_, _

MAX_SPAN_DAYS = 2 * 366

_WEEK_RE = re.compile(
    r"^(?:wk|week|weken|weeks|w)\.?\s*(\d{1,2})(?:\s*(?:/|\s)\s*(\d{4}))?"
    r"(?:\s*(?:-|–|—|t/m|tm|to|tot)\s*(?:wk\.?\s*|week\s*)?(\d{1,2})(?:\s*(?:/|\s)\s*(\d{4}))?)?$",
    re.IGNORECASE,
)
_DATE = r"(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2,4}))?|(\d{4})-(\d{2})-(\d{2})"
_DATES_RE = re.compile(
    rf"^(?:{_DATE})(?:\s*(?:-|–|—|t/m|tm|to|tot|until)\s*(?:{_DATE}))?$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Period:
    start: date  # a Monday when given in weeks
    end: date    # inclusive

    @property
    def weeks(self) -> tuple[tuple[int, int], tuple[int, int]]:
        s, e = self.start.isocalendar(), self.end.isocalendar()
        return (s.year, s.week), (e.year, e.week)


def weeks_in_year(year: int) -> int:
    return date(year, 12, 28).isocalendar().week


def week_monday(year: int, week: int) -> date:
    return date.fromisocalendar(year, week, 1)


def week_of(day: date) -> Period:
    """The ISO week containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    return Period(monday, monday + timedelta(days=6))


def _nearest_year(week: int, today: date) -> int:
    """The ISO year whose week ``week`` lies nearest to today (ties go to the future)."""
    best: tuple[int, int] | None = None
    this_year = today.isocalendar().year
    for year in (this_year - 1, this_year, this_year + 1):
        if week > weeks_in_year(year):
            continue
        distance = abs((week_monday(year, week) - today).days)
        key = (distance, -year)
        if best is None or key < (best[0], -best[1]):
            best = (distance, year)
    if best is None:
        raise UserError(N_("There is no week {week} around now."), week=week)
    return best[1]


FIRST_YEAR = 2000
YEARS_AHEAD = 10


def year_of(text: str, today: date) -> int:
    """A typed year: four digits, or two for this century ("26" is 2026); within reason
    (from 2000 to ten years ahead), so a slip like "0026" or "9999" is not stored."""
    if len(text) == 2:
        return 2000 + int(text)
    year = int(text)
    if len(text) != 4 or not FIRST_YEAR <= year <= today.year + YEARS_AHEAD:
        raise UserError(N_("{year} is not a year I can use: write one from {first} to {last} "
                           "(or two digits, like 26)."),
                        year=text, first=FIRST_YEAR, last=today.year + YEARS_AHEAD)
    return year


def _check_week(week: int, year: int | None) -> None:
    if not 1 <= week <= 53:
        raise UserError(N_("Week {week} does not exist: weeks run from 1 to 52 or 53."),
                        week=week)
    if year is not None and week > weeks_in_year(year):
        raise UserError(N_("{year} has no week {week}."), year=year, week=week)


# With ``past``, a date without a year at most this far ahead is a slip for that day
# (which the caller refuses as ahead), not the same day of last year.
PAST_SLIP = timedelta(days=7)


def date_of(day: str | None, month: str | None, year: str | None, today: date, *,
            past: bool = False) -> date:
    """A typed day, month and (optional, also two-digit) year as a date; without a year
    the one around ``today`` — for a period the coming one ("5-1" typed in November is
    next January), with ``past`` the latest up to today ("20-12" in November is last
    December's) unless it lies just ahead (:data:`PAST_SLIP`)."""
    assert day is not None and month is not None
    y = year_of(year, today) if year else today.year
    try:
        value = date(y, int(month), int(day))
    except ValueError:
        raise UserError(N_("{text} is not a valid date."),
                        text=f"{day}-{month}" + (f"-{year}" if year else "")) from None
    if not year and past and value > today + PAST_SLIP:
        return date_of(day, month, str(value.year - 1), today)
    if not year and not past and (value - today).days < -183:
        value = value.replace(year=value.year + 1)  # "5-1" typed in November is next January
    return value


def parse_period(text: str, today: date) -> Period:
    """Parse a period; raise :class:`UserError` with a precise reason when it is invalid."""
    cleaned = " ".join(text.strip().split())
    match = _WEEK_RE.match(cleaned)
    if match:
        w1, y1_text, w2, y2_text = match.groups()
        y1 = year_of(y1_text, today) if y1_text else None
        y2 = year_of(y2_text, today) if y2_text else None
        start_week = int(w1)
        _check_week(start_week, y1)
        start_year = y1 if y1 else _nearest_year(start_week, today)
        _check_week(start_week, start_year)
        if w2 is None:
            monday = week_monday(start_year, start_week)
            return Period(monday, monday + timedelta(days=6))
        end_week = int(w2)
        _check_week(end_week, y2)
        if y2:
            end_year = y2
        elif end_week >= start_week:
            end_year = start_year
        elif y1 is None and start_week >= 40 and end_week <= 13:
            end_year = start_year + 1  # "wk 52-2": across the year end
        else:
            raise UserError(
                N_("Week {end} comes before week {start}. For a period across the year end "
                   "write e.g. “wk 52-2”."), start=start_week, end=end_week)
        _check_week(end_week, end_year)
        start = week_monday(start_year, start_week)
        end = week_monday(end_year, end_week) + timedelta(days=6)
        return _checked(Period(start, end))
    match = _DATES_RE.match(cleaned)
    if match:
        g = match.groups()
        start = (date_of(g[0], g[1], g[2], today) if g[0]
                 else date_of(g[5], g[4], g[3], today))
        if g[6] or g[9]:
            end = (date_of(g[6], g[7], g[8], today) if g[6]
                   else date_of(g[11], g[10], g[9], today))
        else:
            end = start
        return _checked(Period(start, end))
    raise UserError(N_("I do not understand the period “{text}”. Write e.g. “wk 48”, "
                       "“wk 48-49”, “wk 52-2” or “23-11-2026 - 6-12-2026”."), text=text.strip())


def _checked(period: Period) -> Period:
    if period.end < period.start:
        raise UserError(N_("The period ends before it starts."))
    if (period.end - period.start).days > MAX_SPAN_DAYS:
        raise UserError(N_("A period of more than two years is not an action period."))
    return period


def parse_week_or_date(text: str, today: date) -> date:
    """An expected-effect moment: a week (its Monday) or a date."""
    return parse_period(text, today).start


def format_weeks(start: date | None, end: date | None) -> str:
    """ISO weeks as in appendix 4: ``wk 3``, ``wk 3-4``, ``wk 52-2`` across the year end;
    with years when the short form would read as a shorter period (``wk 3 2026-wk 4 2027``);
    ``from wk 3`` / ``until wk 4`` when one end is open."""
    if start is None and end is None:
        return ""
    if start is None:
        assert end is not None
        # TRANSLATORS: a period of which only the last ISO week is known
        return _("until wk {week}").format(week=end.isocalendar().week)
    if end is None:
        # TRANSLATORS: a period of which only the first ISO week is known
        return _("from wk {week}").format(week=start.isocalendar().week)
    if end < start:
        start, end = end, start
    (y1, w1), (y2, w2) = Period(start, end).weeks
    if (y1, w1) == (y2, w2):
        return _("wk {week}").format(week=w1)
    if y1 == y2 or (y2 == y1 + 1 and w2 < w1):
        return _("wk {start}-{end}").format(start=w1, end=w2)
    return _("wk {start} {start_year}-wk {end} {end_year}").format(
        start=w1, start_year=y1, end=w2, end_year=y2
    )


def format_period(period: Period | None) -> str:
    """Weeks (:func:`format_weeks`), or dates when the period is not whole weeks."""
    if period is None:
        return _("no period")
    if period.start.weekday() == 0 and period.end.weekday() == 6:
        return format_weeks(period.start, period.end)
    if period.start == period.end:
        return period.start.strftime("%d-%m-%Y")
    return f"{period.start:%d-%m-%Y} – {period.end:%d-%m-%Y}"


def format_effect(moment: date | None, missing: str = "—") -> str:
    """Expected effect as in appendix 4 ("Wk. 8 en verder")."""
    if moment is None:
        return missing
    return _("wk {week} onwards").format(week=moment.isocalendar().week)


def weeks_overdue(period_end: date | None, today: date) -> int:
    """Whole ISO weeks between the period's last week and this week (0 = not overdue)."""
    if period_end is None or period_end >= today:
        return 0
    return max(1, (week_of(today).start - week_of(period_end).start).days // 7)
