"""What a knowledge-base article's fields may hold: slugs, tags, title, body and product,
cleaned the same way for admin writes and for imported markdown files."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from store.errors import InvalidInput

TITLE_MAX = 300
BODY_MAX = 1_000_000  # real handbook pages reach 220k characters; imported whole
TAGS_MAX = 500
TAG_MAX = 50
PRODUCT_MAX = 200
SLUG_MAX = 200

_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
_SLUG_OK = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


def slugify(text: str, *, limit: int | None = 80) -> str:
    """`Handling pricing objections` → `handling-pricing-objections` (ASCII, lowercase),
    cut at LIMIT characters (None: not cut)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _SLUG_CHARS.sub("-", ascii_text.lower()).strip("-")
    return slug[:limit].strip("-") if limit is not None else slug


_EMPHASIS_MARKS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`")


def strip_emphasis(text: str) -> str:
    """A heading's text without bold, italic or code marks: `**Data Policy**` → `Data Policy`."""
    return " ".join(_EMPHASIS_MARKS.sub("", text).split())


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


def clean_title(title: str | None) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput("An article needs a title.")
    if len(title) > TITLE_MAX:
        raise InvalidInput(f"A title may be at most {TITLE_MAX} characters.")
    return title


def clean_body(body: str | None) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise InvalidInput("An article needs a body.")
    if len(body) > BODY_MAX:
        raise InvalidInput(f"An article body may be at most {BODY_MAX:,} characters.")
    return body + "\n"


def clean_product(product: str | None) -> str | None:
    product = " ".join((product or "").split())
    if len(product) > PRODUCT_MAX:
        raise InvalidInput(f"A product name may be at most {PRODUCT_MAX} characters.")
    return product or None


def clean_slug(slug: str) -> str:
    slug = slug.strip().lower()
    if not _SLUG_OK.match(slug) or len(slug) > SLUG_MAX:
        raise InvalidInput(
            f"{slug!r} is not a slug: use lowercase letters, digits and hyphens "
            f"(at most {SLUG_MAX} characters)."
        )
    return slug
