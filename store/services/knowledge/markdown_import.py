"""Markdown folders into the knowledge base: each `*.md` file (optional YAML front matter)
read and checked first, then upserted by slug in one transaction, so re-importing the same
folder changes nothing.

Folders come from docs sites as they are: front-matter keys of other tools are kept
(`front_matter`, JSON) and otherwise ignored, drafts left out, markup stripped, and slugs
made from the page's path inside the folder (unique by construction, see page_slugs.py).
A bad page refuses the whole folder, unless the caller skips bad pages (`salesbot kb
import --skip-bad`): then each is named, by file and line, and the rest imports.

Long pages are imported whole (up to `BODY_MAX`), not split at headings: a hit opens the
page the admin wrote, and the index scores length itself (see knowledge/schema.py).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.errors import InvalidInput
from store.models import KnowledgeArticle
from store.schemas import View
from store.services.knowledge.docs_markup import strip_docs_markup
from store.services.knowledge.fields import (
    TITLE_MAX,
    clean_body,
    clean_product,
    clean_slug,
    clean_title,
    normalize_tags,
    slugify,
    strip_emphasis,
)
from store.services.knowledge.page_slugs import unique_slugs

FRONT_MATTER_KEYS = ("title", "tags", "product", "description", "draft")
# A key this close to one of ours is a typo ("titel"), not a docs site's own key: refused,
# so the article does not silently lose its title.
_TYPO_CUTOFF = 0.8
# What a key is called on other docs sites, read as ours.
_ALIASES = {"summary": "description", "keywords": "tags"}

_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


class ImportSummary(View):
    created: int
    updated: int
    unchanged: int
    # `FILE: reason (line N)` of each bad file left out (--skip-bad)
    skipped: list[str] = Field(default_factory=list)
    drafts: list[str] = Field(default_factory=list)  # files with `draft: true`, left out
    removed: int = 0  # live articles no file of the folder holds any more (--prune)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class ImportProblems(InvalidInput):
    """Every file that could not be read, one `FILE: reason (line N)` per problem; nothing
    was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class PageProblem(InvalidInput):
    """Why one page cannot be imported, and the line of the file it concerns."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


class Draft(Exception):
    """The page says `draft: true`: it is not published, so it is not imported."""


@dataclass
class ParsedArticle:
    slug: str
    title: str
    body: str
    tags: list[str] = field(default_factory=list)
    product: str | None = None
    front_matter: dict[str, Any] | None = None  # the keys other docs tools read


def _front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """The YAML between `---` lines, the text after it, and the line that text starts on."""
    if not text.startswith("---\n"):
        return {}, text, 1
    end = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], re.MULTILINE)
    if end is None:
        raise PageProblem("front matter starts with '---' but has no closing '---' line")
    try:
        loaded = yaml.safe_load(text[4 : 4 + end.start()])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        where = f" (line {line})" if mark is not None else ""
        raise PageProblem(f"front matter is not valid YAML{where}", line) from exc
    if loaded is not None and not isinstance(loaded, dict):
        raise PageProblem("front matter must be `key: value` lines", 2)
    rest = text[4 + end.end():]
    body_line = text[: 4 + end.end()].count("\n") + 1
    stripped = rest.lstrip("\n")
    return loaded or {}, stripped, body_line + rest.count("\n", 0, len(rest) - len(stripped))


def _known_keys(meta: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Our keys (and their aliases), and every other key: a docs site's own (`weight`,
    `aliases`, `date`, `sidebar_position`…), kept as JSON and otherwise ignored, unless it
    looks like a typo of one of ours."""
    known: dict[str, Any] = {}
    other: dict[str, Any] = {}
    typos: list[str] = []
    for raw_key, value in meta.items():
        key = str(raw_key).lower()
        key = _ALIASES.get(key, key)
        if key in FRONT_MATTER_KEYS:
            known.setdefault(key, value)
        elif difflib.get_close_matches(key, FRONT_MATTER_KEYS, n=1, cutoff=_TYPO_CUTOFF):
            typos.append(str(raw_key))
        else:
            other[str(raw_key)] = _json_value(value)
    if typos:
        near = [difflib.get_close_matches(t.lower(), FRONT_MATTER_KEYS, n=1,
                                          cutoff=_TYPO_CUTOFF)[0] for t in typos]
        raise PageProblem(f"unknown front matter key(s) {', '.join(sorted(typos))} "
                          f"(did you mean {', '.join(dict.fromkeys(near))}?)", 2)
    return known, other


