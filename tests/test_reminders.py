"""Reminders move an injected clock, never sleep: sent once, at the right local time,
retried not lost, and exactly once with two schedulers on one database."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.chat import Chat
from bot.localslack import Failure, LocalSlack
from bot.reminders import ReminderRunner
from store.clock import ManualClock
from store.models import Contract, Reminder, User
from store.money import to_minor
from store.services import Services

NY = "America/New_York"


@pytest.fixture
def rep(services: Services):
    rep = services.users.get_or_create("U0ANA", name="Ana Rep", timezone=NY)
    services.accounts.create(rep.id, "Acme")
    return rep


@pytest.fixture
def runner(services: Services, app, clock: ManualClock) -> ReminderRunner:
    return ReminderRunner(services, app.client, clock, "UTC", worker="test")


def dms(slack: LocalSlack, text: str) -> list[dict]:
    return [c.args for c in slack.calls_of("chat.postMessage") if text in c.args.get("text", "")]


def test_follow_up_at_3am_arrives_at_9am_local_once(services: Services, rep, runner, slack,
                                                    clock: ManualClock) -> None:
    acme = services.accounts.get("acme")
    friday_3am_ny = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    services.activities.log(rep.id, kind="call", subject="send pricing", account_id=acme.id,
                            follow_up_at=friday_3am_ny)
    for hour in (0, 8, 13):  # Thursday night, Friday 03:00 and 08:00 in New York
        clock.set(datetime(2026, 11, 27, hour, 0, tzinfo=UTC) if hour else
                  datetime(2026, 11, 26, 23, 0, tzinfo=UTC))
        runner.run_once()
    assert dms(slack, "Follow up on Acme") == []
    clock.set(datetime(2026, 11, 27, 14, 0, tzinfo=UTC))  # 09:00 in New York
    runner.run_once()
    runner.run_once()
    [message] = dms(slack, "Follow up on Acme")
    assert message["channel"] == "U0ANA" and "send pricing" in str(message["blocks"])


def test_snooze_redelivers_at_the_new_time(chat: Chat, services: Services, rep, runner, slack,
                                           clock: ManualClock) -> None:
    acme = services.accounts.get("acme")
    services.activities.log(rep.id, kind="call", subject="send pricing", account_id=acme.id,
                            follow_up_at=clock.now())
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    runner.run_once()
    chat.absorb()
    chat.click(action_id="followup_snooze_1", user="U0ANA")  # 1 day
    assert "Snoozed" in chat.latest("U0ANA").text
    runner.run_once()
    assert len(dms(slack, "Follow up on Acme")) == 1
    clock.advance(timedelta(days=1, minutes=1))
    runner.run_once()
    assert len(dms(slack, "Follow up on Acme")) == 2


def test_a_reminder_sent_before_ids_were_unique_still_snoozes(
        chat: Chat, services: Services, rep, runner, slack, clock: ManualClock) -> None:
    """Reminders already in people's DMs carry the old bare `followup_snooze` on both."""
    acme = services.accounts.get("acme")
    services.activities.log(rep.id, kind="call", subject="send pricing", account_id=acme.id,
                            follow_up_at=clock.now())
    runner.run_once()
    chat.absorb()
    message = chat.latest("U0ANA", with_controls=True)
    message.blocks = copy.deepcopy(message.blocks)  # what the user sees, not what was sent
    for block in message.blocks:
        for element in block.get("elements", []):
            if str(element.get("action_id", "")).startswith("followup_snooze_") and (
                    element["action_id"] != "followup_snooze_date"):
                element["action_id"] = "followup_snooze"
    [week] = [c for c in message.controls if c.label == "Snooze 1 week"]
    chat.click(week.number, user="U0ANA")
    assert "Snoozed" in chat.latest("U0ANA").text
    clock.advance(timedelta(days=6))
    runner.run_once()
    assert len(dms(slack, "Follow up on Acme")) == 1
    clock.advance(timedelta(days=1, minutes=1))
    runner.run_once()
    assert len(dms(slack, "Follow up on Acme")) == 2


