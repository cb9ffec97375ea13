"""The listener threads `serve` waits for on SIGTERM, for a bounded time."""

from __future__ import annotations

from threading import Event

from bot.listener_pool import ListenerPool


def test_stop_waits_for_listeners_that_finish() -> None:
    pool = ListenerPool(2)
    finished = []
    pool.submit(lambda: finished.append("reply posted"))
    assert pool.stop(grace_seconds=5) is True
    assert finished == ["reply posted"]


def test_stop_gives_up_on_a_listener_that_never_returns_and_drops_queued_work() -> None:
    pool = ListenerPool(1)
    release = Event()
    stuck = pool.submit(release.wait, 30)
    queued = pool.submit(lambda: "never started")
    assert pool.stop(grace_seconds=0.2) is False
    assert queued.cancelled() and stuck.running()
    release.set()
    assert stuck.result(timeout=5) is True


def test_a_command_acks_while_every_thread_is_busy_with_acknowledged_events(slack) -> None:
    """Slack's 3 s run out for a command queued behind events' work: it starts at once."""
    import json
    import time
    from urllib.parse import urlencode

    from slack_bolt import App, BoltRequest
    from slack_sdk import WebClient
    from slack_sdk.signature import SignatureVerifier

    secret = "lanes-secret"
    pool = ListenerPool(1)
    app = App(signing_secret=secret, token_verification_enabled=False, listener_executor=pool,
              client=WebClient(token="xoxb-lanes", base_url=slack.api_url))
    release, started = Event(), Event()

    def slow_dm(ack: object) -> None:
        started.set()
        release.wait(30)

    app.event("message")(slow_dm)
    app.command("/sales")(lambda ack: ack(text="on it"))

    def signed(body: str, content_type: str) -> BoltRequest:
        ts = str(int(time.time()))
        signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
        return BoltRequest(body=body, headers={"content-type": content_type,
                                               "x-slack-request-timestamp": ts,
                                               "x-slack-signature": signature or ""})

    event = {"type": "event_callback", "team_id": "T0SALES", "event_id": "Ev1",
             "event": {"type": "message", "channel_type": "im", "channel": "D0ALEX",
                       "user": "U0ALEX", "text": "note on acme: hi", "ts": "1.1"}}
    try:
        assert app.dispatch(signed(json.dumps(event), "application/json")).status == 200
        assert started.wait(5)  # the only work thread is now busy
        queued = app.dispatch(signed(json.dumps({**event, "event_id": "Ev2"}),
                                     "application/json"))
        assert queued.status == 200  # acknowledged; its work waits for the thread
        command = urlencode({"command": "/sales", "text": "help", "user_id": "U0ALEX",
                             "team_id": "T0SALES", "channel_id": "D0ALEX",
                             "trigger_id": "1.t", "response_url": "http://127.0.0.1:9/r"})
        response = app.dispatch(signed(command, "application/x-www-form-urlencoded"))
        assert (response.status, response.body) == (200, "on it")
    finally:
        release.set()
        assert pool.stop(grace_seconds=5)
