"""Numbers in results: ``12 sloten vervangen`` → 12 × "sloten", so results can be summed."""

from __future__ import annotations

import re

# A number (Dutch "1.250" or "2,5", or English "1,250" / "2.5") followed by a unit word.
_QUANTITY = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[.\s]\d{3})+|\d+)(?:[,.](\d+))?\s*([^\W\d_][\w'-]*)?",
    re.UNICODE,
)
MAX_UNIT = 40


def parse_quantity(text: str) -> tuple[float | None, str | None]:
    """The first quantity in ``text`` and the word after it (its unit), if any."""
    match = _QUANTITY.search(text)
    if match is None:
        return None, None
    whole, fraction, unit = match.groups()
    digits = re.sub(r"[.\s]", "", whole)
    value = float(f"{digits}.{fraction}") if fraction else float(digits)
    if unit is not None:
        unit = unit.lower()[:MAX_UNIT]
    return value, unit
