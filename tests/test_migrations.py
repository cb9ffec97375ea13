"""The migrated schema is the models' schema, and the migrations have one head."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from store.db import Store
from store.migrate import current_revision, head_revision, upgrade
from store.models import Base, Stage
from store.seed import DEFAULT_STAGES


def test_migrated_schema_equals_models(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_one_head_and_database_at_head(store: Store) -> None:
    assert current_revision(store.engine) == head_revision()


def test_upgrade_twice_is_a_no_op(store: Store) -> None:
    upgrade(store.engine)
    assert current_revision(store.engine) == head_revision()


def test_fresh_database_has_the_default_pipeline(tmp_path) -> None:
    fresh = Store(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(fresh.engine)
    with fresh.transaction() as s:
        rows = s.scalars(select(Stage).order_by(Stage.position)).all()
        got = [
            {"name": r.name, "position": r.position, "probability": r.probability,
             "kind": r.kind, "quiet_days": r.quiet_days}
            for r in rows
        ]
    fresh.dispose()
    assert got == DEFAULT_STAGES
    assert [(r["name"], r["probability"]) for r in got] == [
        ("Prospecting", 10), ("Needs Analysis", 20), ("Value Proposition", 50),
        ("Proposal/Price Review", 75), ("Negotiation/Review", 90), ("Closed Won", 100),
        ("Closed Lost", 0),
    ]
