"""The kinds `salesbot import` and `salesbot export` know, one entry each.

Columns are the canonical ones of docs/INTERFACES.md "CSV files", in export order; the
required ones must be in an imported file's header. Adding a kind is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from store.transfer.activities import ActivityLoader, activity_rows
from store.transfer.cases import CaseLoader, case_rows
from store.transfer.commerce import ContractLoader, ProductLoader, contract_rows, product_rows
from store.transfer.customers import AccountLoader, ContactLoader, account_rows, contact_rows
from store.transfer.loading import ImportContext, Loader
from store.transfer.people import UserLoader, user_rows
from store.transfer.pipeline import OpportunityLoader, opportunity_rows
from store.transfer.quotas import QuotaLoader, quota_rows
from store.transfer.spec import ProblemLog, Tally
from store.transfer.stages import StageLoader, stage_rows


@dataclass(frozen=True)
class KindSpec:
    """One importable and exportable kind of record."""

    name: str
    singular: str
    columns: tuple[str, ...]
    required: frozenset[str]
    loader: Callable[[ImportContext], Loader]
    rows: Callable[[Session], Iterator[Sequence[str]]]
    reads_salesforce_reports: bool = False
    maps_stages: bool = False

    def noun(self, count: int) -> str:
        return self.singular if count == 1 else self.name


@dataclass(frozen=True)
class ImportResult:
    """What one import did: the tally, the problems, and whether it was committed."""

    spec: KindSpec
    tally: Tally
    problems: ProblemLog
    committed: bool

    def summary(self) -> str:
        """`imported 3 opportunities (2 new, 1 updated)`, or why nothing was."""
        tally = self.tally
        if not self.committed:
            count = self.problems.count
            line = f"nothing imported: {count} {'error' if count == 1 else 'errors'}"
            return line + (" (--skip-bad imports the good rows)" if tally.bad else "")
        parts = [f"{tally.new} new", f"{tally.updated} updated"]
        if tally.unchanged:
            parts.append(f"{tally.unchanged} unchanged")
        line = f"imported {tally.imported} {self.spec.noun(tally.imported)} ({', '.join(parts)})"
        if tally.bad:
            line += f"; skipped {tally.bad} bad {'row' if tally.bad == 1 else 'rows'}"
        return line


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
