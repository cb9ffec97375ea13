"""All ORM models; importing this module registers every table on `Base.metadata`."""

from store.models.base import Base, UTCDateTime
from store.models.commerce import (
    ApprovalRequest,
    ApprovalStep,
    Case,
    Contract,
    Product,
    Quote,
    QuoteLine,
)
from store.models.people import Team, User
from store.models.planning import REPORT_SCOPES, Quota, ReportSubscription
from store.models.sales import (
    ACTIVITY_KINDS,
    STAGE_KINDS,
    Account,
    Activity,
    Contact,
    Lead,
    Opportunity,
    OpportunityHistory,
    Stage,
)
from store.models.sweeps import SweepMark
from store.models.system import (
    AuditEntry,
    ButtonValue,
    KnowledgeArticle,
    NameChange,
    NamesVersion,
    OwedReply,
    Reminder,
    SlackEvent,
)
from store.roles import ROLES

__all__ = [
    "ACTIVITY_KINDS",
    "REPORT_SCOPES",
    "ROLES",
    "STAGE_KINDS",
    "Account",
    "Activity",
    "ApprovalRequest",
    "ApprovalStep",
    "AuditEntry",
    "Base",
    "ButtonValue",
    "Case",
    "Contact",
    "Contract",
    "KnowledgeArticle",
    "Lead",
    "NameChange",
    "NamesVersion",
    "Opportunity",
    "OpportunityHistory",
    "OwedReply",
    "Product",
    "Quota",
    "Quote",
    "QuoteLine",
    "Reminder",
    "ReportSubscription",
    "SlackEvent",
    "Stage",
    "SweepMark",
    "Team",
    "UTCDateTime",
    "User",
]
