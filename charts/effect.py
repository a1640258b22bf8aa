"""Effect review of an executed action: fewer burglaries in its area afterwards than elsewhere?

The action framework (bijlage 4) records for every action its area (*probleemgebied*),
its period (*periode*) and when its effect is expected (*verwachte effect*), so that the
partnership can discuss "which interventions work". This module answers that question for
one action as well as a handful of counts allow, and says so in plain language.

Method (a difference-in-differences on counts)
----------------------------------------------
* **Windows** (local calendar days in ``tz``, see :mod:`charts.data`): *before* is the
  ``weeks`` weeks ending the day before the action started; *after* is the ``weeks`` weeks
  starting on the expected-effect date, or the day after the action ended when none is
  given. The action period itself (and any gap up to the expected effect) belongs to
  neither window: the action is still building up there. Whole weeks keep the weekday mix
  of both windows equal (weekends matter for burglary).
* **Counts**: incidents (attempts included, as in the police figures) of the area — rows
  whose ``street``/``buurt``/``wijk`` is one of the given values, case-insensitively — and
  of the *rest of the municipality*, i.e. every other row of the frame (rows without a
  value in that column too: they did happen in the municipality).
* **Comparison**: the rest of the municipality shows what would have happened in the area
  without the action — season (the dark days of December), municipality-wide campaigns,
  an arrested prolific offender. The DiD ratio is
  ``(area_after / area_before) / (rest_after / rest_before)``: 1 means "the same
  development as elsewhere", 0.5 "half of what the rest's development predicts".
* **Chance**: given the area's total ``n = area_before + area_after``, and *if* the area
  followed the rest, each of its burglaries falls in the after window with probability
  ``p0 = rest_after / (rest_after + rest_before)``; ``area_after`` is then
  Binomial(``n``, ``p0``). The two-sided exact test sums the probabilities of all splits
  that are no more likely than the observed one (the rule of
  :func:`charts.analytics.fisher_exact`). Conditioning on ``n`` removes the unknown
  burglary level of the area; only its *split* matters.

Assumptions, and what the review therefore does **not** say
----------------------------------------------------------
* Burglaries are independent events (Poisson counts). Near-repeat series make counts
  clumpier than that, so p-values are if anything too small: one more reason to present
  them as "can be chance" rather than as proof.
* The rest of the municipality would have developed like the area (parallel trends), and
  the action does not influence the rest. Displacement of burglars to neighbouring buurten
  would make the rest rise and the area look better than it is.
* ``p0`` is taken as known. That is fair when the rest is much larger than the area (a
  buurt against the rest of a municipality), which is why a minimum number of incidents
  in the rest is required (:data:`MIN_REST_INCIDENTS`).
* Actions are not assigned at random: areas are chosen *because* they just had many
  burglaries, and such peaks tend to fall back by themselves (regression to the mean).
  A "fewer" verdict is therefore never presented as caused by the action.
* ``as_of`` must be a day up to which the incident data are complete (the date of the
  latest police export), not simply today: missing weeks would look like a fall.

Partial after window
--------------------
When ``as_of`` falls inside the after window, the review uses the ``d`` days of it that
have passed (``as_of`` inclusive) and shrinks the before window to the ``d`` days directly
before the action started, so both windows have the same length and their counts can be
compared as they are; ``ready`` is then ``False``. Before the after window starts
(``d = 0``) both windows are empty — written as ``(first day, first day − 1 day)`` —,
all counts are 0 and the verdict is ``"too_few"``.

Because the rest of the municipality is counted over the very same windows, ``p0`` already
carries the ratio of the window lengths: with rates ``r`` per day and lengths ``L``,
``L_a·r_a / (L_a·r_a + L_b·r_b) = rest_after / (rest_after + rest_before)``. The test and
the DiD ratio are therefore valid for unequal windows too; the percentages are changes of
the rate per day.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from bot.i18n import use_locale
from charts.data import DEFAULT_TZ, day_number, day_to_date, prepare, safe_street
from charts.text import _, fmt_date, fmt_int, fmt_num, fmt_pct, ngettext

__all__ = [
    "ALPHA",
    "MIN_AREA_INCIDENTS",
    "MIN_REST_INCIDENTS",
    "EffectReview",
    "Verdict",
    "binomial_test",
    "effect_review",
    "effect_sentence",
]

Verdict = Literal["fewer", "more", "no_change", "too_few"]

# Significance level for "fewer"/"more". Not corrected for reviewing many actions: the
# verdict is a prompt for the meeting's discussion, not a scientific finding.
ALPHA = 0.05
# With four or fewer burglaries in the area even the most extreme split (all before, none
# after) has p >= 0.125 when the rest is stable: no answer is possible, so do not pretend.
MIN_AREA_INCIDENTS = 5
# p0 is treated as known; with fewer incidents in the rest its own chance variation would
# dominate the test (20 incidents put p0 within roughly ±0.2 of the truth).
MIN_REST_INCIDENTS = 20
# Haldane–Anscombe correction: added to every cell of the 2×2 table when one is zero, so
# that the DiD ratio (a cross-product ratio) stays finite and is shrunk towards 1.
CONTINUITY = 0.5


@dataclass(frozen=True)
class EffectReview:
    """The outcome of :func:`effect_review`; see the module doc for the method.

    ``before`` and ``after`` are the windows actually counted (inclusive local dates, equal
    length; empty windows are ``(first day, first day − 1 day)``). ``area_change_pct`` and
    ``rest_change_pct`` are the change of the after window against the before window in
    percent (``None`` when the before count is 0 or nothing has passed yet).
    ``did_ratio`` is ``(area_after/area_before) / (rest_after/rest_before)``, with
    :data:`CONTINUITY` added to all four counts when one of them is 0, and ``None`` when the
    area or the rest has no incident in either window (or nothing has passed yet).
    ``p_value`` is the two-sided exact binomial test of the area's split against the rest's
    (``None`` when the verdict is ``"too_few"``).

    ``verdict``:

    * ``"too_few"`` — nothing of the after window has passed yet; or the area has fewer
      than :data:`MIN_AREA_INCIDENTS` incidents in both windows together; or the rest has
      none in one of the windows or fewer than :data:`MIN_REST_INCIDENTS` in both together;
    * ``"fewer"`` / ``"more"`` — ``p_value < ALPHA`` and the area did better / worse than
      the rest (DiD ratio below / above 1);
    * ``"no_change"`` — otherwise: no difference from the rest that chance cannot easily
      explain. That is not proof that the action had no effect.

    ``ready`` is ``False`` while the after window has not fully passed (``as_of`` before its
    last day); the numbers then describe the part that has.
    """

    area: str
    before: tuple[date, date]
    after: tuple[date, date]
    area_before: int
    area_after: int
    rest_before: int
    rest_after: int
    area_change_pct: float | None
    rest_change_pct: float | None
    did_ratio: float | None
    p_value: float | None
    verdict: Verdict
    ready: bool

    @property
    def days(self) -> int:
        """Length of each window in days (0 before the after window has started)."""
        return (self.after[1] - self.after[0]).days + 1

    @property
    def expected_area_after(self) -> float | None:
        """The area's after count had it developed like the rest of the municipality."""
        if self.days == 0 or self.rest_before == 0:
            return None
        return self.area_before * self.rest_after / self.rest_before


