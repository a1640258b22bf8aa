"""Translations and locale-aware formatting.

The locale of the update being handled lives in a :class:`contextvars.ContextVar`, never in
process-global state, so concurrent updates (and jobs) each speak their own language. Use::

    from bot.i18n import _, ngettext, use_locale

    with use_locale("en"):
        text = _("Welcome, {name}!").format(name=user.first_name)

Message ids are English; both ``nl`` and ``en`` catalogs are complete. Catalogs are read
from ``locales/<lang>/LC_MESSAGES/messages.mo`` when that file is up to date, otherwise
compiled in memory from the ``.po`` file, so a fresh checkout works without a build step.
``N_`` marks strings for extraction that are translated later (module-level constants).

Dates and numbers go through Babel; times are stored in UTC and shown in the configured
zone (Europe/Amsterdam by default).
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.settings import SUPPORTED_LANGUAGES

DOMAIN = "messages"
DEFAULT_LANGUAGE = "nl"

_current_locale: ContextVar[str] = ContextVar("wijkbot_locale", default=DEFAULT_LANGUAGE)
# ZoneInfo objects are immutable and cached by zoneinfo, so sharing the default is safe.
_display_tz: ContextVar[ZoneInfo] = ContextVar(
    "wijkbot_display_tz", default=ZoneInfo("Europe/Amsterdam")  # noqa: B039
)


def locales_dir() -> Path:
    """Directory that holds ``messages.pot`` and the per-language catalogs."""
    return Path(str(resources.files("locales")))


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """Load (and cache) the catalog of one language."""
    base = locales_dir() / lang / "LC_MESSAGES"
    po, mo = base / f"{DOMAIN}.po", base / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    if po.exists():
        # No compiled catalog (fresh checkout) or a stale one: compile in memory.
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang, domain=DOMAIN)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        buf.seek(0)
        return _gettext.GNUTranslations(buf)
    return _gettext.NullTranslations()


def normalize_language(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Map a Telegram ``language_code`` such as ``en-GB`` or ``nl`` to a supported language."""
    if code:
        short = code.split("-")[0].split("_")[0].lower()
        if short in SUPPORTED_LANGUAGES:
            return short
    return default


def get_locale() -> str:
    return _current_locale.get()


def set_locale(lang: str) -> None:
    """Set the locale for the rest of the current task (an update or a job)."""
    _current_locale.set(normalize_language(lang))


@contextmanager
def use_locale(lang: str) -> Iterator[None]:
    """Temporarily speak ``lang``, e.g. when messaging another user than the sender."""
    token = _current_locale.set(normalize_language(lang))
    try:
        yield
    finally:
        _current_locale.reset(token)


def set_display_timezone(tz: ZoneInfo) -> None:
    _display_tz.set(tz)


