"""The deal in step with its quote: one synced quote per deal, whose total is the deal's
amount.

The synced quote is the latest approved one, unless the rep picked one (`sync_picked`):
then another quote's approval leaves the pick alone, though a newer version of the
picked quote takes over when it is approved. The amount changes only through
`apply_change` (one history row) and each change is remembered for Undo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.access import require_owner_access
from store.db import Store
from store.errors import Conflict, InvalidInput
from store.models import Quote, Stage, User
from store.money import from_minor
from store.services.deals import undo
from store.services.deals.changes import Change, apply_change
from store.services.deals.opportunities import require_opportunity
from store.services.people.users import require_by_id
from store.services.quotes.lookup import require_quote
from store.services.system import audit

SYNCABLE = ("draft", "pending_approval", "approved", "presented", "accepted")
ACCEPTED_STAGE = "Negotiation/Review"  # SALESBOT_QUOTE_ACCEPTED_STAGE; empty: stay put
SENT_STAGE = "Proposal/Price Review"  # SALESBOT_QUOTE_SENT_STAGE; empty: stay put


@dataclass(frozen=True)
class SyncOutcome:
    quote_label: str
    deal_title: str
    amount: Decimal
    currency: str
    changed: bool  # False: the deal already held the quote's total
    undo_token: int | None
    moved_to: str | None = None  # the stage an accepted quote moved the deal to


def forward_stage(s: Session, opportunity_id: int, name: str | None,
                  event: str = "accepted") -> Stage | None:
    """The stage an accepted (or sent) quote moves its deal to: `name`, when it is an
    active stage further on than the deal's open stage (never back, never out of a closed
    deal)."""
    if not name:
        return None
    opp = require_opportunity(s, opportunity_id)
    target = s.scalar(select(Stage).where(func.lower(Stage.name) == name.lower(),
                                          Stage.is_active.is_(True)))
    if target is None:
        raise InvalidInput(f"The stage for {event} quotes ({name}) is not an active stage; "
                           f"fix SALESBOT_QUOTE_{event.upper()}_STAGE.")
    if opp.stage.kind != "open" or target.position <= opp.stage.position:
        return None
    return target


def synced_quote(s: Session, opportunity_id: int) -> Quote | None:
    return s.scalar(select(Quote).where(Quote.opportunity_id == opportunity_id,
                                        Quote.synced.is_(True)))


def amount_source(store: Store, opportunity_id: int, amount: Decimal,
                  currency: str) -> str | None:
    """The synced quote a deal's amount comes from ("Q-2026-0002 v2"), or None: no synced
    quote, or its total is not the amount shown (an Undo, an amount typed since), so a
    card never claims a quote the amount does not come from. One indexed read."""
    with store.read() as s:
        row = s.execute(select(Quote.number, Quote.version, Quote.total_minor,
                               Quote.currency)
                        .where(Quote.opportunity_id == opportunity_id,
                               Quote.synced.is_(True))).first()
    if row is None or row.currency != currency or from_minor(row.total_minor,
                                                               currency) != amount:
        return None
    return f"{row.number} v{row.version}"


def sync_deal(s: Session, quote: Quote, *, actor: User, now: datetime, picked: bool,
              source: str = "slack", stage: Stage | None = None) -> SyncOutcome:
    """Make `quote` its deal's synced quote and the deal's amount its total (and move it to
    `stage`, in the same change: one history row, one Undo)."""
    opp = require_opportunity(s, quote.opportunity_id)
    label = f"{quote.number} v{quote.version}"
    if opp.currency != quote.currency:
        raise Conflict(f"{label} is in {quote.currency} but the deal is in {opp.currency}; "
                       "the deal's amount can't follow it.")
    current = synced_quote(s, opp.id)
    if current is not None and current.id != quote.id:
        current.synced = current.sync_picked = False
        s.flush()  # one synced quote per deal (a unique partial index holds it)
    quote.synced, quote.sync_picked = True, picked
    token = None
    changed = opp.amount_minor != quote.total_minor or stage is not None
    if changed:
        before = apply_change(s, opp, Change(amount_minor=quote.total_minor, stage=stage,
                                             note=f"amount from quote {label}"),
                              actor=actor, now=now, source=source)
        token = undo.remember(s, actor=actor, kind="opportunity", entity_type="opportunity",
                              entity_id=opp.id, before=before, now=now)
    audit.record(s, at=now, actor_id=actor.id, action="deal.follows_quote",
                 entity_type="quote", entity_id=quote.id,
                 detail={"opportunity": opp.id, "picked": picked, "version": quote.version,
                         "total_minor": quote.total_minor})
    title = f"{opp.account.name} — {opp.name}" if opp.account else opp.name
    return SyncOutcome(label, title, from_minor(quote.total_minor, quote.currency),
                       quote.currency, changed, token, stage.name if stage else None)


def follow_approval(s: Session, quote: Quote, now: datetime) -> SyncOutcome | None:
    """A quote was just approved: it becomes the synced quote unless the rep picked
    another (a newer version of the picked quote keeps the pick). Open deals only."""
    opp = require_opportunity(s, quote.opportunity_id)
    current = synced_quote(s, opp.id)
    if opp.stage.kind != "open" or opp.currency != quote.currency:
        return None
    same_number = current is not None and current.number == quote.number
    if current is not None and current.sync_picked and not same_number:
        return None
    owner = s.get(User, quote.owner_id)
    assert owner is not None
    return sync_deal(s, quote, actor=owner, now=now,
                     picked=bool(current is not None and same_number and current.sync_picked),
                     source="system")


def pick_quote(store: Store, actor_id: int, quote_ref: int | str) -> SyncOutcome:
    """The rep picks this quote as the deal's synced quote: the amount follows it."""
    with store.transaction() as s:
        actor = require_by_id(s, actor_id)
        quote = require_quote(s, quote_ref)
        require_owner_access(s, actor, quote.owner_id, "quotes")
        if quote.status not in SYNCABLE:
            raise Conflict(f"{quote.number} v{quote.version} is "
                           f"{quote.status.replace('_', ' ')}; the deal can't follow it.")
        return sync_deal(s, quote, actor=actor, now=store.now(), picked=True)


def accept_quote(store: Store, actor_id: int, quote_ref: int | str,
                 stage: str | None) -> SyncOutcome:
    """The customer accepted a sent quote: it is accepted and synced, and the deal moves to
    `stage` (SALESBOT_QUOTE_ACCEPTED_STAGE) when that is further on: one undoable change."""
    with store.transaction() as s:
        actor = require_by_id(s, actor_id)
        quote = require_quote(s, quote_ref)
        require_owner_access(s, actor, quote.owner_id, "quotes")
        if quote.status not in ("approved", "presented"):
            raise Conflict(f"{quote.number} v{quote.version} is "
                           f"{quote.status.replace('_', ' ')}; only an approved or sent "
                           "quote can be accepted.")
        now = store.now()
        quote.status = "accepted"
        audit.record(s, at=now, actor_id=actor.id, action="quote.accepted",
                     entity_type="quote", entity_id=quote.id,
                     detail={"version": quote.version})
        target = forward_stage(s, quote.opportunity_id, stage)
        return sync_deal(s, quote, actor=actor, now=now, picked=True, stage=target)
