"""Effect review of an action (charts.effect) on hand-made fixtures with exact counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from babel.messages.extract import extract_from_file

from bot.i18n import _, ngettext, use_locale
from charts.effect import (
    EffectReview,
    binomial_test,
    effect_review,
    effect_sentence,
)

AMS = ZoneInfo("Europe/Amsterdam")
# The action: ISO weeks 45–46 of 2026. Without an expected-effect date the 8 weeks after
# start on Monday 16 November and run over the year end; the 8 weeks before cross the
# end of summer time (Sunday 25 October 2026).
START, END = date(2026, 11, 2), date(2026, 11, 15)
BEFORE = (date(2026, 9, 7), date(2026, 11, 1))
AFTER = (date(2026, 11, 16), date(2027, 1, 10))
DONE = AFTER[1]  # the last day of the after window: the review is ready


def utc(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=AMS).astimezone(UTC)


def inc(local: str, buurt: str | None = "Zuid", *, street: str = "Molenstraat",
        wijk: str = "West", to: str | None = None) -> dict:
    return {
        "occurred_from": utc(local), "occurred_to": utc(to or local), "street": street,
        "buurt": buurt, "wijk": wijk, "attempt": False, "modus_operandi": "insluiping",
        "x": np.nan, "y": np.nan,
    }


def frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for c in ("occurred_from", "occurred_to"):
        df[c] = pd.to_datetime(df[c], utc=True)
    return df


def spread(n: int, window: tuple[date, date], buurt: str) -> list[dict]:
    """``n`` incidents at noon, on successive days of ``window`` (wrapping around)."""
    days = (window[1] - window[0]).days + 1
    return [inc(f"{window[0] + timedelta(days=i % days)} 12:00", buurt) for i in range(n)]


def counts(area_before: int, area_after: int, rest_before: int, rest_after: int,
           before: tuple[date, date] = BEFORE, after: tuple[date, date] = AFTER) -> list[dict]:
    return (spread(area_before, before, "Oostbroek") + spread(area_after, after, "Oostbroek")
            + spread(rest_before, before, "Zuid") + spread(rest_after, after, "Noord"))


def review(rows: list[dict], **kw: object) -> EffectReview:
    args: dict[str, object] = {
        "area_mask_column": "buurt", "area_values": ["Oostbroek"], "period_start": START,
        "period_end": END, "expected_effect": None, "as_of": DONE,
    }
    args.update(kw)
    return effect_review(frame(rows), **args)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- windows


def test_windows_local_days_year_end_and_autumn_dst() -> None:
    rows = [
        inc("2026-09-06 23:30", "Oostbroek"),  # the day before the before window
        inc("2026-09-07 00:30", "Oostbroek"),  # first day (UTC: still 6 September)
        inc("2026-10-25 12:00", "Oostbroek"),  # end of summer time
        inc("2026-11-01 23:45", "Oostbroek"),  # last day before the action (CET)
        inc("2026-11-02 00:15", "Oostbroek"),  # action period (UTC: 1 November)
        inc("2026-11-15 23:30", "Oostbroek"),  # action period, last day
        inc("2026-11-16 00:30", "Oostbroek"),  # first day after (UTC: 15 November)
        inc("2026-12-31 23:30", "Oostbroek"),  # year end, both sides
        inc("2027-01-01 00:30", "Oostbroek"),
        inc("2027-01-10 23:30", "Oostbroek"),  # last day after
        inc("2027-01-11 00:30", "Oostbroek"),  # the day after the after window
        inc("2026-11-01 23:59", "Zuid"),
        inc("2026-11-02 00:01", "Zuid"),
        inc("2026-12-31 12:00", "Noord"),
        inc("2027-01-11 00:01", "Noord"),
    ]
    r = review(rows)
    assert (r.before, r.after) == (BEFORE, AFTER)
    assert r.days == 56
    assert (r.area_before, r.area_after, r.rest_before, r.rest_after) == (3, 4, 1, 1)
    assert r.ready


def test_expected_effect_starts_the_after_window_and_spring_dst() -> None:
    # Action in week 3 of 2027, effect expected from week 5: the after window ends on the
    # Sunday summer time starts (28 March 2027); the gap in between counts nowhere.
    rows = [
        inc("2027-01-17 23:30", "Oostbroek"),  # last day before
        inc("2027-01-31 23:30", "Oostbroek"),  # after the action, before the effect
        inc("2027-01-31 12:00", "Oostbroek", to="2027-02-03 12:00"),  # long window: start
        inc("2027-02-01 00:30", "Oostbroek"),
        inc("2027-03-28 23:30", "Oostbroek"),  # CEST: UTC 21:30
        inc("2027-03-28 18:00", "Oostbroek", to="2027-03-29 02:00"),  # midpoint 22:00
        inc("2027-03-28 22:00", "Oostbroek", to="2027-03-29 06:00"),  # midpoint 02:00 next day
        inc("2027-03-29 00:30", "Oostbroek"),  # UTC: still 28 March
    ]
    r = review(rows, period_start=date(2027, 1, 18), period_end=date(2027, 1, 24),
               expected_effect=date(2027, 2, 1), as_of=date(2027, 4, 30))
    assert r.before == (date(2026, 11, 23), date(2027, 1, 17))
    assert r.after == (date(2027, 2, 1), date(2027, 3, 28))
    assert (r.area_before, r.area_after) == (1, 3)
    assert r.ready  # as_of long past: windows stay at their full length

    short = review(rows, period_start=date(2027, 1, 18), period_end=date(2027, 1, 24),
                   expected_effect=date(2027, 2, 1), as_of=date(2027, 4, 30), weeks=2)
    assert short.before == (date(2027, 1, 4), date(2027, 1, 17))
    assert short.after == (date(2027, 2, 1), date(2027, 2, 14))
    assert (short.area_before, short.area_after) == (1, 1)


def test_as_of_inside_the_after_window_shrinks_both_windows() -> None:
    rows = [
        inc("2026-10-11 12:00", "Oostbroek"),  # only in the full before window
        inc("2026-10-12 12:00", "Oostbroek"),  # in the mirrored 21 days
        inc("2026-11-01 12:00", "Oostbroek"),
        inc("2026-12-06 23:00", "Oostbroek"),  # the 21st day after
        inc("2026-12-07 12:00", "Oostbroek"),  # not yet passed
        inc("2026-10-20 12:00", "Zuid"),
        inc("2026-11-20 12:00", "Zuid"),
    ]
    r = review(rows, as_of=date(2026, 12, 6))
    assert not r.ready
    assert r.days == 21
    assert r.before == (date(2026, 10, 12), date(2026, 11, 1))
    assert r.after == (date(2026, 11, 16), date(2026, 12, 6))
    assert (r.area_before, r.area_after, r.rest_before, r.rest_after) == (2, 1, 1, 1)

    assert not review(rows, as_of=DONE - timedelta(days=1)).ready
    assert review(rows, as_of=DONE).ready


def test_too_early_when_nothing_of_the_after_window_has_passed() -> None:
    r = review(counts(9, 0, 40, 0), as_of=date(2026, 11, 15))
    assert not r.ready
    assert r.days == 0
    assert r.before == (START, START - timedelta(days=1))  # empty
    assert r.after == (AFTER[0], AFTER[0] - timedelta(days=1))
    assert (r.area_before, r.area_after, r.rest_before, r.rest_after) == (0, 0, 0, 0)
    assert r.verdict == "too_few"
    assert r.area_change_pct is r.rest_change_pct is r.did_ratio is r.p_value is None
    assert r.expected_area_after is None


# --------------------------------------------------------------------------- area


def test_area_match_is_case_insensitive_and_the_rest_is_everything_else() -> None:
    rows = [
        inc("2026-10-01 12:00", "OOSTBROEK"),
        inc("2026-10-02 12:00", " Oostbroek "),
        inc("2026-12-01 12:00", "oostbroek"),
        inc("2026-10-03 12:00", None),  # no buurt: still in the municipality
        inc("2026-12-02 12:00", "Oostbroek-Zuid"),  # not a prefix match
    ]
    r = review(rows, area_values=["oostBROEK"])
    assert r.area == "Oostbroek"  # the data's own spelling, not the capitals (one spelling)
    assert (r.area_before, r.area_after, r.rest_before, r.rest_after) == (2, 1, 1, 1)
    # A lone string is one name, not a collection of letters.
    assert review(rows, area_values="Oostbroek").area_before == 2


def test_area_by_wijk_and_by_street() -> None:
    rows = [
        {**inc("2026-10-01 12:00"), "wijk": "Oost"},
        {**inc("2026-12-01 12:00"), "wijk": "Centrum"},
        {**inc("2026-12-02 12:00"), "wijk": "West"},
        {**inc("2026-10-05 12:00"), "street": "Kerkstraat 12"},
        {**inc("2026-12-05 12:00"), "street": "kerkstraat 7a"},
    ]
    by_wijk = review(rows, area_mask_column="wijk", area_values=["oost", "CENTRUM", "Noord"])
    assert by_wijk.area == "Oost, Centrum, Noord"
    assert (by_wijk.area_before, by_wijk.area_after) == (1, 1)
    assert (by_wijk.rest_before, by_wijk.rest_after) == (1, 2)
    # Streets lose their house numbers on both sides.
    by_street = review(rows, area_mask_column="street", area_values=["Kerkstraat 3"])
    assert by_street.area == "Kerkstraat"
    assert (by_street.area_before, by_street.area_after) == (1, 1)


@pytest.mark.parametrize(("kw", "message"), [
    ({"weeks": 0}, "weeks"),
    ({"period_end": START - timedelta(days=1)}, "ends before"),
    ({"expected_effect": START - timedelta(days=1)}, "effect"),
    ({"area_mask_column": "postcode"}, "area column"),
    ({"area_values": [" "]}, "no area"),
])
def test_invalid_arguments(kw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        review(counts(1, 1, 1, 1), **kw)


# --------------------------------------------------------------------------- statistics


def test_binomial_test_hand_computed() -> None:
    # p0 = 1/2, n = 12, k = 3: P(X <= 3) = (1 + 12 + 66 + 220) / 4096, doubled by symmetry.
    assert binomial_test(3, 12, 0.5) == pytest.approx(598 / 4096, rel=1e-12)
    # p0 = 1/3, n = 6: P(k) = C(6, k)·2^(6−k) / 729 = 64, 192, 240, 160, 60, 12, 1 (/729).
    # k = 4 (60): the outcomes no more likely are 4, 5, 6 -> 73/729; k = 0 (64): 0, 4, 5, 6.
    assert binomial_test(4, 6, 1 / 3) == pytest.approx(73 / 729, rel=1e-12)
    assert binomial_test(0, 6, 1 / 3) == pytest.approx(137 / 729, rel=1e-12)
    assert binomial_test(2, 6, 1 / 3) == pytest.approx(1.0)  # the most likely outcome
    assert binomial_test(0, 0, 0.3) == 1.0
    assert binomial_test(0, 5, 0.0) == 1.0
    assert binomial_test(5, 5, 1.0) == 1.0
    assert binomial_test(1, 5, 1.0) == 0.0
    # Large counts do not underflow.
    assert 0.0 < binomial_test(400, 1000, 0.5) < 1e-9
    with pytest.raises(ValueError):
        binomial_test(7, 6, 0.5)
    with pytest.raises(ValueError):
        binomial_test(1, 6, 1.5)


def test_changes_did_ratio_and_p_value_of_the_review() -> None:
    # The example of the brief: 9 -> 3 in the area, 100 -> 90 in the rest.
    r = review(counts(9, 3, 100, 90))
    assert (r.area_before, r.area_after, r.rest_before, r.rest_after) == (9, 3, 100, 90)
    assert r.area_change_pct == pytest.approx(-200 / 3)
    assert r.rest_change_pct == pytest.approx(-10.0)
    assert r.did_ratio == pytest.approx((3 / 9) / (90 / 100))
    assert r.expected_area_after == pytest.approx(8.1)
    assert r.p_value == pytest.approx(binomial_test(3, 12, 90 / 190))
    assert r.verdict == "no_change"  # a bigger fall, but p = 0.15

    # Rest stable: p0 = 1/2, the hand-computed 598/4096.
    r = review(counts(9, 3, 20, 20))
    assert r.p_value == pytest.approx(598 / 4096, rel=1e-12)
    assert r.did_ratio == pytest.approx(1 / 3)
    assert r.verdict == "no_change"

    # Rest halved: p0 = 10/30 = 1/3. 2 -> 4 is a doubling against a halving (did 4) ...
    r = review(counts(2, 4, 20, 10))
    assert r.p_value == pytest.approx(73 / 729, rel=1e-12)
    assert r.did_ratio == pytest.approx(4.0)
    assert r.rest_change_pct == pytest.approx(-50.0)
    assert r.verdict == "no_change"
    # ... and 6 -> 0 takes the continuity correction (0.5 in every cell).
    r = review(counts(6, 0, 20, 10))
    assert r.p_value == pytest.approx(137 / 729, rel=1e-12)
    assert r.did_ratio == pytest.approx((0.5 * 20.5) / (6.5 * 10.5))
    assert r.area_change_pct == pytest.approx(-100.0)


def test_verdict_fewer() -> None:
    r = review(counts(20, 4, 50, 50))
    # n = 24, k = 4, p0 = 1/2: 2·(1 + 24 + 276 + 2024 + 10626) / 2^24.
    assert r.p_value == pytest.approx(2 * 12951 / 2**24, rel=1e-12)
    assert r.did_ratio == pytest.approx(0.2)
    assert r.area_change_pct == pytest.approx(-80.0)
    assert r.verdict == "fewer"


def test_verdict_more() -> None:
    r = review(counts(3, 15, 40, 40))
    # n = 18, k = 15: 2·(816 + 153 + 18 + 1) / 2^18.
    assert r.p_value == pytest.approx(2 * 988 / 2**18, rel=1e-12)
    assert r.did_ratio == pytest.approx(5.0)
    assert r.verdict == "more"


def test_verdict_more_from_none_before() -> None:
    r = review(counts(0, 6, 10, 10))
    assert r.area_change_pct is None
    assert r.did_ratio == pytest.approx((6.5 * 10.5) / (0.5 * 10.5))  # = 13
    assert r.p_value == pytest.approx(2 / 64, rel=1e-12)
    assert r.verdict == "more"


def test_verdict_too_few() -> None:
    area = review(counts(2, 2, 50, 50))  # 4 < 5 in the area
    assert area.verdict == "too_few"
    assert area.p_value is None
    assert area.did_ratio == pytest.approx(1.0)  # still described
    rest_empty = review(counts(10, 2, 0, 30))  # the rest has none before: no p0
    assert rest_empty.verdict == "too_few"
    assert rest_empty.rest_change_pct is None
    small_rest = review(counts(10, 2, 5, 5))  # 10 < 20 in the rest
    assert small_rest.verdict == "too_few"
    assert small_rest.p_value is None
    assert review(counts(0, 0, 10, 10)).did_ratio is None
    # Exactly at the thresholds the test is made.
    assert review(counts(3, 2, 10, 10)).verdict == "no_change"


def test_partial_review_is_computed_on_the_days_that_passed() -> None:
    # 21 days passed: the 3 weeks after against the 3 weeks directly before the action.
    before = (date(2026, 10, 12), date(2026, 11, 1))
    after = (date(2026, 11, 16), date(2026, 12, 6))
    rows = counts(20, 4, 50, 50, before=before, after=after)
    # In the full windows but not in the passed part or its mirror: ignored.
    rows += counts(7, 7, 7, 7, before=(BEFORE[0], date(2026, 10, 11)),
                   after=(date(2026, 12, 7), AFTER[1]))
    r = review(rows, as_of=after[1])
    assert not r.ready
    assert (r.before, r.after) == (before, after)
    assert (r.area_before, r.area_after, r.rest_before, r.rest_after) == (20, 4, 50, 50)
    assert r.p_value == pytest.approx(2 * 12951 / 2**24, rel=1e-12)
    assert r.verdict == "fewer"  # provisional: ready is False


# --------------------------------------------------------------------------- sentences


def test_sentence_english_example() -> None:
    text = effect_sentence(review(counts(9, 3, 100, 90)), "en")
    assert text == (
        "In Oostbroek 3 burglaries in the 8 weeks after against 9 in the 8 weeks before "
        "(−67%); in the rest of the municipality −10%. Had Oostbroek developed like the rest "
        "of the municipality, about 8 would have been expected. That is fewer, but with these "
        "numbers it can be chance (p = 0.15)."
    )


def test_sentence_dutch_uses_the_catalog_and_babel() -> None:
    text = effect_sentence(review(counts(9, 3, 100, 90)), "nl")
    # The Dutch catalog may not have these messages yet: render the same msgids under nl.
    with use_locale("nl"):
        expected = " ".join([
            _("In {area} {after} in {period_after} against {before} in {period_before} "
              "({change}); in the rest of the municipality {rest_change}.").format(
                area="Oostbroek",
                after=ngettext("{count} burglary", "{count} burglaries", 3).format(count="3"),
                before="9",
                period_after=ngettext("the week after", "the {count} weeks after", 8).format(
                    count="8"),
                period_before=ngettext("the week before", "the {count} weeks before",
                                       8).format(count="8"),
                change="−67%", rest_change="−10%"),
            _("Had {area} developed like the rest of the municipality, about {expected} "
              "would have been expected.").format(area="Oostbroek", expected="8"),
            _("That is fewer, but with these numbers it can be chance ({p}).").format(
                p="p = 0,15"),
        ])
    assert text == expected
    assert "3 inbraken" in text  # an existing Dutch message
    assert "0,15" in text  # Dutch decimal comma
    assert effect_sentence(review(counts(9, 3, 100, 90)), "en") != text


@pytest.mark.parametrize(("counts_", "phrases"), [
    ((20, 4, 50, 50), ["4 burglaries in the 8 weeks after against 20", "(−80%)",
                       "about 20 would have been expected",
                       "That is clearly fewer; chance alone is an unlikely explanation "
                       "(p = 0.002), but it does not prove that the action caused it."]),
    ((3, 15, 40, 40), ["(+400%)", "That is clearly more; chance alone is an unlikely "
                       "explanation (p = 0.008), though it need not be due to the action."]),
    ((0, 6, 10, 10), ["6 burglaries in the 8 weeks after against none in the 8 weeks before;",
                      "about 0 would have been expected", "clearly more"]),
    ((10, 10, 30, 30), ["(±0%)", "about 10 would have been expected",
                        "That is about as expected: no difference from the rest of the "
                        "municipality that chance could not explain (p = 1.00)."]),
    ((4, 6, 20, 20), ["That is more, but with these numbers it can be chance (p = 0.75)."]),
    ((2, 2, 50, 50), ["In Oostbroek 2 burglaries in the 8 weeks after against 2 in the 8 "
                      "weeks before. That is too few for a comparison with the rest of the "
                      "municipality: with numbers this small any difference can be chance."]),
    ((10, 2, 5, 5), ["The rest of the municipality had too few burglaries in these weeks for "
                     "a comparison, so a difference can be chance or a general trend."]),
])
def test_sentence_per_verdict(counts_: tuple[int, int, int, int], phrases: list[str]) -> None:
    text = effect_sentence(review(counts(*counts_)), "en")
    for phrase in phrases:
        assert phrase in text, text
    assert "chance" in text  # always the caveat


def test_sentence_not_ready() -> None:
    before = (date(2026, 10, 16), date(2026, 11, 1))
    after = (date(2026, 11, 16), date(2026, 12, 2))  # 17 days passed
    r = review(counts(5, 1, 40, 40, before=before, after=after), as_of=after[1])
    assert not r.ready and r.days == 17
    text = effect_sentence(r, "en")
    assert text.startswith("Provisional: the weeks after the action have not all passed yet. "
                           "In Oostbroek 1 burglary in the 17 days after against 5 in the 17 "
                           "days before (−80%); ")
    assert "chance" in text

    early = effect_sentence(review(counts(5, 1, 40, 40), as_of=date(2026, 11, 10)), "en")
    assert early == ("Too early for an effect review of Oostbroek: the weeks after the "
                     "action start on 16 Nov 2026.")
    with use_locale("nl"):
        expected = _("Too early for an effect review of {area}: the weeks after the action "
                     "start on {date}.").format(area="Oostbroek", date="16 nov 2026")
    assert effect_sentence(review(counts(5, 1, 40, 40), as_of=date(2026, 11, 10)),
                           "nl") == expected


def test_p_value_display() -> None:
    from charts.effect import _p_text

    with use_locale("en"):
        assert _p_text(0.2149) == "p = 0.21"
        assert _p_text(0.0123) == "p = 0.012"
        assert _p_text(0.0004) == "p < 0.001"
        assert _p_text(0.04996) == "p < 0.05"  # not "p = 0.050" next to "clearly"
    with use_locale("nl"):
        assert _p_text(0.2149) == "p = 0,21"


def test_every_message_has_a_translators_comment() -> None:
    source = Path(__file__).resolve().parent.parent / "charts" / "effect.py"
    messages = list(extract_from_file("python", str(source), comment_tags=("TRANSLATORS:",)))
    assert len(messages) >= 15
    for _line, message, comments, _context in messages:
        assert comments and comments[0].startswith("TRANSLATORS:"), message
