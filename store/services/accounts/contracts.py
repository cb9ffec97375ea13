"""Contracts: the source of renewals."""

from __future__ import annotations

from store.access import require_owner_access
from store.db import Store
from store.errors import Conflict, NotFound
from store.models import Account, Contract
from store.schemas import OpportunityView
from store.services.deals.opportunities import create_opportunity
from store.services.people.users import require_by_id


class ContractService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create_renewal(self, actor_id: int, contract_id: int) -> OpportunityView:
        """The renewal deal, pre-filled from the contract (value, end date), linked back."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            contract = s.get(Contract, contract_id)
            if contract is None:
                raise NotFound("That contract no longer exists.")
            require_owner_access(s, actor, contract.owner_id, "contracts")
            if contract.renewal_opportunity_id is not None:
                raise Conflict("The renewal deal already exists.")
            account = s.get(Account, contract.account_id)
            assert account is not None
            opp = create_opportunity(
                s, name=f"Renewal {contract.end_date.year}", owner=actor, actor=actor,
                now=self.store.now(), currency=contract.currency, account_name=account.name,
                amount_minor=contract.value_minor, close_date=contract.end_date,
                next_step=f"Renew {contract.name}",
            )
            contract.renewal_opportunity_id = opp.id
            return OpportunityView.of(opp)
