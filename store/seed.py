"""The default pipeline, Salesforce's default stages and probabilities.

The initial migration inserts these same rows (migrations keep their own frozen
copy); tests use this list to reset a database between cases.
"""

DEFAULT_STAGES: list[dict[str, object]] = [
    {"name": "Prospecting", "position": 1, "probability": 10, "kind": "open", "quiet_days": 14},
    {"name": "Needs Analysis", "position": 2, "probability": 20, "kind": "open", "quiet_days": 14},
    {"name": "Value Proposition", "position": 3, "probability": 50, "kind": "open",
     "quiet_days": 14},
    {"name": "Proposal/Price Review", "position": 4, "probability": 75, "kind": "open",
     "quiet_days": 10},
    {"name": "Negotiation/Review", "position": 5, "probability": 90, "kind": "open",
     "quiet_days": 7},
    {"name": "Closed Won", "position": 6, "probability": 100, "kind": "won", "quiet_days": None},
    {"name": "Closed Lost", "position": 7, "probability": 0, "kind": "lost", "quiet_days": None},
]
