"""Pipeline figures against an independent computation.

A seeded random data set (a few hundred deals, two teams under a director, three
currencies, a history of moves forward and back, slipped and pulled close dates, amounts
changed, deals won, lost and reopened, some archived) is built through the one write path;
every figure of the summary, the week-over-week changes and the forecast is then
recomputed here in plain Python from the opportunities export and plain SELECTs of the
tables, and must match to the minor unit. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import io
import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from sqlalchemy import select, update

from store.clock import ManualClock
from store.db import Store
from store.errors import NotAllowed
from store.models import Account, Opportunity, OpportunityHistory, Stage, Team, User
from store.money import currency_precision
from store.periods import find_period, quarter
from store.services.deals.changes import Change, apply_change
from store.services.deals.opportunities import create_opportunity
from store.services.pipeline.export import summary_csv
from store.services.pipeline.figures import Figures, Scope
from store.services.pipeline.quotas import QuotaService
from store.services.pipeline.summary import PipelineService
from store.transfer import KINDS, ImportOptions, export_csv, import_csv
from tests.conftest import START

Q4 = quarter(2026, 4)
ACTIONS = ("forward", "forward", "forward", "back", "slip", "slip", "pull", "amount", "won",
           "lost", "prob", "reopen")
CURRENCIES = ("USD", "USD", "USD", "EUR", "JPY")
PEOPLE = [  # slack id, name, role, team, manager
    ("U0ADMIN", "Ada Admin", "admin", None, None),
    ("U0DIR", "Dee Director", "director", None, None),
    ("U0MEAST", "Mo East", "manager", "East", "U0DIR"),
    ("U0MWEST", "Wil West", "manager", "West", "U0DIR"),
    ("U0ANA", "Ana East", "rep", "East", "U0MEAST"),
    ("U0BEN", "Ben East", "rep", "East", "U0MEAST"),
    ("U0CAL", "Cal East", "rep", "East", "U0MEAST"),
    ("U0DANA", "Dana West", "rep", "West", "U0MWEST"),
    ("U0ED", "Ed West", "rep", "West", "U0MWEST"),
    ("U0FAY", "Fay West", "rep", "West", "U0MWEST"),
]
OWNERS = ("U0MEAST", "U0ANA", "U0BEN", "U0CAL", "U0DANA", "U0ED", "U0FAY")
EAST = {"U0MEAST", "U0ANA", "U0BEN", "U0CAL"}


# -- the data set -------------------------------------------------------------------------

def _people(s) -> dict[str, User]:
    users = {sid: User(slack_user_id=sid, name=name, role=role, is_active=True)
             for sid, name, role, _, _ in PEOPLE}
    s.add_all(users.values())
    s.flush()
    teams = {name: Team(name=name, manager_id=users[f"U0M{name.upper()}"].id)
             for name in ("East", "West")}
    s.add_all(teams.values())
    s.flush()
    for sid, _, _, team, manager in PEOPLE:
        users[sid].team_id = teams[team].id if team else None
        users[sid].manager_id = users[manager].id if manager else None
    return users


def _act(s, opp: Opportunity, action: str, when: datetime, rng: random.Random,
         opens: list[Stage], closed: dict[str, Stage], admin: User) -> None:
    stage = opp.stage
    change: Change | None = None
    if stage.kind != "open":
        if action == "reopen":
            change = Change(stage=rng.choice(opens))
    elif action in ("forward", "back"):
        at = [s_.id for s_ in opens].index(stage.id)
        step = 1 if action == "forward" else -1
        if 0 <= at + step < len(opens):
            change = Change(stage=opens[at + step],
                            close_date=opp.close_date + timedelta(days=rng.randint(1, 20))
                            if rng.random() < 0.2 else None)
    elif action == "slip":
        change = Change(close_date=opp.close_date + timedelta(days=rng.randint(1, 60)))
    elif action == "pull":
        change = Change(close_date=opp.close_date - timedelta(days=rng.randint(1, 30)))
    elif action == "amount":
        change = Change(amount_minor=rng.randint(1, 40_000_000))
    elif action == "prob":
        change = Change(probability=rng.randint(0, 100))
    elif action in ("won", "lost"):
        change = Change(stage=closed[action], lost_reason="budget" if action == "lost" else None)
    if change is not None:
        apply_change(s, opp, change, actor=admin, now=when, source="slack")


def generate(url: str, *, seed: int = 7, deals: int = 320) -> None:
    """The data set, built as reps would build it: through `create_opportunity` and
    `apply_change`, on a clock that walks the last four months up to START."""
    rng = random.Random(seed)
    begin = START - timedelta(days=120)
    gen = Store(url, ManualClock(begin))
    with gen.transaction() as s:
        users = _people(s)
        for n in range(40):
            s.add(Account(name=f"Account {n:02d}", name_key=f"account {n:02d}",
                          owner_id=users["U0ANA"].id))
    events: list[tuple[datetime, int, str]] = []
    for i in range(deals):
        created = begin + timedelta(seconds=rng.randint(0, 118 * 86400))
        events.append((created, i, "create"))
        moment = created
        for _ in range(rng.choice((0, 1, 1, 2, 3, 4, 5))):
            moment += timedelta(seconds=rng.randint(3600, 25 * 86400))
            if moment < START:
                events.append((moment, i, rng.choice(ACTIONS)))
    for i in rng.sample(range(deals), 90):  # a busy last week
        events.append((START - timedelta(seconds=rng.randint(60, 7 * 86400 - 60)), i,
                       rng.choice(ACTIONS)))
    for i in range(8):  # exactly on the edge of last week's window (outside it)
        events.append((START - timedelta(days=7), i, "won"))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    ids: dict[int, int] = {}
    with gen.transaction() as s:  # one transaction, flushed per event at the event's time
        stages = list(s.scalars(select(Stage).order_by(Stage.position)))
        opens = [st for st in stages if st.kind == "open"]
        closed = {st.kind: st for st in stages if st.kind != "open"}
        people = {u.slack_user_id: u for u in s.scalars(select(User))}
        for when, i, action in events:
            gen.clock.set(when)  # type: ignore[attr-defined]
            if action == "create":
                currency = rng.choice(CURRENCIES)
                places = currency_precision(currency)
                opp = create_opportunity(
                    s, name=f"Deal {i}", owner=people[rng.choice(OWNERS)], now=when,
                    currency=currency, account_name=f"Account {rng.randrange(40):02d}",
                    stage=rng.choice(opens[:4]),
                    amount_minor=rng.randint(1, 50_000 * 10 ** places),
                    close_date=when.date() + timedelta(days=rng.randint(-20, 160)),
                    probability=rng.randint(5, 95) if rng.random() < 0.15 else None)
                ids[i] = opp.id
            elif i in ids:
                _act(s, s.get(Opportunity, ids[i]), action, when, rng, opens, closed,
                     people["U0ADMIN"])
            s.flush()
    with gen.transaction() as s:  # undone creations: archived, counted nowhere
        s.execute(update(Opportunity).where(Opportunity.id.in_([ids[3], ids[11], ids[42]]))
                  .values(archived_at=START - timedelta(days=1)))
    gen.dispose()


@pytest.fixture
def data(store: Store) -> Store:
    generate(store.url)
    return store


def ids_of(store: Store) -> dict[str, int]:
    with store.transaction() as s:
        return {u.slack_user_id: u.id for u in s.scalars(select(User))}


# -- the independent computation -----------------------------------------------------------

def plain(store: Store, table) -> list:
    with store.engine.connect() as conn:
        return list(conn.execute(select(table)))


def exported(store: Store) -> list[dict]:
    """Live deals from `salesbot export opportunities`, amounts back in minor units."""
    out = io.StringIO()
    export_csv(store, KINDS["opportunities"], out)
    header, *lines = out.getvalue().splitlines()  # the export leaves archived deals out
    rows = []
    for line in lines:
        row = dict(zip(header.split(","), line.split(","), strict=True))
        places = currency_precision(row["currency"])
        row["minor"] = int(Decimal(row["amount"]).scaleb(places))
        row["close"] = date.fromisoformat(row["close_date"])
        row["probability"] = int(row["probability"])
        rows.append(row)
    return rows


def grouped(rows, key) -> dict:
    """{group: {currency: (count, amount_minor, SUM(amount_minor * probability))}}."""
    out: dict = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for row in rows:
        cell = out[key(row)][row["currency"]]
        cell[0] += 1
        cell[1] += row["minor"]
        cell[2] += row["minor"] * row["probability"]
    return {g: {c: tuple(v) for c, v in per.items()} for g, per in out.items()}


def as_dict(figures: tuple[Figures, ...]) -> dict:
    return {f.currency: (f.count, f.amount_minor, f.weighted_centi) for f in figures}


def fiscal_code(day: date, start_month: int) -> str:
    months = (day.year * 12 + day.month - 1) - (start_month - 1)
    return f"{months // 12}-Q{months % 12 // 3 + 1}"


def stage_kinds(store: Store) -> dict[str, Stage]:
    return {r.name: r for r in plain(store, Stage.__table__)}


# -- the tests -----------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "scope", "owners"), [
    ("U0ADMIN", Scope(), set(OWNERS)),
    ("U0DIR", Scope(), set(OWNERS)),
    ("U0MEAST", Scope(), EAST),
    ("U0MWEST", Scope("team"), set(OWNERS) - EAST),
    ("U0ANA", Scope(), {"U0ANA"}),
])
def test_summary_matches_an_independent_computation(data: Store, who, scope, owners) -> None:
    ids = ids_of(data)
    summary = PipelineService(data).summary(ids[who], scope)
    stages = stage_kinds(data)
    live = [r for r in exported(data) if r["owner"] in owners]
    opened = [r for r in live if stages[r["stage"]].kind == "open"]
    by_stage = grouped(opened, lambda r: r["stage"])
    assert [row.name for row in summary.stages] == [
        s.name for s in sorted(stages.values(), key=lambda s: s.position) if s.kind == "open"]
    for row in summary.stages:
        assert as_dict(row.figures) == by_stage.get(row.name, {}), row.name
    assert as_dict(summary.totals) == grouped(opened, lambda r: "all")["all"]
    assert len(summary.totals) == 3  # USD, EUR and JPY stay apart
    assert {o.slack_id: as_dict(o.figures) for o in summary.owners} == grouped(
        opened, lambda r: r["owner"])
    assert {m.key: as_dict(m.figures) for m in summary.months} == grouped(
        opened, lambda r: f"{r['close']:%Y-%m}")
    assert {q.code: as_dict(q.figures) for q in summary.quarters} == grouped(
        opened, lambda r: fiscal_code(r["close"], 1))
    for f in summary.totals:  # rounded once, half-even, from the exact sum
        exact = Decimal(f.weighted_centi) / 100
        assert f.weighted_minor == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    # closed this fiscal quarter
    closed = [r for r in live if r["close"] in Q4 and stages[r["stage"]].kind != "open"]
    won = [r for r in closed if stages[r["stage"]].kind == "won"]
    assert as_dict(summary.closed.won) == {
        c: (n, a, 0) for c, (n, a, _) in grouped(won, lambda r: "w").get("w", {}).items()}
    assert summary.closed.won_count == len(won)
    assert summary.closed.lost_count == len(closed) - len(won)
    rate = (Decimal(100 * len(won)) / len(closed)).quantize(Decimal("0.1")) if closed else None
    assert summary.closed.win_rate == rate
    assert summary.closed.won_count > 0 and summary.closed.lost_count > 0
    assert summary.closed.average_cycle_days == pytest.approx(
        expected_cycle(data, owners, ids), abs=1e-6)
    assert [d.opportunity_id for d in summary.stuck] == expected_stuck(data, owners, ids)
    assert as_changes(summary) == expected_changes(data, owners, ids)


@pytest.mark.parametrize(("who", "scope", "owners"), [
    ("U0ADMIN", Scope(), set(OWNERS)),
    ("U0MWEST", Scope("team"), set(OWNERS) - EAST),
    ("U0ANA", Scope(), {"U0ANA"}),
])
def test_stuck_deals_of_a_period_close_in_it(data: Store, who, scope, owners) -> None:
    """Stuck deals with a period: the scope's open deals closing in it, longest in stage."""
    ids = ids_of(data)
    summary = PipelineService(data).summary(ids[who], scope, Q4)
    in_q4 = {o.id for o in plain(data, Opportunity.__table__) if o.close_date in Q4}
    expected = [i for i in expected_stuck(data, owners, ids, limit=None) if i in in_q4][:5]
    assert expected and [d.opportunity_id for d in summary.stuck] == expected


