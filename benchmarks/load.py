"""Open-loop load on real `salesbot serve` processes: can they hold Slack's traffic?

Slack wants every request acknowledged within 3 seconds, whatever else is going on, so
the question is not "how fast is one request" but "at N requests a second, how late is
the slowest ack, and does the work after the ack still get done". This benchmark:

* starts the loopback Slack Web API stand-in (`bot/localslack.py`, in a subprocess of
  its own so its work does not slow the generator's clock) and one or more
  `salesbot serve` subprocesses on a fresh database with the demo data set; for
  several processes, a real load balancer (nginx, else HAProxy) on loopback in front,
  with its own config in a temp dir;
* warms up and harvests real button payloads the app produced (the Undo of notes
  it logged, the Edit and Log buttons of deal cards);
* sends signed requests on a fixed schedule, open loop: request i leaves at
  start + i/rate whether or not earlier ones were answered, and its latency is
  measured from that scheduled time, so a stalled server cannot hide its stall by
  slowing the sender (coordinated omission);
* the mix, per 20 requests: 6 DM note writes ("note on acme: …"), 5 DM reads
  ("pipeline", "show acme", "what's next for globex?", "my follow-ups"), 4 slash
  commands, 2 Undo clicks (writes), 3 deal-card clicks that open a form;
* counts, afterwards, the follow-up Web API calls the stand-in received against
  those expected (calibrated per kind of request before the run, one request at a
  time) and when the last arrived.

It prints one table row per scenario and rate: SQLite with one process, PostgreSQL
with one, PostgreSQL with `LOAD_PROCESSES` behind the load balancer.

Environment: `LOAD_RATE` (requests/s, default 100; a comma list such as `100,150,200`
runs each), `LOAD_SECONDS` (default 60), `LOAD_PROCESSES` (default 2),
`LOAD_SCENARIOS` (default `sqlite,postgres,postgres-scaled`), `LOAD_POSTGRES_URL`
(a server URL; default `DATABASE_URL` when it is PostgreSQL; a database
`salesbot_load_…` is created there and dropped after; without one the PostgreSQL
scenarios are skipped), `LOAD_BALANCER` (`nginx` or `haproxy`), `LOAD_THREADS`
(passed to `serve --threads`). Bounded: at most 600 s and 60,000 requests per run;
everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import math
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

SECRET = "load-secret"
TOKEN = "xoxb-load"
TEAM = "T0SALES"
APP_ID = "A0SALESBOT"
BOT_USER = "U0SALESBOT"
ALEX = "U0ALEX"
ACK_BUDGET_MS = 3000.0  # Slack's deadline
GOAL_P99_MS = 300.0
REQUEST_TIMEOUT_S = 10.0
MAX_SECONDS = 600.0
MAX_REQUESTS = 60_000
SETTLE_S = 60.0  # how long to wait for follow-ups after the last request

# Alex's own accounts in the demo data set (he may log on them and see them).
ACCOUNTS = ["acme", "globex", "initech", "hooli", "umbrella", "wayne"]
READS = ["pipeline", "show acme", "what's next for globex?", "my follow-ups"]
COMMANDS = ["deal initech", "followups", "help", "deal hooli"]
CARD_ACTIONS = ("opp_edit", "opp_log_activity")
# One cycle of the mix; position i of the run sends PATTERN[i % 20].
PATTERN = ["note", "read", "command", "card", "note", "undo", "read", "note", "command",
           "read", "card", "note", "command", "read", "undo", "note", "card", "note",
           "command", "read"]


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


# -- the stand-in, in its own process ------------------------------------------------------

def _stand_in_main() -> None:
    """`python -m benchmarks.load --stand-in`: the Web API stand-in with a receipt time per
    call; reads commands on stdin (`count`, `calls N`), answers one JSON line each."""
    from bot.localslack import Call, LocalSlack, Member
    from store.demo import PEOPLE

    times: list[float] = []

    class TimedSlack(LocalSlack):
        def _record(self, method: str, args: dict[str, Any], headers: dict[str, str],
                    response: dict[str, Any]) -> None:
            safe_args = {k: v for k, v in args.items() if k != "token"}
            with self._lock:
                self._state.calls.append(Call(method, safe_args, {}, response))
                times.append(time.time())

    slack = TimedSlack()
    for slack_id, name, email, _role, tz in PEOPLE:
        slack.add_member(Member(slack_id, name.split()[0].lower(), name, email, tz))
    print(json.dumps({"api_url": slack.api_url, "base_url": slack.base_url}), flush=True)
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        calls = slack.calls
        if command == "count":
            print(json.dumps({"count": len(calls)}), flush=True)
        elif command == "calls":
            start = int(arg or 0)
            with slack._lock:
                stamps = list(times)
            print(json.dumps([{"method": c.method, "args": c.args, "response": c.response,
                               "t": t} for c, t in zip(calls[start:], stamps[start:],
                                                       strict=False)]), flush=True)
    slack.stop()


class StandIn:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.load", "--stand-in"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent)
        assert self.process.stdout is not None
        first = json.loads(self.process.stdout.readline())
        self.api_url: str = first["api_url"]
        self.base_url: str = first["base_url"]

    def _ask(self, line: str) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def count(self) -> int:
        return int(self._ask("count")["count"])

    def calls(self, start: int = 0) -> list[dict[str, Any]]:
        return list(self._ask(f"calls {start}"))

    def settle(self, quiet_s: float = 0.5, limit_s: float = 30.0,
               until: int | None = None) -> int:
        """Wait until no call has arrived for `quiet_s` (or `until` calls are in)."""
        deadline = time.monotonic() + limit_s
        last, since = self.count(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.count()
            if until is not None and now >= until:
                return now
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                break
        return last

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# -- requests -------------------------------------------------------------------------------

def _signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    mac = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={mac}"}


@dataclass
class Request:
    body: str
    content_type: str


def dm(text: str, user: str = ALEX) -> Request:
    ts = f"{time.time():.6f}"
    event = {"type": "message", "channel_type": "im", "channel": "D" + user.lstrip("U"),
             "user": user, "text": text, "ts": ts, "event_ts": ts}
    body = {"token": "unused", "team_id": TEAM, "api_app_id": APP_ID, "event": event,
            "type": "event_callback", "event_id": f"Ev{uuid.uuid4().hex[:16].upper()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}]}
    return Request(json.dumps(body), "application/json")


def command(text: str, key: str, stand_in: StandIn, user: str = ALEX) -> Request:
    form = {"token": "unused", "team_id": TEAM, "team_domain": "local",
            "channel_id": "D" + user.lstrip("U"), "channel_name": "directmessage",
            "user_id": user, "user_name": user.lower(), "command": "/sales", "text": text,
            "api_app_id": APP_ID, "response_url": f"{stand_in.base_url}/respond/{key}",
            "trigger_id": f"{key}.trigger"}
    return Request(urlencode(form), "application/x-www-form-urlencoded")


@dataclass(frozen=True)
class Button:
    """A button the app really posted, and the message it sits on."""
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    action_id: str
    block_id: str | None
    value: str | None


def click(button: Button, key: str, stand_in: StandIn, user: str = ALEX) -> Request:
    action = {"action_id": button.action_id, "block_id": button.block_id, "type": "button",
              "action_ts": f"{time.time():.6f}", "value": button.value}
    payload = {"type": "block_actions", "user": {"id": user, "team_id": TEAM},
               "team": {"id": TEAM}, "api_app_id": APP_ID, "trigger_id": f"{key}.trigger",
               "response_url": f"{stand_in.base_url}/respond/{key}",
               "container": {"type": "message", "message_ts": button.ts,
                             "channel_id": button.channel, "is_ephemeral": False},
               "channel": {"id": button.channel},
               "message": {"ts": button.ts, "text": button.text, "blocks": button.blocks},
               "actions": [action]}
    return Request(urlencode({"payload": json.dumps(payload)}),
                   "application/x-www-form-urlencoded")


def _buttons(calls: list[dict[str, Any]], action_ids: tuple[str, ...]) -> list[Button]:
    from bot.render import controls

    found = []
    for call in calls:
        if call["method"] != "chat.postMessage":
            continue
        blocks = call["args"].get("blocks") or []
        for control in controls(blocks):
            if control.action_id in action_ids:
                found.append(Button(call["response"].get("channel") or call["args"]["channel"],
                                    call["response"]["ts"], call["args"].get("text") or "",
                                    blocks, control.action_id, control.block_id, control.value))
    return found


async def _post(host: str, port: int, request: Request) -> int:
    """One POST on a new connection (as Slack opens them); the status code."""
    body = request.body.encode()
    head = "".join(f"{k}: {v}\r\n" for k, v in _signed(request.body).items())
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            (f"POST /slack/events HTTP/1.1\r\nHost: {host}:{port}\r\n"
             f"Content-Type: {request.content_type}\r\nContent-Length: {len(body)}\r\n"
             f"Connection: close\r\n{head}\r\n").encode() + body)
        await writer.drain()
        status_line = await reader.readline()
        headers = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in headers.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if length:
            await reader.readexactly(length)
        return int(status_line.split()[1])
    finally:
        writer.close()


def post(port: int, request: Request) -> int:
    return asyncio.run(_post("127.0.0.1", port, request))


# -- processes ------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(port: int, process: subprocess.Popen[bytes] | None, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before it was up")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up on port {port}")


@dataclass
class Serve:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def cpu_seconds(self) -> float:
        """User + system CPU of the process so far (Linux /proc)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return math.nan
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serving(database_url: str, stand_in: StandIn, work: Path, n: int) -> Iterator[list[Serve]]:
    procs: list[Serve] = []
    try:
        for i in range(n):
            port = _free_port()
            log = work / f"serve-{i}.log"
            env = {**os.environ, "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": TOKEN,
                   "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": stand_in.api_url,
                   "SALESBOT_INDEX_DIR": str(work / f"index-{i}"),
                   "SALESBOT_LOG_FORMAT": "json"}
            env.pop("SLACK_APP_TOKEN", None)
            args = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1",
                    "--port", str(port), "--no-scheduler"]
            if os.environ.get("LOAD_THREADS"):
                args += ["--threads", os.environ["LOAD_THREADS"]]
            with log.open("wb") as out:
                process = subprocess.Popen(args, env=env, stdout=out, stderr=out)
            procs.append(Serve(process, port, log))
        for i, proc in enumerate(procs):
            _wait_healthy(proc.port, proc.process, f"serve #{i}")
        print("serve pid(s), for py-spy: " + " ".join(str(p.process.pid) for p in procs),
              file=sys.stderr, flush=True)
        yield procs
    finally:
        for proc in procs:
            if proc.process.poll() is None:
                proc.process.terminate()
        for proc in procs:
            try:
                proc.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.process.kill()
                proc.process.wait()


