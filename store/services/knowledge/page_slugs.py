"""Slugs for the pages of an imported folder: made from each page's path, unique by
construction, the same on every import of the same folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

from store.services.knowledge.fields import slugify

SLUG_CUT = 80  # a slug made from a path is at most this long
_HASH_CHARS = 8
_INDEX_STEMS = frozenset(("index", "_index", "readme"))


def path_slug(relative: Path) -> str:
    """The slug of the page at RELATIVE (a path inside the imported folder), before
    uniqueness: its folders and name, `index.md` / `README.md` named by their folder.

    `pricing-objections.md` → `pricing-objections`;
    `departments/sales/index.md` → `departments-sales`.
    """
    parts = [*relative.parent.parts, relative.stem]
    if len(parts) > 1 and parts[-1].lower() in _INDEX_STEMS:
        parts.pop()
    return slugify("-".join(parts), limit=None) or "page"


def unique_slugs(files: list[Path]) -> dict[Path, str]:
    """Slugs for FILES (relative paths, in import order), unique by construction.

    A page keeps its path slug when that is at most `SLUG_CUT` characters and no earlier
    page has it; otherwise it is cut and ends in a hash of its whole path, so two long names
    that agree on their first 80 characters get two slugs, and the same file gets the same
    slug on every import.
    """
    slugs: dict[Path, str] = {}
    taken: set[str] = set()
    for file in files:
        slug = path_slug(file)
        if len(slug) > SLUG_CUT or slug in taken:
            digest = hashlib.sha1(file.as_posix().encode("utf-8"),
                                  usedforsecurity=False).hexdigest()
            head = slug[: SLUG_CUT - _HASH_CHARS - 1].strip("-")
            slug = f"{head}-{digest[:_HASH_CHARS]}" if head else digest[:_HASH_CHARS]
            n = _HASH_CHARS
            while slug in taken:  # two paths whose hashes agree on 8 characters
                n += 1
                slug = f"{head}-{digest[:n]}" if head else digest[:n]
        taken.add(slug)
        slugs[file] = slug
    return slugs
