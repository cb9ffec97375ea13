"""The threads Bolt runs listeners on, sized for the web server and stoppable in bounded
time.

Bolt's default pool has 5 threads, fewer than the web server's, so under load requests
would wait for a listener while waitress threads sit idle. This pool also remembers
what is running, so `serve` can wait for it on SIGTERM, and gives up after a grace period
instead of hanging for ever behind a listener that never returns (a process that will
not stop is worse than one that stops with work unfinished: the orchestrator kills it
anyway, only later).

Two lanes. Bolt runs a slash command's, a click's or a form's listener on this pool and
the HTTP response waits until that listener has called `ack()`; an event is acknowledged
before its listener is queued. In one queue, a command arriving behind a burst of DMs
waited for all their work before it could even ack, and missed Slack's 3 seconds. So a
listener that has yet to ack starts on a lane of its own, never behind work that was
already acknowledged (measured with `python -m benchmarks load`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def _yet_to_ack(fn: Callable[..., Any]) -> bool:
    """Whether `fn` is Bolt's listener runner for a request not acknowledged yet.

    Bolt submits a closure over the request's `ack` (slack_bolt/listener/thread_runner.py);
    its `response` stays None until the listener acks. Anything else (an event's listener,
    acked already; the health probe) is ordinary work.
    """
    names = getattr(getattr(fn, "__code__", None), "co_freevars", ())
    cells = getattr(fn, "__closure__", None) or ()
    for name, cell in zip(names, cells, strict=False):
        if name == "ack":
            try:
                ack = cell.cell_contents
            except ValueError:  # an empty cell
                return False
            return hasattr(ack, "response") and ack.response is None
    return False


class ListenerPool(ThreadPoolExecutor):
    def __init__(self, max_workers: int, ack_workers: int | None = None) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._acking = ThreadPoolExecutor(max_workers=ack_workers or max_workers,
                                          thread_name_prefix="listener-ack")
        self._running: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        if _yet_to_ack(fn):
            future = self._acking.submit(fn, *args, **kwargs)
        else:
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
        self._acking.shutdown(wait=False, cancel_futures=True)
        _done, not_done = wait(running, timeout=grace_seconds)
        return not any(future.running() for future in not_done)
