"""A signed `/sales` command through the whole app, against a Bolt app whose only
listener acks: how much salesbot adds to Slack's 3-second ack budget.

Two figures for salesbot: the ack (production: the listener's work continues after
the HTTP response) and the full round trip (listener finished, reply posted to the
local stand-in). Runs on a temporary SQLite database with the demo data set.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest
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
ROUNDS = 200


def _request(text: str, slack: LocalSlack) -> BoltRequest:
    body = urlencode({"command": "/sales", "text": text, "user_id": "U0ALEX",
                      "team_id": "T0SALES", "channel_id": "D0ALEX", "trigger_id": "1.t",
                      "response_url": slack.response_url("bench")})
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    return BoltRequest(body=body, headers={
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": ts, "x-slack-signature": signature})


def _time(app: App, slack: LocalSlack, text: str) -> list[float]:
    times = []
    for _ in range(ROUNDS):
        request = _request(text, slack)
        start = time.perf_counter()
        response = app.dispatch(request)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status == 200
    return times


def _row(name: str, times: list[float], base: float) -> str:
    median = statistics.median(times)
    p95 = sorted(times)[int(len(times) * 0.95)]
    return f"{name:<44} {median:8.2f} {p95:8.2f} {median / base:7.2f}x"


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp, LocalSlack() as slack:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = Store(url)
        upgrade(store.engine)
        load_demo(store)
        settings = Settings(DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-bench",
                            SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.api_url,
                            _env_file=None)
        services = build_services(settings, store)
        def bare(process_before_response: bool) -> App:
            app = App(client=WebClient(token="xoxb-bench", base_url=slack.api_url),
                      signing_secret=SECRET, token_verification_enabled=False,
                      process_before_response=process_before_response)
            app.command("/sales")(lambda ack: ack())
            return app

        bare_async, bare_sync = bare(False), bare(True)
        acking = create_app(settings, services)
        full = create_app(settings, services, process_before_response=True)
        for app in (bare_async, bare_sync, acking, full):  # warm caches and connections
            app.dispatch(_request("deal acme", slack))
        print(f"{'request (' + str(ROUNDS) + ' rounds, ms)':<44} {'median':>8} {'p95':>8} "
              f"{'vs bare':>8}")
        base_times = _time(bare_async, slack, "deal acme")
        base = statistics.median(base_times)
        print("-- production mode (ack returned while the listener goes on)")
        print(_row("bare Bolt app, listener only acks", base_times, base))
        print(_row("salesbot `/sales deal acme`: time to ack", _time(acking, slack, "deal acme"),
                   base))
        time.sleep(1)  # let the acked listeners finish before the next figures
        sync_times = _time(bare_sync, slack, "deal acme")
        base = statistics.median(sync_times)
        print("-- process_before_response (request returns when the listener is done)")
        print(_row("bare Bolt app, listener only acks", sync_times, base))
        print(_row("salesbot `/sales deal acme` + card posted",
                   _time(full, slack, "deal acme"), base))
        print(_row("salesbot `/sales help` + reply posted", _time(full, slack, "help"), base))
        store.dispose()
