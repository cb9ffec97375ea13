"""What the lead service hands back: a lead, a capture, a conversion, or a question."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from store.models import Lead, User
from store.schemas import OpportunityView
from store.services.leads.duplicates import Duplicate


@dataclass(frozen=True)
class LeadView:
    id: int
    name: str
    company: str | None
    title: str | None
    email: str | None
    phone: str | None
    source: str | None
    status: str
    owner_id: int | None
    owner_name: str | None
    owner_slack_id: str | None
    disqualified_reason: str | None
    converted_opportunity_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, lead: Lead, owner: User | None) -> LeadView:
        return cls(lead.id, lead.name, lead.company, lead.title, lead.email, lead.phone,
                   lead.source, lead.status, lead.owner_id, owner.name if owner else None,
                   owner.slack_user_id if owner else None, lead.disqualified_reason,
                   lead.converted_opportunity_id, lead.created_at)


@dataclass(frozen=True)
class CapturedLead:
    lead: LeadView
    assigned_because: str
    duplicates: tuple[Duplicate, ...]
    notify_slack_id: str | None  # the new owner, when someone else captured it


@dataclass(frozen=True)
class AccountQuestion:
    """Conversion is waiting for the rep: which of these accounts is the lead's company?"""

    lead_id: int
    company: str
    candidates: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Conversion:
    lead: LeadView
    account_id: int | None
    account_name: str | None
    account_created: bool
    contact_id: int
    contact_reused: bool
    opportunity: OpportunityView
    duplicates: tuple[Duplicate, ...] = field(default=())
