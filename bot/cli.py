"""The `salesbot` command line (click).

Exit codes (docs/INTERFACES.md): 0 done; 1 the command ran and refused; 2 usage error.
Errors go to stderr, one per line.
"""

from __future__ import annotations

import importlib
import logging
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli_common import EXIT_REFUSED, EXIT_USAGE, fail
from store.errors import StoreError
from store.roles import REP

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.reminders import ReminderRunner
    from bot.settings import Settings
    from store.db import Store
    from store.services import Services

# Start-up cost: `import bot.cli` imports click and little else. Settings (pydantic), the
# store (SQLAlchemy, Alembic), the index (whoosh), Bolt and the import/export rules are
# imported by the commands that use them, and the command groups that live in their own
# modules are registered when they are named (or listed by --help), see `_LazyGroup`.


class Context:
    """Lazily built settings and store, so `--help` never touches the database."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._store: Store | None = None
        self._services: Services | None = None

    @property
    def settings(self) -> Settings:
        from pydantic import ValidationError

        from bot.settings import Settings

        if self._settings is None:
            try:
                self._settings = Settings()
            except ValidationError as exc:
                for error in exc.errors():
                    field = ".".join(str(p) for p in error["loc"]) or "settings"
                    click.echo(f"settings: {field}: {error['msg']}", err=True)
                sys.exit(EXIT_USAGE)
        return self._settings

    def services(self) -> Services:
        """Services built from settings (the approval policy is validated here)."""
        from bot.wiring import build_services
        from store.config_files import PolicyError

        if self._services is None:
            try:
                self._services = build_services(self.settings, self.store())
            except PolicyError as exc:
                click.echo(str(exc), err=True)
                sys.exit(EXIT_REFUSED)
        return self._services

    def store(self) -> Store:
        """The store, migrated to the latest schema (an empty database is upgraded here)."""
        from store.clock import SystemClock
        from store.db import Store
        from store.migrate import upgrade

        if self._store is None:
            self._store = Store(self.settings.database_url, SystemClock())
            upgrade(self._store.engine)
        return self._store


pass_context = click.make_pass_decorator(Context, ensure=True)


# command name → the module whose `register(cli, pass_context)` adds it
_LAZY_COMMANDS = {"import": "bot.cli_transfer", "export": "bot.cli_transfer", "kb": "bot.cli_kb",
                  "quotes": "bot.cli_quotes"}

# What `salesbot --help` says of each lazily registered command, so listing them never
# imports their module (the CSV rules would bring in SQLAlchemy and every model). Each is
# the command's own docstring; tests/test_startup.py checks the two never drift apart.
_LAZY_HELP = {
    "import": "Import KIND records from the CSV FILE: all rows or none, unless --skip-bad.",
    "export": "Export every KIND record as CSV to FILE (stdout when FILE is '-' or left out).",
    "kb": "Knowledge base: import articles, rebuild the index, search.",
    "quotes": "Quote documents.",
}


class _LazyGroup(click.Group):
    """Registers a command group kept in its own module only when it is named, so
    `salesbot kb search` never imports the CSV rules and `salesbot --help` imports
    neither (it lists them from `_LAZY_HELP`)."""

    def _load(self, module: str) -> None:
        names = [n for n, m in _LAZY_COMMANDS.items() if m == module]
        if not all(n in self.commands for n in names):
            importlib.import_module(module).register(self, pass_context)

    _listing = False

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _LAZY_COMMANDS:
            if self._listing:  # a stand-in that only says what the command is for
                return click.Command(cmd_name, help=_LAZY_HELP[cmd_name])
            self._load(_LAZY_COMMANDS[cmd_name])
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_LAZY_COMMANDS})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """salesbot: a conversational sales assistant that lives in Slack."""
    ctx.ensure_object(Context)


@cli.group()
def db() -> None:
    """Database schema and maintenance."""


@db.command("upgrade")
@pass_context
def db_upgrade(context: Context) -> None:
    """Apply every pending migration (safe to run from several processes at once)."""
    context.store()
    click.echo("database is up to date")


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_context
def db_backup(context: Context, file: Path) -> None:
    """Copy the database to FILE (SQLite online backup; PostgreSQL: see pg_dump)."""
    from store.backup import backup

    context.store()
    try:
        size = backup(context.settings.database_url, file)
    except StoreError as exc:
        fail(str(exc))
        return
    click.echo(f"backed up to {file} ({size:,} bytes)")


@cli.group()
def contacts() -> None:
    """Personal data of contacts (export, forget)."""


@contacts.command("export")
@click.argument("email")
@pass_context
def contacts_export(context: Context, email: str) -> None:
    """Print, as JSON, everything held about the contact with EMAIL."""
    import json

    from store.services.people.privacy import PrivacyService

    try:
        data = PrivacyService(context.store()).export(email)
    except StoreError as exc:
        fail(str(exc))
        return
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@contacts.command("forget")
@click.argument("email")
@pass_context
def contacts_forget(context: Context, email: str) -> None:
    """Erase the contact with EMAIL and every mention of them; keeps anonymised counts."""
    from store.services.people.privacy import PrivacyService

    try:
        counts = PrivacyService(context.store()).forget(email)
    except StoreError as exc:
        fail(str(exc))
        return
    click.echo(f"forgotten: {counts['contacts']} contact(s), {counts['activities']} "
               f"activities anonymised, {counts['fields']} other mentions erased")


@cli.group()
def users() -> None:
    """People: roles, managers, teams."""


@users.command("set-role")
@click.argument("user")
@click.argument("role")
@pass_context
def users_set_role(context: Context, user: str, role: str) -> None:
    """Give USER (Slack id, email or unique name) ROLE (rep, manager, director, finance, admin).

    A Slack id not seen before is created, so the first admin can be made before they
    ever talk to the bot.
    """
    services = context.services()
    try:
        if user.startswith(("U", "W")) and user.isalnum() and services.users.find(user) is None:
            services.users.get_or_create(user)
        view = services.users.set_role(user, role)
    except StoreError as exc:
        fail(str(exc))
        return
    click.echo(f"{view.name} ({view.slack_user_id}) is now {view.role}")


def _open_shell(context: Context, user: str, json_mode: bool) -> None:
    from bot.shell import Shell

    context.store()  # migrated before the shell opens its own connections
    shell = Shell(context.settings, user=user, json_mode=json_mode)
    try:
        shell.run()
    finally:
        shell.close()


@cli.command()
@click.option("--as", "as_user", default=None, help="Slack id or name to talk as.")
@click.option("--json", "json_mode", is_flag=True, help="Print every Web API call as JSON.")
@pass_context
def shell(context: Context, as_user: str | None, json_mode: bool) -> None:
    """Chat with the bot in the terminal, on whatever database is configured."""
    services = context.services()
    users = services.users.list()
    if as_user is None:
        if not users:
            fail("There are no users yet: run `salesbot demo`, or import users first.")
        as_user = next((u for u in users if u.role == REP), users[0]).slack_user_id
    elif services.users.find(as_user) is None:
        fail(f"There is no user {as_user!r}.")
    _open_shell(context, as_user, json_mode)


@cli.command()
@click.option("--reset", is_flag=True, help="Start over with fresh demo data.")
@click.option("--json", "json_mode", is_flag=True, help="Print every Web API call as JSON.")
@pass_context
def demo(context: Context, reset: bool, json_mode: bool) -> None:
    """Open the demo: demo data in ./salesbot.db and a chat as the team's first rep."""
    from store.demo import PEOPLE, is_empty, load_demo

    store = context.store()
    if reset:
        from store.demo import reset_all

        reset_all(store)
    if is_empty(store):
        from knowledge.starter import load_starter_articles

        counts = load_demo(store, currency=context.settings.currency)
        starter = load_starter_articles(store)
        counts["knowledge-base articles"] = starter.total if starter else 0
        if not json_mode:
            summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
            click.echo(f"Demo data loaded into {context.settings.database_url}: {summary}.")
    _open_shell(context, PEOPLE[0][0], json_mode)


