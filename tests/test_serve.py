"""`salesbot serve` as a real process: health check, a signed slash command over HTTP,
and a graceful stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.localslack import LocalSlack

SECRET = "serve-test-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    # A deadline, not a count of tries: a busy machine can take many seconds to import.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early: {process.stderr.read().decode()}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    raise AssertionError("serve did not come up")


@pytest.fixture
def server(database_url: str, slack: LocalSlack, store) -> Iterator[tuple[str, subprocess.Popen]]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-serve",
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url,
           "SALESBOT_LOG_FORMAT": "json"}
    env.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--no-scheduler"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/healthz", process)
        # serve asks Slack `auth.test` once while warming up, before it listens
        # (bot/warmup.py); what each test sends starts from a clean record
        assert [c.method for c in slack.calls] == ["auth.test"]
        slack.clear()
        yield base, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


def test_healthz_checks_the_database(server) -> None:
    base, _ = server
    with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"ok": True, "database": "ok",
                                              "listeners": "ok"}


def test_signed_slash_command_over_http(server, slack: LocalSlack) -> None:
    base, _ = server
    body = urlencode({"command": "/sales", "text": "help", "user_id": "U0CURL",
                      "team_id": "T0SALES", "channel_id": "D0CURL", "trigger_id": "1.t",
                      "response_url": slack.response_url("curl")})
    ts = str(int(time.time()))
    request = urllib.request.Request(base + "/slack/events", data=body.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts,
                                                                          body=body)})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
    for _ in range(100):  # the listener answers after the ack, through response_url
        if slack.calls_of("respond"):
            break
        time.sleep(0.05)
    assert "Here's what I can do" in slack.calls_of("respond")[0].args["text"]


def test_unsigned_request_over_http_is_refused(server) -> None:
    base, _ = server
    request = urllib.request.Request(base + "/slack/events", data=b"command=/sales&text=help",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 401


def test_sigterm_stops_gracefully_and_logs_json(server, slack: LocalSlack) -> None:
    _, process = server
    test_signed_slash_command_over_http(server, slack)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    lines = [json.loads(line) for line in process.stderr.read().decode().splitlines()
             if line.startswith("{")]
    [request] = [entry for entry in lines if entry["message"] == "slack request"]
    assert request["user"] == "U0CURL" and request["status"] == "200"
    assert request["request_id"] == "1.t" and request["latency_ms"] > 0
    everything = json.dumps(lines)
    assert "xoxb-serve" not in everything and SECRET not in everything
    assert "Here's what I can do" not in everything


def test_serve_with_its_scheduler_starts_and_stops(database_url: str, slack: LocalSlack,
                                                   store) -> None:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-serve",
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url}
    env.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def _post(base: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(base + "/slack/events", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def _signed(body: bytes, content_type: str, *, ts: str | None = None) -> dict[str, str]:
    ts = ts or str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature}


def _log_of(process: subprocess.Popen[bytes]) -> str:
    """What the process logged, read after killing it (its log lines are written as they
    happen; a kill, unlike SIGTERM, cannot race a request that is still finishing)."""
    process.kill()
    process.wait(timeout=15)
    return process.stderr.read().decode()


FORM = "application/x-www-form-urlencoded"
NAMED_TARGETS = urlencode({
    "command": "/sales", "text": "help", "user_id": "U0VICTIM", "channel_id": "C0VICTIM",
    "response_url": "http://127.0.0.1:9/hook"}).encode()


def test_nothing_unsigned_reaches_a_listener_or_slack(server, slack: LocalSlack) -> None:
    base, process = server
    good = _signed(NAMED_TARGETS, FORM)
    for ts in ("abc", "1e9", "", " 12", "12a"):
        assert _post(base, NAMED_TARGETS, {**good, "X-Slack-Request-Timestamp": ts}) == 401
    assert _post(base, NAMED_TARGETS, {**good, "X-Slack-Signature": "v0=00"}) == 401
    stale = _signed(NAMED_TARGETS, FORM, ts=str(int(time.time()) - 3600))
    assert _post(base, NAMED_TARGETS, stale) == 401
    assert _post(base, NAMED_TARGETS, {"Content-Type": FORM}) == 401
    time.sleep(0.3)  # a listener, had one run, would have called the stand-in by now
    assert slack.calls == []
    log = _log_of(process)
    assert "Traceback" not in log and "U0VICTIM" not in log and "C0VICTIM" not in log
    assert "slack request refused" in log


@pytest.mark.parametrize(("body", "content_type"), [
    (b'{"type": "event_callback", "event": {', "application/json"),
    (b"[1, 2]", "application/json"),
    (b"null", "application/json"),
    (b"payload=%7Bnot-json", FORM),
    (b"payload=%5B1%5D", FORM),
    (b"", FORM),
])
def test_a_signed_malformed_body_is_a_400_without_a_traceback(server, slack: LocalSlack,
                                                             body: bytes,
                                                             content_type: str) -> None:
    base, process = server
    assert _post(base, body, _signed(body, content_type)) == 400
    assert "Traceback" not in _log_of(process)
    assert slack.calls == []


def test_a_body_that_is_not_utf8_is_a_400(server, slack: LocalSlack) -> None:
    base, process = server
    body = b"command=/sales&text=\xff\xfe"
    headers = {"Content-Type": FORM, "X-Slack-Request-Timestamp": str(int(time.time())),
               "X-Slack-Signature": "v0=" + "0" * 64}
    assert _post(base, body, headers) == 400
    assert "Traceback" not in _log_of(process)
    assert slack.calls == []


def test_a_body_larger_than_any_slack_payload_is_refused_before_it_is_read(server) -> None:
    base, _ = server
    with socket.create_connection((base.split("//")[1].split(":")[0],
                                   int(base.rsplit(":", 1)[1])), timeout=10) as conn:
        conn.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM.encode()
                     + b"\r\nContent-Length: 9000000\r\n\r\n")  # and never the body
        assert conn.recv(64).split(b" ")[1] == b"413"


def test_healthz_fails_while_every_listener_thread_is_stuck(store) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from threading import Event

    from bot.serve import health

    release = Event()
    with ThreadPoolExecutor(max_workers=2) as listeners:
        assert health(store, listeners)[0] == 200
        stuck = [listeners.submit(release.wait, 30) for _ in range(2)]
        assert health(store, listeners) == (503, {"ok": False, "database": "ok",
                                                  "listeners": "stuck"})
        release.set()
        assert all(future.result(timeout=5) for future in stuck)
        assert health(store, listeners)[0] == 200
    assert health(store, listeners)[1]["listeners"] == "stopping"  # shut down: 503, not 500
