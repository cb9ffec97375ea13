"""Resume what a crash left unfinished: events acknowledged to Slack, kept in the store,
and not done (store/services/system/events.py), replayed through the real app.

A replay is a request built from the stored body, marked in its context as coming from
our own store: Bolt skips its signature check for it (as for Socket Mode, whose requests
come over the app's own authenticated connection, not from the open internet), and the
de-duplication middleware does not record it again (handlers/slack/middleware.py). Only
bodies that passed the signature check when they arrived were stored. The listener's
first write marks the event done in its own transaction, so a replay whose work was
committed already rolls back instead of acting twice.

Called by `serve` at start-up (on a thread of its own, so it listens at once) and by its
scheduler every `RESUME_SECONDS`.
"""

from __future__ import annotations

import logging
import threading
import time

from slack_bolt import App, BoltRequest

from handlers.slack.middleware import LISTENER_RAN, REPLAY_FINISHED, REPLAYING
from store.services.system.events import EventLog, PendingEvent

log = logging.getLogger(__name__)

RESUME_SECONDS = 30
"""How often `serve` looks for events whose lease ran out (a process that died elsewhere)."""
BATCH_WAIT_SECONDS = 60.0
"""How long a batch of replays may take before the next is claimed anyway (a listener
stuck on a slow Slack call keeps its event leased; it is not claimed twice)."""


def resume_events(app: App, events: EventLog, *, at_start_up: bool = False,
                  parallel: int = 4, batches: int = 50) -> int:
    """Replay unfinished events, `parallel` at a time and at most `parallel * batches` in
    one call; returns how many. A batch's listeners finish before the next is claimed, so
    replays never hold more than `parallel` listener threads: live requests and `/healthz`
    keep the rest. At start-up the events of this host's processes that are gone are taken
    at once, lease or not."""
    stranded = events.stranded_here() if at_start_up else []
    replayed = 0
    for _ in range(batches):
        due = events.claim_unfinished(limit=parallel, stranded=stranded)
        if not due:
            break
        finished = [replay(app, events, pending) for pending in due]
        deadline = time.monotonic() + BATCH_WAIT_SECONDS
        for done in finished:
            done.wait(max(0.0, deadline - time.monotonic()))
        replayed += len(due)
    if replayed:
        log.info("resumed %d unfinished Slack events", replayed)
    return replayed


def replay(app: App, events: EventLog, pending: PendingEvent) -> threading.Event:
    """Dispatch one stored event through the app; the returned flag is set when its
    listener has finished (and marked it done). One that no listener takes is done at
    once."""
    log.info("replaying event %s (delivery %d)", pending.event_id, pending.attempt)
    finished = threading.Event()
    request = BoltRequest(body=pending.body, mode="socket_mode",
                          context={REPLAYING: pending.event_id, REPLAY_FINISHED: finished})
    app.dispatch(request)
    if not request.context.get(LISTENER_RAN):
        events.done(pending.event_id)
        finished.set()
    return finished