def expected_cycle(store: Store, owners: set[str], ids: dict[str, int]) -> float | None:
    wanted = {ids[o] for o in owners}
    stages = {r.id: r for r in plain(store, Stage.__table__)}
    first: dict[int, datetime] = {}
    for h in plain(store, OpportunityHistory.__table__):
        first[h.opportunity_id] = min(first.get(h.opportunity_id, h.changed_at), h.changed_at)
    days = [(o.closed_at - first[o.id]).total_seconds() / 86400
            for o in plain(store, Opportunity.__table__)
            if o.owner_id in wanted and o.archived_at is None and o.close_date in Q4
            and stages[o.stage_id].kind == "won" and o.closed_at is not None]
    return sum(days) / len(days) if days else None


def expected_stuck(store: Store, owners: set[str], ids: dict[str, int],
                   limit: int | None = 5) -> list[int]:
    wanted = {ids[o] for o in owners}
    stages = {r.id: r for r in plain(store, Stage.__table__)}
    live = [o for o in plain(store, Opportunity.__table__) if o.owner_id in wanted
            and o.archived_at is None and stages[o.stage_id].kind == "open"]
    return [o.id for o in sorted(live, key=lambda o: (o.stage_changed_at, o.id))[:limit]]


def expected_changes(store: Store, owners: set[str], ids: dict[str, int]) -> dict:
    wanted = {ids[o] for o in owners}
    stages = {r.id: r for r in plain(store, Stage.__table__)}
    deals = {o.id: o for o in plain(store, Opportunity.__table__)
             if o.owner_id in wanted and o.archived_at is None}
    since = START - timedelta(days=7)
    found: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    timeline = defaultdict(list)
    for h in plain(store, OpportunityHistory.__table__):
        timeline[h.opportunity_id].append(h)
    for opp_id, rows in timeline.items():
        if opp_id not in deals:
            continue
        previous = None
        for h in sorted(rows, key=lambda r: (r.changed_at, r.id)):
            if since < h.changed_at <= START:
                to, frm = stages[h.to_stage_id], stages.get(h.from_stage_id)
                kinds = []
                if frm is None:
                    kinds.append("new")
                elif frm.id != to.id:
                    kinds.append(to.kind if to.kind != "open" else
                                 "forward" if to.position > frm.position else "back")
                if previous is not None and to.kind == "open" and h.close_date > previous:
                    kinds.append("slipped")
                for kind in kinds:
                    found[kind][h.currency][0] += 1
                    found[kind][h.currency][1] += h.amount_minor
            previous = h.close_date
    return {k: {c: tuple(v) for c, v in per.items()} for k, per in found.items()}


