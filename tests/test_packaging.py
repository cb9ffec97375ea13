"""The container files hold what production needs (docker itself may not run here)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_dockerfile_essentials() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1[1-9]-slim", text, re.M)
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1] not in ("root", "0")
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert re.search(r'^ENTRYPOINT \["salesbot"\]', text, re.M)
    assert '"serve"' in text
    for package in ("bot", "handlers", "knowledge", "store"):
        assert f"COPY {package} " in text


def test_compose_runs_salesbot_with_postgres() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres")
    assert "healthcheck" in services["db"]
    app = services["salesbot"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert "3000:3000" in app["ports"]
