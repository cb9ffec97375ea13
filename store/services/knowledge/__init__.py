"""Knowledge-base articles in the store (the source of truth the search index follows)."""
