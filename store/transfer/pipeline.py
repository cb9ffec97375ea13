"""Opportunities: the pipeline, keyed by account + name, with their stage history.

Stage, amount, probability and close date have one write path with a history row
(store.services.opportunities). A deal already in the store is changed through
`apply_change` with source 'import'. New deals are the bulk of a migration, so they
are written a batch at a time by the database's bulk path (`store.transfer.bulk`), each
with the same first history row `create_opportunity` writes (from no stage, source
'import').
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, tuple_

from store.errors import StoreError
from store.models import Opportunity, Stage, User
from store.services.deals.changes import Change, apply_change, local_today
from store.transfer.bulk import DealWriter, NewDeal, deal_writer
from store.transfer.cells import Cells
from store.transfer.loading import ImportContext, Loader, Parsed
from store.transfer.lookups import chunks
from store.transfer.quick import QuickDeals
from store.transfer.reader import Record
from store.transfer.values import CellError, minor_units

_WATCHED = ("stage_id", "amount_minor", "currency", "probability", "close_date", "next_step",
            "owner_id", "lost_reason")

Key = tuple[int | None, str]
_PAIRS = 450  # (account_id, name) pairs per query: two bound parameters each


class OpportunityLoader(Loader):
    account_columns = ("account",)

    def __init__(self, context: ImportContext) -> None:
        super().__init__(context)
        self._writer: DealWriter | None = None
        self._stage_facts: dict[Stage, tuple[int, str, int]] = {}
        self._open_stage: Stage | None = None
        self._quick = QuickDeals(context.layout, context.lookups, context.options.currency)

    def prefetch(self, records: list[Record]) -> None:
        quick = self._quick
        self.context.lookups.prefetch_accounts(
            name for record in records
            if (name := (record.cells.get("account") or "").strip())
            and not quick.remembers_account(name)
        )

    def quick(self, record: Record) -> Parsed | None:
        read = self._quick.parse(record)
        return None if read is None else Parsed(record.line, *read)

    def parse(self, cells: Cells) -> Parsed | None:
        name = cells.name("name")
        owner = cells.person("owner", required=True)
        currency = cells.currency()
        values: dict[str, Any] = {
            "name": name, "account_id": cells.account_id() if cells.has("account") else None,
            "owner_id": owner.id if owner else None, "currency": currency,
        }
        stage = cells.stage() if cells.has("stage") else None
        amount = cells.amount("amount")
        if amount is not None:
            try:
                values["amount_minor"] = minor_units(amount, currency)
            except CellError as exc:
                cells.fail("amount", str(exc))
        close_date = cells.day("close_date")
        if close_date is not None:
            values["close_date"] = close_date
        for column in ("next_step", "lost_reason"):
            if cells.has(column):
                values[column] = cells.text(column)
        if cells.has("probability"):
            values["probability"] = cells.percent("probability")
            _check_closed_probability(cells, stage, values["probability"])
        if stage is not None:
            values["stage_id"] = stage.id
        if name is None or owner is None:
            return None
        return Parsed(cells.line, values, {"stage": stage, "owner": owner})

    def write(self, rows: list[Parsed]) -> None:
        """New deals in bulk; the file's second mention of a deal in one batch merges into
        the first (the later values win), a deal already in the store changes through
        `apply_change`, in the file's order."""
        alone: set[Key] = {(None, row.values["name"]) for row in rows
                           if row.values["account_id"] is None}
        known = self._existing_ids(alone)  # the unique key does not cover them
        fresh: dict[Key, list[Parsed]] = {}
        changes: list[tuple[Parsed, int]] = []
        for row in rows:
            key = (row.values["account_id"], row.values["name"])
            if key in known:
                changes.append((row, known[key]))
            else:
                fresh.setdefault(key, []).append(row)
        there = self._insert(fresh)
        if there:  # in the store already: each of the file's rows is a change
            known = self._existing_ids(set(there))
            changes.extend((row, known[key]) for key in there for row in fresh[key])
            changes.sort(key=lambda change: change[0].line)
        self._update(changes)

    def _existing_ids(self, keys: set[Key]) -> dict[Key, int]:
        """Ids of live deals already in the store, by (account_id, name) pairs, and among
        deals without an account by name."""
        pairs = sorted(key for key in keys if key[0] is not None)
        loners = sorted({name for account, name in keys if account is None})
        columns = (Opportunity.id, Opportunity.account_id, Opportunity.name)
        found: dict[Key, int] = {}
        for start in range(0, len(pairs), _PAIRS):
            query = select(*columns).where(
                tuple_(Opportunity.account_id, Opportunity.name).in_(pairs[start:start + _PAIRS]),
                Opportunity.archived_at.is_(None))  # a deal removed by Undo is not matched
            found.update({(r.account_id, r.name): r.id for r in self.session.execute(query)})
        for chunk in chunks(loners):
            query = select(*columns).where(Opportunity.account_id.is_(None),
                                           Opportunity.name.in_(chunk),
                                           Opportunity.archived_at.is_(None))
            found.update({(r.account_id, r.name): r.id
                          for r in self.session.execute(query.order_by(Opportunity.id.desc()))})
        return found

    def _insert(self, fresh: dict[Key, list[Parsed]]) -> list[Key]:
        """New deals with their first history rows, through the dialect's bulk path; gives
        back the keys the store turned out to have already."""
        if self._writer is None:
            self._writer = deal_writer(self.session, self.context.now)
        keys: list[Key] = []
        deals: list[NewDeal] = []
        merged = 0
        for key, mentions in fresh.items():
            row = mentions[0]
            for later in mentions[1:]:  # the file names this deal twice: the later values win
                row = Parsed(row.line, {**row.values, **later.values}, {**row.extra, **later.extra})
            deal = self._new_deal(row)
            if deal is not None:
                keys.append(key)
                deals.append(deal)
                merged += len(mentions) - 1
        there = [keys[n] for n in self._writer.insert(deals)]
        tally = self.context.tally
        tally.new += len(deals) - len(there)
        tally.updated += merged - sum(len(fresh[key]) - 1 for key in there)
        return there

    def _facts(self, stage: Stage) -> tuple[int, str, int]:
        """A stage's id, kind and probability, read once per import (not per row from the
        ORM object's attributes)."""
        facts = self._stage_facts.get(stage)
        if facts is None:
            facts = self._stage_facts[stage] = (stage.id, stage.kind, stage.probability)
        return facts

    def _new_deal(self, row: Parsed) -> NewDeal | None:
        """The new deal's values in `bulk.COLUMNS` order, as `create_opportunity` sets them."""
        now, values = self.context.now, row.values
        stage: Stage | None = row.extra["stage"]
        if stage is None:
            if self._open_stage is None:  # the stages do not change in this import
                self._open_stage = self.context.lookups.first_open_stage()
            stage = self._open_stage
        if stage is None:
            self.context.reject(row.line, [("stage", "the pipeline has no open stage")])
            return None
        stage_id, kind, stage_probability = self._facts(stage)
        is_open = kind == "open"
        probability = values.get("probability") if is_open else None
        if probability is None:
            probability = stage_probability
        close_date = values.get("close_date") or local_today(now, row.extra["owner"].timezone)
        return (
            values["name"], values["account_id"], values["owner_id"], stage_id,
            values.get("amount_minor", 0), values["currency"], close_date, probability,
            probability != stage_probability, values.get("next_step"),
            values.get("lost_reason") if kind == "lost" else None,
            None, now, None if is_open else now, None, None, now, now,
        )

    def _update(self, changes: list[tuple[Parsed, int]]) -> None:
        """Existing deals change through the one write path, which writes their history."""
        if not changes:
            return
        ids = sorted({deal_id for _, deal_id in changes})
        deals = {deal.id: deal for deal in self.session.scalars(
            select(Opportunity).where(Opportunity.id.in_(ids)))}
        for row, deal_id in changes:
            self._change(row, deals[deal_id])
        self.session.flush()

    def _change(self, row: Parsed, deal: Opportunity) -> None:
        values, tally = row.values, self.context.tally
        stage: Stage | None = row.extra["stage"]
        target = stage or deal.stage
        change: dict[str, Any] = {
            "stage": stage if stage is not None and stage.id != deal.stage_id else None,
            "amount_minor": values.get("amount_minor"), "currency": values["currency"],
            "close_date": values.get("close_date"), "lost_reason": values.get("lost_reason"),
        }
        if "next_step" in values:
            change["next_step"] = values["next_step"]
        if "probability" in values:  # blank means the stage's default
            given = values["probability"]
            if target.kind == "open":
                change["probability"] = target.probability if given is None else given
            elif given is not None and given != target.probability:
                self.context.reject(row.line, [("probability", f"a {target.name} deal is at "
                                                               f"{target.probability}%")])
                return
        owner = row.extra["owner"]
        if owner.id != deal.owner_id:
            if not owner.is_active:
                self.context.reject(row.line, [("owner", f"{owner.name} is deactivated")])
                return
            change["owner"] = self.session.get(User, owner.id)
        before = tuple(getattr(deal, column) for column in _WATCHED)
        try:
            apply_change(self.session, deal, Change(**change), actor=None,
                         now=self.context.now, source="import")
        except StoreError as exc:
            self.session.expire(deal)
            self.context.reject(row.line, [("-", str(exc))])
            return
        if before == tuple(getattr(deal, column) for column in _WATCHED):
            tally.unchanged += 1
        else:
            tally.updated += 1


def _check_closed_probability(cells: Cells, stage: Stage | None, probability: int | None) -> None:
    """A closed deal's probability is its stage's (100 won, 0 lost); another is a mistake."""
    if stage is not None and stage.kind != "open" and probability is not None \
            and probability != stage.probability:
        cells.fail("probability", f"a {stage.name} deal is at {stage.probability}%")
