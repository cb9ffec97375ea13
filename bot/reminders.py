"""One sweep of the reminder machinery: plan, claim, render, send, record; and, as
housekeeping, forget Slack event ids past their de-duplication window.

Used by the scheduler inside `serve`, by `salesbot scheduler`, by
`salesbot reminders run-once` (for cron), and by the shell's `:time`.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.replies import deliver_owed_replies
from handlers.reminders.messages import reminder_message
from handlers.slack.owed import slack_error, transient
from store.clock import Clock
from store.services import Services

log = logging.getLogger(__name__)


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
        """Prune old event ids, then plan, claim and send what is due."""
        pruned = (self.services.events.prune()  # housekeeping, whether or not we may send
                  + self.services.button_values.prune() + self.services.owed_replies.prune())
        if not self.services.workspace.sending_enabled() and not self._token_works_again():
            log.info("reminders: Slack uninstalled the app or revoked its token; not sending")
            return SweepReport(pruned=pruned)
        report = SweepReport(planned=self.services.workflow.sweep()
                             + self.services.reminders.plan(), pruned=pruned,
                             replies=deliver_owed_replies(self.services.owed_replies,
                                                          self.client))
        for _ in range(batches):
            due = self.services.reminders.claim(self.worker)
            if not due:
                break
            for reminder in due:
                self._deliver(reminder, report)
        if report.planned or report.sent or report.retried or report.failed:
            log.info("reminders: %s", report)
        return report

    def _token_works_again(self) -> bool:
        """After tokens_revoked, only a token Slack accepts again (a new one configured)
        resumes sending; events arriving meanwhile do not."""
        if self.services.workspace.stopped_by() != "tokens_revoked":
            return False
        try:
            self.client.auth_test()
        except SlackApiError:
            return False
        self.services.workspace.token_works()
        return True

    def _deliver(self, reminder, report: SweepReport) -> None:
        reminders = self.services.reminders
        try:
            message = reminder_message(self.services, reminder, self.clock.now(),
                                       self.default_timezone)
            if message is None:
                reminders.cancel(reminder.id, self.worker, "no longer relevant")
                report.skipped += 1
                return
            target = reminder.channel_id or reminder.user_slack_id
            posted = self.client.chat_postMessage(channel=target, text=message.text,
                                                  blocks=message.blocks)
            reminders.sent(reminder.id, self.worker, posted.get("ts"))
            report.sent += 1
        except SlackApiError as exc:
            error = slack_error(exc)
            if transient(exc) is None:  # refused for good (owed.py: LASTING_ERRORS)
                reminders.failed(reminder.id, self.worker, f"Slack refused: {error}")
                report.failed += 1
                return
            retry_after = exc.response.headers.get("Retry-After") if exc.response.headers \
                else None
            delay = timedelta(seconds=int(retry_after)) if retry_after else None
            reminders.retry(reminder.id, self.worker, error, reminder.attempts, delay)
            report.retried += 1
        except Exception as exc:  # anything else: keep it, try again later
            log.exception("reminder %s failed", reminder.key)
            reminders.retry(reminder.id, self.worker, type(exc).__name__, reminder.attempts)
            report.retried += 1
