"""Numbers in results: ``12 sloten vervangen`` → 12 × "sloten", so results can be summed."""

from __future__ import annotations

import re

# A number (Dutch "1.250" or "2,5", or English "1,250" / "2.5"), with a minus sign when it
# stands on its own ("-5 sloten": a correction), followed by an optional unit word.
_QUANTITY = re.compile(
    r"(?<![\w.,:/-])(-(?=\d))?(\d{1,3}(?:[.\s]\d{3})+|\d+)(?:[,.](\d+))?"
    r"(?![\d.,]\d|\d|[-:/]\d)\s*([^\W\d_][\w'-]*)?",
    re.UNICODE,
)
# Words whose number is a label, not an amount: "wk 48", "week 12", "nr 5", "A15".
_LABEL_BEFORE = re.compile(r"(?:\b(?:wk|week|weken|weeknr|nr|no|nummer|number)\.?\s*|\bA)$",
                           re.IGNORECASE)
# Words that make the number a date ("23 nov", "1 december"); "21 uur" stays an amount.
_MONTHS = frozenset([
    "jan", "januari", "january", "feb", "februari", "february", "mrt", "maart", "mar",
    "march", "apr", "april", "mei", "may", "jun", "juni", "june", "jul", "juli", "july",
    "aug", "augustus", "august", "sep", "sept", "september", "okt", "oktober", "oct",
    "october", "nov", "november", "dec", "december",
])
MAX_UNIT = 40


def parse_quantity(text: str) -> tuple[float | None, str | None]:
    """The quantity in ``text`` and the word after it (its unit), if any.

    The first number with a unit word wins, else the first bare number; numbers that are
    labels (week and other numbers, action codes) or part of a date or time are skipped.
    """
    bare: tuple[float, None] | None = None
    for match in _QUANTITY.finditer(text):
        if _LABEL_BEFORE.search(text[:match.start()]):
            continue
        sign, whole, fraction, unit = match.groups()
        if unit is not None and unit.lower() in _MONTHS:
            continue  # "23 nov", "1 december"
        digits = re.sub(r"[.\s]", "", whole)
        value = float(f"{digits}.{fraction}") if fraction else float(digits)
        if sign:
            value = -value
        if unit is not None:
            return value, unit.lower()[:MAX_UNIT]
        if bare is None:
            bare = (value, None)
    return bare if bare is not None else (None, None)
