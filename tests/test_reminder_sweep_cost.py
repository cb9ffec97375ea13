"""A sweep costs what is due: with nothing due it runs the same few statements whatever
the tables hold; a batch of reminders and a digest take a fixed number of statements and
transactions however many there are (an N+1 regression makes the counts grow with N and
fails here). And reading only what changed since the last sweep misses nothing: a full
sweep afterwards finds nothing new."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select, update

from bot.localslack import LocalSlack
from bot.reminders import ReminderRunner
from store.clock import ManualClock
from store.models import ButtonValue, Opportunity, Reminder, Stage, SweepMark, User
from store.services import Services
from store.services.reminders.windows import MARK_EVERY
from store.services.system.button_values import KEPT_FOR
from store.services.system.housekeeping import PRUNE_BATCH
from store.statement_count import counting


def book(services: Services, n: int, *, tag: str) -> list[int]:
    """`n` reps, each with an account, an open deal past its close date and a follow-up due
    now (each on its own account, owner and deal, so a per-row look-up would show)."""
    reps = []
    for i in range(n):
        rep = services.users.get_or_create(f"U{tag}{i:03d}", name=f"Rep {tag}{i}")
        account = services.accounts.create(rep.id, f"Account {tag}{i}")
        services.opportunities.create(rep.id, f"Deal {i}", account=account.name,
                                      close_date=date(2026, 11, 20))
        services.activities.log(rep.id, kind="call", subject=f"call {i}",
                                account_id=account.id, follow_up_at=services.store.now())
        reps.append(rep.id)
    return reps


def runner(services: Services, app) -> ReminderRunner:
    return ReminderRunner(services, app.client, services.store.clock, "UTC", worker="t")


def test_nothing_due_costs_the_same_for_a_small_and_a_large_book(
        services: Services, app, slack: LocalSlack, clock: ManualClock) -> None:
    sweep = runner(services, app)
    book(services, 2, tag="S")
    sweep.run_once()
    clock.advance(timedelta(minutes=1))
    with counting(services.store.engine) as small:
        sweep.run_once()
    book(services, 25, tag="L")
    sweep.run_once()
    clock.advance(timedelta(minutes=1))
    with counting(services.store.engine) as large:
        sweep.run_once()
    assert (large.statements, large.transactions) == (small.statements, small.transactions)
    assert large.starting("INSERT INTO reminders") == small.starting("INSERT INTO reminders") == 0
    # housekeeping, sending state, workflow, planning and both claims: one transaction
    # (was 8), 13 statements (was 26, then 21): the book was written minutes ago, so the
    # workflow reads its events and the windows re-read its rows; none of them a prune
    # while nothing is old enough, nor a claim while nothing is due (PostgreSQL takes the
    # planner's lock in a statement of its own)
    expected = 14 if services.store.dialect == "postgresql" else 13
    assert (small.statements, small.transactions) == (expected, 1)
    assert small.starting("DELETE FROM slack_events") == 0
    assert small.starting("DELETE FROM button_values") == 0


def test_a_quiet_sweep_is_a_few_statements_each_built_once(
        services: Services, app, clock: ManualClock) -> None:
    """Nothing written or come due since the last sweep: one look at the sending state,
    what to prune, the workflow's events and whether any reply or reminder is due; one at
    the open stages and the planner's marks (after the planner's lock on PostgreSQL); one
    for every window. The same statements each minute, so SQLAlchemy builds and compiles
    none of them again. The mark is moved on only every few minutes when nothing was
    found, so such a sweep writes nothing."""
    sweep = runner(services, app)
    book(services, 3, tag="Q")
    sweep.run_once()
    clock.advance(timedelta(days=3))  # past the workflow's look-back and the margin
    sweep.run_once()
    seen: list[list[str]] = []
    for _ in range(2):
        clock.advance(timedelta(minutes=1))
        with counting(services.store.engine) as quiet:
            report = sweep.run_once()
        assert (report.planned, report.sent) == (0, 0)
        seen.append(quiet.sql)
    assert seen[0] == seen[1]
    expected = 4 if services.store.dialect == "postgresql" else 3
    assert (quiet.statements, quiet.transactions) == (expected, 1), quiet.sql
    assert quiet.starting("INSERT") == quiet.starting("DELETE") == 0
    assert quiet.starting("UPDATE") == 0  # no claim: nothing is due
    assert quiet.starting("UPDATE sweep_marks") == 0
    clock.advance(MARK_EVERY)
    with counting(services.store.engine) as later:
        sweep.run_once()
    assert later.starting("UPDATE sweep_marks") == 1
    with services.store.transaction() as s:
        assert s.scalars(select(SweepMark.planned_at)).one() == clock.now()


def test_a_prune_backlog_goes_over_sweeps_and_keeps_what_is_young(
        services: Services, app, clock: ManualClock) -> None:
    """Each prune deletes at most PRUNE_BATCH of the oldest rows a sweep, so no sweep walks
    a table; what is past its keeping time still goes, over the next sweeps."""
    sweep = runner(services, app)
    with services.store.transaction() as s:
        s.add_all(ButtonValue(created_at=clock.now(), value=f"old {i}")
                  for i in range(PRUNE_BATCH + 7))
    clock.advance(KEPT_FOR + timedelta(minutes=1))
    young = services.button_values.park("young")
    assert sweep.run_once().pruned == PRUNE_BATCH
    assert sweep.run_once().pruned == 7
    with counting(services.store.engine) as after:
        assert sweep.run_once().pruned == 0
    assert after.starting("DELETE FROM button_values") == 0  # the oldest left is young
    assert services.button_values.get(young) == "young"


def test_a_batch_of_reminders_costs_the_same_statements_for_2_or_20(
        services: Services, app, slack: LocalSlack, clock: ManualClock) -> None:
    sweep = runner(services, app)
    sweep.run_once()  # the planner's first look, on an empty book
    counts = []
    for n, tag in ((2, "B"), (20, "C")):
        book(services, n, tag=tag)
        clock.advance(timedelta(minutes=1))
        with counting(services.store.engine) as count:
            report = sweep.run_once()
        assert report.sent == 2 * n  # a follow-up and an overdue deal each
        counts.append(count)
    small, large = counts
    assert (large.statements, large.transactions) == (small.statements, small.transactions)
    assert large.transactions <= 12  # not two a reminder (40 reminders here)
    sent = [c.args for c in slack.calls_of("chat.postMessage")]
    assert sum("Follow up on Account C7" in c["text"] for c in sent) == 1
    assert sum("Deal 7 has gone quiet" in c["text"] and c["channel"] == "UC007"
               for c in sent) == 1


def _digest_day(services: Services, rep_id: int, n: int, at: datetime) -> None:
    for i in range(n):
        account = services.accounts.create(rep_id, f"Digest {rep_id}-{i}")
        services.activities.log(rep_id, kind="email", subject=f"follow {i}",
                                account_id=account.id, follow_up_at=at + timedelta(hours=2))
        services.activities.log(rep_id, kind="meeting", subject=f"meet {i}",
                                account_id=account.id, occurred_at=at + timedelta(hours=3))


def test_the_digest_takes_the_same_statements_for_2_or_20_items(
        services: Services, clock: ManualClock) -> None:
    day = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    counts = []
    for n, tag in ((2, "D"), (20, "E")):
        rep = services.users.get_or_create(f"U{tag}", name=f"Rep {tag}")
        _digest_day(services, rep.id, n, day)
        with counting(services.store.engine) as count:
            digest = services.reminder_context.digest(rep.id, day)
        assert len(digest.follow_ups) == n and len(digest.meetings) == n
        assert {a.account_name for a in digest.meetings} == {
            f"Digest {rep.id}-{i}" for i in range(n)}
        counts.append(count.statements)
    assert counts[0] == counts[1] <= 4


def test_digests_for_many_people_are_sent_in_a_fixed_number_of_statements(
        services: Services, app, slack: LocalSlack, clock: ManualClock) -> None:
    sweep = runner(services, app)
    clock.set(datetime(2026, 11, 24, 6, 0, tzinfo=UTC))
    sweep.run_once()
    counts = []
    for n, tag in ((1, "F"), (8, "G")):
        for i in range(n):
            rep = services.users.get_or_create(f"U{tag}{i}", name=f"Rep {tag}{i}")
            services.reminders.set_digest_hour(rep.id, 8)
            _digest_day(services, rep.id, 3, clock.now())
        clock.advance(timedelta(hours=3 if tag == "F" else 24))  # each day's 08:00, UTC
        with counting(services.store.engine) as count:
            sweep.run_once()
        counts.append(count)
    digests = [c for c in slack.calls_of("chat.postMessage") if c.args["text"] == "Your day"]
    assert len(digests) == 1 + 1 + 8  # F's twice (Tuesday and Wednesday), each G once
    assert counts[0].transactions == counts[1].transactions


def test_after_incremental_sweeps_a_full_sweep_finds_nothing_new(
        services: Services, app, slack: LocalSlack, clock: ManualClock) -> None:
    """Everything that changes what is due between sweeps; after each incremental sweep
    the planner's memory is dropped and a sweep that reads every row must have nothing
    left to create."""
    sweep = runner(services, app)
    ana = services.users.get_or_create("UANA", name="Ana", timezone="America/New_York")
    bo = services.users.get_or_create("UBO", name="Bo", timezone="Asia/Tokyo")
    acme = services.accounts.create(ana.id, "Acme")
    initech = services.accounts.create(bo.id, "Initech")
    deal = services.opportunities.create(ana.id, "Expansion", account="Acme",
                                         close_date=date(2027, 3, 1))
    services.reminders.set_digest_hour(bo.id, 7)
    sweep.run_once()
    for hour in range(1, 24 * 40, 5):  # 40 days, a sweep every 5 hours
        clock.advance(timedelta(hours=5))
        if hour == 6:  # a follow-up logged late: due already
            services.activities.log(ana.id, kind="call", subject="late", account_id=acme.id,
                                    follow_up_at=clock.now() - timedelta(days=2))
        if hour == 51:  # a close date moved into the past
            services.opportunities.update(ana.id, deal.id,
                                          close_date=clock.now().date() - timedelta(days=3))
        if hour == 101:  # a stage's quiet days shortened
            with services.store.transaction() as s:
                for stage in s.scalars(select(Stage).where(Stage.kind == "open")):
                    stage.quiet_days = 2
        if hour == 151:  # a rep deactivated, a follow-up due meanwhile, reactivated
            with services.store.transaction() as s:
                s.get(User, bo.id).is_active = False
            services.activities.log(bo.id, kind="call", subject="while away",
                                    follow_up_at=clock.now() + timedelta(hours=1),
                                    account_id=initech.id)
        if hour == 201:
            with services.store.transaction() as s:
                s.get(User, bo.id).is_active = True
        sweep.run_once()
        with services.store.transaction() as s:  # the planner forgets; a full sweep:
            s.execute(delete(SweepMark))
        assert services.reminders.plan() == 0, f"missed at hour {hour}"
    with services.store.transaction() as s:
        keys = set(s.scalars(select(Reminder.key)))
    assert any(k.startswith("follow_up:") for k in keys)
    assert any(k.startswith("overdue:") for k in keys)
    assert any(k.startswith("stale:") for k in keys)
    assert any(k.startswith("digest:") for k in keys)
    texts = [c.args["text"] for c in slack.calls_of("chat.postMessage")]
    assert sum("Initech" in t for t in texts) == 1  # Bo's, once back


def test_a_mark_left_behind_by_quiet_sweeps_misses_nothing(
        services: Services, app, slack: LocalSlack, clock: ManualClock) -> None:
    """A sweep a minute over midnight, with things coming due at their own minutes (a
    deal's quiet spell running out, a close date passing, a follow-up entering the
    day-ahead horizon, a digest's day turning) while quiet sweeps leave the mark behind:
    after each sweep a full look (the mark forgotten for a moment) finds nothing new."""
    sweep = runner(services, app)
    clock.set(datetime(2026, 11, 24, 23, 20, tzinfo=UTC))
    start = clock.now()
    ana = services.users.get_or_create("UMARK", name="Ana Mark", timezone="UTC")
    services.reminders.set_digest_hour(ana.id, 0)
    acme = services.accounts.create(ana.id, "Mark Acme")
    quiet = services.opportunities.create(ana.id, "Quiet", account=acme.name,
                                          close_date=date(2027, 6, 1))
    services.opportunities.create(ana.id, "Overdue", account=acme.name,
                                  close_date=start.date())
    with services.store.transaction() as s:
        stage = s.scalars(select(Stage).where(Stage.kind == "open", Stage.quiet_days > 0)
                          .order_by(Stage.position)).first()
        assert stage is not None and stage.quiet_days
        spell_from = start - timedelta(days=stage.quiet_days) + timedelta(minutes=37)
        s.execute(update(Opportunity).where(Opportunity.id == quiet.id).values(
            stage_id=stage.id, stage_changed_at=spell_from, last_activity_at=spell_from))
    services.activities.log(ana.id, kind="call", subject="later", account_id=acme.id,
                            follow_up_at=start + timedelta(days=1, minutes=50))
    clock.advance(timedelta(minutes=15))  # the writes are past the margin
    sweep.run_once()
    behind = 0
    for minute in range(16, 75):
        clock.set(start + timedelta(minutes=minute))
        sweep.run_once()
        with services.store.transaction() as s:
            mark = s.scalars(select(SweepMark)).one()
            kept = (mark.name, mark.planned_at)
            behind += kept[1] < clock.now()
            s.execute(delete(SweepMark))
        assert services.reminders.plan() == 0, f"missed at minute {minute}"
        with services.store.transaction() as s:  # the mark as the quiet sweeps left it
            s.execute(delete(SweepMark))
            s.add(SweepMark(name=kept[0], planned_at=kept[1]))
    assert behind > 20  # quiet sweeps left the mark where it was
    with services.store.transaction() as s:
        keys = set(s.scalars(select(Reminder.key)))
    assert {k.split(":")[0] for k in keys} >= {"stale", "overdue", "follow_up", "digest"}