# --------------------------------------------------------------------------- statistics


def binomial_test(k: int, n: int, p0: float) -> float:
    """Two-sided p-value of the exact binomial test of ``k`` successes in ``n`` trials.

    Sums the probabilities of all outcomes that are no more likely than the observed one
    (the "minimum likelihood" rule, as in :func:`charts.analytics.fisher_exact`; a small
    relative tolerance keeps ties that differ only by rounding together). Log-space, so
    a wijk with hundreds of incidents does not underflow.
    """
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if not 0.0 <= p0 <= 1.0:
        raise ValueError(f"p0 must be a probability, got {p0}")
    if n == 0:
        return 1.0
    if p0 in (0.0, 1.0):
        # Degenerate: only one outcome is possible.
        return 1.0 if k == (n if p0 == 1.0 else 0) else 0.0
    ks = np.arange(n + 1, dtype=float)
    lgamma = np.vectorize(math.lgamma)
    log_probs = (
        math.lgamma(n + 1) - lgamma(ks + 1) - lgamma(n - ks + 1)
        + ks * math.log(p0) + (n - ks) * math.log1p(-p0)
    )
    probs = np.exp(log_probs)
    observed = probs[k]
    return float(min(1.0, probs[probs <= observed * (1 + 1e-7)].sum()))


