"""Services built from settings, the same way for serve, the shell, the CLI and tests.

The approval policy and the workflow rules are loaded (and validated) here, so a bad
file stops start-up with its line number instead of failing at the first quote.
"""

from __future__ import annotations

from bot.settings import Settings
from store.db import Store
from store.money import to_minor
from store.services import Services
from store.services.leads.rules import load_lead_rules
from store.services.quotes.policy import load_policy
from store.services.workflow.rules import load_rules


def build_services(settings: Settings, store: Store) -> Services:
    alert = settings.renewal_alert_value
    return Services(
        store, default_currency=settings.currency, policy=load_policy(settings.approval_policy),
        working_hours=settings.working_hours, default_timezone=settings.timezone,
        renewal_alert_minor=to_minor(alert, settings.currency) if alert is not None else None,
        rules=load_rules(settings.rules), fiscal_year_start=settings.fiscal_year_start,
        lead_rules=load_lead_rules(settings.rules),
    )
