"""Marking an approved quote sent: presented, a feedback call for the rep, and the deal
moved on to the stage sending a quote means (SALESBOT_QUOTE_SENT_STAGE).

Sending a quote is what puts a deal in its proposal stage in the CRMs reps compare with
(HubSpot's "quote sent" deal stage, Salesforce's Proposal/Price Quote): the deal moves
there when it is still earlier, never backwards and never out of a closed deal, through
the one write path (a history row "quote Q-… v2 sent") with Undo for that move. Undo puts
the deal back; the quote stays sent, as the customer has it. A stage name that is not an
active stage is logged and the deal stays put: the send itself stands.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from store.db import Store
from store.errors import InvalidInput
from store.services.activities.activities import add_activity
from store.services.deals import undo
from store.services.deals.changes import Change, apply_change
from store.services.deals.opportunities import require_opportunity
from store.services.people.users import require_by_id
from store.services.quotes.lookup import require_quote, require_sendable
from store.services.quotes.quotes import QuoteView, quote_view
from store.services.quotes.sync import forward_stage
from store.services.system import audit

log = logging.getLogger(__name__)
FEEDBACK_DAYS = 10


@dataclass(frozen=True)
class SentOutcome:
    quote: QuoteView
    deal_title: str
    moved_to: str | None = None  # the stage sending moved the deal to, when it moved
    undo_token: int | None = None  # puts the deal back where it was


def mark_sent(store: Store, actor_id: int, quote_ref: int | str, *,
              file_id: str | None = None, stage: str | None = None) -> SentOutcome:
    """Approved → presented, a feedback follow-up for the rep in 10 days, who sent it and
    the document's reference when the bot uploaded it (`file_id`); the deal moves to
    `stage` when that is further on."""
    with store.transaction() as s:
        actor = require_by_id(s, actor_id)
        quote = require_quote(s, quote_ref)
        require_sendable(actor, quote)
        now = store.now()
        quote.status, quote.sent_at, quote.sent_by_id = "presented", now, actor.id
        quote.sent_file_id = file_id
        opp = require_opportunity(s, quote.opportunity_id)
        add_activity(s, owner=actor, kind="task",
                     subject=f"Call for feedback on {quote.number}",
                     occurred_at=now, follow_up_at=now + timedelta(days=FEEDBACK_DAYS),
                     account=opp.account, opportunity=opp)
        audit.record(s, at=now, actor_id=actor.id, action="quote.sent",
                     entity_type="quote", entity_id=quote.id,
                     detail={"version": quote.version, "file": file_id})
        try:
            target, token = forward_stage(s, opp.id, stage, "sent"), None
        except InvalidInput as exc:  # a stage misnamed in the settings never undoes a
            log.warning("%s", exc)   # send: the customer may have the document already
            target, token = None, None
        if target is not None:
            before = apply_change(s, opp, Change(
                stage=target, note=f"quote {quote.number} v{quote.version} sent"),
                actor=actor, now=now, source="slack")
            token = undo.remember(s, actor=actor, kind="opportunity",
                                  entity_type="opportunity", entity_id=opp.id,
                                  before=before, now=now)
        title = f"{opp.account.name} — {opp.name}" if opp.account else opp.name
        return SentOutcome(quote_view(s, quote), title,
                           target.name if target is not None else None, token)
