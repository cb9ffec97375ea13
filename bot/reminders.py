"""One sweep of the reminder machinery: plan, claim, render, send, record; and, as
housekeeping, forget Slack event ids past their de-duplication window.

Used by the scheduler inside `serve`, by `salesbot scheduler`, by
`salesbot reminders run-once` (for cron), and by the shell's `:time`. It imports only what
a sweep needs (the store, the Slack Web API client, the reminder renderers): no charts,
no search index, no Bolt app; a scheduled report's chart is imported when one is due.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.replies import deliver_owed_replies
from handlers.reminders.messages import reminder_message
from handlers.slack.owed import slack_error, transient
from store.clock import Clock
from store.services import Services
from store.services.reminders.context import BatchContext
from store.services.reminders.reminders import CLAIM_BATCH, LEASE, DueReminder, Outcome
from store.services.system.housekeeping import Housekeeping, housekeep
from store.services.system.owed_replies import Owed
from store.services.workflow.rules import WINDOW as WORKFLOW_WINDOW

log = logging.getLogger(__name__)
RECORD_AFTER_SECONDS = LEASE.total_seconds() / 2


@dataclass
class SweepReport:
    planned: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    pruned: int = 0  # event ids, button values and owed replies past their keeping time
    replies: int = 0  # owed replies delivered (handlers/slack/owed.py)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class ReminderRunner:
    def __init__(self, services: Services, client: WebClient, clock: Clock,
                 default_timezone: str = "UTC", worker: str | None = None) -> None:
        self.services = services
        self.client = client
        self.clock = clock
        self.default_timezone = default_timezone
        self.worker = worker or worker_id()

    def run_once(self, *, batches: int = 20) -> SweepReport:
        """Prune what is past its keeping time, then plan, claim and send what is due.

        The housekeeping, the look at whether sending is stopped, the planning and the
        first claims are one transaction: a sweep with nothing due is one round trip of
        bookkeeping and a few index look-ups, and a crash in it leaves nothing half-done
        (nothing is claimed that is not also planned and committed; a claim is a lease,
        so what a dead sweep claimed is sent by the next, README "At a crash")."""
        with self.services.store.transaction() as s:
            now = self.services.store.now()  # whether we may send, and what can be due:
            house = housekeep(s, now, events_since=now - WORKFLOW_WINDOW)
            first = self._plan_and_claim(s, house) if house.stopped_by is None else None
        if first is None:
            if not self._token_works_again(house.stopped_by):
                log.info("reminders: Slack uninstalled the app or revoked its token; "
                         "not sending")
                return SweepReport(pruned=house.pruned)
            with self.services.store.transaction() as s:
                first = self._plan_and_claim(s)
        planned, owed, due = first
        report = SweepReport(planned=planned, pruned=house.pruned,
                             replies=deliver_owed_replies(self.services.owed_replies,
                                                          self.client, claimed=owed))
        for n in range(batches):
            if n or owed:  # owed replies were claimed first: the reminders' lease starts now
                due = self.services.reminders.claim(self.worker)
            if not due:
                break
            self._deliver_batch(due, report)
            if len(due) < CLAIM_BATCH:  # a short batch: nothing more was due
                break
        if report.planned or report.sent or report.retried or report.failed:
            log.info("reminders: %s", report)
        return report

    def _plan_and_claim(self, s: Session, house: Housekeeping | None = None
                        ) -> tuple[int, list[Owed], list[DueReminder]]:
        """Plan, then claim the owed replies due and, when none are (their sending would
        eat into the reminders' lease), the first batch of reminders, all in `s`. What
        `house` found none of (workflow events, owed replies or reminders due soon) is not
        looked for again; reminders planned just now are claimed whatever it found."""
        planned = (self.services.workflow.sweep(s, recent=house.events if house else None)
                   + self.services.reminders.plan(s))
        owed = (self.services.owed_replies.claim(session=s)
                if house is None or house.owed_due else [])
        due = [] if owed else (
            self.services.reminders.claim(self.worker, session=s)
            if house is None or house.reminders_due or planned else [])
        return planned, owed, due

    def _token_works_again(self, stopped_by: str | None) -> bool:
        """After tokens_revoked, only a token Slack accepts again (a new one configured)
        resumes sending; events arriving meanwhile do not."""
        if stopped_by != "tokens_revoked":
            return False
        try:
            self.client.auth_test()
        except SlackApiError:
            return False
        self.services.workspace.token_works()
        return True

    def _deliver_batch(self, due: list[DueReminder], report: SweepReport) -> None:
        """Read the batch's context at once, post each, record the outcomes together: three
        transactions a batch, not two a reminder. Outcomes are recorded at the end of the
        batch, or sooner once it has run for half a lease (Slack slow or rate limiting), so
        no claim runs out while its reminder is being sent."""
        now = self.clock.now()
        batch = self.services.reminder_context.load(due, now, self.default_timezone)
        outcomes: list[Outcome] = []
        started = time.monotonic()
        for reminder in due:
            outcomes.append(self._deliver(reminder, now, batch, report))
            if time.monotonic() - started > RECORD_AFTER_SECONDS:
                self.services.reminders.record(self.worker, outcomes)
                outcomes, started = [], time.monotonic()
        self.services.reminders.record(self.worker, outcomes)

    def _deliver(self, reminder: DueReminder, now: datetime, batch: BatchContext,
                 report: SweepReport) -> Outcome:
        try:
            message = reminder_message(self.services, reminder, now, self.default_timezone,
                                       batch)
            if message is None:
                report.skipped += 1
                return Outcome(reminder.id, "canceled", reason="no longer relevant")
            target = reminder.channel_id or reminder.user_slack_id
            if target is None:  # its user is gone from the store: nobody to tell
                report.failed += 1
                return Outcome(reminder.id, "failed", reason="no recipient")
            posted = self.client.chat_postMessage(channel=target, text=message.text,
                                                  blocks=message.blocks)
            report.sent += 1
            return Outcome(reminder.id, "sent", slack_ts=posted.get("ts"))
        except SlackApiError as exc:
            error = slack_error(exc)
            if transient(exc) is None:  # refused for good (owed.py: LASTING_ERRORS)
                report.failed += 1
                return Outcome(reminder.id, "failed", reason=f"Slack refused: {error}")
            retry_after = exc.response.headers.get("Retry-After") if exc.response.headers \
                else None
            delay = timedelta(seconds=int(retry_after)) if retry_after else None
            report.retried += 1
            return Outcome(reminder.id, "retry", reason=error, attempts=reminder.attempts,
                           delay=delay)
        except Exception as exc:  # anything else: keep it, try again later
            log.exception("reminder %s failed", reminder.key)
            report.retried += 1
            return Outcome(reminder.id, "retry", reason=type(exc).__name__,
                           attempts=reminder.attempts)
