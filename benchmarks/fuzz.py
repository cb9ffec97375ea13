"""Hostile input through every surface of the real app: no 5xx, no traceback, no ping.

Generated text, values and metadata go through `bot/chat.py` (signed requests, the real
Bolt app, a real store with the demo data, the local Web API stand-in) as DMs, mentions,
`/sales` lines, button clicks with forged values for every registered action id, view
submissions with forged `private_metadata` and fields for every callback id, and
shortcuts. After each request:

* every response status is below 500;
* no log record at ERROR or with a traceback, and no one saw the generic failure text
  (`handlers.slack.errors.GENERIC`): no listener crashed;
* nothing the bot sent (every call the stand-in recorded, `respond` too) holds an
  unescaped `<!channel>` / `<!here>` / `<!everyone>` or a `<http…|…>` link it did not build.

`python -m benchmarks fuzz` runs 10,000 examples (`FUZZ_EXAMPLES` to change) and prints
the counts; `tests/test_fuzz_surfaces.py` runs a few hundred with the same driver.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.chat import APP_ID, Chat, dm_channel
from bot.localslack import TEAM_ID, LocalSlack
from bot.settings import Settings
from bot.wiring import build_services
from handlers.slack.errors import GENERIC
from store.db import Store
from store.demo import PEOPLE, load_demo
from store.migrate import upgrade

SECRET = "fuzz-secret"

# Every action id, callback id and shortcut the app registers (handlers/*/listeners.py,
# handlers/deals/forms.py, handlers/activities/shortcuts.py: the `register` functions).
ACTION_IDS = [
    "stage_edit", "stage_add", "followup_done", "followup_snooze_1", "followup_snooze_7",
    "followup_snooze", "followup_snooze_date",
    "followup_log", "renewal_create", "stale_close_date", "undo", "choose_0", "choose_1",
    "choose_7", "choose_none", "opp_next_stage", "opp_pick_stage", "opp_close_lost",
    "opp_log_activity", "opp_edit", "opp_new", "account_new", "quote_form", "quote_request",
    "quote_cancel", "quote_sent", "quote_revise", "approval_approve", "approval_reject",
    "pipeline_share", "pipeline_csv", "pipeline_subscribe_channel", "pipeline_unsubscribe",
    "lead_qualify", "lead_disqualify", "lead_convert", "lead_account_pick_0",
    "lead_account_pick_new", "lead_account_pick", "lead_form",
    "kb_open", "kb_page_prev", "kb_page_next", "kb_share", "kb_more", "kb_search",
    "share_in_channel",
]
CALLBACK_IDS = [
    "stage_edit", "admin_people", "close_lost", "log_activity", "opp_edit",
    "new_opportunity", "quote", "quote_request", "approval_reject", "lead_disqualify",
    "lead_new", "kb_article",
]
SHORTCUTS = ["log_message_as_activity", "log_activity", "save_to_kb"]
BLOCK_IDS = [
    "about", "account", "active", "amount", "body", "close_date", "currency", "follow_up",
    "justification", "kind", "manager", "name", "next_step", "owner", "probability",
    "product", "quiet_days", "quote_discount", "reason", "role", "stage", "subject",
    "successor", "tags", "team", "title", "user", "product_1", "qty_1", "disc_1",
    "product_2", "qty_2", "disc_2",
]
USERS = [slack_id for slack_id, *_ in PEOPLE] + ["U0STRANGER"]

# -- strategies ------------------------------------------------------------------------

HOSTILE = [
    "<!channel>", "<!here>", "<!everyone>", "<!subteam^S123|team>", "<https://evil.example|x>",
    "<https://evil.example>", "<mailto:a@evil.example|mail>", "<@U123>", "<@U0ALEX|alex>",
    "<#C123|sales>", "&", "&amp;", "&lt;", "<", ">", "*", "_", "~", "`", "```", "\x00",
    "\u202e", "\u200f", "\u200b", "😀", "👨‍👩‍👧", "²", "³⁴", "١٢٣", "%", "-5", "-1000000",
    "99999999999999999999999999", "1e309", "NaN", "inf", "0x10", "1,000,000.5", "€", "¥",
    "\n", "\t", "'; DROP TABLE users; --", "{\"a\":", "null", "[]", "parked:1",
    "parked:9999999999",
]
WORDS = [
    "deal", "acme", "globex", "initech", "hooli", "umbrella", "wayne", "renewal", "pipeline",
    "forecast", "quote", "lead", "log", "a", "call", "with", "meeting", "email", "note",
    "move", "to", "stage", "next", "won", "lost", "close", "date", "amount", "probability",
    "follow", "up", "friday", "tomorrow", "in", "days", "Q1", "this", "quarter", "week",
    "help", "kb", "search", "remind", "me", "mute", "for", "at", "by", "$", "k", "m",
    "discount", "approve", "reject", "contact", "jane", "smith", "undo", "admin", "people",
    "stages", "report", "weekly", "subscribe", "convert", "qualify", "disqualify", "new",
    "account", "opportunity", "my", "show", "list", "what", "is", "on",
]
COMMAND_HEADS = ["", "help", "deal", "pipeline", "forecast", "quote", "lead", "log", "kb",
                 "admin", "admin people", "admin stages", "report", "remind", "mute",
                 "new deal", "edit", "undo", "search"]

huge_numbers = st.one_of(st.integers(min_value=-(10 ** 30), max_value=10 ** 30),
                         st.sampled_from([2 ** 63, 2 ** 63 - 1, -(2 ** 63), 2 ** 31, 10 ** 20]))
long_words = st.integers(min_value=200, max_value=4000).flatmap(
    lambda n: st.sampled_from(["a", "x", "9", "é", "<", "&", "😀", "²"]).map(lambda c: c * n))
pieces = st.one_of(
    st.sampled_from(WORDS), st.sampled_from(WORDS), st.sampled_from(HOSTILE),
    huge_numbers.map(str), huge_numbers.map(lambda n: f"${n:,}"),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.integers(min_value=-200, max_value=200).map(lambda n: f"{n}%"),
    st.text(max_size=12), long_words,
)
hostile_text = st.lists(pieces, min_size=0, max_size=12).map(" ".join)
command_lines = st.tuples(st.sampled_from(COMMAND_HEADS), hostile_text).map(
    lambda parts: f"/sales {parts[0]} {parts[1]}".rstrip())

json_scalars = st.one_of(st.none(), st.booleans(), huge_numbers,
                         st.floats(allow_nan=False), hostile_text)
json_keys = st.sampled_from(["opp", "quote", "lead", "id", "v", "version", "stage", "step",
                             "article", "page", "kind", "query", "account", "user", "team",
                             "offset", "token", "intent", "period", "owner", "name", "x"])
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(json_keys, inner, max_size=5)), max_leaves=8)
forged_strings = st.one_of(
    hostile_text, huge_numbers.map(str),
    st.lists(huge_numbers.map(str), min_size=1, max_size=4).map(":".join),
    json_values.map(json.dumps),
)
mutations = st.sampled_from(["keep", "huge", "negative", "cut", "append", "json", "empty"])


@dataclass(frozen=True)
class Step:
    kind: str  # say | mention | command | click | submit | shortcut
    user: str
    text: str = ""
    target: str = ""  # action id, callback id, shortcut callback id
    value: str | None = None  # forged value; None: mutate one the bot really sent
    mutation: str = "keep"
    pick: int = 0
    fields: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.kind} as {self.user}: " + ", ".join(
            f"{k}={v!r}" for k, v in self.__dict__.items()
            if k not in ("kind", "user") and v not in ("", None, (), 0, "keep"))


users = st.sampled_from(USERS)
field_values = st.one_of(hostile_text, huge_numbers.map(str),
                         st.sampled_from(["2026-02-30", "not a date", "-1", "USD", "rep",
                                          "admin", "call", "true", ""]))
steps = st.one_of(
    st.builds(Step, kind=st.just("say"), user=users, text=hostile_text),
    st.builds(Step, kind=st.just("mention"), user=users, text=hostile_text),
    st.builds(Step, kind=st.just("command"), user=users, text=command_lines),
    st.builds(Step, kind=st.just("click"), user=users, target=st.sampled_from(ACTION_IDS),
              value=st.one_of(st.none(), forged_strings), mutation=mutations,
              pick=st.integers(0, 50)),
    st.builds(Step, kind=st.just("submit"), user=users, target=st.sampled_from(CALLBACK_IDS),
              value=st.one_of(st.none(), forged_strings), mutation=mutations,
              pick=st.integers(0, 50),
              fields=st.lists(st.tuples(st.sampled_from(BLOCK_IDS), field_values),
                              max_size=6).map(tuple)),
    st.builds(Step, kind=st.just("shortcut"), user=users, target=st.sampled_from(SHORTCUTS),
              text=hostile_text),
)
examples = st.lists(steps, min_size=1, max_size=3)

# -- what may not leave the bot ----------------------------------------------------------

_PING = re.compile(r"<!(?:channel|here|everyone)(?:[|^][^<>]*)?>")
_LINK = re.compile(r"<(https?://[^<>|]*)\|[^<>]*>")
OWN_LINK_HOSTS = ("https://app.slack.com", "https://slack.com", "http://127.0.0.1",
                  "http://localhost")


# Data Slack hands back to the app and never renders as mrkdwn.
_NOT_SHOWN = {"value", "private_metadata", "initial_value", "action_id", "block_id",
              "callback_id", "response_url_key"}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in _NOT_SHOWN:
                yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def leaks(args: dict[str, Any]) -> list[str]:
    """Unescaped pings and links the bot did not build, in one recorded call."""
    found: list[str] = []
    for text in _strings(args):
        if text.startswith("{") or text.startswith("["):  # a view sent as JSON text
            try:
                found += leaks({"_": json.loads(text)})
                continue
            except ValueError:
                pass
        found += _PING.findall(text)
        found += [m[0] for m in _LINK.finditer(text) if not m[1].startswith(OWN_LINK_HOSTS)]
    return found


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.bad: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.bad.append(f"{record.name}: {record.getMessage()} "
                            f"{record.exc_info[1]!r}" if record.exc_info else
                            f"{record.name}: {record.getMessage()}")


# -- the driver ----------------------------------------------------------------------------

@dataclass
class Driver:
    """Sends `Step`s through a `Chat` and says what went wrong."""

    chat: Chat
    statuses: Counter[int] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    known: set[str] = field(default_factory=set)  # failure kinds already reported
    seen: Counter[str] = field(default_factory=Counter)  # every failure kind, how often

    def __post_init__(self) -> None:
        self._records = _Records()
        self._seq = 0
        self.last_kinds: set[str] = set()

    @contextmanager
    def watching(self) -> Iterator[None]:
        root = logging.getLogger()
        root.addHandler(self._records)
        try:
            yield
        finally:
            root.removeHandler(self._records)

    def run(self, example: list[Step]) -> list[str]:
        """Every problem the steps caused (empty: all well)."""
        found: list[tuple[str, str]] = []
        with self.watching():
            for step in example:
                problems = self.step(step)
                self.seen.update(kind for kind, _ in problems)
                found += [p for p in problems if p[0] not in self.known]
        self.last_kinds = {kind for kind, _ in found}
        return [text for _, text in found]

    def step(self, step: Step) -> list[tuple[str, str]]:
        slack, chat = self.chat.slack, self.chat
        seen_calls, seen_messages = len(slack.calls), len(chat.transcript)
        self._records.bad.clear()
        status = self._send(step)
        self.statuses[status] += 1
        self.kinds[step.kind] += 1
        chat.absorb()
        problems = [f"status {status}"] if status >= 500 else []
        problems += [f"logged {line}" for line in self._records.bad]
        problems += [f"told the user {GENERIC!r}" for m in chat.transcript[seen_messages:]
                     if GENERIC in m.text]
        for call in slack.calls[seen_calls:]:
            problems += [f"{call.method} sent {leak!r}" for leak in leaks(call.args)]
        where = f"{step.kind}:{step.target}"
        return [(f"{where}:{_kind(p)}", f"{step}: {p}") for p in problems]

    def _send(self, step: Step) -> int:
        chat = self.chat
        if step.kind == "say":
            chat.say(step.text, user=step.user)
        elif step.kind == "mention":
            chat.mention(step.text, user=step.user)
        elif step.kind == "command":
            chat.command(step.text, user=step.user)
        elif step.kind == "shortcut":
            return self._shortcut(step)
        elif step.kind == "click":
            return self._payload(self._click(step))
        else:
            return self._payload(self._submission(step))
        assert chat.last_response is not None
        return chat.last_response.status

    def _payload(self, payload: dict[str, Any]) -> int:
        body = urlencode({"payload": json.dumps(payload)})
        return self.chat.dispatch(body, "application/x-www-form-urlencoded").status

    def _common(self, user: str, kind: str) -> dict[str, Any]:
        self._seq += 1
        return {"type": kind, "user": {"id": user, "team_id": TEAM_ID}, "team": {"id": TEAM_ID},
                "api_app_id": APP_ID, "trigger_id": f"{self._seq}.fuzz",
                "response_url": self.chat.slack.response_url(f"fuzz-{self._seq}")}

    def _real_values(self, action_id: str) -> list[str]:
        found = []
        for call in self.chat.slack.calls:
            for element in _elements(call.args):
                if element.get("action_id") == action_id and isinstance(element.get("value"),
                                                                        str):
                    found.append(element["value"])
        return found

    def _click(self, step: Step) -> dict[str, Any]:
        real = self._real_values(step.target)
        value = step.value
        if value is None:
            value = mutate(real[step.pick % len(real)] if real else "1", step.mutation)
        message = self.chat.latest(step.user)
        channel = message.channel if message else dm_channel(step.user)
        ts = message.ts if message else f"{int(time.time())}.000001"
        action = {"action_id": step.target, "block_id": "b", "action_ts": ts,
                  "type": "button", "value": value}
        if step.target in ("opp_pick_stage", "followup_snooze_date", "stale_close_date") and (
                step.pick % 2):
            action = {**action, "type": "static_select",
                      "selected_option": {"text": {"type": "plain_text", "text": "x"},
                                          "value": value}, "selected_date": value}
        return {**self._common(step.user, "block_actions"),
                "container": {"type": "message", "message_ts": ts, "channel_id": channel,
                              "is_ephemeral": False},
                "channel": {"id": channel},
                "message": {"ts": ts, "text": "", "blocks": message.blocks if message else []},
                "actions": [action]}

    def _submission(self, step: Step) -> dict[str, Any]:
        real = [v["private_metadata"] for v in self._views(step.target)]
        metadata = step.value
        if metadata is None:
            metadata = mutate(real[step.pick % len(real)] if real else "{}", step.mutation)
        state: dict[str, Any] = {}
        for block_id, raw in step.fields:
            kind = "static_select" if step.pick % 3 == 1 else "plain_text_input"
            element: dict[str, Any] = {"type": kind, "value": raw}
            if kind == "static_select":
                element["selected_option"] = {"text": {"type": "plain_text", "text": "x"},
                                              "value": raw}
            state[block_id] = {"value": element}
        view = {"id": f"V{self._seq}", "type": "modal", "callback_id": step.target,
                "private_metadata": metadata, "blocks": [], "state": {"values": state}}
        return {**self._common(step.user, "view_submission"), "view": view}

    def _views(self, callback_id: str) -> list[dict[str, Any]]:
        views = []
        for call in self.chat.slack.calls_of("views.open", "views.push", "views.update"):
            view = call.args.get("view")
            if isinstance(view, str):
                try:
                    view = json.loads(view)
                except ValueError:
                    continue
            if isinstance(view, dict) and view.get("callback_id") == callback_id:
                views.append(view)
        return views

    def _shortcut(self, step: Step) -> int:
        payload = self._common(step.user, "shortcut")
        payload.update({"callback_id": step.target, "action_ts": f"{int(time.time())}.1"})
        if step.target != "log_activity":
            ts = f"{int(time.time())}.{self._seq:06d}"
            payload.update({"type": "message_action", "channel": {"id": "C0SALES"},
                            "message_ts": ts,
                            "message": {"type": "message", "ts": ts, "text": step.text,
                                        "user": step.user}})
        return self._payload(payload)


def _elements(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, str) and value.startswith(("[", "{")):
        try:
            value = json.loads(value)
        except ValueError:
            return
    if isinstance(value, dict):
        if "action_id" in value:
            yield value
        for item in value.values():
            yield from _elements(item)
    elif isinstance(value, list):
        for item in value:
            yield from _elements(item)


_DIGITS = re.compile(r"\d+")
_ERROR = re.compile(r"(\w+)\(")


def _kind(problem: str) -> str:
    if problem.startswith("logged"):
        found = _ERROR.findall(problem)
        return found[-1] if found else "error"
    return problem.split(" ")[0]


def mutate(value: str, how: str) -> str:
    """A value the bot sent, changed the way a forger would."""
    if how == "huge":
        return _DIGITS.sub("99999999999999999999", value)
    if how == "negative":
        return _DIGITS.sub(lambda m: f"-{m[0]}", value)
    if how == "cut":
        return value[: len(value) // 2]
    if how == "append":
        return value + "<!channel>"
    if how == "json":
        return _DIGITS.sub('"x"', value)
    if how == "empty":
        return ""
    return value


# -- the benchmark -------------------------------------------------------------------------

@contextmanager
def demo_chat(url: str | None = None) -> Iterator[Chat]:
    """The real app on a database holding the demo data, a stand-in Slack, a `Chat`."""
    with tempfile.TemporaryDirectory() as tmp, LocalSlack() as slack:
        url = url or f"sqlite:///{Path(tmp) / 'fuzz.db'}"
        store = Store(url)
        upgrade(store.engine)
        load_demo(store)
        settings_ = Settings(DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-fuzz",
                             SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.api_url,
                             SALESBOT_INDEX_DIR=str(Path(tmp) / "index"), _env_file=None)
        app = create_app(settings_, build_services(settings_, store),
                         process_before_response=True)
        try:
            yield Chat(app=app, slack=slack, signing_secret=SECRET, user="U0ALEX")
        finally:
            store.dispose()


def warm_up(chat: Chat) -> None:
    """Real cards, forms and answers to take values from."""
    for line in ("deal acme", "pipeline", "quote for acme", "kb search pricing",
                 "log a call with globex", "leads"):
        chat.say(line)
    chat.command("/sales admin people", user="U0PRIYA")


def run() -> None:
    total = int(os.environ.get("FUZZ_EXAMPLES", "10000"))
    logging.getLogger().setLevel(logging.WARNING)
    started = time.perf_counter()
    with demo_chat() as chat:
        warm_up(chat)
        driver = Driver(chat)
        failures: list[str] = []
        done = [0]

        # The long run is a generator, not a test: each example runs once, a problem of a
        # kind not seen before keeps its example (unshrunk: shrinking a slow example can
        # outlast the run), and the run goes on, so it ends after exactly `total` examples.
        @settings(max_examples=total, deadline=None, database=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(examples)
        def fuzz(example: list[Step]) -> None:
            problems = driver.run(example)
            if problems:
                driver.known.update(driver.last_kinds)
                failures.append("\n".join(problems)[:2000]
                                + f"\nexample: {example!r}"[:2000])
            done[0] += 1
            if done[0] % 500 == 0:
                print(f"... {done[0]} examples, {time.perf_counter() - started:.0f} s",
                      file=sys.stderr, flush=True)

        fuzz()
        elapsed = time.perf_counter() - started
        requests = sum(driver.statuses.values())
        print(f"examples asked   {total}")
        print(f"requests sent    {requests} in {elapsed:.0f} s "
              f"({requests / max(elapsed, 1e-9):.0f}/s)")
        print("by surface       " + ", ".join(f"{k} {n}" for k, n in
                                              sorted(driver.kinds.items())))
        print("statuses         " + ", ".join(f"{s}: {n}" for s, n in
                                              sorted(driver.statuses.items())))
        print("failure kinds    " + (", ".join(f"{k} ×{n}" for k, n in
                                                sorted(driver.seen.items())) or "none"))
        print(f"failures         {len(failures)}")
        for failure in failures:
            print(f"minimal failing example:\n{failure}")
