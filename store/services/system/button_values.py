"""Button values kept in the store because they do not fit in a button.

Slack limits a button's value to 2,000 characters; a "which one did you mean?" button
carries the whole pending request, which a long message (non-ASCII text grows sixfold as
JSON escapes) can push past that. Cutting it would leave half a JSON document, so the
value is kept here and the button carries its id.
"""

from __future__ import annotations

from datetime import timedelta

from store.db import Store
from store.errors import NotFound
from store.models import ButtonValue

KEPT_FOR = timedelta(days=30)
"""Older buttons are stale anyway (the deal or question they carry has moved on); a click
on one after this gets "That button no longer works; ask me again."."""


class ButtonValueService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def park(self, value: str) -> int:
        """Keep `value`; its id goes in the button."""
        with self.store.transaction() as s:
            row = ButtonValue(created_at=self.store.now(), value=value)
            s.add(row)
            s.flush()
            return row.id

    def get(self, value_id: int) -> str:
        """The value kept under `value_id`, or NotFound (the button is from another store)."""
        with self.store.transaction() as s:
            row = s.get(ButtonValue, value_id) if 0 < value_id < 2**31 else None
            if row is None:
                raise NotFound("That button no longer works; ask me again.")
            return row.value