def _balancer_name() -> str | None:
    wanted = os.environ.get("LOAD_BALANCER")
    for name in ([wanted] if wanted else ["nginx", "haproxy"]):
        if shutil.which(name) or Path(f"/usr/sbin/{name}").exists():
            return name
    return None


@contextmanager
def balancer(backends: list[int], work: Path) -> Iterator[tuple[int, str]]:
    """nginx (or HAProxy) on loopback, round robin over `backends`, in the foreground."""
    name = _balancer_name()
    if name is None:
        raise RuntimeError("no load balancer: apt-get install -y nginx (or haproxy)")
    binary = shutil.which(name) or f"/usr/sbin/{name}"
    port = _free_port()
    conf_dir = work / name
    conf_dir.mkdir()
    if name == "nginx":
        servers = "".join(f"    server 127.0.0.1:{p} max_fails=0;\n" for p in backends)
        conf = conf_dir / "nginx.conf"
        conf.write_text(
            f"worker_processes 1;\ndaemon off;\npid {conf_dir}/nginx.pid;\n"
            f"error_log {conf_dir}/error.log warn;\n"
            "events { worker_connections 4096; }\n"
            "http {\n  access_log off;\n"
            f"  client_body_temp_path {conf_dir}/body;\n  proxy_temp_path {conf_dir}/proxy;\n"
            f"  fastcgi_temp_path {conf_dir}/fcgi;\n  uwsgi_temp_path {conf_dir}/uwsgi;\n"
            f"  scgi_temp_path {conf_dir}/scgi;\n"
            f"  upstream salesbot {{\n{servers}    keepalive 64;\n  }}\n"
            f"  server {{\n    listen 127.0.0.1:{port};\n    client_max_body_size 2m;\n"
            "    location / {\n      proxy_pass http://salesbot;\n"
            "      proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n"
            "      proxy_read_timeout 10s;\n    }\n  }\n}\n")
        args = [binary, "-p", str(conf_dir), "-c", str(conf)]
    else:
        servers = "".join(f"  server s{i} 127.0.0.1:{p}\n" for i, p in enumerate(backends))
        conf = conf_dir / "haproxy.cfg"
        conf.write_text(
            "global\n  maxconn 4096\ndefaults\n  mode http\n  timeout connect 2s\n"
            "  timeout client 10s\n  timeout server 10s\n  option http-keep-alive\n"
            f"frontend web\n  bind 127.0.0.1:{port}\n  default_backend salesbot\n"
            f"backend salesbot\n  balance roundrobin\n{servers}")
        args = [binary, "-db", "-f", str(conf)]
    with (conf_dir / "out.log").open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=out)
    try:
        _wait_healthy(port, process, name)
        yield port, name
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def database(kind: str, work: Path) -> Iterator[str]:
    """A fresh migrated database with the demo data: a SQLite file, or a PostgreSQL
    database created for the run and dropped after."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from store.db import Store, make_engine, normalize_url
    from store.demo import load_demo
    from store.migrate import upgrade

    admin = None
    name = ""
    if kind == "sqlite":
        url = f"sqlite:///{work / 'load.db'}"
    else:
        server = normalize_url(_postgres_server() or "")
        admin = make_engine(server)
        name = f"salesbot_load_{uuid.uuid4().hex[:10]}"
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        store = Store(url)
        upgrade(store.engine)
        load_demo(store)
        store.dispose()
        yield url
    finally:
        if admin is not None:
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def _postgres_server() -> str | None:
    url = os.environ.get("LOAD_POSTGRES_URL") or os.environ.get("DATABASE_URL") or ""
    return url if url.startswith(("postgresql", "postgres")) else None


# -- one run --------------------------------------------------------------------------------

@dataclass
class Result:
    scenario: str
    rate: float
    seconds: float
    sent: int = 0
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    send_lag_max_ms: float = 0.0
    expected: int = 0
    delivered: int = 0
    last_after_s: float = math.nan
    cpu_ms_per_request: float = math.nan
    logged_errors: int = 0
    error_lines: list[str] = field(default_factory=list)

    def pct(self, p: float) -> float:
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]

    @property
    def passed(self) -> bool:
        return (self.ok == self.sent and not self.errors and self.pct(99) < GOAL_P99_MS
                and self.delivered >= self.expected and self.logged_errors == 0)


@dataclass
class Mix:
    """Builds request i of the run; knows how many follow-up calls each kind causes."""
    stand_in: StandIn
    undo: list[Button]
    cards: list[Button]
    per_variant: dict[str, int] = field(default_factory=dict)
    _undo_next: Iterator[int] = field(default_factory=itertools.count)

    def variant(self, kind: str, i: int) -> str:
        """Which request of its kind position i sends (each may cause its own calls)."""
        if kind == "read":
            return f"read:{i % len(READS)}"
        if kind == "command":
            return f"command:{i % len(COMMANDS)}"
        if kind == "card":
            return f"card:{i % len(self.cards)}"
        return kind

    def build(self, kind: str, i: int, run: str, undo: Button | None = None) -> Request:
        key = f"{run}-{i}"
        variant = self.variant(kind, i)
        if kind == "note":
            return dm(f"note on {ACCOUNTS[i % len(ACCOUNTS)]}: load check {key}")
        if kind == "read":
            return dm(READS[int(variant.split(":")[1])])
        if kind == "command":
            return command(COMMANDS[int(variant.split(":")[1])], key, self.stand_in)
        if kind == "undo":
            return click(undo or self.undo[next(self._undo_next)], key, self.stand_in)
        return click(self.cards[int(variant.split(":")[1])], key, self.stand_in)

    def expected(self, count: int) -> int:
        return sum(self.per_variant[self.variant(PATTERN[i % len(PATTERN)], i)]
                   for i in range(count))


def harvest(port: int, stand_in: StandIn, undo_needed: int) -> Mix:
    """Warm the processes up and collect real buttons: `undo_needed` logged notes' Undo,
    and the Edit / Log buttons of Alex's deal cards."""
    start = stand_in.count()
    notes = [dm(f"note on {ACCOUNTS[i % len(ACCOUNTS)]}: seed {i}") for i in range(undo_needed)]
    cards = [dm(f"show {account}") for account in ACCOUNTS] + [
        dm("what's next for acme?"), dm("what's next for globex?")]

    async def send_all(requests: list[Request]) -> list[int]:
        gate = asyncio.Semaphore(6)

        async def one(request: Request) -> int:
            async with gate:
                return await asyncio.wait_for(_post("127.0.0.1", port, request), 30)
        return await asyncio.gather(*(one(r) for r in requests))

    statuses = asyncio.run(send_all(notes + cards))
    if any(s != 200 for s in statuses):
        raise RuntimeError(f"warm-up answered {Counter(statuses)}")
    stand_in.settle(quiet_s=1.0, limit_s=120)
    calls = stand_in.calls(start)
    undo = _buttons(calls, ("undo",))
    card_buttons = _buttons(calls, CARD_ACTIONS)
    if len(undo) < undo_needed or not card_buttons:
        raise RuntimeError(f"warm-up found {len(undo)} Undo buttons of {undo_needed} and "
                           f"{len(card_buttons)} deal-card buttons")
    by_action = {b.action_id: [c for c in card_buttons if c.action_id == b.action_id]
                 for b in card_buttons}
    chosen = [b for pair in zip(*by_action.values(), strict=False) for b in pair][:4]
    return Mix(stand_in, undo[:undo_needed], chosen)


