"""What `serve` does before it listens, so that its first request costs what a warm one does.

A process's first request used to pay for everything done once: configuring the ORM's
mappers, opening a database connection, reading the name directory, loading the locale
data that dates and amounts are formatted with, and Bolt's `auth.test` (its authorization
step asks once per process). Each step here is read-only and answers from the database or
Slack the way the first request would; a step that fails is logged and left to that first
request, as before, so warming never stops `serve` from starting.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from slack_bolt import App
from sqlalchemy import text

from handlers.deps import Deps

log = logging.getLogger(__name__)


def _mappers() -> None:
    from sqlalchemy.orm import configure_mappers

    import store.models  # noqa: F401  (every model, so every relationship resolves)

    configure_mappers()


def _database(deps: Deps) -> Callable[[], None]:
    def step() -> None:
        with deps.services.store.engine.connect() as connection:  # pooled, PRAGMAs done
            connection.execute(text("SELECT 1"))
        deps.services.users.find("U0WARMUP0")  # the look-up every request starts with
    return step


def _directory(deps: Deps) -> Callable[[], None]:
    def step() -> None:
        directory = deps.directory
        directory.name_rows()
        directory.users()
        directory.stages()
        someone = next((u for u in deps.services.users.list() if u.is_active), None)
        if someone is None:  # an empty database: nothing a request could read yet
            return
        directory.accounts(someone.id)
        directory.contacts(someone.id)
        deals = directory.open_deals(someone.id)
        if deals:  # a deal card: the reading most first requests do
            deps.services.opportunities.get(someone.id, deals[0].id)
    return step


def _formatting() -> None:
    from handlers.slack.text import day, local_time, money, short_money

    now = datetime.now(UTC)
    day(now.date())
    local_time(now, "UTC")
    money(Decimal("1.00"), "USD")
    short_money(Decimal("1"), "USD")


def _slack_authorization(app: App) -> Callable[[], None]:
    """Bolt's single-workspace authorization calls `auth.test` on the first request and
    keeps the answer; ask now and hand it the answer."""
    from slack_bolt.middleware.authorization.single_team_authorization import (
        SingleTeamAuthorization,
    )

    def step() -> None:
        for middleware in app._middleware_list:  # Bolt's own list, in its order
            if isinstance(middleware, SingleTeamAuthorization) and not (
                    middleware.auth_test_result):
                middleware.auth_test_result = app.client.auth_test()
    return step


def warm_up(app: App, deps: Deps) -> dict[str, float]:
    """Run each step; returns the seconds each took (for the start-up log line)."""
    steps: dict[str, Callable[[], None]] = {
        "mappers": _mappers,
        "database": _database(deps),
        "directory": _directory(deps),
        "formatting": _formatting,
        "slack auth.test": _slack_authorization(app),
    }
    took: dict[str, float] = {}
    for name, step in steps.items():
        began = time.perf_counter()
        try:
            step()
        except Exception as exc:  # the first request will do it; never stop serving for this
            log.warning("warming up (%s) failed (%s: %s); the first request will do it",
                        name, type(exc).__name__, exc)
        took[name] = round(time.perf_counter() - began, 3)
    return took
