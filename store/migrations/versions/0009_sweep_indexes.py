"""sweep indexes: a reminder sweep reads only what became due or changed since the last

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:40:00.000000

`sweep_marks` holds when each planner last looked; the indexes turn each of the sweep's
windows (changed since, due since) into an index range.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models.base

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ('ix_activities_updated_at', 'activities', ['updated_at']),
    ('ix_opportunities_updated_at', 'opportunities', ['updated_at']),
    ('ix_contracts_updated_at', 'contracts', ['updated_at']),
    ('ix_users_updated_at', 'users', ['updated_at']),
    ('ix_opportunities_stage_id_stage_changed_at', 'opportunities',
     ['stage_id', 'stage_changed_at']),
    ('ix_users_timezone', 'users', ['timezone']),
)


def upgrade() -> None:
    op.create_table(
        'sweep_marks',
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('planned_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_sweep_marks')),
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table('sweep_marks')
