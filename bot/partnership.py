"""Setting up a partnership: projects, areas, partners, invitations and linked groups.

Every method checks permissions through :mod:`bot.permissions`, validates its input,
writes in one transaction and records who did it in the audit log. Problems the user can
fix are raised as :class:`~bot.errors.UserError` with a translatable message.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.access import require_member
from bot.clock import Clock
from bot.errors import UserError
from bot.i18n import N_, _
from bot.labels import PARTNER_KIND_WORDS, role_label, word_key
from bot.permissions import ChatKind, Permission, can
from bot.services import close_names, unknown_area
from storage.models import (
    Area,
    AreaKind,
    ChatPurpose,
    Invitation,
    LinkedChat,
    Member,
    Partner,
    PartnerKind,
    Project,
    Role,
)
from storage.repositories import Repositories

MAX_NAME = 80
CBS_CODE_RE = re.compile(r"^(BU\d{8}|WK\d{6}|GM\d{4})$")
INVITE_PAYLOAD_PREFIX = "inv_"
INVITE_DEFAULT_DAYS = 7
INVITE_MAX_DAYS = 90
LINK_CODE_HOURS = 24
# No 0/O or 1/I/L: the code is read off one screen and typed on another.
_LINK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LINK_CODE_LENGTH = 6


@dataclass(frozen=True, slots=True)
class Person:
    """The Telegram user behind a request, as far as the service needs to know."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


def clean_name(value: str, *, what: Callable[[], str]) -> str:
    """Collapse whitespace and enforce sane lengths for names people type."""
    name = " ".join(value.split())
    if not name:
        raise UserError(N_("The {what} may not be empty."), what=what)
    if len(name) > MAX_NAME:
        raise UserError(
            N_("The {what} is too long ({length} characters, at most {max})."),
            what=what, length=len(name), max=MAX_NAME,
        )
    if "|" in name:
        raise UserError(N_("The {what} may not contain '|'."), what=what)
    return name


async def find_partner(repos: Repositories, project_id: int, text: str) -> Partner:
    """A partner by exact name, or by kind or name fragment when that is unambiguous."""
    text = " ".join(text.split())
    partners = await repos.projects.partners(project_id)
    exact = [p for p in partners if p.name.casefold() == text.casefold()]
    if exact:
        return exact[0]
    kind = PARTNER_KIND_WORDS.get(word_key(text))
    candidates = (
        [p for p in partners if p.kind is kind]
        if kind
        else [p for p in partners if text.casefold() in p.name.casefold()]
    )
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        # A typo of a name (“Stadstoetzicht Havendam”) or of a word in one (“Stadstoetzicht”).
        names: dict[str, list[str]] = {}
        for p in partners:
            for key in (p.name, *p.name.split()):
                names.setdefault(key.casefold(), []).append(p.name)
        similar = list(dict.fromkeys(n for key in close_names(text, names) for n in names[key]))
        if similar:
            raise UserError(N_("Unknown partner “{name}”. Did you mean: {matches}?"), name=text,
                            matches=", ".join(similar))
        raise UserError(N_("Unknown partner “{name}”. See /partner for the list."), name=text)
    raise UserError(
        N_("“{name}” matches several partners: {matches}. Use the full name."),
        name=text, matches=", ".join(p.name for p in candidates),
    )


