"""live deal names: a deal removed by Undo frees its name

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 18:30:00.000000

"new deal for acme: training 5k", then "undo", then the same line again said "Acme already
has a deal called 'Training'": Undo archives the deal it removes (its history rows stay
valid), and the unique constraint on (account, name) still counted it. The constraint
becomes a unique index over the deals that are not archived.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("archived_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_constraint('uq_opportunities_account_id_name', type_='unique')
        batch_op.create_index('uq_opportunities_live_name', ['account_id', 'name'],
                              unique=True, sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade() -> None:
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_index('uq_opportunities_live_name')
        batch_op.create_unique_constraint('uq_opportunities_account_id_name',
                                          ['account_id', 'name'])