def gettext(message: str) -> str:
    return translations(get_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(get_locale()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(get_locale()).pgettext(context, message)


class Msgid(str):
    """A message id marked with :func:`N_`: still a plain string, but recognisable, so
    that e.g. :class:`bot.errors.UserError` translates it when it is a parameter."""

    __slots__ = ()


def N_(message: str) -> Msgid:
    """Mark a string for extraction without translating it now."""
    return Msgid(message)


_ = gettext


# The Babel locale that formats dates, times and numbers for each language. English is
# written the British way (day before month, 24-hour clock, four-digit years): the
# partnership works in the Netherlands next to Dutch colleagues, where “11/5/26” for
# 5 November — CLDR's default (American) English — would be misread as 11 May.
FORMAT_LOCALES = {"nl": "nl_NL", "en": "en_GB"}


@cache
def _parsed_locale(lang: str) -> Locale:
    return Locale.parse(FORMAT_LOCALES.get(lang, lang))


def babel_locale() -> Locale:
    return _parsed_locale(get_locale())


def to_local(moment: datetime) -> datetime:
    """Convert an aware (or naive UTC) datetime to the display time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_display_tz.get())


def format_date(value: date | datetime, fmt: str = "medium") -> str:
    if isinstance(value, datetime):
        value = to_local(value).date()
    return babel_dates.format_date(value, format=fmt, locale=babel_locale())


def format_day(value: date | datetime, skeleton: str = "MMMd") -> str:
    """A day without the year in the locale's own order: ``16 nov`` / ``Nov 16`` (with
    ``MMMMd``: ``16 november`` / ``November 16``)."""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return babel_dates.format_skeleton(skeleton, value, locale=babel_locale())


def format_date_range(start: date | datetime, end: date | datetime) -> str:
    """Two days as one period in the locale's own way: ``2 jan – 30 jun 2026`` /
    ``Jan 2 – Jun 30, 2026`` (one day: that day)."""
    if isinstance(start, datetime):
        start = to_local(start).date()
    if isinstance(end, datetime):
        end = to_local(end).date()
    return babel_dates.format_interval(start, end, "yMMMd", locale=babel_locale())


def format_datetime(value: datetime, fmt: str = "medium") -> str:
    """A UTC moment in the display zone: ``30 nov 2026, 10:00`` / ``30 Nov 2026, 10:00``
    (``medium``), ``30-11-2026, 10:00`` / ``30/11/2026, 10:00`` (``short``).

    ``medium`` is the medium date with the *short* time: CLDR's medium time has seconds
    ("10:00:00"), which nobody planning a meeting or reading a log wants to see."""
    local = to_local(value)
    if fmt == "medium":
        # The locale's own order of date and time (CLDR: "{1}, {0}" is date first).
        pattern = str(babel_locale().datetime_formats["medium"])
        return (pattern.replace("{1}", format_date(local, "medium"))
                .replace("{0}", format_time(local, "short")))
    return babel_dates.format_datetime(
        local, format=fmt, tzinfo=local.tzinfo, locale=babel_locale()
    )


def format_moment(value: datetime) -> str:
    """A meeting moment: the full date and the short local time (no seconds, no zone)."""
    return _("{date}, {time}").format(date=format_date(value, "full"),
                                      time=format_time(value, "short"))


def format_window(start: datetime, end: datetime) -> str:
    """A time window in the display zone, short: ``23-11-2026, 08:00–17:30`` (one day),
    ``22-11-2026, 18:00 – 23-11-2026, 07:00`` (overnight), or one moment."""
    if start == end:
        return format_datetime(start, "short")
    if to_local(start).date() == to_local(end).date():
        # The locale's own "{time}, {date}" order (CLDR: "{1}, {0}" is date first).
        pattern = str(babel_locale().datetime_formats["short"])
        times = f"{format_time(start)}\u2013{format_time(end)}"
        return pattern.replace("{1}", format_date(start, "short")).replace("{0}", times)
    return f"{format_datetime(start, 'short')} \u2013 {format_datetime(end, 'short')}"


def format_time(value: datetime, fmt: str = "short") -> str:
    local = to_local(value)
    return babel_dates.format_time(local, format=fmt, tzinfo=local.tzinfo, locale=babel_locale())


def format_number(value: float | int) -> str:
    if isinstance(value, int) and -1000 < value < 1000:
        return str(value)  # no grouping or decimals: the same in every supported language
    return babel_numbers.format_decimal(value, locale=babel_locale())


def iso_week(value: date) -> tuple[int, int]:
    """(ISO year, ISO week). Babel's ``w`` pattern follows each locale's own week rules
    (Sunday-start in en_US), but Dutch partnerships plan in ISO weeks everywhere."""
    iso = value.isocalendar()
    return iso.year, iso.week


def format_week(value: date, *, with_year: bool = False) -> str:
    year, week = iso_week(value)
    if with_year:
        return _("week {week} of {year}").format(week=format_number(week), year=year)
    return _("week {week}").format(week=format_number(week))
