"""A deal's quote, asked for by the deal: "status of my globex quote", "where's the acme
quote". Kept apart from `QuoteService`, which works on quotes by number."""

from __future__ import annotations

from sqlalchemy import select

from store.access import require_visible
from store.db import Store
from store.models import Quote
from store.services.deals.deal_reads import require_opportunity
from store.services.people.users import require_by_id
from store.services.quotes.lookup import require_quote_reader
from store.services.quotes.quotes import QuoteView, quote_view


class DealQuotes:
    def __init__(self, store: Store) -> None:
        self.store = store

    def latest(self, actor_id: int, opportunity_id: int) -> QuoteView | None:
        """The deal's newest quote version, None when it has none. The deal must be one the
        actor can see, and the quote one they may read (the same rules as by number)."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            deal = require_opportunity(s, opportunity_id)
            require_visible(s, actor, deal.owner_id, "deal")
            quote = s.scalar(select(Quote).where(Quote.opportunity_id == opportunity_id)
                             .order_by(Quote.id.desc()).limit(1))
            if quote is None:
                return None
            require_quote_reader(s, actor, quote)
            return quote_view(s, quote)
