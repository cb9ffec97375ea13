"""Nothing acknowledged is lost (issue 14, item 7): an event is stored before Slack gets its
200, its work marks it done in the same transaction, and what a crash left unfinished is
replayed from the store through the real app, once.

The in-process tests play a crash by storing an event the way the middleware does and not
running its listener; the last test kills a real `salesbot serve` with SIGKILL in a burst
of acknowledged DM writes and restarts it."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import App
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select, update

from bot.chat import APP_ID, Chat, dm_channel
from bot.localslack import BOT_USER_ID, TEAM_ID, LocalSlack
from handlers.slack.resume import replay, resume_events
from store.clock import ManualClock
from store.db import aside_from_work, begin_work, end_work
from store.models import Account, Activity, SlackEvent
from store.services import Services
from store.services.system.events import LEASE, MAX_ATTEMPTS, PendingEvent, Receipt
from tests.conftest import add_users


@pytest.fixture
def ana(services: Services) -> int:
    """Ana, a rep who owns Acme."""
    with services.store.transaction() as s:
        ana_id = add_users(s, {"ana": ("U0ANA", "Ana Rep", "rep")})["ana"].id
    services.accounts.create(ana_id, "Acme")
    return ana_id


def dm_body(text: str, *, user: str = "U0ANA", event_id: str | None = None) -> dict[str, Any]:
    """An Events API envelope of a DM to the bot, as Slack sends it."""
    ts = f"{time.time():.6f}"
    return {
        "token": "legacy-token-unused", "team_id": TEAM_ID, "api_app_id": APP_ID,
        "type": "event_callback", "event_id": event_id or f"Ev{uuid.uuid4().hex[:16].upper()}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        "event": {"type": "message", "channel_type": "im", "channel": dm_channel(user),
                  "user": user, "text": text, "ts": ts, "event_ts": ts},
    }


def notes(services: Services) -> list[str]:
    with services.store.transaction() as s:
        return [f"{a.subject} {a.body or ''}" for a in s.scalars(select(Activity))]


def notes_saying(services: Services, words: str) -> int:
    return sum(words in note for note in notes(services))


def event_row(services: Services, event_id: str) -> SlackEvent:
    with services.store.transaction() as s:
        row = s.get(SlackEvent, event_id)
        assert row is not None
        return row


def crashed_after_ack(services: Services, body: dict[str, Any], clock: ManualClock) -> None:
    """What a process that acknowledged `body` and then died leaves behind, once its
    lease has run out."""
    assert services.events.receive(body["event_id"], body) is Receipt.NEW
    clock.advance(LEASE)


def test_an_event_is_stored_before_its_work_and_done_with_it(
        chat: Chat, services: Services, ana: int) -> None:
    chat.event(dm_body("note on acme: a stored note")["event"], event_id="EvStored1")
    assert notes_saying(services, "a stored note") == 1
    row = event_row(services, "EvStored1")
    assert (row.state, row.body, row.attempts) == ("done", None, 1)  # no text kept


def test_an_event_acknowledged_before_a_crash_is_replayed_once(
        chat: Chat, app: App, services: Services, ana: int, clock: ManualClock) -> None:
    body = dm_body("note on acme: written after the crash")
    crashed_after_ack(services, body, clock)
    assert notes_saying(services, "written after the crash") == 0

    assert resume_events(app, services.events) == 1
    assert notes_saying(services, "written after the crash") == 1
    assert event_row(services, body["event_id"]).state == "done"
    chat.absorb()
    assert any("Logged a note" in m.text for m in chat.transcript)  # Ana hears back

    assert resume_events(app, services.events) == 0  # done: not replayed again
    clock.advance(LEASE * 3)
    assert resume_events(app, services.events) == 0
    chat.dispatch(json.dumps(body), "application/json")  # Slack's retry: still once
    assert notes_saying(services, "written after the crash") == 1


def test_a_second_delivery_of_work_already_committed_acts_once(
        chat: Chat, app: App, services: Services, ana: int, clock: ManualClock) -> None:
    """The original outlived its lease and a replay raced it: the second commit of the
    same event's work rolls back, and nobody is told something went wrong."""
    body = dm_body("note on acme: raced")
    crashed_after_ack(services, body, clock)
    pending = PendingEvent(body["event_id"], body, 2)
    replay(app, services.events, pending)
    replay(app, services.events, pending)
    assert notes_saying(services, "raced") == 1


