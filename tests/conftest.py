"""Shared fixtures: a real, migrated database per test (SQLite in a temp dir, or the
PostgreSQL server that DATABASE_URL points at), a manual clock, and the services."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from slack_bolt import App
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.app import create_app
from bot.chat import Chat
from bot.localslack import LocalSlack
from bot.settings import Settings
from handlers.slack.errors import GENERIC
from store.clock import ManualClock
from store.db import Store, make_engine, normalize_url
from store.migrate import upgrade
from store.models import Base, Stage, User
from store.schemas import UserView
from store.seed import DEFAULT_STAGES
from store.services import Services
from tests.block_kit import rule_breaks

# Tests never talk to a real Slack workspace, whatever the developer's shell holds.
for _name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL"):
    os.environ.pop(_name, None)

START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # a Monday afternoon


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return normalize_url(url) if url.startswith(("postgresql", "postgres")) else None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database for the session: a SQLite file, or a fresh PostgreSQL database."""
    pg = _postgres_url()
    if pg is None:
        path: Path = tmp_path_factory.mktemp("db") / "salesbot.db"
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    name = f"salesbot_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(pg)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def reset_database(store: Store) -> None:
    """Empty every table and put the default stages back, so each test starts alike."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
        now = START
        conn.execute(
            Stage.__table__.insert(),
            [{**stage, "is_active": True, "created_at": now, "updated_at": now}
             for stage in DEFAULT_STAGES],
        )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(params=["whoosh", "fts5"])
def kb_engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each knowledge-base search engine in turn (`SALESBOT_KB_ENGINE`, read by
    `KnowledgeBase` and the settings alike); modules use it with `pytestmark`."""
    monkeypatch.setenv("SALESBOT_KB_ENGINE", request.param)
    return str(request.param)


@pytest.fixture
def store(database_url: str, clock: ManualClock) -> Iterator[Store]:
    store = Store(database_url, clock)
    reset_database(store)
    yield store
    store.dispose()


@pytest.fixture
def services(store: Store) -> Services:
    return Services(store)


# -- people: the users most tests start from ------------------------------------------------


def add_users(session: Session, users: Mapping[str, tuple[str, str, str]], *,
              managers: Mapping[str, str] | None = None) -> dict[str, User]:
    """Users by the key a test calls them, from `(slack id, name, role)`, flushed so they
    have ids; `managers` maps a key to its manager's key."""
    people = {key: User(slack_user_id=slack_id, name=name, role=role)
              for key, (slack_id, name, role) in users.items()}
    session.add_all(people.values())
    session.flush()
    for key, manager in (managers or {}).items():
        people[key].manager_id = people[manager].id
    return people


@pytest.fixture
def rep(services: Services) -> UserView:
    """Ria Rep, who owns the account Acme (a few files define a `rep` of their own)."""
    rep = services.users.get_or_create("UR", name="Ria Rep")
    services.accounts.create(rep.id, "Acme")
    return rep


@pytest.fixture
def admin(services: Services) -> int:
    """The id of Priya Shah, an admin."""
    services.users.get_or_create("UADMIN", name="Priya Shah")
    return services.users.set_role("UADMIN", "admin").id


# -- the Slack side: the real Bolt app, signed requests, the local Web API stand-in --------

SIGNING_SECRET = "test-signing-secret"


@pytest.fixture
def slack() -> Iterator[LocalSlack]:
    stand_in = LocalSlack()
    yield stand_in
    stand_in.stop()
    # whatever a test made the app send, Slack would have accepted (tests/block_kit.py)
    breaks = rule_breaks(stand_in.calls)
    assert not breaks, "Slack would refuse what the app sent:\n" + "\n".join(breaks)


@pytest.fixture
def settings(database_url: str, slack: LocalSlack, tmp_path: Path) -> Settings:
    return Settings(
        DATABASE_URL=database_url, SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=slack.api_url,
        SALESBOT_INDEX_DIR=str(tmp_path / "index"), _env_file=None,
    )


@pytest.fixture
def app(settings: Settings, services: Services, clock: ManualClock) -> App:
    return create_app(settings, services, clock=clock, process_before_response=True)


@pytest.fixture
def chat(app: App, slack: LocalSlack, request: pytest.FixtureRequest) -> Iterator[Chat]:
    """The conversation harness; afterwards, no user may have seen the generic failure
    message (a listener that crashed) unless the test is marked `failure_expected`."""
    chat = Chat(app=app, slack=slack, signing_secret=SIGNING_SECRET, user="U0ANA")
    yield chat
    if request.node.get_closest_marker("failure_expected") is None:
        chat.absorb()
        crashed = [m.text for m in chat.transcript if GENERIC in m.text]
        assert not crashed, f"a listener failed during the test: {crashed}"


@pytest.fixture
def book(services: Services) -> dict[str, int]:
    """Ana Rep's book (New York): six accounts, one open deal each, one contact."""
    ana = services.users.get_or_create("U0ANA", name="Ana Rep", timezone="America/New_York")
    ids: dict[str, int] = {"ana": ana.id}
    for account, deal, stage, amount in [
        ("Acme", "Renewal", "Prospecting", 84000),
        ("Globex", "Expansion", "Value Proposition", 120000),
        ("Initech", "Platform", "Needs Analysis", 50000),
        ("Hooli", "Pilot", "Prospecting", 20000),
        ("Umbrella", "Security", "Negotiation/Review", 75000),
        ("Wayne Enterprises", "Analytics", "Proposal/Price Review", 99000),
    ]:
        services.accounts.create(ana.id, account)
        opp = services.opportunities.create(ana.id, deal, account=account, stage=stage,
                                            amount=Decimal(amount))
        ids[account.split()[0].lower()] = opp.id
    services.contacts.create(ana.id, "Jane Roe", account="Globex", email="jane@globex.test")
    return ids
