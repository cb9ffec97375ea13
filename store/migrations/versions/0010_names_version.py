"""names version: one counter the name-changing writes bump, their change log, and an index on
users.delegate_id (every approvals queue and App Home asks whose approvals an approver decides)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 17:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    version = op.create_table(
        'names_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_names_version')),
    )
    op.bulk_insert(version, [{'id': 1, 'version': 0}])
    op.create_table(
        'name_changes',
        sa.Column('version', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('entity_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('version', name=op.f('pk_name_changes')),
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_delegate_id'), ['delegate_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_delegate_id'))
    op.drop_table('name_changes')
    op.drop_table('names_version')
