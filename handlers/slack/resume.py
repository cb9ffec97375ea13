"""Resume what a crash left unfinished: events acknowledged to Slack, kept in the store,
and not done (store/services/system/events.py), replayed through the real app.

A replay is a request built from the stored body, marked in its context as coming from
our own store: Bolt skips its signature check for it (as for Socket Mode, whose requests
come over the app's own authenticated connection, not from the open internet), and the
de-duplication middleware does not record it again (handlers/slack/middleware.py). Only
bodies that passed the signature check when they arrived were stored. The listener's
first write marks the event done in its own transaction, so a replay whose work was
committed already rolls back instead of acting twice.

Called by `serve` at start-up and by its scheduler every `RESUME_SECONDS`.
"""

from __future__ import annotations

import logging

from slack_bolt import App, BoltRequest

from handlers.slack.middleware import LISTENER_RAN, REPLAYING
from store.services.system.events import EventLog, PendingEvent

log = logging.getLogger(__name__)

RESUME_SECONDS = 30
"""How often `serve` looks for events whose lease ran out (a process that died elsewhere)."""


def resume_events(app: App, events: EventLog, *, at_start_up: bool = False,
                  batch: int = 20, batches: int = 10) -> int:
    """Replay up to `batch * batches` unfinished events; returns how many. At start-up the
    events of this host's processes that are gone are taken at once, lease or not."""
    stranded = events.stranded_here() if at_start_up else []
    replayed = 0
    for _ in range(batches):
        due = events.claim_unfinished(limit=batch, stranded=stranded)
        if not due:
            break
        for pending in due:
            replay(app, events, pending)
            replayed += 1
    if replayed:
        log.info("resumed %d unfinished Slack events", replayed)
    return replayed


def replay(app: App, events: EventLog, pending: PendingEvent) -> None:
    """Dispatch one stored event through the app. Its listener marks it done; one that no
    listener takes is done at once."""
    log.info("replaying event %s (delivery %d)", pending.event_id, pending.attempt)
    request = BoltRequest(body=pending.body, mode="socket_mode",
                          context={REPLAYING: pending.event_id})
    app.dispatch(request)
    if not request.context.get(LISTENER_RAN):
        events.done(pending.event_id)
