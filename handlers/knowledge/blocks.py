"""Block Kit for the knowledge base: search results, an article paged to fit, the admin form.

Pure functions only; the listeners that call them live with the other listeners. Article
text is escaped before any formatting is added, and every text is clipped to Block Kit's
limits (section 3000, button 75, value 2000, 50 blocks in a message).
"""

from __future__ import annotations

import json
import re
from typing import Any

from handlers.knowledge.snippets import snippet_mrkdwn
from handlers.slack.blocks import actions, button, context, mrkdwn
from handlers.slack.delivery import share_button
from handlers.slack.modals import input_block, metadata, modal, text_input, values
from handlers.slack.text import clip, day, escape, from_slack, link
from knowledge import SearchResults
from knowledge.markdown import HEADING, STAR_EMPHASIS
from store.services.knowledge.articles import ArticleView

Block = dict[str, Any]
View = dict[str, Any]

SECTION_CHARS = 2800  # Block Kit allows 3000 in a section; leaves room for a continuation mark
SECTIONS_PER_PAGE = 4
MAX_HITS_SHOWN = 12  # 3 blocks a hit + header and footer stay far below 50 blocks
FORM_BODY_LIMIT = 3000  # plain_text_input's max_length

ACTION_OPEN = "kb_open"
ACTION_SHARE = "kb_share"
ACTION_PAGE = "kb_page"
ACTION_MORE = "kb_more"
ACTION_SUGGESTION = "kb_search"
CALLBACK_ARTICLE = "kb_article"


# -- search results --------------------------------------------------------------------------

def _about(tags: list[str], product: str | None) -> str:
    parts = [" ".join(f"`{escape(t)}`" for t in tags)] if tags else []
    if product:
        parts.append(f"product: {escape(product)}")
    return " · ".join(parts)


def search_blocks(results: SearchResults, query: str) -> list[Block]:
    """Ranked hits (title, highlighted snippet, Open / Share in channel), "did you mean",
    and a "More results" button when there is another page."""
    shown_query = escape(clip(query, 200))
    blocks: list[Block] = []
    if results.corrected and results.suggestion and results.typed_matched:
        blocks.append(context(f"Showing results for “{escape(results.suggestion)}” "
                              f"(searched instead of “{shown_query}”)."))
    elif results.corrected and results.suggestion:
        blocks.append(context(f"No match for “{shown_query}”; showing results for "
                              f"“{escape(results.suggestion)}”."))
    elif results.corrected:
        blocks.append(context(f"No exact match for “{shown_query}”; showing close matches."))
    elif results.suggestion:
        blocks.append(mrkdwn(f"Did you mean *{escape(results.suggestion)}*?"))
        blocks.append(actions(button(f"Search “{results.suggestion}”", ACTION_SUGGESTION,
                                     results.suggestion[:2000])))
    if not results.hits:
        blocks.append(mrkdwn(f"No knowledge-base articles match “{shown_query}”. Try other "
                             "words, or fewer of them."))
        return blocks
    first = (results.page - 1) * results.limit
    blocks.append(context(f"Knowledge base · {first + 1}–{first + len(results.hits)} of "
                          f"{results.total} for “{shown_query}”"))
    for hit in results.hits[:MAX_HITS_SHOWN]:
        blocks.append(mrkdwn(f"*{escape(hit.title)}*\n{snippet_mrkdwn(hit.snippet)}"))
        about = _about(hit.tags, hit.product)
        if about:
            blocks.append(context(about))
        blocks.append(actions(button("Open", ACTION_OPEN, str(hit.article_id)),
                              share_button(ACTION_SHARE, str(hit.article_id))))
    if results.has_more:
        value = json.dumps({"q": query[:1500], "page": results.page + 1},
                           separators=(",", ":"))
        blocks.append(actions(button("More results", ACTION_MORE, value)))
    return blocks


# -- an article, paged ----------------------------------------------------------------------

_FENCE = re.compile(r"^\s*```")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:)[^)\s]+)\)")
_STRONG_MARK = "\x00"


def _inline(line: str) -> str:
    line = _LINK.sub(lambda m: link(m.group(2), m.group(1).replace("|", "/")), line)
    line = _STRONG.sub(lambda m: f"{_STRONG_MARK}{m.group(2)}{_STRONG_MARK}", line)
    line = STAR_EMPHASIS.sub(r"_\1_", line)
    return line.replace(_STRONG_MARK, "*")


def markdown_to_mrkdwn(markdown: str) -> str:
    """An article body as Slack mrkdwn: escaped first, then headings bold, bullets as •,
    links as <url|label> (web and mail links only), tables as rows of " · "."""
    out: list[str] = []
    in_code = False
    for line in escape(markdown).splitlines():
        if _FENCE.match(line):
            in_code = not in_code
            out.append("```")
            continue
        if in_code:
            out.append(line)
            continue
        if _TABLE_RULE.match(line):
            continue
        heading = HEADING.match(line)
        if heading:
            out.append(f"*{_inline(heading.group(1)).replace('*', '')}*")
            continue
        if line.lstrip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            out.append(" · ".join(_inline(c) for c in cells))
            continue
        if line.startswith("&gt; "):
            line = "> " + line[5:]  # a quote; only "<" can forge links or mentions
        line = _BULLET.sub(lambda m: m.group(1) + "• ", line)
        out.append(_inline(line))
    return "\n".join(out).strip()


