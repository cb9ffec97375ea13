"""The rows `salesbot export KIND` writes, read with SQLAlchemy Core.

Why Core: an export is one SELECT per kind, and the ORM (mapping every model, then
configuring the mappers) cost more than the whole query at start-up. So the tables are
described here by the few columns the export reads (tests/test_export_rows.py checks each
against the models), and rows come back as tuples through the store's own column types
(aware UTC datetimes, dates, flags), exactly as the ORM returned them.

Each function yields the kind's canonical columns (`store.transfer.kinds`) in key order,
sorted by code point on every dialect, so an export has one order everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Connection,
    Date,
    Integer,
    Select,
    String,
    TableClause,
    collate,
    column,
    func,
    select,
    table,
)

from store.coltypes import UTCDateTime
from store.transfer.values import date_cell, flag_cell, moment_cell, money_cell, text_cell


def _table(name: str, *columns: str, **typed: Any) -> TableClause:
    """A table by the columns read here: `columns` are text (or needs no conversion);
    `typed` maps a column to the type its values are converted by."""
    return table(name, column("id", BigInteger), *(column(c, String) for c in columns),
                 *(column(c, kind) for c, kind in typed.items()))


USERS = _table("users", "slack_user_id", "name", "email", "role", "timezone",
               team_id=BigInteger, manager_id=BigInteger)
TEAMS = _table("teams", "name")
ACCOUNTS = _table("accounts", "name", "name_key", "domain", "industry",
                  employees=Integer, owner_id=BigInteger)
CONTACTS = _table("contacts", "name", "email", "phone", "title", account_id=BigInteger)
PRODUCTS = _table("products", "sku", "name", "currency", list_price_minor=BigInteger)
STAGES = _table("stages", "name", "kind", position=Integer, probability=Integer,
                quiet_days=Integer)
OPPORTUNITIES = _table(
    "opportunities", "name", "currency", "next_step", "lost_reason",
    account_id=BigInteger, owner_id=BigInteger, stage_id=BigInteger,
    amount_minor=BigInteger, close_date=Date, probability=Integer, archived_at=UTCDateTime)
CONTRACTS = _table("contracts", "name", "currency", value_minor=BigInteger,
                   start_date=Date, end_date=Date, account_id=BigInteger, owner_id=BigInteger)
ACTIVITIES = _table("activities", "kind", "subject", account_id=BigInteger,
                    opportunity_id=BigInteger, contact_id=BigInteger, owner_id=BigInteger,
                    occurred_at=UTCDateTime, follow_up_at=UTCDateTime, done=Boolean)
CASES = _table("cases", "number", "subject", "status", "priority", account_id=BigInteger,
               opened_at=UTCDateTime, closed_at=UTCDateTime)
QUOTAS = _table("quotas", "period", "currency", user_id=BigInteger, amount_minor=BigInteger)

TABLES = (USERS, TEAMS, ACCOUNTS, CONTACTS, PRODUCTS, STAGES, OPPORTUNITIES, CONTRACTS,
          ACTIVITIES, CASES, QUOTAS)


def in_code_point_order(connection: Connection, expr: ColumnElement[Any]
                        ) -> ColumnElement[Any]:
    """Sort text by code point on every dialect (PostgreSQL's locale collations ignore case
    and punctuation; SQLite compares bytes), so an export has one order everywhere."""
    if connection.dialect.name == "postgresql":
        return collate(expr, "C")
    return expr


def _stream(connection: Connection, query: Select[Any]) -> Iterator[Any]:
    """The rows in batches of 1,000, so a large export costs the memory of one batch."""
    return iter(connection.execution_options(yield_per=1000).execute(query))


def _texts(connection: Connection, query: Select[Any]) -> Iterator[Sequence[str]]:
    for row in _stream(connection, query):
        yield [text_cell(value) for value in row]


def user_rows(connection: Connection) -> Iterator[Sequence[str]]:
    managers = USERS.alias("manager")
    u, team, manager = USERS.c, TEAMS.c, managers.c
    query = (select(u.slack_user_id, u.name, u.email, u.role, team.name,
                    manager.slack_user_id, u.timezone)
             .select_from(USERS.outerjoin(TEAMS, u.team_id == team.id)
                          .outerjoin(managers, u.manager_id == manager.id))
             .order_by(in_code_point_order(connection, u.slack_user_id)))
    return _texts(connection, query)


def account_rows(connection: Connection) -> Iterator[Sequence[str]]:
    a, u = ACCOUNTS.c, USERS.c
    query = (select(a.name, a.domain, a.industry, a.employees, u.slack_user_id)
             .select_from(ACCOUNTS.outerjoin(USERS, a.owner_id == u.id))
             .order_by(in_code_point_order(connection, a.name_key)))
    return _texts(connection, query)


def contact_rows(connection: Connection) -> Iterator[Sequence[str]]:
    c, a = CONTACTS.c, ACCOUNTS.c
    query = (select(c.name, c.email, c.phone, c.title, a.name)
             .select_from(CONTACTS.outerjoin(ACCOUNTS, c.account_id == a.id))
             .order_by(in_code_point_order(connection, func.coalesce(c.email, "")),
                       in_code_point_order(connection, c.name),
                       in_code_point_order(connection, func.coalesce(a.name_key, "")),
                       c.id))
    return _texts(connection, query)


def product_rows(connection: Connection) -> Iterator[Sequence[str]]:
    p = PRODUCTS.c
    query = (select(p.sku, p.name, p.list_price_minor, p.currency)
             .order_by(in_code_point_order(connection, p.sku)))
    for row in _stream(connection, query):
        yield [row.sku, row.name, money_cell(row.list_price_minor, row.currency), row.currency]


def opportunity_rows(connection: Connection) -> Iterator[Sequence[str]]:
    """Live deals only: one removed with Undo is archived and counts in no report."""
    o, a, u, s = OPPORTUNITIES.c, ACCOUNTS.c, USERS.c, STAGES.c
    query = (
        select(o.name, a.name.label("account"), u.slack_user_id, s.name.label("stage"),
               o.amount_minor, o.currency, o.close_date, o.next_step, o.probability,
               o.lost_reason)
        .select_from(OPPORTUNITIES.outerjoin(ACCOUNTS, o.account_id == a.id)
                     .join(USERS, o.owner_id == u.id).join(STAGES, o.stage_id == s.id))
        .where(o.archived_at.is_(None))
        .order_by(in_code_point_order(connection, func.coalesce(a.name_key, "")),
                  in_code_point_order(connection, o.name), o.id)
    )
    for row in _stream(connection, query):
        yield [
            row.name, text_cell(row.account), row.slack_user_id, row.stage,
            money_cell(row.amount_minor, row.currency), row.currency, date_cell(row.close_date),
            text_cell(row.next_step), str(row.probability), text_cell(row.lost_reason),
        ]


def contract_rows(connection: Connection) -> Iterator[Sequence[str]]:
    k, a, u = CONTRACTS.c, ACCOUNTS.c, USERS.c
    query = (
        select(a.name.label("account"), k.name, k.value_minor, k.currency, k.start_date,
               k.end_date, u.slack_user_id)
        .select_from(CONTRACTS.join(ACCOUNTS, k.account_id == a.id)
                     .outerjoin(USERS, k.owner_id == u.id))
        .order_by(in_code_point_order(connection, a.name_key),
                  in_code_point_order(connection, k.name))
    )
    for row in _stream(connection, query):
        yield [
            row.account, row.name, money_cell(row.value_minor, row.currency),
            date_cell(row.start_date), date_cell(row.end_date), text_cell(row.slack_user_id),
        ]


def activity_rows(connection: Connection) -> Iterator[Sequence[str]]:
    t, a, o, c, u = ACTIVITIES.c, ACCOUNTS.c, OPPORTUNITIES.c, CONTACTS.c, USERS.c
    query = (
        select(t.kind, t.subject, a.name.label("account"), o.name.label("deal"),
               func.coalesce(c.email, c.name).label("contact"), u.slack_user_id,
               t.occurred_at, t.follow_up_at, t.done)
        .select_from(ACTIVITIES.outerjoin(ACCOUNTS, t.account_id == a.id)
                     .outerjoin(OPPORTUNITIES, t.opportunity_id == o.id)
                     .outerjoin(CONTACTS, t.contact_id == c.id)
                     .join(USERS, t.owner_id == u.id))
        .order_by(t.kind, in_code_point_order(connection, t.subject),
                  in_code_point_order(connection, func.coalesce(a.name_key, "")),
                  t.occurred_at, t.id)
    )
    for row in _stream(connection, query):
        yield [
            row.kind, row.subject, text_cell(row.account), text_cell(row.deal),
            text_cell(row.contact), row.slack_user_id, moment_cell(row.occurred_at),
            moment_cell(row.follow_up_at), flag_cell(row.done),
        ]


def case_rows(connection: Connection) -> Iterator[Sequence[str]]:
    k, a = CASES.c, ACCOUNTS.c
    query = (select(k.number, a.name.label("account"), k.subject, k.status, k.priority,
                    k.opened_at, k.closed_at)
             .select_from(CASES.join(ACCOUNTS, k.account_id == a.id))
             .order_by(in_code_point_order(connection, k.number)))
    for row in _stream(connection, query):
        yield [row.number, row.account, row.subject, row.status, row.priority,
               moment_cell(row.opened_at), moment_cell(row.closed_at)]


def quota_rows(connection: Connection) -> Iterator[Sequence[str]]:
    q, u = QUOTAS.c, USERS.c
    query = (select(u.slack_user_id, q.period, q.amount_minor, q.currency)
             .select_from(QUOTAS.join(USERS, q.user_id == u.id))
             .order_by(in_code_point_order(connection, u.slack_user_id), q.period))
    for row in _stream(connection, query):
        yield [row.slack_user_id, row.period, money_cell(row.amount_minor, row.currency),
               row.currency]


def stage_rows(connection: Connection) -> Iterator[Sequence[str]]:
    s = STAGES.c
    query = (select(s.name, s.position, s.probability, s.kind, s.quiet_days)
             .order_by(in_code_point_order(connection, s.name)))
    for row in _stream(connection, query):
        yield [row.name, str(row.position), str(row.probability), row.kind,
               "" if row.quiet_days is None else str(row.quiet_days)]
