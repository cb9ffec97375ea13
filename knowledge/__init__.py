"""Full-text search over knowledge-base articles; the only package that imports whoosh."""
