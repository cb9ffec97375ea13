"""Contracts: the source of renewals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from store.access import require_account_access, require_owner_access, visible_account_ids
from store.db import Store
from store.errors import Conflict, NotFound
from store.models import Account, Contract, Opportunity, Stage
from store.money import from_minor
from store.schemas import OpportunityView, deal_title
from store.services.deals.opportunities import create_opportunity
from store.services.people.users import require_by_id

OUT_OF_REACH = ("That contract's account is not one you work on, so nothing was created; "
                "ask your manager to create the renewal.")


@dataclass(frozen=True, slots=True)
class Ending:
    """A contract that ends in the period asked about, with its renewal deal if one exists."""

    account: str
    name: str
    value: Decimal
    currency: str
    end_date: date
    renewal: str | None  # the renewal deal's title


class ContractService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create_renewal(self, actor_id: int, contract_id: int) -> OpportunityView:
        """The renewal deal, pre-filled from the contract (value, end date), linked back.

        The actor needs the contract (its owner in reach) and its account: a deal is only
        opened on an account they may act on (store/access.py), even when the contract is
        theirs and the account has since moved to another territory.
        """
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            contract = s.get(Contract, contract_id)
            if contract is None:
                raise NotFound("That contract no longer exists.")
            require_owner_access(s, actor, contract.owner_id, "contracts")
            if contract.renewal_opportunity_id is not None:
                raise Conflict("The renewal deal already exists.")
            account = require_account_access(s, actor, contract.account_id, OUT_OF_REACH)
            opp = create_opportunity(
                s, name=f"Renewal {contract.end_date.year}", owner=actor, actor=actor,
                now=self.store.now(), currency=contract.currency, account_name=account.name,
                amount_minor=contract.value_minor, close_date=contract.end_date,
                next_step=f"Renew {contract.name}",
            )
            contract.renewal_opportunity_id = opp.id
            return OpportunityView.of(opp)

    def ending(self, actor_id: int, start: date, end: date) -> list[Ending]:
        """Active contracts on accounts the actor can see that end from `start` up to (not
        including) `end`, soonest first: "renewals this quarter". One statement. A contract
        with no renewal deal linked shows the account's open deal named for a renewal."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            visible = visible_account_ids(s, actor)
            named = (select(Opportunity.name).join(Stage, Stage.id == Opportunity.stage_id)
                     .where(Opportunity.account_id == Contract.account_id,
                            func.lower(Opportunity.name).contains("renew"),
                            Stage.kind == "open", Opportunity.archived_at.is_(None))
                     .order_by(Opportunity.id).limit(1).correlate(Contract)
                     .scalar_subquery())  # "Acme — Renewal", made by hand and never linked
            query = (select(Contract, Account.name, Opportunity, named.label("named"))
                     .join(Account, Account.id == Contract.account_id)
                     .outerjoin(Opportunity, Opportunity.id == Contract.renewal_opportunity_id)
                     .where(Contract.status == "active", Contract.end_date >= start,
                            Contract.end_date < end)
                     .order_by(Contract.end_date, Account.name, Contract.id))
            if visible is not None:
                query = query.where(Contract.account_id.in_(visible))
            return [Ending(account, c.name, from_minor(c.value_minor, c.currency), c.currency,
                           c.end_date, deal_title(account, deal.name) if deal else
                           deal_title(account, guess) if guess else None)
                    for c, account, deal, guess in s.execute(query)]
