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

from sqlalchemy import ColumnElement, SQLColumnExpression, UnaryExpression
from sqlalchemy.orm import Session
from sqlalchemy.sql import coercions, operators, roles

T = TypeVar("T")


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def unindexed(session: Session, column: SQLColumnExpression[T]) -> ColumnElement[T]:
    """`+column` on SQLite (the same value, no index use), the column itself elsewhere."""
    element: ColumnElement[T] = coercions.expect(roles.ExpressionElementRole, column)
    if not is_sqlite(session):
        return element
    return UnaryExpression(element, operator=operators.custom_op("+"), type_=element.type)
