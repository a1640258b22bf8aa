"""Records and enumerations of the persistent model.

Enumeration values are the stable Dutch keys stored in the database; user-facing labels
come from :mod:`bot.labels` through gettext.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Role(StrEnum):
    PROJECTLEIDER = "projectleider"
    PARTNER = "partner"
    WIJKAGENT = "wijkagent"
    ANALIST = "analist"
    MEELEZER = "meelezer"


class PartnerKind(StrEnum):
    GEMEENTE = "gemeente"
    POLITIE = "politie"
    OM = "om"
    WONINGCORPORATIE = "woningcorporatie"
    STADSTOEZICHT = "stadstoezicht"
    VEILIGHEIDSHUIS = "veiligheidshuis"
    BUURTPREVENTIE = "buurtpreventie"
    OVERIG = "overig"


class AreaKind(StrEnum):
    WIJK = "wijk"
    BUURT = "buurt"
    STRAAT = "straat"
    HOTSPOT = "hotspot"


class ChatPurpose(StrEnum):
    OPERATIONAL = "operationeel"
    NEIGHBOURHOOD_WATCH = "buurtpreventie"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    first_name: str
    last_name: str | None
    username: str | None
    telegram_language: str | None
    language: str | None

    def preferred_language(self, default: str) -> str:
        """The language chosen with /taal, else Telegram's, else ``default``."""
        return self.language or self.telegram_language or default

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or (
            f"@{self.username}" if self.username else str(self.id)
        )


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    name: str
    municipality: str
    meeting_rhythm: str
    created_by: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Area:
    id: int
    project_id: int
    name: str
    kind: AreaKind
    cbs_code: str | None
    homes: int | None
    parent_id: int | None


@dataclass(frozen=True, slots=True)
class Partner:
    id: int
    project_id: int
    name: str
    kind: PartnerKind


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    project_id: int
    user_id: int
    partner_id: int
    role: Role
    joined_at: datetime
    invited_by: int | None = None
    # Denormalised for display; filled by the repository's joins.
    project_name: str = ""
    partner_name: str = ""
    user_name: str = ""


@dataclass(frozen=True, slots=True)
class Invitation:
    code: str
    project_id: int
    partner_id: int
    role: Role
    single_use: bool
    expires_at: datetime
    created_by: int
    created_at: datetime
    revoked_at: datetime | None
    uses: int


@dataclass(frozen=True, slots=True)
class LinkCode:
    code: str
    project_id: int
    purpose: ChatPurpose
    area_ids: tuple[int, ...]
    created_by: int
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True, slots=True)
class LinkedChat:
    id: int
    chat_id: int
    project_id: int
    purpose: ChatPurpose
    title: str
    language: str | None
    area_ids: tuple[int, ...]
    linked_by: int
    linked_at: datetime


@dataclass(frozen=True, slots=True)
class ActionSummary:
    """Minimal action view used by the demo report; the action framework extends it."""

    id: int
    number: int
    what: str
    period_start: date | None
    period_end: date | None

    @property
    def code(self) -> str:
        return f"A{self.number}"