@cli.command()
@click.option("--port", default=3000, show_default=True, help="HTTP port (not in Socket Mode).")
@click.option("--host", default="0.0.0.0", show_default=True, help="Interface to listen on.")
@click.option("--threads", default=8, show_default=True, help="Request worker threads.")
@click.option("--no-scheduler", is_flag=True, help="Don't run reminders in this process.")
@pass_context
def serve(context: Context, port: int, host: str, threads: int, no_scheduler: bool) -> None:
    """Run the bot against Slack: Socket Mode with SLACK_APP_TOKEN, else HTTP."""
    from bot.app import create_app, make_deps
    from bot.logs import configure_logging
    from bot.reminders import ReminderRunner
    from bot.scheduler import start_background
    from bot.serve import serve_http, serve_socket_mode
    from bot.slack_client import web_client
    from bot.warmup import warm_up
    from handlers.slack.resume import RESUME_SECONDS, resume_events

    settings = context.settings
    configure_logging(settings.log_format)
    if settings.slack_bot_token is None or settings.slack_signing_secret is None:
        fail("Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see README: Running in production).")
    store = context.store()
    services = context.services()
    deps = make_deps(settings, services)
    app = create_app(settings, services, deps=deps,
                     listener_threads=settings.listener_threads or threads * 2)
    # before listening, so the first request costs what a warm one does (bot/warmup.py)
    took = warm_up(app, deps)
    logging.getLogger(__name__).info("warmed up in %.2f s (%s)", sum(took.values()),
                                     ", ".join(f"{k} {v:.2f} s" for k, v in took.items()))
    _warm_index(settings, store)
    resume = partial(resume_events, app, services.events, parallel=threads)
    _resume_at_start_up(resume)
    scheduler = start_background(
        None if no_scheduler else ReminderRunner(services, web_client(settings), store.clock,
                                                 settings.timezone),
        resume=resume, resume_seconds=RESUME_SECONDS)
    try:
        if settings.slack_app_token is not None:
            serve_socket_mode(app, settings.slack_app_token.get_secret_value())
        else:
            serve_http(app, store, host=host, port=port, threads=threads,
                       connection_limit=settings.http_connection_limit,
                       backlog=settings.http_backlog,
                       channel_timeout=settings.http_channel_timeout,
                       signing_secret=settings.slack_signing_secret.get_secret_value())
    finally:
        scheduler.shutdown(wait=False)


