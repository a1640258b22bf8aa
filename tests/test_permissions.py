"""The permissions module: role × permission × chat kind."""

from __future__ import annotations

import pytest

from bot.permissions import ChatKind, Permission, can
from storage.models import Role

ALL_ROLES = [None, *Role]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_help_everywhere_for_everyone(role: Role | None) -> None:
    for chat in ChatKind:
        assert can(role, Permission.HELP, chat)


@pytest.mark.parametrize("permission", [Permission.MANAGE_AREAS, Permission.MANAGE_PARTNERS,
                                        Permission.INVITE])
def test_only_project_leader_manages_in_private(permission: Permission) -> None:
    assert can(Role.PROJECTLEIDER, permission, ChatKind.PRIVATE)
    for role in ALL_ROLES:
        if role is not Role.PROJECTLEIDER:
            assert not can(role, permission, ChatKind.PRIVATE), role
    for chat in (ChatKind.OPERATIONAL, ChatKind.NEIGHBOURHOOD, ChatKind.UNLINKED_GROUP):
        assert not can(Role.PROJECTLEIDER, permission, chat)


def test_non_members_can_see_nothing_of_a_project() -> None:
    for chat in ChatKind:
        assert not can(None, Permission.VIEW_PROJECT, chat)


def test_neighbourhood_watch_groups_can_query_nothing() -> None:
    for role in ALL_ROLES:
        assert not can(role, Permission.VIEW_PROJECT, ChatKind.NEIGHBOURHOOD)
        assert not can(role, Permission.INVITE, ChatKind.NEIGHBOURHOOD)


def test_observer_reads_but_does_not_write() -> None:
    assert can(Role.MEELEZER, Permission.VIEW_PROJECT, ChatKind.PRIVATE)
    for permission in (Permission.MANAGE_AREAS, Permission.INVITE, Permission.LINK_GROUP,
                       Permission.UNLINK_GROUP):
        assert not can(Role.MEELEZER, permission, ChatKind.PRIVATE)


def test_linking() -> None:
    assert can(Role.PROJECTLEIDER, Permission.LINK_GROUP, ChatKind.PRIVATE)
    assert can(Role.PROJECTLEIDER, Permission.LINK_GROUP, ChatKind.UNLINKED_GROUP)
    assert not can(Role.PARTNER, Permission.LINK_GROUP, ChatKind.UNLINKED_GROUP)
    assert can(Role.PROJECTLEIDER, Permission.UNLINK_GROUP, ChatKind.OPERATIONAL)
    assert not can(Role.WIJKAGENT, Permission.UNLINK_GROUP, ChatKind.OPERATIONAL)


def test_every_permission_has_a_rule() -> None:
    for permission in Permission:
        can(None, permission, ChatKind.PRIVATE)  # raises KeyError when a rule is missing


def test_action_framework_rules() -> None:
    for role in (Role.PROJECTLEIDER, Role.PARTNER, Role.WIJKAGENT, Role.ANALIST):
        assert can(role, Permission.REGISTER_ACTION, ChatKind.PRIVATE)
        assert can(role, Permission.REGISTER_ACTION, ChatKind.OPERATIONAL)
        assert can(role, Permission.UPDATE_ACTION, ChatKind.PRIVATE)
    assert not can(Role.MEELEZER, Permission.REGISTER_ACTION, ChatKind.PRIVATE)
    assert not can(Role.MEELEZER, Permission.UPDATE_ACTION, ChatKind.PRIVATE)
    assert can(Role.MEELEZER, Permission.VIEW_ACTIONS, ChatKind.PRIVATE)
    assert can(Role.PROJECTLEIDER, Permission.UPDATE_ANY_ACTION, ChatKind.PRIVATE)
    assert not can(Role.PARTNER, Permission.UPDATE_ANY_ACTION, ChatKind.PRIVATE)
    assert can(Role.PROJECTLEIDER, Permission.VIEW_STATUS, ChatKind.OPERATIONAL)
    assert not can(Role.PARTNER, Permission.VIEW_STATUS, ChatKind.PRIVATE)
    for role in ALL_ROLES:
        for permission in (Permission.VIEW_ACTIONS, Permission.REGISTER_ACTION,
                           Permission.EXPORT_ACTIONS):
            assert not can(role, permission, ChatKind.NEIGHBOURHOOD)
            assert not can(role, permission, ChatKind.UNLINKED_GROUP)
    assert not can(Role.PROJECTLEIDER, Permission.EXPORT_ACTIONS, ChatKind.OPERATIONAL)


def test_incident_data_rules() -> None:
    assert can(Role.ANALIST, Permission.IMPORT_INCIDENTS, ChatKind.PRIVATE)
    assert can(Role.PROJECTLEIDER, Permission.IMPORT_INCIDENTS, ChatKind.PRIVATE)
    assert not can(Role.PARTNER, Permission.IMPORT_INCIDENTS, ChatKind.PRIVATE)
    assert not can(Role.ANALIST, Permission.IMPORT_INCIDENTS, ChatKind.OPERATIONAL)
    assert can(Role.WIJKAGENT, Permission.REGISTER_INCIDENT, ChatKind.PRIVATE)
    assert not can(Role.MEELEZER, Permission.REGISTER_INCIDENT, ChatKind.PRIVATE)
    assert can(Role.MEELEZER, Permission.VIEW_STEERING, ChatKind.OPERATIONAL)
    for role in ALL_ROLES:
        assert not can(role, Permission.VIEW_INCIDENT_DETAIL, ChatKind.OPERATIONAL)
        assert not can(role, Permission.VIEW_STEERING, ChatKind.NEIGHBOURHOOD)
    assert not can(Role.PARTNER, Permission.VIEW_INCIDENT_DETAIL, ChatKind.PRIVATE)
    assert not can(Role.MEELEZER, Permission.VIEW_INCIDENT_DETAIL, ChatKind.PRIVATE)
