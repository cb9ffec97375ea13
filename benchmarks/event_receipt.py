"""A signed DM event through the whole app, time to its 200: what keeping the event in
the store before the acknowledgement costs (issue 14, item 7), beside its floors: a bare
Bolt app whose only event listener does nothing, and the same app recording the event id
alone (the de-duplication salesbot did before events were kept).

Runs on a temporary SQLite database with the demo data set, or, when `DATABASE_URL` names
a PostgreSQL server, on a temporary database created there and dropped after.
"""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from benchmarks._scratch import scratch_database
from bot.app import create_app
from bot.localslack import BOT_USER_ID, TEAM_ID, LocalSlack
from bot.settings import Settings
from bot.wiring import build_services
from store.db import Store
from store.demo import load_demo
from store.migrate import upgrade
from store.services.system.events import EventLog

SECRET = "bench-secret"
ROUNDS = 200


def _request(text: str) -> BoltRequest:
    ts = f"{time.time():.6f}"
    body = json.dumps({
        "token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0BENCH", "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:16].upper()}", "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        "event": {"type": "message", "channel_type": "im", "channel": "D0ALEX",
                  "user": "U0ALEX", "text": text, "ts": ts, "event_ts": ts}})
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    return BoltRequest(body=body, headers={
        "content-type": "application/json", "x-slack-request-timestamp": stamp,
        "x-slack-signature": signature})


def _time(app: App, text: str) -> list[float]:
    times = []
    for _ in range(ROUNDS):
        request = _request(text)
        start = time.perf_counter()
        response = app.dispatch(request)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status == 200
        time.sleep(0.02)  # one DM at a time: the listener's work is not what is measured
    return times


def _row(name: str, times: list[float], base: float) -> str:
    median = statistics.median(times)
    p95 = sorted(times)[int(len(times) * 0.95)]
    return f"{name:<48} {median:8.2f} {p95:8.2f} {median / base:7.2f}x"


def _bare(slack: LocalSlack, events: EventLog | None = None, *, keep: bool = False) -> App:
    app = App(client=WebClient(token="xoxb-bench", base_url=slack.api_url),
              signing_secret=SECRET, token_verification_enabled=False)
    if events is not None:
        @app.middleware
        def record(body: dict[str, Any], next: Callable[[], None]) -> None:
            if keep:
                events.receive(str(body["event_id"]), body)
            else:
                events.first_time(str(body["event_id"]))
            next()
    app.event("message")(lambda: None)
    return app


def run() -> None:
    with LocalSlack() as slack, scratch_database(os.environ.get("DATABASE_URL"),
                                                 "receipt") as url:
        store = Store(url)
        upgrade(store.engine)
        load_demo(store)
        settings = Settings(DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-bench",
                            SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.api_url,
                            _env_file=None)
        services = build_services(settings, store)
        bare, id_only = _bare(slack), _bare(slack, services.events)
        kept = _bare(slack, services.events, keep=True)
        salesbot = create_app(settings, services)
        for app in (bare, id_only, kept, salesbot):  # warm caches and connections
            app.dispatch(_request("help"))
        print(f"{store.dialect}: DM event, time to the 200 ({ROUNDS} rounds, ms)")
        print(f"{'':<48} {'median':>8} {'p95':>8} {'vs bare':>8}")
        base_times = _time(bare, "help")
        base = statistics.median(base_times)
        print(_row("bare Bolt app, listener does nothing", base_times, base))
        print(_row("bare Bolt app + event id recorded (the floor)", _time(id_only, "help"),
                   base))
        print(_row("bare Bolt app + event kept with its body", _time(kept, "help"), base))
        print(_row("salesbot (all its middleware), event kept", _time(salesbot, "help"),
                   base))
        time.sleep(1)  # let the last listeners finish before the store goes
        store.dispose()
