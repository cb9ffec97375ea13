"""The threads Bolt runs listeners on, sized for the web server and stoppable in bounded
time.

Bolt's default pool has 5 threads, fewer than the web server's, so under load requests
would wait for a listener while waitress threads sit idle. This pool also remembers
what is running, so `serve` can wait for it on SIGTERM, and gives up after a grace period
instead of hanging for ever behind a listener that never returns (a process that will
not stop is worse than one that stops with work unfinished: the orchestrator kills it
anyway, only later).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class ListenerPool(ThreadPoolExecutor):
    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._running: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._running.discard(future)

    def stop(self, grace_seconds: float) -> bool:
        """Take no new work, let what runs finish for up to `grace_seconds`; True when
        everything finished in time."""
        with self._lock:
            running = set(self._running)
        self.shutdown(wait=False, cancel_futures=True)
        _done, not_done = wait(running, timeout=grace_seconds)
        return not any(future.running() for future in not_done)