def test_a_replay_that_writes_nothing_is_done_when_its_listener_returns(
        app: App, services: Services, ana: int, clock: ManualClock) -> None:
    body = dm_body("help")
    crashed_after_ack(services, body, clock)
    assert resume_events(app, services.events) == 1
    assert event_row(services, body["event_id"]).state == "done"


def test_an_event_no_listener_takes_is_done_when_replayed(
        app: App, services: Services, clock: ManualClock) -> None:
    body = {**dm_body("x"), "event": {"type": "reaction_added", "user": "U0ANA",
                                      "reaction": "tada", "event_ts": "1.2"}}
    crashed_after_ack(services, body, clock)
    assert resume_events(app, services.events) == 1
    assert event_row(services, body["event_id"]).state == "done"


def test_only_the_works_own_write_marks_the_event_done(
        services: Services, ana: int, clock: ManualClock) -> None:
    """Creating the person who writes (on first sight) is not the event's work, nor is a
    read, nor a write that rolled back: a crash after any of them must leave the event to
    resume. The first write that commits marks it, in its own transaction."""
    body = dm_body("note on acme: the work")
    crashed_after_ack(services, body, clock)
    events, event_id = services.events, body["event_id"]
    token = begin_work(lambda session: events.record_done(session, event_id))
    try:
        with aside_from_work():
            services.users.get_or_create("U0NEW", name="New Person")
        assert services.users.find("U0NEW") is not None
        with pytest.raises(RuntimeError), services.store.transaction() as s:
            acme = s.scalar(select(Account.id).where(Account.name == "Acme"))
            s.add(Activity(kind="note", subject="rolled back", occurred_at=clock.now(),
                           owner_id=ana, account_id=acme))
            s.flush()
            raise RuntimeError("the work failed")
        assert events.state_of(event_id) == "received"
        services.accounts.create(ana, "Globex")  # the work
        assert events.state_of(event_id) == "done"
    finally:
        work = end_work(token)
    assert work is not None and work.recorded


def test_a_restarting_process_takes_over_at_once_only_what_dead_processes_left(
        services: Services) -> None:
    """The lease holds against live processes and other hosts; a process of this host that
    is gone (or this one's predecessor with the same pid) leaves its events at once."""
    import socket

    from store.services.system.events import this_worker
    host = socket.gethostname()[:40]
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    owners = {"EvDead": f"{host}:{dead.pid}:abcdef", "EvMine": this_worker(),
              "EvPredecessor": f"{host}:{os.getpid()}:000000",
              "EvParent": f"{host}:{os.getppid()}:abcdef", "EvElsewhere": "other-host:1:abcdef"}
    for event_id, worker in owners.items():
        services.events.receive(event_id, dm_body("help", event_id=event_id))
        with services.store.transaction() as s:
            s.execute(update(SlackEvent).where(SlackEvent.event_id == event_id)
                      .values(worker=worker))
    taken = services.events.claim_unfinished(stranded=services.events.stranded_here())
    assert sorted(p.event_id for p in taken) == ["EvDead", "EvPredecessor"]


