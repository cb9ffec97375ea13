"""The admin's article form: opened by `/sales kb add|edit`, saved by its listener."""

from __future__ import annotations

from slack_sdk import WebClient

from handlers.deps import Deps
from handlers.knowledge import blocks as kbui


def open_article_form(deps: Deps, client: WebClient, actor_id: int, trigger_id: str,
                      ref: str | None) -> None:
    """`/sales kb add` and `/sales kb edit SLUG` (admins)."""
    deps.services.people.check_admin(actor_id)
    article = deps.services.knowledge.get(ref) if ref else None
    client.views_open(trigger_id=trigger_id, view=kbui.article_modal(article))
