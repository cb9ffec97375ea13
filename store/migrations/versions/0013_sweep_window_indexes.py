"""sweep window indexes: accounts created, cases opened, contracts by owner

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 23:55:00.000000

The reminder sweep runs the workflow rules over what happened in the last minutes
(accounts created since, cases opened since) and re-plans the renewals of contracts whose
owner was written since. Without these indexes each of those reads walked its whole table
every minute, so a sweep with nothing due cost more the bigger the book; with them each
is an index range that finds nothing.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ('ix_accounts_created_at', 'accounts', ['created_at']),
    ('ix_cases_opened_at', 'cases', ['opened_at']),
    ('ix_contracts_owner_id', 'contracts', ['owner_id']),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(op.f(name), table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(op.f(name), table_name=table)
