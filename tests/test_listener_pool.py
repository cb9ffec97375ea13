"""The listener threads `serve` waits for on SIGTERM, for a bounded time."""

from __future__ import annotations

from threading import Event

from bot.listener_pool import ListenerPool


def test_stop_waits_for_listeners_that_finish() -> None:
    pool = ListenerPool(2)
    finished = []
    pool.submit(lambda: finished.append("reply posted"))
    assert pool.stop(grace_seconds=5) is True
    assert finished == ["reply posted"]


def test_stop_gives_up_on_a_listener_that_never_returns_and_drops_queued_work() -> None:
    pool = ListenerPool(1)
    release = Event()
    stuck = pool.submit(release.wait, 30)
    queued = pool.submit(lambda: "never started")
    assert pool.stop(grace_seconds=0.2) is False
    assert queued.cancelled() and stuck.running()
    release.set()
    assert stuck.result(timeout=5) is True
