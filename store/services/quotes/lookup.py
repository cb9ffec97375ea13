"""Finding a quote (by id, or the current version of its number), who may read it and who
may send it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.access import visible_owner_ids
from store.errors import Conflict, NotAllowed, NotFound
from store.models import Quote, User
from store.roles import reads_all_quotes


def require_quote(session: Session, ref: int | str) -> Quote:
    """A quote by id, or the current version of a number such as `Q-2026-0042`."""
    if isinstance(ref, int) or str(ref).isdigit():
        quote = session.get(Quote, int(ref))
    else:
        quote = session.scalar(select(Quote).where(func.upper(Quote.number) == str(ref).upper())
                               .order_by(Quote.version.desc()).limit(1))
    if quote is None:
        raise NotFound(f"There is no quote {ref}.")
    return quote


def require_quote_reader(session: Session, actor: User, quote: Quote) -> None:
    if reads_all_quotes(actor):
        return
    visible = visible_owner_ids(session, actor)
    if visible is not None and quote.owner_id not in visible:
        raise NotAllowed("That quote belongs to someone outside your team.")


_NOT_YET = {"draft": " Request approval first.",
            "pending_approval": " It is waiting for its approvers.",
            "rejected": " Revise it and ask again.",
            "presented": " It was sent already.",
            "superseded": " Send the current version."}


def require_sendable(actor: User, quote: Quote) -> None:
    """Only the quote's owner sends it, and only once approved: a customer never receives
    a draft, whether the bot uploads the document or the rep says they sent it."""
    if quote.owner_id != actor.id:
        raise NotAllowed("Only the quote's owner can send it to the customer.")
    if quote.status != "approved":
        state = quote.status.replace("_", " ")
        raise Conflict(f"{quote.number} v{quote.version} is {state}; only an approved quote "
                       f"can be sent to the customer.{_NOT_YET.get(quote.status, '')}")
