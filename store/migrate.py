"""Schema migrations (Alembic), applied by `salesbot db upgrade` and by every command
that opens the database, so an empty database is never a surprise.

On PostgreSQL the upgrade holds an advisory lock: two processes starting at once
migrate once, the second waits and then finds nothing to do.

Start-up cost: every command checks that the schema is current, and Alembic's machinery
(its script directory loads every migration module, and Mako) costs more than most
commands. So the check reads the head from the migration files' own `revision` /
`down_revision` lines and the current revision from `alembic_version` with one SELECT;
Alembic is imported only when there is something to do, or when the files say something
the quick reading is not sure of (then Alembic answers, as before).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_KEY = 0x5A1E5B07  # any constant; only salesbot takes this advisory lock


VERSIONS = MIGRATIONS / "versions"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    heads = _alembic_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads; merge them")
    return heads[0]


def _alembic_heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


_LINK = re.compile(r"^(revision|down_revision)\b[ \t]*(?::[^=\n]*)?=[ \t]*(.*?)[ \t]*$",
                   re.MULTILINE)


def _revision_links(path: Path) -> tuple[str, tuple[str, ...]] | None:
    """A migration file's `revision` and `down_revision`, read as literals without running
    the module; None when either is missing, given twice or not a one-line literal (then
    Alembic must read that file). The assignments are found line by line, not by parsing
    the module (that cost more than the rest of an export's start-up)."""
    found: dict[str, object] = {}
    for name, value in _LINK.findall(path.read_text(encoding="utf-8")):
        if name in found:
            return None
        try:
            found[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return None
    revision, down = found.get("revision"), found.get("down_revision")
    if not isinstance(revision, str) or "down_revision" not in found:
        return None
    if down is None:
        return revision, ()
    if isinstance(down, str):
        return revision, (down,)
    if isinstance(down, tuple | list) and all(isinstance(d, str) for d in down):
        return revision, tuple(down)
    return None


def quick_head() -> str | None:
    """The single head of the migration files, read without Alembic; None when the files
    have more than one head or one the quick reading cannot follow."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        if path.name.startswith("_"):
            continue
        links = _revision_links(path)
        if links is None:
            return None
        revisions.add(links[0])
        parents.update(links[1])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _stored_revisions(engine: Engine) -> list[str] | None:
    """The rows of `alembic_version` (Alembic's own table), or None when they cannot be
    read (no such table yet: an empty database)."""
    from sqlalchemy.exc import DBAPIError

    with engine.connect() as connection:
        try:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
            return [row[0] for row in rows]
        except DBAPIError:
            return None


def is_current(engine: Engine) -> bool:
    """True when the database is at the head of the migration files (the quick check)."""
    head = quick_head()
    if head is None:
        return current_revision(engine) == head_revision()
    return _stored_revisions(engine) == [head]


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; a no-op when it is already there."""
    if revision == "head" and is_current(engine):
        return
    from alembic import command

    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
            connection.commit()
        try:
            command.upgrade(alembic_config(connection), revision)
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
                connection.commit()
