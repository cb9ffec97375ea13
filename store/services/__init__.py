"""Business rules, one module per area. `Services` bundles them for the app, CLI and scheduler."""

from __future__ import annotations

from store.approval_policy import Policy, load_policy
from store.db import Store
from store.services.accounts import AccountService, ContactService
from store.services.activities import ActivityService
from store.services.approvals import ApprovalService
from store.services.contracts import ContractService
from store.services.events import EventLog
from store.services.knowledge import KnowledgeService
from store.services.opportunities import OpportunityService
from store.services.people import PeopleService, WorkspaceService
from store.services.quotes import QuoteService
from store.services.reminder_context import ReminderContext
from store.services.reminders import ReminderService
from store.services.stage_admin import StageAdmin
from store.services.undo import UndoService
from store.services.users import UserService
from store.services.workflow import WorkflowService
from store.workflow import Rules, load_rules


class Services:
    """Every service, sharing one store; built once by the app factory or the CLI."""

    def __init__(self, store: Store, *, default_currency: str = "USD",
                 policy: Policy | None = None, working_hours: str = "09:00-18:00",
                 default_timezone: str = "UTC", renewal_alert_minor: int | None = None,
                 rules: Rules | None = None) -> None:
        self.store = store
        self.users = UserService(store)
        self.accounts = AccountService(store)
        self.contacts = ContactService(store)
        self.opportunities = OpportunityService(store, default_currency=default_currency)
        self.activities = ActivityService(store)
        self.events = EventLog(store)
        self.undo = UndoService(store)
        self.quotes = QuoteService(store)
        self.approvals = ApprovalService(store, policy or load_policy())
        self.contracts = ContractService(store)
        self.reminders = ReminderService(store, working_hours=working_hours,
                                         default_timezone=default_timezone,
                                         renewal_alert_minor=renewal_alert_minor)
        self.reminder_context = ReminderContext(store)
        self.people = PeopleService(store)
        self.stages = StageAdmin(store)
        self.knowledge = KnowledgeService(store)
        self.workflow = WorkflowService(store, rules or load_rules(),
                                        working_hours=working_hours,
                                        default_timezone=default_timezone)
        self.workspace = WorkspaceService(store)


__all__ = ["Services"]