class PartnershipService:
    def __init__(
        self, repos: Repositories, clock: Clock, *, project_creators: frozenset[int] = frozenset()
    ) -> None:
        self.repos = repos
        self.db = repos.db
        self.clock = clock
        self.project_creators = project_creators

    # -- helpers -------------------------------------------------------------------------

    async def _remember(self, person: Person) -> None:
        await self.repos.users.upsert(
            person.id, person.first_name, person.last_name, person.username, person.language_code
        )

    async def require(
        self, user_id: int, project_id: int, permission: Permission, chat: ChatKind
    ) -> Member:
        """The member's record, if their role in *that* project allows ``permission``."""
        return await require_member(self.repos, user_id, project_id, permission, chat)

    async def _audit(self, user_id: int | None, project_id: int | None, entity: str,
                     entity_id: object, action: str, **detail: object) -> None:
        await self.repos.audit.record(
            now=self.clock.now(), user_id=user_id, project_id=project_id, entity=entity,
            entity_id=entity_id, action=action, detail=dict(detail) or None,
        )

    # -- projects ------------------------------------------------------------------------

    async def create_project(self, creator: Person, name: str, municipality: str) -> Member:
        """Create a project; the creator becomes its project leader at the municipality."""
        if self.project_creators and creator.id not in self.project_creators:
            raise UserError(
                N_("On this installation only designated people can create projects. "
                   "Ask your project leader for an invitation.")
            )
        name = clean_name(name, what=lambda: _("project name"))
        municipality = clean_name(municipality, what=lambda: _("municipality"))
        async with self.db.transaction():
            if await self.repos.projects.exists(name, municipality):
                raise UserError(
                    N_("A project called “{name}” already exists in {municipality}."),
                    name=name, municipality=municipality,
                )
            await self._remember(creator)
            project = await self.repos.projects.create(name, municipality, creator.id)
            gemeente = await self.repos.projects.add_partner(
                project.id, f"Gemeente {municipality}", PartnerKind.GEMEENTE
            )
            member = await self.repos.members.add(
                project.id, creator.id, gemeente.id, Role.PROJECTLEIDER
            )
            await self.repos.chats.choose_project(creator.id, project.id, self.clock.now())
            await self._audit(creator.id, project.id, "project", project.id, "create",
                              name=name, municipality=municipality)
        return member

    async def project(self, project_id: int) -> Project:
        project = await self.repos.projects.get(project_id)
        if project is None:
            raise UserError(N_("This project no longer exists."))
        return project

    async def choose_project(self, user_id: int, chat_id: int, project_id: int) -> Member:
        member = await self.repos.members.get(project_id, user_id)
        if member is None:
            raise UserError(N_("You are not a member of that project."))
        await self.repos.chats.choose_project(chat_id, project_id, self.clock.now())
        return member

    # -- areas and partners -------------------------------------------------------------

    async def add_area(
        self,
        user_id: int,
        project_id: int,
        *,
        name: str,
        kind: AreaKind,
        cbs_code: str | None = None,
        homes: int | None = None,
        parent: str | None = None,
    ) -> Area:
        await self.require(user_id, project_id, Permission.MANAGE_AREAS, ChatKind.PRIVATE)
        name = clean_name(name, what=lambda: _("area name"))
        if cbs_code is not None:
            cbs_code = cbs_code.strip().upper()
            if not CBS_CODE_RE.match(cbs_code):
                raise UserError(
                    N_("“{code}” is not a CBS code (like BU03630001, WK036300 or GM0363)."),
                    code=cbs_code,
                )
        if homes is not None and not 0 <= homes <= 1_000_000:
            raise UserError(N_("The number of homes must be between 0 and 1,000,000."))
        async with self.db.transaction():
            if await self.repos.projects.area_by_name(project_id, name):
                raise UserError(N_("There is already an area called “{name}”."), name=name)
            parent_id = None
            if parent:
                parent_area = await self.repos.projects.area_by_name(project_id, parent.strip())
                if parent_area is None:
                    raise unknown_area(parent.strip(),
                                       await self.repos.projects.areas(project_id))
                parent_id = parent_area.id
            area = await self.repos.projects.add_area(
                project_id, name, kind, cbs_code, homes, parent_id
            )
            await self._audit(user_id, project_id, "area", area.id, "create", name=name,
                              kind=kind.value, cbs_code=cbs_code, homes=homes)
        return area

    async def add_partner(self, user_id: int, project_id: int, *, name: str,
                          kind: PartnerKind) -> Partner:
        await self.require(user_id, project_id, Permission.MANAGE_PARTNERS, ChatKind.PRIVATE)
        name = clean_name(name, what=lambda: _("partner name"))
        async with self.db.transaction():
            if await self.repos.projects.partner_by_name(project_id, name):
                raise UserError(N_("There is already a partner called “{name}”."), name=name)
            partner = await self.repos.projects.add_partner(project_id, name, kind)
            await self._audit(user_id, project_id, "partner", partner.id, "create", name=name,
                              kind=kind.value)
        return partner

    async def find_partner(self, project_id: int, text: str) -> Partner:
        return await find_partner(self.repos, project_id, text)

    # -- invitations ---------------------------------------------------------------------

    async def create_invitation(
        self,
        user_id: int,
        project_id: int,
        partner_id: int,
        role: Role,
        *,
        single_use: bool = True,
        days: int = INVITE_DEFAULT_DAYS,
    ) -> Invitation:
        await self.require(user_id, project_id, Permission.INVITE, ChatKind.PRIVATE)
        if not 1 <= days <= INVITE_MAX_DAYS:
            raise UserError(
                N_("An invitation is valid for 1 to {max} days."), max=INVITE_MAX_DAYS
            )
        partner = await self.repos.projects.partner(partner_id)
        if partner is None or partner.project_id != project_id:
            raise UserError(N_("Unknown partner."))
        now = self.clock.now()
        async with self.db.transaction():
            invitation = await self.repos.invitations.create(
                secrets.token_urlsafe(12), project_id, partner_id, role,
                single_use=single_use, expires_at=now + timedelta(days=days),
                created_by=user_id, now=now,
            )
            await self._audit(user_id, project_id, "invitation", invitation.code[:4] + "…",
                              "create", partner=partner.name, role=role.value,
                              single_use=single_use, days=days)
        return invitation

    async def redeem_invitation(self, code: str, person: Person) -> Member:
        """Join ``person`` with the invitation's partner and role, atomically."""
        now = self.clock.now()
        async with self.db.transaction():
            invitation = await self.repos.invitations.get(code)
            if invitation is None or invitation.revoked_at is not None:
                raise UserError(
                    N_("This invitation link is not valid. Ask your project leader for a new one.")
                )
            existing = await self.repos.members.get(invitation.project_id, person.id)
            if existing is not None:
                raise UserError(
                    N_("You are already a member of “{project}” as {role}."),
                    project=existing.project_name, role=lambda: role_label(existing.role),
                )
            if invitation.expires_at <= now:
                raise UserError(
                    N_("This invitation has expired. Ask your project leader for a new one.")
                )
            if invitation.single_use and invitation.uses > 0:
                raise UserError(
                    N_("This invitation has already been used. Invitations are personal: "
                       "ask your project leader for your own link.")
                )
            await self._remember(person)
            member = await self.repos.members.add(
                invitation.project_id, person.id, invitation.partner_id, invitation.role,
                invited_by=invitation.created_by,
            )
            await self.repos.invitations.record_use(code, person.id, now)
            await self.repos.chats.choose_project(person.id, invitation.project_id, now)
            await self._audit(person.id, invitation.project_id, "member", member.id, "join",
                              role=invitation.role.value, partner_id=invitation.partner_id,
                              invited_by=invitation.created_by)
        return member

    async def open_invitations(self, user_id: int, project_id: int) -> list[Invitation]:
        await self.require(user_id, project_id, Permission.INVITE, ChatKind.PRIVATE)
        return await self.repos.invitations.open_for_project(project_id, self.clock.now())

    # -- linking groups ------------------------------------------------------------------

    async def create_link_code(
        self, user_id: int, project_id: int, purpose: ChatPurpose, area_ids: tuple[int, ...] = ()
    ) -> str:
        await self.require(user_id, project_id, Permission.LINK_GROUP, ChatKind.PRIVATE)
        if purpose is ChatPurpose.NEIGHBOURHOOD_WATCH and not area_ids:
            raise UserError(N_("A neighbourhood watch group needs at least one area."))
        if purpose is ChatPurpose.OPERATIONAL:
            area_ids = ()
        known = {a.id for a in await self.repos.projects.areas(project_id)}
        if not set(area_ids) <= known:
            raise UserError(N_("Unknown area."))
        now = self.clock.now()
        code = "".join(secrets.choice(_LINK_ALPHABET) for _ in range(LINK_CODE_LENGTH))
        await self.repos.chats.create_code(
            code, project_id, purpose, tuple(sorted(area_ids)), user_id, now,
            now + timedelta(hours=LINK_CODE_HOURS),
        )
        return code

    async def link_group(
        self, code: str, *, chat_id: int, title: str, person: Person, language: str | None
    ) -> LinkedChat:
        """Link a group with the one-time code its project leader typed in it."""
        code = code.strip().upper().replace("-", "").replace(" ", "")
        now = self.clock.now()
        async with self.db.transaction():
            link_code = await self.repos.chats.get_code(code)
            if link_code is None:
                raise UserError(N_("Unknown link code. Ask for a new one with /link in a "
                                   "private chat with me."))
            member = await self.repos.members.get(link_code.project_id, person.id)
            if member is None or not can(member.role, Permission.LINK_GROUP,
                                         ChatKind.UNLINKED_GROUP):
                raise UserError(N_("Only a project leader of this project can link a group."))
            if link_code.used_at is not None:
                raise UserError(N_("This link code has already been used."))
            if link_code.expires_at <= now:
                raise UserError(N_("This link code has expired. Ask for a new one with "
                                   "/link in a private chat with me."))
            if await self.repos.chats.active(chat_id):
                raise UserError(N_("This group is already linked. Unlink it first with "
                                   "/unlink."))
            if not await self.repos.chats.use_code(code, chat_id, now):
                raise UserError(N_("This link code has already been used."))
            linked = await self.repos.chats.link(
                chat_id, link_code.project_id, link_code.purpose, title, link_code.area_ids,
                person.id, now, language,
            )
            await self._audit(person.id, link_code.project_id, "chat", chat_id, "link",
                              purpose=link_code.purpose.value, title=title,
                              areas=list(link_code.area_ids))
        return linked

    async def unlink_group(self, user_id: int, chat_id: int, chat_kind: ChatKind) -> LinkedChat:
        link = await self.repos.chats.active(chat_id)
        if link is None:
            raise UserError(N_("This group is not linked to a project."))
        await self.require(user_id, link.project_id, Permission.UNLINK_GROUP, chat_kind)
        async with self.db.transaction():
            await self.repos.chats.end(chat_id, "unlinked", self.clock.now())
            # An alert or pack still waiting (flood control) is for a link that has ended.
            await self.repos.outbox.cancel_pending(chat_id, "unlinked")
            await self._audit(user_id, link.project_id, "chat", chat_id, "unlink")
        return link

    async def chat_gone(self, chat_id: int, reason: str, by_user: int | None = None) -> bool:
        """The bot was removed from a chat or the chat no longer exists: end its link."""
        link = await self.repos.chats.active(chat_id)
        if link is None:
            return False
        async with self.db.transaction():
            await self.repos.chats.end(chat_id, reason, self.clock.now())
            # What still waits in the outbox for this chat would never arrive.
            await self.repos.outbox.cancel_pending(chat_id, reason)
            await self._audit(by_user, link.project_id, "chat", chat_id, "end", reason=reason)
        return True

    async def chat_migrated(self, old_chat_id: int, new_chat_id: int) -> bool:
        return await self.repos.chats.migrate(old_chat_id, new_chat_id)