def _change_pct(after: int, before: int, days_after: int, days_before: int) -> float | None:
    """Change of the rate per day in percent (windows are equal here; see module doc)."""
    if before == 0 or days_after == 0 or days_before == 0:
        return None
    return (after / days_after) / (before / days_before) * 100.0 - 100.0


def _did_ratio(area_before: int, area_after: int, rest_before: int,
               rest_after: int) -> float | None:
    if area_before + area_after == 0 or rest_before + rest_after == 0:
        return None  # a whole row is empty: the ratio would be made up by the correction
    cells = [float(area_before), float(area_after), float(rest_before), float(rest_after)]
    if min(cells) == 0:
        cells = [c + CONTINUITY for c in cells]
    a_b, a_a, r_b, r_a = cells
    # Window lengths cancel: (a_a/L_a)/(a_b/L_b) / ((r_a/L_a)/(r_b/L_b)) = a_a·r_b/(a_b·r_a).
    return (a_a * r_b) / (a_b * r_a)


def _enough(area_before: int, area_after: int, rest_before: int, rest_after: int) -> bool:
    return (
        area_before + area_after >= MIN_AREA_INCIDENTS
        and rest_before > 0
        and rest_after > 0
        and rest_before + rest_after >= MIN_REST_INCIDENTS
    )


# --------------------------------------------------------------------------- review


def _area_keys(values: Collection[str], column: str) -> list[tuple[str, str]]:
    """(match key, given spelling) per area value, in the given order, without repeats."""
    if isinstance(values, str):
        values = [values]  # a lone name, not a collection of its letters
    keys: list[tuple[str, str]] = []
    for value in values:
        # Streets in the frame have lost their house numbers (charts.data.safe_street);
        # a value typed as "Molenstraat 12" must match them the same way.
        text = str(safe_street(value) if column == "street" else value).strip()
        key = text.casefold()
        if text and key not in {k for k, _label in keys}:
            keys.append((key, text))
    return keys


def effect_review(
    incidents: pd.DataFrame,
    *,
    area_mask_column: str,
    area_values: Collection[str],
    period_start: date,
    period_end: date,
    expected_effect: date | None,
    as_of: date,
    weeks: int = 8,
    tz: str = DEFAULT_TZ,
) -> EffectReview:
    """Review the effect of one executed action (see the module doc for method and rules).

    ``area_mask_column`` is ``"buurt"``, ``"wijk"`` or ``"street"``; ``area_values`` the
    names of the action's area in that column (matched case-insensitively). The frame is
    taken to be one municipality: every row outside the area is "the rest".
    ``as_of`` is the last local day the incident data are complete for.
    """
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    if period_end < period_start:
        raise ValueError("the action period ends before it starts")
    if expected_effect is not None and expected_effect < period_start:
        raise ValueError("the effect cannot be expected before the action starts")
    df = prepare(incidents, tz)
    if area_mask_column not in ("street", "buurt", "wijk"):
        raise ValueError(f"area column must be street, buurt or wijk, not {area_mask_column!r}")
    keys = _area_keys(area_values, area_mask_column)
    if not keys:
        raise ValueError("no area given")

    column = df[area_mask_column]
    # Case-fold the distinct names only: exports repeat the same few hundred.
    names = pd.unique(column[column.notna()])
    folded = {name: str(name).casefold() for name in names}
    key_set = {k for k, _label in keys}
    in_area = column.map(folded).isin(key_set).to_numpy()
    # Show the area as the data spell it ("Oostbroek" even when asked for "oostbroek").
    spelled: dict[str, str] = {}
    for name, key in folded.items():
        spelled.setdefault(key, str(name))
    area = ", ".join(spelled.get(k, label) for k, label in keys)

    length = 7 * weeks
    start = day_number(period_start)
    after_start = (
        day_number(expected_effect) if expected_effect is not None
        else day_number(period_end) + 1
    )
    # The part of the after window that has passed (as_of inclusive, like every "last N
    # days" in charts); the before window mirrors it so that both stay equally long.
    days = min(max(day_number(as_of) - after_start + 1, 0), length)
    ready = days == length
    before = (start - days, start - 1)
    after = (after_start, after_start + days - 1)

    day = df["_day"].to_numpy()
    in_before = (day >= before[0]) & (day <= before[1])
    in_after = (day >= after[0]) & (day <= after[1])
    area_before = int(np.count_nonzero(in_before & in_area))
    area_after = int(np.count_nonzero(in_after & in_area))
    rest_before = int(np.count_nonzero(in_before & ~in_area))
    rest_after = int(np.count_nonzero(in_after & ~in_area))

    did = _did_ratio(area_before, area_after, rest_before, rest_after) if days else None
    p_value: float | None = None
    verdict: Verdict = "too_few"
    if days and _enough(area_before, area_after, rest_before, rest_after):
        p0 = rest_after / (rest_after + rest_before)
        p_value = binomial_test(area_after, area_before + area_after, p0)
        verdict = "no_change"
        if p_value < ALPHA and did is not None and did != 1.0:
            verdict = "fewer" if did < 1.0 else "more"

    return EffectReview(
        area=area,
        before=(day_to_date(before[0]), day_to_date(before[1])),
        after=(day_to_date(after[0]), day_to_date(after[1])),
        area_before=area_before,
        area_after=area_after,
        rest_before=rest_before,
        rest_after=rest_after,
        area_change_pct=_change_pct(area_after, area_before, days, days),
        rest_change_pct=_change_pct(rest_after, rest_before, days, days),
        did_ratio=did,
        p_value=p_value,
        verdict=verdict,
        ready=ready,
    )