def calibrate(port: int, mix: Mix, spare_undo: Button) -> None:
    """Send each variant of each kind once, alone, and count the Web API calls it causes."""
    firsts: dict[str, tuple[str, int]] = {}
    for i in range(len(PATTERN) * len(READS) * len(COMMANDS) * len(mix.cards)):
        kind = PATTERN[i % len(PATTERN)]
        firsts.setdefault(mix.variant(kind, i), (kind, i))
    for variant, (kind, i) in firsts.items():
        before = mix.stand_in.settle(quiet_s=0.3)
        request = mix.build(kind, i, "calibrate", undo=spare_undo)
        if post(port, request) != 200:
            raise RuntimeError(f"calibration: {variant} was not answered 200")
        after = mix.stand_in.settle(quiet_s=0.6)
        if after == before:
            raise RuntimeError(f"calibration: {variant} caused no Web API call")
        mix.per_variant[variant] = after - before


async def _open_loop(port: int, mix: Mix, rate: float, count: int, run: str,
                     result: Result) -> float:
    """Send `count` requests at `rate`/s on schedule; latency from the scheduled time."""
    loop = asyncio.get_running_loop()
    tasks = []

    async def one(i: int, scheduled: float) -> None:
        kind = PATTERN[i % len(PATTERN)]
        request = mix.build(kind, i, run)
        try:
            status = await asyncio.wait_for(_post("127.0.0.1", port, request),
                                            REQUEST_TIMEOUT_S)
        except TimeoutError:
            result.errors["timeout"] += 1
            return
        except OSError as exc:
            result.errors[type(exc).__name__] += 1
            return
        except asyncio.IncompleteReadError:
            result.errors["connection closed"] += 1
            return
        elapsed = (loop.time() - scheduled) * 1000
        result.latencies.append(elapsed)
        result.by_kind.setdefault(kind, []).append(elapsed)
        if 200 <= status < 300:
            result.ok += 1
            if elapsed > ACK_BUDGET_MS:
                result.errors["over 3 s"] += 1
        else:
            result.errors[f"HTTP {status}"] += 1

    start = loop.time() + 0.2
    for i in range(count):
        scheduled = start + i / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        result.send_lag_max_ms = max(result.send_lag_max_ms, (loop.time() - scheduled) * 1000)
        tasks.append(asyncio.create_task(one(i, scheduled)))
        result.sent += 1
    sent_at = time.time()
    await asyncio.gather(*tasks)
    return sent_at


