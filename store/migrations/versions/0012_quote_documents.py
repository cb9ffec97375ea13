"""quote documents: who sent a quote and its file; the deal's synced quote

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 17:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sent_file_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('synced', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.add_column(sa.Column('sync_picked', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_quotes_sent_by_id_users'), 'users', ['sent_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('uq_quotes_one_synced_per_deal', ['opportunity_id'], unique=True, sqlite_where=sa.text('synced'), postgresql_where=sa.text('synced'))


def downgrade() -> None:
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_index('uq_quotes_one_synced_per_deal', sqlite_where=sa.text('synced'), postgresql_where=sa.text('synced'))
        batch_op.drop_constraint(batch_op.f('fk_quotes_sent_by_id_users'), type_='foreignkey')
        batch_op.drop_column('sync_picked')
        batch_op.drop_column('synced')
        batch_op.drop_column('sent_file_id')
        batch_op.drop_column('sent_by_id')