def test_done_stops_the_reminder(chat: Chat, services: Services, rep, runner, slack,
                                 clock: ManualClock) -> None:
    acme = services.accounts.get("acme")
    logged = services.activities.log(rep.id, kind="call", subject="x", account_id=acme.id,
                                     follow_up_at=clock.now() + timedelta(hours=20))
    services.reminders.plan()  # created ahead of time
    services.activities.set_follow_up_done(rep.id, logged.id)
    clock.advance(timedelta(days=1))
    report = runner.run_once()
    assert dms(slack, "Follow up") == [] and report.skipped == 1


def test_renewal_marks_90_60_30_and_never_a_fourth(services: Services, rep, runner, slack,
                                                   clock: ManualClock) -> None:
    acme = services.accounts.get("acme")
    with services.store.transaction() as s:
        s.add(Contract(account_id=acme.id, name="MSA", value_minor=to_minor(50000, "USD"),
                       currency="USD", start_date=date(2025, 12, 1),
                       end_date=clock.now().date() + timedelta(days=100), owner_id=rep.id,
                       status="active"))
    for _ in range(110):
        clock.advance(timedelta(days=1))
        runner.run_once()
    renewals = dms(slack, "Acme renews in")
    assert len(renewals) == 3  # a mark on a weekend arrives the Monday after
    with services.store.transaction() as s:
        assert sorted(s.scalars(select(Reminder.key).where(Reminder.status == "sent"))) == [
            "renewal:1:d30", "renewal:1:d60", "renewal:1:d90"]


def test_a_contract_entered_late_gets_only_the_latest_mark(services: Services, rep, runner,
                                                           slack, clock: ManualClock) -> None:
    acme = services.accounts.get("acme")
    with services.store.transaction() as s:
        s.add(Contract(account_id=acme.id, name="MSA", value_minor=100, currency="USD",
                       start_date=date(2025, 1, 1), owner_id=rep.id, status="active",
                       end_date=clock.now().date() + timedelta(days=45)))
    clock.set(datetime(2026, 11, 24, 15, 0, tzinfo=UTC))
    runner.run_once()
    assert [m["text"] for m in dms(slack, "renews in")] == ["Acme renews in 44 days"]
    with services.store.transaction() as s:
        keys = s.scalars(select(Reminder.key)).all()
    assert keys == ["renewal:1:d60"]


def test_a_stale_deal_is_flagged_once_per_quiet_spell(services: Services, rep, runner, slack,
                                                      clock: ManualClock) -> None:
    opp = services.opportunities.create(rep.id, "Renewal", account="Acme",
                                        close_date=date(2027, 6, 1))
    for _ in range(20):
        clock.advance(timedelta(days=1))
        runner.run_once()
    assert len(dms(slack, "gone quiet")) == 1
    services.activities.log(rep.id, kind="call", subject="checked in", opportunity_id=opp.id)
    for _ in range(20):
        clock.advance(timedelta(days=1))
        runner.run_once()
    assert len(dms(slack, "gone quiet")) == 2


def test_a_claim_left_by_a_dead_process_is_retried(services: Services, rep, runner, slack,
                                                   clock: ManualClock) -> None:
    acme = services.accounts.get("acme")
    services.activities.log(rep.id, kind="call", subject="x", account_id=acme.id,
                            follow_up_at=clock.now())
    services.reminders.plan()
    [claimed] = services.reminders.claim("dead-worker")  # and the process dies here
    runner.run_once()
    assert dms(slack, "Follow up") == []  # its lease is still running
    clock.advance(timedelta(minutes=6))
    runner.run_once()
    assert len(dms(slack, "Follow up")) == 1
    assert services.reminders.sent(claimed.id, "dead-worker", "1.1") is False


def test_429_then_200_delays_but_delivers(services: Services, rep, runner, slack,
                                          clock: ManualClock) -> None:
    acme = services.accounts.get("acme")
    services.activities.log(rep.id, kind="call", subject="x", account_id=acme.id,
                            follow_up_at=clock.now())
    for _ in range(3):  # more than the client's own retries
        slack.fail_next("chat.postMessage", Failure(status=429, retry_after=1))
    report = runner.run_once()
    assert report.retried == 1 and report.sent == 0
    clock.advance(timedelta(seconds=2))
    assert runner.run_once().sent == 1


