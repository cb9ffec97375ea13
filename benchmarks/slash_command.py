"""A signed `/sales` command through the whole app, against a bare Bolt app that acks and
posts the very same reply: what salesbot adds to a command's answer.

    python -m benchmarks slash_command      (SLASH_BENCH_ROUNDS=200)

The bare app's listener acks and posts, to the same `response_url` on the local stand-in,
the reply salesbot posted for that command (captured once, checked to be the same each
round), so both sides do the same Slack work and the difference is salesbot's.

Two ways of running, both honest about the reply:
- `process_before_response` (what a FaaS deployment does): the request returns when the
  listener is done; timed from dispatch to return.
- production (`serve`): the HTTP response is the ack and the listener goes on in a thread.
  Bolt checks for the ack every 10 ms, so the time to ack is mostly that poll and says
  little; what a person waits for is the reply, so it is timed from dispatch until the
  stand-in has received it. The ack time is printed beside it for reference.

Runs on a temporary SQLite database with the demo data set; medians and p95 over the rounds.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_bolt import Ack, App, BoltRequest, Respond
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.app import create_app
from bot.localslack import LocalSlack
from bot.settings import Settings
from bot.wiring import build_services
from store.db import Store
from store.demo import load_demo
from store.migrate import upgrade

SECRET = "bench-secret"
COMMANDS = ("deal acme", "help")


def _request(text: str, slack: LocalSlack, key: str = "bench") -> BoltRequest:
    body = urlencode({"command": "/sales", "text": text, "user_id": "U0ALEX",
                      "team_id": "T0SALES", "channel_id": "D0ALEX", "trigger_id": "1.t",
                      "response_url": slack.response_url(key)})
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    return BoltRequest(body=body, headers={
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": ts, "x-slack-signature": signature})


def _replies(slack: LocalSlack) -> list[dict[str, Any]]:
    """What was posted to response URLs (less the stand-in's note of which URL)."""
    return [{k: v for k, v in c.args.items() if k != "response_url_key"}
            for c in slack.calls_of("respond")]


def _bare(slack: LocalSlack, replies: dict[str, dict[str, Any]],
          process_before_response: bool) -> App:
    """A Bolt app whose one listener acks and posts the reply salesbot gave to that text."""
    app = App(client=WebClient(token="xoxb-bench", base_url=slack.api_url),
              signing_secret=SECRET, token_verification_enabled=False,
              process_before_response=process_before_response)

    def answer(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        respond(**replies[command["text"]])

    app.command("/sales")(answer)
    return app


def _wait_for(slack: LocalSlack, count: int, timeout: float = 10.0) -> None:
    deadline = time.perf_counter() + timeout
    while len(slack.calls_of("respond")) < count:
        if time.perf_counter() > deadline:
            raise RuntimeError("the reply never came")
        time.sleep(0.0002)


def _time(app: App, slack: LocalSlack, text: str, rounds: int, *, wait_reply: bool
          ) -> tuple[list[float], list[float]]:
    """(ms to the HTTP response, ms to the reply posted) per round."""
    acks, replies = [], []
    for _ in range(rounds):
        slack.clear()
        request = _request(text, slack)
        start = time.perf_counter()
        response = app.dispatch(request)
        acked = time.perf_counter()
        if wait_reply:
            _wait_for(slack, 1)
        done = time.perf_counter()
        assert response.status == 200
        acks.append((acked - start) * 1000)
        replies.append((done - start) * 1000)
    return acks, replies


def _row(name: str, times: list[float], base: float) -> str:
    median = statistics.median(times)
    p95 = sorted(times)[int(len(times) * 0.95)]
    return f"{name:<52} {median:8.2f} {p95:8.2f} {median / base:7.2f}x"


def _same_reply(slack: LocalSlack, expected: dict[str, Any], what: str) -> None:
    got = _replies(slack)
    assert got and got[-1] == expected, f"{what} posted something else"


def run() -> None:
    rounds = int(os.environ.get("SLASH_BENCH_ROUNDS", "200"))
    with tempfile.TemporaryDirectory() as tmp, LocalSlack() as slack:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = Store(url)
        upgrade(store.engine)
        load_demo(store)
        settings = Settings(DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-bench",
                            SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.api_url,
                            _env_file=None)
        services = build_services(settings, store)
        full = create_app(settings, services, process_before_response=True)
        production = create_app(settings, services)
        replies: dict[str, dict[str, Any]] = {}
        for text in COMMANDS:  # what salesbot answers: the bare app posts exactly that
            full.dispatch(_request(text, slack))
            slack.clear()
            full.dispatch(_request(text, slack))
            replies[text] = _replies(slack)[-1]
        bare_sync = _bare(slack, replies, True)
        bare_async = _bare(slack, replies, False)
        for app in (bare_sync, bare_async, production):  # warm caches and connections
            for text in COMMANDS:
                slack.clear()
                app.dispatch(_request(text, slack))
                _wait_for(slack, 1)
                _same_reply(slack, replies[text], "an app")
        print(f"{'request (' + str(rounds) + ' rounds, ms)':<52} {'median':>8} {'p95':>8} "
              f"{'vs bare':>8}")
        for text in COMMANDS:
            print(f"-- `/sales {text}`, process_before_response (returns with the reply posted)")
            _, bare = _time(bare_sync, slack, text, rounds, wait_reply=False)
            base = statistics.median(bare)
            print(_row("bare Bolt app: ack + the same reply", bare, base))
            _, mine = _time(full, slack, text, rounds, wait_reply=False)
            _same_reply(slack, replies[text], "salesbot")
            print(_row("salesbot", mine, base))
            print(f"-- `/sales {text}`, production mode: until the reply is posted")
            bare_ack, bare = _time(bare_async, slack, text, rounds, wait_reply=True)
            base = statistics.median(bare)
            print(_row("bare Bolt app: reply posted", bare, base))
            ack, mine = _time(production, slack, text, rounds, wait_reply=True)
            _same_reply(slack, replies[text], "salesbot")
            print(_row("salesbot: reply posted", mine, base))
            ack_base = statistics.median(bare_ack)
            print(_row("(bare Bolt app: ack, mostly Bolt's 10 ms poll)", bare_ack, ack_base))
            print(_row("(salesbot: ack)", ack, ack_base))
        time.sleep(0.5)  # let the last listener threads finish before disposal
        store.dispose()
