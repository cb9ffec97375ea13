"""How long `salesbot` commands take to start, next to the floor each could reach.

- CLI commands (`--help`, `export accounts`, `export pipeline`, `kb search`), as processes:
  wall time, median of `STARTUP_ROUNDS` runs, against a bare click CLI with the same
  commands and options that prints the same bytes (checked to agree).
- `salesbot demo`: seconds from spawning it on a terminal (a pty) to its first prompt,
  against a bare script that prints the same banner and prompt.
- `salesbot serve` over HTTP: a signed `/sales deal acme` from the request sent to the
  reply posted to `response_url` (the local Slack stand-in records it), first request and
  warm (median), against a bare Bolt app on the same server (waitress) answering the same
  signed request by posting the same reply (checked to agree); and idle resident memory.

Runs on a temporary SQLite database with the demo data set, removed at the end. The
commands run with their bytecode compiled (into a temporary `PYTHONPYCACHEPREFIX`), as
`pip install` leaves an installed salesbot, even where `PYTHONDONTWRITEBYTECODE` is set
(then every start-up would first compile each module it imports from source).
`STARTUP_PARTS` (comma-separated: cli, demo, serve; default all) picks the parts to run.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.localslack import LocalSlack

ROUNDS = int(os.environ.get("STARTUP_ROUNDS", "7"))
WARM_REQUESTS = int(os.environ.get("STARTUP_WARM_REQUESTS", "20"))
PARTS = os.environ.get("STARTUP_PARTS", "cli,demo,serve").split(",")
SECRET = "startup-bench-secret"
ROOT = Path(__file__).resolve().parent.parent

CASES = {
    "--help": ["--help"],
    "export accounts": ["export", "accounts"],
    "export pipeline": ["export", "pipeline"],
    "kb search pricing": ["kb", "search", "pricing", "objection"],
}

BARE_CLI = textwrap.dedent('''
    """A bare click CLI with salesbot's commands and options; prints what it is told to."""
    import os
    import sys

    import click

    def say() -> None:
        sys.stdout.buffer.write(open(os.environ["BARE_OUTPUT"], "rb").read())

    @click.group()
    def cli() -> None:
        """salesbot: a conversational sales assistant that lives in Slack."""

    @cli.command("export")
    @click.argument("kind")
    @click.argument("file", required=False, default="-")
    @click.option("--period", default=None)
    def export(kind: str, file: str, period: str | None) -> None:
        say()

    @cli.group()
    def kb() -> None:
        """Knowledge base."""

    @kb.command("search")
    @click.argument("words", nargs=-1, required=True)
    @click.option("--limit", default=5, type=click.IntRange(1, 50))
    @click.option("--page", default=1, type=click.IntRange(1))
    @click.option("--json", "as_json", is_flag=True)
    def search(words: tuple[str, ...], limit: int, page: int, as_json: bool) -> None:
        say()

    cli(prog_name="salesbot")
''')

BARE_PROMPT = textwrap.dedent('''
    import os
    import click
    click.echo(os.environ["BARE_BANNER"])
    input(os.environ["BARE_PROMPT"])
