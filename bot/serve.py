"""`salesbot serve`: the app against real Slack.

Socket Mode when `SLACK_APP_TOKEN` is set; otherwise HTTP on one port, with Slack's
events, commands, shortcuts and interactivity all at `/slack/events`, served by
waitress (a production WSGI server with a thread pool), plus `/healthz`. SIGTERM
stops accepting new connections and lets requests in flight finish.
"""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from concurrent.futures import TimeoutError as FutureTimeout
from types import FrameType
from typing import TYPE_CHECKING, Any
from wsgiref.types import StartResponse

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text

from bot.listener_pool import ListenerPool
from bot.request_gate import MAX_BODY_BYTES, Refusal, admit
from store.db import Store

if TYPE_CHECKING:
    from _typeshed import OptExcInfo

log = logging.getLogger(__name__)



LISTENER_PROBE_SECONDS = 2.0
"""How long the health check waits for a free listener thread. Slack wants an answer within
3 s; a pool that cannot start a no-op in 2 s is not answering anyone."""


def health(store: Store, listeners: Executor | None = None) -> tuple[int, dict[str, Any]]:
    """200 when the database answers and a listener thread is free to work; 503 when either
    is not (a load balancer then stops sending this process requests, and an orchestrator
    restarts it)."""
    try:
        with store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not healthy"
        log.warning("health check failed: %s", type(exc).__name__)
        return 503, {"ok": False, "database": "unreachable"}
    if listeners is not None:
        try:
            listeners.submit(lambda: None).result(timeout=LISTENER_PROBE_SECONDS)
        except FutureTimeout:
            log.warning("health check failed: every listener thread is busy")
            return 503, {"ok": False, "database": "ok", "listeners": "stuck"}
        except RuntimeError:  # the pool was shut down: SIGTERM, requests finishing
            return 503, {"ok": False, "database": "ok", "listeners": "stopping"}
    return 200, {"ok": True, "database": "ok", "listeners": "ok"}


def wsgi_app(app: App, store: Store, signing_secret: str,
             ) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """One WSGI callable: `/slack/events` through the gate to Bolt, `/healthz` to the
    health check."""
    slack = SlackRequestHandler(app, path="/slack/events")
    verifier = SignatureVerifier(signing_secret)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            status, body = health(store, app.listener_runner.listener_executor)
            data = json.dumps(body).encode()
            start_response(f"{status} {'OK' if status == 200 else 'Service Unavailable'}",
                           [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data)))])
            return [data]
        if path == "/slack/events":
            return _logged(slack, verifier, environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return application


def _request_facts(data: dict[str, Any]) -> dict[str, Any]:
    """Ids for the log line (request id, user, kind); never message text or tokens.
    DATA is the body as the gate parsed it (`Admitted.payload`)."""
    event = data.get("event")
    event = event if isinstance(event, dict) else {}
    person = data.get("user")
    user = data.get("user_id") or event.get("user") or (
        person.get("id") if isinstance(person, dict) else None)
    return {
        "request_id": data.get("event_id") or data.get("trigger_id") or data.get("action_ts")
        or event.get("event_ts"),
        "user": user if isinstance(user, str) else None,
        "kind": event.get("type") or data.get("type") or data.get("command"),
    }


def _logged(slack: SlackRequestHandler, verifier: SignatureVerifier, environ: dict[str, Any],
            start_response: StartResponse) -> Iterable[bytes]:
    """One log line per Slack request: request id, user, kind, status and latency; a
    request the gate refuses is logged as refused, with its reason and nothing of its body."""
    started = time.perf_counter()
    admitted = admit(environ, verifier)
    if isinstance(admitted, Refusal):
        log.warning("slack request refused: %s", admitted.reason, extra={
            "status": admitted.status.split(" ", 1)[0], "reason": admitted.reason})
        data = admitted.reason.encode()
        start_response(admitted.status, [("Content-Type", "text/plain"),
                                         ("Content-Length", str(len(data)))])
        return [data]
    body = admitted.body
    environ["wsgi.input"] = io.BytesIO(body)
    status: list[str] = []

    def recording_start_response(code: str, headers: list[tuple[str, str]],
                                 exc_info: OptExcInfo | None = None) -> Callable[[bytes], object]:
        status.append(code.split(" ", 1)[0])
        return start_response(code, headers, exc_info)

    result = slack(environ, recording_start_response)
    facts = _request_facts(admitted.payload)
    log.info("slack request", extra={
        **facts, "status": status[0] if status else None,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1)})
    return result


SWITCH_INTERVAL_SECONDS = 0.001
"""How long a thread may keep Python's interpreter lock while others wait (Python's default:
5 ms). An ack is a short run of Python between database round trips, and after each round
trip its thread queues for the lock behind every listener thread busy with the work of
earlier requests; at 5 ms a turn, an ack that needs ten turns missed its 300 ms target
whenever listeners were busy. Measured (benchmarks/load.py, SQLite, 80 requests/s): ack p99
1,572 ms at 5 ms, 237 ms at 1 ms, for the same CPU per request."""


def serve_http(app: App, store: Store, *, signing_secret: str, host: str, port: int,
               threads: int = 8, connection_limit: int = 1000, backlog: int = 2048,
               channel_timeout: int = 30) -> None:
    """waitress, sized for Slack (measured with `python -m benchmarks load`).

    Slack opens a connection per request and gives up after 3 s, so what matters is that
    a burst is accepted at once rather than refused or parked: waitress's default of 100
    open connections was reached at 100 requests/s as soon as acks slowed down, and new
    ones then waited in the kernel's backlog. `connection_limit` and `backlog` take a
    burst; poll() instead of select() because select() stops at file descriptor 1024;
    `channel_timeout` closes idle keep-alive connections (a load balancer's) after 30 s.
    See `SWITCH_INTERVAL_SECONDS` for the other half: who gets the interpreter.
    """
    from waitress.server import create_server

    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    # waitress refuses a body above the limit (413) from its Content-Length, unread
    server = create_server(wsgi_app(app, store, signing_secret), host=host, port=port,
                           threads=threads, ident="salesbot",
                           max_request_body_size=MAX_BODY_BYTES,
                           connection_limit=connection_limit, backlog=backlog,
                           channel_timeout=channel_timeout, asyncore_use_poll=True)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing requests in flight, then stopping", signum)
        server.close()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("listening on http://%s:%s (Slack: /slack/events, health: /healthz)", host, port)
    try:
        server.run()
    except OSError:
        pass  # the listening socket was closed by `stop`
    finally:
        server.task_dispatcher.shutdown()
    _stop_listeners(app)
    log.info("stopped")


STOP_GRACE_SECONDS = 20.0
"""How long SIGTERM waits for listeners still at work (Kubernetes' default grace is 30 s)."""


def _stop_listeners(app: App) -> None:
    """Wait for running listeners, then exit even if one never returns: Python would
    otherwise join its thread at exit and the process would not stop."""
    pool = app.listener_runner.listener_executor
    if isinstance(pool, ListenerPool) and not pool.stop(STOP_GRACE_SECONDS):
        log.error("listeners still running %.0f s after SIGTERM; exiting without them",
                  STOP_GRACE_SECONDS)
        logging.shutdown()
        os._exit(1)


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token)
    stopping = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: closing the Socket Mode connection", signum)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    handler.connect()
    log.info("connected to Slack in Socket Mode")
    stopping.wait()
    handler.close()
