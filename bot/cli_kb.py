"""`salesbot kb import|reindex|search`: the knowledge base from the command line.

Exit codes (docs/INTERFACES.md): 0 done; 1 refused (bad files, index busy); 2 usage.
The index lives in `SALESBOT_INDEX_DIR`; every command leaves it caught up with the store.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli_common import fail

if TYPE_CHECKING:
    from knowledge import KnowledgeBase, SearchResults

_BOLD = re.compile(r"\*([^*\n]+)\*")


def terminal_text(mrkdwn: str, *, tty: bool) -> str:
    """A snippet's Slack mrkdwn for a terminal: entities decoded, `*bold*` in bold on a tty."""
    text = mrkdwn
    if tty:
        text = _BOLD.sub(lambda m: click.style(m.group(1), bold=True), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _knowledge_base(context: Any) -> KnowledgeBase:
    from knowledge import KnowledgeBase

    return KnowledgeBase(context.store(), context.settings.index_dir, sync_interval=0,
                         engine=context.settings.kb_engine)


def _echo_problems(problems: list[str], *, prefix: str = "") -> None:
    """At most 50 problems on stderr, then a count of the rest (as CSV imports do)."""
    for problem in problems[:50]:
        click.echo(f"{prefix}{problem}", err=True)
    if len(problems) > 50:
        click.echo(f"… and {len(problems) - 50} more", err=True)


def _import_articles(context: Any, folder: Path, *, skip_bad: bool = False,
                     prune: bool = False) -> None:
    """`kb import DIR`: the articles, all or nothing (or the good ones, with --skip-bad),
    then the index caught up."""
    from knowledge import IndexBusy
    from store.errors import StoreError
    from store.services.knowledge.articles import KnowledgeService
    from store.services.knowledge.markdown_import import ImportProblems

    try:
        summary = KnowledgeService(context.store()).import_markdown_dir(
            folder, skip_bad=skip_bad, prune=prune)
    except ImportProblems as exc:
        _echo_problems(exc.problems)
        fail(f"nothing imported: {len(exc.problems)} file(s) need fixing")
    except StoreError as exc:
        fail(str(exc))
    _echo_problems(summary.skipped, prefix="skipped ")
    click.echo(f"imported {summary.total} article(s): {summary.created} new, "
               f"{summary.updated} updated, {summary.unchanged} unchanged")
    if summary.skipped:
        click.echo(f"skipped {len(summary.skipped)} bad file(s), named on stderr")
    if prune:
        click.echo(f"removed {summary.removed} article(s) no file in {folder} holds")
    if summary.drafts:
        click.echo(f"left out {len(summary.drafts)} draft(s) (draft: true): "
                   + ", ".join(summary.drafts[:10])
                   + (f" and {len(summary.drafts) - 10} more" if len(summary.drafts) > 10
                      else ""))
    try:
        changed = _knowledge_base(context).sync()
    except IndexBusy as exc:
        fail(f"{exc}; the index will catch up on its next search")
    click.echo(f"index caught up ({changed} document(s) written)")


def _reindex(context: Any) -> None:
    """`kb reindex`: the whole index rebuilt from the database."""
    from knowledge import IndexBusy

    began = time.perf_counter()
    try:
        count = _knowledge_base(context).rebuild()
    except IndexBusy as exc:
        fail(str(exc))
    click.echo(f"indexed {count} article(s) into {context.settings.index_dir} "
               f"in {time.perf_counter() - began:.1f} s")


def search_json(results: SearchResults) -> str:
    """The hits as one JSON object (docs/INTERFACES.md): the query, the correction searched
    instead of it (or null), a suggestion not searched (or null), the total, and per hit
    slug, title, score and snippet (plain text, the matched words not marked)."""
    import json

    correction = results.suggestion if results.corrected else None
    return json.dumps({
        "query": results.query,
        "correction": correction,
        "suggestion": None if results.corrected else results.suggestion,
        "total": results.total,
        "page": results.page,
        "hits": [{"slug": h.slug, "title": h.title, "score": h.score,
                  "snippet": h.snippet.text} for h in results.hits],
    }, ensure_ascii=False)


def _search(context: Any, query: str, limit: int, page: int, *, as_json: bool = False) -> None:
    """`kb search QUERY`: one page of hits, with the spelling correction said first."""
    from knowledge import IndexBusy

    try:
        results = _knowledge_base(context).search(query, limit=limit, page=page)
    except IndexBusy as exc:
        fail(str(exc))
    if as_json:
        click.echo(search_json(results))
        return
    if results.corrected and results.suggestion and results.typed_matched:
        click.echo(f'Showing results for "{results.suggestion}" (searched instead of "{query}").')
    elif results.corrected and results.suggestion:
        click.echo(f'No match for "{query}"; showing results for "{results.suggestion}".')
    elif results.corrected:
        click.echo(f'No exact match for "{query}"; showing close matches.')
    elif results.suggestion:
        click.echo(f'Did you mean: "{results.suggestion}"?')
    if not results.hits:
        click.echo("No articles found." if page == 1 else f"No results on page {page}.")
        return
    _echo_hits(results, tty=sys.stdout.isatty())


def _echo_hits(results: SearchResults, *, tty: bool) -> None:
    """The numbered hits of a page, each with its snippet and tags, then where we are."""
    from handlers.knowledge.snippets import snippet_mrkdwn

    first = (results.page - 1) * results.limit
    for n, hit in enumerate(results.hits, start=first + 1):
        title = click.style(hit.title, bold=True) if tty else hit.title
        click.echo(f"{n}. {title}  [{hit.slug}]  score {hit.score:.2f}")
        click.echo(f"   {terminal_text(snippet_mrkdwn(hit.snippet), tty=tty)}")
        about = ", ".join(hit.tags)
        if hit.product:
            about = f"{about} · product: {hit.product}" if about else f"product: {hit.product}"
        if about:
            click.echo(f"   tags: {about}" if hit.tags else f"   {about}")
    shown_to = first + len(results.hits)
    more = f"; --page {results.page + 1} for more" if results.has_more else ""
    click.echo(f"{first + 1}–{shown_to} of {results.total}{more}")


def register(cli: click.Group, pass_context: Any) -> None:
    """Add the `kb` group to the `salesbot` group."""

    @cli.group()
    def kb() -> None:
        """Knowledge base: import articles, rebuild the index, search."""

    @kb.command("import")
    @click.argument("folder", metavar="DIR",
                    type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option("--skip-bad", is_flag=True,
                  help="Import the good files; name each bad one (file and line) on stderr.")
    @click.option("--prune", is_flag=True,
                  help="Also delete every article no file in DIR holds (same transaction).")
    @pass_context
    def kb_import(context: Any, folder: Path, skip_bad: bool, prune: bool) -> None:
        """Import every *.md under DIR (front matter: title, tags, product, description;
        other keys ignored; drafts left out). The path is the slug, so importing again
        updates what changed; --prune removes what is gone. All or nothing, unless
        --skip-bad."""
        _import_articles(context, folder, skip_bad=skip_bad, prune=prune)

    @kb.command("reindex")
    @pass_context
    def kb_reindex(context: Any) -> None:
        """Rebuild the search index from the database and swap it in."""
        _reindex(context)

    @kb.command("search")
    @click.argument("words", nargs=-1, required=True, metavar="QUERY")
    @click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50),
                  help="Results per page.")
    @click.option("--page", default=1, show_default=True, type=click.IntRange(1),
                  help="Which page of results.")
    @click.option("--json", "as_json", is_flag=True,
                  help="One JSON object: slug, title, score, snippet per hit; the correction.")
    @pass_context
    def kb_search(context: Any, words: tuple[str, ...], limit: int, page: int,
                  as_json: bool) -> None:
        """Search the knowledge base: words, "phrases", prefix*, tag:X, product:X, -tag:X."""
        _search(context, " ".join(words), limit, page, as_json=as_json)
