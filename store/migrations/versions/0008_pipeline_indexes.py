"""pipeline indexes: stuck deals by time in stage, pipeline movement by change time

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 17:45:00.000000

`stuck deals` asks for the open deals longest in their stage: with an index on
(stage_changed_at, id) the database reads them oldest first and stops after five instead
of sorting every open deal. "What changed since a date" reads the history rows of a window
of time: an index on changed_at reads that window alone.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f('ix_opportunities_stage_changed_at_id'), 'opportunities',
                    ['stage_changed_at', 'id'], unique=False)
    op.create_index(op.f('ix_opportunity_history_changed_at'), 'opportunity_history',
                    ['changed_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_opportunity_history_changed_at'),
                  table_name='opportunity_history')
    op.drop_index(op.f('ix_opportunities_stage_changed_at_id'), table_name='opportunities')
