"""Which burglaries registered with /inbraak a police export holds too
(:func:`bot.incidents.match_registrations`): hand-made cases of the rules."""

from __future__ import annotations

from typing import Any

from bot.incidents import match_registrations


def row(id_: int, start: str, end: str | None = None, street: str | None = "Dorpsstraat",
        number: str | None = None, x: float | None = None,
        y: float | None = None) -> dict[str, Any]:
    """An incident as ``places_between`` reads it (times in UTC)."""
    return {"id": id_, "occurred_from": f"2026-11-{start}:00+00:00",
            "occurred_to": f"2026-11-{end or start}:00+00:00", "street": street,
            "house_number": number, "x": x, "y": y}


def test_same_street_number_and_time_match_whatever_their_spelling() -> None:
    registered = [row(1, "22T20:30", street="Dorpsstraat", number="12a")]
    exported = [row(10, "22T20:00", "22T22:00", street=" DORPSSTRAAT ", number="12 A")]
    assert match_registrations(registered, exported) == [(1, 10)]


def test_another_house_number_another_street_or_another_day_is_another_burglary() -> None:
    registered = [row(1, "22T20:30", number="12")]
    assert match_registrations(registered, [row(10, "22T20:30", number="14")]) == []
    assert match_registrations(registered, [row(10, "22T20:30", street="Kerkstraat",
                                                number="12")]) == []
    # The wijkagent's time is an estimate: three hours either side still match, more not.
    assert match_registrations(registered, [row(10, "22T23:15", number="12")]) == [(1, 10)]
    assert match_registrations(registered, [row(10, "23T00:00", number="12")]) == []


def test_a_whole_day_of_the_export_holds_a_time_on_that_day() -> None:
    registered = [row(1, "21T19:30")]
    exported = [row(10, "20T23:00", "21T22:59")]  # 21-11 local, 00:00–23:59
    assert match_registrations(registered, exported) == [(1, 10)]


def test_without_a_house_number_the_closest_in_time_is_it_and_each_matches_once() -> None:
    registered = [row(1, "16T17:00"), row(2, "16T16:30", number="211")]
    exported = [row(10, "16T16:35", number="211"), row(11, "16T17:00", number="201"),
                row(12, "16T18:00", number="197")]
    # 2 has the house number of 10; 1 (no number) takes the closest of the others.
    assert sorted(match_registrations(registered, exported)) == [(1, 11), (2, 10)]
    # Two registrations of one burglary (a double tap) replace by one row, not both.
    twice = [row(1, "16T17:00", number="201"), row(2, "16T17:05", number="201")]
    assert match_registrations(twice, [row(11, "16T17:00", number="201")]) == [(1, 11)]


def test_without_a_street_the_place_decides() -> None:
    registered = [row(1, "22T20:30", street=None, x=81_000.0, y=455_000.0)]
    near = [row(10, "22T20:30", street="Dorpsstraat", x=81_060.0, y=455_040.0)]
    far = [row(10, "22T20:30", street="Dorpsstraat", x=81_300.0, y=455_000.0)]
    unplaced = [row(10, "22T20:30", street="Dorpsstraat")]
    assert match_registrations(registered, near) == [(1, 10)]
    assert match_registrations(registered, far) == []
    assert match_registrations(registered, unplaced) == []


def test_an_export_row_without_a_street_matches_by_place_too() -> None:
    registered = [row(1, "22T20:30", x=81_000.0, y=455_000.0),
                  row(2, "22T20:30", street="Kerkstraat")]  # no position: cannot tell
    exported = [row(10, "22T20:30", street=None, x=81_050.0, y=455_000.0)]
    assert match_registrations(registered, exported) == [(1, 10)]
