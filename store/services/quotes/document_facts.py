"""Everything the quote document prints, read from the store in one transaction.

The figures are the store's own (`quote_view`, `totals.compute`); the renderer only
formats them, so the PDF can never disagree with what Slack, the CLI or a report shows.
Tax is the one figure computed here, from the configured rate, once, half to even.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import ApprovalRequest, ApprovalStep, Contact, Quote, User
from store.money import from_minor
from store.services.deals.opportunities import require_opportunity
from store.services.quotes.quotes import QuoteView, quote_view
from store.services.quotes.totals import tax_minor

APPROVED = ("approved", "presented", "accepted")


@dataclass(frozen=True)
class Letterhead:
    """The seller's side of every document, from settings (SALESBOT_COMPANY_*,
    SALESBOT_QUOTE_*)."""

    company_name: str = "Salesbot"
    company_address: str | None = None
    logo: Path | None = None
    terms: str = ("Prices are in the currency shown. This quote is valid until the date "
                  "above; payment is due 30 days from invoice.")
    tax_name: str | None = None  # "VAT"; no tax line without it
    tax_percent: Decimal | None = None  # 20 → 20 %
    locale: str = "en_US"
    template: Path | None = None


@dataclass(frozen=True)
class DocumentFacts:
    quote: QuoteView
    issued: date
    customer: str
    customer_domain: str | None
    contact_name: str | None
    contact_email: str | None
    contact_title: str | None
    rep_name: str
    rep_email: str | None
    approval: str  # "Approved by Mo Manager on Mar 2, 2026", "Draft: not approved", …
    superseded_by: str | None  # "Q-2026-0001 v3" when a newer version replaced this one
    tax_name: str | None = None
    tax_percent: Decimal | None = None
    tax: Decimal | None = None
    total_due: Decimal = Decimal(0)
    notes: list[str] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"{self.quote.number}-v{self.quote.version}.pdf"


def _approval_text(s: Session, quote: Quote, locale: str) -> str:
    """The approval state, its day written as the document's other days are."""
    request = s.scalar(select(ApprovalRequest).where(
        ApprovalRequest.quote_id == quote.id).order_by(ApprovalRequest.id.desc()).limit(1))
    if quote.status in APPROVED or (quote.status == "superseded" and request is not None
                                    and request.status == "approved"):
        if request is None or request.auto_approved:
            return "Approved (within the approval policy; no approver needed)"
        names = [u.name for u in s.scalars(
            select(User).join(ApprovalStep, ApprovalStep.decided_by_id == User.id)
            .where(ApprovalStep.request_id == request.id, ApprovalStep.status == "approved")
            .order_by(ApprovalStep.level, ApprovalStep.id))]
        when = (format_date(request.completed_at.date(), format="medium", locale=locale)
                if request.completed_at else "")
        who = ", ".join(dict.fromkeys(names)) or "the approval policy"
        return f"Approved by {who} on {when}".strip()
    if quote.status == "pending_approval":
        return "Waiting for approval: not valid until approved"
    if quote.status == "rejected":
        return "Rejected: not valid; a revised version will follow"
    if quote.status == "draft":
        return "Draft: not approved"
    return f"{quote.status.replace('_', ' ').capitalize()}: not valid"


def document_facts(s: Session, quote: Quote, letterhead: Letterhead) -> DocumentFacts:
    view = quote_view(s, quote)
    opp = require_opportunity(s, quote.opportunity_id)
    account = opp.account
    contact = None
    if account is not None:
        contact = s.scalar(select(Contact).where(
            Contact.account_id == account.id, Contact.archived_at.is_(None))
            .order_by(Contact.id).limit(1))
    rep = s.get(User, quote.owner_id)
    newer = s.scalar(select(Quote).where(Quote.supersedes_id == quote.id).limit(1))
    newest = s.scalar(select(Quote).where(Quote.number == quote.number)
                      .order_by(Quote.version.desc()).limit(1))
    superseded_by = None
    if quote.status == "superseded" or newer is not None:
        latest = newest if newest is not None and newest.id != quote.id else newer
        superseded_by = f"{quote.number} v{latest.version}" if latest else quote.number
    tax = tax_due = None
    if letterhead.tax_name and letterhead.tax_percent is not None:
        minor = tax_minor(quote.total_minor, letterhead.tax_percent)
        tax = from_minor(minor, quote.currency)
        tax_due = from_minor(quote.total_minor + minor, quote.currency)
    return DocumentFacts(
        quote=view, issued=quote.created_at.date(),
        customer=account.name if account else opp.name,
        customer_domain=account.domain if account else None,
        contact_name=contact.name if contact else None,
        contact_email=contact.email if contact else None,
        contact_title=contact.title if contact else None,
        rep_name=rep.name if rep else "?", rep_email=rep.email if rep else None,
        approval=_approval_text(s, quote, letterhead.locale), superseded_by=superseded_by,
        tax_name=letterhead.tax_name if tax is not None else None,
        tax_percent=letterhead.tax_percent if tax is not None else None,
        tax=tax, total_due=tax_due if tax_due is not None else view.total,
    )
