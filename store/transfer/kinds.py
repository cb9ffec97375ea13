"""The kinds `salesbot import` and `salesbot export` know, one entry each.

Columns are the canonical ones of INTERFACES.md "CSV files", in export order; the
required ones must be in an imported file's header. Adding a kind is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from sqlalchemy.orm import Session

from store.transfer.activities import ActivityLoader, activity_rows
from store.transfer.cases import CaseLoader, case_rows
from store.transfer.commerce import ContractLoader, ProductLoader, contract_rows, product_rows
from store.transfer.customers import AccountLoader, ContactLoader, account_rows, contact_rows
from store.transfer.loading import ImportContext, Loader
from store.transfer.people import UserLoader, user_rows
from store.transfer.pipeline import OpportunityLoader, opportunity_rows
from store.transfer.quotas import QuotaLoader, quota_rows
from store.transfer.spec import KindSpec
from store.transfer.stages import StageLoader, stage_rows


def _kind(
    name: str, singular: str, columns: str, required: str, *,
    loader: Callable[[ImportContext], Loader],
    rows: Callable[[Session], Iterator[Sequence[str]]],
    salesforce: bool = False,
) -> KindSpec:
    """One table entry; `columns` and `required` are comma-separated column names."""
    return KindSpec(name=name, singular=singular, columns=tuple(columns.split(",")),
                    required=frozenset(required.split(",")), loader=loader, rows=rows,
                    reads_salesforce_reports=salesforce, maps_stages=salesforce)


KINDS: Mapping[str, KindSpec] = {
    spec.name: spec for spec in (
        _kind("users", "user", "slack_id,name,email,role,team,manager,timezone",
              "slack_id", loader=UserLoader, rows=user_rows),
        _kind("accounts", "account", "name,domain,industry,employees,owner", "name",
              loader=AccountLoader, rows=account_rows),
        _kind("contacts", "contact", "name,email,phone,title,account", "name",
              loader=ContactLoader, rows=contact_rows),
        _kind("products", "product", "sku,name,list_price,currency", "sku,name,list_price",
              loader=ProductLoader, rows=product_rows),
        _kind("opportunities", "opportunity",
              "name,account,owner,stage,amount,currency,close_date,next_step,probability,"
              "lost_reason", "name,owner",
              loader=OpportunityLoader, rows=opportunity_rows,
              salesforce=True),
        _kind("contracts", "contract", "account,name,value,start_date,end_date,owner",
              "account,name,value,start_date,end_date",
              loader=ContractLoader, rows=contract_rows),
        _kind("activities", "activity",
              "kind,subject,account,opportunity,contact,owner,occurred_at,follow_up_at,done",
              "kind,subject,owner,occurred_at",
              loader=ActivityLoader, rows=activity_rows),
        _kind("cases", "case", "number,account,subject,status,priority,opened_at,closed_at",
              "number,account,subject,opened_at", loader=CaseLoader, rows=case_rows),
        _kind("quotas", "quota", "user,period,amount,currency", "user,period,amount",
              loader=QuotaLoader, rows=quota_rows),
        _kind("stages", "stage", "name,position,probability,kind,quiet_days",
              "name,position,probability,kind", loader=StageLoader, rows=stage_rows),
    )
}
