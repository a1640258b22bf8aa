"""All repositories over one :class:`~storage.db.Database`, as handed to services."""

from __future__ import annotations

from storage.actions import ActionRepository
from storage.alerts import AlertRepository
from storage.audit import AuditRepository
from storage.chats import ChatRepository
from storage.db import Database
from storage.field_logs import FieldLogRepository
from storage.incidents import IncidentRepository
from storage.invitations import InvitationRepository
from storage.meetings import MeetingRepository
from storage.members import MemberRepository
from storage.outbox import OutboxRepository
from storage.projects import ProjectRepository
from storage.users import UserRepository


class Repositories:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.users = UserRepository(db)
        self.projects = ProjectRepository(db)
        self.members = MemberRepository(db)
        self.invitations = InvitationRepository(db)
        self.chats = ChatRepository(db)
        self.audit = AuditRepository(db)
        self.incidents = IncidentRepository(db)
        self.actions = ActionRepository(db)
        self.meetings = MeetingRepository(db)
        self.field_logs = FieldLogRepository(db)
        self.alerts = AlertRepository(db)
        self.outbox = OutboxRepository(db)
