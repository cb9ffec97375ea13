"""People: users and roles, teams, hand-over, name lookups, privacy requests."""
