"""Translated display labels for the stored enumeration keys."""

from __future__ import annotations

from enum import Enum

from bot.i18n import N_, _, get_locale
from storage.models import AreaKind, ChatPurpose, PartnerKind, Role

_ROLE = {
    Role.PROJECTLEIDER: N_("project leader"),
    Role.PARTNER: N_("partner"),
    Role.WIJKAGENT: N_("community police officer"),
    Role.ANALIST: N_("analyst"),
    Role.MEELEZER: N_("observer"),
}
_PARTNER_KIND = {
    PartnerKind.GEMEENTE: N_("municipality"),
    PartnerKind.POLITIE: N_("police"),
    PartnerKind.OM: N_("public prosecutor"),
    PartnerKind.WONINGCORPORATIE: N_("housing corporation"),
    PartnerKind.STADSTOEZICHT: N_("city wardens"),
    PartnerKind.VEILIGHEIDSHUIS: N_("safety house"),
    PartnerKind.BUURTPREVENTIE: N_("neighbourhood watch"),
    PartnerKind.OVERIG: N_("other"),
}
_AREA_KIND = {
    AreaKind.WIJK: N_("district"),
    AreaKind.BUURT: N_("neighbourhood"),
    AreaKind.STRAAT: N_("street"),
    AreaKind.HOTSPOT: N_("hotspot"),
}
_PURPOSE = {
    ChatPurpose.OPERATIONAL: N_("operational meeting"),
    ChatPurpose.NEIGHBOURHOOD_WATCH: N_("neighbourhood watch"),
}

# Words people may type for each key, in either language (lower case, without spaces).
ROLE_WORDS: dict[str, Role] = {
    "projectleider": Role.PROJECTLEIDER, "projectleader": Role.PROJECTLEIDER,
    "leider": Role.PROJECTLEIDER, "leader": Role.PROJECTLEIDER,
    "partner": Role.PARTNER,
    "wijkagent": Role.WIJKAGENT, "officer": Role.WIJKAGENT,
    "communityofficer": Role.WIJKAGENT, "communitypoliceofficer": Role.WIJKAGENT,
    "analist": Role.ANALIST, "analyst": Role.ANALIST,
    "meelezer": Role.MEELEZER, "observer": Role.MEELEZER, "reader": Role.MEELEZER,
}
PARTNER_KIND_WORDS: dict[str, PartnerKind] = {
    "gemeente": PartnerKind.GEMEENTE, "municipality": PartnerKind.GEMEENTE,
    "politie": PartnerKind.POLITIE, "police": PartnerKind.POLITIE,
    "om": PartnerKind.OM, "openbaarministerie": PartnerKind.OM,
    "prosecutor": PartnerKind.OM, "publicprosecutor": PartnerKind.OM,
    "woningcorporatie": PartnerKind.WONINGCORPORATIE, "corporatie": PartnerKind.WONINGCORPORATIE,
    "housing": PartnerKind.WONINGCORPORATIE,
    "housingcorporation": PartnerKind.WONINGCORPORATIE,
    "stadstoezicht": PartnerKind.STADSTOEZICHT, "boa": PartnerKind.STADSTOEZICHT,
    "wardens": PartnerKind.STADSTOEZICHT, "citywardens": PartnerKind.STADSTOEZICHT,
    "veiligheidshuis": PartnerKind.VEILIGHEIDSHUIS, "safetyhouse": PartnerKind.VEILIGHEIDSHUIS,
    "buurtpreventie": PartnerKind.BUURTPREVENTIE,
    "neighbourhoodwatch": PartnerKind.BUURTPREVENTIE,
    "neighborhoodwatch": PartnerKind.BUURTPREVENTIE,
    "overig": PartnerKind.OVERIG, "other": PartnerKind.OVERIG,
}
AREA_KIND_WORDS: dict[str, AreaKind] = {
    "wijk": AreaKind.WIJK, "district": AreaKind.WIJK,
    "buurt": AreaKind.BUURT, "neighbourhood": AreaKind.BUURT, "neighborhood": AreaKind.BUURT,
    "straat": AreaKind.STRAAT, "street": AreaKind.STRAAT,
    "hotspot": AreaKind.HOTSPOT,
}
PURPOSE_WORDS: dict[str, ChatPurpose] = {
    "operationeel": ChatPurpose.OPERATIONAL, "overleg": ChatPurpose.OPERATIONAL,
    "operational": ChatPurpose.OPERATIONAL,
    "buurtpreventie": ChatPurpose.NEIGHBOURHOOD_WATCH,
    "neighbourhoodwatch": ChatPurpose.NEIGHBOURHOOD_WATCH,
}


# The word a usage hint suggests for each key, per language (each one is in the *_WORDS
# table above, so typing what the hint shows works).
_TYPED: dict[str, dict[Enum, str]] = {
    "nl": {k: k.value for k in (*Role, *PartnerKind, *AreaKind)},
    "en": {
        Role.PROJECTLEIDER: "leader", Role.PARTNER: "partner", Role.WIJKAGENT: "officer",
        Role.ANALIST: "analyst", Role.MEELEZER: "observer",
        PartnerKind.GEMEENTE: "municipality", PartnerKind.POLITIE: "police",
        PartnerKind.OM: "prosecutor", PartnerKind.WONINGCORPORATIE: "housing",
        PartnerKind.STADSTOEZICHT: "wardens", PartnerKind.VEILIGHEIDSHUIS: "safetyhouse",
        PartnerKind.BUURTPREVENTIE: "neighbourhoodwatch", PartnerKind.OVERIG: "other",
        AreaKind.WIJK: "district", AreaKind.BUURT: "neighbourhood", AreaKind.STRAAT: "street",
        AreaKind.HOTSPOT: "hotspot",
    },
}


def typed_words(keys: type[Role] | type[PartnerKind] | type[AreaKind]) -> list[str]:
    """The words to type for every key of ``keys``, in the current language: what a usage
    hint lists (``district, neighbourhood, …`` in English, ``wijk, buurt, …`` in Dutch)."""
    words = _TYPED.get(get_locale(), _TYPED["nl"])
    return [words[k] for k in keys]


def word_key(text: str) -> str:
    return "".join(text.lower().split()).replace("-", "")


def role_label(role: Role) -> str:
    return _(_ROLE[role])


def partner_kind_label(kind: PartnerKind) -> str:
    return _(_PARTNER_KIND[kind])


def area_kind_label(kind: AreaKind) -> str:
    return _(_AREA_KIND[kind])


def purpose_label(purpose: ChatPurpose) -> str:
    return _(_PURPOSE[purpose])
