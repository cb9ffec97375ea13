"""`salesbot demo` and `salesbot export` as a newcomer runs them: real processes, piped input."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest


def salesbot(args: list[str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "SALESBOT_")) and k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


def test_demo_logs_a_call_with_a_follow_up_on_friday(demo_dir: Path) -> None:
    run = salesbot(["demo", "--reset"], demo_dir,
                   "logged a call with acme, they want pricing by friday\n:quit\n")
    assert run.returncode == 0, run.stderr
    assert "Logged a call on *Acme — Renewal*" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    export = salesbot(["export", "activities", "-"], demo_dir)
    rows = [r for r in csv.DictReader(io.StringIO(export.stdout))
            if r["subject"] == "They want pricing by friday"]
    assert len(rows) == 1 and rows[0]["done"] == "false"
    due = date.fromisoformat(rows[0]["follow_up_at"][:10])
    today = datetime.now(ZoneInfo("America/New_York")).date()  # the demo is Alex's, in NY
    assert due.weekday() == 4 and today < due <= today + timedelta(days=8)


def test_demo_approval_walkthrough(demo_dir: Path) -> None:
    script = "\n".join([
        "quote globex expansion: 20 seats of Platform at 30% off",
        ':click 1 "Why this discount?"="competitor is 25% cheaper"',
        ":as Morgan Lee", ":click 1", ":as Priya Shah", ":click 1", ":as Alex Rivera",
        ":quit"]) + "\n"
    run = salesbot(["demo", "--reset"], demo_dir, script)
    assert run.returncode == 0, run.stderr
    tail = run.stdout.split("you are now Alex Rivera", 1)[1]
    assert "It is approved" in tail and "[1] Mark sent" in tail


def test_demo_json_prints_web_api_calls(demo_dir: Path) -> None:
    run = salesbot(["demo", "--json"], demo_dir, "help\n:quit\n")
    calls = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert any(c["method"] == "chat.postMessage" for c in calls)
    assert all("token" not in c["args"] for c in calls)
    assert "xoxb" not in run.stdout


def test_demo_time_delivers_reminders_and_snooze_brings_them_back(demo_dir: Path) -> None:
    monday = date.today() + timedelta(days=(7 - date.today().weekday()) % 7 or 7)
    script = "\n".join([
        f"logged a call with acme, follow up on {monday:%B} {monday.day}",
        f":time {monday:%Y-%m-%d}T09:30",
        ":quit"]) + "\n"
    run = salesbot(["demo", "--reset"], demo_dir, script)
    assert run.returncode == 0, run.stderr
    after = run.stdout.split("the time is now", 1)[1]
    assert "Follow up on *Acme — Renewal*" in after and "Snooze 1 day" in after