# --------------------------------------------------------------------------- sentence


def _p_text(p: float) -> str:
    """``p = 0.21`` with the language's decimal sign; never rounded across ALPHA."""
    if p < 0.001:
        return f"p < {fmt_num(0.001, 3)}"
    digits = 2 if p >= 0.1 else 3
    if p < ALPHA <= round(p, digits):
        return f"p < {fmt_num(ALPHA, 2)}"  # "p = 0.050" next to "clearly fewer" would jar
    return f"p = {fmt_num(p, digits)}"


def _span(days: int, *, after: bool) -> str:
    """"the 8 weeks after" / "the 17 days before": whole weeks when the window is."""
    if days % 7 == 0:
        n = days // 7
        if after:
            # TRANSLATORS: Dutch "de {count} weken erna" (singular "de week erna")
            return ngettext("the week after", "the {count} weeks after", n).format(
                count=fmt_int(n))
        # TRANSLATORS: Dutch "de {count} weken ervoor" (singular "de week ervoor")
        return ngettext("the week before", "the {count} weeks before", n).format(
            count=fmt_int(n))
    if after:
        # TRANSLATORS: Dutch "de {count} dagen erna" (singular "de dag erna")
        return ngettext("the day after", "the {count} days after", days).format(
            count=fmt_int(days))
    # TRANSLATORS: Dutch "de {count} dagen ervoor" (singular "de dag ervoor")
    return ngettext("the day before", "the {count} days before", days).format(
        count=fmt_int(days))


def _expected_text(value: float) -> str:
    # "about 8" reads better than "about 8.1"; below 1 a decimal avoids "about 0".
    return fmt_int(value) if value >= 1 or value == 0 else fmt_num(value, 1)


