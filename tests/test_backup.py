from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from store.backup import backup
from store.errors import InvalidInput
from store.services import Services


def test_sqlite_online_backup(services: Services, database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL is backed up with pg_dump")
    services.users.get_or_create("U0ANA", name="Ana Rep")
    target = tmp_path / "copy.db"
    assert backup(database_url, target) > 0
    with create_engine(f"sqlite:///{target}").connect() as conn:
        assert conn.execute(text("select name from users")).scalars().all() == ["Ana Rep"]
    with pytest.raises(InvalidInput, match="exists already"):
        backup(database_url, target)


def test_postgres_points_to_pg_dump(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="pg_dump") as refused:
        backup("postgresql://bot:s3cret@db/salesbot", tmp_path / "x.dump")
    assert "s3cret" not in str(refused.value)
