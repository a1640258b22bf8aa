"""Resolve who is asking, from where, and for which project.

An :class:`Access` is computed once per update from the Telegram ids alone and then handed
to :func:`bot.permissions.can`. Group chats belong to the project they are linked to;
private chats use the project the person chose (remembered per chat), or their only one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.errors import UserError
from bot.i18n import N_
from bot.permissions import ChatKind, Permission, can
from storage.models import ChatPurpose, LinkedChat, Member, Role
from storage.repositories import Repositories

GROUP_TYPES = frozenset({"group", "supergroup"})


@dataclass(frozen=True, slots=True)
class Access:
    user_id: int | None
    chat_id: int
    chat_kind: ChatKind
    link: LinkedChat | None = None
    member: Member | None = None
    memberships: tuple[Member, ...] = field(default_factory=tuple)

    @property
    def role(self) -> Role | None:
        return self.member.role if self.member else None

    @property
    def project_id(self) -> int | None:
        if self.link is not None:
            return self.link.project_id
        return self.member.project_id if self.member else None

    @property
    def needs_project_choice(self) -> bool:
        """Private chat, several projects, none chosen yet."""
        return (
            self.chat_kind is ChatKind.PRIVATE
            and self.member is None
            and len(self.memberships) > 1
        )

    def can(self, permission: Permission) -> bool:
        return can(self.role, permission, self.chat_kind)


async def require_member(repos: Repositories, user_id: int, project_id: int,
                         permission: Permission, chat: ChatKind) -> Member:
    """The person's membership of *that* project, if their role allows ``permission`` in
    this kind of chat; otherwise a :class:`UserError` that reveals nothing about it."""
    member = await repos.members.get(project_id, user_id)
    if member is None or not can(member.role, permission, chat):
        raise UserError(N_("You are not allowed to do this in this project."))
    return member


async def resolve_access(
    repos: Repositories, *, user_id: int | None, chat_id: int, chat_type: str
) -> Access:
    if chat_type in GROUP_TYPES:
        link = await repos.chats.active(chat_id)
        if link is None:
            return Access(user_id, chat_id, ChatKind.UNLINKED_GROUP)
        kind = (
            ChatKind.OPERATIONAL
            if link.purpose is ChatPurpose.OPERATIONAL
            else ChatKind.NEIGHBOURHOOD
        )
        member = (
            await repos.members.get(link.project_id, user_id) if user_id is not None else None
        )
        return Access(user_id, chat_id, kind, link=link, member=member)

    if user_id is None:  # channel posts and the like: nobody to authorise
        return Access(None, chat_id, ChatKind.UNLINKED_GROUP)
    memberships = tuple(await repos.members.for_user(user_id))
    chosen_member: Member | None = None
    if len(memberships) == 1:
        chosen_member = memberships[0]
    elif memberships:
        chosen = await repos.chats.chosen_project(chat_id)
        chosen_member = next((m for m in memberships if m.project_id == chosen), None)
    return Access(user_id, chat_id, ChatKind.PRIVATE, member=chosen_member,
                  memberships=memberships)