def _sentences(review: EffectReview) -> list[str]:
    if review.days == 0:
        # TRANSLATORS: Dutch "Te vroeg voor een effectmeting in {area}: de weken na de actie
        # beginnen op {date}."
        return [_("Too early for an effect review of {area}: the weeks after the action "
                  "start on {date}.").format(area=review.area, date=fmt_date(review.after[0]))]
    parts: list[str] = []
    if not review.ready:
        # TRANSLATORS: Dutch "Voorlopig: de weken na de actie zijn nog niet allemaal voorbij."
        parts.append(_("Provisional: the weeks after the action have not all passed yet."))
    # TRANSLATORS: number of burglaries, e.g. "3 inbraken" (existing message)
    after_count = ngettext("{count} burglary", "{count} burglaries", review.area_after).format(
        count=fmt_int(review.area_after))
    values = {
        "area": review.area,
        "after": after_count,
        "before": fmt_int(review.area_before),
        "period_after": _span(review.days, after=True),
        "period_before": _span(review.days, after=False),
    }

    if review.verdict == "too_few":
        # TRANSLATORS: Dutch "In {area} {after} in {period_after} tegen {before} in
        # {period_before}."
        parts.append(_("In {area} {after} in {period_after} against {before} in "
                       "{period_before}.").format(**values))
        if review.area_before + review.area_after < MIN_AREA_INCIDENTS:
            # TRANSLATORS: Dutch "Dat is te weinig voor een vergelijking met de rest van de
            # gemeente: bij zulke kleine aantallen kan elk verschil toeval zijn."
            parts.append(_("That is too few for a comparison with the rest of the "
                           "municipality: with numbers this small any difference can be "
                           "chance."))
        else:
            # TRANSLATORS: Dutch "In de rest van de gemeente waren er in deze weken te weinig
            # inbraken om mee te vergelijken, dus een verschil kan toeval of een algemene
            # trend zijn."
            parts.append(_("The rest of the municipality had too few burglaries in these "
                           "weeks for a comparison, so a difference can be chance or a "
                           "general trend."))
        return parts

    rest_change = fmt_pct(review.rest_change_pct or 0.0, signed=True)
    if review.area_change_pct is None:
        # TRANSLATORS: Dutch "In {area} {after} in {period_after} tegen geen in
        # {period_before}; in de rest van de gemeente {rest_change}."
        parts.append(_("In {area} {after} in {period_after} against none in {period_before}; "
                       "in the rest of the municipality {rest_change}.").format(
            rest_change=rest_change, **values))
    else:
        # TRANSLATORS: Dutch "In {area} {after} in {period_after} tegen {before} in
        # {period_before} ({change}); in de rest van de gemeente {rest_change}."
        parts.append(_("In {area} {after} in {period_after} against {before} in "
                       "{period_before} ({change}); in the rest of the municipality "
                       "{rest_change}.").format(
            change=fmt_pct(review.area_change_pct, signed=True), rest_change=rest_change,
            **values))
    expected = review.expected_area_after or 0.0
    # TRANSLATORS: Dutch "Als {area} zich als de rest van de gemeente had ontwikkeld, waren er
    # ongeveer {expected} verwacht."
    parts.append(_("Had {area} developed like the rest of the municipality, about {expected} "
                   "would have been expected.").format(
        area=review.area, expected=_expected_text(expected)))

    p = _p_text(review.p_value if review.p_value is not None else 1.0)
    if review.verdict == "fewer":
        # TRANSLATORS: Dutch "Dat is duidelijk minder; toeval alleen is een onwaarschijnlijke
        # verklaring ({p}), maar het bewijst niet dat de actie de oorzaak is."
        parts.append(_("That is clearly fewer; chance alone is an unlikely explanation ({p}), "
                       "but it does not prove that the action caused it.").format(p=p))
    elif review.verdict == "more":
        # TRANSLATORS: Dutch "Dat is duidelijk meer; toeval alleen is een onwaarschijnlijke
        # verklaring ({p}), al hoeft het niet aan de actie te liggen."
        parts.append(_("That is clearly more; chance alone is an unlikely explanation ({p}), "
                       "though it need not be due to the action.").format(p=p))
    elif abs(review.area_after - expected) < 1.0:
        # TRANSLATORS: Dutch "Dat is ongeveer zoals verwacht: geen verschil met de rest van de
        # gemeente dat niet door toeval te verklaren is ({p})."
        parts.append(_("That is about as expected: no difference from the rest of the "
                       "municipality that chance could not explain ({p}).").format(p=p))
    elif review.area_after < expected:
        # TRANSLATORS: Dutch "Dat is minder, maar bij deze aantallen kan dat toeval zijn ({p})."
        parts.append(_("That is fewer, but with these numbers it can be chance ({p}).").format(
            p=p))
    else:
        # TRANSLATORS: Dutch "Dat is meer, maar bij deze aantallen kan dat toeval zijn ({p})."
        parts.append(_("That is more, but with these numbers it can be chance ({p}).").format(
            p=p))
    return parts


def effect_sentence(review: EffectReview, language: str) -> str:
    """The review as finished plain-language sentences in ``language``.

    Always mentions chance and never claims that the action caused a change (see the module
    doc for why: regression to the mean, displacement, other causes).
    """
    with use_locale(language):
        return " ".join(_sentences(review))
