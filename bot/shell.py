"""`salesbot shell` and `salesbot demo`: a terminal chat with the real app.

Each typed line is a DM to the bot; a line starting with `/` is a slash command;
`:`-lines are meta-commands. Everything goes through `App.dispatch` as a signed
request, and the bot's Web API calls land on the local stand-in, so what you see
here is exactly what the production path does.
"""

from __future__ import annotations

import json
import logging
import secrets
import shlex
import sys
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from bot.app import create_app
from bot.chat import Chat, form_errors, input_blocks
from bot.localslack import LocalSlack, Member
from bot.reminders import ReminderRunner
from bot.render import render_view
from bot.settings import Settings
from bot.wiring import build_services
from handlers.language.dates import find_date
from store.clock import ManualClock, SystemClock
from store.db import Store
from store.errors import StoreError

HELP = """Type a message to the bot, or a slash command (/sales help).
  :as USER            talk as another user (Slack id or name)
  :click N [OPTION] [field=value …]   press button N of the latest message
  :submit field=value …               submit the open form
  :home               show your App Home
  :time 2026-12-01T09:00   move the clock forward
  :help  :quit"""


class Shell:
    def __init__(self, settings: Settings, *, user: str, json_mode: bool = False,
                 out: IO[str] | None = None, interactive: bool | None = None) -> None:
        self.out = out or sys.stdout
        # the conversation shows failures to the user; tracebacks would only clutter it
        logging.getLogger().setLevel(logging.CRITICAL)
        self.json_mode = json_mode
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self.slack = LocalSlack()
        secret = secrets.token_hex(16)
        self.settings = settings.model_copy(update={
            "slack_api_url": self.slack.api_url, "slack_signing_secret": _secret(secret),
            "slack_bot_token": _secret("xoxb-local-shell"),
        })
        self.clock = ManualClock(SystemClock().now())
        self.store = Store(settings.database_url, self.clock)
        self.services = build_services(settings, self.store)
        self.app = create_app(self.settings, self.services, clock=self.clock,
                              process_before_response=True)
        for user_view in self.services.users.list():
            self.slack.add_member(Member(user_view.slack_user_id, user_view.name,
                                         user_view.name, user_view.email,
                                         user_view.timezone or settings.timezone))
        self.chat = Chat(app=self.app, slack=self.slack, signing_secret=secret,
                         user=self._user_id(user))
        self.reminders = ReminderRunner(self.services, self.app.client, self.clock,
                                        settings.timezone, worker="shell")
        # what each user has already been shown, so `:as` shows them only what is new
        self._shown: dict[str, dict[int, str]] = {}

    def close(self) -> None:
        self.slack.stop()
        self.store.dispose()

    # -- output ---------------------------------------------------------------------------
    def echo(self, text: str = "") -> None:
        if not self.json_mode:
            print(text, file=self.out, flush=True)

    def _flush(self) -> None:
        """Print what changed for the current user: new messages, and replaced ones."""
        if self.json_mode:
            for call in self.chat.new_calls():
                args = {k: v for k, v in call.args.items() if k != "response_url_key"}
                print(json.dumps({"method": call.method, "args": args}, default=str),
                      file=self.out, flush=True)
            return
        self.chat.new_calls()
        seen = self._shown.setdefault(self.chat.user, {})
        for message in self.chat.visible_to(self.chat.user):
            shown = message.render()
            if seen.get(message.id) == shown:
                continue
            label = "updated" if message.id in seen else (
                "only you" if message.ephemeral else "bot")
            seen[message.id] = shown
            self.echo(f"[{label}] " + shown.replace("\n", "\n    "))

    # -- input ----------------------------------------------------------------------------
    def lines(self, stream: IO[str]) -> Iterator[str]:
        if self.interactive:
            while True:
                try:
                    yield input(f"{self._name()}> ")
                except EOFError:
                    return
        else:
            for line in stream:
                yield line.rstrip("\n")

    def run(self, stream: IO[str] | None = None) -> None:
        self.echo(f"salesbot shell: you are {self._name()}. Type :help for commands.")
        for line in self.lines(stream or sys.stdin):
            if line.strip() in (":quit", ":q", ":exit"):
                break
            try:
                self.handle(line)
            except (LookupError, ValueError, StoreError) as exc:
                self.echo(f"! {exc}")
            self._flush()

    def handle(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        if line.startswith(":"):
            self._meta(line)
        elif line.startswith("/"):
            self.chat.command(line)
            self._form_after_action({})
        else:
            self.chat.say(line)

    def _meta(self, line: str) -> None:
        words = shlex.split(line)
        command, args = words[0], words[1:]
        if command == ":help":
            self.echo(HELP)
        elif command == ":as":
            self.chat.user = self._user_id(" ".join(args))
            self.echo(f"you are now {self._name()}")
        elif command == ":home":
            self.echo(self.chat.open_home())
        elif command == ":time":
            self._move_clock(" ".join(args))
        elif command == ":click":
            if not args or not args[0].isdigit():
                raise ValueError("say which button: :click N")
            fields = dict(a.split("=", 1) for a in args[1:] if "=" in a)
            option = next((a for a in args[1:] if "=" not in a), None)
            self.chat.click(int(args[0]), option=option)
            self._form_after_action(fields)
        elif command == ":submit":
            self._submit(dict(a.split("=", 1) for a in args if "=" in a))
        else:
            raise ValueError(f"unknown command {command}; try :help")

    def _form_after_action(self, fields: dict[str, str]) -> None:
        modal = self.chat.open_modal()
        if modal is None:
            return
        self._flush()
        self.echo(render_view(modal.view))
        if fields:
            self._submit(fields)
        elif self.interactive:
            answers = {}
            for block in input_blocks(modal.view):
                label = block["label"]["text"]
                answers[label] = self._ask(label, block["element"]["type"])
            self._submit({k: v for k, v in answers.items() if v})
        else:
            self.echo("(form open: fill it with :submit field=value …)")

    def _ask(self, label: str, kind: str) -> str:
        """Prompt for one field; dates may be typed in words ("next friday")."""
        while True:
            answer = input(f"  {label}{' (date)' if kind == 'datepicker' else ''}: ").strip()
            if kind != "datepicker" or not answer:
                return answer
            try:
                return date.fromisoformat(answer).isoformat()
            except ValueError:
                zone = self.settings.timezone
                found = find_date(answer, self.clock.now(), zone)
                if found is not None:
                    return found.day.isoformat()
                self.echo("  ! a date, like 2026-12-01 or next friday")

    def _submit(self, fields: dict[str, str]) -> None:
        response = self.chat.submit(fields)
        errors = form_errors(response)
        for block_id, error in errors.items():
            self.echo(f"! {block_id}: {error}")

    def _move_clock(self, text: str) -> None:
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("say when, like :time 2026-12-01T09:00") from None
        if when.tzinfo is None:
            user = self.services.users.find(self.chat.user)
            zone = (user.timezone if user else None) or self.settings.timezone
            when = when.replace(tzinfo=ZoneInfo(zone))
        self.clock.set(when)
        self.echo(f"the time is now {when.isoformat()}")
        report = self.reminders.run_once()
        self.chat.absorb()
        if report.sent:
            self.echo(f"({report.sent} reminder(s) delivered)")

    def _user_id(self, ref: str) -> str:
        """A Slack id, an email, a full name, or just a first name ("dana")."""
        user = self.services.users.find(ref)
        if user is None:
            matches = [u for u in self.services.users.list()
                       if u.name.lower().split()[0] == ref.strip().lower()]
            user = matches[0] if len(matches) == 1 else None
        if user is None:
            raise LookupError(f"no user {ref!r}; try a Slack id or a full name")
        return user.slack_user_id

    def _name(self) -> str:
        user = self.services.users.find(self.chat.user)
        return user.name if user else self.chat.user


def _secret(value: str) -> SecretStr:
    return SecretStr(value)
