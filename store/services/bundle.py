"""`Services`: every service sharing one store, built once by the app factory or the CLI.

Its own module, not the package's `__init__`, because importing any one service runs the
package's `__init__` first: a command that needs one service (an export, a search) must
not pay for importing all of them.
"""

from __future__ import annotations

from store.db import Store
from store.services.accounts.accounts import AccountService, ContactService
from store.services.accounts.contracts import ContractService
from store.services.accounts.health import AccountHealthService
from store.services.activities.activities import ActivityService
from store.services.deals.opportunities import OpportunityService
from store.services.deals.plans import PlanService
from store.services.deals.stage_admin import StageAdmin
from store.services.deals.undo import UndoService
from store.services.knowledge.articles import KnowledgeService
from store.services.leads.leads import LeadService
from store.services.leads.rules import LeadRules
from store.services.people.people import PeopleService, WorkspaceService
from store.services.people.users import UserService
from store.services.pipeline.quotas import QuotaService
from store.services.pipeline.subscriptions import ReportSubscriptionService
from store.services.pipeline.summary import PipelineService
from store.services.quotes.approvals import ApprovalService
from store.services.quotes.policy import Policy, load_policy
from store.services.quotes.quotes import QuoteService
from store.services.reminders.context import ReminderContext
from store.services.reminders.reminders import ReminderService
from store.services.system.button_values import ButtonValueService
from store.services.system.events import EventLog
from store.services.system.owed_replies import OwedReplies
from store.services.workflow.rules import Rules, load_rules
from store.services.workflow.workflow import WorkflowService
from store.working_time import DEFAULT_WORKING_HOURS


class Services:
    """Every service, sharing one store; built once by the app factory or the CLI."""

    def __init__(self, store: Store, *, default_currency: str = "USD",
                 policy: Policy | None = None, working_hours: str = DEFAULT_WORKING_HOURS,
                 default_timezone: str = "UTC", renewal_alert_minor: int | None = None,
                 rules: Rules | None = None, fiscal_year_start: int = 1,
                 lead_rules: LeadRules | None = None) -> None:
        self.store = store
        self.users = UserService(store)
        self.accounts = AccountService(store)
        self.contacts = ContactService(store)
        self.opportunities = OpportunityService(store, default_currency=default_currency)
        self.activities = ActivityService(store)
        self.events = EventLog(store)
        self.button_values = ButtonValueService(store)
        self.owed_replies = OwedReplies(store)
        self.undo = UndoService(store)
        self.plans = PlanService(store)
        self.quotes = QuoteService(store)
        self.approvals = ApprovalService(store, policy or load_policy())
        self.contracts = ContractService(store)
        self.account_health = AccountHealthService(store)
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
        self.pipeline = PipelineService(store, fiscal_year_start=fiscal_year_start,
                                        default_timezone=default_timezone)
        self.quotas = QuotaService(store, default_currency=default_currency)
        self.report_subscriptions = ReportSubscriptionService(
            store, default_timezone=default_timezone)
        self.leads = LeadService(store, rules=lead_rules, default_currency=default_currency)


__all__ = ["Services"]
