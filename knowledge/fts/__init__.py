"""The SQLite FTS5 engine (`SALESBOT_KB_ENGINE=fts5`): each generation one SQLite file,
ranked by FTS5's bm25 in C (knowledge/fts/engine.py), queries from query.py."""