def test_a_body_too_large_to_keep_is_processed_from_memory_and_still_deduplicated(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    from store.services.system import events
    monkeypatch.setattr(events, "MAX_KEPT_BODY_CHARS", 100)
    body = dm_body("note on acme: " + "x" * 200)
    assert services.events.receive(body["event_id"], body) is Receipt.NEW_NOT_KEPT
    assert services.events.receive(body["event_id"], body) is Receipt.DUPLICATE
    assert event_row(services, body["event_id"]).body is None


def test_attempts_are_bounded_and_a_failure_logs_the_id_not_the_text(
        services: Services, clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    body = dm_body("note on acme: a secret plan")
    crashed_after_ack(services, body, clock)
    for _ in range(MAX_ATTEMPTS - 1):  # each replay "kills the process" again
        assert [p.event_id for p in services.events.claim_unfinished()] == [body["event_id"]]
        clock.advance(LEASE)
    with caplog.at_level(logging.INFO):
        assert services.events.claim_unfinished() == []
    row = event_row(services, body["event_id"])
    assert (row.state, row.body) == ("failed", None)
    assert body["event_id"] in caplog.text and "secret plan" not in caplog.text


def test_a_body_is_kept_without_the_legacy_token(services: Services) -> None:
    body = dm_body("note on acme: kept")
    services.events.receive(body["event_id"], body)
    kept = json.loads(event_row(services, body["event_id"]).body or "{}")
    assert "token" not in kept and kept["event"]["text"] == "note on acme: kept"


# -- a real process killed in a burst ---------------------------------------------------

SECRET = "durable-test-secret"
BURST = 40


def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(database_url: str, slack: LocalSlack) -> tuple[str, subprocess.Popen[bytes]]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-durable",
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url}
    env.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--threads", "2", "--no-scheduler"], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # a busy machine can take many seconds to import
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early: {process.stderr.read().decode()}")
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5)
            return base, process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    raise AssertionError("serve did not come up")


def _send(base: str, body: dict[str, Any]) -> int | None:
    """POST one signed event; its status, or None when the process died first."""
    data = json.dumps(body)
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=data)
    request = urllib.request.Request(base + "/slack/events", data=data.encode(), headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature or ""})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=15)
        if process.stderr is not None:
            process.stderr.close()


def test_kill_9_in_a_burst_of_acknowledged_writes_loses_none_and_doubles_none(
        database_url: str, slack: LocalSlack, services: Services, ana: int,
        processes: list[subprocess.Popen[bytes]]) -> None:
    """Slack is slow to take replies, so listeners fall behind the acknowledgements; the
    process is killed once half the burst is acknowledged, while the rest is still being
    sent. After a restart every acknowledged note is in the store exactly once."""
    base, first = _start(database_url, slack)
    processes.append(first)
    slack.hold("chat.postMessage")  # replies wait: work queues up behind the acks
    bodies = [dm_body(f"note on acme: crash-test {n}.") for n in range(BURST)]
    acked: list[int] = []
    lock = threading.Lock()
    half = threading.Event()

    def sender(numbers: range) -> None:
        for n in numbers:
            status = _send(base, bodies[n])
            if status is None:
                return
            with lock:
                if status == 200:
                    acked.append(n)
                if len(acked) >= BURST // 2:
                    half.set()

    senders = [threading.Thread(target=sender, args=(range(k, BURST, 4),)) for k in range(4)]
    for thread in senders:
        thread.start()
    assert half.wait(timeout=60), "the burst was not acknowledged"
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=15)
    for thread in senders:
        thread.join(timeout=30)
    slack.release("chat.postMessage")
    assert len(acked) >= BURST // 2
    assert _send(base, bodies[acked[0]]) is None  # it is dead

    base, second = _start(database_url, slack)
    processes.append(second)
    _send(base, {**bodies[acked[-1]]})  # Slack's retry of an acknowledged event: dropped
    expected = {f"crash-test {n}." for n in acked}
    for _ in range(600):  # until the new process has resumed everything, or 30 s
        missing, unfinished = _missing(services, expected), _unfinished(services)
        if not missing and not unfinished:
            break
        time.sleep(0.05)
    assert missing == [], f"{len(missing)} of {len(expected)} acknowledged notes were lost"
    assert unfinished == []
    time.sleep(0.5)  # any replay that would write a second copy has had time to
    written = notes(services)
    for n in range(BURST):
        assert sum(f"crash-test {n}." in note for note in written) <= 1, f"note {n} doubled"


def _missing(services: Services, expected: set[str]) -> list[str]:
    written = notes(services)
    return sorted(w for w in expected if not any(w in note for note in written))


def _unfinished(services: Services) -> list[str]:
    with services.store.transaction() as s:
        return list(s.scalars(select(SlackEvent.event_id).where(SlackEvent.state != "done")))
