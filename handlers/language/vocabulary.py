"""Everyday words the name spotter must not take for names, kept apart from its logic.

`GENERIC` words may be left out when a company is named ("wayne" for "Wayne
Enterprises"); `COMMON` words are English first and a name only with the rest of it
("black" alone is not "Black Mesa").
"""

from __future__ import annotations

GENERIC = frozenset({
    "inc", "corp", "corporation", "co", "company", "llc", "ltd", "limited", "group",
    "holdings", "industries", "enterprises", "solutions", "trading", "international", "the",
    "and", "of", "plc", "gmbh", "sa", "ag", "systems", "technologies", "labs", "partners",
    "global", "worldwide", "services", "annual", "fixed",
})
"""Words that, left unsaid, leave no doubt which name was meant."""

COMMON = frozenset({
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and",
    "any", "are", "as", "at", "back", "be", "because", "been", "before", "being", "below",
    "between", "both", "but", "by", "call", "called", "can", "could", "day", "deal",
    "deals", "did", "do", "does", "done", "down", "during", "each", "email", "few", "for",
    "from", "further", "get", "got", "had", "has", "have", "having", "he", "her", "here",
    "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "last", "let",
    "me", "meeting", "more", "most", "move", "moved", "my", "new", "next", "no", "nor",
    "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "out", "over",
    "own", "pipeline", "please", "same", "she", "should", "show", "so", "some", "stage",
    "such", "than", "that", "the", "their", "them", "then", "there", "these", "they",
    "this", "those", "through", "to", "today", "tomorrow", "too", "under", "until", "up",
    "update", "very", "was", "we", "week", "were", "what", "when", "where", "which",
    "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "black",
    "white", "red", "blue", "green", "gold", "silver", "planet", "express", "massive",
    "dynamic", "prestige", "sterling", "monarch", "science", "beer", "krusty", "crab",
    "duff", "pied", "piper", "grace", "hope", "joy", "rose", "mark", "bill", "frank",
    "chase", "summer", "may", "june", "august", "pilot", "renewal", "expansion", "platform",
    "upsell", "migration", "services", "seats", "seat", "logo", "add", "security", "suite",
    "analytics", "enterprise", "upgrade", "review", "price", "proposal", "value", "needs",
    "analysis", "won", "lost", "closed", "open", "signed", "dead", "close", "closing",
    "date", "win", "lose", "note", "notes", "demo", "lunch", "coffee", "zoom", "team",
    "teams", "quote", "quotes", "best", "good", "great", "fine", "ok", "okay", "yes",
    "yeah", "sure", "thanks", "thank", "hi", "hey", "hello", "morning", "afternoon",
    "start", "starts", "stars", "stack", "spark", "stare", "acne", "acre", "wane",
})
"""Everyday words that are also the first word of some name, or one slip from one ("start"
for Stark): alone, they name nothing."""
