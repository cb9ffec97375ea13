"""The index folder: generations swapped in whole, a sync mark, and one write lock.

    SALESBOT_INDEX_DIR/
        CURRENT              name of the live generation (replaced atomically)
        gen-XXXX/            one engine's index plus state.json (sync mark, schema version)
        salesbot_WRITELOCK   a file lock (flock): one writer per folder, across processes

A rebuild writes a new generation beside the live one and then points CURRENT at it, so
readers never see a half-built index and a crash mid-build leaves the old one in place.
The generation before the live one is kept a while, for searchers still reading it.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from knowledge.text import SCHEMA_VERSION

CURRENT = "CURRENT"
STATE = "state.json"
LOCK_NAME = "salesbot_WRITELOCK"
GEN_PREFIX = "gen-"


class IndexBusy(Exception):
    """Another writer held the index folder for longer than the lock timeout."""


class IndexUnusable(Exception):
    """The index is missing, of another schema version, or cannot be read: rebuild it."""


@dataclass(frozen=True)
class State:
    """Kept beside each generation, written after its commit (under the write lock).

    `count` and `id_sum` describe the documents indexed, so a sync can tell from the
    store's live count and id sum alone that rows came or went without being seen.
    """

    mark: datetime | None
    id_sum: int | None = None
    schema: int = SCHEMA_VERSION

    def dumps(self) -> str:
        return json.dumps({"schema": self.schema, "id_sum": self.id_sum,
                           "mark": self.mark.isoformat() if self.mark else None})

    @classmethod
    def loads(cls, text: str) -> State:
        data = json.loads(text)
        mark, id_sum = data.get("mark"), data.get("id_sum")
        return cls(mark=datetime.fromisoformat(mark) if mark else None,
                   id_sum=int(id_sum) if id_sum is not None else None,
                   schema=int(data.get("schema", 0)))


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def _try_lock(path: Path) -> int | None:
    """An exclusive `flock` on PATH without waiting: its descriptor, or None when another
    process (or descriptor) holds it. The same lock whoosh's FileStorage takes on this
    file, so processes of an earlier release and of this one still exclude each other."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return None
        raise
    return fd


def _unlock(fd: int) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class IndexFolder:
    """Paths, generations and the write lock of one index folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._thread_lock = threading.Lock()

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def current(self) -> Path:
        """The live generation, or `IndexUnusable` when there is none to read."""
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError) as exc:
            raise IndexUnusable("no live index") from exc
        if not name.startswith(GEN_PREFIX) or "/" in name or "\\" in name:
            raise IndexUnusable("CURRENT names no generation")
        path = self.root / name
        if not path.is_dir():
            raise IndexUnusable(f"generation {name} is gone")
        return path

    def read_state(self, generation: Path) -> State:
        try:
            state = State.loads((generation / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise IndexUnusable("sync state unreadable") from exc
        if state.schema != SCHEMA_VERSION:
            raise IndexUnusable(f"index schema {state.schema}, need {SCHEMA_VERSION}")
        return state

    def write_state(self, generation: Path, state: State) -> None:
        _write_atomically(generation / STATE, state.dumps())

    def new_generation(self) -> Path:
        self.ensure()
        return Path(tempfile.mkdtemp(prefix=GEN_PREFIX, dir=self.root))

    def swap_in(self, generation: Path) -> None:
        """Make GENERATION live; drop every other one but the one it replaces."""
        try:
            previous: Path | None = self.current()
        except IndexUnusable:
            previous = None
        _write_atomically(self.root / CURRENT, generation.name)
        keep = {generation.name, previous.name if previous else ""}
        for child in self.root.iterdir():
            if child.is_dir() and child.name.startswith(GEN_PREFIX) and child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)

    def discard(self, generation: Path) -> None:
        shutil.rmtree(generation, ignore_errors=True)

    @contextmanager
    def write_lock(self, timeout: float) -> Iterator[None]:
        """One writer at a time: this process's threads, then every process (a file
        lock, polled until TIMEOUT). Raises `IndexBusy` when it cannot get both."""
        deadline = time.monotonic() + timeout
        if not self._thread_lock.acquire(timeout=max(timeout, 0)):
            raise IndexBusy(f"the index at {self.root} is busy (waited {timeout:g} s)")
        try:
            self.ensure()
            held = _try_lock(self.root / LOCK_NAME)
            while held is None:
                if time.monotonic() >= deadline:
                    raise IndexBusy(f"the index at {self.root} is busy (waited {timeout:g} s)")
                time.sleep(0.02)
                held = _try_lock(self.root / LOCK_NAME)
            try:
                yield
            finally:
                _unlock(held)
        finally:
            self._thread_lock.release()
