"""A knowledge-base search as a Slack answer, for free text, `/sales kb` and the
"More results" / "did you mean" buttons alike."""

from __future__ import annotations

from handlers.deps import Deps
from handlers.knowledge import blocks as kbui
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import escape


def search_answer(deps: Deps, query: str, page: int = 1) -> Answer:
    if deps.knowledge is None:
        return say_text("The knowledge base is not set up here.", private=True)
    query = query.strip()
    if not query:
        return say_text("Say what to look for: `kb sso setup` or `/sales kb pricing "
                        "objection`.", private=True)
    results = deps.knowledge.search(query, limit=5, page=page)
    return Answer(text=escape(f"Knowledge base: {query}"),
                  blocks=kbui.search_blocks(results, query))
