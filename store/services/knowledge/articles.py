"""Knowledge-base articles: the source of truth every process's search index is built from.

Writes are for admins. Deletion is soft and every write moves `updated_at`, so an index
catches up by reading what changed since its last mark (`stamps_since`). Field rules are
in fields.py; markdown folders import all-or-nothing through markdown_import.py.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.db import Store
from store.errors import Conflict, NotAllowed, NotFound
from store.models import KnowledgeArticle
from store.roles import is_admin
from store.schemas import View
from store.services.knowledge.fields import (
    clean_body,
    clean_product,
    clean_slug,
    clean_title,
    normalize_tags,
    slugify,
    split_tags,
)
from store.services.people.users import require_by_id
from store.services.system import audit

if TYPE_CHECKING:  # imported when a folder is imported: reading and searching need no YAML
    from store.services.knowledge.markdown_import import ImportSummary


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


# -- the service -----------------------------------------------------------------------------

def _require_admin(session: Session, actor_id: int) -> None:
    actor = require_by_id(session, actor_id)
    if not is_admin(actor):
        raise NotAllowed("Only admins can change knowledge-base articles.")


def _find(session: Session, ref: int | str, *, with_deleted: bool = False) -> KnowledgeArticle:
    article: KnowledgeArticle | None = None
    if isinstance(ref, int):
        article = session.get(KnowledgeArticle, ref) if 0 < ref < 2**31 else None
    else:
        key = ref.strip().lower()
        article = session.scalar(select(KnowledgeArticle).where(KnowledgeArticle.slug == key))
        if article is None and key.isascii() and key.isdecimal() and len(key) <= 10 \
                and int(key) < 2**31:
            article = session.get(KnowledgeArticle, int(key))  # ids fit in INTEGER
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
        id sum; no article text, so even a bulk change is cheap to look over. On the
        table's columns, not the model's: every search's sync asks, and a process's first
        ORM query configures every mapper first (a tenth of `salesbot kb search`)."""
        table = KnowledgeArticle.__table__.c
        with self.store.transaction() as s:
            query = select(table.id, table.updated_at, table.deleted_at.is_not(None))
            if since is not None:
                query = query.where(table.updated_at >= since)
            stamps = [ArticleStamp(i, at, bool(gone)) for i, at, gone in s.execute(query)]
            count, id_sum = s.execute(
                select(func.count(), func.coalesce(func.sum(table.id), 0))
                .where(table.deleted_at.is_(None))).one()
            return ArticleStamps(stamps=stamps, live_count=count, live_id_sum=int(id_sum))

    def get_many(self, ids: Iterable[int], *, batch_size: int = 1000) -> builtins.list[ArticleView]:
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
                  ids: Iterable[int] | None = None) -> Iterator[builtins.list[ArticleView]]:
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
        title, body = clean_title(title), clean_body(body)
        tag_list, product = normalize_tags(tags), clean_product(product)
        with self.store.transaction() as s:
            _require_admin(s, actor_id)
            if slug:
                slug = clean_slug(slug)
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
            changes["title"] = clean_title(title)
        if body is not None:
            changes["body"] = clean_body(body)
        if tags is not None:
            changes["tags"] = ",".join(normalize_tags(tags))
        if product is not None:
            changes["product"] = clean_product(product)
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
                            *, source: str = "command", skip_bad: bool = False,
                            prune: bool = False) -> ImportSummary:
        """Upsert every `*.md` under PATH by slug (made from its path), in one transaction.

        All or nothing, unless SKIP_BAD: then the bad files are left out and named in the
        summary, and the rest imports. Drafts are always left out (and named). A file that
        matches its article exactly changes nothing (its `updated_at` stays); a deleted
        article of the same slug comes back. PRUNE soft-deletes, in the same transaction,
        every live article that no file of the folder holds (a bad file keeps its article).
        """
        from store.services.knowledge.markdown_import import (
            ImportProblems,
            prune_articles,
            read_markdown_folder,
            upsert_articles,
        )

        found = read_markdown_folder(Path(path))
        if found.problems and not skip_bad:
            raise ImportProblems(found.problems)
        with self.store.transaction() as s:
            if author_id is not None:
                _require_admin(s, author_id)
            now = self.store.now()
            summary = upsert_articles(s, found.parsed, author_id)
            removed = prune_articles(s, {p.slug for p in found.parsed} | found.unreadable,
                                     now) if prune else 0
            summary = summary.model_copy(update={"skipped": found.problems,
                                                 "drafts": found.drafts, "removed": removed})
            if summary.created or summary.updated or removed:
                audit.record(s, at=now, actor_id=author_id, action="kb_import",
                             entity_type="kb_article", entity_id=None,
                             detail={"folder": str(path), "created": summary.created,
                                     "updated": summary.updated,
                                     "skipped": len(found.problems), "removed": removed},
                             source=source)
        return summary