def _split(text: str, limit: int) -> list[str]:
    """Pieces of at most LIMIT characters, cut at paragraphs, then lines, then spaces."""
    if len(text) <= limit:
        return [text]
    for separator in ("\n\n", "\n", " "):
        if separator not in text:
            continue
        pieces: list[str] = []
        current = ""
        for part in text.split(separator):
            candidate = f"{current}{separator}{part}" if current else part
            if len(candidate) <= limit:
                current = candidate
                continue
            if current:
                pieces.append(current)
            current = part
        if current:
            pieces.append(current)
        return [small for piece in pieces for small in _split(piece, limit)]
    pieces = []
    while len(text) > limit:
        cut = limit
        amp = text.rfind("&", 0, cut)
        if amp != -1 and ";" not in text[amp:cut]:
            cut = amp or limit  # never split an escape such as &amp;
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text] if text else pieces


def article_sections(article: ArticleView) -> list[str]:
    return [s for s in _split(markdown_to_mrkdwn(article.body), SECTION_CHARS) if s.strip()]


def _page_count(sections: list[str]) -> int:
    return max(1, -(-len(sections) // SECTIONS_PER_PAGE))


def article_pages(article: ArticleView) -> int:
    return _page_count(article_sections(article))


def article_blocks(article: ArticleView, page: int = 1) -> list[Block]:
    """One page of the article: title, tags, up to four sections of at most 3000
    characters, then Previous / Next when it has more pages, and Share in channel."""
    sections = article_sections(article)
    pages = _page_count(sections)
    page = min(max(1, page), pages)
    blocks: list[Block] = [mrkdwn(f"*{escape(article.title)}*")]
    about = _about(article.tags, article.product)
    blocks.append(context(" · ".join(p for p in (
        about, f"updated {day(article.updated_at.date())}",
        f"page {page} of {pages}" if pages > 1 else "") if p)))
    start = (page - 1) * SECTIONS_PER_PAGE
    blocks.extend(mrkdwn(section) for section in sections[start:start + SECTIONS_PER_PAGE])
    buttons = []
    if page > 1:
        buttons.append(button("‹ Previous", f"{ACTION_PAGE}_prev",
                              {"id": article.id, "page": page - 1}))
    if page < pages:
        buttons.append(button("Next ›", f"{ACTION_PAGE}_next",
                              {"id": article.id, "page": page + 1}))
    buttons.append(share_button(ACTION_SHARE, str(article.id)))
    blocks.append(actions(*buttons))
    return blocks


def article_text(article: ArticleView) -> str:
    """The notification text that goes with `article_blocks` (no formatting)."""
    return clip(escape(f"Knowledge base: {article.title}"), 300)


# -- the admin form --------------------------------------------------------------------------

def article_modal(article: ArticleView | None = None, *, title: str | None = None,
                  body: str | None = None, tags: list[str] | None = None,
                  product: str | None = None, source: str | None = None) -> View:
    """Add (no ARTICLE) or edit an article. "Save to knowledge base" prefills TITLE and
    BODY from the message (Slack's escapes are read back first) and keeps its permalink
    as SOURCE. A body longer than a form field can hold is left out, and kept on save."""
    if article is not None:
        title, body = article.title, article.body
        tags, product = article.tags, article.product
    body = from_slack(body) if body and article is None else body
    blocks: list[Block] = [
        input_block("title", "Title", text_input(title, max_length=300)),
        input_block("tags", "Tags", text_input(", ".join(tags or []), max_length=500),
                    optional=True, hint="Comma-separated, e.g. pricing, objections"),
        input_block("product", "Product", text_input(product, max_length=200), optional=True,
                    hint="Leave empty when the article is not about one product"),
    ]
    keep_body = bool(body) and len(body or "") > FORM_BODY_LIMIT and article is not None
    if keep_body:
        blocks.append(context(
            f"The article is {len(body or ''):,} characters long, more than a form can hold, "
            "so its text is not shown here and stays as it is. Edit the markdown file and run "
            "`salesbot kb import` to change it."))
    else:
        blocks.append(input_block("body", "Article (markdown)", text_input(
            body, multiline=True, max_length=FORM_BODY_LIMIT)))
    private = {"id": article.id if article else None, "source": (source or "")[:1000] or None}
    view = modal(CALLBACK_ARTICLE, "Edit article" if article else "New article", "Save",
                 blocks)
    return {**view, "private_metadata": json.dumps(private, separators=(",", ":"))}


def article_form(view: dict[str, Any]) -> dict[str, Any]:
    """A submitted `article_modal`: id (None for a new one), title, body (None when the form
    left it out), tags (list), product (None when empty), source permalink."""
    fields = values(view)
    meta = metadata(view)
    tags = [t.strip() for t in (fields.get("tags") or "").split(",") if t.strip()]
    return {
        "id": meta.get("id"), "title": (fields.get("title") or "").strip(),
        "body": fields.get("body") if "body" in fields else None,
        "tags": tags, "product": (fields.get("product") or "").strip() or None,
        "source": meta.get("source"),
    }