def as_changes(summary) -> dict:
    return {c.kind: {f.currency: (f.count, f.amount_minor) for f in c.figures}
            for c in summary.changes if c.figures}


def test_every_kind_of_change_happened_last_week(data: Store) -> None:
    edge = START - timedelta(days=7)
    assert any(h.changed_at == edge and h.from_stage_id != h.to_stage_id
               for h in plain(data, OpportunityHistory.__table__))
    summary = PipelineService(data).summary(ids_of(data)["U0ADMIN"])
    assert {c.kind for c in summary.changes if c.count} == {
        "new", "forward", "back", "slipped", "won", "lost"}


def test_a_period_limits_open_deals_to_its_close_dates(data: Store) -> None:
    ids = ids_of(data)
    period, _ = find_period("this quarter", START.date())
    summary = PipelineService(data).summary(ids["U0DIR"], Scope(), period)
    stages = stage_kinds(data)
    opened = [r for r in exported(data) if stages[r["stage"]].kind == "open"
              and r["close"] in period]
    assert as_dict(summary.totals) == grouped(opened, lambda r: 1)[1]
    assert {m.key for m in summary.months} <= {"2026-10", "2026-11", "2026-12"}


def test_fiscal_quarters_follow_the_fiscal_year_start(data: Store) -> None:
    summary = PipelineService(data, fiscal_year_start=2).summary(ids_of(data)["U0ADMIN"])
    stages = stage_kinds(data)
    opened = [r for r in exported(data) if stages[r["stage"]].kind == "open"]
    assert {q.code: as_dict(q.figures) for q in summary.quarters} == grouped(
        opened, lambda r: fiscal_code(r["close"], 2))
    assert summary.closed_period.code == "2026-Q4"  # Nov 2026 - Jan 2027
    assert summary.closed_period.start == date(2026, 11, 1)