def _json_value(value: Any) -> Any:
    """A YAML value as JSON holds it: dates as ISO text, other scalars as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_value(v) for v in value]
    return str(value)


def _is_true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "yes"))


def parse_markdown(text: str, stem: str, *, slug: str | None = None) -> ParsedArticle:
    """A markdown file with optional YAML front matter between `---` lines.

    Without a `title`, the first `# heading` names the article, else the file name.
    `description` (or `summary`) becomes the article's opening paragraph, unless the body
    already starts with it, so it is what a hit without a better passage shows. Docs-site
    markup is stripped (docs_markup.py). `draft: true` raises `Draft`.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    meta, text, body_line = _front_matter(text)
    meta, other = _known_keys(meta)
    if _is_true(meta.get("draft")):
        raise Draft()
    for key in ("title", "product", "description"):
        if meta.get(key) is not None and not isinstance(meta[key], str | int | float):
            raise PageProblem(f"{key} must be text", 2)
    text = strip_docs_markup(text)
    title = meta.get("title")
    if title is None:
        heading = _HEADING.search(text)
        title = heading.group(1) if heading else stem.replace("-", " ").replace("_", " ")
        title = strip_emphasis(title) or stem
        title = title[:1].upper() + title[1:]
    description = " ".join(str(meta.get("description") or "").split())
    if description and not text.lstrip().startswith(description):
        text = f"{description}\n\n{text}"
    tags = meta.get("tags")
    if tags is not None and not isinstance(tags, str | list):
        raise PageProblem("tags must be a list or a comma-separated line", 2)
    product = meta.get("product")
    try:
        return ParsedArticle(
            slug=slug if slug is not None else clean_slug(slugify(stem) or stem),
            title=clean_title(str(title)[:TITLE_MAX]), body=clean_body(text),
            tags=normalize_tags(tags),
            product=clean_product(str(product) if product is not None else None),
            front_matter=other or None,
        )
    except PageProblem:
        raise
    except InvalidInput as exc:
        raise PageProblem(str(exc), body_line) from exc


def _bad_bytes_line(data: bytes, exc: UnicodeDecodeError) -> int:
    return data.count(b"\n", 0, exc.start) + 1


@dataclass
class ReadFolder:
    """What reading a folder found: the articles, the bad files, the drafts left out."""

    parsed: list[ParsedArticle] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # slugs of the bad files: never pruned


def read_markdown_folder(path: Path) -> ReadFolder:
    """Every `*.md` under PATH (hidden files and folders left out), each bad one named as
    `FILE: reason (line N)`; `InvalidInput` when PATH is no folder of markdown files."""
    if not path.is_dir():
        raise InvalidInput(f"{path} is not a folder.")
    files = sorted(p.relative_to(path) for p in path.rglob("*.md")
                   if p.is_file() and not any(part.startswith(".")
                                              for part in p.relative_to(path).parts))
    if not files:
        raise InvalidInput(f"{path} holds no .md files.")
    found = ReadFolder()
    for relative, slug in unique_slugs(files).items():
        file = path / relative
        data = file.read_bytes()
        try:
            found.parsed.append(parse_markdown(data.decode("utf-8"), file.stem, slug=slug))
        except UnicodeDecodeError as exc:
            found.unreadable.add(slug)
            found.problems.append(f"{file}: not UTF-8 text (line {_bad_bytes_line(data, exc)})")
        except Draft:
            found.drafts.append(str(file))
        except PageProblem as exc:
            found.unreadable.add(slug)
            message = str(exc)
            where = "" if message.endswith(f"(line {exc.line})") else f" (line {exc.line})"
            found.problems.append(f"{file}: {message}{where}")
    return found


def read_markdown_dir(path: Path) -> list[ParsedArticle]:
    """Every `*.md` under PATH, or `ImportProblems` naming each bad file (all or nothing)."""
    found = read_markdown_folder(path)
    if found.problems:
        raise ImportProblems(found.problems)
    return found.parsed


def prune_articles(session: Session, keep: set[str], now: datetime) -> int:
    """Soft-delete every live article whose slug is not in KEEP; returns how many."""
    stale = list(session.scalars(select(KnowledgeArticle).where(
        KnowledgeArticle.deleted_at.is_(None), KnowledgeArticle.slug.not_in(keep))))
    for article in stale:
        article.deleted_at = now
    session.flush()
    return len(stale)


def upsert_articles(session: Session, parsed: list[ParsedArticle],
                    author_id: int | None) -> ImportSummary:
    """Create, update or leave each parsed article, matched by slug; a file that matches
    its article exactly changes nothing (its `updated_at` stays), and a deleted article
    of the same slug comes back."""
    created = updated = unchanged = 0
    existing = {a.slug: a for a in session.scalars(
        select(KnowledgeArticle).where(KnowledgeArticle.slug.in_([p.slug for p in parsed]))
    )}
    for item in parsed:
        values = {"title": item.title, "body": item.body, "tags": ",".join(item.tags),
                  "product": item.product, "front_matter": item.front_matter}
        article = existing.get(item.slug)
        if article is None:
            session.add(KnowledgeArticle(slug=item.slug, author_id=author_id, **values))
            created += 1
            continue
        changed = [k for k, v in values.items() if getattr(article, k) != v]
        if not changed and article.deleted_at is None:
            unchanged += 1
            continue
        for key in changed:
            setattr(article, key, values[key])
        article.deleted_at = None
        updated += 1
    session.flush()
    return ImportSummary(created=created, updated=updated, unchanged=unchanged)
