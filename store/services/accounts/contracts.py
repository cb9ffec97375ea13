"""Contracts: the source of renewals."""

from __future__ import annotations

from store.access import require_account_access, require_owner_access
from store.db import Store
from store.errors import Conflict, NotFound
from store.models import Contract
from store.schemas import OpportunityView
from store.services.deals.opportunities import create_opportunity
from store.services.people.users import require_by_id

OUT_OF_REACH = ("That contract's account is not one you work on, so nothing was created; "
                "ask your manager to create the renewal.")


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
