"""Plan hints for the pipeline's aggregates, so each one reads the table the cheap way.

SQLite picks an index whenever a column it indexes appears in a join or a GROUP BY: it
reorders GROUP BY terms to walk `ix_opportunities_owner_id_stage_id` (or the stage index)
in order and then fetches each row from the table, one B-tree search per deal. Over every
open deal that is several times slower than reading the table once. `+col` (a no-op
arithmetic expression) keeps the value and takes the index away from the planner, so the
plan becomes one `SCAN opportunities` where that wins. PostgreSQL plans these by cost and
needs no hint: the column is left as it is there.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import ColumnElement, SQLColumnExpression, UnaryExpression, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import coercions, operators, roles

from store.models import User

T = TypeVar("T")


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def unindexed(session: Session, column: SQLColumnExpression[T]) -> ColumnElement[T]:
    """`+column` on SQLite (the same value, no index use), the column itself elsewhere."""
    if not is_sqlite(session):
        return coercions.expect(roles.ExpressionElementRole, column)
    return plus(column)


def plus(column: SQLColumnExpression[T]) -> ColumnElement[T]:
    """`+column`, whatever the database: for statements built once per plan (SQLite)."""
    element: ColumnElement[T] = coercions.expect(roles.ExpressionElementRole, column)
    return UnaryExpression(element, operator=operators.custom_op("+"), type_=element.type)


WIDE_SHARE = 16
"""A report whose owners are at least 1/16 of the users reads the table in one scan on
SQLite: walking the owner index and fetching each deal from the table costs about as much
per deal as a scan costs per row several times over (a team of 11 of 61 owners, 18 % of a
million deals: 1.7 s by the index, 1.4 s by a scan; at 100k, 231 and 111 ms), while for one
rep among many the index reads a sliver of the table and wins by far."""


def wide_scope(session: Session, owner_ids: frozenset[int] | None) -> bool:
    """SQLite: does a report of `owner_ids` read a large share of the deals (so one scan
    beats the owner index)? Everyone's always does; one owner's never does; a team's when
    it is at least 1/`WIDE_SHARE` of the users (one count of the users, once per session).
    PostgreSQL plans by its own statistics: False there, the columns are left alone."""
    if not is_sqlite(session):
        return False
    if owner_ids is None or len(owner_ids) < 2:
        return owner_ids is None
    users = session.info.get("salesbot_user_count")
    if users is None:
        users = session.scalar(select(func.count()).select_from(User)) or 0
        session.info["salesbot_user_count"] = users
    return len(owner_ids) * WIDE_SHARE >= users
