"""knowledge articles keep the front-matter keys of other docs tools

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 18:05:00.000000

One nullable JSON column; rows that exist already have none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('front_matter', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        batch_op.drop_column('front_matter')
