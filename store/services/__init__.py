"""Business rules, one module per area. `Services` bundles them for the app, CLI and scheduler."""

from __future__ import annotations

from store.approval_policy import Policy, load_policy
from store.db import Store
from store.services.accounts import AccountService, ContactService
from store.services.activities import ActivityService
from store.services.approvals import ApprovalService
from store.services.events import EventLog
from store.services.opportunities import OpportunityService
from store.services.quotes import QuoteService
from store.services.undo import UndoService
from store.services.users import UserService


class Services:
    """Every service, sharing one store; built once by the app factory or the CLI."""

    def __init__(self, store: Store, *, default_currency: str = "USD",
                 policy: Policy | None = None) -> None:
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


__all__ = ["Services"]
