"""When the names people type change, and which: one counter and a short change log.

Each process keeps the store's names prepared for matching (`Directory`,
handlers/conversation/names.py); preparing 100,000 of them takes seconds. Asking whether
they changed must cost next to nothing on every message, and must not be fooled by writes
that change no name (logging an activity touches its deal's `updated_at`). So every write
that adds, renames, archives or removes a name, or opens or closes a deal, calls `changed`
in its own transaction: the counter row goes up by one and a change row says what changed.
A reader compares one integer (`current`) with the one its cache was built at, and when it
moved, reads only the changes since (`since`) to patch those names.

On PostgreSQL the counter's row lock orders the bumps as the transactions commit, so a
reader never skips a change that commits late; SQLite has one writer at a time anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store.models import NameChange, NamesVersion

KINDS = ("account", "contact", "user", "deal", "all")
"""What a change names; "all" (an import, a change to the stages) means reload everything."""
KEEP = 2000
"""Changes kept; a cache further behind than this reloads everything."""
_ROW = 1


def changed(session: Session, kind: str, entity_id: int | None = None) -> int:
    """Record, in the caller's transaction, that a name of `kind` changed; the new version."""
    assert kind in KINDS, kind
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # The row is missing only after every table was emptied (`salesbot demo --reset`): start
    # past any version a running process may hold, so none takes the new names for its old.
    restart = int(session.info["clock"].now().timestamp() * 1000) if "clock" in session.info \
        else 1
    bump = dialect.insert(NamesVersion).values(id=_ROW, version=restart)
    bump = bump.on_conflict_do_update(
        index_elements=[NamesVersion.id],
        set_={"version": NamesVersion.__table__.c.version + 1},
    ).returning(NamesVersion.version)
    version = int(session.execute(bump).scalar_one())
    session.add(NameChange(version=version, kind=kind, entity_id=entity_id))
    if version % 500 == 0:
        session.execute(delete(NameChange).where(NameChange.version <= version - KEEP))
    return version


def current(session: Session) -> int:
    """The names' version now: a primary-key read of one row (0 before any change)."""
    return int(session.scalar(select(NamesVersion.version).where(NamesVersion.id == _ROW))
               or 0)


@dataclass(frozen=True)
class Changes:
    """What changed after a version: by kind, the ids; `everything` when a reader must
    reload it all (a bulk change, or changes no longer kept)."""

    everything: bool
    ids: dict[str, frozenset[int]]

    def touches(self, *kinds: str) -> bool:
        return self.everything or any(self.ids.get(kind) for kind in kinds)


def since(session: Session, version: int, now: int) -> Changes:
    """The changes after `version` up to `now` (`current`), in one statement."""
    rows = session.execute(
        select(NameChange.version, NameChange.kind, NameChange.entity_id)
        .where(NameChange.version > version, NameChange.version <= now)
        .order_by(NameChange.version)).all()
    if now < version or len(rows) != now - version:  # reset, or pruned past us
        return Changes(True, {})
    ids: dict[str, set[int]] = {}
    for _, kind, entity_id in rows:
        if kind == "all" or entity_id is None:
            return Changes(True, {})
        ids.setdefault(kind, set()).add(entity_id)
    return Changes(False, {kind: frozenset(found) for kind, found in ids.items()})
