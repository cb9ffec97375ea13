"""Markdown folders into the knowledge base: each `*.md` file (optional YAML front matter)
read and checked first, then upserted by slug, all or nothing, so re-importing the same
folder changes nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.errors import InvalidInput
from store.models import KnowledgeArticle
from store.schemas import View
from store.services.knowledge.fields import (
    clean_body,
    clean_product,
    clean_slug,
    clean_title,
    normalize_tags,
    slugify,
)

FRONT_MATTER_KEYS = ("title", "tags", "product")

_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


class ImportSummary(View):
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class ImportProblems(InvalidInput):
    """Every file that could not be read, one `FILE: reason` per problem; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ParsedArticle:
    slug: str
    title: str
    body: str
    tags: list[str] = field(default_factory=list)
    product: str | None = None


def parse_markdown(text: str, stem: str) -> ParsedArticle:
    """A markdown file with optional YAML front matter between `---` lines.

    Without a `title`, the first `# heading` names the article, else the file name.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    meta: dict[str, Any] = {}
    if text.startswith("---\n"):
        end = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], re.MULTILINE)
        if end is None:
            raise InvalidInput("front matter starts with '---' but has no closing '---' line")
        try:
            loaded = yaml.safe_load(text[4 : 4 + end.start()])
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 2})" if mark is not None else ""
            raise InvalidInput(f"front matter is not valid YAML{where}") from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise InvalidInput("front matter must be `key: value` lines")
        meta = loaded or {}
        text = text[4 + end.end():].lstrip("\n")
    unknown = sorted(str(k) for k in meta if k not in FRONT_MATTER_KEYS)
    if unknown:
        raise InvalidInput(f"unknown front matter key(s) {', '.join(unknown)} "
                           f"(use {', '.join(FRONT_MATTER_KEYS)})")
    for key in ("title", "product"):
        if meta.get(key) is not None and not isinstance(meta[key], str | int | float):
            raise InvalidInput(f"{key} must be text")
    title = meta.get("title")
    if title is None:
        heading = _HEADING.search(text)
        title = heading.group(1) if heading else stem.replace("-", " ").replace("_", " ")
        title = title[:1].upper() + title[1:]
    tags = meta.get("tags")
    if tags is not None and not isinstance(tags, str | list):
        raise InvalidInput("tags must be a list or a comma-separated line")
    product = meta.get("product")
    return ParsedArticle(
        slug=clean_slug(slugify(stem) or stem), title=clean_title(str(title)),
        body=clean_body(text), tags=normalize_tags(tags),
        product=clean_product(str(product) if product is not None else None),
    )


def read_markdown_dir(path: Path) -> list[ParsedArticle]:
    """Every `*.md` under PATH (hidden files skipped), or `ImportProblems` naming each bad file."""
    if not path.is_dir():
        raise InvalidInput(f"{path} is not a folder.")
    files = sorted(p for p in path.rglob("*.md")
                   if p.is_file() and not any(part.startswith(".")
                                              for part in p.relative_to(path).parts))
    if not files:
        raise InvalidInput(f"{path} holds no .md files.")
    parsed: list[ParsedArticle] = []
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for file in files:
        try:
            article = parse_markdown(file.read_text(encoding="utf-8"), file.stem)
        except UnicodeDecodeError:
            problems.append(f"{file}: not UTF-8 text")
            continue
        except InvalidInput as exc:
            problems.append(f"{file}: {exc}")
            continue
        if article.slug in seen:
            problems.append(f"{file}: same slug {article.slug!r} as {seen[article.slug]}")
            continue
        seen[article.slug] = file
        parsed.append(article)
    if problems:
        raise ImportProblems(problems)
    return parsed


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
                  "product": item.product}
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
