"""Listeners for pipeline reports and leads (buttons, forms); being built: issue 7."""

from __future__ import annotations

from slack_bolt import App

from handlers.deps import Deps
from handlers.pipeline_flow import PipelineFlow


def register(app: App, deps: Deps, flow: PipelineFlow) -> None:
    """Nothing to register yet."""
