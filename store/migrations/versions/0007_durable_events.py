"""durable events: a received Slack event keeps its body until its work is done

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 13:40:00.000000

Rows that exist already are ids of events processed before this revision: `done`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models.base

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('slack_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=10), server_default='done',
                                      nullable=False))
        batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('worker', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lease_until',
                                      store.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('done_at', store.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_slack_events_state_known'),
            "state IN ('received', 'done', 'failed')")
        batch_op.create_index(batch_op.f('ix_slack_events_state_lease_until'),
                              ['state', 'lease_until'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('slack_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_events_state_lease_until'))
        batch_op.drop_constraint(batch_op.f('ck_slack_events_state_known'), type_='check')
        batch_op.drop_column('done_at')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('worker')
        batch_op.drop_column('attempts')
        batch_op.drop_column('body')
        batch_op.drop_column('state')
