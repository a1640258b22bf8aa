"""The interventions catalogue (appendix 6 of the Focus approach), grouped by target.

Picking from it fills an action's "what" and "target" in two taps. Labels are message ids
(English), translated at display; the Dutch catalog holds the wording partnerships use.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_


@dataclass(frozen=True, slots=True)
class Intervention:
    key: str       # stable, short: used in callback data
    target: str    # dader | slachtoffer | domein
    label: str     # msgid
    type: str      # the usual typing: preventie | proactie | repressie | nazorg


CATALOGUE: tuple[Intervention, ...] = (
    # domein (place): locks and hardware, spatial measures, eyes and ears
    Intervention("pkvw", "domein", N_("PKVW: police safe-housing quality mark"), "preventie"),
    Intervention("locks", "domein", N_("Replace locks in rental homes (with the housing "
                                       "corporation)"), "preventie"),
    Intervention("subsidy", "domein", N_("Municipal subsidy for locks and hardware"),
                 "preventie"),
    Intervention("walk", "domein", N_("Inspection walk with residents"), "preventie"),
    Intervention("prune", "domein", N_("Improve sight lines (prune greenery)"), "preventie"),
    Intervention("light", "domein", N_("Improve lighting"), "preventie"),
    Intervention("alleys", "domein", N_("Close off back alleys"), "preventie"),
    Intervention("watch", "domein", N_("Neighbourhood watch walk"), "proactie"),
    Intervention("dogs", "domein", N_("Dog owners' watch (Waaks)"), "proactie"),
    Intervention("rounds", "domein", N_("Extra evening rounds by city wardens"), "proactie"),
    Intervention("patrol", "domein", N_("Extra police surveillance"), "proactie"),
    Intervention("camera", "domein", N_("Mobile / flex camera at the hotspot"), "proactie"),
    # dader (offender)
    Intervention("pga", "dader", N_("Person-oriented approach via the Veiligheidshuis"),
                 "repressie"),
    Intervention("calendar", "dader", N_("Calendar of detention and release of prolific "
                                         "offenders"), "proactie"),
    Intervention("visits", "dader", N_("Extra visits to (ex-)prolific offenders"), "proactie"),
    Intervention("topx", "dader", N_("Top-X approach"), "repressie"),
    # slachtoffer (victim) and communication
    Intervention("letter", "slachtoffer", N_("Letter from police and municipality to the "
                                             "street"), "preventie"),
    Intervention("flyer", "slachtoffer", N_("Flyer “Burglars active” / “Lock the gate”"),
                 "preventie"),
    Intervention("holiday", "slachtoffer", N_("Campaign “Report your holiday to the police”"),
                 "preventie"),
    Intervention("evening", "slachtoffer", N_("Residents' evening"), "preventie"),
    Intervention("interviews", "slachtoffer", N_("Street interviews: talk to residents"),
                 "preventie"),
    Intervention("aftercare", "slachtoffer", N_("Aftercare visit to victims and neighbours"),
                 "nazorg"),
    Intervention("burgernet", "slachtoffer", N_("Burgernet / social media message"),
                 "preventie"),
    Intervention("weekly", "slachtoffer", N_("Publish the weekly burglary count"), "preventie"),
)

BY_KEY = {i.key: i for i in CATALOGUE}
TARGETS = ("domein", "dader", "slachtoffer")
TYPES = ("preventie", "proactie", "repressie", "nazorg")


def for_target(target: str) -> list[Intervention]:
    return [i for i in CATALOGUE if i.target == target]