def test_an_empty_period_is_empty_not_missing(data: Store) -> None:
    summary = PipelineService(data).summary(ids_of(data)["U0ADMIN"], None, quarter(2031, 2))
    assert all(row.figures == () for row in summary.stages) and len(summary.stages) == 5
    assert summary.totals == () and summary.owners == () and summary.months == ()
    assert summary.closed.won_count == summary.closed.lost_count == 0
    assert summary.closed.win_rate is None and summary.closed.average_cycle_days is None
    lines = summary_csv(summary).splitlines()
    assert "stage,Prospecting,,0,,," in lines and "total,open pipeline,,0,,," in lines
    assert "win_rate,2031-Q2,,0,,," in lines


def test_a_rep_sees_only_their_own_pipeline(data: Store) -> None:
    ids = ids_of(data)
    service = PipelineService(data)
    with pytest.raises(NotAllowed, match="only your own pipeline; Dana West's is for"):
        service.summary(ids["U0ANA"], Scope("owner", ids["U0DANA"]))
    with pytest.raises(NotAllowed, match="Team pipelines are for managers"):
        service.summary(ids["U0ANA"], Scope("team"))
    with pytest.raises(NotAllowed, match="not in your team"):
        service.summary(ids["U0MEAST"], Scope("owner", ids["U0DANA"]))
    with data.transaction() as s:
        west = s.scalar(select(Team.id).where(Team.name == "West"))
    with pytest.raises(NotAllowed, match="West is not your team"):
        service.summary(ids["U0MEAST"], Scope("team", team_id=west))
    summary = service.summary(ids["U0MWEST"], Scope("team", team_id=west))
    assert {o.slack_id for o in summary.owners} <= set(OWNERS) - EAST
    assert service.summary(ids["U0DIR"], Scope("owner", ids["U0DANA"])).scope.label == \
        "Dana West"


