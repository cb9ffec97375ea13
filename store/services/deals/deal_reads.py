"""Reading one deal: the live row, and the deal as its actor may see it.

A card or a DM note used to read the deal, then its account, its stage and the actor's
row each in a statement of its own, in a transaction that committed (and so dropped what
the request had remembered, `turn_memo`) though it wrote nothing (issue 14).
"""

from __future__ import annotations

from sqlalchemy.orm import Session, joinedload

from store.access import visible_owner_ids
from store.db import Store
from store.errors import NotAllowed, NotFound
from store.models import Opportunity
from store.schemas import OpportunityView
from store.services.people import turn_memo
from store.services.people.users import require_by_id


def require_opportunity(session: Session, opp_id: int, *, with_parts: bool = False
                        ) -> Opportunity:
    """The live deal, or NotFound. `with_parts`: its account and stage come in the same
    statement, for a caller that files a note on the account and answers with the deal's
    view."""
    options = ([joinedload(Opportunity.account), joinedload(Opportunity.stage)]
               if with_parts else [])
    opp = session.get(Opportunity, opp_id, options=options)
    if opp is None or opp.archived_at is not None:
        raise NotFound("That deal no longer exists.")
    return opp


def visible_deal(store: Store, actor_id: int, opp_id: int) -> OpportunityView:
    """The deal's view if the actor may see it. It only reads, so it commits nothing; the
    deal comes with its account, owner and stage in one statement, and the actor's
    visibility is the one the request already worked out (outside a request, read now)."""
    with store.read() as s:
        owners = turn_memo.remembered(("owners", actor_id), lambda: visible_owner_ids(
            s, turn_memo.remembered(("actor", actor_id), lambda: require_by_id(s, actor_id))))
        opp = s.get(Opportunity, opp_id, options=[
            joinedload(Opportunity.account), joinedload(Opportunity.owner),
            joinedload(Opportunity.stage)])
        if opp is None or opp.archived_at is not None:
            raise NotFound("That deal no longer exists.")
        if owners is not None and opp.owner_id not in owners:
            raise NotAllowed("That deal belongs to someone outside your team.")
        return OpportunityView.of(opp)
