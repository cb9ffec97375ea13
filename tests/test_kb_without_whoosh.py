"""On the FTS5 engine the knowledge base runs without whoosh's index, analysis or query
code (issue 17): only its Porter stemmer (`whoosh.lang.porter`, which imports nothing),
so both engines stem alike. What knowledge/text.py keeps of whoosh's analysis by itself
(the stop words, the word pattern) must stay what whoosh does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# the stemmer's module and the two packages it sits in; nothing else of whoosh
STEMMER_ONLY = ["whoosh", "whoosh.lang", "whoosh.lang.porter"]

SEARCH = """
import json, sys
from pathlib import Path
from knowledge import KnowledgeBase
from store.db import Store
from store.migrate import upgrade
from store.services.knowledge.articles import KnowledgeService

folder = Path(sys.argv[1])
store = Store(f"sqlite:///{folder / 'kb.db'}")
upgrade(store.engine)
pages = folder / "pages"
pages.mkdir()
(pages / "pricing.md").write_text("# Pricing objections\\n\\nAnswer a pricing objection "
                                  "with the value the customer gets, then the discount rules.")
(pages / "renewals.md").write_text("# Renewals\\n\\nStart every renewal 90 days out.")
KnowledgeService(store).import_markdown_dir(pages)
kb = KnowledgeBase(store, folder / "index", sync_interval=0, engine="fts5")
found = {q: [h.slug for h in kb.search(q).hits] for q in
         ("pricing objection", "renwal", '"pricing objection"', "disc*", "renewal~")}
kb.close()
store.dispose()
print(json.dumps({"found": found,
                  "whoosh": sorted(m for m in sys.modules if m.split(".")[0] == "whoosh")}))
"""


def test_searching_on_fts5_loads_no_whoosh_but_its_stemmer(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SALESBOT_KB_ENGINE"}
    out = subprocess.run([sys.executable, "-c", SEARCH, str(tmp_path)], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    # the index was built, caught up and searched: words, a typo corrected, a phrase
    assert result["found"]["pricing objection"] == ["pricing"]
    assert result["found"]["renwal"] == ["renewals"]
    assert result["found"]['"pricing objection"'] == ["pricing"]
    assert result["found"]["disc*"] == ["pricing"]
    assert result["found"]["renewal~"] == ["renewals"]
    assert result["whoosh"] == STEMMER_ONLY


def test_the_stop_words_are_whooshs() -> None:
    from whoosh.analysis.filters import STOP_WORDS

    from knowledge.text import ENGLISH_STOP_WORDS

    assert ENGLISH_STOP_WORDS == STOP_WORDS


@pytest.mark.parametrize("text", [
    "How do I handle a pricing objection?", "e.g. 3.5% off, U.S. customers", "disc* renwal~",
    "Ünïcödé naïve café — über", "a_b __init__ x.y.z. ..dots.. 1,000.50", "tag:pricing -legacy",
    "İstanbul ŞEHİR ǅ", "I'm what's who's",
])
def test_query_words_are_read_as_whooshs_plain_analyzer_reads_them(text: str) -> None:
    from whoosh.analysis import LowercaseFilter, RegexTokenizer, StopFilter

    from knowledge.text import STOP, plain_words

    plain = RegexTokenizer() | LowercaseFilter() | StopFilter(stoplist=STOP, minsize=2)
    assert plain_words(text) == [t.text for t in plain(text)]
    assert plain_words(text, frozenset()) == [
        t.text for t in (RegexTokenizer() | LowercaseFilter() | StopFilter(
            stoplist=frozenset(), minsize=2))(text)]