def run_one(scenario: str, kind: str, processes: int, rate: float, seconds: float,
            work: Path) -> Result:
    count = int(rate * seconds)
    undo_needed = sum(1 for i in range(count) if PATTERN[i % len(PATTERN)] == "undo") + 1
    result = Result(scenario, rate, seconds)
    with ExitStack() as stack:
        url = stack.enter_context(database(kind, work))
        stand_in = StandIn()
        stack.callback(stand_in.stop)
        stopped: list[Serve] = []  # their logs are read once they have stopped
        stack.callback(lambda: _count_logged_errors(stopped, result))
        procs = stack.enter_context(serving(url, stand_in, work, processes))
        stopped.extend(procs)
        port = procs[0].port
        if processes > 1:
            port, _name = stack.enter_context(balancer([p.port for p in procs], work))
        mix = harvest(port, stand_in, undo_needed)
        spare = mix.undo.pop()
        calibrate(port, mix, spare)
        before = stand_in.settle(quiet_s=1.0)
        cpu_before = sum(p.cpu_seconds() for p in procs)
        result.expected = mix.expected(count)
        sent_at = asyncio.run(_open_loop(port, mix, rate, count, uuid.uuid4().hex[:6],
                                         result))
        stand_in.settle(quiet_s=5.0, limit_s=SETTLE_S, until=before + result.expected)
        cpu_after = sum(p.cpu_seconds() for p in procs)
        calls = stand_in.calls(before)
        result.delivered = len(calls)
        if calls:
            result.last_after_s = max(c["t"] for c in calls) - sent_at
        result.cpu_ms_per_request = (cpu_after - cpu_before) * 1000 / max(result.sent, 1)
    return result