def test_refused_for_good_is_marked_failed_for_admins(services: Services, rep, runner, slack,
                                                      clock: ManualClock) -> None:
    acme = services.accounts.get("acme")
    services.activities.log(rep.id, kind="call", subject="x", account_id=acme.id,
                            follow_up_at=clock.now())
    slack.fail_next("chat.postMessage", Failure(error="user_not_found"))
    assert runner.run_once().failed == 1
    [(key, reason, who)] = services.reminders.failures()
    assert key.startswith("follow_up:") and "user_not_found" in reason and who == "Ana Rep"


def test_deactivated_users_get_no_reminders(services: Services, rep, runner, slack,
                                            clock: ManualClock) -> None:
    acme = services.accounts.get("acme")
    services.activities.log(rep.id, kind="call", subject="x", account_id=acme.id,
                            follow_up_at=clock.now())
    with services.store.transaction() as s:
        s.get(User, rep.id).is_active = False
    assert runner.run_once().planned == 0


def test_mute_until_monday_and_digest_hour(chat: Chat, services: Services, rep, runner, slack,
                                           clock: ManualClock) -> None:
    [reply] = chat.say("mute reminders until monday", user="U0ANA")
    assert "Muted until Mon, Nov 30, 09:00" in reply.text
    acme = services.accounts.get("acme")
    services.activities.log(rep.id, kind="call", subject="x", account_id=acme.id,
                            follow_up_at=clock.now())
    runner.run_once()
    assert dms(slack, "Follow up") == []
    [upcoming] = chat.say("reminders", user="U0ANA")
    assert "Mon, Nov 30, 09:00: follow-up" in upcoming.text
    [digest] = chat.say("digest at 7am", user="U0ANA")
    assert "07:00" in digest.text


