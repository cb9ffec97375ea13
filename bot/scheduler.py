"""APScheduler only ticks: one interval job runs a reminder sweep (which also prunes old
Slack event ids, see bot/reminders.py), and in `serve` another resumes Slack events a crash
left unfinished (handlers/slack/resume.py); every guarantee (created once, sent once,
retried not lost) lives in the store's keys and claims.

No persistent job store is shared between processes: each process schedules its own
sweep under a fixed id, and several processes sweeping one database is safe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.reminders import ReminderRunner

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60


def _schedule(scheduler: BaseScheduler, runner: ReminderRunner, seconds: int) -> None:
    scheduler.add_job(runner.run_once, "interval", seconds=seconds, id="reminder-sweep",
                      replace_existing=True, coalesce=True, max_instances=1,
                      misfire_grace_time=seconds)


def start_background(runner: ReminderRunner | None, seconds: int = SWEEP_SECONDS, *,
                     resume: Callable[[], object] | None = None, resume_seconds: int = 30,
                     ) -> BackgroundScheduler:
    """For `serve`: sweeps on a daemon thread (reminders unless `runner` is None, and
    `resume` every `resume_seconds`); call `.shutdown()` on the way out."""
    scheduler = BackgroundScheduler(timezone="UTC")
    if runner is not None:
        _schedule(scheduler, runner, seconds)
    if resume is not None:
        scheduler.add_job(resume, "interval", seconds=resume_seconds, id="event-resume",
                          replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=resume_seconds)
    scheduler.start()
    return scheduler


def run_blocking(runner: ReminderRunner, seconds: int = SWEEP_SECONDS) -> None:
    """For `salesbot scheduler`: sweep until interrupted."""
    scheduler = BlockingScheduler(timezone="UTC")
    _schedule(scheduler, runner, seconds)
    runner.run_once()
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")