def test_weighted_amounts_are_rounded_once_half_even(store: Store) -> None:
    with store.transaction() as s:
        rep = User(slack_user_id="U0R", name="Rita Rep", role="rep")
        s.add(rep)
        s.flush()
        first = s.scalar(select(Stage).where(Stage.name == "Value Proposition"))  # 50 %
        for n in range(3):  # 3 × $0.01 at 50 %: 1.5 cents → 2; per deal 0.5 → 0 each
            create_opportunity(s, name=f"Tiny {n}", owner=rep, now=START, currency="USD",
                               stage=first, amount_minor=1, close_date=date(2026, 12, 1))
        create_opportunity(s, name="Yen", owner=rep, now=START, currency="JPY", stage=first,
                           amount_minor=5, close_date=date(2026, 12, 1))  # ¥2.5 → ¥2
        rep_id = rep.id
    summary = PipelineService(store).summary(rep_id)
    usd, jpy = (next(f for f in summary.totals if f.currency == c) for c in ("USD", "JPY"))
    assert (usd.count, usd.amount, usd.weighted) == (3, Decimal("0.03"), Decimal("0.02"))
    assert (jpy.amount, jpy.weighted) == (Decimal("5"), Decimal("2"))
    assert "stage,Value Proposition,JPY,1,5,2," in summary_csv(summary).splitlines()


def test_forecast_matches_an_independent_computation(data: Store, tmp_path) -> None:
    ids = ids_of(data)
    quotas = QuotaService(data)
    quotas.set(ids["U0ADMIN"], "U0ANA", "2026-q4", Decimal("250000.50"))
    quotas.set(ids["U0ADMIN"], "U0DANA", "2026-Q4", Decimal("90000"), "EUR")
    with pytest.raises(NotAllowed):
        quotas.set(ids["U0MEAST"], "U0ANA", "2026-Q4", Decimal(1))
    file = tmp_path / "quotas.csv"
    file.write_text("user,period,amount,currency\nU0BEN,2026-Q4,1200000,JPY\n"
                    "U0FAY,2026-Q4,100000.25,\nU0FAY,2027-Q1,5,\n", encoding="utf-8")
    with file.open("rb") as stream:
        assert import_csv(data, KINDS["quotas"], stream, ImportOptions()).committed
    out = io.StringIO()
    export_csv(data, KINDS["quotas"], out)
    assert out.getvalue().splitlines() == [
        "user,period,amount,currency", "U0ANA,2026-Q4,250000.50,USD",
        "U0BEN,2026-Q4,1200000,JPY", "U0DANA,2026-Q4,90000.00,EUR",
        "U0FAY,2026-Q4,100000.25,USD", "U0FAY,2027-Q1,5.00,USD"]
    forecast = PipelineService(data).forecast(ids["U0DIR"])
    stages = stage_kinds(data)
    expected: dict = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0, None]))
    for row in exported(data):
        stage = stages[row["stage"]]
        if row["close"] not in Q4 or stage.kind == "lost":
            continue
        cell = expected[row["owner"]][row["currency"]]
        if stage.kind == "won":
            cell[3] += row["minor"]
            continue
        cell[0] += row["minor"] if stage.probability >= 90 else 0
        cell[1] += row["minor"] if stage.probability >= 50 else 0
        cell[2] += row["minor"]
    for who, currency, minor in (("U0ANA", "USD", 25000050), ("U0DANA", "EUR", 9000000),
                                 ("U0BEN", "JPY", 1200000), ("U0FAY", "USD", 10000025)):
        expected[who][currency][4] = minor
    got = {o.slack_id: {f.currency: [f.commit_minor, f.best_case_minor, f.pipeline_minor,
                                     f.won_minor, f.quota_minor] for f in o.figures}
           for o in forecast.owners}
    assert got == {k: {c: list(v) for c, v in per.items()} for k, per in expected.items()}
    totals = defaultdict(lambda: [0, 0, 0, 0, 0])
    for per in expected.values():
        for c, v in per.items():
            for n in range(4):
                totals[c][n] += v[n]
            totals[c][4] += v[4] or 0
    assert {f.currency: [f.commit_minor, f.best_case_minor, f.pipeline_minor, f.won_minor,
                         f.quota_minor or 0] for f in forecast.totals} == dict(totals)
    assert [t.name for t in forecast.teams] == ["East", "West"]
    ana = next(o for o in forecast.owners if o.slack_id == "U0ANA")
    usd = next(f for f in ana.figures if f.currency == "USD")
    assert usd.attainment == (Decimal(100 * usd.won_minor) / 25000050).quantize(Decimal("0.1"))
    east = PipelineService(data).forecast(ids["U0MEAST"])
    assert {o.slack_id for o in east.owners} <= EAST


