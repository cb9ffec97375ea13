"""The public corpus the knowledge-base benchmarks run on: Sourcegraph's handbook.

The corpus is not kept in this repository (it is someone else's text). Get it with

    git clone https://github.com/sourcegraph/handbook
    git -C handbook checkout 5752928b213a3ddbc7cee4459524f404a5b96fb4

(or unpack an export of that commit) and point `KB_CORPUS` at the checkout:

    KB_CORPUS=handbook python -m benchmarks kb_corpus      # what is there
    KB_CORPUS=handbook python -m benchmarks kb_relevance   # the judged queries

The pages are the markdown files under `content/` (883 at that commit, 6.2 million
characters), as a company's admins would import them with `salesbot kb import content
--skip-bad`. Page paths in benchmarks/kb_queries.yaml are relative to `content/`.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

SOURCE = "https://github.com/sourcegraph/handbook"
COMMIT = "5752928b213a3ddbc7cee4459524f404a5b96fb4"
PAGES_DIR = "content"
QUERIES = Path(__file__).with_name("kb_queries.yaml")


@dataclass(frozen=True)
class Corpus:
    root: Path  # the checkout (or export)
    commit: str | None  # what `git rev-parse HEAD` says, None for an export

    @property
    def pages_dir(self) -> Path:
        return self.root / PAGES_DIR

    def pages(self) -> list[Path]:
        """Every markdown page, as paths relative to `content/`, sorted (hidden ones left
        out, as `salesbot kb import` leaves them out)."""
        return sorted(p.relative_to(self.pages_dir) for p in self.pages_dir.rglob("*.md")
                      if p.is_file() and not any(part.startswith(".") for part in
                                                 p.relative_to(self.pages_dir).parts))


def _head(root: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], check=True,
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def open_corpus(path: str | os.PathLike[str] | None = None) -> Corpus | None:
    """The corpus at PATH (default: `KB_CORPUS`), or None when there is none to read.

    A git checkout at another commit is refused: the judged queries were written for
    this commit's pages, and their figures mean nothing on others.
    """
    where = path if path is not None else os.environ.get("KB_CORPUS")
    if not where:
        return None
    root = Path(where)
    if not (root / PAGES_DIR).is_dir():
        raise SystemExit(f"{root} has no {PAGES_DIR}/ folder: is it a checkout of {SOURCE}?")
    commit = _head(root)
    if commit is not None and commit != COMMIT:
        raise SystemExit(f"{root} is at commit {commit}; check out {COMMIT}")
    return Corpus(root=root, commit=commit)


def missing_note() -> str:
    return (f"set KB_CORPUS to a checkout of {SOURCE} at {COMMIT} "
            "(see benchmarks/kb_corpus.py); skipped")


def run() -> None:
    corpus = open_corpus()
    if corpus is None:
        print(missing_note())
        return
    pages = corpus.pages()
    chars = sum(len((corpus.pages_dir / p).read_text(encoding="utf-8", errors="replace"))
                for p in pages)
    print(f"source {SOURCE}")
    print(f"commit {corpus.commit or COMMIT + ' (export, not checked)'}")
    print(f"pages  {len(pages)} markdown files under {PAGES_DIR}/, {chars:,} characters")
