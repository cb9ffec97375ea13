"""Quotas: what each person should close in a fiscal quarter.

Admins set them (here, or with `salesbot import quotas`); everyone reads the ones they may
see. One quota per person and quarter, in one currency; setting it again replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.access import visible_owner_ids
from store.db import Store
from store.errors import InvalidInput, NotAllowed
from store.models import Quota, User
from store.money import from_minor, to_minor
from store.periods import parse_quarter_code, quarter_code
from store.roles import is_admin
from store.services.people.users import require_by_id, require_user
from store.services.system import audit


@dataclass(frozen=True)
class QuotaView:
    user_id: int
    user_name: str
    slack_id: str
    period: str
    amount: Decimal
    currency: str


def normalize_period(period: str) -> str:
    """`2026-q4` → `2026-Q4`; InvalidInput for anything that is not a quarter."""
    return quarter_code(*parse_quarter_code(period))


def save_quota(session: Session, user: User, period: str, amount_minor: int,
               currency: str) -> Quota:
    """Insert or replace a user's quota for `period` in the caller's transaction."""
    if amount_minor < 0:
        raise InvalidInput("A quota can't be negative.")
    quota = session.scalar(select(Quota).where(Quota.user_id == user.id,
                                               Quota.period == period))
    if quota is None:
        quota = Quota(user_id=user.id, period=period, amount_minor=amount_minor,
                      currency=currency)
        session.add(quota)
    else:
        quota.amount_minor, quota.currency = amount_minor, currency
    session.flush()
    return quota


class QuotaService:
    def __init__(self, store: Store, *, default_currency: str = "USD") -> None:
        self.store = store
        self.default_currency = default_currency

    def set(self, actor_id: int, user: int | str, period: str, amount: Decimal,
            currency: str | None = None) -> QuotaView:
        """Set a user's (id, or Slack id, email or unique name) quota for `period`
        (`2026-Q4`); admins only."""
        code = normalize_period(period)
        currency = (currency or self.default_currency).upper()
        minor = to_minor(amount, currency)
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            if not is_admin(actor):
                raise NotAllowed("Only an admin can set quotas.")
            person = require_by_id(s, user) if isinstance(user, int) else require_user(s, user)
            save_quota(s, person, code, minor, currency)
            audit.record(s, at=self.store.now(), actor_id=actor.id, action="quota.set",
                         entity_type="user", entity_id=person.id,
                         detail={"period": code, "amount_minor": minor, "currency": currency})
            return QuotaView(person.id, person.name, person.slack_user_id, code,
                             from_minor(minor, currency), currency)

    def for_period(self, actor_id: int, period: str) -> list[QuotaView]:
        """Quotas of `period` for the people the actor may see, by name."""
        code = normalize_period(period)
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            query = (select(Quota, User).join(User, Quota.user_id == User.id)
                     .where(Quota.period == code).order_by(User.name))
            visible = visible_owner_ids(s, actor)
            if visible is not None:
                query = query.where(Quota.user_id.in_(sorted(visible)))
            return [QuotaView(u.id, u.name, u.slack_user_id, q.period,
                              from_minor(q.amount_minor, q.currency), q.currency)
                    for q, u in s.execute(query)]
