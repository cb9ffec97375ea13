"""The whoosh engine's index: analyzers and fields (knowledge/whoosh_engine.py).

What both engines put into the index and read of a query (stop words, stems, an article
turned into a document) is in knowledge/text.py, which imports no whoosh. Titles and tags
weigh more than bodies; the unstemmed `words` field is the vocabulary "did you mean"
draws from.
"""

from __future__ import annotations

from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemmingAnalyzer, StopFilter
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from knowledge.text import STOP, stem_word

# Index-time field boosts; the query scales them again (query.FIELD_WEIGHTS), measured on
# an 880-page company handbook (benchmarks/kb_relevance.py): one common title word ("team",
# "customer") must not outweigh a body that answers the whole question. Headings (the `##`
# lines, where FAQ pages put their questions) are a field of their own. A field for the
# page's path was tried and left out: it only ever lifted folder index pages.
TITLE_BOOST = 2.0
TAGS_BOOST = 2.0
HEADINGS_BOOST = 1.5


# Analyzers are built once per process; they hold no per-index state.
STEMMED = StemmingAnalyzer(stoplist=STOP, minsize=2, stemfn=stem_word, cachesize=None)
PLAIN = RegexTokenizer() | LowercaseFilter() | StopFilter(stoplist=STOP, minsize=2)
# The vocabulary keeps stop words, so "thier" is corrected to "their", not to "tier".
VOCABULARY = RegexTokenizer() | LowercaseFilter() | StopFilter(stoplist=frozenset(), minsize=2)


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        slug=ID(stored=True),
        title=TEXT(analyzer=STEMMED, stored=True, field_boost=TITLE_BOOST),
        tags=TEXT(analyzer=STEMMED, field_boost=TAGS_BOOST),
        headings=TEXT(analyzer=STEMMED, field_boost=HEADINGS_BOOST),
        body=TEXT(analyzer=STEMMED, stored=True),
        words=TEXT(analyzer=VOCABULARY, phrase=False),
        tag=KEYWORD(commas=True, lowercase=True),
        product=KEYWORD(commas=True, lowercase=True),
        tag_list=STORED,
        product_name=STORED,
        fingerprint=STORED,
        updated=STORED,
        read_at=STORED,
    )


TEXT_FIELDS = ("title", "tags", "headings", "body")
