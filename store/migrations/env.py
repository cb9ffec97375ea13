"""Alembic environment: always driven from `store.migrate`, which hands us a connection."""

from __future__ import annotations

from alembic import context

from store.models import Base

config = context.config
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)

with context.begin_transaction():
    context.run_migrations()
