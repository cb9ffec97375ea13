"""The quick reading of a plain opportunity row: the same values `OpportunityLoader.parse`
gives, at a fraction of its cost, or None to have the row read the general way.

A million-row file is a million calls of every cell accessor; most rows are plain (a
known owner, account and stage, an amount like `84000.00`, an ISO date) and name the same
few owners, accounts, stages, currencies and dates again and again. Those answers are
remembered by the cell's text. Anything else (a blank required cell, an unknown name, a
grouped amount, a short row) returns None, and the general reading of `Cells` decides and
words the complaint, so every error message stays the one place's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from store.models import Stage
from store.money import currency_precision
from store.transfer.lookups import ImportLookups, Person
from store.transfer.reader import Layout, Record
from store.transfer.values import CellError, currency_code

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_AMOUNT = re.compile(r"(\d{1,18})(?:\.(\d*))?")
_MAX_MINOR = 2**63 - 1
_REMEMBERED = 50_000  # answers kept per column; the memory stays flat on any file
T = TypeVar("T")


class _Memo(dict[str, Any]):
    """Answers by cell text; only good ones, so a bad cell is always read the general way."""

    def known(self, text: str, find: Callable[[str], T | None]) -> T | None:
        found = self.get(text)
        if found is None:
            found = find(text)
            if found is not None:
                if len(self) >= _REMEMBERED:
                    self.clear()
                self[text] = found
        return found


class QuickDeals:
    """Reads plain rows of one file; the general reading stays the reference."""

    def __init__(self, layout: Layout, lookups: ImportLookups, currency: str) -> None:
        self._lookups = lookups
        self._default = currency
        self._has = {column: layout.has(column) for column in
                     ("account", "stage", "amount", "currency", "close_date", "next_step",
                      "lost_reason", "probability")}
        self._people, self._accounts, self._stages = _Memo(), _Memo(), _Memo()
        self._currencies, self._days = _Memo(), _Memo()

    def remembers_account(self, text: str) -> bool:
        return text in self._accounts

    def _person(self, ref: str) -> Person | None:
        return self._lookups.person(ref)

    def _account(self, name: str) -> int | None:
        return self._lookups.account_id(name)

    def _stage(self, name: str) -> tuple[Stage, int] | None:
        stage = self._lookups.stage(name)
        return (stage, stage.id) if stage is not None and stage.is_active else None

    def _currency(self, text: str) -> tuple[str, int] | None:
        try:
            code = currency_code(text, self._default)
        except CellError:
            return None
        return code, currency_precision(code)

    @staticmethod
    def _day(text: str) -> date | None:
        if not _ISO_DATE.fullmatch(text):
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None

    def parse(self, record: Record) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(values, extra) as `OpportunityLoader.parse` makes them, or None."""
        if record.misshapen is not None:
            return None
        cells, has = record.cells, self._has
        name = " ".join((cells["name"] or "").split())
        text = (cells["owner"] or "").strip()
        owner = self._people.get(text) or self._people.known(text, self._person)
        text = (cells["currency"] or "").strip() if has["currency"] else ""
        currency, places = self._currencies.get(text) or \
            self._currencies.known(text, self._currency) or ("", 0)
        if not name or len(name) > 200 or owner is None or not currency:
            return None
        account_id = None
        if has["account"] and (text := (cells["account"] or "").strip()):
            account_id = self._accounts.get(text) or self._accounts.known(text, self._account)
            if account_id is None:
                return None
        stage, stage_id = None, None
        if has["stage"] and (text := (cells["stage"] or "").strip()):
            stage, stage_id = self._stages.get(text) or \
                self._stages.known(text, self._stage) or (None, None)
            if stage is None:
                return None
        values: dict[str, Any] = {"name": name, "account_id": account_id,
                                  "owner_id": owner.id, "currency": currency}
        if not self._rest(cells, values, places):
            return None
        if stage is not None:
            values["stage_id"] = stage_id
        return values, {"stage": stage, "owner": owner}

    def _rest(self, cells: Mapping[str, str | None], values: dict[str, Any],
              places: int) -> bool:
        """The amount, close date and texts into `values`; False when one is not plain."""
        has = self._has
        if has["amount"] and (text := (cells["amount"] or "").strip()):
            minor = _minor_units(text, places)
            if minor is None:
                return False
            values["amount_minor"] = minor
        if has["close_date"] and (text := (cells["close_date"] or "").strip()):
            day = self._days.get(text) or self._days.known(text, self._day)
            if day is None:
                return False
            values["close_date"] = day
        for column in ("next_step", "lost_reason"):
            if has[column]:
                values[column] = (cells[column] or "").strip() or None
        if has["probability"]:
            if (cells["probability"] or "").strip():
                return False  # rare in a migration: read the general way
            values["probability"] = None
        return True


def _minor_units(text: str, places: int) -> int | None:
    """`84000.00` in minor units of a currency with `places` decimals, as `parse_amount`
    and `minor_units` read it; None for anything less plain."""
    amount = _AMOUNT.fullmatch(text)
    if amount is None:
        return None
    whole, fraction = amount.group(1), amount.group(2) or ""
    if len(fraction) > places:
        if fraction[places:].strip("0"):
            return None
        fraction = fraction[:places]
    minor = int(whole) * 10**places + int(fraction.ljust(places, "0") or 0)
    return minor if minor <= _MAX_MINOR else None
