"""The amount a result counts for: the number people mean, not a week, date or code."""

from __future__ import annotations

import pytest

from bot.quantities import parse_quantity


@pytest.mark.parametrize(("text", "expected"), [
    ("12 sloten vervangen", (12.0, "sloten")),
    ("1.250 flyers", (1250.0, "flyers")),
    ("2,5 uur surveillance", (2.5, "uur")),
    ("-5 sloten (correctie: dubbel geteld)", (-5.0, "sloten")),
    ("wk 48 12 sloten", (12.0, "sloten")),
    ("week 12: 3 bewoners gesproken", (3.0, "bewoners")),
    ("op 23-11 12 sloten", (12.0, "sloten")),
    ("23 nov 40 flyers", (40.0, "flyers")),
    ("1 december: 3 maal gesurveilleerd", (3.0, "maal")),
    ("om 21:30 3 bewoners", (3.0, "bewoners")),
    ("nr. 5 gedaan, 4 sloten", (4.0, "sloten")),
    ("samen met A15: 6 woningen", (6.0, "woningen")),
    ("gesprek met 3", (3.0, None)),
    ("19-23u gelopen", (None, None)),
    ("flyers verspreid", (None, None)),
])
def test_parse_quantity(text: str, expected: tuple[float | None, str | None]) -> None:
    assert parse_quantity(text) == expected
