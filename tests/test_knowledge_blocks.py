"""Block Kit for the knowledge base: pure functions, checked against Slack's limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from handlers.knowledge.blocks import (
    article_blocks,
    article_form,
    article_modal,
    article_pages,
    markdown_to_mrkdwn,
    search_blocks,
)
from handlers.slack.text import LINK_MARK
from knowledge import Hit, SearchResults, Snippet, SnippetPiece
from store.services.knowledge.articles import ArticleView

WHEN = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def _hit(n: int, **fields: Any) -> Hit:
    base = {"article_id": n, "slug": f"article-{n}", "title": f"Article {n}",
            "tags": ["pricing"], "product": None, "score": 1.0,
            "snippet": Snippet((SnippetPiece("Ask what they "),
                                SnippetPiece("compare", highlighted=True),
                                SnippetPiece(" against.")))}
    return Hit(**{**base, **fields})


def _article(body: str, **fields: Any) -> ArticleView:
    base = {"id": 7, "slug": "playbook", "title": "Playbook", "body": body,
            "tags": ["renewals"], "product": "Platform", "author_id": None,
            "created_at": WHEN, "updated_at": WHEN, "deleted_at": None}
    return ArticleView(**{**base, **fields})


def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    out = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        for element in block.get("elements", []):
            if element.get("type") == "mrkdwn":
                out.append(element["text"])
    return out


def _buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(e["text"]["text"], e["action_id"], e["value"])
            for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_search_blocks_show_title_snippet_and_buttons() -> None:
    results = SearchResults(query="pricing", total=1, hits=[
        _hit(3, title="<!channel> & friends", product="Platform")])
    blocks = search_blocks(results, "pricing")
    texts = _texts(blocks)
    assert "*&lt;!channel&gt; &amp; friends*\nAsk what they *compare* against." in texts
    assert "`pricing` · product: Platform" in texts
    assert _buttons(blocks) == [("Open", "kb_open", "3"), ("Share in channel", "kb_share", "3")]
    assert not any("Did you mean" in t for t in texts)


def test_search_blocks_offer_the_suggestion_and_more_results() -> None:
    results = SearchResults(query="pricng", total=12, limit=5, suggestion="pricing",
                            hits=[_hit(n) for n in range(5)])
    blocks = search_blocks(results, "pricng")
    assert "Did you mean *pricing*?" in _texts(blocks)
    buttons = _buttons(blocks)
    assert buttons[0] == ("Search “pricing”", "kb_search", "pricing")
    assert buttons[-1][:2] == ("More results", "kb_more")
    assert json.loads(buttons[-1][2]) == {"q": "pricng", "page": 2}

    corrected = SearchResults(query="pricng", total=1, suggestion="pricing", corrected=True,
                              hits=[_hit(1)])
    texts = _texts(search_blocks(corrected, "pricng"))
    assert texts[0] == "No match for “pricng”; showing results for “pricing”."


def test_search_blocks_without_hits_and_with_too_many() -> None:
    empty = search_blocks(SearchResults(query="<zzz>"), "<zzz>")
    assert _texts(empty) == ["No knowledge-base articles match “&lt;zzz&gt;”. Try other words, "
                             "or fewer of them."]
    crowded = search_blocks(SearchResults(query="x", total=50, limit=50,
                                          hits=[_hit(n) for n in range(50)]), "x")
    assert len(crowded) <= 50


def test_markdown_becomes_safe_mrkdwn() -> None:
    text = markdown_to_mrkdwn(
        "# Exit criteria\n\nSome **bold**, *soft* and `code`.\n- one\n  * nested\n"
        "> quoted <@U123>\n[docs](https://example.com/a?b=1&c=2) [bad](javascript:alert(1))\n"
        "| Stage | % |\n|---|---|\n| Prospecting | 10 |\n```\n# not a heading\n```")
    assert text.splitlines() == [
        "*Exit criteria*", "", "Some *bold*, _soft_ and `code`.", "• one", "  • nested",
        "> quoted &lt;@U123&gt;",
        f"{LINK_MARK}<https://example.com/a?b=1&amp;c=2|docs> [bad](javascript:alert(1))",
        "Stage · %", "Prospecting · 10", "```", "# not a heading", "```",
    ]


def test_a_long_article_is_paged_within_block_kit_limits() -> None:
    paragraphs = [f"Paragraph {n}: " + ("renewal risk & signals " * 60) for n in range(30)]
    paragraphs.insert(5, "x" * 7000 + " &amp; tail")  # one giant word
    article = _article("\n\n".join(paragraphs))
    pages = article_pages(article)
    assert pages > 3
    seen = []
    for page in range(1, pages + 1):
        blocks = article_blocks(article, page)
        assert len(blocks) <= 50
        for block in blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000
        seen.extend(_texts(blocks)[2:])
        buttons = [b[1] for b in _buttons(blocks)]
        assert ("kb_page_prev" in buttons) == (page > 1)
        assert ("kb_page_next" in buttons) == (page < pages)
        assert "kb_share" in buttons
    joined = "".join(seen).replace("\n", "").replace(" ", "")
    for n in range(30):
        assert f"Paragraph{n}:" in joined
    assert "x" * 7000 in joined and "&amp;amp;tail" in joined
    assert article_blocks(article, 999) == article_blocks(article, pages)


def test_a_short_article_is_one_page() -> None:
    article = _article("Renew **early**.", title="Renewals <3")
    blocks = article_blocks(article)
    assert _texts(blocks)[:3] == ["*Renewals &lt;3*",
                                  "`renewals` · product: Platform · updated Mon, Nov 23, 2026",
                                  "Renew *early*."]
    assert _buttons(blocks) == [("Share in channel", "kb_share", "7")]


def _submitted(view: dict[str, Any], answers: dict[str, str]) -> dict[str, Any]:
    state = {block["block_id"]: {"value": {"type": "plain_text_input",
                                           "value": answers.get(block["block_id"])}}
             for block in view["blocks"] if block["type"] == "input"}
    return {**view, "state": {"values": state}}


def test_the_article_form_adds_and_edits() -> None:
    new = article_modal(title="Good answer", body="Use &lt;b&gt; wisely",
                        source="https://slack.test/archives/C1/p1")
    assert new["callback_id"] == "kb_article"
    assert [b["block_id"] for b in new["blocks"]] == ["title", "tags", "product", "body"]
    assert new["blocks"][3]["element"]["initial_value"] == "Use <b> wisely"
    form = article_form(_submitted(new, {"title": " Good answer ", "tags": "pricing, ,tips",
                                         "body": "Text", "product": ""}))
    assert form == {"id": None, "title": "Good answer", "body": "Text",
                    "tags": ["pricing", "tips"], "product": None,
                    "source": "https://slack.test/archives/C1/p1"}

    edit = article_modal(_article("Short body."))
    assert edit["title"]["text"] == "Edit article"
    assert edit["blocks"][1]["element"]["initial_value"] == "renewals"
    assert article_form(_submitted(edit, {"title": "Playbook", "body": "New"}))["id"] == 7


def test_a_body_too_long_for_the_form_is_kept_as_it_is() -> None:
    edit = article_modal(_article("word " * 1000))
    assert "body" not in [b.get("block_id") for b in edit["blocks"]]
    assert article_form(_submitted(edit, {"title": "Playbook"}))["body"] is None
