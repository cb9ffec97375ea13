"""The kinds `salesbot import` and `salesbot export` know, one entry each.

Columns are the canonical ones of docs/INTERFACES.md "CSV files", in export order; the
required ones must be in an imported file's header. Adding a kind is one entry here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from store.transfer.loading import ImportContext, Loader
    from store.transfer.spec import ProblemLog, Tally

# Start-up cost: the commands' --help and KIND choices read this table, and `salesbot
# export` must not pay for the import rules (the ORM, every model); so each loader and row
# reader is named here and imported when first called (`_loader`, `_rows`), and the
# export rows are read with SQLAlchemy Core (`store.transfer.export_rows`).


def _loader(name: str) -> Callable[[ImportContext], Loader]:
    """The loader class `store.transfer.<module>.<Class>`, imported on first use."""
    module, _, attr = name.rpartition(".")

    def make(context: ImportContext) -> Loader:
        loader: Callable[[ImportContext], Loader] = getattr(
            importlib.import_module(f"store.transfer.{module}"), attr)
        return loader(context)

    make.__qualname__ = make.__name__ = attr
    return make


def _rows(name: str) -> Callable[[Connection], Iterator[Sequence[str]]]:
    """The export reader `store.transfer.export_rows.<name>`, imported on first use."""

    def read(connection: Connection) -> Iterator[Sequence[str]]:
        from store.transfer import export_rows

        rows: Callable[[Connection], Iterator[Sequence[str]]] = getattr(export_rows, name)
        return rows(connection)

    read.__qualname__ = read.__name__ = name
    return read


@dataclass(frozen=True)
class KindSpec:
    """One importable and exportable kind of record."""

    name: str
    singular: str
    columns: tuple[str, ...]
    required: frozenset[str]
    loader: Callable[[ImportContext], Loader]
    rows: Callable[[Connection], Iterator[Sequence[str]]]
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
    rows: Callable[[Connection], Iterator[Sequence[str]]],
    salesforce: bool = False,
) -> KindSpec:
    """One table entry; `columns` and `required` are comma-separated column names."""
    return KindSpec(name=name, singular=singular, columns=tuple(columns.split(",")),
                    required=frozenset(required.split(",")), loader=loader, rows=rows,
                    reads_salesforce_reports=salesforce, maps_stages=salesforce)


KINDS: Mapping[str, KindSpec] = {
    spec.name: spec for spec in (
        _kind("users", "user", "slack_id,name,email,role,team,manager,timezone",
              "slack_id", loader=_loader("people.UserLoader"), rows=_rows("user_rows")),
        _kind("accounts", "account", "name,domain,industry,employees,owner", "name",
              loader=_loader("customers.AccountLoader"), rows=_rows("account_rows")),
        _kind("contacts", "contact", "name,email,phone,title,account", "name",
              loader=_loader("customers.ContactLoader"), rows=_rows("contact_rows")),
        _kind("products", "product", "sku,name,list_price,currency", "sku,name,list_price",
              loader=_loader("commerce.ProductLoader"), rows=_rows("product_rows")),
        _kind("opportunities", "opportunity",
              "name,account,owner,stage,amount,currency,close_date,next_step,probability,"
              "lost_reason", "name,owner",
              loader=_loader("pipeline.OpportunityLoader"), rows=_rows("opportunity_rows"),
              salesforce=True),
        _kind("contracts", "contract", "account,name,value,start_date,end_date,owner",
              "account,name,value,start_date,end_date",
              loader=_loader("commerce.ContractLoader"), rows=_rows("contract_rows")),
        _kind("activities", "activity",
              "kind,subject,account,opportunity,contact,owner,occurred_at,follow_up_at,done",
              "kind,subject,owner,occurred_at",
              loader=_loader("activities.ActivityLoader"), rows=_rows("activity_rows")),
        _kind("cases", "case", "number,account,subject,status,priority,opened_at,closed_at",
              "number,account,subject,opened_at",
              loader=_loader("cases.CaseLoader"), rows=_rows("case_rows")),
        _kind("quotas", "quota", "user,period,amount,currency", "user,period,amount",
              loader=_loader("quotas.QuotaLoader"), rows=_rows("quota_rows")),
        _kind("stages", "stage", "name,position,probability,kind,quiet_days",
              "name,position,probability,kind",
              loader=_loader("stages.StageLoader"), rows=_rows("stage_rows")),
    )
}