def _resume_at_start_up(resume: Callable[..., object]) -> None:
    """Replay, in the background, what a crash of this process's predecessor left undone."""
    import threading

    def run() -> None:
        try:
            resume(at_start_up=True)
        except Exception:  # the scheduler tries again; never stop serving for this
            logging.getLogger(__name__).exception("resuming unfinished Slack events failed")

    threading.Thread(target=run, name="resume-events", daemon=True).start()


def _warm_index(settings: Settings, store: Store) -> None:
    """Build or catch up the search index in the background, so the first search is quick."""
    import threading

    from knowledge.base import KnowledgeBase

    def warm() -> None:
        try:
            KnowledgeBase(store, settings.index_dir, engine=settings.kb_engine).sync()
        except Exception:  # the first search will rebuild it; never stop serving for this
            logging.getLogger(__name__).exception("warming the knowledge index failed")

    threading.Thread(target=warm, name="kb-warm", daemon=True).start()


def _runner(context: Context) -> ReminderRunner:
    from bot.reminders import ReminderRunner
    from bot.slack_client import web_client

    settings = context.settings
    if settings.slack_bot_token is None:
        fail("Set SLACK_BOT_TOKEN: reminders are sent through Slack.")
    store = context.store()
    return ReminderRunner(context.services(), web_client(settings), store.clock,
                          settings.timezone)


@cli.command()
@pass_context
def scheduler(context: Context) -> None:
    """Run only the reminder sweeps (when `serve --no-scheduler` runs elsewhere)."""
    from bot.logs import configure_logging
    from bot.scheduler import run_blocking

    configure_logging(context.settings.log_format)
    run_blocking(_runner(context))


@cli.group()
def reminders() -> None:
    """Reminders, digests and scheduled reports."""


@reminders.command("run-once")
@pass_context
def reminders_run_once(context: Context) -> None:
    """One sweep of every due job (for cron); prints what it did."""
    report = _runner(context).run_once()
    click.echo(f"planned {report.planned}, sent {report.sent}, retried {report.retried}, "
               f"failed {report.failed}, no longer needed {report.skipped}")


def register_all_commands() -> None:
    """Every lazily registered command group, now (for tools that walk `cli.commands`)."""
    assert isinstance(cli, _LazyGroup)
    for module in dict.fromkeys(_LAZY_COMMANDS.values()):
        cli._load(module)


def main() -> None:
    cli(prog_name="salesbot")
