"""Who may do what: the single place that decides every read and write.

A decision depends on three things: the person's role in the project (or ``None`` for
someone who is not a member), the permission asked for, and the kind of chat the request
comes from. Buurtpreventie groups are outside the partnership: in them nobody can query
anything, whatever their role elsewhere. Handlers never test roles themselves; they ask
:func:`can` (usually through the ``handlers.common.guard`` decorator).
"""

from __future__ import annotations

from enum import StrEnum

from storage.models import Role


class ChatKind(StrEnum):
    PRIVATE = "private"
    OPERATIONAL = "operational"          # group linked as operationeel overleg
    NEIGHBOURHOOD = "neighbourhood"      # group linked as buurtpreventie
    UNLINKED_GROUP = "unlinked_group"    # a group the bot is in but that is not linked


class Permission(StrEnum):
    HELP = "help"
    SET_LANGUAGE = "set_language"
    CREATE_PROJECT = "create_project"
    CHOOSE_PROJECT = "choose_project"
    VIEW_PROJECT = "view_project"          # project overview, areas, partners, members
    MANAGE_AREAS = "manage_areas"
    MANAGE_PARTNERS = "manage_partners"
    INVITE = "invite"
    LINK_GROUP = "link_group"              # request a link code (private) / type it (group)
    UNLINK_GROUP = "unlink_group"
    SET_GROUP_LANGUAGE = "set_group_language"
    # The action / monitoring framework
    VIEW_ACTIONS = "view_actions"          # cards, open actions, search
    REGISTER_ACTION = "register_action"
    UPDATE_ACTION = "update_action"        # report done / results / edit; own partner's only,
                                           # unless UPDATE_ANY_ACTION
    UPDATE_ANY_ACTION = "update_any_action"
    VIEW_STATUS = "view_status"            # per-partner accountability overview
    EXPORT_ACTIONS = "export_actions"
    MANAGE_REMINDERS = "manage_reminders"  # pause / resume one's own reminders
    # Incident data and steering information (police data is confidential)
    IMPORT_INCIDENTS = "import_incidents"
    REGISTER_INCIDENT = "register_incident"
    VIEW_STEERING = "view_steering"        # aggregated charts and key points
    VIEW_INCIDENT_DETAIL = "view_incident_detail"  # house numbers, exact times, MO
    # The fortnightly meeting
    MANAGE_MEETINGS = "manage_meetings"    # schedule, attendance (the chair)
    RECORD_NOTES = "record_notes"          # decisions, escalations, tactical points
    VIEW_AGENDA = "view_agenda"            # draft agenda, minutes, effect reviews
    VIEW_REGION = "view_region"            # the tactical summary of the region
    # From the street: field logs, hotspots and buurtpreventie alerts
    LOG_FIELD = "log_field"                # /melding: an intervention or observation
    VIEW_FIELD_LOGS = "view_field_logs"
    VIEW_HOTSPOTS = "view_hotspots"        # current zones (detail by VIEW_INCIDENT_DETAIL)
    MANAGE_ALERTS = "manage_alerts"        # alert settings and approving alerts


_EVERYONE: frozenset[Role | None] = frozenset([None, *Role])
_MEMBERS: frozenset[Role | None] = frozenset(Role)
_LEADER: frozenset[Role | None] = frozenset({Role.PROJECTLEIDER})
# Everyone who works on actions; the observer (meelezer) only reads.
_WORKERS: frozenset[Role | None] = frozenset(
    {Role.PROJECTLEIDER, Role.PARTNER, Role.WIJKAGENT, Role.ANALIST}
)
_ALL_CHATS = frozenset(ChatKind)
_WORK_CHATS = frozenset({ChatKind.PRIVATE, ChatKind.OPERATIONAL})
_LINKED_GROUPS = frozenset({ChatKind.OPERATIONAL, ChatKind.NEIGHBOURHOOD})

