"""Near-repeat zones on small hand-made examples."""

from __future__ import annotations

from datetime import date

from charts.zones import ZoneIncident, band_of, near_polygon, near_repeat_zones

TODAY = date(2026, 11, 23)


def inc(id_: int, day: int, x: float | None, y: float | None, street: str = "Dorpsstraat",
        hour: int | None = None, area: int | None = 1) -> ZoneIncident:
    return ZoneIncident(id_, date(2026, 11, day), x, y, street, "Oostbroek", area, hour=hour,
                        mo="Braak achterdeur")


def test_burglaries_within_the_radius_form_one_zone_until_the_window_ends() -> None:
    incidents = [inc(1, 20, 0, 0, hour=21), inc(2, 22, 150, 0, "Kerkstraat", hour=22),
                 inc(3, 21, 1000, 0, "Molenweg", hour=3), inc(4, 1, 0, 0)]  # 4: too old
    zones = near_repeat_zones(incidents, TODAY, radius_m=200, window_days=14)
    assert [(z.key, z.incident_ids) for z in zones] == [("nr:1", [1, 2]), ("nr:3", [3])]
    first = zones[0]
    assert first.streets == ["Dorpsstraat", "Kerkstraat"]
    assert first.expires_on == date(2026, 12, 6)  # 14 days after the 22nd
    assert first.band == "evening"
    assert (first.grid_x, first.grid_y) == (125.0, 125.0)  # centre snapped to 250 m
    # Single linkage: a chain of burglaries 150 m apart is one zone.
    chain = [inc(n, 20, 150.0 * n, 0) for n in range(1, 6)]
    assert len(near_repeat_zones(chain, TODAY)) == 1
    # Nothing in the window: no zones.
    assert near_repeat_zones(incidents, date(2027, 1, 1)) == []


def test_a_zone_keeps_its_key_when_its_first_burglary_drops_out() -> None:
    incidents = [inc(10, 10, 0, 0), inc(11, 20, 100, 0)]
    [before] = near_repeat_zones(incidents, date(2026, 11, 20))
    assert before.key == "nr:10"
    [after] = near_repeat_zones(incidents, date(2026, 11, 25),
                                previous={before.key: before.incident_ids})
    assert after.incident_ids == [11] and after.key == "nr:10"


def test_without_coordinates_per_street_and_joined_to_a_zone_on_that_street() -> None:
    incidents = [inc(1, 20, 0, 0), inc(2, 21, None, None), inc(3, 21, None, None, "Molenweg")]
    zones = near_repeat_zones(incidents, TODAY)
    assert sorted(z.incident_ids for z in zones) == [[1, 2], [3]]


def test_a_street_written_two_ways_is_named_once_in_its_street_sign_spelling() -> None:
    incidents = [inc(1, 20, 0, 0, "DORPSSTRAAT"), inc(2, 21, 50, 0, "DORPSSTRAAT"),
                 inc(3, 21, 80, 0, "Dorpsstraat"), inc(4, 22, 100, 0, "Kerkstraat")]
    [zone] = near_repeat_zones(incidents, TODAY)
    assert zone.streets == ["Dorpsstraat", "Kerkstraat"]


def test_outlines_within_the_radius_are_touched() -> None:
    square = [(300.0, -100.0), (500.0, -100.0), (500.0, 100.0), (300.0, 100.0)]
    far = [(900.0, -100.0), (1000.0, -100.0), (1000.0, 100.0), (900.0, 100.0)]
    [zone] = near_repeat_zones([inc(1, 20, 150, 0)], TODAY, outlines={7: square, 8: far})
    assert zone.area_ids == [1, 7]
    assert near_polygon(400, 0, square, 0) and not near_polygon(700, 0, square, 100)


def test_bands() -> None:
    assert [band_of(h) for h in (0, 5, 6, 11, 12, 17, 18, 23)] == [
        "night", "night", "morning", "morning", "afternoon", "afternoon", "evening", "evening"]
    mixed = [inc(1, 20, 0, 0, hour=3), inc(2, 20, 10, 0, hour=9), inc(3, 20, 20, 0, hour=15)]
    assert near_repeat_zones(mixed, TODAY)[0].band == "various"