def test_quota_import_rejects_bad_periods_and_amounts(store: Store, tmp_path) -> None:
    with store.transaction() as s:
        s.add(User(slack_user_id="U0Q", name="Quinn", role="rep"))
    file = tmp_path / "quotas.csv"
    file.write_text("user,period,amount,currency\nU0Q,2026-Q5,10,\nU0Q,2026-Q4,1.234,USD\n"
                    "U0NOBODY,2026-Q4,1,\n", encoding="utf-8")
    with file.open("rb") as stream:
        result = import_csv(store, KINDS["quotas"], stream, ImportOptions())
    assert not result.committed
    assert [p.render("q.csv") for p in result.problems.shown] == [
        "q.csv:2: period: '2026-Q5' is not a quarter (write it like 2026-Q4)",
        "q.csv:3: amount: USD amounts have 2 decimals at most",
        "q.csv:4: user: no user 'U0NOBODY' (use a Slack id, an email or a unique name)",
    ]


def test_salesbot_export_pipeline_writes_the_same_figures(data: Store, tmp_path) -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    env = {"DATABASE_URL": data.url, "SALESBOT_TIMEZONE": "UTC", "SALESBOT_CURRENCY": "USD"}
    out = tmp_path / "pipeline.csv"
    result = CliRunner().invoke(cli, ["export", "pipeline", str(out), "--period", "2026-Q4"],
                                env=env)
    assert result.exit_code == 0, result.output
    wall = Store(data.url)  # the command reads the wall clock, and so does this
    expected = summary_csv(PipelineService(wall).company_summary(Q4))
    wall.dispose()
    assert out.read_bytes().decode("utf-8") == expected
    assert expected.startswith("section,name,currency,count,amount,weighted,value\r\n")
    bad = CliRunner().invoke(cli, ["export", "pipeline", "--period", "someday"], env=env)
    assert bad.exit_code == 2 and "'someday' is not a period" in bad.output
    wrong = CliRunner().invoke(cli, ["export", "users", "--period", "2026-Q4"], env=env)
    assert wrong.exit_code == 2 and "applies to the pipeline only" in wrong.output


@pytest.mark.parametrize(("said", "label"), [
    ("forecast for the team this qtr", "Q4 2026"), ("my deals closing in jan", "January 2027"),
    ("what closed in sept", "September 2026"), ("closing march", "March 2027"),
    ("what closes this week", "the week of Nov 30, 2026"),
    ("deals closing next week", "the week of Dec 7, 2026")])
def test_periods_said_in_shorthand(said: str, label: str) -> None:
    found = find_period(said, date(2026, 12, 4))
    assert found is not None and found[0].label == label


def test_a_month_abbreviation_alone_is_no_period() -> None:
    assert find_period("jan says hi", date(2026, 12, 4)) is None  # a colleague, not January
    assert find_period("what slipped this week", date(2026, 12, 4)) is None  # changes since