''')

BARE_BOLT = textwrap.dedent('''
    """A bare Bolt app on waitress: `/sales` acks and posts the same reply salesbot posted."""
    import json
    import os
    import sys

    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient
    from waitress import serve

    reply = json.loads(os.environ["BARE_REPLY"])
    app = App(signing_secret=os.environ["SLACK_SIGNING_SECRET"],
              client=WebClient(token="xoxb-bare", base_url=os.environ["SLACK_API_URL"]),
              token_verification_enabled=False)

    @app.command("/sales")
    def sales(ack, respond) -> None:
        ack()
        respond(**reply)

    handler = SlackRequestHandler(app)

    def application(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        return handler(environ, start_response)

    serve(application, host="127.0.0.1", port=int(sys.argv[1]), threads=8, _quiet=True)
''')


def _wall(argv: list[str], env: dict[str, str]) -> tuple[float, bytes]:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=True, cwd=env["HOME_DIR"])
    return time.perf_counter() - start, done.stdout


def _median_wall(argv: list[str], env: dict[str, str]) -> tuple[float, bytes]:
    _wall(argv, env)  # not counted: leaves the bytecode of what `argv` imports cached
    runs = [_wall(argv, env) for _ in range(ROUNDS)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def _row(name: str, ours: float, floor: float, unit: str = "s") -> str:
    scale = 1000 if unit == "ms" else 1
    return (f"{name:<34} {ours * scale:9.3f} {floor * scale:9.3f} {unit:<3}"
            f" {ours / floor:7.1f}x")


def _cli_rows(env: dict[str, str], tmp: Path) -> None:
    bare = tmp / "bare_cli.py"
    bare.write_text(BARE_CLI)
    salesbot = [sys.executable, "-m", "bot"]
    for name, args in CASES.items():
        ours, output = _median_wall([*salesbot, *args], env)
        expected = tmp / "expected.out"
        expected.write_bytes(output)
        floor_env = {**env, "BARE_OUTPUT": str(expected)}
        floor, floor_output = _median_wall([sys.executable, str(bare), *args], floor_env)
        if name != "--help":  # the bare CLI's --help is click's own text
            assert floor_output == output, f"{name}: the floor printed something else"
        print(_row(f"salesbot {name}", ours, floor))


def _first_prompt(argv: list[str], env: dict[str, str], timeout: float = 60.0
                  ) -> tuple[float, bytes]:
    """Seconds from spawning `argv` on a pty to its first `NAME> ` prompt."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: never returns
        os.chdir(env["HOME_DIR"])
        os.execve(argv[0], argv, env)
    seen = b""
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if seen.rstrip().endswith(b">"):
                return time.perf_counter() - start, seen
        raise RuntimeError(f"no prompt from {argv}: {seen[-300:]!r}")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def _demo_row(env: dict[str, str]) -> None:
    runs = [_first_prompt([sys.executable, "-m", "bot", "demo"], env) for _ in range(ROUNDS)]
    ours = statistics.median(t for t, _ in runs)
    lines = runs[-1][1].decode().replace("\r\n", "\n").rstrip().split("\n")
    banner, prompt = "\n".join(lines[:-1]), lines[-1] + " "
    floor_env = {**env, "BARE_BANNER": banner, "BARE_PROMPT": prompt}
    floor_runs = [_first_prompt([sys.executable, "-c", BARE_PROMPT], floor_env)
                  for _ in range(ROUNDS)]
    floor = statistics.median(t for t, _ in floor_runs)
    assert floor_runs[-1][1].replace(b"\r\n", b"\n").rstrip() == runs[-1][1].replace(
        b"\r\n", b"\n").rstrip(), "the bare prompt differs from the demo's"
    print(_row("salesbot demo: first prompt", ours, floor))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_up(base: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(1200):
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read().decode()[-2000:]}"
                               if process.stderr else "server exited")
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).close()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    raise RuntimeError("server did not come up")


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _slash(base: str, slack: LocalSlack, key: str) -> tuple[float, dict[str, object]]:
    """A signed `/sales deal acme`; seconds until its reply reached `response_url`."""
    body = urlencode({"command": "/sales", "text": "deal acme", "user_id": "U0ALEX",
                      "team_id": "T0SALES", "channel_id": "D0ALEX", "trigger_id": "1.t",
                      "response_url": slack.response_url(key)})
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    request = urllib.request.Request(base + "/slack/events", data=body.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature})
    start = time.perf_counter()
    urllib.request.urlopen(request, timeout=10).close()
    while time.perf_counter() - start < 30:
        replies = [c for c in slack.calls_of("respond") if c.args["response_url_key"] == key]
        if replies:
            elapsed = time.perf_counter() - start
            return elapsed, {k: v for k, v in replies[0].args.items()
                             if k not in ("response_url_key",)}
        time.sleep(0.0005)
    raise RuntimeError("no reply posted")


def _measure_server(argv: list[str], env: dict[str, str], slack: LocalSlack, tag: str
                    ) -> tuple[float, float, float, dict[str, object]]:
    """(first request s, warm median s, idle RSS MiB, the first reply)."""
    process = subprocess.Popen(argv, env=env, cwd=env["HOME_DIR"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{argv[-1] if argv[-1].isdigit() else env['PORT']}"
    try:
        _wait_up(base, process)
        time.sleep(3)  # idle: background warm-up (index, resume) has had its turn
        idle = _rss_mib(process.pid)
        first, reply = _slash(base, slack, f"{tag}-first")
        warm = statistics.median(_slash(base, slack, f"{tag}-{n}")[0]
                                 for n in range(WARM_REQUESTS))
        return first, warm, idle, reply
    except urllib.error.HTTPError as exc:
        process.kill()
        problem = process.stderr.read().decode()[-3000:] if process.stderr else ""
        raise RuntimeError(f"{argv}: {exc}: {problem}") from exc
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def _serve_rows(env: dict[str, str], slack: LocalSlack, tmp: Path) -> None:
    served = {**env, "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET,
              "SLACK_API_URL": slack.api_url}
    served.pop("SLACK_APP_TOKEN", None)
    ours: list[tuple[float, float, float]] = []
    floor: list[tuple[float, float, float]] = []
    reply: dict[str, object] = {}
    for n in range(max(3, ROUNDS // 2)):
        port = str(_free_port())
        *figures, reply = _measure_server(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--no-scheduler",
             "--port", port], {**served, "PORT": port}, slack, f"ours{n}")
        ours.append((figures[0], figures[1], figures[2]))
    bare = tmp / "bare_bolt.py"
    bare.write_text(BARE_BOLT)
    for n in range(max(3, ROUNDS // 2)):
        port = str(_free_port())
        *figures, bare_reply = _measure_server(
            [sys.executable, str(bare), port],
            {**served, "PORT": port, "BARE_REPLY": json.dumps(reply)}, slack, f"bare{n}")
        assert bare_reply == reply, "the bare app posted another reply"
        floor.append((figures[0], figures[1], figures[2]))

    def med(rows: list[tuple[float, float, float]], i: int) -> float:
        return statistics.median(r[i] for r in rows)

    print(_row("serve: first request, reply posted", med(ours, 0), med(floor, 0), "ms"))
    print(_row("serve: warm request, reply posted", med(ours, 1), med(floor, 1), "ms"))
    print(_row("serve: idle memory (RSS)", med(ours, 2), med(floor, 2), "MiB"))


def _prepare(env: dict[str, str]) -> None:
    """Bytecode compiled; demo data and starter articles in the temporary database, the
    index built."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "bot", "handlers", "knowledge",
                    "store"], env=env, cwd=ROOT, capture_output=True, check=True)
    subprocess.run([sys.executable, "-m", "bot", "demo"], env=env, cwd=env["HOME_DIR"],
                   stdin=subprocess.DEVNULL, capture_output=True, check=True)
    subprocess.run([sys.executable, "-m", "bot", "kb", "reindex"], env=env,
                   cwd=env["HOME_DIR"], capture_output=True, check=True)


def run(only: Callable[[str], bool] = lambda part: part in PARTS) -> None:
    with tempfile.TemporaryDirectory() as tmp_name, LocalSlack() as slack:
        tmp = Path(tmp_name)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'startup.db'}",
               "SALESBOT_INDEX_DIR": str(tmp / "index"), "HOME_DIR": str(tmp),
               "PYTHONPATH": str(ROOT), "TERM": "dumb",
               "PYTHONPYCACHEPREFIX": str(tmp / "pycache")}
        for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN",
                     "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        _prepare(env)
        print(f"{'start-up (median of ' + str(ROUNDS) + ')':<34} {'salesbot':>9} "
              f"{'floor':>9}     {'ratio':>7}")
        if only("cli"):
            _cli_rows(env, tmp)
        if only("demo"):
            _demo_row(env)
        if only("serve"):
            _serve_rows(env, slack, tmp)
