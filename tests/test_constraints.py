"""The database itself refuses bad rows, whatever code path writes them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from store.db import Store
from store.models import (
    Account,
    Activity,
    Contract,
    Opportunity,
    Product,
    Quote,
    QuoteLine,
    Stage,
    User,
)
from tests.conftest import START


def _base(store: Store) -> dict[str, int]:
    with store.transaction() as s:
        user = User(slack_user_id="U1", name="Ana", role="rep")
        account = Account(name="Acme", name_key="acme", owner=user)
        s.add_all([user, account])
        s.flush()
        stage = s.scalar(select(Stage).where(Stage.name == "Prospecting"))
        opp = Opportunity(
            name="Renewal", account=account, owner=user, stage=stage, amount_minor=100,
            currency="USD", close_date=date(2026, 12, 31), probability=10,
            stage_changed_at=START,
        )
        s.add(opp)
        s.flush()
        return {"user": user.id, "account": account.id, "stage": stage.id, "opp": opp.id}


def _refused(store: Store, table, **values) -> None:
    with pytest.raises(IntegrityError), store.transaction() as s:
        s.execute(insert(table).values(created_at=START, updated_at=START, **values))


def _opp(ids: dict[str, int], **over):
    values = dict(
        name="X", account_id=ids["account"], owner_id=ids["user"], stage_id=ids["stage"],
        amount_minor=0, currency="USD", close_date=date(2026, 12, 1), probability=10,
        probability_overridden=False, stage_changed_at=START,
    )
    values.update(over)
    return values


def test_negative_amount_is_refused(store: Store) -> None:
    ids = _base(store)
    _refused(store, Opportunity, **_opp(ids, amount_minor=-1))


def test_probability_over_100_is_refused(store: Store) -> None:
    ids = _base(store)
    _refused(store, Opportunity, **_opp(ids, probability=120))


def test_duplicate_deal_name_on_an_account_is_refused(store: Store) -> None:
    ids = _base(store)
    _refused(store, Opportunity, **_opp(ids, name="Renewal"))


def test_unknown_role_is_refused(store: Store) -> None:
    _refused(store, User, slack_user_id="U9", name="X", role="boss", is_active=True)


def test_activity_for_a_missing_account_is_refused(store: Store) -> None:
    ids = _base(store)
    _refused(
        store, Activity, kind="call", subject="hi", occurred_at=START, done=True,
        owner_id=ids["user"], account_id=9999,
    )


def test_activity_about_nothing_is_refused(store: Store) -> None:
    ids = _base(store)
    _refused(store, Activity, kind="call", subject="hi", occurred_at=START, done=True,
             owner_id=ids["user"])


def test_unknown_activity_kind_is_refused(store: Store) -> None:
    ids = _base(store)
    _refused(store, Activity, kind="lunch", subject="hi", occurred_at=START, done=True,
             owner_id=ids["user"], account_id=ids["account"])


def test_contract_ending_before_it_starts_is_refused(store: Store) -> None:
    ids = _base(store)
    _refused(store, Contract, account_id=ids["account"], name="MSA", value_minor=1,
             currency="USD", start_date=date(2026, 5, 1), end_date=date(2026, 4, 1),
             status="active")


def test_quote_line_quantity_must_be_positive(store: Store) -> None:
    ids = _base(store)
    with store.transaction() as s:
        product = Product(sku="P1", name="Platform", list_price_minor=1000, currency="USD")
        quote = Quote(
            number="Q-2026-0001", version=1, opportunity_id=ids["opp"], owner_id=ids["user"],
            currency="USD", valid_until=date(2026, 12, 31),
        )
        s.add_all([product, quote])
        s.flush()
        quote_id, product_id = quote.id, product.id
    with pytest.raises(IntegrityError), store.transaction() as s:
        s.execute(insert(QuoteLine).values(
            quote_id=quote_id, position=1, product_id=product_id, description="Platform",
            quantity=0, unit_price_minor=1000, discount_bp=0, line_total_minor=0,
        ))


def test_quote_total_must_add_up(store: Store) -> None:
    ids = _base(store)
    _refused(
        store, Quote, number="Q-2026-0002", version=1, opportunity_id=ids["opp"],
        owner_id=ids["user"], status="draft", currency="USD", discount_bp=0,
        subtotal_minor=1000, discount_minor=100, total_minor=1000,
        valid_until=date(2026, 12, 31),
    )


def test_won_stage_must_be_100_percent(store: Store) -> None:
    _refused(store, Stage, name="Won again", position=99, probability=80, kind="won",
             is_active=True)