# permission -> (roles allowed, chat kinds where it applies)
_RULES: dict[Permission, tuple[frozenset[Role | None], frozenset[ChatKind]]] = {
    Permission.HELP: (_EVERYONE, _ALL_CHATS),
    Permission.SET_LANGUAGE: (_EVERYONE, frozenset({ChatKind.PRIVATE})),
    # Creating a project makes you its first project leader; the deployment may restrict
    # who can do this with the project_creators setting (checked by the service).
    Permission.CREATE_PROJECT: (_EVERYONE, frozenset({ChatKind.PRIVATE})),
    Permission.CHOOSE_PROJECT: (_MEMBERS, frozenset({ChatKind.PRIVATE})),
    Permission.VIEW_PROJECT: (_MEMBERS, _WORK_CHATS),
    Permission.MANAGE_AREAS: (_LEADER, frozenset({ChatKind.PRIVATE})),
    Permission.MANAGE_PARTNERS: (_LEADER, frozenset({ChatKind.PRIVATE})),
    Permission.INVITE: (_LEADER, frozenset({ChatKind.PRIVATE})),
    Permission.LINK_GROUP: (_LEADER, frozenset({ChatKind.PRIVATE, ChatKind.UNLINKED_GROUP})),
    Permission.UNLINK_GROUP: (_LEADER, _LINKED_GROUPS),
    Permission.SET_GROUP_LANGUAGE: (_LEADER, _LINKED_GROUPS),
    Permission.VIEW_ACTIONS: (_MEMBERS, _WORK_CHATS),
    Permission.REGISTER_ACTION: (_WORKERS, _WORK_CHATS),
    Permission.UPDATE_ACTION: (_WORKERS, _WORK_CHATS),
    Permission.UPDATE_ANY_ACTION: (_LEADER, _WORK_CHATS),
    Permission.VIEW_STATUS: (_LEADER | {Role.ANALIST, Role.MEELEZER}, _WORK_CHATS),
    # A file with the whole framework goes to a private chat only.
    Permission.EXPORT_ACTIONS: (_MEMBERS, frozenset({ChatKind.PRIVATE})),
    Permission.MANAGE_REMINDERS: (_MEMBERS, frozenset({ChatKind.PRIVATE})),
    # Files with police data are sent and received in private chats only.
    Permission.IMPORT_INCIDENTS: (frozenset({Role.PROJECTLEIDER, Role.ANALIST}),
                                  frozenset({ChatKind.PRIVATE})),
    Permission.REGISTER_INCIDENT: (frozenset({Role.WIJKAGENT, Role.ANALIST,
                                              Role.PROJECTLEIDER}), _WORK_CHATS),
    Permission.VIEW_STEERING: (_MEMBERS, _WORK_CHATS),
    # Detail stays with the police, the analyst and the chair, and never in a group.
    Permission.VIEW_INCIDENT_DETAIL: (frozenset({Role.PROJECTLEIDER, Role.ANALIST,
                                                 Role.WIJKAGENT}),
                                      frozenset({ChatKind.PRIVATE})),
    Permission.MANAGE_MEETINGS: (_LEADER, _WORK_CHATS),
    Permission.RECORD_NOTES: (_WORKERS, _WORK_CHATS),
    Permission.VIEW_AGENDA: (_MEMBERS, _WORK_CHATS),
    # The tactical working group: project leaders and analysts, in a private chat.
    Permission.VIEW_REGION: (frozenset({Role.PROJECTLEIDER, Role.ANALIST}),
                             frozenset({ChatKind.PRIVATE})),
    Permission.LOG_FIELD: (_WORKERS, _WORK_CHATS),
    Permission.VIEW_FIELD_LOGS: (_MEMBERS, _WORK_CHATS),
    Permission.VIEW_HOTSPOTS: (_MEMBERS, _WORK_CHATS),
    # Whether residents are alerted is the chair's call, taken in a private chat.
    Permission.MANAGE_ALERTS: (_LEADER, frozenset({ChatKind.PRIVATE})),
}


def can(role: Role | None, permission: Permission, chat: ChatKind) -> bool:
    """True if someone with ``role`` (``None``: not a member) may use ``permission`` in
    a chat of kind ``chat``."""
    roles, chats = _RULES[permission]
    return role in roles and chat in chats


def allowed_chats(permission: Permission) -> frozenset[ChatKind]:
    return _RULES[permission][1]


def allowed_roles(permission: Permission) -> frozenset[Role | None]:
    return _RULES[permission][0]