def _count_logged_errors(procs: list[Serve], result: Result) -> None:
    for proc in procs:
        for line in proc.log.read_text(errors="replace").splitlines():
            if "Traceback" in line or '"level": "error"' in line:
                result.logged_errors += 1
                if len(result.error_lines) < 3:
                    result.error_lines.append(line[:300])


# -- the table ------------------------------------------------------------------------------

HEADER = (f"{'scenario':<34} {'rate/s':>6} {'sent':>6} {'2xx':>6} {'err':>5} "
          f"{'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'follow-ups':>13} "
          f"{'last':>6} {'cpu/req':>8}  goal")


def row(r: Result) -> str:
    return (f"{r.scenario:<34} {r.rate:>6.0f} {r.sent:>6} {r.ok:>6} "
            f"{sum(r.errors.values()):>5} {r.pct(50):>7.1f} {r.pct(95):>7.1f} "
            f"{r.pct(99):>7.1f} {max(r.latencies, default=math.nan):>7.1f} "
            f"{f'{r.delivered}/{r.expected}':>13} {r.last_after_s:>5.1f}s "
            f"{r.cpu_ms_per_request:>6.1f}ms  {'met' if r.passed else 'MISSED'}")


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def run() -> None:
    rates = [float(r) for r in os.environ.get("LOAD_RATE", "100").split(",") if r.strip()]
    seconds = _env_float("LOAD_SECONDS", 60.0)
    processes = int(os.environ.get("LOAD_PROCESSES", "2"))
    wanted = os.environ.get("LOAD_SCENARIOS", "sqlite,postgres,postgres-scaled").split(",")
    if not 0 < seconds <= MAX_SECONDS:
        raise SystemExit(f"LOAD_SECONDS must be in (0, {MAX_SECONDS:.0f}]")
    if any(not 0 < r * seconds <= MAX_REQUESTS for r in rates):
        raise SystemExit(f"LOAD_RATE × LOAD_SECONDS must be in (0, {MAX_REQUESTS}]")
    _raise_fd_limit()
    scenarios: list[tuple[str, str, int]] = []
    for name in (w.strip() for w in wanted):
        if name == "sqlite":
            scenarios.append(("SQLite, 1 process", "sqlite", 1))
        elif name in ("postgres", "postgres-scaled"):
            if _postgres_server() is None:
                print(f"({name}: skipped, set LOAD_POSTGRES_URL=postgresql://… to run it)")
                continue
            n = 1 if name == "postgres" else processes
            label = f"PostgreSQL, {n} process{'es' if n > 1 else ''}"
            if n > 1:
                label += f" + {_balancer_name() or '?'}"
            scenarios.append((label, "postgres", n))
        else:
            raise SystemExit(f"unknown scenario {name!r}: sqlite, postgres, postgres-scaled")
    print(f"open loop, {seconds:.0f} s per run, mix per 20 requests: 6 DM notes, 5 DM reads, "
          f"4 slash commands, 2 Undo clicks, 3 card clicks; goal: 0 errors, p99 < "
          f"{GOAL_P99_MS:.0f} ms, every follow-up delivered; {os.cpu_count()} CPUs")
    print("latencies in ms from the scheduled send time to the full HTTP response; "
          "'last' = the last follow-up call, seconds after the last request was sent; "
          "cpu/req = serve CPU time per request, all processes")
    print(HEADER)
    results: list[Result] = []
    for label, kind, n in scenarios:
        for rate in rates:
            with tempfile.TemporaryDirectory(prefix="salesbot-load-") as tmp:
                result = run_one(label, kind, n, rate, seconds, Path(tmp))
            results.append(result)
            print(row(result), flush=True)
            print(f"{'':<34} machine load average (1 min) after the run: "
                  f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            print(f"{'':<34} p99 by kind: " + ", ".join(
                f"{kind} {_p99(times):.0f}" for kind, times in sorted(result.by_kind.items())))
            if result.errors:
                print(f"{'':<34} errors: {dict(result.errors)}")
            if result.logged_errors:
                print(f"{'':<34} {result.logged_errors} error lines in the serve logs, first:")
                for line in result.error_lines:
                    print(f"{'':<34}   {line}")
            if result.send_lag_max_ms > 50:
                print(f"{'':<34} the generator fell {result.send_lag_max_ms:.0f} ms behind "
                      "its schedule at worst (figures pessimistic)")
    _summary(results)


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]


def _summary(results: list[Result]) -> None:
    best: dict[str, float] = {}
    for r in results:
        if r.passed:
            best[r.scenario] = max(best.get(r.scenario, 0.0), r.rate)
    if best:
        print("highest rate meeting the goal: " + "; ".join(
            f"{name}: {rate:.0f}/s" for name, rate in best.items()))


if __name__ == "__main__":
    if sys.argv[1:] == ["--stand-in"]:
        _stand_in_main()
    else:
        run()
