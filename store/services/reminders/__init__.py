"""Reminders: planning, claiming and delivering follow-ups, renewals, quiet deals, digests."""
