"""Knowledge-base articles: the source of truth every process's search index is built from.

Writes are for admins. Deletion is soft and every write moves `updated_at`, so an index
catches up by reading what changed since its last mark (`stamps_since`). Markdown files
import all-or-nothing, upserting by slug, so re-importing the same folder changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.db import Store
from store.errors import Conflict, InvalidInput, NotAllowed, NotFound
from store.models import KnowledgeArticle
from store.schemas import View
from store.services.people.users import require_by_id
from store.services.system import audit

TITLE_MAX = 300
BODY_MAX = 100_000
TAGS_MAX = 500
TAG_MAX = 50
PRODUCT_MAX = 200
SLUG_MAX = 200
FRONT_MATTER_KEYS = ("title", "tags", "product")

_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
_SLUG_OK = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


class ArticleView(View):
    id: int
    slug: str
    title: str
    body: str
    tags: list[str]
    product: str | None
    author_id: int | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @classmethod
    def of(cls, article: KnowledgeArticle) -> ArticleView:
        return cls(
            id=article.id, slug=article.slug, title=article.title, body=article.body,
            tags=split_tags(article.tags), product=article.product, author_id=article.author_id,
            created_at=article.created_at, updated_at=article.updated_at,
            deleted_at=article.deleted_at,
        )


class ArticleStamp(NamedTuple):
    """An article's version without its text: enough for an index to tell what changed."""

    id: int
    updated_at: datetime
    deleted: bool


class ArticleStamps(View):
    """Rows changed since a mark, and the live count and id sum, read in one transaction;
    the count and sum tell an index that rows came or went without being seen."""

    stamps: list[ArticleStamp]
    live_count: int
    live_id_sum: int


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


# -- normalisation ---------------------------------------------------------------------------

