"""The quote document a customer receives: rendered from the stored quote, on demand.

Nothing about a document is stored but the fact it was sent (who, when, which version,
the uploaded file's reference): the PDF is a pure function of the quote, the letterhead
and the template, so rendering it again gives the same figures. A revision makes a new
document; the old version's document says it is superseded.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from store.db import Store
from store.errors import NotFound
from store.models import Quote
from store.services.people.users import require_by_id
from store.services.quotes.document_facts import DocumentFacts, Letterhead, document_facts
from store.services.quotes.document_template import load_template
from store.services.quotes.lookup import require_quote, require_quote_reader, require_sendable


@dataclass(frozen=True)
class RenderedQuote:
    facts: DocumentFacts
    content: bytes

    @property
    def filename(self) -> str:
        return self.facts.filename

    @property
    def label(self) -> str:
        return self.facts.quote.label


class QuoteDocuments:
    def __init__(self, store: Store, letterhead: Letterhead | None = None) -> None:
        self.store = store
        self.letterhead = letterhead or Letterhead()
        # a bad template stops start-up, not a rep's "Send to customer"
        self.template, self.folder = load_template(self.letterhead.template)

    def render(self, actor_id: int, quote_ref: int | str) -> RenderedQuote:
        """The PDF of a quote version anyone who may read the quote can see."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            quote = require_quote(s, quote_ref)
            require_quote_reader(s, actor, quote)
            facts = document_facts(s, quote, self.letterhead)
        return self._pdf(facts)

    def render_version(self, number: str, version: int | None = None) -> RenderedQuote:
        """For the command line (whoever runs it has the database): the current version
        of `number`, or the version asked for."""
        with self.store.transaction() as s:
            quote = require_quote(s, number)
            if version is not None and version != quote.version:
                asked = s.scalar(select(Quote).where(Quote.number == quote.number,
                                                     Quote.version == version))
                if asked is None:
                    raise NotFound(f"{number.upper()} has no version {version}.")
                quote = asked
            facts = document_facts(s, quote, self.letterhead)
        return self._pdf(facts)

    def for_customer(self, actor_id: int, quote_ref: int | str) -> RenderedQuote:
        """The PDF to send, refused unless the actor owns the quote and it is approved:
        a customer never receives a draft."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            quote = require_quote(s, quote_ref)
            require_sendable(actor, quote)
            facts = document_facts(s, quote, self.letterhead)
        return self._pdf(facts)

    def _pdf(self, facts: DocumentFacts) -> RenderedQuote:
        from store.services.quotes.document_pdf import render

        return RenderedQuote(facts, render(facts, self.template, self.letterhead,
                                           self.folder))
