"""Several facts in one message, deal names, reopening by name, and the close-date rule
every write path shares: through the real app (signed requests, the loopback Slack) and
the store, asserting what the rep saw and what was written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.chat import Chat
from store.errors import InvalidInput
from store.services import Services


def test_a_typed_close_date_in_the_past_is_refused_and_nothing_written(
        chat: Chat, services: Services, book) -> None:
    before = services.opportunities.get(book["ana"], book["globex"])
    [reply] = chat.say("globex close date 2026-10-01")
    assert "can't be in the past" in reply.text
    after = services.opportunities.get(book["ana"], book["globex"])
    assert (after.close_date, after.amount) == (before.close_date, before.amount)


def test_a_typed_past_close_date_beside_an_amount_writes_neither(
        chat: Chat, services: Services, book) -> None:
    before = services.opportunities.get(book["ana"], book["globex"])
    chat.say("globex 150k, close date 2026-10-01")
    after = services.opportunities.get(book["ana"], book["globex"])
    assert (after.close_date, after.amount) == (before.close_date, before.amount)


def test_the_edit_form_refuses_a_past_close_date_on_that_field(
        chat: Chat, services: Services, book) -> None:
    before = services.opportunities.get(book["ana"], book["acme"])
    chat.say("show acme renewal")
    chat.click(action_id="opp_edit")
    response = chat.submit({"Close date": "2026-10-01"})
    assert "can't be in the past" in response.body and "close_date" in response.body
    assert services.opportunities.get(book["ana"], book["acme"]).close_date \
        == before.close_date
    chat.submit({"Close date": "2027-01-15"})
    assert services.opportunities.get(book["ana"], book["acme"]).close_date \
        == date(2027, 1, 15)


def test_the_service_refuses_a_past_close_date_but_an_import_may_write_one(
        services: Services, book) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.opportunities.update(book["ana"], book["hooli"], close_date=date(2026, 1, 5))
    assert refused.value.field == "close_date"
    services.opportunities.update(book["ana"], book["hooli"], close_date=date(2026, 1, 5),
                                  source="import")
    assert services.opportunities.get(book["ana"], book["hooli"]).close_date \
        == date(2026, 1, 5)
    # a stale deal (its day already gone) still has its amount edited, the date untouched
    services.opportunities.update(book["ana"], book["hooli"], amount=Decimal(25000),
                                  close_date=date(2026, 1, 5))
    assert services.opportunities.get(book["ana"], book["hooli"]).amount == Decimal(25000)


def test_a_new_deal_typed_with_a_past_close_date_is_not_created(
        chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("new deal for globex: fleet, 10k, closing 2019-06-30")
    assert "can't be in the past" in reply.text
    deals = services.opportunities.visible(book["ana"], open_only=False)
    assert len(deals) == 6 and not any(d.name == "Fleet" for d in deals)
