"""`salesbot import` / `salesbot export`: round trips, idempotent re-imports, bad files,
Salesforce reports, column and stage mapping, money, dates and owners (INTERFACES.md)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from bot.cli import cli
from store.db import Store
from store.models import (
    Activity,
    Contract,
    Opportunity,
    OpportunityHistory,
    Product,
    Stage,
    User,
)
from store.services import Services
from store.services.people.users import ensure_team
from tests.conftest import reset_database

KINDS = ("users", "accounts", "contacts", "products", "opportunities", "contracts", "activities")
OPP_HEADER = "name,account,owner,stage,amount,currency,close_date,next_step\n"

Run = Callable[..., Result]


@pytest.fixture
def salesbot(database_url: str, store: Store) -> Run:
    """Run the real command line against the test database (reset by `store`)."""

    def run(*args: str, input: str | None = None, **env: str) -> Result:
        environment = {"DATABASE_URL": database_url, "SALESBOT_CURRENCY": "USD",
                       "SALESBOT_TIMEZONE": "UTC", **env}
        return CliRunner().invoke(cli, list(args), input=input, env=environment)

    return run


def write(tmp_path: Path, name: str, text: str, *, bom: bool = False) -> str:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return str(path)


def count(store: Store, model: type) -> int:
    with store.transaction() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def errors(result: Result) -> list[str]:
    return result.stderr.splitlines()


@pytest.fixture
def team(services: Services, store: Store):
    """Ann (rep, New York) reports to Bea (manager); Lee has a comma in the name."""
    boss = services.users.get_or_create("U03BOSS", name="Bea Boss", email="bea@example.com",
                                        timezone="Europe/Paris")
    services.users.set_role("U03BOSS", "manager")
    ann = services.users.get_or_create("U01ANN", name="Ann Rep", email="ann@example.com",
                                       timezone="America/New_York")
    lee = services.users.get_or_create("U02LEE", name="Lee, Kim")
    with store.transaction() as s:
        east = ensure_team(s, "East")
        s.get(User, ann.id).manager_id = boss.id
        s.get(User, ann.id).team_id = east.id
        s.get(User, boss.id).team_id = east.id
    services.accounts.create(ann.id, "Acme", domain="acme.example", industry="Manufacturing",
                             employees=120)
    services.accounts.create(lee.id, "O’Reilly & Sons")
    services.accounts.create(ann.id, "Zürich Re")
    return ann, lee


@pytest.fixture
def everything(services: Services, store: Store, team) -> None:
    """One or more records of every kind, with the awkward cases each kind has."""
    ann, lee = team
    carl = services.contacts.create(ann.id, "Carl Contact", account="Acme",
                                    email="carl@acme.example", phone="+1 555 0100", title="CTO")
    services.contacts.create(ann.id, "Dana NoEmail", account="Zürich Re")
    eve = services.contacts.create(lee.id, "Eve Loner")
    renewal = services.opportunities.create(
        ann.id, "Renewal", account="Acme", amount=Decimal("84000"), close_date=date(2026, 12, 31),
        next_step='call "Carl", then\nsend the quote')
    services.opportunities.update(ann.id, renewal.id, probability=35)
    services.opportunities.create(ann.id, "Expansion", account="Acme", amount=Decimal("1200"),
                                  currency="JPY", stage="Closed Won")
    lost = services.opportunities.create(lee.id, "Lost one", account="O’Reilly & Sons", amount=5)
    services.opportunities.move_stage(lee.id, lost.id, "Closed Lost",
                                      lost_reason="went with a competitor")
    services.opportunities.create(lee.id, "No account deal", amount=Decimal("10.50"))
    with store.transaction() as s:
        acme = services.accounts.get("acme")
        s.add_all([
            Product(sku="SKU-1", name="Widget, large", list_price_minor=9900, currency="USD"),
            Product(sku="SKU-JP", name="Gadget", list_price_minor=1200, currency="JPY"),
            Contract(account_id=acme.id, name="MSA 2026", value_minor=8_400_000, currency="USD",
                     start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), owner_id=ann.id),
            Contract(account_id=services.accounts.get("Zürich Re").id, name="Support",
                     value_minor=50_000, currency="USD", start_date=date(2026, 3, 1),
                     end_date=date(2027, 2, 28)),
        ])
    at = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    services.activities.log(ann.id, kind="call", subject="pricing call",
                            opportunity_id=renewal.id, occurred_at=at)
    services.activities.log(ann.id, kind="meeting", subject="kickoff",
                            account_id=acme.id, occurred_at=at.replace(microsecond=123456),
                            follow_up_at=at + timedelta(days=7))
    done = services.activities.log(ann.id, kind="task", subject="send deck", account_id=acme.id,
                                   occurred_at=at, follow_up_at=at + timedelta(days=1))
    services.activities.set_follow_up_done(ann.id, done.id)
    services.activities.log(lee.id, kind="email", subject="intro", contact_id=eve.id,
                            occurred_at=at)
    services.activities.log(ann.id, kind="note", subject="met Carl", contact_id=carl.id,
                            occurred_at=at)


@pytest.mark.parametrize("kind", KINDS)
def test_export_imports_into_an_empty_database_and_exports_the_same_bytes(
    kind: str, salesbot: Run, store: Store, tmp_path: Path, everything: None,
) -> None:
    exported = {}
    for each in KINDS:
        result = salesbot("export", each)
        assert result.exit_code == 0, result.stderr
        exported[each] = result.stdout_bytes
    reset_database(store)
    for each in KINDS[:KINDS.index(kind) + 1]:
        path = tmp_path / f"{each}.csv"
        path.write_bytes(exported[each])
        result = salesbot("import", each, str(path))
        assert result.exit_code == 0, result.stderr
    again = salesbot("export", kind, str(tmp_path / "again.csv"))
    assert again.exit_code == 0 and again.stdout == ""
    assert (tmp_path / "again.csv").read_bytes() == exported[kind]
    assert exported[kind].count(b"\r\n") >= 2 and not exported[kind].startswith(b"\xef\xbb\xbf")

    before = {model: count(store, model) for model in (User, OpportunityHistory, Activity)}
    repeat = salesbot("import", kind, str(tmp_path / f"{kind}.csv"))
    assert repeat.exit_code == 0, repeat.stderr
    assert "(0 new, 0 updated, " in repeat.stdout and "unchanged" in repeat.stdout
    assert {model: count(store, model) for model in before} == before
    assert salesbot("export", kind).stdout_bytes == exported[kind]


def test_exports_write_canonical_values(salesbot: Run, everything: None) -> None:
    opportunities = salesbot("export", "opportunities").stdout.splitlines()
    assert opportunities[0] == ("name,account,owner,stage,amount,currency,close_date,next_step,"
                                "probability,lost_reason")
    # created without a close date: expected a month out (DEFAULT_CLOSE_DAYS)
    assert opportunities[1] == "No account deal,,U02LEE,Prospecting,10.50,USD,2026-12-23,,10,"
    assert "Expansion,Acme,U01ANN,Closed Won,1200,JPY,2026-11-23,,100," in opportunities
    assert "Renewal,Acme,U01ANN,Prospecting,84000.00,USD,2026-12-31,\"call \"\"Carl\"\", then" \
        in opportunities
    assert "Lost one,O’Reilly & Sons,U02LEE,Closed Lost,5.00,USD,2026-11-23,,0," \
           "went with a competitor" in opportunities
    activities = salesbot("export", "activities").stdout.splitlines()
    assert "call,pricing call,Acme,Renewal,,U01ANN,2026-11-20T15:00:00Z,,true" in activities
    assert ("meeting,kickoff,Acme,,,U01ANN,2026-11-20T15:00:00.123456Z,"
            "2026-11-27T15:00:00Z,false") in activities
    assert "note,met Carl,Acme,,carl@acme.example,U01ANN,2026-11-20T15:00:00Z,,true" in activities
    users = salesbot("export", "users").stdout.splitlines()
    assert users[1:] == ["U01ANN,Ann Rep,ann@example.com,rep,East,U03BOSS,America/New_York",
                         'U02LEE,"Lee, Kim",,rep,,,', "U03BOSS,Bea Boss,bea@example.com,manager,"
                         "East,,Europe/Paris"]


def test_new_opportunities_get_one_import_history_row_and_updates_go_through_history(
    salesbot: Run, store: Store, tmp_path: Path, team,
) -> None:
    first = write(tmp_path, "a.csv", OPP_HEADER + "Renewal,Acme,U01ANN,,84000.00,,2026-12-31,\n"
                  "Pilot,Zürich Re,ann@example.com,Needs Analysis,1200,JPY,2026-12-01,\n")
    assert salesbot("import", "opportunities", first).stdout == \
        "imported 2 opportunities (2 new, 0 updated)\n"
    with store.transaction() as s:
        rows = s.execute(select(OpportunityHistory.source, OpportunityHistory.from_stage_id,
                                OpportunityHistory.amount_minor, Stage.name)
                         .join(Stage, OpportunityHistory.to_stage_id == Stage.id)
                         .order_by(OpportunityHistory.opportunity_id)).all()
    assert rows == [("import", None, 8_400_000, "Prospecting"),
                    ("import", None, 1200, "Needs Analysis")]
    moved = write(tmp_path, "b.csv", OPP_HEADER + "Renewal,ACME,U01ANN,value proposition,"
                  "84000.00,,2026-12-31,demo\n")
    result = salesbot("import", "opportunities", moved)
    assert result.stdout == "imported 1 opportunity (0 new, 1 updated)\n"
    with store.transaction() as s:
        last = s.scalars(select(OpportunityHistory).order_by(OpportunityHistory.id.desc())).first()
        deal = s.scalar(select(Opportunity).where(Opportunity.name == "Renewal"))
        moved_from = s.get(Stage, last.from_stage_id).name
        assert (last.source, moved_from, deal.probability, deal.next_step) == \
               ("import", "Prospecting", 50, "demo")
    assert count(store, OpportunityHistory) == 3


BAD_OPPORTUNITIES = (
    OPP_HEADER
    + 'Good,Acme,U01ANN,Prospecting,100.00,USD,2026-12-01,"two\nlines"\n'
    + "Bad date,Acme,U01ANN,Prospecting,100,,2026-13-01,\n"
    + "Bad stage,Acme,U01ANN,Dreaming,100,,2026-12-01,\n"
    + '"Negative\r\namount",Acme,U01ANN,Prospecting,-5,,2026-12-01,\n'
    + "Nobody,Acme,U99NOBODY,Prospecting,5,,2026-12-01,\n"
    + "Lost account,Initech,U01ANN,Prospecting,5,,2026-12-01,\n"
    + "\n"
    + "Also good,,ann@example.com,,,,,\n"
)


def _expected_bad_lines(path: str) -> list[str]:
    return [
        f"{path}:4: close_date: '2026-13-01' is not a date on the calendar",
        f"{path}:5: stage: no stage 'Dreaming' (the stages are Prospecting, Needs Analysis, "
        "Value Proposition, Proposal/Price Review, Negotiation/Review, Closed Won, Closed Lost; "
        "--stage-map maps others)",
        f"{path}:6: amount: an amount can't be negative",
        f"{path}:8: owner: no user 'U99NOBODY' (use a Slack id, an email or a unique name)",
        f"{path}:9: account: no account called 'Initech'; import accounts first",
    ]


def test_a_bad_file_reports_every_bad_row_by_line_and_writes_nothing(
    salesbot: Run, store: Store, tmp_path: Path, team,
) -> None:
    path = write(tmp_path, "bad.csv", BAD_OPPORTUNITIES)
    result = salesbot("import", "opportunities", path)
    assert result.exit_code == 1
    assert errors(result) == _expected_bad_lines(path)
    assert result.stdout == "nothing imported: 5 errors (--skip-bad imports the good rows)\n"
    assert count(store, Opportunity) == 0 and count(store, OpportunityHistory) == 0


def test_skip_bad_writes_the_good_rows_and_reports_the_rest(
    salesbot: Run, store: Store, tmp_path: Path, team,
) -> None:
    path = write(tmp_path, "bad.csv", BAD_OPPORTUNITIES)
    result = salesbot("import", "opportunities", path, "--skip-bad")
    assert result.exit_code == 0
    assert errors(result) == _expected_bad_lines(path)
    assert result.stdout == "imported 2 opportunities (2 new, 0 updated); skipped 5 bad rows\n"
    with store.transaction() as s:
        deals = {o.name: o for o in s.scalars(select(Opportunity))}
        assert deals["Good"].next_step == "two\nlines"
        assert deals["Also good"].amount_minor == 0 and deals["Also good"].account_id is None
        # the command runs on the system clock: a blank close date is today for the owner
        assert deals["Also good"].close_date == datetime.now(ZoneInfo("America/New_York")).date()
    assert count(store, OpportunityHistory) == 2


def test_at_most_fifty_errors_are_printed_then_a_count(
    salesbot: Run, tmp_path: Path, team,
) -> None:
    rows = "".join(f"Deal {n},Acme,U01ANN,,{-n},,,\n" for n in range(1, 61))
    result = salesbot("import", "opportunities", write(tmp_path, "many.csv", OPP_HEADER + rows))
    lines = errors(result)
    assert result.exit_code == 1 and len(lines) == 51
    assert lines[0].endswith("many.csv:2: amount: an amount can't be negative")
    assert lines[-1] == "… and 10 more errors"


SALESFORCE_REPORT = (
    "Opportunity Name,Account Name,Stage,Amount,Close Date,Opportunity Owner,Probability (%),"
    "Next Step\n"
    "Renewal,Acme,Qualification,\"84,000.00\",12/31/2026,Ann Rep,10,call\n"
    "Pilot,Zürich Re,Id. Decision Makers,1200,1/5/2027,Ann Rep,55,\n"
    "Audit,Acme,Perception Analysis,0,01/15/2027,Lee, Kim,50,\n"
    "Upsell,Acme,Proposal/Price Quote,10,02/01/2027,Ann Rep,75,\n"
    "Other,Acme,Needs Work,10,02/01/2027,Ann Rep,,\n"
    '\n""\n"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
    '"Confidential Information - Do Not Distribute"\n'
)


def test_a_salesforce_report_imports_with_its_dates_and_stage_names(
    salesbot: Run, store: Store, tmp_path: Path, team,
) -> None:
    report = SALESFORCE_REPORT.replace("Lee, Kim", '"Lee, Kim"')
    path = write(tmp_path, "report.csv", report, bom=True)
    refused = salesbot("import", "opportunities", path)
    assert refused.exit_code == 1
    assert errors(refused) == [f"{path}:6: Stage: no stage 'Needs Work' (the stages are "
                               "Prospecting, Needs Analysis, Value Proposition, Proposal/Price "
                               "Review, Negotiation/Review, Closed Won, Closed Lost; --stage-map "
                               "maps others)"]
    result = salesbot("import", "opportunities", path, "--stage-map", "Needs Work=needs analysis")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "imported 5 opportunities (5 new, 0 updated)\n"
    with store.transaction() as s:
        deals = {o.name: (o.stage.name, o.amount_minor, o.close_date, o.probability,
                          o.probability_overridden) for o in s.scalars(select(Opportunity))}
    assert deals == {
        "Renewal": ("Prospecting", 8_400_000, date(2026, 12, 31), 10, False),
        "Pilot": ("Value Proposition", 120_000, date(2027, 1, 5), 55, True),
        "Audit": ("Value Proposition", 0, date(2027, 1, 15), 50, False),
        "Upsell": ("Proposal/Price Review", 1000, date(2027, 2, 1), 75, False),
        "Other": ("Needs Analysis", 1000, date(2027, 2, 1), 20, False),
    }
    assert count(store, OpportunityHistory) == 5
    stray = write(tmp_path, "stray.csv", report.replace("Upsell,", "Stray\nUpsell,"))
    stage_map = ("--stage-map", "Needs Work=Needs Analysis")
    assert errors(salesbot("import", "opportunities", stray, *stage_map)) == [
        f"{stray}:5: Account Name: missing; the row has 1 cell, the header 8"]


def test_map_names_an_unknown_column_or_ignores_it(
    salesbot: Run, store: Store, tmp_path: Path, team,
) -> None:
    path = write(tmp_path, "deals.csv", "Deal,Account,Owner,Notes\nRenewal,Acme,U01ANN,hi\n")
    refused = salesbot("import", "opportunities", path)
    assert refused.exit_code == 1
    assert errors(refused)[0].startswith(f"{path}:1: Deal: unknown column (use --map 'Deal=")
    assert errors(refused)[1].startswith(f"{path}:1: Notes: unknown column")
    assert f"{path}:1: name: missing column" in errors(refused)
    result = salesbot("import", "opportunities", path, "--map", "Deal=name", "--map", "notes=-")
    assert result.exit_code == 0, result.stderr
    assert count(store, Opportunity) == 1


@pytest.mark.parametrize("args", [
    ("import", "widgets", "x.csv"),
    ("export", "widgets"),
    ("import", "opportunities", "{path}", "--map", "Deal=bogus"),
    ("import", "opportunities", "{path}", "--map", "nonsense"),
    ("import", "opportunities", "{path}", "--map", "Missing=name"),
    ("import", "accounts", "{path}", "--stage-map", "A=Prospecting"),
    ("import", "opportunities", "{path}", "--stage-map", "A=Nowhere"),
])
def test_usage_errors_exit_2(salesbot: Run, tmp_path: Path, args: tuple[str, ...]) -> None:
    path = write(tmp_path, "deals.csv", "name,owner\nRenewal,U01ANN\n")
    result = salesbot(*(arg.format(path=path) for arg in args))
    assert result.exit_code == 2, result.output


def test_a_missing_file_is_refused_with_exit_1(salesbot: Run, tmp_path: Path) -> None:
    result = salesbot("import", "users", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1 and "nope.csv" in result.stderr


def test_money_uses_the_currency_decimals_and_the_default_currency(
    salesbot: Run, store: Store, tmp_path: Path, team,
) -> None:
    path = write(tmp_path, "money.csv", OPP_HEADER
                 + "A,Acme,U01ANN,,84000.00,usd,,\nB,Acme,U01ANN,,1200,JPY,,\n"
                 + "C,Acme,U01ANN,,99.5,,,\nD,Acme,U01ANN,,1200.50,JPY,,\n"
                 + "E,Acme,U01ANN,,12,XYZ,,\nF,Acme,U01ANN,,1.001,,,\n")
    result = salesbot("import", "opportunities", path, "--skip-bad", SALESBOT_CURRENCY="EUR")
    assert errors(result) == [
        f"{path}:5: amount: JPY amounts have 0 decimals at most",
        f"{path}:6: currency: 'XYZ' is not a currency code (try USD, EUR, JPY)",
        f"{path}:7: amount: EUR amounts have 2 decimals at most",
    ]
    with store.transaction() as s:
        amounts = dict(s.execute(select(Opportunity.name, Opportunity.currency)).all())
        minor = dict(s.execute(select(Opportunity.name, Opportunity.amount_minor)).all())
    assert amounts == {"A": "USD", "B": "JPY", "C": "EUR"}
    assert minor == {"A": 8_400_000, "B": 1200, "C": 9950}


def test_date_times_read_offsets_and_naive_times_in_the_configured_zone(
    salesbot: Run, tmp_path: Path, team,
) -> None:
    path = write(tmp_path, "activities.csv",
                 "kind,subject,account,owner,occurred_at,follow_up_at\n"
                 "call,offset,Acme,U01ANN,2026-11-20T16:00:00+01:00,\n"
                 "call,naive,Acme,U01ANN,2026-11-20 10:00,2026-11-21T09:00\n"
                 "call,zulu,Acme,ann@example.com,2026-11-20T15:00:00Z,\n"
                 "call,broken,Acme,U01ANN,20th of November,\n"
                 "call,nowhere,,U01ANN,2026-11-20T15:00:00Z,\n")
    result = salesbot("import", "activities", path, "--skip-bad",
                      SALESBOT_TIMEZONE="America/New_York")
    assert errors(result) == [
        f"{path}:5: occurred_at: '20th of November' is not a date-time "
        "(write it like 2026-11-20T15:00:00Z)",
        f"{path}:6: account: say which account, contact or opportunity this is about",
    ]
    exported = salesbot("export", "activities").stdout.splitlines()
    assert exported[1:] == [
        "call,naive,Acme,,,U01ANN,2026-11-20T15:00:00Z,2026-11-21T14:00:00Z,false",
        "call,offset,Acme,,,U01ANN,2026-11-20T15:00:00Z,,true",
        "call,zulu,Acme,,,U01ANN,2026-11-20T15:00:00Z,,true",
    ]


def test_owners_export_as_slack_ids_and_import_by_email_or_unique_name(
    salesbot: Run, tmp_path: Path, team,
) -> None:
    path = write(tmp_path, "accounts.csv", "owner,name\nann@example.com,Initech\n"
                 '"Lee, Kim",Hooli\nBea Boss,Umbrella\nnobody@example.com,Stark\n')
    result = salesbot("import", "accounts", path, "--skip-bad")
    assert errors(result) == [f"{path}:5: owner: no user 'nobody@example.com' "
                              "(use a Slack id, an email or a unique name)"]
    exported = salesbot("export", "accounts").stdout.splitlines()
    assert {"Initech,,,,U01ANN", "Hooli,,,,U02LEE", "Umbrella,,,,U03BOSS"} <= set(exported)


def test_users_may_name_a_manager_defined_later_in_the_file(
    salesbot: Run, store: Store, tmp_path: Path,
) -> None:
    path = write(tmp_path, "users.csv", "slack_id,name,manager,role,team\n"
                 "U1,Ann,U2,,East\nU2,Bea,U3,manager,East\nU3,Cy,,director,\nU4,Dee,U9,,\n")
    refused = salesbot("import", "users", path)
    assert errors(refused) == [f"{path}:5: manager: no user 'U9' in the store or the file"]
    assert count(store, User) == 0
    result = salesbot("import", "users", path, "--skip-bad")
    assert result.stdout == "imported 3 users (3 new, 0 updated); skipped 1 bad row\n"
    with store.transaction() as s:
        managers = {u.slack_user_id: u.manager.slack_user_id if u.manager else None
                    for u in s.scalars(select(User))}
    assert managers == {"U1": "U2", "U2": "U3", "U3": None}
    selfish = write(tmp_path, "self.csv", "slack_id,name,email,manager\n"
                    "U5,Eve,eve@example.com,eve@example.com\n")
    assert errors(salesbot("import", "users", selfish)) == [
        f"{selfish}:2: manager: a user can't be their own manager"]


def test_a_progress_bar_shows_only_when_stderr_is_a_terminal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    from bot import cli_transfer

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    path = write(tmp_path, "users.csv", "slack_id\nU1\n")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with cli_transfer._progress(path, "importing users") as advance:
        assert advance is not None
        advance(len("slack_id\nU1\n"))
    assert "importing users" in terminal.getvalue()
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with cli_transfer._progress(path, "importing users") as advance:
        assert advance is None


def test_short_rows_and_unreadable_files_are_reported(
    salesbot: Run, tmp_path: Path, team,
) -> None:
    path = write(tmp_path, "short.csv", "sku,name,list_price,\nA,Thing\nB,Other,1,,extra\n"
                 '\n\nC,"Multi\nline",1,\nD,After blanks,-1\nE,Nameless,1,oops\n')
    result = salesbot("import", "products", path)
    assert errors(result) == [
        f"{path}:2: list_price: missing; the row has 2 cells, the header 4",
        f"{path}:3: -: the row has 5 cells, the header 4",
        f"{path}:8: list_price: an amount can't be negative",
        f"{path}:9: -: a value under a column without a name",
    ]
    latin = tmp_path / "latin.csv"
    latin.write_bytes("sku,name,list_price\nA,Caf\xe9,1\n".encode("latin-1"))
    result = salesbot("import", "products", str(latin))
    assert result.exit_code == 1 and "not UTF-8" in result.stderr


def test_contracts_and_products_validate_their_values(
    salesbot: Run, store: Store, tmp_path: Path, team,
) -> None:
    path = write(tmp_path, "contracts.csv", "account,name,value,start_date,end_date,owner\n"
                 "Acme,MSA,100.00,2026-01-01,2026-12-31,U01ANN\n"
                 "Acme,Backwards,1,2026-12-31,2026-01-01,\n"
                 "Nowhere,MSA,1,2026-01-01,2026-12-31,\n")
    result = salesbot("import", "contracts", path, "--skip-bad")
    assert errors(result) == [
        f"{path}:3: end_date: a contract can't end before it starts",
        f"{path}:4: account: no account called 'Nowhere'; import accounts first",
    ]
    assert count(store, Contract) == 1
