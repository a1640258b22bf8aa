"""Label translation and Babel formatting for charts and key points, and the one spelling
shown for a name that data sources write differently.

Labels go through the project's gettext catalogs (:mod:`bot.i18n`: English msgids,
translated in ``locales/``); dates and numbers are formatted with Babel for the active
language's format locale (:func:`bot.i18n.babel_locale`). The chart modules import ``_``,
``ngettext`` and ``N_`` from here so that one place decides how charts speak.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import date

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font

from bot import i18n

__all__ = [
    "N_",
    "_",
    "drawable",
    "fmt_date",
    "fmt_int",
    "fmt_interval",
    "fmt_num",
    "fmt_pct",
    "mo_label",
    "month_label",
    "ngettext",
    "spelling_key",
    "spellings",
    "weekday_names",
]

N_ = i18n.N_


_ = i18n.gettext
ngettext = i18n.ngettext


def fmt_date(value: date, fmt: str = "d MMM y") -> str:
    return babel_dates.format_date(value, format=fmt, locale=i18n.babel_locale())


def fmt_interval(start: date, end: date, skeleton: str = "yMMMd") -> str:
    return babel_dates.format_interval(start, end, skeleton, locale=i18n.babel_locale())


def month_label(value: date) -> str:
    return babel_dates.format_date(value, format="MMM y", locale=i18n.babel_locale())


def weekday_names() -> list[str]:
    """Abbreviated weekday names, Monday first."""
    names = babel_dates.get_day_names("abbreviated", locale=i18n.babel_locale())
    return [str(names[i]) for i in range(7)]


def fmt_num(value: float, digits: int = 1) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=i18n.babel_locale())


def fmt_int(value: float) -> str:
    return babel_numbers.format_decimal(round(value), format="#,##0", locale=i18n.babel_locale())


def fmt_pct(value: float, digits: int = 0, signed: bool = False) -> str:
    """``value`` in percent (36.2 -> "36%"); ``signed`` adds + or − (a real minus sign)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    text = babel_numbers.format_decimal(abs(value), format=pattern, locale=i18n.babel_locale())
    sign = ("+" if value > 0 else "−" if value < 0 else "±") if signed else (
        "−" if value < 0 else "")
    return f"{sign}{text}%"


# MO values as the Dutch police exports (and the demo) spell them -> English msgids.
_MO = {
    "braak achterdeur": N_("forced back door"),
    "braak voordeur": N_("forced front door"),
    "raam forceren": N_("forced window"),
    "insluiping": N_("sneak-in"),
    "cilinder trekken": N_("lock pulling"),
    "flipperen": N_("latch slipping"),
    "onbekend": N_("unknown"),
}


def mo_label(value: str) -> str:
    """Display label of an MO value; unknown spellings are shown as they are."""
    msgid = _MO.get(value.strip().lower()) if isinstance(value, str) else None
    return _(msgid) if msgid else str(value)


def spelling_key(name: str) -> str:
    """What two spellings of one name share: the name with case and spacing aside."""
    return " ".join(name.split()).casefold()


def spellings(counts: Mapping[str, int]) -> dict[str, str]:
    """The spelling to show for each spelling of a name (``counts``: how often each
    occurs): of the spellings that are the same name (:func:`spelling_key`), one not in
    capitals only where there is one (police systems that shout are not the street sign),
    then the most frequent, then the first alphabetically; blanks as single spaces."""
    keyed = [(spelling_key(name), name, (name.isupper(), -n, name))
             for name, n in counts.items()]
    best: dict[str, tuple[bool, int, str]] = {}
    for key, _name, rank in keyed:
        if key not in best or rank < best[key]:
            best[key] = rank
    return {name: " ".join(best[key][2].split()) for key, name, _rank in keyed}


@functools.cache
def _glyphs() -> frozenset[int]:
    """The characters the charts' font (matplotlib's default, DejaVu Sans) can draw."""
    return frozenset(FT2Font(findfont(FontProperties())).get_charmap())


def drawable(text: str) -> str:
    """``text`` without the characters the charts' font cannot draw, which matplotlib
    would draw as empty boxes: names come from users, and an area or a region may well
    have an emoji in its name."""
    if text.isascii():
        return text
    glyphs = _glyphs()
    kept = "".join(c for c in text if ord(c) in glyphs or c == "\n")
    return text if kept == text else re.sub(r"[ \t]{2,}", " ", kept).strip()