def slugify(text: str) -> str:
    """`Handling pricing objections` → `handling-pricing-objections` (ASCII, lowercase)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG_CHARS.sub("-", ascii_text.lower()).strip("-")[:80].strip("-")


def split_tags(tags: str | None) -> list[str]:
    return [t for t in (tags or "").split(",") if t]


def normalize_tags(tags: Iterable[str] | str | None) -> list[str]:
    """Tags are lowercase, one word each (spaces become hyphens), unique, in the order given."""
    if tags is None:
        return []
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    out: list[str] = []
    for item in items:
        if not isinstance(item, str | int | float):
            raise InvalidInput(f"A tag must be a word, not {item!r}.")
        tag = "-".join(str(item).strip().lower().split())
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            raise InvalidInput(f"The tag {tag[:20]!r}… is longer than {TAG_MAX} characters.")
        if tag not in out:
            out.append(tag)
    if len(",".join(out)) > TAGS_MAX:
        raise InvalidInput(f"Tags may take at most {TAGS_MAX} characters in all.")
    return out


def _clean_title(title: str | None) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput("An article needs a title.")
    if len(title) > TITLE_MAX:
        raise InvalidInput(f"A title may be at most {TITLE_MAX} characters.")
    return title


def _clean_body(body: str | None) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise InvalidInput("An article needs a body.")
    if len(body) > BODY_MAX:
        raise InvalidInput(f"An article body may be at most {BODY_MAX:,} characters.")
    return body + "\n"


def _clean_product(product: str | None) -> str | None:
    product = " ".join((product or "").split())
    if len(product) > PRODUCT_MAX:
        raise InvalidInput(f"A product name may be at most {PRODUCT_MAX} characters.")
    return product or None


def _clean_slug(slug: str) -> str:
    slug = slug.strip().lower()
    if not _SLUG_OK.match(slug) or len(slug) > SLUG_MAX:
        raise InvalidInput(
            f"{slug!r} is not a slug: use lowercase letters, digits and hyphens "
            f"(at most {SLUG_MAX} characters)."
        )
    return slug


# -- markdown files --------------------------------------------------------------------------

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
        slug=_clean_slug(slugify(stem) or stem), title=_clean_title(str(title)),
        body=_clean_body(text), tags=normalize_tags(tags),
        product=_clean_product(str(product) if product is not None else None),
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


# -- the service -----------------------------------------------------------------------------

def _require_admin(session: Session, actor_id: int) -> None:
    actor = require_by_id(session, actor_id)
    if actor.role != "admin":
        raise NotAllowed("Only admins can change knowledge-base articles.")


def _find(session: Session, ref: int | str, *, with_deleted: bool = False) -> KnowledgeArticle:
    article: KnowledgeArticle | None = None
    if isinstance(ref, int):
        article = session.get(KnowledgeArticle, ref)
    else:
        key = ref.strip().lower()
        article = session.scalar(select(KnowledgeArticle).where(KnowledgeArticle.slug == key))
        if article is None and key.isdigit():
            article = session.get(KnowledgeArticle, int(key))
    if article is None or (article.deleted_at is not None and not with_deleted):
        raise NotFound("That knowledge-base article does not exist (or was deleted).")
    return article


def _free_slug(session: Session, base: str) -> str:
    base = base or "article"
    taken = set(session.scalars(
        select(KnowledgeArticle.slug).where(KnowledgeArticle.slug.like(f"{base}%"))
    ))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


class KnowledgeService:
    def __init__(self, store: Store) -> None:
        self.store = store

    # reading

    def get(self, ref: int | str) -> ArticleView:
        """By id (an int) or slug (a string; digits also try the id)."""
        with self.store.transaction() as s:
            return ArticleView.of(_find(s, ref))

    def list(self, *, limit: int = 100, offset: int = 0) -> list[ArticleView]:
        with self.store.transaction() as s:
            rows = s.scalars(select(KnowledgeArticle)
                             .where(KnowledgeArticle.deleted_at.is_(None))
                             .order_by(KnowledgeArticle.title, KnowledgeArticle.id)
                             .limit(limit).offset(offset))
            return [ArticleView.of(a) for a in rows]

    def stamps_since(self, since: datetime | None) -> ArticleStamps:
        """Versions (deleted rows too) with `updated_at >= since`, with the live count and
        id sum; no article text, so even a bulk change is cheap to look over."""
        with self.store.transaction() as s:
            query = select(KnowledgeArticle.id, KnowledgeArticle.updated_at,
                           KnowledgeArticle.deleted_at.is_not(None))
            if since is not None:
                query = query.where(KnowledgeArticle.updated_at >= since)
            stamps = [ArticleStamp(i, at, bool(gone)) for i, at, gone in s.execute(query)]
            count, id_sum = s.execute(
                select(func.count(), func.coalesce(func.sum(KnowledgeArticle.id), 0))
                .where(KnowledgeArticle.deleted_at.is_(None))).one()
            return ArticleStamps(stamps=stamps, live_count=count, live_id_sum=int(id_sum))

    def list_changed_since(self, since: datetime | None) -> list[ArticleView]:
        """Rows (deleted ones too) with `updated_at >= since`, oldest change first."""
        with self.store.transaction() as s:
            query = select(KnowledgeArticle).order_by(KnowledgeArticle.updated_at,
                                                      KnowledgeArticle.id)
            if since is not None:
                query = query.where(KnowledgeArticle.updated_at >= since)
            return [ArticleView.of(a) for a in s.scalars(query)]

    def get_many(self, ids: Iterable[int], *, batch_size: int = 1000) -> list[ArticleView]:
        """These articles, deleted ones included, in id order (ids that do not exist are
        left out)."""
        wanted = sorted(set(ids))
        found: list[ArticleView] = []
        for start in range(0, len(wanted), batch_size):
            chunk = wanted[start:start + batch_size]
            with self.store.transaction() as s:
                found.extend(ArticleView.of(a) for a in s.scalars(
                    select(KnowledgeArticle).where(KnowledgeArticle.id.in_(chunk))
                    .order_by(KnowledgeArticle.id)))
        return found

    def live_count(self) -> int:
        with self.store.transaction() as s:
            return s.scalar(select(func.count()).select_from(KnowledgeArticle)
                            .where(KnowledgeArticle.deleted_at.is_(None))) or 0

    def live_ids(self) -> set[int]:
        with self.store.transaction() as s:
            return set(s.scalars(select(KnowledgeArticle.id)
                                 .where(KnowledgeArticle.deleted_at.is_(None))))

    def iter_live(self, *, batch_size: int = 2000,
                  ids: Iterable[int] | None = None) -> Iterator[list[ArticleView]]:
        """Live articles in id order, a batch per short transaction (for a rebuild)."""
        wanted = sorted(ids) if ids is not None else None
        after = 0
        while True:
            with self.store.transaction() as s:
                query = (select(KnowledgeArticle)
                         .where(KnowledgeArticle.deleted_at.is_(None), KnowledgeArticle.id > after)
                         .order_by(KnowledgeArticle.id).limit(batch_size))
                if wanted is not None:
                    chunk = [i for i in wanted if i > after][:batch_size]
                    if not chunk:
                        return
                    query = query.where(KnowledgeArticle.id.in_(chunk))
                    after = chunk[-1]
                batch = [ArticleView.of(a) for a in s.scalars(query)]
            if wanted is None:
                if not batch:
                    return
                after = batch[-1].id
            if batch:
                yield batch

    # writing (admins)

    def create(self, actor_id: int, *, title: str, body: str,
               tags: Iterable[str] | str | None = None, product: str | None = None,
               slug: str | None = None, source: str = "slack") -> ArticleView:
        title, body = _clean_title(title), _clean_body(body)
        tag_list, product = normalize_tags(tags), _clean_product(product)
        with self.store.transaction() as s:
            _require_admin(s, actor_id)
            if slug:
                slug = _clean_slug(slug)
                if s.scalar(select(KnowledgeArticle.id).where(KnowledgeArticle.slug == slug)):
                    raise Conflict(f"An article with the slug {slug!r} already exists.")
            else:
                slug = _free_slug(s, slugify(title))
            article = KnowledgeArticle(slug=slug, title=title, body=body, tags=",".join(tag_list),
                                       product=product, author_id=actor_id)
            s.add(article)
            s.flush()
            audit.record(s, at=self.store.now(), actor_id=actor_id, action="kb_create",
                         entity_type="kb_article", entity_id=article.id,
                         detail={"slug": slug, "title": title}, source=source)
            return ArticleView.of(article)

    def update(self, actor_id: int, ref: int | str, *, title: str | None = None,
               body: str | None = None, tags: Iterable[str] | str | None = None,
               product: str | None = None, source: str = "slack") -> ArticleView:
        """Change the fields given (`product=""` clears it); nothing given changes nothing."""
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = _clean_title(title)
        if body is not None:
            changes["body"] = _clean_body(body)
        if tags is not None:
            changes["tags"] = ",".join(normalize_tags(tags))
        if product is not None:
            changes["product"] = _clean_product(product)
        with self.store.transaction() as s:
            _require_admin(s, actor_id)
            article = _find(s, ref)
            changed = [k for k, v in changes.items() if getattr(article, k) != v]
            for key in changed:
                setattr(article, key, changes[key])
            if changed:
                s.flush()
                audit.record(s, at=self.store.now(), actor_id=actor_id, action="kb_update",
                             entity_type="kb_article", entity_id=article.id,
                             detail={"fields": changed}, source=source)
            return ArticleView.of(article)

    def delete(self, actor_id: int, ref: int | str, *, source: str = "slack") -> ArticleView:
        """Soft delete: the row stays (with `deleted_at`) so every index learns of it."""
        with self.store.transaction() as s:
            _require_admin(s, actor_id)
            article = _find(s, ref)
            article.deleted_at = self.store.now()
            s.flush()
            audit.record(s, at=self.store.now(), actor_id=actor_id, action="kb_delete",
                         entity_type="kb_article", entity_id=article.id,
                         detail={"slug": article.slug}, source=source)
            return ArticleView.of(article)

    def import_markdown_dir(self, path: Path, author_id: int | None = None,
                            *, source: str = "command") -> ImportSummary:
        """Upsert every `*.md` under PATH by slug (the file name), all or nothing.

        A file that matches its article exactly changes nothing (its `updated_at` stays);
        a deleted article of the same slug comes back.
        """
        parsed = read_markdown_dir(Path(path))
        created = updated = unchanged = 0
        with self.store.transaction() as s:
            if author_id is not None:
                _require_admin(s, author_id)
            existing = {a.slug: a for a in s.scalars(
                select(KnowledgeArticle).where(KnowledgeArticle.slug.in_([p.slug for p in parsed]))
            )}
            now = self.store.now()
            for item in parsed:
                values = {"title": item.title, "body": item.body, "tags": ",".join(item.tags),
                          "product": item.product}
                article = existing.get(item.slug)
                if article is None:
                    s.add(KnowledgeArticle(slug=item.slug, author_id=author_id, **values))
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
            s.flush()
            if created or updated:
                audit.record(s, at=now, actor_id=author_id, action="kb_import",
                             entity_type="kb_article", entity_id=None,
                             detail={"folder": str(path), "created": created,
                                     "updated": updated}, source=source)
        return ImportSummary(created=created, updated=updated, unchanged=unchanged)