def test_two_scheduler_processes_send_each_reminder_once(
    services: Services, rep, slack: LocalSlack, database_url: str, store
) -> None:
    acme = services.accounts.get("acme")
    with services.store.transaction() as s:
        s.get(User, rep.id).weekend_reminders = True
    now = datetime.now(UTC).replace(microsecond=0)
    for n in range(30):
        services.activities.log(rep.id, kind="call", subject=f"call {n}", account_id=acme.id,
                                follow_up_at=now - timedelta(hours=1, minutes=n))
    env = {**os.environ, "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-two",
           "SLACK_API_URL": slack.api_url, "SALESBOT_WORKING_HOURS": "00:00-23:59",
           "SALESBOT_TIMEZONE": "UTC"}
    processes = [subprocess.Popen([sys.executable, "-m", "bot", "reminders", "run-once"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    subjects = sorted(str(c.args["blocks"]) for c in slack.calls_of("chat.postMessage"))
    assert len(subjects) == 30 and len(set(subjects)) == 30
    with services.store.transaction() as s:
        assert set(s.scalars(select(Reminder.status))) == {"sent"}


def test_create_renewal_from_the_reminder(chat: Chat, services: Services, rep, runner,
                                          clock: ManualClock) -> None:
    acme = services.accounts.get("acme")
    with services.store.transaction() as s:
        s.add(Contract(account_id=acme.id, name="MSA", value_minor=to_minor(42000, "USD"),
                       currency="USD", start_date=date(2025, 1, 1), owner_id=rep.id,
                       status="active", end_date=clock.now().date() + timedelta(days=80)))
    runner.run_once()
    chat.absorb()
    chat.click(action_id="renewal_create", user="U0ANA")
    [renewal] = [o for o in services.opportunities.visible(rep.id) if o.name.startswith("Renewal")]
    assert renewal.amount == Decimal("42000.00") and renewal.account_name == "Acme"


def test_planned_late_still_waits_for_working_hours(services: Services, rep, runner, slack,
                                                   clock: ManualClock) -> None:
    acme = services.accounts.get("acme")
    services.activities.log(rep.id, kind="call", subject="x", account_id=acme.id,
                            follow_up_at=datetime(2026, 11, 27, 15, 0, tzinfo=UTC))  # Friday
    clock.set(datetime(2026, 11, 28, 15, 0, tzinfo=UTC))  # first sweep on Saturday
    runner.run_once()
    assert dms(slack, "Follow up") == []
    clock.set(datetime(2026, 11, 30, 14, 0, tzinfo=UTC))  # Monday 09:00 in New York
    runner.run_once()
    assert len(dms(slack, "Follow up")) == 1


def test_a_claim_takes_exactly_its_batch(services: Services, rep, clock: ManualClock) -> None:
    """A worker that dies holds at most one batch: the rest stay free for other workers."""
    acme = services.accounts.get("acme")
    for n in range(130):
        services.activities.log(rep.id, kind="task", subject=f"task {n}", account_id=acme.id,
                                follow_up_at=clock.now() - timedelta(minutes=n))
    services.reminders.plan()
    batches = [services.reminders.claim(f"worker-{n}", limit=50) for n in range(4)]
    assert [len(batch) for batch in batches] == [50, 50, 30, 0]
    claimed = [reminder.id for batch in batches for reminder in batch]
    assert len(set(claimed)) == 130


@pytest.mark.parametrize("error", ["invalid_blocks", "channel_not_found", "not_in_channel",
                                   "is_archived", "msg_too_long"])
def test_blocks_or_channel_refused_for_good_is_not_retried_every_sweep(
        error: str, services: Services, rep, runner, slack, clock: ManualClock) -> None:
    acme = services.accounts.get("acme")
    services.activities.log(rep.id, kind="call", subject="x", account_id=acme.id,
                            follow_up_at=clock.now())
    slack.fail_next("chat.postMessage", Failure(error=error))
    report = runner.run_once()
    assert report.failed == 1 and report.retried == 0
    clock.advance(timedelta(hours=2))
    assert runner.run_once().sent == 0
    assert len(slack.calls_of("chat.postMessage")) == 1
    [(_key, reason, _who)] = services.reminders.failures()
    assert error in reason


def test_a_mute_that_ends_brings_one_digest_not_every_held_one(
        services: Services, rep, runner, slack, clock: ManualClock) -> None:
    """Digests held back by a mute (or a weekend) describe a day gone by: only the day's
    own digest goes out when the mute ends."""
    acme = services.accounts.get("acme")
    services.reminders.set_digest_hour(rep.id, 8)
    for day in (24, 25, 26):  # a follow-up every day, so no digest is empty
        services.activities.log(rep.id, kind="call", subject=f"call {day}", account_id=acme.id,
                                follow_up_at=datetime(2026, 11, day, 16, 0, tzinfo=UTC))
    services.reminders.mute(rep.id, datetime(2026, 11, 25, 17, 0, tzinfo=UTC))  # Wed noon NY
    clock.set(datetime(2026, 11, 24, 0, 0, tzinfo=UTC))
    while clock.now() < datetime(2026, 11, 26, 23, 0, tzinfo=UTC):
        clock.advance(timedelta(hours=1))
        runner.run_once()
    digests = [c for c in slack.calls_of("chat.postMessage") if c.args["text"] == "Your day"]
    assert len(digests) == 2  # Wednesday's, when the mute ended, and Thursday's
    assert "call 25" in str(digests[0].args["blocks"])
    assert "call 26" in str(digests[1].args["blocks"])


def test_a_renewal_alert_offers_no_second_renewal_deal(chat: Chat, services: Services, rep,
                                                       runner, clock: ManualClock) -> None:
    """A renewal deal made by hand on the account is open: the alert names it and has no
    Create renewal deal button (which would make a second)."""
    acme = services.accounts.get("acme")
    services.opportunities.create(rep.id, "Renewal 2027", account="Acme",
                                  amount=Decimal(42000))
    with services.store.transaction() as s:
        s.add(Contract(account_id=acme.id, name="MSA", value_minor=to_minor(42000, "USD"),
                       currency="USD", start_date=date(2025, 1, 1), owner_id=rep.id,
                       status="active", end_date=clock.now().date() + timedelta(days=80)))
    runner.run_once()
    chat.absorb()
    [alert] = [m for m in chat.visible_to("U0ANA") if "ends" in m.render()]
    assert "Renewal deal open: *Acme — Renewal 2027*." in alert.render()
    assert alert.controls == []
